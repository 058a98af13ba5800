"""The inspection recommendations tracker page (``reports.recommendations``): every role that
reads reports may open it; the PDF is ``reports.views_pdf.RecommendationsPDFView``."""

from __future__ import annotations

from django.shortcuts import redirect
from django.views.generic import TemplateView, View

from plans import roles
from plans.models import Plan
from plans.permissions import PlanMonthMixin, RoleRequiredMixin
from plans.selectors import current_month
from reports.recommendations import build_tracker


class RecommendationsView(RoleRequiredMixin, PlanMonthMixin, TemplateView):
    permission_required = roles.VIEW
    template_name = "reports/recommendations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = self.plan.reporting_month_list
        earlier = [m for m in months if m < self.month]
        later = [m for m in months if m > self.month]
        context.update(
            tracker=build_tracker(self.plan, self.month),
            before=earlier[-1] if earlier else None,
            after=later[0] if later else None,
        )
        return context


class CurrentRecommendationsView(RoleRequiredMixin, View):
    """The menu's link: the tracker of the latest plan's current month."""

    permission_required = roles.VIEW

    def get(self, request, *args, **kwargs):
        plan = Plan.objects.visible_to(request.user).first()  # plans are ordered latest first
        if plan is None:
            return redirect("home")
        return redirect("reports:recommendations", slug=plan.slug, month=str(current_month(plan)))
