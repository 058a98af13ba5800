from django.urls import path
from django.views.generic import RedirectView

import plans.converters  # noqa: F401  (the month converter)
from plans import (
    views,
    views_indicators,
    views_notifications,
    views_recommendations,
    views_rollover,
    views_workbook,
)

app_name = "plans"

urlpatterns = [
    # The plan workbook (issue 7): before the <slug:slug>/ patterns, which "import" would match.
    path("import/", views_workbook.ImportUploadView.as_view(), name="import"),
    path("import/<slug:token>/", views_workbook.ImportPreviewView.as_view(), name="import-preview"),
    path("import/<slug:token>/cancel/", views_workbook.ImportCancelView.as_view(), name="import-cancel"),
    # The leads' names and email addresses (issue 18); "leads" is reserved as a plan slug too.
    path("leads/", views_notifications.LeadListView.as_view(), name="leads"),
    path("leads/add/", views_notifications.LeadAddView.as_view(), name="lead-add"),
    path("leads/<int:pk>/", views_notifications.LeadEditView.as_view(), name="lead-edit"),
    path("workbook-template.xlsx", views_workbook.BlankWorkbookView.as_view(), name="workbook-template"),
    path("<slug:slug>/workbook.xlsx", views_workbook.PlanWorkbookView.as_view(), name="workbook"),
    path("<slug:slug>/my/<month:month>/", views.MyMonthView.as_view(), name="my-month"),
    path("<slug:slug>/leads/<int:lead>/<month:month>/", views.LeadMonthView.as_view(), name="lead-month"),
    path(
        "<slug:slug>/actions/<int:pk>/request/<month:month>/",
        views.RequestChangeView.as_view(),
        name="request-change",
    ),
    path(
        "<slug:slug>/actions/<int:pk>/update/<month:month>/",
        views.ActionMonthView.as_view(),
        name="action-month",
    ),
    path("<slug:slug>/chase/<month:month>/", views.ChaseView.as_view(), name="chase"),
    path(
        "<slug:slug>/reminders/",
        views_notifications.ReminderSettingsView.as_view(),
        name="reminder-settings",
    ),
    path("<slug:slug>/approvals/", views.ApprovalsView.as_view(), name="approvals"),
    path("<slug:slug>/roll-over/", views_rollover.RollOverView.as_view(), name="roll-over"),
    path("<slug:slug>/approvals/<int:pk>/", views.DecideView.as_view(), name="decide"),
    path(
        "<slug:slug>/recommendations/new/",
        views_recommendations.RecommendationEditView.as_view(),
        name="recommendation-add",
    ),
    path(
        "<slug:slug>/recommendations/<int:pk>/edit/",
        views_recommendations.RecommendationEditView.as_view(),
        name="recommendation-edit",
    ),
    path(
        "<slug:slug>/recommendations/<int:pk>/",
        views_recommendations.RecommendationLinksView.as_view(),
        name="recommendation-links",
    ),
    # The full plan as PDF is a report (reports/urls.py); its first address still works.
    path(
        "<slug:slug>/plan-<month:month>.pdf",
        RedirectView.as_view(pattern_name="reports:plan-pdf", permanent=True, query_string=True),
    ),
    path("<slug:slug>/actions/<int:pk>/", views.ActionDetailView.as_view(), name="action"),
    path("<slug:slug>/indicators/", views_indicators.IndicatorListView.as_view(), name="indicators"),
    path(
        "<slug:slug>/indicators/<int:pk>/", views_indicators.IndicatorDetailView.as_view(), name="indicator"
    ),
    path("<slug:slug>/export.<str:fmt>", views.PlanExportView.as_view(), name="export"),
    path("<slug:slug>/", views.PlanDetailView.as_view(), name="detail"),
]
