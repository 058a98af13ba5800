"""The plan's indicators: the list with its filters (priority, lead, RAG in a month) and an
indicator's page (its figures month by month and its history). Each view names its permission."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from django_tables2 import RequestConfig

from plans import roles
from plans.filters import IndicatorFilter
from plans.models import Indicator, Plan
from plans.permissions import RoleRequiredMixin
from plans.selectors import current_month, indicator_figures
from plans.tables import IndicatorTable


class IndicatorListView(RoleRequiredMixin, TemplateView):
    """Every indicator of the plan with its figures for a month (the current month unless
    chosen), filtered by priority, lead and RAG, as a sortable table."""

    permission_required = roles.VIEW
    template_name = "plans/indicators.html"

    @cached_property
    def plan(self) -> Plan:
        return self.plan_or_404(self.kwargs["slug"], Plan.objects.select_related("previous_plan"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = Indicator.objects.filter(plan=self.plan)
        filterset = IndicatorFilter(
            self.request.GET, queryset, plan=self.plan, month=current_month(self.plan)
        )
        rows = []
        month = None
        if filterset.is_valid():
            month = filterset.chosen_month
            rows = [f for f in indicator_figures(self.plan, month, filterset.qs) if filterset.keeps(f.rag)]
        table = IndicatorTable(rows, plan=self.plan)
        RequestConfig(self.request, paginate=False).configure(table)
        context.update(plan=self.plan, filter=filterset, table=table, month=month, count=len(rows))
        return context


class IndicatorDetailView(RoleRequiredMixin, TemplateView):
    """An indicator: what it measures, its target, actual and RAG each month it is collected, and
    its history in plain English."""

    permission_required = roles.VIEW
    template_name = "plans/indicator_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan_or_404(self.kwargs["slug"], Plan.objects.select_related("previous_plan"))
        indicator = get_object_or_404(Indicator.objects.with_figures(), plan=plan, pk=self.kwargs["pk"])
        months = indicator.reporting_month_list
        context.update(
            plan=plan,
            indicator=indicator,
            months=[
                (month, indicator.target_for(month), indicator.actual_for(month), indicator.rag_in(month))
                for month in months
            ],
            changes=indicator.changes.select_related("changed_by", "indicator"),
            update_month=current_month(plan),
            enter_url=self.enter_url(indicator, current_month(plan)),
        )
        return context

    def enter_url(self, indicator: Indicator, month) -> str | None:
        """Where its actual is entered: the lead's own month page, or the lead's page for the
        performance team; nowhere for anyone else (or an indicator nobody leads)."""
        user, lead = self.request.user, indicator.lead
        if lead is None:
            return None
        anchor = f"#indicator-{indicator.pk}"
        if lead.user_id == user.pk and user.has_perm(roles.UPDATE_OWN, indicator.plan):
            return reverse("plans:my-month", kwargs={"slug": indicator.plan.slug, "month": month}) + anchor
        if user.has_perm(roles.UPDATE_ANY, indicator.plan):
            url = reverse(
                "plans:lead-month", kwargs={"slug": indicator.plan.slug, "lead": lead.pk, "month": month}
            )
            return url + anchor
        return None
