"""The performance team's pages for the committee report and the corporate risk register.

Each view names its permission (``plans.roles``): the register is read by every role that reads
reports; the meeting, the written parts and the register are kept by those who keep the plan.
Every write goes through ``cabinet.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from cabinet import services
from cabinet.committee import (
    PLACEHOLDERS,
    Part,
    StartingLinks,
    meeting_of,
    previous_years_links,
    previous_years_text,
    raw_texts,
)
from cabinet.forms import MeetingForm, RiskForm, RiskLinksForm, TextsForm
from cabinet.models import CorporateRisk
from plans import roles
from plans.models import MonthClose, Organisation, Plan
from plans.periods import Month
from plans.permissions import PlanMonthMixin, RoleRequiredMixin, organisations_where
from plans.services import MonthClosedError
from plans.views import form_errors


def _save(form, write) -> bool:
    """Run a service write; its refusal is shown on the form (beside the field it names)."""
    try:
        write()
    except ValidationError as error:
        form.add_error(None, error)
        return False
    except MonthClosedError as error:
        form.add_error(None, str(error))
        return False
    return True


class EditMixin(RoleRequiredMixin):
    permission_required = roles.EDIT_STRUCTURE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["errors"] = form_errors(form) if form is not None else []
        return context


def _cover_url(plan: Plan, month: Month) -> str:
    return reverse("reports:cover", kwargs={"slug": plan.slug, "month": str(month)})


class MeetingView(EditMixin, PlanMonthMixin, FormView):
    """The committee and date the month's report goes to (July 2009: Cabinet, 2 September 2009)."""

    template_name = "cabinet/meeting.html"
    form_class = MeetingForm

    def get_initial(self):
        meeting = meeting_of(self.plan, self.month)
        return {"committee": meeting.committee, "date": f"{meeting.date:%-d %B %Y}"} if meeting else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            plan=self.plan,
            month=self.month,
            closed=MonthClose.objects.is_closed(self.plan, self.month),
            cover_url=_cover_url(self.plan, self.month),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        saved = _save(
            form,
            lambda: services.record_meeting(
                user=self.request.user,
                plan=self.plan,
                month=self.month,
                committee=data["committee"],
                on=data["date"],
            ),
        )
        if not saved:
            return self.form_invalid(form)
        messages.success(self.request, f"The meeting for {self.month.name} is recorded.")
        return redirect(_cover_url(self.plan, self.month))


class PlanTextsView(EditMixin, FormView):
    """The plan's written parts of the committee report: its template for every month."""

    template_name = "cabinet/texts.html"
    form_class = TextsForm

    @cached_property
    def _plan(self) -> Plan:
        return self.plan_or_404(self.kwargs["slug"])

    def get_plan(self) -> Plan:
        return self._plan

    def get_month(self) -> Month | None:
        return None

    @cached_property
    def texts(self) -> tuple[dict[str, str], dict[str, str]]:
        """The plan's text and the month's own, as typed (one query)."""
        plan, month = self.get_plan(), self.get_month()
        return raw_texts(plan, month or plan.start)

    def get_initial(self):
        template, overrides = self.texts
        if self.get_month():
            return dict(overrides)
        return dict(self.started_from[1] if self.started_from else template)

    @cached_property
    def started_from(self) -> tuple[Plan, dict[str, str]] | None:
        return None if self.get_month() else previous_years_text(self.get_plan())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, month = self.get_plan(), self.get_month()
        template = self.texts[0]
        form = context["form"]
        context.update(
            plan=plan,
            month=month,
            closed=month is not None and MonthClose.objects.is_closed(plan, month),
            rows=[(form[part.value], template.get(part.value, "")) for part in Part],
            started_from=self.started_from[0] if self.started_from else None,
            placeholders=PLACEHOLDERS,
        )
        return context

    def form_valid(self, form):
        plan, month = self.get_plan(), self.get_month()
        texts = {part.value: form.cleaned_data.get(part.value, "") for part in Part}
        changed = []
        saved = _save(
            form,
            lambda: changed.append(
                services.save_texts(user=self.request.user, plan=plan, texts=texts, month=month)
            ),
        )
        if not saved:
            return self.form_invalid(form)
        if month is None:
            messages.success(
                self.request,
                f"The text for every month of {plan.title} is saved ({changed[0]} parts changed).",
            )
            return redirect("cabinet:texts", slug=plan.slug)
        messages.success(self.request, f"The text for {month.name} is saved ({changed[0]} parts changed).")
        return redirect(_cover_url(plan, month))


class MonthTextsView(PlanMonthMixin, PlanTextsView):
    """A month's own text for any written part (overriding the plan's), e.g. 2.2's note on what
    this month's suspensions include."""

    def get_plan(self) -> Plan:
        return self.plan

    def get_month(self) -> Month | None:
        return self.month


