"""Renders are bounded: one in hand per document, a limit per person, the published copies first;
"Try again" only after a failure; a published copy is rendered again only by the performance team,
from the published report, into a new file swapped in once it is stored."""

import ast
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from plans.models import MonthlyStatus
from plans.periods import Month
from reports import closing, documents, renders
from reports.models import Document, RenderRequest
from reports.pdf import PDFRenderError
from tests.reports.pdf_helpers import page_texts, run_worker

pytestmark = pytest.mark.django_db
JULY = Month(2009, 7)


def plan_pdf(month=JULY):
    return reverse("reports:plan-pdf", kwargs={"slug": "small", "month": str(month)})


def report_url(name, month=JULY):
    return reverse(f"reports:{name}", kwargs={"slug": "small", "month": month})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def published(plan, role_user):
    """July closed and its published copies rendered and stored."""
    closing.close_month(plan, JULY, role_user("performance"))
    run_worker()
    return Document.objects.get(kind="APPENDIX")


# --- One render in hand per document ------------------------------------------------------------


def test_twenty_requests_for_the_same_full_plan_queue_one_render(client_as, plan):
    for n, role in enumerate(["clerk", "cmt", "officer", "performance"] * 5):
        client = client_as(role)
        response = client.post(plan_pdf()) if n % 2 else client.get(plan_pdf())
        # A GET joins the render in hand; a POST ("Try again") is refused, as nothing has failed.
        assert response.status_code == (409 if n % 2 else 202)
    assert DBTaskResult.objects.count() == 1
    # Only the one who started it is counted against the limit.
    assert RenderRequest.objects.count() == 1


def test_a_render_asked_for_again_after_it_stalled_is_done_once(client_as, plan, monkeypatch):
    client = client_as("clerk")
    client.get(plan_pdf())  # no worker runs
    Document.objects.update(requested_at=timezone.now() - documents.STALLED_AFTER - timedelta(seconds=1))
    assert client.post(plan_pdf()).status_code == 303  # "Try again"
    assert DBTaskResult.objects.count() == 2

    laid_out = []
    real = documents.html_to_pdf

    def counted(html, *, seconds):
        laid_out.append(html)
        return real(html, seconds=seconds)

    monkeypatch.setattr(documents, "html_to_pdf", counted)
    run_worker()  # both tasks run; the stalled one finds itself replaced and does nothing
    assert len(laid_out) == 1
    assert client.get(plan_pdf()).status_code == 200


# --- "Try again" only after a failure -------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "cmt", "officer", "performance"])
def test_nobody_can_try_again_on_a_ready_published_copy(client_as, published, role):
    stored = published.file.name
    before = Path(published.file.path).read_bytes()
    response = client_as(role).post(report_url("appendix-pdf"))
    assert response.status_code == 409
    assert "kept as it was published" in response.content.decode()
    published.refresh_from_db()
    assert (published.file.name, published.state) == (stored, "READY")
    assert Path(published.file.path).read_bytes() == before
    assert DBTaskResult.objects.count() == 2  # the close's two, nothing more
    assert body(client_as(role).get(report_url("appendix-pdf"))) == before


def test_try_again_on_a_document_nobody_asked_for_is_refused(client_as, plan):
    response = client_as("clerk").post(plan_pdf())
    assert response.status_code == 409
    assert "Nothing has been asked for yet" in response.content.decode()
    assert not Document.objects.exists() and not DBTaskResult.objects.exists()


# --- The limit per person -------------------------------------------------------------------------


def test_a_person_may_start_ten_renders_in_ten_minutes(client, role_user, plan, clock):
    clerk, cmt = role_user("clerk"), Client()
    cmt.force_login(role_user("cmt"))
    client.force_login(clerk)
    months = list(plan.month_list)
    for month in months[:10]:
        assert client.get(plan_pdf(month)).status_code == 202
    clock.move(minutes=3)
    response = client.get(plan_pdf(months[10]))
    assert response.status_code == 429
    assert response["Retry-After"] == "420"
    assert (
        "You have asked for 10 documents in the last 10 minutes; try again in 7 minutes."
        in response.content.decode()
    )
    assert not Document.objects.filter(month=months[10].first_day).exists()

    # Asking for a document already being prepared starts no render, so it is not counted...
    assert client.get(plan_pdf(months[0])).status_code == 202
    # ...and others joining those renders are not limited by them.
    for month in months[:10]:
        assert cmt.get(plan_pdf(month)).status_code == 202
    assert cmt.get(plan_pdf(months[10])).status_code == 202
    assert DBTaskResult.objects.count() == 11

    clock.move(minutes=7)  # the first ten are now more than ten minutes old
    assert client.get(plan_pdf(months[11])).status_code == 202


def test_a_draft_laid_out_in_the_request_counts_too(client_as, plan):
    client = client_as("clerk")
    for month in list(plan.month_list)[:9]:
        client.get(plan_pdf(month))
    assert client.get(report_url("appendix-pdf")).status_code == 200  # the tenth render
    response = client.get(report_url("cover-pdf"))
    assert response.status_code == 429
    assert "You have asked for 10 documents in the last 10 minutes" in response.content.decode()


# --- Published copies first -----------------------------------------------------------------------


def test_the_copies_a_close_queues_are_rendered_before_the_drafts_asked_for_earlier(
    client_as, role_user, plan, monkeypatch
):
    client = client_as("clerk")
    for month in list(plan.month_list)[:3]:
        client.get(plan_pdf(month))
    closing.close_month(plan, JULY, role_user("performance"))

    order = []
    real = documents.run_render

    def recording(document):
        order.append((document.kind, str(Month.from_date(document.month))))
        return real(document)

    monkeypatch.setattr(documents, "run_render", recording)
    run_worker()
    assert order == [
        ("APPENDIX", "2009-07"),
        ("COVER", "2009-07"),
        ("PLAN", "2009-07"),
        ("PLAN", "2009-08"),
        ("PLAN", "2009-09"),
    ]
    assert sorted(DBTaskResult.objects.values_list("priority", flat=True)) == [0, 0, 0, 10, 10]


