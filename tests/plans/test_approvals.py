"""Re-programme and suspension requests, and their approval (issue 4, items 3 and 4)."""

import datetime

import pytest
from django.urls import reverse

from plans import services
from plans.models import Action, ActionChange, ChangeRequest, MonthClose, MonthlyStatus
from plans.periods import Month
from plans.status import Status
from reports.builders import month_figures
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


@pytest.fixture
def officer(role_user):
    return role_user("officer")


@pytest.fixture
def plan():
    return make_plan(slug="p", first_month="2009-07")


@pytest.fixture
def action(plan, officer):
    lead = make_lead("T1", user=officer)
    return make_action(
        make_measure(make_priority(plan)), "13.4.4", "Member development", leads=[lead], original="2009-07"
    )


@pytest.fixture
def others_action(plan):
    return make_action(
        make_measure(make_priority(plan, "CP3", "Housing")),
        "3.2.1",
        "Not mine",
        leads=[make_lead("T2")],
        original="2009-07",
    )


def request_url(action, month="2009-07"):
    return reverse("plans:request-change", kwargs={"slug": "p", "pk": action.pk, "month": month})


APPROVALS = reverse("plans:approvals", kwargs={"slug": "p"})


def decide_url(change):
    return reverse("plans:decide", kwargs={"slug": "p", "pk": change.pk})


def status_in(action, month):
    record = MonthlyStatus.objects.filter(action=action, month=Month.parse(month).first_day).first()
    return record.status if record else None


# --- requests ------------------------------------------------------------------------------------


def test_officer_requests_a_reprogramme(client, officer, action):
    client.force_login(officer)
    assert client.get(request_url(action)).status_code == 200
    response = client.post(
        request_url(action), {"kind": "REPROGRAMME", "new_target": "2009-11", "reason": "Waiting for budget"}
    )
    assert response["Location"] == "/plans/p/my/2009-07/"
    change = ChangeRequest.objects.get(action=action)
    assert (change.state, change.new_target, change.requested_by) == (
        "PENDING",
        datetime.date(2009, 11, 1),
        officer,
    )
    assert ActionChange.objects.filter(action=action, field="request").count() == 1


def test_a_reprogramme_needs_a_later_new_target(client, officer, action):
    client.force_login(officer)
    body = client.post(
        request_url(action), {"kind": "REPROGRAMME", "new_target": "", "reason": "kept reason"}
    ).content.decode()
    assert "Choose the new target month of the re-programme." in body
    assert "kept reason" in body
    body = client.post(
        request_url(action), {"kind": "REPROGRAMME", "new_target": "2012-07", "reason": "r"}
    ).content.decode()
    assert "Choose a month from August 2009 to June 2012" in body
    assert not ChangeRequest.objects.filter(action=action).exists()


def test_a_second_request_while_one_is_pending_is_refused(client, officer, action):
    client.force_login(officer)
    client.post(request_url(action), {"kind": "SUSPENSION", "reason": "On hold by CEO"})
    response = client.post(request_url(action), {"kind": "SUSPENSION", "reason": "again"})
    assert "already waiting for a decision" in response.content.decode()
    assert ChangeRequest.objects.filter(action=action).count() == 1


def test_officer_cannot_request_for_an_action_they_do_not_lead(client, officer, others_action):
    client.force_login(officer)
    assert client.get(request_url(others_action)).status_code == 403
    assert client.post(request_url(others_action), {"kind": "SUSPENSION", "reason": "x"}).status_code == 403


@pytest.mark.parametrize("role", ["cmt", "clerk", "none"])
def test_roles_that_may_not_request_are_refused(client_as, action, role):
    assert client_as(role).get(request_url(action)).status_code == 403


def test_anonymous_is_sent_to_log_in_from_every_page(client, action):
    change = ChangeRequest.objects.create(
        action=action, kind="SUSPENSION", month=datetime.date(2009, 7, 1), reason="r"
    )
    for url in (request_url(action), APPROVALS):
        assert client.get(url)["Location"].startswith("/accounts/login/")
    assert client.post(decide_url(change), {})["Location"].startswith("/accounts/login/")


# --- approvals -----------------------------------------------------------------------------------


@pytest.fixture
def pending(action, officer):
    return ChangeRequest.objects.create(
        action=action, kind="REPROGRAMME", month=datetime.date(2009, 7, 1),
        new_target=datetime.date(2009, 10, 1), reason="Waiting for budget", requested_by=officer,
    )  # fmt: skip


@pytest.mark.parametrize("role", ["officer", "clerk", "none"])
def test_roles_that_may_not_approve_are_refused(client, role_user, officer, pending, role):
    client.force_login(officer if role == "officer" else role_user(role))
    assert client.get(APPROVALS).status_code == 403
    assert client.post(decide_url(pending), {f"r{pending.pk}-decision": "approve"}).status_code == 403
    pending.refresh_from_db()
    assert pending.state == "PENDING"


@pytest.mark.parametrize("role", ["performance", "cmt"])
def test_performance_team_and_cmt_see_the_pending_requests(client_as, pending, role):
    body = client_as(role).get(APPROVALS).content.decode()
    assert "Re-programme of" in body and "13.4.4" in body and "Waiting for budget" in body


def test_until_approved_the_action_counts_by_its_dates(pending, action):
    make_status(action, "2009-07", "AMBER")
    assert month_figures(action.plan, Month(2009, 7)).count("AMBER") == 1


