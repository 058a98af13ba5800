"""Pages of the reports: the month's exception report, its JSON, month close (checked first), the
dashboard and the home page.

Each view names its permission (``plans.roles``); the pages only render objects built by
``reports.exception_report`` and ``reports.dashboard``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import FormView, TemplateView, View

from plans import roles
from plans.models import ChangeRequest, MonthClose, Plan, ReportLayout
from plans.periods import Month
from plans.permissions import PlanMonthMixin, RoleRequiredMixin
from reports import closing, versions
from reports.chart import COMPACT, WIDE, progress_chart, status_charts
from reports.dashboard import dashboard_rows
from reports.documents import build_cover
from reports.exception_report import cached_exception_report, exception_report, report_summary
from reports.forms import ReopenForm, ReportPickerForm
from reports.home import home_page
from reports.progress_report import progress_report


class MonthMixin(RoleRequiredMixin, PlanMonthMixin):
    permission_required = roles.VIEW
    plan_queryset = Plan.objects.with_previous()

    def report_url(self):
        return redirect("reports:month", slug=self.plan.slug, month=self.month)


def _neighbours(plans: list[Plan], plan: Plan, month: Month) -> tuple[tuple, tuple]:
    """The reporting months before and after ``month``, crossing into the previous or next plan
    year at either end: ((slug, month) | None, (slug, month) | None)."""
    months = plan.reporting_month_list
    earlier = [m for m in months if m < month]
    later = [m for m in months if m > month]
    before = (plan.slug, earlier[-1]) if earlier else None
    after = (plan.slug, later[0]) if later else None
    if before is None and plan.previous_plan_id:
        previous = next((p for p in plans if p.pk == plan.previous_plan_id), None)
        if previous and previous.reporting_month_list:
            before = (previous.slug, previous.reporting_month_list[-1])
    if after is None:
        following = next((p for p in plans if p.previous_plan_id == plan.pk), None)
        if following and following.reporting_month_list:
            after = (following.slug, following.reporting_month_list[0])
    return before, after


def is_progress_layout(plan: Plan) -> bool:
    """Rotherham's progress report (``reports.progress_report``) rather than the exception report."""
    return plan.report_layout == ReportLayout.PROGRESS


# Where the page (reports/month.html) takes the kept report: a comment, which no escaped text holds.
REPORT_HERE = mark_safe("<!-- the month's report -->")


