"""Notifications (issue 18, item 5): the decision on a request emailed to the officer, and the
scheduled reminders of the month's updates, through Django's locmem email backend."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from plans import notifications, services
from plans.models import ChangeRequest, Lead, MonthClose, Plan, Reminder
from plans.periods import Month
from plans.tasks import next_run_time, schedule_reminder_runs, send_due_reminders
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_status

pytestmark = pytest.mark.django_db

JULY = Month(2009, 7)
DECIDED = datetime.datetime(2009, 8, 3, 10, 0, tzinfo=datetime.UTC)


class BrokenBackend(BaseEmailBackend):
    """A mail server that refuses everything."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("The mail server refused the connection")


@pytest.fixture
def plan():
    return make_plan(slug="p", first_month="2009-07", title="Improvement Plan 2009/10")


@pytest.fixture
def officer(role_user):
    user = role_user("officer")
    user.email = "officer-login@example.org"
    user.save()
    return user


@pytest.fixture
def performance(role_user):
    user = role_user("performance")
    user.first_name, user.last_name = "Hugh", "Bennett"
    user.save()
    return user


@pytest.fixture
def action(plan, officer):
    mine = make_lead("T1", name="Rebecca Dunne", email="rebecca.dunne@example.org", user=officer)
    other = make_lead("T2", name="Kevin Dicks", email="kevin.dicks@example.org")
    return make_action(
        make_measure(make_priority(plan, "PR5", "Members")),
        "13.4.4",
        "Member development programme",
        leads=[mine, other],
        original="2009-07",
    )


@pytest.fixture
def decided_on_3_august(monkeypatch):
    monkeypatch.setattr("plans.services.timezone.now", lambda: DECIDED)


DECEMBER = Month(2009, 12)


def ask(officer, action, kind="REPROGRAMME", new_target=DECEMBER):
    return services.request_change(
        user=officer,
        action=action,
        kind=kind,
        month=JULY,
        reason="Waiting for the budget",
        new_target=new_target,
    )


def decide_url(change):
    return reverse("plans:decide", kwargs={"slug": "p", "pk": change.pk})


# --- decisions ------------------------------------------------------------------------------------


def test_an_approved_reprogramme_is_emailed_to_the_officer_and_the_other_lead(
    client, officer, performance, action, decided_on_3_august, django_capture_on_commit_callbacks
):
    change = ask(officer, action)
    client.force_login(performance)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            decide_url(change),
            {f"r{change.pk}-decision": "approve", f"r{change.pk}-comment": "Agreed at CMT"},
        )
    assert [email.to for email in mail.outbox] == [["rebecca.dunne@example.org"], ["kevin.dicks@example.org"]]
    email = mail.outbox[0]
    assert email.subject == "Improvement Plan 2009/10: Re-programme of 13.4.4 approved"
    assert email.body == (
        "Dear Rebecca Dunne,\n\n"
        "Your request to re-programme action 13.4.4 from July 2009 to December 2009 was approved by "
        "Hugh Bennett on Monday 3 August 2009.\n\n"
        "13.4.4 Member development programme\n"
        "Plan: Improvement Plan 2009/10\n\n"
        "What it means: the action is reported as Re-programmed from July 2009 until its new target, "
        "December 2009.\n\n"
        "Note with the decision: \u201cAgreed at CMT\u201d\n\n"
        f"See the action: http://127.0.0.1:8000/plans/p/actions/{action.pk}/\n\n"
        "The performance team\n"
    )
    # The other lead hears whose request it was.
    assert mail.outbox[1].body.startswith(
        "Dear Kevin Dicks,\n\nThe request by Rebecca Dunne to re-programme action 13.4.4"
    )


