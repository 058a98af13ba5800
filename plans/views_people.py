"""Organisations and their people, without the Django admin.

A site administrator creates organisations and each one's first performance-team member; the
performance team (``plans.manage_people``) lists, adds, re-roles and removes its own people. An
organisation the person holds no role in is "not found" (404), like a plan of another council;
one where their role does not manage people is 403 (``plans.permissions``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from plans import people, roles
from plans.forms_people import AddPersonForm, OrganisationForm, RoleForm
from plans.models import Membership, Organisation
from plans.permissions import RoleRequiredMixin, organisations_where
from plans.views import form_errors, show_refusal


class OrganisationsView(RoleRequiredMixin, TemplateView):
    """The organisations whose people this person manages (a site administrator: every one, and
    the button to create one). With exactly one, straight to its people."""

    permission_required = roles.MANAGE_PEOPLE
    template_name = "plans/people/organisations.html"

    def get(self, request, *args, **kwargs):
        organisations = list(organisations_where(request.user, roles.MANAGE_PEOPLE))
        if len(organisations) == 1 and not request.user.is_superuser:
            return redirect("people:people", organisation=organisations[0].slug)
        return self.render_to_response(self.get_context_data(organisations=organisations))


class OrganisationCreateView(RoleRequiredMixin, FormView):
    """A site administrator creates an organisation and its first performance-team member, who
    is emailed a link to set their password."""

    template_name = "plans/people/organisation_form.html"
    form_class = OrganisationForm

    def has_permission(self):
        return self.request.user.is_superuser

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["errors"] = form_errors(context["form"])
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            membership = people.create_organisation(
                user=self.request.user, name=data["name"], slug=data["slug"],
                full_name=data["full_name"], email=data["email"], username=data["username"],
            )  # fmt: skip
        except ValidationError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        sent = people.send_set_password_email(self.request, membership.user)
        return self.render_to_response(
            {"created": membership, "sent": sent, "view": self, "form": None, "errors": []}
        )


class OrganisationMixin(RoleRequiredMixin):
    """A page of one organisation's people: 404 outside the person's organisations, 403 where
    their role there does not manage people."""

    permission_required = roles.MANAGE_PEOPLE

    @cached_property
    def organisation(self) -> Organisation:
        organisation = get_object_or_404(
            Organisation.objects.of(self.request.user), slug=self.kwargs["organisation"]
        )
        self.require_role_in(organisation)
        return organisation

    @cached_property
    def membership(self) -> Membership:
        return get_object_or_404(
            Membership.objects.select_related("user", "role", "organisation"),
            organisation=self.organisation,
            pk=self.kwargs["pk"],
        )

    def people_url(self) -> str:
        return reverse("people:people", kwargs={"organisation": self.organisation.slug})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisation"] = self.organisation
        form = context.get("form")
        context["errors"] = form_errors(form) if form is not None else []
        return context


class PeopleView(OrganisationMixin, TemplateView):
    template_name = "plans/people/people.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = list(
            Membership.objects.filter(organisation=self.organisation)
            .select_related("user", "role")
            .order_by("user__last_name", "user__first_name", "user__username")
        )
        return context


class AddPersonView(OrganisationMixin, FormView):
    template_name = "plans/people/add.html"
    form_class = AddPersonForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            membership = people.add_person(
                user=self.request.user, organisation=self.organisation, full_name=data["full_name"],
                email=data["email"], username=data["username"], role=data["role"],
            )  # fmt: skip
        except ValidationError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        sent = people.send_set_password_email(self.request, membership.user)
        return self.render_to_response(
            self.get_context_data(form=None, added=membership, sent=sent), status=200
        )


class ChangeRoleView(OrganisationMixin, FormView):
    template_name = "plans/people/role.html"
    form_class = RoleForm

    def get_initial(self):
        return {"role": self.membership.role}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "membership": self.membership}

    def form_valid(self, form):
        try:
            changed = people.change_role(
                user=self.request.user, membership=self.membership, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        name = self.membership.user.get_full_name() or self.membership.user.get_username()
        if changed:
            messages.success(self.request, f"{name} is now {form.cleaned_data['role'].name}.")
        else:
            messages.info(
                self.request, f"Nothing changed: {name} was already {form.cleaned_data['role'].name}."
            )
        return redirect(self.people_url())


class RemovePersonView(OrganisationMixin, TemplateView):
    """Check before removing (GOV.UK "check answers"): GET shows who and what they lose; the
    POST of its button removes them."""

    template_name = "plans/people/remove.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["membership"] = self.membership
        context["leads"] = list(self.organisation.leads.filter(user=self.membership.user))
        return context

    def post(self, request, *args, **kwargs):
        name = self.membership.user.get_full_name() or self.membership.user.get_username()
        try:
            people.remove_person(user=request.user, membership=self.membership)
        except ValidationError as error:
            context = self.get_context_data()
            context["errors"] = [("#main", message) for message in error.messages]
            return self.render_to_response(context, status=400)
        messages.success(request, f"{name} has been removed from {self.organisation}.")
        return redirect(self.people_url())
