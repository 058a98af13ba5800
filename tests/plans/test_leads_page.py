"""The leads' names and email addresses, and a plan's deadline and reminders: the performance
team's pages (issue 18, item 5)."""

import pytest

from audit.models import AuditEvent
from plans.models import Lead, Plan
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_user

pytestmark = pytest.mark.django_db

LEADS = "/plans/leads/"
SETTINGS = "/plans/p/reminders/"


@pytest.fixture
def lead():
    plan = make_plan(slug="p", first_month="2009-07", title="Improvement Plan 2009/10")
    # Initials the demo's leads (loaded for some tests of the session) do not use.
    t1 = make_lead("T1", user=make_user("t1-login", "Officer", email="t1.login@example.org"))
    make_action(make_measure(make_priority(plan)), "1.1.1", "An action", leads=[t1, make_lead("T2")])
    return t1


def edit_url(lead):
    return f"/plans/leads/{lead.pk}/"


def form(lead, **values) -> dict:
    """The lead's form as the page sends it: its initials and linked log-in as they are."""
    return {"initials": lead.initials, "user": lead.user_id or "", **values}


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk", "none"])
def test_only_the_performance_team_keeps_the_leads_addresses(client_as, lead, role):
    client = client_as(role)
    for url in (LEADS, edit_url(lead), SETTINGS):
        assert client.get(url).status_code == 403
    assert client.post(edit_url(lead), {"name": "X", "email": "x@example.org"}).status_code == 403
    assert client.post(SETTINGS, {"updates_due_day": "1", "reminder_days_before": "1"}).status_code == 403
    lead.refresh_from_db()
    assert (lead.name, lead.email) == ("", "")
    assert Plan.objects.get(slug="p").updates_due_day is None


def test_anonymous_is_sent_to_log_in(client, lead):
    for url in (LEADS, edit_url(lead), SETTINGS):
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_the_list_shows_each_lead_and_who_cannot_be_reminded(client_as, lead, django_assert_max_num_queries):
    client = client_as("performance")
    for initials in ("A1", "A2", "A3"):
        make_lead(initials, user=make_user(f"{initials}-login"))
    # session (with its refresh), user, permissions, the leads with their logins and actions
    # counted: the same for any number of leads.
    with django_assert_max_num_queries(7):
        body = client.get(LEADS).content.decode()
    assert "4 leads have no email address and cannot be reminded: A1, A2, A3, T2." in body
    assert "t1.login@example.org (their log-in's)" in body
    assert f'href="/plans/leads/{lead.pk}/"' in body


def test_the_performance_team_changes_an_address_audited_and_goes_back_to_the_chase_list(client_as, lead):
    chase = "/plans/p/chase/2009-07/"
    response = client_as("performance").post(
        edit_url(lead),
        form(lead, **{"name": "Rebecca Dunne", "email": " rebecca.dunne@example.org ", "next": chase}),
    )
    assert response["Location"] == chase
    lead.refresh_from_db()
    assert (lead.name, lead.email, lead.display_name, lead.address) == (
        "Rebecca Dunne", "rebecca.dunne@example.org", "Rebecca Dunne", "rebecca.dunne@example.org"
    )  # fmt: skip
    event = AuditEvent.objects.get(kind="lead-contact")
    assert event.username == "test-performance"
    assert event.details == {
        "lead": "T1",
        "lead_id": lead.pk,
        "changes": {"name": ["", "Rebecca Dunne"], "email": ["", "rebecca.dunne@example.org"]},
    }
    body = client_as("performance").get(chase).content.decode()
    assert "Saved T1: Rebecca Dunne, rebecca.dunne@example.org." in body


