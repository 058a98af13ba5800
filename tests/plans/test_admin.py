"""The Django admin writes only through the services: closed months stay as published, a status
moves rather than doubles, requests are decided by ``decide_request`` (issue 13, item 1)."""

import datetime

import pytest

from audit.models import AuditEvent
from plans.models import ActionChange, ChangeRequest, MonthClose, MonthlyStatus
from plans.periods import Month
from reports.closing import close_month
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_status

pytestmark = pytest.mark.django_db

JULY = datetime.date(2009, 7, 1)


@pytest.fixture
def action():
    plan = make_plan(slug="p", first_month="2009-07")
    return make_action(
        make_measure(make_priority(plan)),
        "1.1.1",
        "Town centre study",
        leads=[make_lead("PS")],
        original="2009-07",
    )


@pytest.fixture
def admin_client(client, role_user):
    client.force_login(role_user("admin"))
    return client


def status_form(record: MonthlyStatus, **changes) -> dict:
    data = {
        "action": record.action_id,
        "month": record.month.isoformat(),
        "status": record.status,
        "word": record.word,
        "corrective_action": record.corrective_action,
        "note": record.note,
    }
    return {**data, **changes}


def action_form(action, **changes) -> dict:
    """The admin's change form of an action as it stands, with ``changes``."""
    data = {
        "measure": action.measure_id,
        "ref": action.ref,
        "description": action.description,
        "position": action.position,
        "original_target": "2009-07-01",
        "corrective_action": "",
        "leads": [lead.pk for lead in action.leads.all()],
        "planned-TOTAL_FORMS": 0,
        "planned-INITIAL_FORMS": 0,
        "statuses-TOTAL_FORMS": 0,
        "statuses-INITIAL_FORMS": 0,
    }
    return {**data, **changes}


def test_the_admin_cannot_change_a_status_in_a_closed_month(admin_client, action, role_user):
    july = make_status(action, "2009-07", "GREEN")
    close_month(action.plan, july.as_month, role_user("performance"))
    response = admin_client.post(
        f"/admin/plans/monthlystatus/{july.pk}/change/", status_form(july, status="RED")
    )
    assert response.status_code == 200
    assert "July 2009 is closed: its report is published" in response.content.decode()
    july.refresh_from_db()
    assert july.status == "GREEN"


