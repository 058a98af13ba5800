"""The upload, preview and confirm pages, and the Excel downloads: permissions and what a user sees."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from plans.models import Action, ActionChange, Plan
from plans.workbook.safety import MAX_UPLOAD_BYTES
from tests.plans.test_workbook_import import FIXTURE
from tests.plans.workbook_helpers import DAMAGED, action_row, damaged, workbook

pytestmark = pytest.mark.django_db
IMPORT = reverse("plans:import")
TEMPLATE = reverse("plans:workbook-template")


def upload(client, data: bytes, name="plan.xlsx", **fields):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data), **fields})


@pytest.fixture
def plan():
    from tests.factories import make_action, make_measure, make_plan, make_priority, make_status

    plan = make_plan(slug="p", first_month="2008-07")
    action = make_action(make_measure(make_priority(plan)), description='=HYPERLINK("http://evil")')
    make_status(action, "2008-07", "AMBER")
    return plan


# --- permissions --------------------------------------------------------------------------------
def test_anonymous_users_are_sent_to_log_in(client, plan):
    for url in (IMPORT, TEMPLATE, reverse("plans:workbook", kwargs={"slug": "p"})):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    response = client.post(reverse("plans:import-preview", kwargs={"token": "abc"}))
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk", "none"])
def test_only_the_performance_team_may_import(client_as, role):
    client = client_as(role)
    assert client.get(IMPORT).status_code == 403
    assert upload(client, workbook()).status_code == 403
    assert client.get(TEMPLATE).status_code == 403
    assert client.post(reverse("plans:import-preview", kwargs={"token": "abc"})).status_code == 403
    assert client.post(reverse("plans:import-cancel", kwargs={"token": "abc"})).status_code == 403


@pytest.mark.parametrize("role", ["performance", "admin"])
def test_the_performance_team_may_import(client_as, role):
    client = client_as(role)
    assert client.get(IMPORT).status_code == 200
    assert client.get(TEMPLATE).status_code == 200


def test_a_user_with_no_role_may_not_download_a_plan(client_as, plan):
    assert client_as("none").get(reverse("plans:workbook", kwargs={"slug": "p"})).status_code == 403


@pytest.mark.parametrize("role", ["officer", "performance", "cmt", "clerk"])
def test_every_role_that_exports_may_download_the_plan(client_as, plan, role):
    response = client_as(role).get(reverse("plans:workbook", kwargs={"slug": "p"}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="p.xlsx"'


# --- upload, preview, confirm ---------------------------------------------------------------------
def test_upload_preview_then_confirm(client_as):
    client = client_as("performance")
    response = upload(client, FIXTURE.read_bytes(), "bromsgrove-2007-08.xlsx", slug="bromsgrove-2007-08")
    assert response.status_code == 302
    preview_url = response["Location"]
    assert not Plan.objects.filter(slug="bromsgrove-2007-08").exists()

    page = client.get(preview_url).content.decode()
    assert "22 priorities, 67 measures, 291 actions" in page
    # Nothing is saved yet, and the page says what importing will do, not what it did.
    assert "Importing will create plan bromsgrove-2007-08 (Improvement Plan 2007/08)." in page
    assert "To add: 22 priorities, 67 measures, 291 actions, 0 statuses." in page
    assert "Created plan" not in page and "Added:" not in page
    assert (
        '<th scope="row">July 2007</th><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>8</td>'
        in page
    )
    assert '<th scope="row">HR&amp; OD 2</th>' in page
    assert not Plan.objects.filter(slug="bromsgrove-2007-08").exists(), "the preview saves nothing"

    response = client.post(preview_url)
    plan = Plan.objects.get(slug="bromsgrove-2007-08")
    assert response["Location"] == plan.get_absolute_url()
    assert plan.actions.count() == 291
    # The upload is gone once imported.
    assert client.get(preview_url).status_code == 404


def test_an_upload_is_read_once_for_its_preview_and_confirmation(client_as, monkeypatch):
    from plans.workbook import reader

    opened = []
    load_workbook = reader.load_workbook
    monkeypatch.setattr(reader, "load_workbook", lambda *a, **k: opened.append(1) or load_workbook(*a, **k))
    client = client_as("performance")
    preview_url = upload(client, FIXTURE.read_bytes(), slug="once")["Location"]
    assert len(opened) == 1
    assert "291 actions" in client.get(preview_url).content.decode()
    client.post(preview_url)
    assert len(opened) == 1, "neither the preview nor the confirmation reads the workbook again"
    assert Plan.objects.get(slug="once").actions.count() == 291


def test_an_upload_changed_in_the_store_since_its_preview_is_not_imported(client_as, media_root):
    client = client_as("performance")
    preview_url = upload(client, workbook(), slug="swapped")["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    (media_root / "workbook-imports" / f"{token}.xlsx").write_bytes(
        workbook(actions=[action_row(grid=["R"])])
    )
    assert client.post(preview_url).status_code == 404
    assert not Plan.objects.filter(slug="swapped").exists()


def test_reimport_from_the_page_updates_and_keeps_history(client_as, plan):
    client = client_as("performance")
    response = upload(client, workbook(
        priorities=[["Code", "Title"], ["CP1", "Town Centre"]],
        measures=[["Priority", "Ref", "Measure of success"], ["CP1", "1.1", "A measure of success"]],
        actions=[action_row(grid=["R"], text="'=HYPERLINK(\"http://evil\")")],
    ), plan=plan.pk)  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    page = client.get(response["Location"]).content.decode()
    assert "To change: 0 priorities, 0 measures, 1 action, 1 status." in page
    confirmed = client.post(response["Location"], follow=True).content.decode()
    assert (
        "Updated plan p" in confirmed
        and "Changed: 0 priorities, 0 measures, 1 action, 1 status." in confirmed
    )
    action = Action.objects.get(plan=plan)
    assert [s.status for s in action.statuses.all()] == ["RED"]
    change = ActionChange.objects.get(action=action, field="status", source="import")
    assert (change.old_value, change.new_value) == ("AMBER", "RED")


def test_a_reimport_changing_a_closed_month_shows_the_problem_and_saves_nothing(client_as, plan):
    from plans.models import MonthClose, MonthlyStatus

    MonthClose.objects.create(plan=plan, month=plan.first_month)
    client = client_as("performance")
    response = upload(client, workbook(
        priorities=[["Code", "Title"], ["CP1", "Town Centre"]],
        measures=[["Priority", "Ref", "Measure of success"], ["CP1", "1.1", "A measure of success"]],
        actions=[action_row(grid=["R"])],
    ), plan=plan.pk)  # fmt: skip
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "This workbook cannot be imported" in page
    assert (
        "<td>Actions</td><td>2</td><td>F</td><td>July 2008 is closed (published); its statuses cannot be "
        "changed by an import.</td>"
    ) in page
    assert "Import this plan" not in page
    page = client.post(preview_url).content.decode()
    assert "July 2008 is closed (published)" in page
    assert [s.status for s in MonthlyStatus.objects.filter(action__plan=plan)] == ["AMBER"]


def test_every_problem_is_shown_and_nothing_saved(client_as):
    client = client_as("performance")
    response = upload(
        client, workbook(actions=[action_row(priority="XX1"), action_row(grid=["Purple"])]), slug="bad"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert '<a href="#id_file">The workbook has 2 problems; nothing was saved.</a>' in page
    assert (
        "<td>Actions</td><td>2</td><td>A</td><td>Unknown priority “XX1”: it is not on the Priorities sheet.</td>"
        in page
    )
    assert "<td>Actions</td><td>3</td><td>F</td><td>Cannot read the status “Purple”" in page
    assert not Plan.objects.filter(slug="bad").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Priority,Measure\nCP1,1.1\n", "The file is not an Excel workbook (.xlsx)."),
        (b"PK\x03\x04garbage", "The file is not an Excel workbook (.xlsx)."),
        (workbook(actions=[action_row(text="=1+1")]), "This cell holds a formula."),
    ],
)
def test_hostile_uploads_get_a_clear_error_not_a_500(client_as, data, message):
    response = upload(client_as("performance"), data)
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_or_hostile_upload_is_not_a_workbook_never_a_500(client_as, kind):
    response = upload(client_as("performance"), damaged(kind))
    assert response.status_code == 200
    assert "The file is not an Excel workbook (.xlsx)." in response.content.decode()


def test_an_upload_over_10_mb_is_refused(client_as):
    response = upload(client_as("performance"), b"x" * (MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 200
    assert "The file is 10.0 MB; the largest workbook accepted is 10 MB." in response.content.decode()


def test_a_taken_slug_is_an_error_beside_the_field(client_as, plan):
    response = upload(client_as("performance"), workbook(), slug="p")
    assert response.status_code == 200
    assert "A plan called “p” already exists" in response.content.decode()


def test_cancel_deletes_the_upload(client_as):
    client = client_as("performance")
    preview_url = upload(client, workbook(), slug="cancelled")["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    response = client.post(reverse("plans:import-cancel", kwargs={"token": token}))
    assert response["Location"] == IMPORT
    assert client.get(preview_url).status_code == 404
    assert not Plan.objects.filter(slug="cancelled").exists()


def test_an_upload_waits_in_the_shared_document_store_and_stale_ones_are_cleared(client_as, media_root):
    # Through Django's storage API, like the stored PDFs: with several app servers on a shared
    # store, the preview and the confirmation may be answered by different servers.
    import os
    import time

    client = client_as("performance")
    pending = media_root / "workbook-imports"
    old_url = upload(client, workbook(), slug="old")["Location"]
    two_days_ago = time.time() - 48 * 3600
    for old_file in pending.iterdir():  # the upload and its reading
        os.utime(old_file, (two_days_ago, two_days_ago))

    new_url = upload(client, workbook(), slug="new")["Location"]
    token = new_url.rstrip("/").rsplit("/", 1)[-1]
    assert sorted(f.name for f in pending.iterdir()) == [f"{token}.json", f"{token}.xlsx"]
    assert client.get(old_url).status_code == 404  # the day-old upload was cleared
    assert client.get(new_url).status_code == 200
    client.post(new_url)
    assert Plan.objects.filter(slug="new").exists()
    assert not any(pending.iterdir())


def test_another_users_upload_cannot_be_seen(client_as, client, role_user):
    preview_url = upload(client_as("performance"), workbook())["Location"]
    client.force_login(role_user("admin"))
    assert client.get(preview_url).status_code == 404


# --- downloads ------------------------------------------------------------------------------------
@pytest.mark.parametrize("extra_actions", [0, 10])
def test_the_plan_download_has_no_live_formula(client_as, plan, django_assert_max_num_queries, extra_actions):
    from tests.factories import make_action, make_lead, make_status

    measure = plan.priorities.get().measures.get()
    for n in range(extra_actions):
        more = make_action(
            measure, ref=f"1.1.{n + 2}", leads=[make_lead("PS"), make_lead("PM")], planned=["2008-08"]
        )
        make_status(more, "2008-07", "GREEN")
    client = client_as("clerk")
    client.get(IMPORT)  # the session and user are loaded once before counting
    # session, user, permissions(2), plan, status terms, priorities, measures, actions, leads,
    # planned months, statuses; and the session saved on every request (savepoint, update, release).
    with django_assert_max_num_queries(15):
        response = client.get(reverse("plans:workbook", kwargs={"slug": "p"}))
    book = load_workbook(io.BytesIO(response.content))
    assert book["Actions"]["D2"].value == '\'=HYPERLINK("http://evil")'
    assert book["Actions"]["F2"].value == "Amber"


def test_the_blank_template_has_every_sheet_and_heading(client_as):
    response = client_as("performance").get(TEMPLATE)
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Plan", "Priorities", "Measures", "Actions", "Status words", "Indicators"]
    assert [c.value for c in book["Measures"][1]] == [
        "Priority", "Ref", "Measure of success", "Actions required", "Timescales", "Lead", "Resources"
    ]  # fmt: skip
    # The months headed as on the Actions sheet (the template starts in April).
    assert [c.value for c in book["Indicators"][1]] == [
        "Priority", "Measure", "Ref", "Indicator", "Unit", "Better", "Target", "Tolerance", "Apr.", "May",
        "June", "July", "Aug.", "Sep.", "Oct.", "Nov.", "Dec.", "Jan.", "Feb.", "Mar.", "Lead",
    ]  # fmt: skip


def test_the_plan_page_offers_the_download_to_those_who_export(client_as, plan):
    page = client_as("clerk").get(plan.get_absolute_url()).content.decode()
    assert reverse("plans:workbook", kwargs={"slug": "p"}) in page


def test_a_slug_the_site_uses_is_refused(client_as):
    response = upload(client_as("performance"), workbook(), slug="import")
    assert "“import” is a page of the site; give the plan another short name." in response.content.decode()
    assert not Plan.objects.filter(slug="import").exists()
