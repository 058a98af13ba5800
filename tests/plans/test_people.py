"""Organisations and their people without the Django admin (issue 15): the site administrator
creates an organisation and its first performance-team member; the performance team adds its
people, changes their roles, removes them, and keeps its leads."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail

from audit.models import AuditEvent
from plans import roles
from plans.models import Lead, Membership, Organisation
from tests.factories import default_organisation, give_role, make_lead, make_organisation, make_user

pytestmark = pytest.mark.django_db


def role(name: str) -> Group:
    return Group.objects.get(name=name)


def test_the_site_administrator_creates_an_organisation_and_its_first_member_sets_a_password(
    client, role_user
):
    client.force_login(role_user("admin"))
    assert client.get("/organisations/new/").status_code == 200
    response = client.post(
        "/organisations/new/",
        {
            "name": "Rotherham Metropolitan Borough Council",
            "slug": "",
            "full_name": "Pat Jones",
            "email": "pat.jones@example.org",
            "username": "pjones",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rotherham Metropolitan Borough Council is created" in html
    organisation = Organisation.objects.get(slug="rotherham-metropolitan-borough-council")
    person = User.objects.get(username="pjones")
    assert (person.first_name, person.last_name, person.has_usable_password()) == ("Pat", "Jones", False)
    assert person.memberships.get().organisation == organisation
    assert person.memberships.get().role.name == roles.PERFORMANCE
    event = AuditEvent.objects.get(kind="organisation-add")
    assert event.details["first_member"] == "pjones"
    # The email's link sets the password, once.
    (email,) = mail.outbox
    assert email.to == ["pat.jones@example.org"] and "Your username is: pjones" in email.body
    link = re.search(r"http://testserver(/accounts/reset/\S+)", email.body).group(1)
    client.logout()
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    client.post(
        form_url, {"new_password1": "a long new password 42", "new_password2": "a long new password 42"}
    )
    login = client.post("/accounts/login/", {"username": "pjones", "password": "a long new password 42"})
    assert login.status_code == 302
    assert client.get("/organisations/rotherham-metropolitan-borough-council/people/").status_code == 200


@pytest.mark.parametrize("role_name", ["performance", "officer", "cmt", "clerk"])
def test_only_a_site_administrator_creates_organisations(client_as, role_name):
    client = client_as(role_name)
    assert client.get("/organisations/new/").status_code == 403
    assert client.post("/organisations/new/", {"name": "X", "full_name": "A B", "email": "a@b.org",
                                               "username": "ab"}).status_code == 403  # fmt: skip
    assert not Organisation.objects.filter(name="X").exists()


def test_a_taken_username_or_short_name_is_explained_beside_the_field(client, role_user):
    client.force_login(role_user("admin"))
    make_user("pjones")
    Organisation.objects.get_or_create(slug="rotherham", defaults={"name": "Rotherham"})  # the demo's too
    response = client.post(
        "/organisations/new/",
        {"name": "Rotherham", "slug": "rotherham", "full_name": "Pat", "email": "bad", "username": "pjones"},
    )
    html = response.content.decode()
    assert "Enter an email address in the correct format" in html
    assert 'class="error-summary"' in html
    response = client.post(
        "/organisations/new/",
        {"name": "Rotherham", "slug": "rotherham", "full_name": "Pat", "email": "p@x.org", "username": "new"},
    )
    assert "An organisation already has this short name" in response.content.decode()
    assert Organisation.objects.filter(slug="rotherham").count() == 1


def test_the_performance_team_adds_a_person_who_is_emailed_a_link(client_as):
    client = client_as("performance")
    organisation = default_organisation()
    base = f"/organisations/{organisation.slug}/people/"
    assert client.get("/organisations/", follow=True).redirect_chain[-1][0] == base
    assert client.get(base + "add/").status_code == 200
    response = client.post(
        base + "add/",
        {
            "full_name": "Sam Green",
            "email": "sam@example.org",
            "username": "sgreen",
            "role": role(roles.OFFICER).pk,
        },
    )
    html = response.content.decode()
    assert "Sam Green is added" in html and "We have emailed sam@example.org" in html
    membership = Membership.objects.get(user__username="sgreen")
    assert (membership.organisation, membership.role.name) == (organisation, roles.OFFICER)
    assert AuditEvent.objects.get(kind="person-add").details["role"] == roles.OFFICER
    assert len(mail.outbox) == 1
    assert "sgreen" in client.get(base).content.decode()


def test_the_performance_team_changes_a_role_and_removes_someone_after_checking(client_as):
    client = client_as("performance")
    organisation = default_organisation()
    officer = make_user("sgreen", roles.OFFICER)
    lead = make_lead("SG", user=officer)
    membership = officer.memberships.get()
    base = f"/organisations/{organisation.slug}/people/{membership.pk}/"
    client.post(base, {"role": role(roles.CMT).pk})
    membership.refresh_from_db()
    assert membership.role.name == roles.CMT
    assert AuditEvent.objects.get(kind="role-change").details["changes"] == {
        "role": [roles.OFFICER, roles.CMT]
    }
    check = client.get(base + "remove/").content.decode()
    assert "Check before you remove" in check and "SG" in check
    client.post(base + "remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    officer.refresh_from_db()
    lead.refresh_from_db()
    assert officer.is_active is False and lead.user is None
    assert AuditEvent.objects.get(kind="person-remove").details["person"] == "sgreen"


def test_nobody_takes_themselves_or_the_last_member_out_of_the_performance_team(client_as, role_user):
    client = client_as("performance")
    me = role_user("performance").memberships.get()
    base = f"/organisations/{me.organisation.slug}/people/{me.pk}/"
    response = client.post(base, {"role": role(roles.CLERK).pk})
    assert "You cannot take yourself out of the performance team" in response.content.decode()
    response = client.post(base + "remove/")
    assert response.status_code == 400
    me.refresh_from_db()
    assert me.role.name == roles.PERFORMANCE


@pytest.mark.parametrize("role_name", ["officer", "cmt", "clerk"])
def test_other_roles_cannot_manage_people(client_as, role_name, role_user):
    client = client_as(role_name)
    target = make_user("someone", roles.OFFICER).memberships.get()
    base = f"/organisations/{target.organisation.slug}/people/"
    for url in ("/organisations/", base, base + "add/", f"{base}{target.pk}/", f"{base}{target.pk}/remove/"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"role": role(roles.PERFORMANCE).pk}).status_code in (403, 405), url
    target.refresh_from_db()
    assert target.role.name == roles.OFFICER


def test_the_performance_team_of_one_council_cannot_manage_anothers_people(client_as, role_user):
    other = make_organisation("elsewhere")
    theirs = make_user("theirs", roles.OFFICER, organisation=other).memberships.get()
    client = client_as("performance")
    base = f"/organisations/{other.slug}/people/"
    for url in (base, base + "add/", f"{base}{theirs.pk}/", f"{base}{theirs.pk}/remove/"):
        assert client.get(url).status_code == 404, url
        # The list takes no POST: refused before anything is looked up.
        expected = 405 if url == base else 404
        assert client.post(url, {"role": role(roles.PERFORMANCE).pk}).status_code == expected, url
    # Nor through their own council's address.
    mine = default_organisation().slug
    assert client.get(f"/organisations/{mine}/people/{theirs.pk}/").status_code == 404
    # An officer there too: 403, not 404, and still nothing changes.
    give_role(role_user("performance"), roles.OFFICER, other)
    assert client.get(base).status_code == 403
    theirs.refresh_from_db()
    assert theirs.role.name == roles.OFFICER


def test_the_performance_team_adds_and_changes_a_lead_with_a_linked_login(client_as):
    client = client_as("performance")
    officer = make_user("sgreen", roles.OFFICER)
    stranger = make_user("stranger", roles.OFFICER, organisation=make_organisation("elsewhere"))
    response = client.post(
        "/plans/leads/add/",
        {
            "initials": "Assistant Chief Executive",
            "name": "Sam Green",
            "email": "sam@example.org",
            "user": stranger.pk,
        },
    )
    assert "Select a valid choice" in response.content.decode()  # not a person of this council
    client.post(
        "/plans/leads/add/",
        {
            "initials": "Assistant Chief Executive",
            "name": "Sam Green",
            "email": "sam@example.org",
            "user": officer.pk,
        },
    )
    lead = Lead.objects.get(organisation=default_organisation(), initials="Assistant Chief Executive")
    assert (lead.organisation, lead.user) == (default_organisation(), officer)
    assert AuditEvent.objects.get(kind="lead-add").details["lead"] == "Assistant Chief Executive"
    response = client.post(
        "/plans/leads/add/", {"initials": "assistant chief executive", "name": "", "email": "", "user": ""}
    )
    assert "Another lead of the organisation is known by these initials" in response.content.decode()
    client.post(f"/plans/leads/{lead.pk}/", {"initials": "ACE", "name": "Sam Green", "email": "", "user": ""})
    lead.refresh_from_db()
    assert (lead.initials, lead.email, lead.user) == ("ACE", "", None)


def test_another_councils_lead_is_not_found(client_as):
    theirs = make_lead("ZZ", organisation=make_organisation("elsewhere"))
    client = client_as("performance")
    assert client.get(f"/plans/leads/{theirs.pk}/").status_code == 404
    assert "ZZ" not in client.get("/plans/leads/").content.decode()
