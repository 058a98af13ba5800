"""The performance team imports a plan in a council's one-table layout: upload, say what the file
does not (the calendar, the status month, what an unknown column holds), preview, confirm."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, log_in, sideways
from tests.plans.test_one_table_import import HEADINGS, ROWS, TITLE, one_table

PASSWORD = "pw-for-tests-only"  # tests.factories.make_user's


@pytest.fixture
def site(live_server, transactional_db):
    from django.apps import apps

    from plans import roles
    from plans.roles import sync_groups
    from tests.factories import default_organisation, make_user

    sync_groups(apps)  # a transactional test's flush empties the role groups too
    default_organisation()
    make_user("test-performance", roles.PERFORMANCE)
    return live_server


@pytest.mark.parametrize("width", [1366, 390])
def test_upload_map_a_column_and_confirm(site, page, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 900})
    path = tmp_path / "corporate-improvement-plan.xlsx"
    path.write_bytes(
        one_table([[*row, "R"] if len(row) > 1 else row for row in ROWS], headings=[*HEADINGS, "RAG"])
    )
    log_in(page, site.url, "test-performance", PASSWORD)
    page.get_by_role("link", name="Import a plan").click()
    page.set_input_files("#id_file", str(path))
    page.fill("#id_slug", "cip-2007-10")
    page.get_by_role("button", name="Upload and preview").click()
    assert page.locator("h1").inner_text() == "Preview of the import"
    assert "3 priority areas, 3 objectives, 5 key actions" in page.locator(".facts").inner_text()
    assert "Not known: say what it holds below" in page.locator("tr", has_text="RAG").inner_text()
    assert axe_violations(page) == []
    assert sideways(page) <= 0

    # Nothing filled in: the error summary takes focus and links to each field.
    page.get_by_role("button", name="Preview with these settings").click()
    summary = page.locator("#error-summary")
    assert "Choose what column H holds, or not to import it." in summary.inner_text()
    expect(summary).to_be_focused()
    assert axe_violations(page) == []
    assert sideways(page) <= 0

    page.get_by_label("First month of the plan").fill("April 2007")
    page.get_by_label("How many months the plan covers").fill("36")
    page.get_by_label("Reported every how many months").fill("2")
    page.get_by_label("The month the On Target column reports").fill("September 2007")
    page.get_by_label("Column H: “RAG”").select_option(label="Do not import this column")
    page.get_by_role("button", name="Preview with these settings").click()
    assert "Importing will create plan cip-2007-10" in page.locator("main").inner_text()
    counts = page.locator("#months-caption + thead + tbody tr").inner_text().split()
    assert counts == ["September", "2007", "1", "1", "2", "0", "0", "4"]
    assert axe_violations(page) == []
    assert sideways(page) <= 0
    page.screenshot(path=str(tmp_path / f"one-table-preview-{width}.png"), full_page=True)

    page.get_by_role("button", name="Import this plan").click()
    assert page.locator("h1").inner_text() == TITLE
    assert "Created plan cip-2007-10" in page.locator(".messages").inner_text()
    page.wait_for_load_state("networkidle")  # the plan's 36 months: measured once its styles apply
    assert sideways(page) <= 0
