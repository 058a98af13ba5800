"""The appendix and cover of a month: rendered on request while the month is open, rendered once
and kept when it is closed, discarded when it is re-opened."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from plans.models import ActionChange, MonthlyStatus
from plans.periods import Month
from reports import closing, documents
from reports.models import Document
from reports.pdf import PDFRenderError
from tests.factories import make_action, make_lead, make_status
from tests.reports.pdf_helpers import page_texts, run_worker

pytestmark = pytest.mark.django_db
JULY = Month(2009, 7)
KINDS = ["appendix-pdf", "cover-pdf"]


def url(name, month=JULY):
    return reverse(f"reports:{name}", kwargs={"slug": "small", "month": month})


def pdf_text(response) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return page_texts(content)


@pytest.mark.parametrize("name", KINDS)
def test_anonymous_users_are_sent_to_log_in(client, plan, name):
    for address in (url(name), url(name + "-state")):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", KINDS)
def test_a_user_without_the_export_permission_is_refused(client_as, plan, name):
    client = client_as("none")
    assert client.get(url(name)).status_code == 403
    assert client.post(url(name)).status_code == 403
    assert client.get(url(name + "-state")).status_code == 403


@pytest.mark.parametrize("role", ["officer", "performance", "cmt", "clerk", "admin"])
def test_every_role_with_export_downloads_the_appendix_and_cover(client_as, plan, role):
    client = client_as(role)
    for name in KINDS:
        response = client.get(url(name))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"


def test_a_month_outside_the_plan_is_not_found(client_as, plan):
    client = client_as("clerk")
    assert client.get(url("appendix-pdf", Month(2010, 7))).status_code == 404
    assert client.get("/reports/small/2009-13/appendix.pdf").status_code == 404


def test_an_open_month_renders_on_request_as_a_draft(client_as, plan, clock):
    client = client_as("clerk")
    response = client.get(url("appendix-pdf"))
    assert not response.streaming  # laid out in the request, not read from the store
    [first, *_] = pdf_text(response)
    assert "Exception Report for July 2009 Improvement Plan Draft as at 14:32 Appendix 1" in first
    # (spaces compared loosely: layout extraction sometimes joins a narrow cell to its neighbour)
    assert "July 2009 0 0.0% 1 50.0% 1 50.0% 0 0.0% 0 0.0% 2".replace(" ", "") in first.replace(" ", "")
    [cover] = pdf_text(client.get(url("cover-pdf")))
    assert "Responsible Portfolio Holder Cllr. A Member" in cover
    assert "Draft as at 14:32" in cover


def never_laid_out(html, *, seconds):
    raise AssertionError("the PDF was laid out again")


def test_a_draft_is_kept_and_served_again_while_nothing_it_shows_has_changed(client_as, plan, monkeypatch):
    client = client_as("clerk")
    first = client.get(url("appendix-pdf")).content
    kept = Document.objects.get(kind="APPENDIX")
    assert (kept.state, kept.published, len(kept.source_digest)) == ("READY", False, 64)

    monkeypatch.setattr(documents, "html_to_pdf", never_laid_out)
    monkeypatch.setattr("reports.views_pdf.html_to_pdf", never_laid_out)
    again = client_as("cmt").get(url("appendix-pdf"))
    assert again.status_code == 200 and again.streaming
    assert b"".join(again.streaming_content) == first


def test_a_change_to_the_figures_lays_the_draft_out_again(client_as, plan):
    client = client_as("clerk")
    client.get(url("appendix-pdf"))
    MonthlyStatus.objects.filter(action__ref="1.1.1").update(status="GREEN", corrective_action="")
    response = client.get(url("appendix-pdf"))
    assert not response.streaming
    [first, *_] = pdf_text(response)
    assert "July 2009 0 0.0% 0 0.0% 2 100.0% 0 0.0% 0 0.0% 2".replace(" ", "") in first.replace(" ", "")
    assert "Meeting planned for September" not in "".join(pdf_text(response))


def test_a_long_draft_is_prepared_by_the_worker_and_then_served(client_as, plan, monkeypatch, clock):
    monkeypatch.setattr(documents, "REQUEST_RENDER_MAX_BLOCKS", -1)  # every draft is "long"
    client = client_as("clerk")
    response = client.get(url("appendix-pdf"))
    assert response.status_code == 202
    assert "The PDF is being prepared" in response.content.decode()
    assert client.get(url("appendix-pdf-state")).json()["state"] == "preparing"
    client.get(url("appendix-pdf"))  # asking again while it waits queues nothing more
    assert DBTaskResult.objects.count() == 1

    run_worker()
    response = client.get(url("appendix-pdf"))
    assert response.status_code == 200 and response.streaming
    [first, *_] = pdf_text(response)
    assert "Exception Report for July 2009 Improvement Plan Draft as at 14:32 Appendix 1" in first

    # A change makes the stored draft stale: the worker is asked again, and meanwhile readers get
    # the 14:32 copy at once, with the number of changes it does not show.
    clock.move(minutes=5)
    late = plan.actions.get(ref="1.1.1")
    MonthlyStatus.objects.filter(action=late).update(status="GREEN", corrective_action="")
    for field in ("status", "corrective_action"):
        ActionChange.objects.create(action=late, month=JULY.first_day, field=field, changed_at=clock.now)
    response = client.get(url("appendix-pdf"))
    assert (response.status_code, response["X-Document-Changes-Since"]) == (200, "2")
    [first, *_] = pdf_text(response)
    assert "Draft as at 14:32" in first
    assert "July 2009 0 0.0% 1 50.0% 1 50.0% 0 0.0% 0 0.0% 2".replace(" ", "") in first.replace(" ", "")
    assert client.get(url("appendix-pdf-state")).json()["state"] == "ready"
    assert DBTaskResult.objects.count() == 2
    # "Try again" is for a render that failed: this one has not, so nothing more is queued.
    response = client.post(url("appendix-pdf"))
    assert response.status_code == 409
    assert "nothing to try again" in response.content.decode()
    assert DBTaskResult.objects.count() == 2

    run_worker()
    [first, *_] = pdf_text(client.get(url("appendix-pdf")))
    assert "Draft as at 14:37" in first
    assert "July 2009 0 0.0% 0 0.0% 2 100.0% 0 0.0% 0 0.0% 2".replace(" ", "") in first.replace(" ", "")


def test_a_draft_that_cannot_be_stored_is_still_delivered(client_as, plan, monkeypatch):
    import errno

    from django.core.files.storage import FileSystemStorage

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    response = client_as("clerk").get(url("appendix-pdf"))
    assert response.status_code == 200
    assert "Draft" in pdf_text(response)[0]
    assert not Document.objects.filter(state="READY").exists()


def test_a_draft_kept_before_the_close_is_never_served_as_the_published_copy(client_as, role_user, plan):
    client = client_as("clerk")
    client.get(url("appendix-pdf"))
    closing.close_month(plan, JULY, role_user("performance"))
    assert client.get(url("appendix-pdf")).status_code == 202
    run_worker()
    response = client.get(url("appendix-pdf"))
    assert response.streaming
    assert all("Draft" not in text for text in pdf_text(response))


def test_serving_a_kept_draft_takes_the_same_queries_whatever_the_plans_size(
    client_as, plan, django_assert_max_num_queries
):
    client = client_as("clerk")
    client.get(url("appendix-pdf"))
    # session, user, permissions, plan, whether the month is closed, the report (a fixed number of
    # queries whatever the size), the document and the session's refresh: 19 in all
    with django_assert_max_num_queries(19):
        assert client.get(url("appendix-pdf")).streaming
    measure = plan.actions.first().measure
    for n in range(20):
        action = make_action(
            measure, f"1.1.{n + 3}", "More work", leads=[make_lead(f"L{n}")], planned=["2009-07"]
        )
        make_status(action, "2009-07", "AMBER", corrective_action="Later")
    client.get(url("appendix-pdf"))
    with django_assert_max_num_queries(19):
        assert client.get(url("appendix-pdf")).streaming


def test_closing_renders_the_appendix_and_cover_once_and_serves_them_from_storage(client_as, role_user, plan):
    closing.close_month(plan, JULY, role_user("performance"))
    kept = Document.objects.filter(plan=plan, month=JULY.first_day)
    assert sorted(kept.values_list("kind", "state", "published")) == [
        ("APPENDIX", "PENDING", True),
        ("COVER", "PENDING", True),
    ]
    client = client_as("clerk")
    # Before the worker has run: the page says it is being prepared.
    response = client.get(url("appendix-pdf"))
    assert response.status_code == 202
    assert "The PDF is being prepared" in response.content.decode()

    run_worker()
    assert sorted(kept.values_list("kind", "state")) == [("APPENDIX", "READY"), ("COVER", "READY")]
    response = client.get(url("appendix-pdf"))
    assert response.status_code == 200 and response.streaming  # a stored file
    pages = pdf_text(response)
    assert all("Draft" not in text for text in pages)
    assert "Exception Report for July 2009 Improvement Plan Appendix 1" in pages[0]
    assert "Draft" not in pdf_text(client.get(url("cover-pdf")))[0]

    # A later edit does not change the published copy.
    make_status(plan.actions.get(ref="1.1.2"), "2009-08", "RED")
    assert client.get(url("appendix-pdf")).streaming
    assert DBTaskResult.objects.count() == 2


def test_reopening_discards_the_published_copies(
    client_as, role_user, plan, django_capture_on_commit_callbacks
):
    performance = role_user("performance")
    closing.close_month(plan, JULY, performance)
    run_worker()
    files = [d.file.path for d in Document.objects.all()]
    with django_capture_on_commit_callbacks(execute=True):
        closing.reopen_month(plan, JULY, performance, "A late update from the lead")
    assert not Document.objects.exists()
    import os

    assert not any(os.path.exists(path) for path in files)
    response = client_as("clerk").get(url("appendix-pdf"))
    assert not response.streaming
    assert "Draft" in pdf_text(response)[0]


def test_a_failed_published_render_can_be_retried(client_as, role_user, plan, monkeypatch):
    closing.close_month(plan, JULY, role_user("performance"))

    def broken(html, *, seconds):
        raise PDFRenderError("The PDF could not be prepared.")

    monkeypatch.setattr(documents, "html_to_pdf", broken)
    run_worker()
    client = client_as("clerk")
    response = client.get(url("appendix-pdf"))
    assert response.status_code == 200
    assert "Try again" in response.content.decode()
    assert client.get(url("appendix-pdf-state")).json()["state"] == "failed"
    monkeypatch.undo()
    assert client.post(url("appendix-pdf")).status_code == 303
    run_worker()
    assert client.get(url("appendix-pdf")).streaming


def test_an_open_month_render_that_fails_shows_a_message_not_a_500(client_as, plan, monkeypatch):
    def broken(html, *, seconds):
        raise PDFRenderError("The PDF took longer than 30 seconds to prepare.")

    monkeypatch.setattr("reports.views_pdf.html_to_pdf", broken)
    response = client_as("clerk").get(url("appendix-pdf"))
    assert response.status_code == 503
    body = response.content.decode()
    assert "The PDF could not be prepared" in body
    assert "The PDF took longer than 30 seconds to prepare." in body
