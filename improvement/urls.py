from django.contrib import admin
from django.urls import include, path

from reports.views import DashboardView

urlpatterns = [
    path("", DashboardView.as_view(), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("plans/", include("plans.urls")),
    path("reports/", include("reports.urls")),
]
