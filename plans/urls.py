from django.urls import path

from plans import views, views_workbook

app_name = "plans"

urlpatterns = [
    # The plan workbook (issue 7): before the <slug:slug>/ patterns, which "import" would match.
    path("import/", views_workbook.ImportUploadView.as_view(), name="import"),
    path("import/<slug:token>/", views_workbook.ImportPreviewView.as_view(), name="import-preview"),
    path("import/<slug:token>/cancel/", views_workbook.ImportCancelView.as_view(), name="import-cancel"),
    path("workbook-template.xlsx", views_workbook.BlankWorkbookView.as_view(), name="workbook-template"),
    path("<slug:slug>/workbook.xlsx", views_workbook.PlanWorkbookView.as_view(), name="workbook"),
    path("<slug:slug>/actions/<int:pk>/", views.ActionDetailView.as_view(), name="action"),
    path("<slug:slug>/", views.PlanDetailView.as_view(), name="detail"),
]