def test_a_bad_address_is_shown_beside_the_field_with_what_was_typed(client_as, lead):
    response = client_as("performance").post(
        edit_url(lead), form(lead, **{"name": "Rebecca Dunne", "email": "rebecca at home"})
    )
    assert response.status_code == 200
    body = response.content.decode()
    message = "Enter an email address in the correct format, like name@example.org"
    assert f'<li><a href="#id_email">{message}</a></li>' in body  # the error summary
    assert (
        f'<div id="id_email_error"><p class="error-message"><span class="visually-hidden">Error:</span> {message}</p></div>'
        in body
    )
    assert 'value="rebecca at home"' in body
    assert not AuditEvent.objects.filter(kind="lead-contact").exists()
    assert Lead.objects.get(pk=lead.pk).email == ""


def test_next_must_be_on_this_site(client_as, lead):
    response = client_as("performance").post(
        edit_url(lead), form(lead, **{"name": "", "email": "", "next": "https://evil.example.com/"})
    )
    assert response["Location"] == LEADS
    body = client_as("performance").get(LEADS + "?next=javascript:alert(1)").content.decode()
    assert "javascript:" not in body


def test_unchanged_values_write_nothing(client_as, lead):
    response = client_as("performance").post(
        edit_url(lead), form(lead, **{"name": "", "email": ""}), follow=True
    )
    assert "Nothing changed for T1." in response.content.decode()
    assert not AuditEvent.objects.filter(kind="lead-contact").exists()


def test_a_plan_may_not_take_the_leads_address():
    from plans.workbook.importer import RESERVED_SLUGS

    assert "leads" in RESERVED_SLUGS


# --- the deadline and reminder settings ----------------------------------------------------------------


def test_the_performance_team_sets_the_deadline_audited(client_as, lead):
    response = client_as("performance").post(SETTINGS, {"updates_due_day": "10", "reminder_days_before": "3"})
    plan = Plan.objects.get(slug="p")
    assert (plan.updates_due_day, plan.reminder_days_before) == (10, 3)
    assert response["Location"].startswith("/plans/p/chase/")
    event = AuditEvent.objects.get(kind="reminder-settings")
    assert event.details == {"changes": {"updates_due_day": [None, 10]}}
    body = client_as("performance").get("/plans/p/chase/2009-07/").content.decode()
    assert (
        "Updates for July 2009 are due by Monday 10 August 2009. Leads with actions still to update "
        "are reminded by email on 7 August 2009."
    ) in body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"updates_due_day": "31", "reminder_days_before": "3"}, "updates_due_day",
         "Enter a day from 1 to 28: every month has a 28th"),
        ({"updates_due_day": "tenth", "reminder_days_before": "3"}, "updates_due_day",
         "Enter the day as a number from 1 to 28, like 10"),
        ({"updates_due_day": "10", "reminder_days_before": ""}, "reminder_days_before",
         "Enter how many days before the deadline to remind leads, like 3"),
        ({"updates_due_day": "10", "reminder_days_before": "21"}, "reminder_days_before",
         "Enter a number of days from 0 to 20"),
    ],
)  # fmt: skip
def test_bad_settings_are_shown_beside_the_field(client_as, lead, data, field, message):
    response = client_as("performance").post(SETTINGS, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<li><a href="#id_{field}">{message}</a></li>' in body
    assert (
        f'<div id="id_{field}_error"><p class="error-message"><span class="visually-hidden">Error:</span> {message}</p></div>'
        in body
    )
    assert f'value="{data[field]}"' in body or data[field] == ""
    assert Plan.objects.get(slug="p").updates_due_day is None


def test_the_admin_changes_an_address_through_the_same_service(client_as, lead):
    response = client_as("admin").post(
        f"/admin/plans/lead/{lead.pk}/change/",
        {
            "organisation": lead.organisation_id,
            "initials": "T1",
            "name": "Rebecca Dunne",
            "email": "rebecca.dunne@example.org",
            "user": lead.user_id,
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.name, lead.email) == ("Rebecca Dunne", "rebecca.dunne@example.org")
    event = AuditEvent.objects.get(kind="lead-contact")
    assert event.details["changes"] == {
        "name": ["", "Rebecca Dunne"],
        "email": ["", "rebecca.dunne@example.org"],
    }
