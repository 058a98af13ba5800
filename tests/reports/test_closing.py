"""Closing a month publishes its report as it stands; re-opening needs a reason and says so."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.models import AuditEvent
from plans import services
from plans.models import MonthClose, MonthEvent, MonthlyStatus
from plans.periods import Month
from plans.status import Status
from reports import exception_report as report_module
from reports.builders import PriorityExceptions
from reports.closing import MonthCloseError, close_month, reopen_month
from reports.exception_report import exception_report
from tests.factories import make_action, make_measure, make_plan, make_priority, make_status

JULY = Month(2009, 7)


@pytest.fixture
def plan(db):
    """Four actions in July 2009: three GREEN, one AMBER."""
    plan = make_plan(slug="closing-test")
    measure = make_measure(make_priority(plan, "CP1", "Town Centre"))
    for i in range(4):
        action = make_action(
            measure, f"1.1.{i + 1}", f"Action {i + 1}", planned=["2009-07"], original="2009-07"
        )
        make_status(action, "2009-07", "AMBER" if i == 0 else "GREEN", corrective_action=f"Note {i + 1}")
    return plan


@pytest.fixture
def performance(role_user):
    return role_user("performance")


@pytest.fixture
def performance_client(client, performance):
    client.force_login(performance)
    return client


def url(plan, suffix=""):
    return f"/reports/{plan.slug}/2009-07/{suffix}"


def test_closing_publishes_the_report_and_records_who(plan, performance):
    close_month(plan, JULY, performance)
    report = exception_report(plan, JULY)
    assert report.state.is_closed and report.is_final
    assert [e.kind for e in MonthEvent.objects.filter(plan=plan)] == ["CLOSED"]
    assert MonthClose.objects.is_closed(plan, JULY)
    assert report.state.last_close.by == performance.username


def test_a_closed_month_refuses_a_status_written_through_the_service(plan, performance):
    close_month(plan, JULY, performance)
    late = plan.actions.get(ref="1.1.2")
    with pytest.raises(services.MonthClosedError, match="July 2009 is closed"):
        services.set_status(action=late, month=JULY, status=Status.RED, user=performance)
    assert late.statuses.get(month=JULY.first_day).status == "GREEN"


def test_a_closed_month_shows_the_published_figures_after_a_write_behind_the_services(
    plan, performance, client_as
):
    close_month(plan, JULY, performance)
    late = plan.actions.get(ref="1.1.2")
    # A change to the action itself after the close is listed; a row rewritten behind the
    # services (a raw SQL fix) changes no published figure, only "the counts now".
    with transaction.atomic():
        services.lock_plan(plan)
        services.update_action(action=late, user=performance, source="admin", corrective_action="Note 2")
    MonthlyStatus.objects.filter(action=late, month=JULY.first_day).update(status="RED")

    report = exception_report(plan, JULY)
    assert report.figures.count(Status.AMBER) == 1 and report.figures.count(Status.RED) == 0
    assert report.state.live_figures.count(Status.RED) == 1
    assert report.live_differs
    assert [(c.ref, c.field, c.old, c.new) for c in report.state.changes_since] == [
        ("1.1.2", "corrective_action", "", "Note 2")
    ]
    published = report.as_json()
    assert published["counts"]["RED"] == 0 and published["published"]["changes_since"] == 1
    assert published["published"]["counts_now"]["RED"] == 1

    client = client_as("cmt")
    html = client.get(url(plan)).content.decode()
    assert "Published." in html and "(Draft)" not in html
    assert "The data has changed since this month was closed" in html
    assert "Red 1" in html  # the counts now, beside the published ones
    assert client.get(url(plan, "summary.json")).json() == published
    # Listed in words, as on the action page (issue 18): the field's label, not its name.
    assert f"<strong>1.1.2:</strong> {performance.username} wrote a corrective action." in html
    assert "corrective_action" not in html


def test_closing_twice_is_refused(plan, performance):
    close_month(plan, JULY, performance)
    with pytest.raises(MonthCloseError, match="already closed"):
        close_month(plan, JULY, performance)


def test_a_month_without_statuses_cannot_be_closed(plan, performance):
    with pytest.raises(MonthCloseError, match="nothing to publish"):
        close_month(plan, Month(2009, 8), performance)
    assert not MonthClose.objects.filter(plan=plan).exists()


def test_a_report_failing_its_consistency_check_is_not_published(
    plan, performance, monkeypatch, performance_client
):
    # Ambers by priority that do not add up to the AMBER count.
    monkeypatch.setattr(
        report_module,
        "exceptions_by_priority",
        lambda plan, month: (PriorityExceptions("CP1", "Town Centre", 2, 0),),
    )
    with pytest.raises(MonthCloseError, match="consistency check failed"):
        close_month(plan, JULY, performance)
    assert not MonthClose.objects.filter(plan=plan).exists()
    html = performance_client.get(url(plan)).content.decode()
    assert "Not final: the consistency check failed." in html
    response = performance_client.post(url(plan, "close/"), follow=True)
    assert "consistency check failed" in response.content.decode()


def test_only_the_performance_team_may_close_in_the_service_too(plan, role_user):
    with pytest.raises(PermissionDenied):
        close_month(plan, JULY, role_user("cmt"))


def test_reopening_needs_a_reason_and_the_report_says_it_was_reopened(plan, performance, client_as):
    close_month(plan, JULY, performance)
    with pytest.raises(MonthCloseError, match="reason"):
        reopen_month(plan, JULY, performance, "   ")
    reopen_month(plan, JULY, performance, "Late update from HB")

    report = exception_report(plan, JULY)
    assert report.state.state == "REOPENED" and report.state.is_draft
    assert report.state.last_reopen.reason == "Late update from HB"
    html = client_as("cmt").get(url(plan)).content.decode()
    assert "(Draft)" in html and "Re-opened on" in html and "Late update from HB" in html
    assert [e.kind for e in MonthEvent.objects.filter(plan=plan)] == ["CLOSED", "REOPENED"]
    audit = AuditEvent.objects.filter(plan=plan).order_by("at", "id")
    assert [(a.kind, a.username, a.details.get("reason")) for a in audit] == [
        ("month-close", performance.username, None),
        ("month-reopen", performance.username, "Late update from HB"),
    ]


def test_closing_again_publishes_the_new_figures(plan, performance):
    close_month(plan, JULY, performance)
    reopen_month(plan, JULY, performance, "Correction")
    services.set_status(
        action=plan.actions.get(ref="1.1.1"), month=JULY, status=Status.GREEN, user=performance
    )
    close_month(plan, JULY, performance)
    report = exception_report(plan, JULY)
    assert report.figures.count(Status.AMBER) == 0 and report.figures.count(Status.GREEN) == 4
    assert report.state.is_closed and report.state.last_reopen.reason == "Correction"
    assert not report.state.data_changed


def test_performance_team_closes_and_reopens_through_the_pages(plan, client_as):
    client = client_as("performance")
    page = client.get(url(plan)).content.decode()
    assert f'href="{url(plan, "close/")}">Check and close July 2009</a>' in page
    check = client.get(url(plan, "close/"))
    assert "Close July 2009 and publish the report" in check.content.decode()
    response = client.post(url(plan, "close/"), {"checked": check.context["check"].fingerprint}, follow=True)
    assert response.redirect_chain == [(url(plan, "closed/"), 302)]
    assert "July 2009 is closed" in response.content.decode()
    assert MonthClose.objects.is_closed(plan, JULY)

    # A reopen without a reason keeps what was typed (nothing) and says what is missing.
    response = client.post(url(plan, "reopen/"), {"reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Give the reason for re-opening the month." in html
    assert MonthClose.objects.is_closed(plan, JULY)

    response = client.post(url(plan, "reopen/"), {"reason": "Figures for <b>CP1</b> corrected"}, follow=True)
    html = response.content.decode()
    assert "re-opened" in html
    assert "Figures for &lt;b&gt;CP1&lt;/b&gt; corrected" in html  # user text is escaped
    assert not MonthClose.objects.is_closed(plan, JULY)


def test_a_get_of_the_close_address_only_shows_the_check(plan, client_as):
    response = client_as("performance").get(url(plan, "close/"))
    assert response.status_code == 200
    assert "Check before closing July 2009" in response.content.decode()
    assert not MonthClose.objects.filter(plan=plan).exists()