def test_a_rejected_suspension_says_nothing_changes_in_the_plans_own_words(
    officer, performance, action, decided_on_3_august, django_capture_on_commit_callbacks
):
    action.plan.status_terms.create(word="Slipped", status="RED", is_default=True)
    action.plan.status_terms.create(word="Some slippage reported", status="AMBER", is_default=True)
    change = ask(officer, action, kind="SUSPENSION", new_target=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_request(user=performance, request=change, approve=False, comment="Not agreed by CMT")
    email = mail.outbox[0]
    assert email.subject == "Improvement Plan 2009/10: Suspension of 13.4.4 rejected"
    assert (
        "Your request to suspend action 13.4.4 from July 2009 was rejected by Hugh Bennett on Monday 3 August 2009."
    ) in email.body
    assert (
        "What it means: nothing changes: the action still counts by its dates, Some slippage reported when "
        "one month behind and Slipped when more, until it is done or another request is approved."
    ) in email.body
    assert "Note with the decision: \u201cNot agreed by CMT\u201d" in email.body


def test_an_approved_suspension_runs_to_the_end_of_the_plan(
    officer, performance, action, django_capture_on_commit_callbacks
):
    change = ask(officer, action, kind="SUSPENSION", new_target=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_request(user=performance, request=change, approve=True)
    body = mail.outbox[0].body
    assert (
        "What it means: the action is reported as Suspended from July 2009 to the end of the plan (June 2010)."
        in body
    )
    assert "No note was given with the decision." in body


def test_the_email_waits_for_the_commit(officer, performance, action, django_capture_on_commit_callbacks):
    change = ask(officer, action)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.decide_request(user=performance, request=change, approve=True)
    assert mail.outbox == []  # nothing sent inside the transaction (and its plan lock)
    assert len(callbacks) == 1


def test_no_email_for_a_refused_decision(
    client, officer, performance, action, django_capture_on_commit_callbacks
):
    change = ask(officer, action)
    MonthClose.objects.create(plan=action.plan, month=JULY.first_day)
    client.force_login(performance)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(decide_url(change), {f"r{change.pk}-decision": "approve"}, follow=True)
    assert "13.4.4: July 2009 is closed" in response.content.decode()
    assert callbacks == [] and mail.outbox == []
    change.refresh_from_db()
    assert change.state == ChangeRequest.State.PENDING


def test_a_mail_server_failure_is_logged_and_the_decision_stands(
    client, officer, performance, action, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.plans.test_notifications.BrokenBackend"
    change = ask(officer, action)
    client.force_login(performance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(change), {f"r{change.pk}-decision": "approve"}, follow=True)
    assert response.status_code == 200
    assert "Re-programme of 13.4.4 approved." in response.content.decode()
    change.refresh_from_db()
    assert change.state == ChangeRequest.State.APPROVED
    assert (
        f"The email about the decision on request {change.pk} was not sent; the decision stands."
        in caplog.text
    )


def test_a_lead_without_an_address_falls_back_to_their_login_and_is_emailed_once(
    officer, performance, action, django_capture_on_commit_callbacks
):
    officer.lead.email = ""
    officer.lead.save()
    action.leads.remove(action.leads.get(initials="T2"))
    change = ask(officer, action)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_request(user=performance, request=change, approve=True)
    assert [email.to for email in mail.outbox] == [["officer-login@example.org"]]


# --- reminders: when they are due ---------------------------------------------------------------------


@pytest.fixture
def reminded_plan(plan):
    plan.updates_due_day, plan.reminder_days_before = 10, 3
    plan.save()
    # Only this plan reminds (the demo's, loaded for some tests of the session, would too).
    Plan.objects.exclude(pk=plan.pk).update(updates_due_day=None)
    measure = make_measure(make_priority(plan))
    rd = make_lead("T1", name="Rebecca Dunne", email="rebecca.dunne@example.org")
    hb = make_lead("T0", name="Hugh Bennett", email="hugh.bennett@example.org")
    nobody = make_lead("T2", name="James Pitt")  # no address
    for i in range(1, 8):
        make_action(measure, f"1.1.{i}", f"Action {i} of Rebecca", leads=[rd], original="2009-07")
    make_action(measure, "2.1.1", "Hugh's only action", leads=[hb], original="2009-07")
    done = make_action(measure, "2.1.2", "Hugh's done action", leads=[hb], original="2009-07")
    make_status(done, "2009-07", "GREEN")
    make_action(measure, "3.1.1", "James's action", leads=[nobody], original="2009-07")
    return plan


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (datetime.date(2009, 8, 6), False),  # the day before the reminder day
        (datetime.date(2009, 8, 7), True),  # 3 days before 10 August
        (datetime.date(2009, 8, 9), True),  # missed on the 7th: still before the deadline
        (datetime.date(2009, 8, 10), True),  # the deadline itself
        (datetime.date(2009, 8, 11), False),  # past it
    ],
)
def test_july_is_due_from_three_days_before_10_august_to_the_deadline(reminded_plan, today, due):
    assert reminded_plan.update_deadline(JULY) == datetime.date(2009, 8, 10)
    assert notifications.reminder_due(reminded_plan, JULY, today) is due
    assert notifications.months_due(today) == ([(reminded_plan, JULY)] if due else [])


def test_no_deadline_no_reminder(reminded_plan):
    reminded_plan.updates_due_day = None
    reminded_plan.save()
    assert notifications.months_due(datetime.date(2009, 8, 10)) == []


def test_a_closed_month_is_not_reminded(reminded_plan):
    MonthClose.objects.create(plan=reminded_plan, month=JULY.first_day)
    assert notifications.months_due(datetime.date(2009, 8, 7)) == []


def test_a_two_monthly_plan_reminds_only_for_its_reporting_months():
    rotherham = make_plan(
        first_month="2009-07", reporting_interval=2, updates_due_day=5, reminder_days_before=0
    )
    assert notifications.months_due(datetime.date(2009, 8, 5)) == []  # July is not reported
    assert notifications.months_due(datetime.date(2009, 9, 5)) == [(rotherham, Month(2009, 8))]


# --- reminders: what they say and to whom ----------------------------------------------------------------


def test_each_lead_gets_their_own_actions_with_singular_and_plural_right(reminded_plan):
    [run] = notifications.send_due_reminders(today=datetime.date(2009, 8, 7))
    assert [lead.initials for lead in run.sent] == ["T0", "T1"]
    assert [lead.initials for lead in run.unreachable] == ["T2"]
    hugh, rebecca = mail.outbox
    assert hugh.to == ["hugh.bennett@example.org"]
    assert hugh.subject == "Improvement Plan 2009/10: 1 action to update for July 2009 by 10 August"
    assert hugh.body == (
        "Dear Hugh Bennett,\n\n"
        "The updates of Improvement Plan 2009/10 for July 2009 are due by Monday 10 August 2009.\n"
        "This action you lead has no status for July 2009 yet:\n\n"
        "- 2.1.1 Hugh's only action\n\n"
        "Please update it here: http://127.0.0.1:8000/plans/p/my/2009-07/\n\n"
        "The performance team\n"
    )
    assert rebecca.subject == "Improvement Plan 2009/10: 7 actions to update for July 2009 by 10 August"
    assert rebecca.body.startswith("Dear Rebecca Dunne,\n\n")
    assert (
        "These 7 actions you lead have no status for July 2009 yet:\n\n- 1.1.1 Action 1 of Rebecca\n"
        in rebecca.body
    )
    assert "Hugh" not in rebecca.body  # only her own
    assert "Please update them here:" in rebecca.body


def test_a_lead_without_a_name_is_addressed_by_their_logins_name(reminded_plan, role_user):
    user = role_user("officer")
    user.first_name, user.last_name = "Rebecca", "Dunne"
    user.save()
    lead = make_lead("T3", email="ps@example.org", user=user)
    make_action(
        reminded_plan.priorities.get().measures.get(), "4.1.1", "Of PS", leads=[lead], original="2009-07"
    )
    notifications.send_due_reminders(today=datetime.date(2009, 8, 7))
    [ps] = [email for email in mail.outbox if email.to == ["ps@example.org"]]
    assert ps.body.startswith("Dear Rebecca Dunne,\n")


def test_nobody_is_reminded_twice_for_the_same_month_and_deadline(reminded_plan):
    notifications.send_due_reminders(today=datetime.date(2009, 8, 7))
    assert len(mail.outbox) == 2
    [again] = notifications.send_due_reminders(today=datetime.date(2009, 8, 8))
    assert len(mail.outbox) == 2
    assert [lead.initials for lead in again.already] == ["T0", "T1"]
    assert Reminder.objects.filter(kind="scheduled").count() == 2
    # A new deadline is a new reminder.
    reminded_plan.updates_due_day = 12
    reminded_plan.save()
    notifications.send_due_reminders(today=datetime.date(2009, 8, 9))
    assert len(mail.outbox) == 4


def test_the_database_refuses_a_second_scheduled_reminder(reminded_plan):
    from django.db import IntegrityError, transaction

    notifications.send_due_reminders(today=datetime.date(2009, 8, 7))
    first = Reminder.objects.filter(kind="scheduled").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            plan=first.plan, month=first.month, lead=first.lead, kind="scheduled", deadline=first.deadline,
            address=first.address, actions=1,
        )  # fmt: skip