class MonthReportView(MonthMixin, TemplateView):
    template_name = "reports/month.html"
    plan_queryset = versions.with_report_versions(Plan.objects.with_previous())

    def get_template_names(self):
        return (
            ["reports/progress_month.html"] if is_progress_layout(self.plan) else super().get_template_names()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if is_progress_layout(self.plan):
            return self.progress_context(context)
        report = cached_exception_report(self.plan, self.month, wrote_at=versions.last_write(self.request))
        plans = list(Plan.objects.visible_to(self.request.user))
        before, after = _neighbours(plans, self.plan, self.month)
        # The report itself, the same for every reader: rendered once for each report kept, as
        # most of the page's time on a plan of hundreds of actions is its exception blocks; kept
        # as the bytes sent (``insert_report``).
        self.report_html = versions.rendering(
            self.plan,
            self.month,
            report,
            "html",
            lambda: self.render_report(report).encode(settings.DEFAULT_CHARSET),
        )
        context.update(
            plan=self.plan,
            report=report,
            report_html=REPORT_HERE,
            before=before,
            after=after,
            picker=ReportPickerForm(plans=plans, initial={"report": f"{self.plan.slug}/{self.month}"}),
            can_close=self.request.user.has_perm(roles.CLOSE_MONTH),
        )
        return context

    def render_report(self, report) -> str:
        """reports/partials/report.html, the same for every reader."""
        return render_to_string(
            "reports/partials/report.html",
            {
                "report": report,
                "chart": progress_chart(report),
                "full_view_url": reverse(
                    "reports:chart", kwargs={"slug": self.plan.slug, "month": self.month}
                ),
            },
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not is_progress_layout(self.plan):
            response.add_post_render_callback(self.insert_report)
        return response

    def insert_report(self, response) -> None:
        """The kept report into the rendered page, as bytes: a large plan's is megabytes, which the
        template would copy at each level of the page and then encode again at every request."""
        head, marker, tail = response.content.partition(REPORT_HERE.encode())
        if not marker:
            raise ImproperlyConfigured("reports/month.html no longer shows {{ report_html }}")
        response.content = b"".join((head, self.report_html, tail))

    def progress_context(self, context):
        plans = list(Plan.objects.visible_to(self.request.user))
        before, after = _neighbours(plans, self.plan, self.month)
        context.update(
            plan=self.plan,
            report=progress_report(self.plan, self.month),
            before=before,
            after=after,
            picker=ReportPickerForm(plans=plans, initial={"report": f"{self.plan.slug}/{self.month}"}),
            can_close=self.request.user.has_perm(roles.CLOSE_MONTH, self.plan),
        )
        return context


class ChartView(MonthMixin, TemplateView):
    """The month's progress charts at full width: one per status, this year over last year."""

    template_name = "reports/charts.html"

    def get_context_data(self, **kwargs):
        report = exception_report(self.plan, self.month)
        charts = zip(status_charts(report, COMPACT), status_charts(report, WIDE), strict=True)
        return super().get_context_data(plan=self.plan, report=report, charts=list(charts), **kwargs)


class SummaryJsonView(MonthMixin, View):
    """The same JSON as ``manage.py report_summary --format json``, kept (as the bytes sent) under
    the report's data version (``reports.versions``): readers ask for it again and again. Built
    from the month's counts alone (``report_summary``), not from the whole report, so it is
    cheap enough to be exact after every save, unlike the draft report page."""

    plan_queryset = versions.with_report_versions(Plan.objects.with_previous())

    def get(self, request, *args, **kwargs):
        if is_progress_layout(self.plan):
            return JsonResponse(progress_report(self.plan, self.month).as_json())
        content = versions.cached(
            self.plan,
            self.month,
            "json",
            lambda: JsonResponse(report_summary(self.plan, self.month).as_json()).content,
        )
        return HttpResponse(content, content_type="application/json")


class CloseMonthView(MonthMixin, TemplateView):
    """Check before closing (GOV.UK "check answers"): GET shows what the close would publish and
    what is still outstanding; the POST of its button closes, if nothing changed in between."""

    permission_required = roles.CLOSE_MONTH
    template_name = "reports/close_check.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(plan=self.plan, month=self.month, check=closing.close_check(self.plan, self.month))
        return context

    def post(self, request, *args, **kwargs):
        try:
            closing.close_month(self.plan, self.month, request.user, checked=request.POST.get("checked"))
        except closing.MonthCloseError as error:
            return self.render_to_response(self.get_context_data(errors=[("#check", str(error))]))
        return redirect("reports:closed", slug=self.plan.slug, month=self.month)


class MonthClosedView(MonthMixin, TemplateView):
    """The confirmation after a close (the GOV.UK confirmation panel) and what happens next."""

    permission_required = roles.CLOSE_MONTH
    template_name = "reports/closed.html"

    def get(self, request, *args, **kwargs):
        self.close = MonthClose.objects.closed().filter(plan=self.plan, month=self.month.first_day).first()
        if self.close is None:
            return self.report_url()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        later = [m for m in self.plan.reporting_month_list if m > self.month]
        context = super().get_context_data(**kwargs)
        context.update(
            plan=self.plan,
            month=self.month,
            close=self.close,
            waiting=ChangeRequest.objects.filter(
                action__plan=self.plan, state=ChangeRequest.State.PENDING, month=self.month.first_day
            ).count(),
            next_month=later[0] if later else None,
        )
        return context


class ReopenMonthView(MonthMixin, FormView):
    permission_required = roles.CLOSE_MONTH
    form_class = ReopenForm
    template_name = "reports/reopen.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.plan, month=self.month, **kwargs)

    def form_valid(self, form):
        try:
            closing.reopen_month(self.plan, self.month, self.request.user, form.cleaned_data["reason"])
        except closing.MonthCloseError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"{self.month.name} is re-opened: its report is a draft again.")
        return self.report_url()


class PickReportView(RoleRequiredMixin, TemplateView):
    """The plan/month picker: a plain GET form, so it works without JavaScript."""

    permission_required = roles.VIEW
    template_name = "reports/pick.html"

    def get(self, request, *args, **kwargs):
        form = ReportPickerForm(request.GET or None, plans=list(Plan.objects.visible_to(request.user)))
        if form.is_valid():
            slug, month = form.selected()
            return redirect("reports:month", slug=slug, month=month)
        return self.render_to_response(self.get_context_data(picker=form))


class DashboardView(RoleRequiredMixin, TemplateView):
    """The front page: the latest month of each plan with its figures and links."""

    permission_required = roles.VIEW
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        plans = list(
            Plan.objects.visible_to(self.request.user)
            .select_related("previous_plan", "organisation")
            .prefetch_related("status_terms", "next_plans")
        )
        return super().get_context_data(
            rows=dashboard_rows(plans),
            picker=ReportPickerForm(plans=plans),
            **kwargs,
        )


class CoverPageView(MonthMixin, TemplateView):
    """The committee report (seed 000 sections 1-15) on screen, from the same object as its PDF
    and Word copies; for the performance team, links to what they keep of it."""

    template_name = "reports/cover.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        doc = build_cover(self.plan, self.month)
        context.update(
            plan=self.plan,
            month=self.month,
            doc=doc,
            report=doc.report,
            can_export=self.request.user.has_perm(roles.EXPORT, self.plan),
            can_edit=self.request.user.has_perm(roles.EDIT_STRUCTURE, self.plan),
        )
        return context


class HomeView(RoleRequiredMixin, TemplateView):
    """Where everyone lands: what waits for them, part by part as their roles allow."""

    permission_required = roles.VIEW
    template_name = "reports/home.html"

    def get_context_data(self, **kwargs):
        home = home_page(self.request.user)
        context = super().get_context_data(home=home, **kwargs)
        if home.approvals_waiting is not None:
            # In place of the navigation's own count (plans.context_processors): read already.
            context["approvals_waiting"] = home.approvals_waiting
        return context
