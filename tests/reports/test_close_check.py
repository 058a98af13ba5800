"""Check before closing (GOV.UK "check answers"): what the close would publish, the updates still
missing and the requests still waiting, then the confirmation; requests of a closed month."""

import pytest

from audit.models import AuditEvent
from plans import services
from plans.models import ChangeRequest, MonthClose
from plans.periods import Month
from reports.closing import close_check, close_month
from tests.conftest import SESSION_REFRESH_QUERIES
from tests.factories import (
    make_action,
    make_lead,
    make_measure,
    make_plan,
    make_priority,
    make_sized_plan,
    make_status,
)

JULY = Month(2009, 7)
CHECK = "/reports/p/2009-07/close/"


@pytest.fixture
def plan(db, role_user):
    """July 2009: 1.1.1 and 1.1.2 GREEN, 1.1.3 (QH) without a status; QS has asked to suspend
    1.1.2 from July."""
    plan = make_plan(slug="p", title="Improvement Plan 2009/10")
    measure = make_measure(make_priority(plan))
    ps = make_lead("QS", user=role_user("officer"))
    hb = make_lead("QH")
    actions = [
        make_action(measure, f"1.1.{i}", f"Action {i}", leads=[lead], planned=["2009-07"], original="2009-07")
        for i, lead in ((1, ps), (2, ps), (3, hb))
    ]
    make_status(actions[0], "2009-07", "GREEN")
    make_status(actions[1], "2009-07", "GREEN")
    request = services.request_change(
        user=role_user("officer"), action=actions[1], kind="SUSPENSION", month=JULY, reason="Budget frozen"
    )
    return plan, actions, request


def test_the_check_lists_missing_updates_requests_waiting_and_the_consistency_check(plan, client_as):
    response = client_as("performance").get(CHECK)
    html = response.content.decode()
    assert "Check before closing July 2009" in html
    assert "2 actions" in html  # reported
    assert "1 action live in July 2009 has no status</strong>" in html
    assert "QH: <a href=" in html and ">1.1.3</a>" in html
    assert "1 request for July 2009 is waiting</strong>" in html
    assert "Suspension of <a href=" in html and ">1.1.2</a>" in html
    assert "If you close July 2009 now, this request can no longer be approved." in html
    assert "Passed: every figure of the report agrees with the others." in html
    assert 'href="/plans/p/chase/2009-07/"' in html and 'href="/plans/p/approvals/"' in html
    assert "Close July 2009 and publish the report" in html
    assert not MonthClose.objects.filter(plan=plan[0]).exists()


def test_confirming_closes_and_shows_the_confirmation_panel(plan, client_as, role_user):
    client = client_as("performance")
    checked = client.get(CHECK).context["check"].fingerprint
    response = client.post(CHECK, {"checked": checked}, follow=True)
    assert response.redirect_chain == [("/reports/p/2009-07/closed/", 302)]
    html = response.content.decode()
    assert '<h1 class="panel-title">July 2009 is closed</h1>' in html
    assert "1 request for July 2009 was still waiting for a decision and can no longer be approved." in html
    assert MonthClose.objects.is_closed(plan[0], JULY)
    # The request is left waiting: nobody decided it.
    assert ChangeRequest.objects.get(pk=plan[2].pk).state == "PENDING"
    event = AuditEvent.objects.get(kind="month-close")
    assert event.details["missing"] == 1 and event.details["requests_waiting"] == [plan[2].pk]


def test_a_close_is_refused_when_the_check_changed_since_it_was_shown(plan, client_as, role_user):
    client = client_as("performance")
    checked = client.get(CHECK).context["check"].fingerprint
    # A colleague approves the request meanwhile.
    services.decide_request(user=role_user("cmt"), request=plan[2], approve=True)
    response = client.post(CHECK, {"checked": checked})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem: the month has not been closed" in html
    assert "July 2009 changed while you were checking it" in html
    assert "None." in html  # the check shown again, as it is now: no request waiting
    assert not MonthClose.objects.filter(plan=plan[0]).exists()
    # Confirming what is shown now closes.
    response = client.post(CHECK, {"checked": response.context["check"].fingerprint})
    assert response.status_code == 302 and MonthClose.objects.is_closed(plan[0], JULY)


def test_a_status_changed_since_the_check_is_not_published_unseen(plan, client_as, role_user):
    client = client_as("performance")
    checked = client.get(CHECK).context["check"].fingerprint
    # Same number of statuses, another figure: 1.1.1 goes from Green to Amber meanwhile.
    services.set_status(
        action=plan[1][0], month=JULY, status="AMBER", user=role_user("performance"), corrective_action="Late"
    )
    response = client.post(CHECK, {"checked": checked})
    assert "July 2009 changed while you were checking it" in response.content.decode()
    assert not MonthClose.objects.filter(plan=plan[0]).exists()


