"""The chase list /plans/<slug>/chase/<YYYY-MM>/ and the reminder emails (issue 4, item 5)."""

import pytest
from django.core import mail

from plans.models import Action, Reminder
from tests.factories import (
    make_action,
    make_lead,
    make_measure,
    make_plan,
    make_priority,
    make_status,
    make_user,
)

pytestmark = pytest.mark.django_db

URL = "/plans/p/chase/2009-07/"


@pytest.fixture
def plan():
    plan = make_plan(slug="p", first_month="2009-07", title="Improvement Plan 2009/10")
    measure = make_measure(make_priority(plan))
    t1 = make_lead("T1", name="Phil Street", user=make_user("t1-user", email="t1@example.org"))
    t2 = make_lead("T2", name="Hugh Bennett")  # no email address
    done = make_action(measure, "1.1.1", "Has a status", leads=[t1], original="2009-07")
    make_status(done, "2009-07", "AMBER")
    make_action(measure, "1.1.2", "Outstanding of T1", leads=[t1], original="2009-07")
    make_action(measure, "1.1.3", "Shared", leads=[t1, t2], planned=["2009-07"])
    make_action(measure, "1.1.4", "Nobody's", original="2009-06")
    make_action(measure, "1.1.5", "Not live yet", leads=[t2], original="2009-12")
    return plan


def test_anonymous_is_sent_to_log_in(client, plan):
    assert client.get(URL)["Location"].startswith("/accounts/login/")
    assert client.post(URL)["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk", "none"])
def test_only_the_performance_team_chases(client_as, plan, role):
    client = client_as(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert mail.outbox == []


def test_the_chase_list_groups_outstanding_actions_by_lead(client_as, plan):
    response = client_as("performance").get(URL)
    groups = [
        (group.lead.initials if group.lead else None, [a.ref for a in group.actions])
        for group in response.context["groups"]
    ]
    assert groups == [("T1", ["1.1.2", "1.1.3"]), ("T2", ["1.1.3"]), (None, ["1.1.4"])]
    body = response.content.decode()
    assert "3 actions live in July 2009 have no status yet." in body
    assert "Reminder goes to t1@example.org" in body
    assert "<strong>No email address</strong>: a reminder cannot be sent" in body


def test_send_reminder_emails_each_lead_their_list_with_a_link(client_as, plan):
    response = client_as("performance").post(URL, follow=True)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["t1@example.org"]
    assert email.subject == "Improvement Plan 2009/10: 2 actions to update for July 2009"
    assert email.body == (
        "Dear Phil Street,\n\n"
        "The updates of Improvement Plan 2009/10 for July 2009 are waiting for yours.\n"
        "These 2 actions you lead have no status for July 2009 yet:\n\n"
        "- 1.1.2 Outstanding of T1\n- 1.1.3 Shared\n\n"
        "Please update them here: http://testserver/plans/p/my/2009-07/\n\n"
        "The performance team\n"
    )
    body = response.content.decode()
    assert "Reminders sent to 1 lead: T1." in body
    # The lead without an address: a link to the page where the performance team adds one.
    assert (
        'No email address for T2: <a href="/plans/leads/?next=%2Fplans%2Fp%2Fchase%2F2009-07%2F">'
        "add one on the leads' email addresses page</a>, or chase them yourself."
    ) in body
    assert "the admin" not in body
    # Recorded, and shown beside the lead.
    reminder = Reminder.objects.get()
    assert (reminder.lead.initials, reminder.kind, reminder.actions, reminder.address) == (
        "T1", "chase", 2, "t1@example.org"
    )  # fmt: skip
    assert "(from this list)" in client_as("performance").get(URL).content.decode()


def test_one_action_is_singular(client_as, plan):
    make_status(Action.objects.get(plan=plan, ref="1.1.3"), "2009-07", "GREEN")
    client_as("performance").post(URL)
    [email] = mail.outbox
    assert email.subject == "Improvement Plan 2009/10: 1 action to update for July 2009"
    assert (
        "This action you lead has no status for July 2009 yet:\n\n- 1.1.2 Outstanding of T1\n" in email.body
    )
    assert "Please update it here:" in email.body


def test_a_failed_send_is_reported_and_not_recorded(client_as, plan, settings):
    settings.EMAIL_BACKEND = "tests.plans.test_notifications.BrokenBackend"
    response = client_as("performance").post(URL, follow=True)
    assert "The email to T1 could not be sent: try again later, or chase them yourself." in (
        response.content.decode()
    )
    assert not Reminder.objects.exists()


def test_a_month_outside_the_plan_is_404(client_as, plan):
    assert client_as("performance").get("/plans/p/chase/2010-07/").status_code == 404


def test_chase_and_approvals_queries_do_not_grow_with_the_plan(
    client_as, plan, django_assert_max_num_queries
):
    from plans.models import ChangeRequest

    client = client_as("performance")
    measure = plan.priorities.get().measures.get()
    lead = make_lead("T1")

    def grow(n):
        for i in range(n):
            action = make_action(measure, f"2.{n}.{i}", "More", leads=[lead], original="2009-07")
            ChangeRequest.objects.create(
                action=action, kind="SUSPENSION", month=action.original_target, reason="r"
            )

    grow(2)
    # session (with its refresh), user, permissions, plan, outstanding actions with their leads
    # and the leads' users, whether the month is closed.
    with django_assert_max_num_queries(12) as chase:
        client.get(URL)
    # session (with its refresh), user, permissions, plan, requests with their actions and leads.
    with django_assert_max_num_queries(10) as approvals:
        client.get("/plans/p/approvals/")
    grow(20)
    with django_assert_max_num_queries(len(chase.captured_queries)):
        response = client.get(URL)
    assert response.context["outstanding"] == 25
    with django_assert_max_num_queries(len(approvals.captured_queries)):
        response = client.get("/plans/p/approvals/")
    assert len(response.context["pending"]) == 22


def test_a_closed_month_reminds_nobody(client_as, plan):
    from plans.models import MonthClose

    MonthClose.objects.create(plan=plan, month=plan.first_month)
    response = client_as("performance").post(URL, follow=True)
    assert "July 2009 is closed: its report is published, so nobody is reminded." in response.content.decode()
    assert mail.outbox == [] and not Reminder.objects.exists()
