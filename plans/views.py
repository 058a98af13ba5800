"""Pages of the plan. Each view names the permission it needs (``plans.roles``)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from plans import roles
from plans.models import Action, Plan


class RoleRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous users go to the login page; a logged-in user without the permission gets 403."""

    raise_exception = False

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()


class HomeView(RoleRequiredMixin, ListView):
    permission_required = roles.VIEW
    template_name = "plans/home.html"
    context_object_name = "plans"

    def get_queryset(self):
        return Plan.objects.with_previous()


class PlanDetailView(RoleRequiredMixin, DetailView):
    permission_required = roles.VIEW
    template_name = "plans/plan_detail.html"
    context_object_name = "plan"

    def get_queryset(self):
        return Plan.objects.with_previous()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["priorities"] = self.object.priorities.prefetch_related("measures")
        context["actions"] = list(Action.objects.filter(plan=self.object).in_plan_order().with_grid())
        return context


class ActionDetailView(RoleRequiredMixin, DetailView):
    permission_required = roles.VIEW
    template_name = "plans/action_detail.html"
    context_object_name = "action"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Action.objects.with_grid().select_related("plan"),
            plan__slug=self.kwargs["slug"],
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["changes"] = self.object.changes.select_related("changed_by")
        context["requests"] = self.object.change_requests.select_related("requested_by", "decided_by")
        return context