def test_a_month_that_cannot_be_closed_says_why_and_offers_no_button(plan, client_as):
    html = client_as("performance").get("/reports/p/2009-08/close/").content.decode()
    assert "August 2009 cannot be closed" in html
    assert "August 2009 has no statuses yet: there is nothing to publish." in html
    assert "publish the report</button>" not in html


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk"])
def test_only_the_performance_team_sees_the_check_and_the_confirmation(plan, client_as, role_user, role):
    client = client_as(role)
    assert client.get(CHECK).status_code == 403
    assert client.post(CHECK, {"checked": "x"}).status_code == 403
    close_month(plan[0], JULY, role_user("performance"))
    assert client.get("/reports/p/2009-07/closed/").status_code == 403


def test_the_confirmation_of_a_month_not_closed_goes_to_its_report(plan, client_as):
    response = client_as("performance").get("/reports/p/2009-07/closed/")
    assert response.status_code == 302 and response["Location"] == "/reports/p/2009-07/"


def test_approvals_after_the_close_show_the_request_as_no_longer_approvable(plan, client_as, role_user):
    close_month(plan[0], JULY, role_user("performance"))
    client = client_as("cmt")
    response = client.get("/plans/p/approvals/")
    html = response.content.decode()
    assert "Requests for a closed month" in html
    assert "July 2009 closed — can no longer be approved" in html
    assert response.context["pending"] == []
    [(request, form)] = response.context["month_closed"]
    assert request.pk == plan[2].pk
    # Only a rejection is offered for it: no Approve radio anywhere on the page.
    assert 'value="approve"' not in html
    assert f'name="r{request.pk}-decision" value="reject"' in html
    # An approval posted anyway is refused by the service, and the request still waits.
    response = client.post(
        f"/plans/p/approvals/{request.pk}/", {f"r{request.pk}-decision": "approve"}, follow=True
    )
    assert "July 2009 is closed" in response.content.decode()
    assert ChangeRequest.objects.get(pk=request.pk).state == "PENDING"
    # Rejected with a comment, the lead may ask again from a later month.
    client.post(
        f"/plans/p/approvals/{request.pk}/",
        {
            f"r{request.pk}-decision": "reject",
            f"r{request.pk}-comment": "July is published: ask again for August",
        },
    )
    assert ChangeRequest.objects.get(pk=request.pk).state == "REJECTED"
    again = services.request_change(
        user=role_user("officer"),
        action=plan[1][1],
        kind="SUSPENSION",
        month=Month(2009, 8),
        reason="Still frozen",
    )
    assert again.state == "PENDING"


def test_the_officer_home_page_says_their_request_can_no_longer_be_approved(plan, client_as, role_user):
    close_month(plan[0], JULY, role_user("performance"))
    html = client_as("officer").get("/").content.decode()
    assert ">1.1.2</a> from July 2009, asked on" in html
    assert "<strong>July 2009 closed — can no longer be approved</strong>" in html


def test_re_opening_the_month_makes_its_request_approvable_again(plan, client_as, role_user):
    from reports.closing import reopen_month

    performance = role_user("performance")
    close_month(plan[0], JULY, performance)
    reopen_month(plan[0], JULY, performance, "Late decision on 1.1.2")
    response = client_as("cmt").get("/plans/p/approvals/")
    assert [change.pk for change, _ in response.context["pending"]] == [plan[2].pk]
    assert response.context["month_closed"] == []


@pytest.mark.parametrize("size", [10, 1000])
def test_check_page_queries_do_not_grow_with_the_plan(db, client_as, django_assert_max_num_queries, size):
    plan = make_sized_plan(size, months_reported=1)
    for action in plan.actions.all()[:3]:
        ChangeRequest.objects.create(action=action, kind="SUSPENSION", month=plan.first_month, reason="x")
    client = client_as("performance")
    # session, user, permissions (2), the plan with its previous, requests waiting and their
    # leads (2), the report's own queries (9, its status words included), the missing updates
    # (actions; their leads and the leads' users when any), whether the month is closed, the
    # navigation's count
    with django_assert_max_num_queries(20 + SESSION_REFRESH_QUERIES):
        response = client.get(f"/reports/{plan.slug}/2009-07/close/")
    assert response.status_code == 200
    assert response.context["check"].report.total == size
    assert len(response.context["check"].pending) == 3


def test_close_check_is_the_rule_the_close_applies(plan, role_user):
    check = close_check(plan[0], JULY)
    assert check.refusal is None and check.missing_total == 1
    assert [r.pk for r in check.pending] == [plan[2].pk]
    close_month(plan[0], JULY, role_user("performance"), checked=check.fingerprint)
    assert close_check(plan[0], JULY).refusal == "July 2009 is already closed."
