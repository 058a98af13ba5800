import pytest

import audit
from audit.models import AuditEvent
from plans.periods import Month
from tests.factories import make_plan, make_user


def test_record_keeps_who_what_plan_month_and_details(db):
    user = make_user("perf")
    plan = make_plan(slug="bromsgrove")
    event = audit.record("month-close", user=user, plan=plan, month=Month.parse("2009-07"), actions=83)
    event.refresh_from_db()
    assert event.kind == "month-close"
    assert event.user == user
    assert event.username == "perf"
    assert event.plan == plan
    assert str(event.month) == "2009-07-01"
    assert event.details == {"actions": 83}
    assert str(event).endswith("Month closed (perf)")


def test_details_may_hold_dates(db):
    import datetime

    event = audit.record("import", filename="plan.xlsx", as_of=datetime.date(2009, 7, 31))
    event.refresh_from_db()
    assert event.details == {"filename": "plan.xlsx", "as_of": "2009-07-31"}


def test_an_unknown_kind_is_refused(db):
    with pytest.raises(ValueError, match="Unknown audit kind 'aproval'"):
        audit.record("aproval")
    assert not AuditEvent.objects.exists()


def test_the_admin_lists_events_read_only(client_as, db):
    audit.record("import", filename="plan.xlsx")
    client = client_as("admin")
    listing = client.get("/admin/audit/auditevent/")
    assert listing.status_code == 200
    assert "Workbook imported" in listing.content.decode()
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    event = AuditEvent.objects.get(kind="import")
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
