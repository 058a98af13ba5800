"""The performance team's pages for notifications: the leads' names and email addresses, and a
plan's deadline for the month's updates and its reminders. Both need ``plans.chase_updates``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, ListView

from plans import notifications, roles
from plans.forms_notifications import LeadContactForm, ReminderSettingsForm
from plans.models import Lead, Organisation, Plan
from plans.permissions import RoleRequiredMixin, organisations_where
from plans.selectors import current_month
from plans.views import show_refusal


def safe_next(request) -> str:
    """The page to go back to (``next``), when it is on this site; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target and url_has_allowed_host_and_scheme(target, {request.get_host()}) else ""


def field_errors(form) -> list[tuple[str, str]]:
    """(link, message) for the error summary: each field's error, linked to the field."""
    return [(f"#{form[name].auto_id}", message) for name in form.errors for message in form.errors[name]]


class LeadListView(RoleRequiredMixin, ListView):
    """Every lead the plans name, with the name and address their emails use."""

    permission_required = roles.CHASE
    template_name = "plans/notifications/leads.html"
    context_object_name = "leads"

    def get_queryset(self):
        # The leads of the councils where this person chases updates, council by council.
        organisations = organisations_where(self.request.user, roles.CHASE)
        return (
            Lead.objects.filter(organisation__in=organisations)
            .select_related("user", "organisation")
            .annotate(action_count=Count("actions"))
            .order_by("organisation__name", "initials")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["without_address"] = [lead for lead in context["leads"] if not lead.address]
        context["back"] = safe_next(self.request)
        context["organisations"] = list(organisations_where(self.request.user, roles.CHASE))
        return context


class LeadAddView(RoleRequiredMixin, FormView):
    """Add a lead to the organisation (``?organisation=`` when the person keeps several)."""

    permission_required = roles.CHASE
    template_name = "plans/notifications/lead_form.html"
    form_class = LeadContactForm

    @cached_property
    def organisation(self) -> Organisation:
        organisations = organisations_where(self.request.user, roles.CHASE)
        chosen = self.request.GET.get("organisation")
        if chosen:
            return get_object_or_404(organisations, slug=chosen)
        if len(organisations) != 1:
            raise Http404("Choose the organisation the lead belongs to.")
        return organisations[0]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisation": self.organisation}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            organisation=self.organisation, back=reverse("plans:leads"), errors=field_errors(context["form"])
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            lead = notifications.add_lead(
                user=self.request.user, organisation=self.organisation, initials=data["initials"],
                name=data["name"], email=data["email"], login=data["user"],
            )  # fmt: skip
        except ValidationError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Added the lead {lead.initials}.")
        return redirect("plans:leads")


class LeadEditView(RoleRequiredMixin, FormView):
    """Change one lead's name and email address; back to where the change was asked from."""

    permission_required = roles.CHASE
    template_name = "plans/notifications/lead_form.html"
    form_class = LeadContactForm

    @cached_property
    def lead(self) -> Lead:
        lead = get_object_or_404(
            Lead.objects.select_related("user"),
            organisation__in=Organisation.objects.of(self.request.user),
            pk=self.kwargs["pk"],
        )
        self.require_role_in(lead)
        return lead

    def get_form_kwargs(self):
        # A copy: validating the form sets the values on its instance, not on the lead shown.
        return {
            **super().get_form_kwargs(),
            "instance": Lead.objects.get(pk=self.lead.pk),
            "organisation": self.lead.organisation_id,
        }

    def back_url(self) -> str:
        return safe_next(self.request) or reverse("plans:leads")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(lead=self.lead, back=self.back_url(), errors=field_errors(context["form"]))
        return context

    def form_valid(self, form):
        try:
            changed = notifications.update_lead(
                user=self.request.user,
                lead=self.lead,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                initials=form.cleaned_data["initials"],
                login=form.cleaned_data["user"],
            )
        except ValidationError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        lead = Lead.objects.select_related("user").get(pk=self.lead.pk)
        if changed:
            address = lead.address or "no email address"
            messages.success(self.request, f"Saved {lead.initials}: {lead.display_name}, {address}.")
        else:
            messages.info(self.request, f"Nothing changed for {lead.initials}.")
        return redirect(self.back_url())


class ReminderSettingsView(RoleRequiredMixin, FormView):
    """A plan's deadline for each month's updates and how many days before it leads are reminded."""

    permission_required = roles.CHASE
    template_name = "plans/notifications/reminder_settings.html"
    form_class = ReminderSettingsForm

    @cached_property
    def plan(self) -> Plan:
        return self.plan_or_404(self.kwargs["slug"])

    def get_initial(self):
        return {
            "updates_due_day": self.plan.updates_due_day,
            "reminder_days_before": self.plan.reminder_days_before,
        }

    def chase_url(self) -> str:
        return reverse("plans:chase", kwargs={"slug": self.plan.slug, "month": str(current_month(self.plan))})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = current_month(self.plan)
        context.update(
            plan=self.plan,
            month=month,
            deadline=self.plan.update_deadline(month),
            reminder_date=self.plan.reminder_date(month),
            chase_url=self.chase_url(),
            errors=field_errors(context["form"]),
        )
        return context

    def form_valid(self, form):
        changed = notifications.set_reminder_settings(
            user=self.request.user,
            plan=self.plan,
            updates_due_day=form.cleaned_data["updates_due_day"],
            reminder_days_before=form.cleaned_data["reminder_days_before"],
        )
        if changed:
            messages.success(self.request, "The deadline and reminder settings are saved.")
        else:
            messages.info(self.request, "Nothing changed in the deadline and reminder settings.")
        return redirect(self.chase_url())
