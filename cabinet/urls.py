from django.urls import path

import plans.converters  # noqa: F401  (the month converter)
from cabinet import views

app_name = "cabinet"

urlpatterns = [
    path("committee/<slug:slug>/text/", views.PlanTextsView.as_view(), name="texts"),
    path("committee/<slug:slug>/<month:month>/text/", views.MonthTextsView.as_view(), name="month-texts"),
    path("committee/<slug:slug>/<month:month>/meeting/", views.MeetingView.as_view(), name="meeting"),
    path("risks/", views.RiskRegisterView.as_view(), name="risks"),
    path("risks/add/", views.RiskEditView.as_view(), name="risk-add"),
    path("risks/<int:pk>/", views.RiskEditView.as_view(), name="risk-edit"),
    path("risks/<int:pk>/plans/<slug:slug>/", views.RiskLinksView.as_view(), name="risk-links"),
]
