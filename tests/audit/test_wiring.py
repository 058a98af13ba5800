"""Approvals, month closes and re-opens, and imports write to the audit record, in the same
transaction as the change (a refused change leaves no event)."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from plans.models import ChangeRequest
from plans.periods import Month
from plans.services import decide_request
from reports.closing import close_month, reopen_month
from tests.factories import default_organisation, make_action, make_measure, make_plan, make_priority

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "bromsgrove-2007-08.xlsx"


def test_a_decision_is_audited(role_user, db):
    plan = make_plan(slug="p")
    action = make_action(make_measure(make_priority(plan)), "1.1.1", "Town centre plan")
    change = ChangeRequest.objects.create(
        action=action,
        kind="REPROGRAMME",
        month=datetime.date(2009, 7, 1),
        new_target=datetime.date(2009, 10, 1),
        reason="Waiting for budget",
    )
    approver = role_user("cmt")
    decide_request(user=approver, request=change, approve=False, comment="Not yet")
    event = AuditEvent.objects.get(kind="approval")
    assert (event.user, event.plan, event.month) == (approver, plan, datetime.date(2009, 7, 1))
    assert event.details == {
        "action": "1.1.1",
        "action_id": action.pk,
        "request_id": change.pk,
        "request_kind": "REPROGRAMME",
        "decision": "REJECTED",
        "comment": "Not yet",
    }


def test_closing_and_reopening_a_month_are_audited(demo, role_user):
    plan = demo["2009"]
    user = role_user("performance")
    close_month(plan, Month(2009, 7), user)
    closed = AuditEvent.objects.get(kind="month-close")
    assert (closed.user, closed.plan, closed.month) == (user, plan, datetime.date(2009, 7, 1))
    # The close records what it left outstanding: no update missing, the demo's three requests.
    waiting = closed.details.pop("requests_waiting")
    assert closed.details == {"total": 83, "missing": 0}
    refs = ChangeRequest.objects.filter(pk__in=waiting).values_list("action__ref", flat=True)
    assert sorted(refs) == ["13.4.4", "14.1.1", "7.3.3"]
    reopen_month(plan, Month(2009, 7), user, "Late update from PS")
    assert AuditEvent.objects.get(kind="month-reopen").details == {"reason": "Late update from PS"}


def test_a_refused_close_leaves_no_audit_event(demo, role_user):
    from reports.closing import MonthCloseError

    with pytest.raises(MonthCloseError):
        close_month(demo["2009"], Month(2010, 6), role_user("performance"))
    assert not AuditEvent.objects.filter(kind="month-close").exists()


def test_an_import_is_audited_and_a_dry_run_is_not(db):
    council = default_organisation().slug
    call_command("import_plan", str(FIXTURE), "--dry-run", "--organisation", council, stdout=io.StringIO())
    assert not AuditEvent.objects.filter(kind="import").exists()
    call_command("import_plan", str(FIXTURE), "--organisation", council, stdout=io.StringIO())
    event = AuditEvent.objects.get(kind="import")
    assert event.plan is not None
    assert event.details["created"] is True
    assert event.details["added"]["actions"] == event.plan.actions.count()
