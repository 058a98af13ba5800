from django.urls import path, re_path

from plans import views
from reports import views_pdf

app_name = "plans"

urlpatterns = [
    # Issue 6: the full plan as PDF (rendered in the background; reports/views_pdf.py).
    re_path(
        r"^(?P<slug>[-\w]+)/plan-(?P<month>\d{4}-\d{2})\.pdf$",
        views_pdf.FullPlanPDFView.as_view(),
        name="plan-pdf",
    ),
    re_path(
        r"^(?P<slug>[-\w]+)/plan-(?P<month>\d{4}-\d{2})\.pdf/state$",
        views_pdf.FullPlanStateView.as_view(),
        name="plan-pdf-state",
    ),
    path("<slug:slug>/actions/<int:pk>/", views.ActionDetailView.as_view(), name="action"),
    path("<slug:slug>/", views.PlanDetailView.as_view(), name="detail"),
]
