"""Pages of the plan. Each view names the permission it needs (``plans.roles``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.generic import DetailView, TemplateView, View
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from plans import notifications, roles, services
from plans.filters import ActionFilter
from plans.forms import (
    ActionMonthForm,
    ChangeRequestForm,
    DecisionForm,
    IndicatorActualForm,
    MeasureProgressForm,
)
from plans.history import action_history, display_name, progress_history
from plans.models import (
    Action,
    ChangeRequest,
    Indicator,
    IndicatorActual,
    Lead,
    Measure,
    MeasureProgress,
    MonthClose,
    MonthlyStatus,
    Plan,
    Recommendation,
    Reminder,
    with_words,
)
from plans.periods import Month, to_month
from plans.permissions import PlanMonthMixin, RoleRequiredMixin
from plans.selectors import IndicatorFigures, calendar_positions, current_month, indicator_figures
from plans.status import MARKERS, NEEDS_APPROVAL, number_text, status_legend, value_text
from plans.tables import ActionTable, as_csv, as_xlsx


class PlanDetailView(RoleRequiredMixin, SingleTableMixin, FilterView):
    """The whole plan as the seed prints it: priorities, measures and each action's row with its
    month strip, filtered (django-filter) and as a sortable, paginated django-tables2 table."""

    permission_required = roles.VIEW
    template_name = "plans/plan_detail.html"
    filterset_class = ActionFilter
    table_class = ActionTable
    table_pagination = {"per_page": 100}

    @cached_property
    def plan(self) -> Plan:
        return self.plan_or_404(
            self.kwargs["slug"],
            Plan.objects.select_related("previous_plan").prefetch_related("status_terms", "next_plans"),
        )

    def get_queryset(self):
        # The rows' statuses, planned months, leads and progress updates are read for the page's
        # actions alone, as plain values (ActionTable.display_rows).
        return Action.objects.filter(plan=self.plan).select_related("measure__priority")

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "plan": self.plan}

    def get_table_kwargs(self):
        return {"plan": self.plan}

    def get_table_data(self):
        return self.object_list

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for action in context["table"].paginated_rows.data:
            action.plan = self.plan
        context["plan"] = self.plan
        context["legend"] = status_legend(self.plan.status_word)  # the full-plan PDF's legend too
        context["marks"] = [MARKERS[name] for name in ("planned", "original", "reprogrammed", "revised")]
        context["update_month"] = current_month(self.plan)
        context["lead_month"] = self.request.user.has_perm(roles.UPDATE_OWN, self.plan)
        return context


class PlanExportView(RoleRequiredMixin, View):
    """The plan page's table, with the same filters and order, as CSV or Excel."""

    permission_required = roles.EXPORT

    def get(self, request, slug: str, fmt: str):
        if fmt not in ("csv", "xlsx"):
            raise Http404("Exports are CSV or Excel")
        plan = self.plan_or_404(slug)
        queryset = Action.objects.filter(plan=plan).with_grid()
        filterset = ActionFilter(request.GET, queryset=queryset, plan=plan, request=request)
        table = ActionTable(filterset.qs if filterset.is_valid() else queryset.none(), plan=plan)
        RequestConfig(request, paginate=False).configure(table)
        name = f"{plan.slug}-actions"
        if fmt == "csv":
            response = HttpResponse(as_csv(table), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        else:
            response = HttpResponse(
                as_xlsx(table, plan.title),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response


class ActionDetailView(RoleRequiredMixin, DetailView):
    permission_required = roles.VIEW
    template_name = "plans/action_detail.html"
    context_object_name = "action"

    def get_object(self, queryset=None):
        action = get_object_or_404(
            Action.objects.with_grid()
            .select_related("plan", "carried_from__plan")
            .prefetch_related("statuses__set_by__lead", "plan__status_terms"),
            plan__in=Plan.objects.visible_to(self.request.user),
            plan__slug=self.kwargs["slug"],
            pk=self.kwargs["pk"],
        )
        self.require_role_in(action.plan)
        return action

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.object
        context["history"] = action_history(
            action.changes.select_related("action", "changed_by__lead"), action.plan.status_word
        )
        context["progress_history"] = progress_history(
            action.measure.changes.select_related("measure", "changed_by__lead")
        )
        context["requests"] = action.change_requests.select_related("requested_by", "decided_by")
        context["carried_into"] = Action.objects.select_related("plan").filter(carried_from=action).first()
        context["update"] = self.update_link()
        context["recommendations"] = list(
            Recommendation.objects.tracked(self.object.plan.organisation_id).filter(links__action=self.object)
        )
        if context["recommendations"]:
            month = current_month(self.object.plan)
            context["tracker_url"] = reverse(
                "reports:recommendations", kwargs={"slug": self.object.plan.slug, "month": str(month)}
            )
        return context

    def update_link(self) -> tuple[str, Month] | None:
        """Where to update the action for the month being reported, in one step: for the
        performance team the action's own update page, for its lead their month page; nothing
        when the month is published or the action is not reported in it."""
        user, action = self.request.user, self.object
        position = calendar_positions([action.plan])[action.plan.pk]
        month = position.month
        if month is None or position.closed:
            return None
        if not Action.objects.filter(pk=action.pk).live_or_recorded_in(month).exists():
            return None
        if user.has_perm(roles.UPDATE_ANY, action.plan):
            return reverse(
                "plans:action-month", kwargs={"slug": action.plan.slug, "pk": action.pk, "month": str(month)}
            ), month
        if user.has_perm(roles.UPDATE_OWN, action.plan) and action.leads.filter(user=user).exists():
            url = reverse("plans:my-month", kwargs={"slug": action.plan.slug, "month": str(month)})
            return f"{url}#action-{action.pk}", month
        return None


class StartView(RoleRequiredMixin, View):
    """The menu's "My actions": an officer who leads actions goes to their month's updates,
    everyone else to the home page. (A login lands on the home page itself.)"""

    permission_required = roles.VIEW

    def get(self, request, *args, **kwargs):
        user = request.user
        if user.has_perm(roles.UPDATE_OWN) and not user.has_perm(roles.UPDATE_ANY):
            leads = Q(actions__leads__user=user) | Q(indicators__lead__user=user)
            plan = Plan.objects.visible_to(user).filter(leads).distinct().first()
            if plan is not None:
                return redirect("plans:my-month", slug=plan.slug, month=str(current_month(plan)))
        return redirect("home")


class MonthPageMixin(PlanMonthMixin):
    """The month pages of the plan: the plan and month, and the months either side."""

    def dispatch(self, request, *args, **kwargs):
        # After the permission checks (the mixins before this one): a month the plan does not
        # report on (August at Rotherham, which reports every two months) takes no updates.
        if self.month not in self.plan.reporting_month_list:
            raise Http404(f"{self.plan.title} does not report on {self.month.name}.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(plan=self.plan, month=self.month)
        # Only the months the plan reports on (every second month at Rotherham).
        months = self.plan.reporting_month_list
        earlier = [m for m in months if m < self.month]
        later = [m for m in months if m > self.month]
        context["previous_month"] = earlier[-1] if earlier else None
        context["next_month"] = later[0] if later else None
        return context


@dataclass
class MonthRow:
    """One action on the monthly update page: its form, or why it has none."""

    action: Action
    form: ActionMonthForm | None
    this_month: MonthlyStatus | None
    last_month: MonthlyStatus | None
    suggestion: str  # "Suggested from the dates: Due July 2009: one month behind → Amber"
    pending: ChangeRequest | None

    @property
    def original(self) -> str:
        month = to_month(self.action.original_target)
        return month.name if month else ""

    @property
    def revised(self) -> str:
        month = to_month(self.action.revised_target)
        return month.name if month else ""

    @property
    def more_open(self) -> bool:
        """The "More" fields are shown open, after a refused save, when one of them has an error or
        holds what was typed there: nothing typed is hidden from the person correcting the form."""
        form = self.form
        if not (form and form.is_bound):
            return False
        more = ("revised_target", "completed", "note")
        return any(name in form.errors or name in form.changed_data for name in more)


@dataclass
class IndicatorRow:
    """An indicator the page's lead leads, collected in the month: its figures and its form."""

    figures: IndicatorFigures
    form: IndicatorActualForm


@dataclass
class MeasureBlock:
    """A measure on the monthly update page: its actions' rows, then its progress update."""

    measure: Measure
    rows: list[MonthRow]
    form: MeasureProgressForm
    progress: MeasureProgress | None

    @property
    def progress_by(self) -> str:
        return display_name(self.progress.updated_by) if self.progress else ""


class MyMonthView(RoleRequiredMixin, MonthPageMixin, TemplateView):
    """Every action the officer leads that is live in the month, updated in one form and one save."""

    permission_required = roles.UPDATE_OWN
    template_name = "plans/my_month.html"
    lead: Lead | None = None  # the lead whose actions these are, when not the user's own
    single: Action | None = None  # the one action of the page, when it is one action's

    @property
    def plan_queryset(self):
        # Read with the plan, rather than a query each: whether the month is closed, and whether
        # the plan has indicators at all (most officers lead none, and theirs are read only then).
        month = self.kwargs["month"]
        return Plan.objects.annotate(
            month_closed=Exists(
                MonthClose.objects.closed().filter(plan=OuterRef("pk"), month=month.first_day)
            ),
            has_indicators=Exists(Indicator.objects.filter(plan=OuterRef("pk"))),
        )

    def plan_found(self, plan: Plan) -> None:
        with_words([plan])

    def actions(self) -> list[Action]:
        actions = (
            Action.objects.filter(plan=self.plan)
            .filter(self.whose())
            .distinct()
            .in_plan_order()
            .on_month_page(self.month, self.previous_period)
        )
        for action in actions:
            action.plan = self.plan  # links name the plan: no query per row
        return actions

    def whose(self) -> Q:
        return Q(leads__user=self.request.user)

    def whose_indicators(self) -> Q:
        return Q(lead__user=self.request.user)

    def heading(self) -> str:
        return f"My actions for {self.month.name}"

    def build_indicators(self, data=None) -> list[IndicatorRow]:
        """The indicators of this lead collected in the month, each with its actual's form (the
        figures read in a fixed number of queries, ``plans.selectors.indicator_figures``)."""
        if not self.plan.has_indicators:
            return []
        mine = Indicator.objects.filter(plan=self.plan).filter(self.whose_indicators())
        rows = []
        for figures in indicator_figures(self.plan, self.month, mine):
            form = IndicatorActualForm(data, figures=figures)
            if data is None and self.closed:
                for field in form.fields.values():
                    field.disabled = True
            rows.append(IndicatorRow(figures, form))
        return rows

    def month_url(self, month: Month) -> str:
        return reverse("plans:my-month", kwargs={"slug": self.plan.slug, "month": str(month)})

    @property
    def closed(self) -> bool:
        return self.plan.month_closed

    @cached_property
    def previous_period(self) -> Month:
        """The reporting month before this one: the month before, or two before at Rotherham."""
        earlier = [m for m in self.plan.reporting_month_list if m < self.month]
        return earlier[-1] if earlier else self.month - 1

    def build_rows(self, data=None) -> list[MonthRow]:
        rows = []
        for action in self.actions():
            record = action.status_for(self.month)
            # The month of an approval holds the approver's status; later months the lead reports.
            approved = (
                record is not None
                and record.status in NEEDS_APPROVAL
                and any(request.month == record.month for request in action.approved())
            )
            form = (
                None if approved else ActionMonthForm(data, action=action, plan=self.plan, month=self.month)
            )
            if form is not None and data is None and self.closed:
                # Shown for reading only; a POST keeps what was typed, beside the refusal.
                for field in form.fields.values():
                    field.disabled = True
            rows.append(
                MonthRow(
                    action=action,
                    form=form,
                    this_month=record,
                    last_month=action.status_for(self.previous_period),
                    suggestion="Suggested from the dates: "
                    + action.suggestion(self.month).explained(self.plan.status_word),
                    pending=next(iter(action.pending_requests), None),
                )
            )
        return rows

    def build_measures(self, rows: list[MonthRow], data=None) -> list[MeasureBlock]:
        """The rows grouped by measure, in the order the measures first come, each with its
        progress update form for the month (one query for the month's updates)."""
        blocks: dict[int, list[MonthRow]] = {}
        for row in rows:
            blocks.setdefault(row.action.measure_id, []).append(row)
        progress = {
            update.measure_id: update
            for update in MeasureProgress.objects.filter(
                measure_id__in=blocks, month=self.month.first_day
            ).select_related("updated_by__lead")
        }
        measures = []
        for measure_id, measure_rows in blocks.items():
            measure = measure_rows[0].action.measure
            form = MeasureProgressForm(
                data, measure=measure, month=self.month, progress=progress.get(measure_id)
            )
            if data is None and self.closed:
                form.fields["text"].disabled = True
            measures.append(MeasureBlock(measure, measure_rows, form, progress.get(measure_id)))
        return measures

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = kwargs.get("rows") or self.build_rows()
        measures = kwargs.get("measures") or self.build_measures(rows)
        indicators = kwargs["indicators"] if "indicators" in kwargs else self.build_indicators()
        context["rows"] = rows
        context["measures"] = measures
        context["indicators"] = indicators
        context["heading"] = self.heading()
        context["lead"] = self.lead
        context["single"] = self.single
        context["closed"] = self.closed
        for name in ("previous_month", "next_month"):
            if context[name]:
                context[f"month_url_{name.split('_')[0]}"] = self.month_url(context[name])
        # Every measure shown takes a progress update, even when its actions' rows are approvals.
        context["editable"] = bool(measures or indicators) and not context["closed"]
        context["errors"] = kwargs.get("errors") or error_summary(measures, indicators)
        return context

    def post(self, request, *args, **kwargs):
        data = request.POST.copy()
        rows = self.build_rows(data)
        measures = self.build_measures(rows, data)
        indicators = self.build_indicators(data)
        forms_by_pk = {row.action.pk: row.form for row in rows if row.form}
        progress_by_pk = {block.measure.pk: block.form for block in measures}
        actuals_by_pk = {row.figures.indicator_id: row.form for row in indicators}
        try:
            submitted = {int(value) for value in data.getlist("action")}
            submitted_measures = {int(value) for value in data.getlist("measure")}
            submitted_indicators = {int(value) for value in data.getlist("indicator")}
        except ValueError:
            raise PermissionDenied("Not an action of yours.") from None
        if not submitted <= set(forms_by_pk):
            # A tampered form: an action this person does not lead, or not live this month.
            raise PermissionDenied("You may only update the actions you lead that are live this month.")
        if not submitted_measures <= set(progress_by_pk):
            raise PermissionDenied("You may only write the progress update of a measure of your actions.")
        if not submitted_indicators <= set(actuals_by_pk):
            raise PermissionDenied("You may only enter the actuals of the indicators you lead.")
        forms = [forms_by_pk[pk] for pk in sorted(submitted)]
        progress_forms = [progress_by_pk[pk] for pk in sorted(submitted_measures)]
        actual_forms = [actuals_by_pk[pk] for pk in sorted(submitted_indicators)]
        context = {"rows": rows, "measures": measures, "indicators": indicators}
        if self.closed:
            errors = [
                ("#main", f"{self.month.name} is closed: its report is published and takes no more updates.")
            ]
            return self.render_to_response(self.get_context_data(**context, errors=errors))
        if not all([form.is_valid() for form in [*forms, *progress_forms, *actual_forms]]):
            return self.render_to_response(self.get_context_data(**context))
        updates = [form.as_update() for form in forms if form.needs_saving()]
        progress = [form for form in progress_forms if form.needs_saving()]
        actuals = [form for form in actual_forms if form.needs_saving()]
        try:
            # One save: the actions, progress updates and indicators' actuals are written together
            # or not at all.
            with transaction.atomic():
                saved = services.update_month(
                    user=request.user, plan=self.plan, month=self.month, updates=updates, source="my-month"
                )
                if actuals:
                    models = Indicator.objects.in_bulk([form.figures.indicator_id for form in actuals])
                    services.set_actuals(
                        user=request.user,
                        plan=self.plan,
                        writes=[form.as_write(models[form.figures.indicator_id]) for form in actuals],
                        source="my-month",
                    )
                for form in progress:
                    services.update_measure_progress(
                        user=request.user,
                        plan=self.plan,
                        month=self.month,
                        measure=form.measure,
                        text=form.cleaned_data["text"],
                        read=form.cleaned_data["read"],
                        source="my-month",
                    )
        except services.MonthClosedError as error:
            return self.render_to_response(self.get_context_data(**context, errors=[("#main", str(error))]))
        except services.StaleUpdateError as error:
            errors = []
            for conflict in error.conflicts:
                # The save is refused; the form keeps what was typed and now carries the current
                # version, so saving again (after reading their values) is a deliberate overwrite.
                data[f"a{conflict.action.pk}-version"] = str(conflict.action.version)
                errors.append((f"#action-{conflict.action.pk}", conflict_message(conflict)))
            return self.render_to_response(self.get_context_data(**self.rebuilt(data), errors=errors))
        except services.StaleProgressError as error:
            # As for an action: refused, what was typed kept, and saving again overwrites theirs.
            current = error.current.new_text if error.current else ""
            data[f"m{error.measure.pk}-read"] = current
            context = self.rebuilt(data)
            for block in context["measures"]:
                if block.measure.pk == error.measure.pk:
                    block.form.add_error("text", progress_conflict_message(error))
            return self.render_to_response(self.get_context_data(**context))
        except services.StaleActualError as error:
            # As for an action: refused, what was typed kept, and saving again overwrites theirs.
            prefix = f"i{error.indicator.pk}-"
            data[prefix + "read_value"], data[prefix + "read_note"] = actual_now(error)
            context = self.rebuilt(data)
            for row in context["indicators"]:
                if row.figures.indicator_id == error.indicator.pk:
                    row.form.add_error("value", actual_conflict_message(error))
            return self.render_to_response(self.get_context_data(**context))
        written = [f"{saved} action{'s' if saved != 1 else ''}"] if saved else []
        if progress:
            written.append(f"{len(progress)} progress update{'s' if len(progress) != 1 else ''}")
        if actuals:
            written.append(f"{len(actuals)} indicator actual{'s' if len(actuals) != 1 else ''}")
        # The GOV.UK confirmation panel at the top of the page, which takes the focus (and the
        # address's #confirmation scrolls to it without JavaScript), not the place of the button.
        if written:
            messages.success(
                request, f"Saved {' and '.join(written)} for {self.month.name}.", extra_tags="panel"
            )
        else:
            messages.info(
                request, f"Nothing to save: no value for {self.month.name} was changed.", extra_tags="panel"
            )
        return HttpResponseRedirect(f"{request.path}#confirmation")

    def rebuilt(self, data) -> dict:
        """The page's forms bound again to ``data`` (changed by a refused save), validated."""
        rows = self.build_rows(data)
        measures = self.build_measures(rows, data)
        indicators = self.build_indicators(data)
        forms = [row.form for row in rows if row.form] + [block.form for block in measures]
        for form in forms + [row.form for row in indicators]:
            form.is_valid()
        return {"rows": rows, "measures": measures, "indicators": indicators}


class LeadMonthView(MyMonthView):
    """The same monthly update, for the performance team, of the actions one lead leads (the
    role table: the performance team may update any action)."""

    permission_required = roles.UPDATE_ANY

    @cached_property
    def lead(self) -> Lead:
        return get_object_or_404(Lead, organisation=self.plan.organisation_id, pk=self.kwargs["lead"])

    def whose(self) -> Q:
        return Q(leads=self.lead)

    def whose_indicators(self) -> Q:
        return Q(lead=self.lead)

    def heading(self) -> str:
        return f"Actions of {self.lead} for {self.month.name}"

    def month_url(self, month: Month) -> str:
        return reverse(
            "plans:lead-month", kwargs={"slug": self.plan.slug, "lead": self.lead.pk, "month": str(month)}
        )


class ActionMonthView(MyMonthView):
    """One action's update for a month, for the performance team, from the action's page ("Update"):
    any lead's action in one step, and nothing else of that lead's written by the save."""

    permission_required = roles.UPDATE_ANY

    @cached_property
    def single(self) -> Action:
        return get_object_or_404(Action, plan=self.plan, pk=self.kwargs["pk"])

    def whose(self) -> Q:
        return Q(pk=self.single.pk)

    def heading(self) -> str:
        return f"Update {self.single.ref or 'the action'} for {self.month.name}"

    def month_url(self, month: Month) -> str:
        return reverse(
            "plans:action-month", kwargs={"slug": self.plan.slug, "pk": self.single.pk, "month": str(month)}
        )


def conflict_message(conflict: services.Conflict) -> str:
    who = display_name(conflict.changed_by) if conflict.changed_by else "someone else"
    when = timezone.localtime(conflict.changed_at).strftime("%H:%M") if conflict.changed_at else ""
    ref = conflict.action.ref or "An action"
    text = f"{ref} was changed by {who}{' at ' + when if when else ''} while you were editing, so it was not saved."
    if conflict.status is not None:
        text += f" Their status: {conflict.status.get_status_display()}"
        if conflict.status.corrective_action:
            text += f"; corrective action: \u201c{conflict.status.corrective_action}\u201d"
        text += "."
    return text + " Your values are kept below: check them and save again."


def progress_conflict_message(error: services.StaleProgressError) -> str:
    change = error.current
    who = display_name(change.changed_by) if change and change.changed_by else "someone else"
    when = timezone.localtime(change.changed_at).strftime("%H:%M") if change else ""
    text = f"{error.measure.ref}'s progress update was changed by {who}{' at ' + when if when else ''} while you were editing, so it was not saved."
    if change and change.new_text:
        text += f" Theirs: \u201c{change.new_text}\u201d."
    return text + " Yours is kept below: check it and save again."


def actual_now(error: services.StaleActualError) -> tuple[str, str]:
    """The indicator's actual and note as the colleague left them, as the form's read values."""
    stored = IndicatorActual.objects.filter(indicator=error.indicator, month=error.month.first_day).first()
    if stored is None:
        return "", ""
    return number_text(stored.value).replace(",", ""), stored.note


def actual_conflict_message(error: services.StaleActualError) -> str:
    change = error.current
    who = change.changed_by.get_username() if change and change.changed_by else "someone else"
    when = timezone.localtime(change.changed_at).strftime("%H:%M") if change else ""
    value, note = actual_now(error)
    theirs = f" Theirs: {value_text(Decimal(value), error.indicator.unit)}" if value else " They removed it"
    theirs += f", note “{note}”." if note else "."
    return (
        f"{error.indicator.code}'s actual for {error.month.name} was changed by {who}"
        f"{' at ' + when if when else ''} while you were editing, so it was not saved.{theirs}"
        " Yours is kept below: check it and save again."
    )


def error_summary(measures: list[MeasureBlock], indicators: list[IndicatorRow] = ()) -> list[tuple[str, str]]:
    """(link, message) for every error in the forms, in page order, for the summary at the top."""
    errors = []
    for block in measures:
        errors += _row_errors(block.rows)
        form = block.form
        if form.is_bound:
            field = form["text"]
            errors += [(f"#{field.auto_id}", f"{field.label}: {message}") for message in field.errors]
    for row in indicators:
        if row.form.is_bound:
            for name in ("value", "note"):
                field = row.form[name]
                label = f"{row.figures.code}, {field.label[0].lower()}{field.label[1:]}"
                errors += [(f"#{field.auto_id}", f"{label}: {message}") for message in field.errors]
    return errors


def _row_errors(rows: list[MonthRow]) -> list[tuple[str, str]]:
    errors = []
    for row in rows:
        form = row.form
        if form is None or not form.is_bound or not form.errors:
            continue
        label = row.action.ref or row.action.description[:40]
        for name, messages_ in form.errors.items():
            field = form[name] if name in form.fields else None
            anchor = (
                f"#{field.auto_id}_0"
                if name == "status"
                else (f"#{field.auto_id}" if field else f"#action-{row.action.pk}")
            )
            for message in messages_:
                prefix = (
                    f"{label}, {field.label.lower() if name != 'status' else 'status'}" if field else label
                )
                errors.append((anchor, f"{prefix}: {message}"))
    return errors


class RequestChangeView(RoleRequiredMixin, MonthPageMixin, TemplateView):
    """An officer asks for a re-programme or a suspension of an action they lead, from a month."""

    permission_required = roles.REQUEST_CHANGE
    template_name = "plans/request_change.html"

    @cached_property
    def action(self) -> Action:
        action = get_object_or_404(
            Action.objects.select_related("measure__priority"), plan=self.plan, pk=self.kwargs["pk"]
        )
        action.plan = self.plan
        return action

    def has_permission(self):
        user = self.request.user
        if not super().has_permission():
            return False
        return user.has_perm(roles.UPDATE_ANY, self.plan) or self.action.leads.filter(user=user).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or ChangeRequestForm(action=self.action, plan=self.plan, month=self.month)
        context.update(action=self.action, form=form, errors=form_errors(form))
        context["pending"] = self.action.change_requests.filter(state=ChangeRequest.State.PENDING).first()
        return context

    def post(self, request, *args, **kwargs):
        form = ChangeRequestForm(request.POST, action=self.action, plan=self.plan, month=self.month)
        if form.is_valid():
            try:
                change = services.request_change(
                    user=request.user,
                    action=self.action,
                    kind=form.cleaned_data["kind"],
                    month=self.month,
                    reason=form.cleaned_data["reason"].strip(),
                    new_target=form.cleaned_data.get("new_target"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            except services.MonthClosedError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"{change.get_kind_display()} of {self.action.ref} requested: it counts by its dates until approved.",
                )
                return redirect("plans:my-month", slug=self.plan.slug, month=str(self.month))
        return self.render_to_response(self.get_context_data(form=form))


def show_refusal(form, error: ValidationError) -> None:
    """A service's refusal beside the field it names, else at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


def form_errors(form) -> list[tuple[str, str]]:
    """(link, message) for a single form's error summary: each message as beside its field (the
    forms' messages name what is wrong, GOV.UK's pattern), linked to the field."""
    if not form.is_bound:
        return []
    errors = []
    for name, messages_ in form.errors.items():
        if name == "__all__":
            errors += [("#main", message) for message in messages_]
            continue
        field = form[name]
        radio = isinstance(field.field.widget, forms.RadioSelect)
        anchor = f"#{field.auto_id}_0" if radio else f"#{field.auto_id}"
        errors += [(anchor, message) for message in messages_]
    return errors


class ApprovalsView(RoleRequiredMixin, TemplateView):
    """The performance team and CMT approve or reject re-programmes and suspensions."""

    permission_required = roles.APPROVE_CHANGE
    template_name = "plans/approvals.html"

    @cached_property
    def plan(self) -> Plan:
        return self.plan_or_404(self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        requests = list(
            ChangeRequest.objects.filter(action__plan=self.plan)
            .select_related("action__measure__priority", "requested_by__lead", "decided_by__lead")
            .prefetch_related("action__leads")
            .order_by("requested_at", "id")
        )
        bound = kwargs.get("bound")  # (request pk, bound form) after a refused decision
        # A request still waiting when its month was closed can no longer be approved (the month
        # is published with the action counted by its dates): it is listed apart, to be rejected.
        closed = MonthClose.objects.closed_months(self.plan)
        pending, month_closed = [], []
        for change in requests:
            change.action.plan = self.plan
            if change.state == ChangeRequest.State.PENDING:
                form = bound[1] if bound and bound[0] == change.pk else DecisionForm(prefix=f"r{change.pk}")
                (month_closed if change.as_month in closed else pending).append((change, form))
        context.update(
            plan=self.plan,
            pending=pending,
            month_closed=month_closed,
            decided=[c for c in reversed(requests) if c.state != ChangeRequest.State.PENDING],
            errors=form_errors(bound[1]) if bound else [],
        )
        return context


class DecideView(ApprovalsView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        change = get_object_or_404(ChangeRequest, action__plan=self.plan, pk=kwargs["pk"])
        form = DecisionForm(request.POST, prefix=f"r{change.pk}")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bound=(change.pk, form)))
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.decide_request(
                user=request.user,
                request=change,
                approve=approve,
                comment=form.cleaned_data["comment"].strip(),
            )
        except (ValidationError, services.MonthClosedError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            messages.error(request, f"{change.action.ref}: {message}")
        else:
            verb = "approved" if approve else "rejected"
            messages.success(request, f"{change.get_kind_display()} of {change.action.ref} {verb}.")
        return redirect("plans:approvals", slug=self.plan.slug)


class ChaseView(RoleRequiredMixin, MonthPageMixin, TemplateView):
    """For the performance team: the month's actions still without a status, by lead, when each
    lead was last reminded, and a button that emails each lead their list."""

    permission_required = roles.CHASE
    template_name = "plans/chase.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = services.outstanding_by_lead(plan=self.plan, month=self.month)
        context["groups"] = groups
        context["outstanding"] = len({a.pk for group in groups for a in group.actions})
        context["closed"] = MonthClose.objects.is_closed(self.plan, self.month)
        context["deadline"] = self.plan.update_deadline(self.month)
        context["reminder_date"] = self.plan.reminder_date(self.month)
        last = {}
        for reminder in Reminder.objects.filter(plan=self.plan, month=self.month.first_day):
            last.setdefault(reminder.lead_id, reminder)  # newest first
        context["reminded"] = [(group, last.get(group.lead.pk) if group.lead else None) for group in groups]
        return context

    def post(self, request, *args, **kwargs):
        if MonthClose.objects.is_closed(self.plan, self.month):
            messages.error(
                request, f"{self.month.name} is closed: its report is published, so nobody is reminded."
            )
            return HttpResponseRedirect(request.path)
        link = request.build_absolute_uri(
            reverse("plans:my-month", kwargs={"slug": self.plan.slug, "month": str(self.month)})
        )
        run = notifications.send_chase_reminders(
            plan=self.plan, month=self.month, link=link, user=request.user
        )
        if run.sent:
            names = ", ".join(lead.initials for lead in run.sent)
            messages.success(
                request, f"Reminders sent to {notifications.plural(len(run.sent), 'lead')}: {names}."
            )
        elif not run.failed:
            messages.info(
                request, "No reminder was sent: no lead with an email address has an action outstanding."
            )
        if run.failed:
            names = ", ".join(lead.initials for lead in run.failed)
            messages.error(
                request, f"The email to {names} could not be sent: try again later, or chase them yourself."
            )
        if run.unreachable:
            names = ", ".join(lead.initials for lead in run.unreachable)
            messages.error(
                request,
                format_html(
                    'No email address for {}: <a href="{}">add one on the leads\' email addresses page</a>, '
                    "or chase them yourself.",
                    names,
                    f"{reverse('plans:leads')}?{urlencode({'next': request.path})}",
                ),
            )
        return HttpResponseRedirect(request.path)