# ---------------------------------------------------------------------------------------------
# The corporate risk register


class RiskRegisterView(RoleRequiredMixin, TemplateView):
    """Every risk of the register with its score and the plan references that answer it."""

    permission_required = roles.VIEW
    template_name = "cabinet/risks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # The registers of the person's councils (a person of one council: its register alone).
        organisations = organisations_where(user, roles.VIEW)
        risks = sorted(
            CorporateRisk.objects.in_register(organisations).with_links(), key=lambda r: r.sort_key
        )
        plans = list(Plan.objects.visible_to(user).order_by("-first_month"))
        editable = set(organisations_where(user, roles.EDIT_STRUCTURE).values_list("pk", flat=True))
        for risk in risks:
            risk.editable = risk.organisation_id in editable
            risk.plans = [plan for plan in plans if plan.organisation_id == risk.organisation_id]
        context.update(
            risks=risks,
            add_to=Organisation.objects.filter(pk__in=editable),
            several=len(organisations) > 1,
        )
        return context


class RiskEditView(EditMixin, FormView):
    """Add a risk to the register, or change one (and merge it into another)."""

    template_name = "cabinet/risk_form.html"
    form_class = RiskForm

    def get_risk(self) -> CorporateRisk | None:
        if "pk" not in self.kwargs:
            return None
        if not hasattr(self, "_risk"):
            visible = Organisation.objects.of(self.request.user)
            self._risk = get_object_or_404(CorporateRisk.objects.in_register(visible), pk=self.kwargs["pk"])
            self.require_role_in(self._risk)
        return self._risk

    @cached_property
    def organisation(self) -> Organisation:
        """The register a risk is added to or changed in: the risk's, or for a new one the
        council where the person keeps the register (``?organisation=`` when they keep several)."""
        risk = self.get_risk()
        if risk is not None:
            return risk.organisation
        organisations = organisations_where(self.request.user, roles.EDIT_STRUCTURE)
        chosen = self.request.GET.get("organisation")
        if chosen:
            return get_object_or_404(organisations, slug=chosen)
        if len(organisations) != 1:
            raise Http404("Choose the council whose register the risk goes on.")
        return organisations[0]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_risk(), "organisation": self.organisation}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "risk": self.get_risk(),
            "organisation": self.organisation,
        }

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in services.RISK_FIELDS}
        into = form.cleaned_data.get("merged_into")
        done = []

        def write():
            risk = services.save_risk(
                user=self.request.user, risk=self.get_risk(), organisation=self.organisation, **fields
            )
            if into is not None:
                services.merge_risk(user=self.request.user, risk=risk, into=into)
            done.append(risk)

        if not _save(form, write):
            return self.form_invalid(form)
        risk = done[0]
        merged = f" and merged into {into.code}" if into else ""
        messages.success(self.request, f"{risk.code} is saved{merged}.")
        return redirect(reverse("cabinet:risks") + f"#risk-{risk.pk}")


class RiskLinksView(EditMixin, FormView):
    """The priorities and actions of one plan that answer a risk (section 7's references)."""

    template_name = "cabinet/risk_links.html"
    form_class = RiskLinksForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self._looked_up = None

    def looked_up(self) -> tuple[CorporateRisk, Plan]:
        # After the permission check (dispatch), so a refused user learns nothing of what exists.
        if self._looked_up is None:
            plan = self.plan_or_404(self.kwargs["slug"])
            risk = get_object_or_404(
                CorporateRisk.objects.in_register(plan.organisation_id).open(), pk=self.kwargs["pk"]
            )
            self._looked_up = (risk, plan)
        return self._looked_up

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "plan": self.looked_up()[1]}

    @cached_property
    def started_from(self) -> StartingLinks | None:
        return previous_years_links(*self.looked_up())

    def get_initial(self):
        risk, plan = self.looked_up()
        if self.started_from:
            return {"priorities": self.started_from.priorities, "actions": self.started_from.actions}
        return {
            "priorities": list(risk.priorities.filter(plan=plan)),
            "actions": list(risk.actions.filter(plan=plan)),
        }

    def get_context_data(self, **kwargs):
        risk, plan = self.looked_up()
        started = self.started_from.previous if self.started_from else None
        return {**super().get_context_data(**kwargs), "risk": risk, "plan": plan, "started_from": started}

    def form_valid(self, form):
        risk, plan = self.looked_up()
        data = form.cleaned_data
        saved = _save(
            form,
            lambda: services.link_risk(
                user=self.request.user, risk=risk, plan=plan,
                priorities=list(data["priorities"]), actions=list(data["actions"]),
            ),
        )  # fmt: skip
        if not saved:
            return self.form_invalid(form)
        messages.success(self.request, f"{risk.code}'s references in {plan.title} are saved.")
        return redirect(reverse("cabinet:risks") + f"#risk-{risk.pk}")