# --- The performance team renders a published copy again ------------------------------------------


def copies_url(month=JULY):
    return reverse("reports:published-copies", kwargs={"slug": "small", "month": month})


def test_anonymous_users_are_sent_to_log_in_for_the_published_copies(client, published):
    for response in (client.get(copies_url()), client.post(copies_url(), {"kind": "APPENDIX"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["clerk", "cmt", "officer", "none"])
def test_only_the_performance_team_renders_a_published_copy_again(client_as, published, role):
    client = client_as(role)
    assert client.get(copies_url()).status_code == 403
    assert client.post(copies_url(), {"kind": "APPENDIX"}).status_code == 403
    assert DBTaskResult.objects.count() == 2


@pytest.mark.parametrize("role", ["performance", "admin"])
def test_the_performance_team_sees_the_published_copies(client_as, published, role):
    page = client_as(role).get(copies_url()).content.decode()
    assert "Render the published copy again" in page
    assert page.count("The stored copy") == 2


def test_the_report_page_links_the_published_copies_for_the_performance_team_only(client_as, published):
    month_page = report_url("month")
    assert copies_url() in client_as("performance").get(month_page).content.decode()
    assert copies_url() not in client_as("clerk").get(month_page).content.decode()


def test_a_published_copy_rendered_again_is_swapped_in_once_stored_with_the_same_text(
    client_as, published, plan, monkeypatch, django_capture_on_commit_callbacks
):
    old_name, old_path = published.file.name, published.file.path
    old_bytes = Path(old_path).read_bytes()
    # Later edits and new cover settings do not change what was published.
    MonthlyStatus.objects.filter(action__ref="1.1.1").update(status="GREEN", corrective_action="Done")
    plan.portfolio_holder = "Cllr. Someone Else"
    plan.save()

    performance = client_as("performance")
    response = performance.post(copies_url(), {"kind": "APPENDIX"})
    assert response.status_code == 303
    assert (
        "Cabinet appendix: the published copy is being rendered again. Readers are given the stored "
        "copy until the new one is stored." in performance.get(response["Location"]).content.decode()
    )
    assert performance.post(copies_url(), {"kind": "COVER"}).status_code == 303
    # A second click while it is in hand joins it.
    performance.post(copies_url(), {"kind": "APPENDIX"})
    assert DBTaskResult.objects.count() == 4

    reader = client_as("clerk")
    assert body(reader.get(report_url("appendix-pdf"))) == old_bytes  # meanwhile, the stored copy

    # While the worker writes the new file, the document still points at the old one and readers
    # are given it.
    seen = []
    real_save = FileSystemStorage._save

    def save(storage, name, content):
        published.refresh_from_db()
        seen.append((published.file.name, body(reader.get(report_url("appendix-pdf"))) == old_bytes))
        return real_save(storage, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_worker()
    assert seen[0] == (old_name, True)  # (the appendix, asked for first, is rendered first)
    published.refresh_from_db()
    assert published.file.name != old_name and published.state == "READY"
    assert os.path.exists(old_path)  # removed only once the swap commits
    for callback in callbacks:
        callback()
    assert not os.path.exists(old_path)

    new_bytes = body(reader.get(report_url("appendix-pdf")))
    assert page_texts(new_bytes) == page_texts(old_bytes)
    cover = page_texts(body(reader.get(report_url("cover-pdf"))))[0]
    assert "Responsible Portfolio Holder Cllr. A Member" in cover
    assert "Meeting planned for September" in " ".join(page_texts(new_bytes))


def test_a_published_copy_whose_render_again_fails_is_still_served(client_as, published, monkeypatch):
    before = Path(published.file.path).read_bytes()
    client_as("performance").post(copies_url(), {"kind": "APPENDIX"})

    def broken(html, *, seconds):
        raise PDFRenderError("The PDF took longer than 300 seconds to prepare.")

    monkeypatch.setattr(documents, "html_to_pdf", broken)
    run_worker()
    assert body(client_as("clerk").get(report_url("appendix-pdf"))) == before
    page = client_as("performance").get(copies_url()).content.decode()
    assert "The PDF took longer than 300 seconds to prepare." in page
    assert "Readers are still given the stored copy." in page


def test_an_open_months_published_copy_cannot_be_rendered_again(client_as, plan):
    client = client_as("performance")
    assert "is not closed, so it has no published copies" in client.get(copies_url()).content.decode()
    response = client.post(copies_url(), {"kind": "APPENDIX"})
    assert response.status_code == 409
    assert (
        "July 2009 is not closed, so it has no published copy to render again." in response.content.decode()
    )
    assert not DBTaskResult.objects.exists()


def test_rendering_a_published_copy_again_is_refused_to_others_by_the_service_too(role_user, published, plan):
    with pytest.raises(renders.PermissionDenied):
        renders.rerender_published(plan=plan, month=JULY, kind="APPENDIX", user=role_user("clerk"))


# --- The modules depend one way -------------------------------------------------------------------


def imported_modules(module: str) -> set[str]:
    tree = ast.parse(Path(f"reports/{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_renders_queue_tasks_which_call_documents_never_the_other_way():
    assert not {"reports.tasks", "reports.renders"} & imported_modules("documents")
    assert "reports.renders" not in imported_modules("tasks")
