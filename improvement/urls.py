from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse

from accounts.views import LimitedPasswordResetView
from improvement.health import healthz
from plans.views import StartView
from reports.views import DashboardView, HomeView


def admin_login(request, extra_context=None):
    """The admin uses the site's own login page (throttled and audited like every login): a
    logged-in user without admin access gets 403 rather than a second login form."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = admin_login
# The admin is the site administrator's alone: it is not scoped to organisations (plans.backends).
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("start/", StartView.as_view(), name="start"),
    path("healthz", healthz, name="healthz"),
    # Before Django's own at the same address: the password reset with its hourly limits.
    path("accounts/password_reset/", LimitedPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("plans/", include("plans.urls")),
    path("organisations/", include("plans.urls_people")),  # organisations and their people
    path("reports/", include("reports.urls")),
    path("", include("cabinet.urls")),
]

handler500 = "improvement.health.server_error"
