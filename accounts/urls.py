from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("locked-out/", views.LockedOutView.as_view(), name="locked-out"),
]
