"""Writes and closes serialise on the plan's row lock (issue 13, item 2), forced on PostgreSQL.

Each test holds one side at the moment that used to be a race window and lets the other run into
it: a save that has checked "open" while the month closes, a save arriving between the report's
own queries, two first closes at once. The other side must wait for the plan's lock, which these
tests observe in ``pg_stat_activity`` rather than guess with a sleep.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.apps import apps
from django.db import connection, connections

from plans import services
from plans.models import ActionChange, MonthClose, MonthlyStatus
from plans.periods import Month
from plans.roles import sync_groups
from reports import closing
from reports import exception_report as report_module
from reports.exception_report import exception_report
from tests.factories import (
    ROLE_GROUPS,
    make_action,
    make_lead,
    make_measure,
    make_plan,
    make_priority,
    make_status,
    make_user,
)

JULY = Month(2009, 7)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL"),
]


@pytest.fixture
def world(role_user):
    # A transactional test may follow another's flush, which empties the role groups too.
    sync_groups(apps)
    officer = role_user("officer")
    performance = role_user("performance")
    plan = make_plan(slug="p", first_month="2009-07")
    measure = make_measure(make_priority(plan))
    lead = make_lead("T1", user=officer)
    mine = make_action(measure, "1.2.1", "Mine", leads=[lead], original="2009-09")
    other = make_action(measure, "1.2.2", "Other", leads=[lead], original="2009-09")
    make_status(mine, "2009-07", "GREEN")
    make_status(other, "2009-07", "GREEN")
    return officer, performance, plan, mine


def waiting_for_a_lock(timeout: float = 10) -> bool:
    """True once another connection of this database waits on a lock."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction PostgreSQL keeps one statistics snapshot: take a fresh one.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def run(target, results: dict, name: str) -> threading.Thread:
    def body():
        try:
            results[name] = ("ok", target())
        except Exception as error:  # the outcome is what the test asserts
            results[name] = ("error", error)
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def held_after_the_check(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """The first write from another thread that has checked its month open (holding the plan's
    lock) sets ``checked`` and waits there until ``release`` is set."""
    checked, release = threading.Event(), threading.Event()
    real_ensure_open = services.ensure_open

    def held(plan_, months):
        real_ensure_open(plan_, months)
        if threading.current_thread().name != "MainThread" and not checked.is_set():
            checked.set()
            release.wait(10)

    monkeypatch.setattr(services, "ensure_open", held)
    return checked, release


def red_save(officer, plan, mine):
    mine.refresh_from_db()
    update = services.ActionUpdate(
        action_id=mine.pk, version=mine.version, status="RED", corrective_action="Consultant late"
    )
    return services.update_month(user=officer, plan=plan, month=JULY, updates=[update])


def during_the_close(monkeypatch, plan, performance, write):
    """Close July while ``write`` runs in another connection, started between the report's own
    queries (after the month is counted, before the exceptions are listed) and seen waiting for the
    close's plan lock. Returns ``write``'s outcome: ("ok", value) or ("error", exception)."""
    results: dict = {}
    real = report_module.exceptions_by_priority

    def started_between_the_queries(plan_, month):
        results["thread"] = run(write, results, "write")
        assert waiting_for_a_lock(), "the write must wait for the close's plan lock"
        return real(plan_, month)

    monkeypatch.setattr(report_module, "exceptions_by_priority", started_between_the_queries)
    closing.close_month(plan, JULY, performance)
    monkeypatch.setattr(report_module, "exceptions_by_priority", real)
    results["thread"].join(10)
    return results["write"]


def test_a_save_that_has_checked_open_finishes_before_the_close_reads_the_figures(world, monkeypatch):
    officer, performance, plan, mine = world
    checked, release = held_after_the_check(monkeypatch)
    results: dict = {}
    save = run(lambda: red_save(officer, plan, mine), results, "save")
    assert checked.wait(10)
    close = run(lambda: closing.close_month(plan, JULY, performance), results, "close")
    assert waiting_for_a_lock(), "the close must wait for the save's plan lock"
    release.set()
    save.join(10)
    close.join(10)

    assert results["save"][0] == "ok" and results["close"][0] == "ok", results
    published = exception_report(plan, JULY)
    # The save is in the published figures and nothing was written into July after the close.
    assert published.figures.count("RED") == 1 and published.figures.count("GREEN") == 1
    assert published.state.changes_since_total == 0
    assert [b.ref for g in published.groups for b in g.blocks] == ["1.2.1"]


def test_a_save_arriving_during_the_close_is_refused_and_the_snapshot_is_not_torn(world, monkeypatch):
    officer, performance, plan, mine = world
    # The close has counted the month; an officer presses Save now, before the listing is read.
    outcome, error = during_the_close(monkeypatch, plan, performance, lambda: red_save(officer, plan, mine))
    assert outcome == "error" and isinstance(error, services.MonthClosedError), error
    published = exception_report(plan, JULY)
    assert published.consistent
    assert (published.figures.count("RED"), published.exception_count) == (0, 0)
    assert MonthlyStatus.objects.get(action=mine, month=JULY.first_day).status == "GREEN"


def test_a_save_of_another_month_during_the_close_is_listed_as_a_change_since(world, monkeypatch):
    officer, performance, plan, mine = world

    def august_save():
        mine.refresh_from_db()
        update = services.ActionUpdate(
            action_id=mine.pk, version=mine.version, status="GREEN", corrective_action="Back on track"
        )
        return services.update_month(user=officer, plan=plan, month=Month(2009, 8), updates=[update])

    outcome, result = during_the_close(monkeypatch, plan, performance, august_save)
    assert outcome == "ok", result
    published = exception_report(plan, JULY)
    # Written after the close committed: "changes since closing" must not miss it.
    assert [(c.ref, c.field, c.new) for c in published.state.changes_since] == [
        ("1.2.1", "corrective_action", "Back on track")
    ]
    close = MonthClose.objects.get(plan=plan, month=JULY.first_day)
    assert not ActionChange.objects.filter(action=mine, pk__lte=close.history_mark).exists()


def test_two_first_closes_at_once_give_one_close_and_one_already_closed(world):
    _, performance, plan, _ = world
    results: dict = {}
    barrier = threading.Barrier(2)

    def close():
        barrier.wait(10)
        return closing.close_month(plan, JULY, performance)

    threads = [run(close, results, "first"), run(close, results, "second")]
    for thread in threads:
        thread.join(20)
    outcomes = sorted((kind, type(value).__name__) for kind, value in results.values())
    assert outcomes == [("error", "MonthCloseError"), ("ok", "MonthClose")], results
    refused = next(value for kind, value in results.values() if kind == "error")
    assert "already closed" in str(refused)
    assert MonthClose.objects.filter(plan=plan).count() == 1


def test_an_approval_during_the_close_is_refused(world, monkeypatch):
    officer, performance, plan, mine = world
    request = services.request_change(
        user=officer, action=mine, kind="SUSPENSION", month=JULY, reason="Budget jury suspended"
    )
    outcome, error = during_the_close(
        monkeypatch,
        plan,
        performance,
        lambda: services.decide_request(user=performance, request=request, approve=True),
    )
    assert outcome == "error" and isinstance(error, services.MonthClosedError), error
    request.refresh_from_db()
    assert request.state == "PENDING"
    assert exception_report(plan, JULY).figures.count("SUSP") == 0


def test_two_officers_saves_of_one_plan_do_not_wait_for_each_other(world, monkeypatch):
    officer, performance, plan, mine = world
    # A second officer with an action of their own in the same plan.
    colleague = make_user("test-colleague", ROLE_GROUPS["officer"])
    lead = make_lead("T2", user=colleague)
    theirs = make_action(mine.measure, "1.2.3", "Theirs", leads=[lead], original="2009-09")
    make_status(theirs, "2009-07", "GREEN")
    checked, release = held_after_the_check(monkeypatch)
    results: dict = {}
    first = run(lambda: red_save(officer, plan, mine), results, "first")
    assert checked.wait(10)
    # The first save holds the plan's lock and has checked July open; the second saves meanwhile.
    second = run(lambda: red_save(colleague, plan, theirs), results, "second")
    second.join(10)
    assert results.get("second", ("pending",))[0] == "ok", "the second save waited for the first"
    assert not results.get("first")
    release.set()
    first.join(10)
    assert results["first"][0] == "ok", results
    figures = exception_report(plan, JULY).figures
    assert (figures.count("RED"), figures.count("GREEN")) == (2, 1)  # "other" is still Green


def test_a_close_waits_for_every_save_in_progress(world, monkeypatch):
    officer, performance, plan, mine = world
    checked, release = held_after_the_check(monkeypatch)
    results: dict = {}
    save = run(lambda: red_save(officer, plan, mine), results, "save")
    assert checked.wait(10)
    close = run(lambda: closing.close_month(plan, JULY, performance), results, "close")
    assert waiting_for_a_lock(), "the close must wait for the save holding the plan's shared lock"
    # While the close waits, a new save queues behind it and then finds July closed.
    late = run(lambda: red_save(officer, plan, mine), results, "late")
    release.set()
    for thread in (save, close, late):
        thread.join(10)
    assert results["save"][0] == "ok" and results["close"][0] == "ok", results
    assert results["late"][0] == "error" and isinstance(results["late"][1], services.MonthClosedError), (
        results
    )
    assert exception_report(plan, JULY).figures.count("RED") == 1
