"""The demo data reproduces the figures of seed 000 exactly."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from plans import services
from plans.models import Action, ActionChange, ChangeRequest, MonthClose, MonthlyStatus, Plan
from plans.periods import Month
from plans.status import Status, approved_status
from reports.builders import month_figures
from reports.exception_report import exception_report
from reports.models import Document

JULY_2009_JSON = {
    "plan": "bromsgrove-2009-10",
    "month": "2009-07",
    "total": 83,
    "counts": {"RED": 0, "AMBER": 11, "GREEN": 67, "REPRO": 0, "SUSP": 5},
    "percentages": {"RED": "0.0", "AMBER": "13.3", "GREEN": "80.7", "REPRO": "0.0", "SUSP": "6.0"},
    "exceptions_by_priority": [
        {"priority": "CP1", "title": "Town Centre", "AMBER": 4, "RED": 0},
        {"priority": "CP3", "title": "Sense of Community", "AMBER": 2, "RED": 0},
        {"priority": "FP3", "title": "Managing resources (including Value for Money)", "AMBER": 1, "RED": 0},
        {"priority": "PR3", "title": "Joint CEO with Redditch Borough Council", "AMBER": 1, "RED": 0},
        {"priority": "PR5", "title": "Planning", "AMBER": 1, "RED": 0},
        {"priority": "HR & OD1", "title": "Learning & Development", "AMBER": 2, "RED": 0},
    ],
    # The demo's eleven indicators (tests/plans/test_demo_indicators.py gives each): TC2's July
    # actual is the officer's to enter; 8 of the 10 with both actuals better than July 2008.
    "indicators": {
        "total": 11,
        "counts": {"GREEN": 5, "AMBER": 3, "RED": 2},
        "improving": {"count": 8, "of": 10, "percent": "80.0"},
    },
}

# Appendix 1, page 1: RED, AMBER, GREEN, REPRO for each month of 2008/09 (SUSP was not counted then).
PAPER_2008_09 = {
    "2008-07": (11, 3, 114, 0),
    "2008-08": (17, 4, 96, 1),
    "2008-09": (16, 8, 99, 11),
    "2008-10": (15, 7, 104, 15),
    "2008-11": (12, 8, 106, 12),
    "2008-12": (13, 5, 100, 13),
    "2009-01": (0, 4, 95, 11),
    "2009-02": (2, 3, 112, 13),
    "2009-03": (3, 5, 80, 14),
    "2009-04": (3, 5, 71, 14),
    "2009-05": (3, 3, 60, 12),
    "2009-06": (1, 0, 70, 14),
}


def test_report_summary_json_for_july_2009(demo, capsys):
    call_command("report_summary", "--plan", "bromsgrove-2009-10", "--month", "2009-07", "--format", "json")
    assert json.loads(capsys.readouterr().out) == JULY_2009_JSON


@pytest.mark.parametrize(("month", "expected"), PAPER_2008_09.items())
def test_every_2008_09_month_has_the_papers_counts(demo, month, expected, capsys):
    call_command("report_summary", "--plan", "bromsgrove-2008-09", "--month", month, "--format", "json")
    counts = json.loads(capsys.readouterr().out)["counts"]
    assert (counts["RED"], counts["AMBER"], counts["GREEN"], counts["REPRO"], counts["SUSP"]) == (
        *expected,
        0,
    )


def test_paper_slips_are_computed_not_copied(demo):
    december = month_figures(demo["2008"], Month(2008, 12)).as_json()
    assert december["total"] == 131 and december["percentages"]["AMBER"] == "3.8"
    march = month_figures(demo["2008"], Month(2009, 3)).as_json()
    assert march["total"] == 102 and march["percentages"]["GREEN"] == "78.4"
    may = month_figures(demo["2008"], Month(2009, 5)).as_json()
    assert may["percentages"]["RED"] == "3.8" and may["percentages"]["AMBER"] == "3.8"


def test_text_format(demo, capsys):
    call_command("report_summary", "--plan", "bromsgrove-2009-10", "--month", "2009-07")
    out = capsys.readouterr().out
    assert "Improvement Plan 2009/10, July 2009: 83 actions" in out
    assert "AMBER    11  13.3%" in out


@pytest.mark.parametrize(
    ("plan", "month", "message"),
    [
        ("no-such-plan", "2009-07", "No plan with slug 'no-such-plan'."),
        ("bromsgrove-2009-10", "2011-01", "January 2011 is not in Improvement Plan 2009/10"),
        ("bromsgrove-2009-10", "July", "'July' is not a month in the form YYYY-MM"),
    ],
)
def test_report_summary_refuses_what_does_not_exist(demo, plan, month, message):
    with pytest.raises(CommandError, match=message):
        call_command("report_summary", "--plan", plan, "--month", month)


def test_the_exception_actions_are_as_seed_000_gives_them(demo):
    action = Action.objects.get(plan=demo["2009"], ref="1.1.1")
    assert action.description == "Engage specialist organisation to complete unified vision"
    assert action.lead_initials == "PS"
    assert str(action.measure) == "1.1 Agreement on preferred option of Area Action Pan"
    assert action.status_for(Month(2009, 7)).corrective_action == (
        "Meeting planned for September to start this work with planning architects."
    )
    assert (action.original_target.isoformat(), action.revised_target.isoformat()) == (
        "2009-07-01",
        "2009-09-01",
    )
    approved = ChangeRequest.objects.filter(action__plan=demo["2009"], state="APPROVED")
    assert sorted(approved.values_list("action__ref", flat=True)) == [
        "5.4.1",
        "5.4.2",
        "5.4.3",
        "5.4.7",
        "8.3.4",
    ]
    pending = ChangeRequest.objects.filter(action__plan=demo["2009"], state="PENDING")
    assert sorted(pending.values_list("action__ref", flat=True)) == ["13.4.4", "14.1.1", "7.3.3"]


def test_demo_plans_are_linked_year_to_year(demo):
    assert demo["2009"].previous_plan == demo["2008"]
    assert demo["2009"].start == Month(2009, 7) and demo["2009"].end == Month(2010, 6)


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing(capsys):
    call_command("load_demo", "--force")
    count = Action.objects.count()
    call_command("load_demo", "--force")
    assert Action.objects.count() == count
    assert "bromsgrove-2009-10: already loaded" in capsys.readouterr().out


@pytest.mark.django_db
def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    before = Action.objects.count()
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", "--reset")
    assert Action.objects.count() == before


@pytest.mark.django_db
def test_demo_logins_have_their_roles():
    from django.contrib.auth.models import User

    call_command("load_demo", "--force")
    officer = User.objects.get(username="officer")
    assert officer.lead.initials == "PS"
    assert officer.has_perm("plans.update_own_actions") and not officer.has_perm("plans.approve_change")
    assert User.objects.get(username="cmt").has_perm("plans.approve_change")
    assert not User.objects.get(username="clerk").has_perm("plans.update_own_actions")
    assert User.objects.get(username="admin").is_superuser
    assert officer.check_password("demo")


@pytest.mark.django_db
def test_the_demo_logins_are_people_of_their_councils():
    call_command("load_demo", "--force")
    bromsgrove = Plan.objects.get(slug="bromsgrove-2009-10")
    roles_held = {
        username: [
            (m.organisation.slug, m.role.name) for m in User.objects.get(username=username).memberships.all()
        ]
        for username in (
            "officer",
            "performance",
            "cmt",
            "clerk",
            "rotherham-performance",
            "rotherham-officer",
        )
    }
    assert roles_held == {
        "officer": [("bromsgrove", "Officer")],
        "performance": [("bromsgrove", "Performance team")],
        "cmt": [("bromsgrove", "CMT")],
        "clerk": [("bromsgrove", "Clerk")],
        "rotherham-performance": [("rotherham", "Performance team")],
        "rotherham-officer": [("rotherham", "Officer")],
    }
    rotherham = User.objects.get(username="rotherham-performance")
    assert rotherham.memberships.get().organisation.name == "Rotherham Metropolitan Borough Council"
    assert rotherham.check_password("demo")
    assert not Plan.objects.visible_to(rotherham).filter(pk=bromsgrove.pk).exists()
    assert not rotherham.has_perm("plans.approve_change", bromsgrove)
    assert User.objects.get(username="admin").memberships.count() == 0  # the site administrator


def test_every_month_of_2008_09_is_published_and_july_2009_is_the_open_draft(demo):
    closed = MonthClose.objects.closed().filter(plan=demo["2008"]).order_by("month")
    assert [str(Month.from_date(close.month)) for close in closed] == list(PAPER_2008_09)
    assert [close.closed_by.username for close in closed] == ["performance"] * 12
    for month in PAPER_2008_09:
        report = exception_report(demo["2008"], Month.parse(month))
        # Published once everything was recorded: nothing has changed since.
        assert report.state.is_closed and report.state.changes_since_total == 0
    assert not MonthClose.objects.filter(plan=demo["2009"]).exists()
    assert exception_report(demo["2009"], Month(2009, 7)).state.is_draft


def test_officers_cannot_change_2008_09_any_more(demo):
    officer = User.objects.get(username="officer")
    action = Action.objects.filter(plan=demo["2008"]).led_by(officer).filter(statuses__isnull=False).first()
    record = action.statuses.order_by("month").first()
    update = services.ActionUpdate(action.pk, action.version, Status.GREEN, corrective_action="Done")
    with pytest.raises(services.MonthClosedError, match=f"{record.as_month.name} is closed"):
        services.update_month(user=officer, plan=demo["2008"], month=record.as_month, updates=[update])


def test_every_reported_month_has_a_status_for_each_live_action_and_no_other(demo):
    reported = [(demo["2008"], month) for month in demo["2008"].month_list] + [(demo["2009"], Month(2009, 7))]
    for plan, month in reported:
        live = set(Action.objects.filter(plan=plan).live_in(month).values_list("pk", flat=True))
        recorded = MonthlyStatus.objects.in_plan(plan).in_month(month).values_list("action_id", flat=True)
        assert live == set(recorded), month
        assert services.outstanding_by_lead(plan=plan, month=month) == []


def test_re_programmed_and_suspended_statuses_are_reported_under_an_approval(demo):
    """Approving records the status of the request's month; every later month's REPRO or SUSP
    was reported, and an approval covers it."""
    plans = demo.values()
    approved = ChangeRequest.objects.filter(action__plan__in=plans, state="APPROVED").select_related("action")
    assert approved.count() == 26  # 21 re-programmes in 2008/09, July 2009's 5 suspensions
    for request in approved:
        month = Month.from_date(request.month)
        assert request.action.status_for(month).status == request.approval.status
    decisions = ActionChange.objects.filter(action__plan__in=plans, source="approval", field="request")
    assert decisions.count() == 26
    records = MonthlyStatus.objects.filter(action__plan__in=plans, status__in=[Status.REPRO, Status.SUSP])
    approvals = services.approvals_for(records.values_list("action_id", flat=True))
    assert records.count() == 135
    for record in records:
        assert approved_status(record.as_month, approvals[record.action_id]) == record.status


@pytest.mark.django_db
def test_a_load_queues_the_published_pdfs_and_keeps_its_audit_record():
    call_command("load_demo", "--force", "--reset", verbosity=0)
    plan = Plan.objects.get(slug="bromsgrove-2008-09")
    queued = Document.objects.filter(plan=plan, published=True, state=Document.State.PENDING)
    assert queued.count() == 24  # the appendix and cover of each of the 12 months
    # and Rotherham's progress report of each of May and July 2007
    assert DBTaskResult.objects.filter(status="READY").count() == 26
    events = AuditEvent.objects.filter(plan__slug__startswith="bromsgrove-")
    assert events.filter(kind="import").count() == 2
    assert events.filter(kind="approval").count() == 26
    assert events.filter(kind="month-close").count() == 12


def test_rotherhams_people_are_asked_about_september_2007_its_first_progress_report(demo, client):
    plan = Plan.objects.get(slug="rotherham-2007-10")
    closed = MonthClose.objects.closed().filter(plan=plan).order_by("month")
    assert [str(Month.from_date(close.month)) for close in closed] == ["2007-05", "2007-07"]
    assert [close.closed_by.username for close in closed] == ["rotherham-performance"] * 2
    client.force_login(User.objects.get(username="rotherham-officer"))
    home = client.get("/").content.decode()
    assert "Update your actions for September 2007" in home
    page = client.get("/plans/rotherham-2007-10/my/2007-09/").content.decode()
    assert page.count('class="month-row"') == 13  # the Assistant Chief Executive's key actions
