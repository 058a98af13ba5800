"""Who may see what: the permission mixin every view uses, and the plan and month of a URL.

Each view names its permission (``plans.roles``). The check runs in two steps (roles are held per
organisation, ``plans.backends``):

1. before anything is looked up, the user must hold the permission in some organisation, else 403
   (anonymous: the login page) -- so nobody learns which plans exist;
2. the plan of the URL is looked up among the plans of the user's organisations
   (``Plan.objects.visible_to``): another organisation's plan is 404, exactly like one that does
   not exist; then the user's role in THAT plan's organisation must hold the permission, else 403.

``RoleRequiredMixin.plan_or_404`` and ``PlanMonthMixin`` do both; anything looked up by its id
in a view (an action, a lead, a request, a risk) is looked up within the plan or organisation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.context_processors import PermLookupDict, PermWrapper
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from plans.models import Organisation, Plan
from plans.periods import Month


def plan_or_404(user, slug: str, queryset: QuerySet | None = None, *, perms: Iterable[str] = ()) -> Plan:
    """The plan a URL names, if ``user`` may know it exists (else 404), and if their role in its
    organisation holds ``perms`` (else 403)."""
    plans = Plan.objects.all() if queryset is None else queryset
    plan = get_object_or_404(plans.visible_to(user).select_related("organisation"), slug=slug)
    require_role_in(user, plan, perms)
    return plan


def require_role_in(user, obj, perms: Iterable[str]) -> None:
    """403 unless the user's role in ``obj``'s organisation holds every one of ``perms``."""
    if perms and not user.has_perms(list(perms), obj):
        raise PermissionDenied


def plan_month_or_404(
    user, slug: str, month: Month, queryset: QuerySet | None = None, *, perms: Iterable[str] = ()
) -> tuple[Plan, Month]:
    """The plan and month a URL names (the ``month`` converter has read ``YYYY-MM``); a month
    outside the plan's year is not found."""
    plan = plan_or_404(user, slug, queryset, perms=perms)
    if not plan.contains(month):
        raise Http404(f"{month.name} is not in {plan.title}.")
    return plan, month


def organisations_where(user, perm: str) -> QuerySet:
    """The organisations where ``user``'s role holds ``perm`` (every one for a site administrator)."""
    organisations = Organisation.objects.of(user)
    if user.is_superuser:
        return organisations
    app_label, codename = perm.split(".", 1)
    return organisations.filter(
        memberships__user=user,
        memberships__role__permissions__codename=codename,
        memberships__role__permissions__content_type__app_label=app_label,
    )


def organisation_ids_where(user, perm: str) -> set[int] | None:
    """The ids of ``organisations_where`` from the roles the request has read already (no query
    of its own); None for a site administrator, who holds ``perm`` in every organisation."""
    from plans.backends import OrganisationBackend

    if user.is_superuser:
        return None
    by_organisation = OrganisationBackend().permissions_by_organisation(user)
    return {organisation for organisation, perms in by_organisation.items() if perm in perms}


class OrganisationPermWrapper(PermWrapper):
    """``perms`` in a page of one plan: ``perms.plans.approve_change`` is the role the person holds
    in the plan's organisation, so no link leads to a page their role there refuses."""

    def __init__(self, user, obj):
        super().__init__(user)
        self.obj = obj

    def __getitem__(self, app_label):
        return OrganisationPermLookup(self.user, app_label, self.obj)

    def __contains__(self, perm_name):
        if "." not in perm_name:
            return bool(self[perm_name])
        app_label, perm_name = perm_name.split(".", 1)
        return self[app_label][perm_name]


class OrganisationPermLookup(PermLookupDict):
    def __init__(self, user, app_label, obj):
        super().__init__(user, app_label)
        self.obj = obj

    def __getitem__(self, perm_name):
        return self.user.has_perm(f"{self.app_label}.{perm_name}", self.obj)


class RoleRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous users go to the login page; a logged-in user without the permission gets 403.
    A page of one plan (``plan`` in its context) answers ``perms`` for the plan's organisation."""

    raise_exception = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = context.get("plan")
        if isinstance(plan, Plan):
            context["perms"] = OrganisationPermWrapper(self.request.user, plan)
        return context

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()

    def plan_or_404(self, slug: str, queryset: QuerySet | None = None) -> Plan:
        """The URL's plan, for this view's permission in its organisation."""
        return plan_or_404(self.request.user, slug, queryset, perms=self.get_permission_required())

    def require_role_in(self, obj) -> None:
        require_role_in(self.request.user, obj, self.get_permission_required())


class PlanMonthMixin:
    """A view of one month of one plan (``slug`` and ``month`` in the URL), through
    ``plan_month_or_404``, for the view's permission in the plan's organisation. Looked up when
    first used, after the permission checks."""

    plan_queryset: QuerySet | None = None

    @cached_property
    def plan_and_month(self) -> tuple[Plan, Month]:
        plan, month = plan_month_or_404(
            self.request.user,
            self.kwargs["slug"],
            self.kwargs["month"],
            self.plan_queryset,
            perms=self.get_permission_required(),
        )
        self.plan_found(plan)
        return plan, month

    def plan_found(self, plan: Plan) -> None:
        """What a view reads with the plan once it may see it."""

    @property
    def plan(self) -> Plan:
        return self.plan_and_month[0]

    @property
    def month(self) -> Month:
        return self.plan_and_month[1]