def test_the_admin_cannot_delete_a_status_in_a_closed_month(admin_client, action, role_user):
    july = make_status(action, "2009-07", "GREEN")
    close_month(action.plan, july.as_month, role_user("performance"))
    response = admin_client.post(f"/admin/plans/monthlystatus/{july.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert MonthlyStatus.objects.filter(pk=july.pk).exists()


def test_changing_a_statuss_month_moves_it_with_its_history(admin_client, action):
    july = make_status(action, "2009-07", "AMBER", corrective_action="Chase the consultants")
    response = admin_client.post(
        f"/admin/plans/monthlystatus/{july.pk}/change/", status_form(july, month="2009-08-01")
    )
    assert response.status_code == 302
    assert [(s.month, s.status) for s in MonthlyStatus.objects.filter(action=action)] == [
        (datetime.date(2009, 8, 1), "AMBER")
    ]
    moved = ActionChange.objects.filter(action=action, field="status", source="admin")
    assert sorted((c.month, c.old_value, c.new_value) for c in moved) == [
        (datetime.date(2009, 7, 1), "AMBER", ""),
        (datetime.date(2009, 8, 1), "", "AMBER"),
    ]


def test_the_status_inline_refuses_a_closed_month(admin_client, action, role_user):
    july = make_status(action, "2009-07", "GREEN")
    close_month(action.plan, july.as_month, role_user("performance"))
    page = admin_client.get(f"/admin/plans/action/{action.pk}/change/")
    assert page.status_code == 200
    data = action_form(
        action,
        **{
            "statuses-TOTAL_FORMS": 1,
            "statuses-INITIAL_FORMS": 1,
            "statuses-0-id": july.pk,
            "statuses-0-action": action.pk,
            "statuses-0-month": "2009-07-01",
            "statuses-0-status": "RED",
            "statuses-0-word": "",
            "statuses-0-corrective_action": "",
            "statuses-0-note": "",
        },
    )
    response = admin_client.post(f"/admin/plans/action/{action.pk}/change/", data)
    assert "July 2009 is closed" in response.content.decode()
    july.refresh_from_db()
    assert july.status == "GREEN"


def test_editing_an_action_in_the_admin_bumps_its_version_and_keeps_history(admin_client, action):
    page = admin_client.get(f"/admin/plans/action/{action.pk}/change/")
    assert page.status_code == 200
    data = action_form(action, description="Town centre study, phase 2")
    response = admin_client.post(f"/admin/plans/action/{action.pk}/change/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
    )
    version = action.version
    action.refresh_from_db()
    assert action.description == "Town centre study, phase 2" and action.version == version + 1
    change = ActionChange.objects.get(action=action, field="description")
    assert (change.old_value, change.new_value, change.source) == (
        "Town centre study",
        "Town centre study, phase 2",
        "admin",
    )


def test_a_request_is_decided_through_the_service_not_by_editing_its_state(admin_client, action):
    request = ChangeRequest.objects.create(
        action=action, kind="SUSPENSION", month=JULY, reason="Budget jury on hold"
    )
    # The state is not a field of the change form.
    admin_client.post(
        f"/admin/plans/changerequest/{request.pk}/change/",
        {
            "action": action.pk,
            "kind": "SUSPENSION",
            "month": "2009-07-01",
            "reason": "x",
            "state": "APPROVED",
        },
    )
    request.refresh_from_db()
    assert request.state == "PENDING"
    response = admin_client.post(
        "/admin/plans/changerequest/", {"action": "approve", "_selected_action": [request.pk]}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "APPROVED"
    assert MonthlyStatus.objects.get(action=action, month=JULY).status == "SUSP"
    assert AuditEvent.objects.filter(kind="approval").count() == 1
    assert ActionChange.objects.filter(action=action, field="request", source="approval").exists()


def test_published_months_and_stored_documents_are_read_only_in_the_admin(admin_client, action, role_user):
    make_status(action, "2009-07", "GREEN")
    close = close_month(action.plan, Month(2009, 7), role_user("performance"))
    assert admin_client.get(f"/admin/plans/monthclose/{close.pk}/change/").status_code == 200  # to read
    admin_client.post(
        f"/admin/plans/monthclose/{close.pk}/change/", {"state": "REOPENED", "reopen_reason": "x"}
    )
    admin_client.post(f"/admin/plans/monthclose/{close.pk}/delete/", {"post": "yes"})
    close.refresh_from_db()
    assert close.is_closed and MonthClose.objects.filter(plan=action.plan).count() == 1
    assert admin_client.get("/admin/reports/document/add/").status_code == 403


def test_a_plan_or_action_with_a_published_month_cannot_be_deleted_in_the_admin(
    admin_client, action, role_user
):
    make_status(action, "2009-07", "GREEN")
    close_month(action.plan, Month(2009, 7), role_user("performance"))
    assert (
        admin_client.post(f"/admin/plans/plan/{action.plan_id}/delete/", {"post": "yes"}).status_code == 403
    )
    assert admin_client.post(f"/admin/plans/action/{action.pk}/delete/", {"post": "yes"}).status_code == 403
    assert MonthClose.objects.filter(plan=action.plan).count() == 1
    action.refresh_from_db()


def test_a_progress_update_written_in_the_admin_goes_through_the_service(admin_client, action, role_user):
    from plans.models import MeasureChange, MeasureProgress

    measure = action.measure
    add = "/admin/plans/measureprogress/add/"
    response = admin_client.post(add, {"measure": measure.pk, "month": "2009-07-01", "text": "Study begun"})
    assert response.status_code == 302
    progress = MeasureProgress.objects.get(measure=measure)
    assert progress.text == "Study begun"
    [change] = MeasureChange.objects.all()
    assert (change.new_text, change.source) == ("Study begun", "admin")
    make_status(action, "2009-07", "GREEN")
    close_month(action.plan, Month(2009, 7), role_user("performance"))
    response = admin_client.post(
        f"/admin/plans/measureprogress/{progress.pk}/change/", {"text": "Rewritten after publication"}
    )
    assert response.status_code == 200
    assert "July 2009 is closed" in response.content.decode()
    assert MeasureProgress.objects.get().text == "Study begun"
    assert (
        admin_client.post(f"/admin/plans/measureprogress/{progress.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
