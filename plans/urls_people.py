from django.urls import path

from plans import views_people

app_name = "people"

urlpatterns = [
    path("", views_people.OrganisationsView.as_view(), name="organisations"),
    path("new/", views_people.OrganisationCreateView.as_view(), name="organisation-new"),
    path("<slug:organisation>/people/", views_people.PeopleView.as_view(), name="people"),
    path("<slug:organisation>/people/add/", views_people.AddPersonView.as_view(), name="add"),
    path("<slug:organisation>/people/<int:pk>/", views_people.ChangeRoleView.as_view(), name="role"),
    path(
        "<slug:organisation>/people/<int:pk>/remove/", views_people.RemovePersonView.as_view(), name="remove"
    ),
]
