"""The full plan PDF (/plans/<slug>/plan-<YYYY-MM>.pdf), rendered by the background worker."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from plans import services
from plans.models import ActionChange
from plans.periods import Month
from reports import documents, renders
from reports.models import Document
from reports.pdf import PDFRenderError
from tests.factories import (
    council_named,
    make_action,
    make_lead,
    make_measure,
    make_plan,
    make_priority,
    make_status,
)
from tests.reports.pdf_helpers import page_texts, read_pdf, run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    plan = make_plan(
        slug="small",
        title="Improvement Plan 2009/10",
        organisation=council_named("Bromsgrove District Council"),
    )
    priority = make_priority(plan, "CP1", "Town Centre")
    measure = make_measure(priority, "1.1", "Agreement on preferred option of Area Action Pan")
    lead = make_lead("PS", organisation=plan.organisation)
    late = make_action(measure, "1.1.1", "Engage specialist organisation", leads=[lead], planned=["2009-07"])
    make_status(late, "2009-07", "AMBER")
    later = make_action(measure, "1.1.2", "Commence process", leads=[lead], planned=["2009-08", "2009-09"])
    make_status(later, "2009-07", "GREEN")
    make_status(later, "2009-08", "RED")  # after the report month: not shown as at July
    return plan


def url(slug="small", month="2009-07"):
    return reverse("reports:plan-pdf", kwargs={"slug": slug, "month": month})


def test_anonymous_users_are_sent_to_log_in(client, plan):
    for address in (url(), reverse("reports:plan-pdf-state", kwargs={"slug": "small", "month": "2009-07"})):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.post(url()).status_code == 302
    assert not Document.objects.exists()


def test_a_user_without_the_export_permission_is_refused(client_as, plan):
    client = client_as("none")
    assert client.get(url()).status_code == 403
    assert client.post(url()).status_code == 403
    assert (
        client.get(
            reverse("reports:plan-pdf-state", kwargs={"slug": "small", "month": "2009-07"})
        ).status_code
        == 403
    )
    assert not Document.objects.exists()


@pytest.mark.parametrize("role", ["officer", "performance", "cmt", "clerk", "admin"])
def test_every_role_can_ask_for_the_full_plan(client_as, plan, role):
    assert client_as(role).get(url()).status_code == 202


def test_a_month_outside_the_plan_year_or_not_a_month_is_not_found(client_as, plan):
    client = client_as("clerk")
    assert client.get(url(month="2010-07")).status_code == 404
    assert client.get(url(month="2009-13")).status_code == 404
    assert client.get(url(slug="nope")).status_code == 404


def test_the_page_says_it_is_being_prepared_then_the_same_address_gives_the_pdf(client_as, plan):
    client = client_as("clerk")
    response = client.get(url())
    assert response.status_code == 202
    body = response.content.decode()
    assert "The PDF is being prepared" in body
    assert 'href="/reports/small/plan-2009-07.pdf"' in body
    assert "<script>" not in body.replace('<script src="/static/js/document-poll.js" defer></script>', "")

    state = client.get(reverse("reports:plan-pdf-state", kwargs={"slug": "small", "month": "2009-07"}))
    assert state.json() == {"state": "preparing", "pages": None}

    run_worker()

    assert client.get(
        reverse("reports:plan-pdf-state", kwargs={"slug": "small", "month": "2009-07"})
    ).json() == {
        "state": "ready",
        "pages": 1,
    }
    response = client.get(url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="small-2009-07-full-plan.pdf"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    [text] = page_texts(content)
    assert "Improvement Plan 2009/10 as at July 2009" in text
    assert "Full plan" in text
    assert "Page 1 of 1" in text
    assert "Draft" in text
    assert "1.1.1" in text and "Engage specialist organisation" in text
    assert "Amber: One month behind target or less" in text
    assert read_pdf(content).metadata.title == "Improvement Plan 2009/10 as at July 2009"


def test_statuses_after_the_month_are_not_shown(plan):
    doc = documents.build_full_plan(plan, Month(2009, 7))
    [section] = doc.sections
    later = section.measures[0].rows[1]
    assert [c.letter for c in later.cells[:3]] == ["G", "", ""]
    assert [c.planned for c in later.cells[:3]] == [False, True, True]
    assert doc.is_draft is True


def test_each_measure_shows_its_progress_update_as_at_the_month(plan, role_user):
    measure = plan.priorities.get().measures.get()
    officer = role_user("officer")
    make_lead("PS", user=officer, organisation=plan.organisation)
    write = {"user": officer, "plan": plan, "measure": measure}
    services.update_measure_progress(**write, month=Month(2009, 7), text="Specialists <engaged>")
    services.update_measure_progress(**write, month=Month(2009, 8), text="Partner shortlisted")
    july = documents.build_full_plan(plan, Month(2009, 7)).sections[0].measures[0]
    assert (july.progress_month, july.progress) == (Month(2009, 7), "Specialists <engaged>")
    # A later month without an update of its own shows the latest before it.
    september = documents.build_full_plan(plan, Month(2009, 9)).sections[0].measures[0]
    assert (september.progress_month, september.progress) == (Month(2009, 8), "Partner shortlisted")
    source = documents.full_plan_source(plan, Month(2009, 7))
    assert "Specialists &lt;engaged&gt;" in source.html and "Partner shortlisted" not in source.html
    [text] = page_texts(documents.render_full_plan(plan, Month(2009, 7), seconds=None).content)
    assert "Progress update (July 2009): Specialists <engaged>" in text


def test_a_progress_update_makes_the_stored_copy_stale(client_as, plan, role_user):
    client = client_as("clerk")
    client.get(url())
    run_worker()
    measure = plan.priorities.get().measures.get()
    services.update_measure_progress(
        user=role_user("performance"), plan=plan, month=Month(2009, 7), measure=measure, text="New words"
    )
    response = client.get(url())
    assert response["X-Document-Changes-Since"] == "1"
    run_worker()
    response = client.get(url())
    assert "Progress update (July 2009): New words" in page_texts(b"".join(response.streaming_content))[0]


def test_asking_twice_queues_one_render(client_as, plan):
    client = client_as("clerk")
    client.get(url())
    client.get(url())
    assert Document.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_a_change_to_the_plan_makes_the_stored_copy_stale(client_as, plan):
    client = client_as("clerk")
    client.get(url())
    run_worker()
    assert client.get(url()).status_code == 200
    action = plan.actions.get(ref="1.1.1")
    action.corrective_action = "New text"
    action.updated_at = timezone.now()
    action.save()
    # The stored copy at once, while the worker prepares one with the change.
    response = client.get(url())
    assert response.status_code == 200 and "X-Document-Changes-Since" in response
    assert "New text" not in page_texts(b"".join(response.streaming_content))[0]
    run_worker()
    response = client.get(url())
    assert "X-Document-Changes-Since" not in response
    assert "New text" in page_texts(b"".join(response.streaming_content))[0]


def as_at(response) -> str:
    return timezone.localtime(datetime.fromisoformat(response["X-Document-As-At"])).strftime("%H:%M")


def test_while_a_newer_copy_is_prepared_readers_get_the_last_one_marked_with_its_time(client_as, plan, clock):
    client = client_as("clerk")
    response = client.get(url())
    assert response.status_code == 202  # the first copy: there is nothing to give yet
    run_worker()  # figures read at 14:32

    clock.move(minutes=8)
    late, later = plan.actions.get(ref="1.1.1"), plan.actions.get(ref="1.1.2")
    # Since 14:32: four changes to July's statuses and one to an action itself, which the copy as at
    # July does not show, and one to August's, which it would not show anyway.
    for field in ("status", "corrective_action", "note", "status"):
        ActionChange.objects.create(action=late, month=date(2009, 7, 1), field=field, changed_at=clock.now)
    ActionChange.objects.create(action=late, field="description", changed_at=clock.now)
    ActionChange.objects.create(action=later, month=date(2009, 8, 1), field="status", changed_at=clock.now)

    response = client.get(url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Draft as at 14:32" in page_texts(b"".join(response.streaming_content))[0]
    assert (as_at(response), response["X-Document-Changes-Since"]) == ("14:32", "5")
    assert DBTaskResult.objects.count() == 2  # a newer copy is being prepared

    # More saves while it is prepared: readers still get the 14:32 copy; the render is not restarted.
    clock.move(minutes=1)
    ActionChange.objects.create(action=late, month=date(2009, 7, 1), field="status", changed_at=clock.now)
    for role in ("cmt", "officer"):
        response = client_as(role).get(url())
        assert (response.status_code, as_at(response), response["X-Document-Changes-Since"]) == (
            200,
            "14:32",
            "6",
        )
    assert DBTaskResult.objects.count() == 2

    clock.move(minutes=1)
    run_worker()  # figures read at 14:42, every change so far included
    response = client.get(url())
    assert "X-Document-Changes-Since" not in response
    assert "Draft as at 14:42" in page_texts(b"".join(response.streaming_content))[0]

    # Changed again after that render: the next request queues one more.
    clock.move(minutes=1)
    ActionChange.objects.create(action=late, month=date(2009, 7, 1), field="status", changed_at=clock.now)
    response = client.get(url())
    assert (response.status_code, as_at(response), response["X-Document-Changes-Since"]) == (
        200,
        "14:42",
        "1",
    )
    assert DBTaskResult.objects.count() == 3


def test_a_failed_render_says_so_and_can_be_retried(client_as, plan, monkeypatch):
    client = client_as("clerk")
    client.get(url())

    def broken(html, *, seconds):
        raise PDFRenderError("The PDF could not be prepared.")

    monkeypatch.setattr(documents, "html_to_pdf", broken)
    run_worker()
    document = Document.objects.get()
    assert document.state == Document.State.FAILED
    assert DBTaskResult.objects.get().status == "FAILED"

    response = client.get(url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "The PDF could not be prepared" in body
    assert "Try again" in body
    assert (
        client.get(reverse("reports:plan-pdf-state", kwargs={"slug": "small", "month": "2009-07"})).json()[
            "state"
        ]
        == "failed"
    )

    monkeypatch.undo()
    response = client.post(url())
    assert response.status_code == 303
    assert response["Location"] == url()
    run_worker()
    assert client.get(url()).status_code == 200


def test_a_render_that_never_finishes_is_reported_and_can_be_retried(client_as, plan):
    client = client_as("clerk")
    client.get(url())  # no worker runs
    Document.objects.update(requested_at=timezone.now() - documents.STALLED_AFTER - timedelta(seconds=1))
    body = client.get(url()).content.decode()
    assert "is still not ready" in body
    assert "Try again" in body
    client.post(url())
    run_worker()
    assert client.get(url()).status_code == 200


def test_a_render_past_its_time_limit_fails_with_a_clear_message(plan, monkeypatch):
    monkeypatch.setattr(documents, "BACKGROUND_TIME_LIMIT", 0.001)
    document = renders.request_render(plan=plan, month=Month(2009, 7), kind=Document.Kind.PLAN)
    run_worker()
    document.refresh_from_db()
    assert document.state == Document.State.FAILED
    assert document.error == "The PDF took longer than 0.001 seconds to prepare."


def grow(plan, actions: int):
    priority = make_priority(plan, f"P{plan.priorities.count()}", "More")
    measure = make_measure(priority, f"{priority.pk}.1", "More")
    lead = make_lead("HB")
    for n in range(actions):
        action = make_action(measure, f"9.{n}", "More work", leads=[lead], planned=["2009-07", "2009-10"])
        make_status(action, "2009-07", "GREEN")


def test_building_the_full_plan_takes_the_same_queries_for_a_plan_ten_times_the_size(
    plan, django_assert_max_num_queries
):
    # status words 1; actions with measure and priority 1; leads, planned months, statuses 3;
    # the measures' progress updates 1; whether the month is closed 1
    with django_assert_max_num_queries(7):
        small = documents.build_full_plan(plan, Month(2009, 7))
    grow(plan, 20)
    with django_assert_max_num_queries(7):
        large = documents.build_full_plan(plan, Month(2009, 7))
    assert (small.action_count, large.action_count) == (2, 22)


def test_serving_a_stored_copy_takes_the_same_queries_whatever_the_plans_size(
    client_as, plan, django_assert_max_num_queries
):
    client = client_as("clerk")
    client.get(url())
    run_worker()
    client.get(url())
    # session, user, permissions (2), plan, document, the plan's last change (4: actions, statuses,
    # their history, the measures' progress history), and the session's refresh (a savepoint, the
    # update, its release)
    with django_assert_max_num_queries(13):
        assert client.get(url()).status_code == 200
    grow(plan, 20)
    client.get(url())
    run_worker()
    with django_assert_max_num_queries(13):
        assert client.get(url()).status_code == 200


def test_a_full_or_unwritable_store_fails_with_a_clear_message_and_the_report_still_works(
    client_as, plan, monkeypatch
):
    import errno

    from django.core.files.storage import FileSystemStorage

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    client = client_as("clerk")
    client.get(url())  # asks the worker for the PDF
    run_worker()
    document = Document.objects.get()
    assert document.state == Document.State.FAILED
    assert document.error == documents.STORE_FAILED
    body = client.get(url()).content.decode()
    assert "could not be stored" in body
    assert "Traceback" not in body
    # The month's report does not need the store.
    assert (
        client.get(reverse("reports:month", kwargs={"slug": "small", "month": "2009-07"})).status_code == 200
    )