def test_a_failed_send_is_not_recorded_so_the_next_run_tries_again(reminded_plan, settings):
    settings.EMAIL_BACKEND = "tests.plans.test_notifications.BrokenBackend"
    [run] = notifications.send_due_reminders(today=datetime.date(2009, 8, 7))
    assert [lead.initials for lead in run.failed] == ["T0", "T1"]
    assert not Reminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notifications.send_due_reminders(today=datetime.date(2009, 8, 8))
    assert len(mail.outbox) == 2


# --- the command and the worker's daily run -----------------------------------------------------------


def run_command(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_reminds_and_says_so_and_is_safe_to_run_again(reminded_plan):
    assert run_command("--date", "2009-08-07") == (
        "Improvement Plan 2009/10, July 2009 (updates due by Monday 10 August 2009):\n"
        "  reminded 2 leads: T0, T1\n"
        "  no email address: T2\n"
    )
    assert run_command("--date", "2009-08-07") == (
        "Improvement Plan 2009/10, July 2009 (updates due by Monday 10 August 2009):\n"
        "  reminded 0 leads\n"
        "  already reminded: T0, T1\n"
        "  no email address: T2\n"
    )
    assert len(mail.outbox) == 2


def test_the_command_dry_run_sends_and_records_nothing(reminded_plan):
    output = run_command("--date", "2009-08-07", "--dry-run")
    assert "  would remind 2 leads: T0, T1\n" in output
    assert output.endswith("Dry run: nothing was sent.\n")
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_the_command_on_a_day_without_reminders(reminded_plan):
    assert run_command("--date", "2009-08-20") == "No reminders are due today.\n"


def test_the_command_exits_1_when_a_reminder_could_not_be_sent(reminded_plan, settings):
    settings.EMAIL_BACKEND = "tests.plans.test_notifications.BrokenBackend"
    with pytest.raises(CommandError, match=r"Not sent \(see the log; tried again at the next run\): T0, T1"):
        run_command("--date", "2009-08-07")


def test_the_daily_run_is_queued_once_for_the_reminder_hour(settings):
    settings.REMINDER_HOUR = 8
    now = datetime.datetime(2009, 8, 7, 9, 30, tzinfo=datetime.UTC)  # 10:30 in London
    when, queued = schedule_reminder_runs(now)
    assert queued and when == next_run_time(now)
    assert when.isoformat() == "2009-08-08T08:00:00+01:00"
    assert schedule_reminder_runs(now) == (when, False)
    assert run_command("--schedule").startswith(
        "The worker's daily reminder run is already queued for 2009-08-08 08:00 BST"
    )
    assert DBTaskResult.objects.count() == 1


def test_the_daily_run_sends_what_is_due_and_queues_the_next(reminded_plan, monkeypatch):
    monkeypatch.setattr("plans.notifications.timezone.localdate", lambda: datetime.date(2009, 8, 7))
    assert send_due_reminders.call() == 2
    assert len(mail.outbox) == 2
    assert DBTaskResult.objects.filter(task_path=send_due_reminders.module_path, status="READY").count() == 1


# --- the demo ---------------------------------------------------------------------------------------


def test_every_demo_lead_has_a_name_and_an_address_so_chase_reaches_them_all(demo):
    leads = Lead.objects.filter(actions__plan=demo["2009"]).select_related("user").distinct()
    assert leads.count() == 16
    assert [lead.initials for lead in leads if not (lead.address and lead.name)] == []
    assert Lead.objects.get(initials="PS").display_name == "Rebecca Dunne"
    plan = demo["2009"]
    assert (plan.updates_due_day, plan.reminder_days_before) == (10, 3)
    # August 2009's chase list: every lead with an action still to update can be emailed.
    groups = services.outstanding_by_lead(plan=plan, month=Month(2009, 8))
    assert groups and all(group.address for group in groups if group.lead)