def test_approving_a_reprogramme_records_repro_for_its_month_only_and_sets_the_revised_target(
    client_as, pending, action
):
    make_status(action, "2009-07", "AMBER")
    client = client_as("performance")
    response = client.post(
        decide_url(pending), {f"r{pending.pk}-decision": "approve", f"r{pending.pk}-comment": "Agreed at CMT"}
    )
    assert response["Location"] == APPROVALS
    action.refresh_from_db()
    assert action.revised_target == datetime.date(2009, 10, 1) and action.reprogrammed is True
    # Later months are not reported yet: nothing is written into them (the reporting calendar).
    assert [status_in(action, m) for m in ("2009-07", "2009-08", "2009-09", "2009-10")] == [
        "REPRO",
        None,
        None,
        None,
    ]
    figures = month_figures(action.plan, Month(2009, 7))
    assert (figures.count("AMBER"), figures.count("REPRO")) == (0, 1)
    pending.refresh_from_db()
    assert (pending.state, pending.decision_comment) == ("APPROVED", "Agreed at CMT")
    assert (
        ActionChange.objects.filter(
            action=action, field="status", old_value="AMBER", new_value="REPRO", source="approval"
        ).count()
        == 1
    )
    assert "Re-programme of 13.4.4 approved." in client.get(APPROVALS).content.decode()


def test_approving_a_suspension_records_susp_for_its_month_and_suggests_it_after(
    client_as, client, action, officer
):
    change = ChangeRequest.objects.create(
        action=action, kind="SUSPENSION", month=datetime.date(2010, 3, 1), reason="On hold"
    )
    client_as("cmt").post(decide_url(change), {f"r{change.pk}-decision": "approve"})
    assert [status_in(action, m) for m in ("2010-02", "2010-03", "2010-04", "2010-05", "2010-06")] == [
        None,
        "SUSP",
        None,
        None,
        None,
    ]
    # In April the action is live and its lead is offered Suspended, which they may now record.
    assert action in Action.objects.filter(plan=action.plan).live_in(Month(2010, 4))
    client.force_login(officer)
    page = client.get(f"/plans/{action.plan.slug}/my/2010-04/").content.decode()
    assert "Suspended" in page
    services.update_month(
        user=officer,
        plan=action.plan,
        month=Month(2010, 4),
        updates=[
            services.ActionUpdate(action_id=action.pk, version=action_version(action), status=Status.SUSP)
        ],
    )
    assert status_in(action, "2010-04") == "SUSP"


def test_rejecting_needs_a_comment_and_changes_no_status(client_as, pending, action):
    client = client_as("performance")
    response = client.post(
        decide_url(pending), {f"r{pending.pk}-decision": "reject", f"r{pending.pk}-comment": ""}
    )
    assert response.status_code == 200
    assert (
        f'<a href="#id_r{pending.pk}-comment">Say why the request is rejected.</a>'
        in response.content.decode()
    )
    client.post(
        decide_url(pending), {f"r{pending.pk}-decision": "reject", f"r{pending.pk}-comment": "Not agreed"}
    )
    pending.refresh_from_db()
    assert pending.state == "REJECTED"
    assert not MonthlyStatus.objects.filter(action=action).exists()


def test_a_decision_that_is_neither_approve_nor_reject_is_refused(client_as, pending):
    response = client_as("performance").post(decide_url(pending), {f"r{pending.pk}-decision": "maybe"})
    assert "Choose whether to approve or reject the request." in response.content.decode()


def test_a_request_cannot_be_decided_twice_or_into_a_closed_month(client_as, pending, plan):
    client = client_as("performance")
    MonthClose.objects.create(plan=plan, month=datetime.date(2009, 7, 1))
    response = client.post(decide_url(pending), {f"r{pending.pk}-decision": "approve"}, follow=True)
    assert "13.4.4: July 2009 is closed" in response.content.decode()
    pending.refresh_from_db()
    assert pending.state == "PENDING"
    MonthClose.objects.all().delete()
    client.post(decide_url(pending), {f"r{pending.pk}-decision": "approve"})
    response = client.post(
        decide_url(pending), {f"r{pending.pk}-decision": "reject", f"r{pending.pk}-comment": "x"}, follow=True
    )
    assert "13.4.4: This request was already approved." in response.content.decode()


def test_an_approved_status_is_shown_not_edited_on_the_officers_page(client, officer, pending, action):
    client.force_login(officer)
    from plans import services

    services.decide_request(user=make_user("boss", "Performance team"), request=pending, approve=True)
    response = client.get(reverse("plans:my-month", kwargs={"slug": "p", "month": "2009-07"}))
    row = response.context["rows"][0]
    assert row.form is None
    assert "with approval" in response.content.decode()


def test_every_decision_is_in_the_audit_record(client_as, pending, action):
    from audit.models import AuditEvent

    client_as("cmt").post(
        decide_url(pending), {f"r{pending.pk}-decision": "approve", f"r{pending.pk}-comment": "Agreed"}
    )
    event = AuditEvent.objects.get(kind="approval", details__action_id=action.pk)
    assert (event.username, event.month, event.details["decision"], event.details["action"]) == (
        "test-cmt",
        datetime.date(2009, 7, 1),
        "APPROVED",
        "13.4.4",
    )


def action_version(action) -> int:
    action.refresh_from_db()
    return action.version


def test_a_request_for_a_closed_month_is_refused_beside_the_form(client, officer, action, role_user):
    from reports.closing import close_month

    make_status(action, "2009-07", "AMBER")
    close_month(action.plan, Month(2009, 7), role_user("performance"))
    client.force_login(officer)
    response = client.post(
        f"/plans/{action.plan.slug}/actions/{action.pk}/request/2009-07/",
        {"kind": "SUSPENSION", "reason": "On hold"},
    )
    assert response.status_code == 200
    assert "July 2009 is closed" in response.content.decode()
    assert not ChangeRequest.objects.filter(action=action).exists()
