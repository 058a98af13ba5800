from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("<slug:slug>/actions/<int:pk>/", views.ActionDetailView.as_view(), name="action"),
    path("<slug:slug>/", views.PlanDetailView.as_view(), name="detail"),
]
