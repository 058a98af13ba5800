"""Who may see what: the permission mixin every view uses, and the plan and month of a URL.

Each view names its permission (``plans.roles``); a plan or month that does not exist is 404, looked
up only after the login and permission checks, so an anonymous visitor learns nothing of which
plans exist.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from plans.models import Plan
from plans.periods import Month


class RoleRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous users go to the login page; a logged-in user without the permission gets 403."""

    raise_exception = False

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()


def plan_or_404(slug: str, queryset: QuerySet | None = None) -> Plan:
    plans = Plan.objects.all() if queryset is None else queryset
    return get_object_or_404(plans.select_related("organisation"), slug=slug)


def plan_month_or_404(slug: str, month: Month, queryset: QuerySet | None = None) -> tuple[Plan, Month]:
    """The plan and month a URL names (the ``month`` converter has read ``YYYY-MM``); a month
    outside the plan's year is not found."""
    plan = plan_or_404(slug, queryset)
    if not plan.contains(month):
        raise Http404(f"{month.name} is not in {plan.title}.")
    return plan, month


class PlanMonthMixin:
    """A view of one month of one plan (``slug`` and ``month`` in the URL), through
    ``plan_month_or_404``. Looked up when first used, after the permission checks."""

    plan_queryset: QuerySet | None = None

    @cached_property
    def plan_and_month(self) -> tuple[Plan, Month]:
        return plan_month_or_404(self.kwargs["slug"], self.kwargs["month"], self.plan_queryset)

    @property
    def plan(self) -> Plan:
        return self.plan_and_month[0]

    @property
    def month(self) -> Month:
        return self.plan_and_month[1]
