from django.urls import path

import plans.converters  # noqa: F401  (the month converter)
from reports import views, views_pdf, views_recommendations

app_name = "reports"

urlpatterns = [
    path("", views.PickReportView.as_view(), name="pick"),
    # Issue 16: the inspection recommendations tracker (reports/views_recommendations.py).
    path(
        "recommendations/",
        views_recommendations.CurrentRecommendationsView.as_view(),
        name="recommendations-current",
    ),
    path(
        "<slug:slug>/<month:month>/recommendations/",
        views_recommendations.RecommendationsView.as_view(),
        name="recommendations",
    ),
    path(
        "<slug:slug>/<month:month>/recommendations.pdf",
        views_pdf.RecommendationsPDFView.as_view(),
        name="recommendations-pdf",
    ),
    path(
        "<slug:slug>/<month:month>/recommendations.pdf/state",
        views_pdf.RecommendationsStateView.as_view(),
        name="recommendations-pdf-state",
    ),
    path("<slug:slug>/<month:month>/", views.MonthReportView.as_view(), name="month"),
    path("<slug:slug>/<month:month>/summary.json", views.SummaryJsonView.as_view(), name="summary-json"),
    path("<slug:slug>/<month:month>/chart/", views.ChartView.as_view(), name="chart"),
    path("<slug:slug>/<month:month>/close/", views.CloseMonthView.as_view(), name="close"),
    path("<slug:slug>/<month:month>/closed/", views.MonthClosedView.as_view(), name="closed"),
    path("<slug:slug>/<month:month>/reopen/", views.ReopenMonthView.as_view(), name="reopen"),
    # Issue 6: the Cabinet appendix and cover report as PDF (reports/views_pdf.py).
    path("<slug:slug>/<month:month>/appendix.pdf", views_pdf.AppendixPDFView.as_view(), name="appendix-pdf"),
    path(
        "<slug:slug>/<month:month>/appendix.pdf/state",
        views_pdf.AppendixStateView.as_view(),
        name="appendix-pdf-state",
    ),
    path("<slug:slug>/<month:month>/cover.pdf", views_pdf.CoverPDFView.as_view(), name="cover-pdf"),
    path(
        "<slug:slug>/<month:month>/cover.pdf/state",
        views_pdf.CoverStateView.as_view(),
        name="cover-pdf-state",
    ),
    # Issue 16: the whole committee report on screen and as Word.
    path("<slug:slug>/<month:month>/cover/", views.CoverPageView.as_view(), name="cover"),
    path("<slug:slug>/<month:month>/cover.docx", views_pdf.CoverDocxView.as_view(), name="cover-docx"),
    path(
        "<slug:slug>/<month:month>/published/",
        views_pdf.PublishedCopiesView.as_view(),
        name="published-copies",
    ),
    # The whole plan as at a month (the Members' Room copy).
    path("<slug:slug>/plan-<month:month>.pdf", views_pdf.FullPlanPDFView.as_view(), name="plan-pdf"),
    path(
        "<slug:slug>/plan-<month:month>.pdf/state",
        views_pdf.FullPlanStateView.as_view(),
        name="plan-pdf-state",
    ),
    path("<slug:slug>/cover-settings/", views_pdf.CoverSettingsView.as_view(), name="cover-settings"),
]
