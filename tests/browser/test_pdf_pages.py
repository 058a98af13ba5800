"""A clerk downloads the Cabinet appendix, and waits for the full plan to be prepared."""

import re

from django.core.management import call_command

from reports.models import Document
from tests.browser.conftest import axe_violations, log_in
from tests.reports.pdf_helpers import loosely, page_texts


def test_a_clerk_downloads_the_july_2009_appendix_from_the_report_page(demo_site, page):
    log_in(page, demo_site.url, "clerk")
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/2009-07/")
    link = page.get_by_role("link", name="Cabinet appendix")
    link.focus()
    # Fetched with the browser's own session (Chromium would show an inline PDF in its viewer).
    response = page.request.get(demo_site.url + link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    pages = page_texts(response.body())
    assert re.match(
        r"Exception Report for July 2009 Improvement Plan Draft as at \d\d:\d\d Appendix 1", pages[0]
    )
    assert loosely("July 2009 0 0.0% 11 13.3% 67 80.7% 0 0.0% 5 6.0% 83") in loosely(pages[0])
    assert f"Page 1 of {len(pages)}" in pages[0]


def test_the_full_plan_is_prepared_in_the_background_and_offered_when_ready(demo_site, page):
    log_in(page, demo_site.url, "clerk")
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/plan-2009-07.pdf")
    assert "The PDF is being prepared" in page.locator("#document-state").inner_text()
    assert axe_violations(page) == []

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    # The page's script notices and offers the link without a reload.
    link = page.get_by_role("link", name="Download the PDF")
    link.wait_for(timeout=15_000)
    assert "10 pages" in page.locator("#document-state").inner_text()
    response = page.request.get(demo_site.url + link.get_attribute("href"))
    assert "Improvement Plan 2009/10 as at July 2009" in page_texts(response.body())[0]


def test_a_failed_render_is_explained_and_retried_with_the_keyboard(demo_site, page):
    log_in(page, demo_site.url, "clerk")
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/plan-2009-07.pdf")
    Document.objects.update(
        state=Document.State.FAILED, error="The PDF took longer than 300 seconds to prepare."
    )
    page.reload()
    assert "The PDF took longer than 300 seconds to prepare." in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Try again").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The PDF is being prepared" in page.locator("#document-state").inner_text()
    assert Document.objects.get().state == Document.State.PENDING


def test_the_performance_team_edits_the_cover_report_settings(demo_site, page):
    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/cover-settings/")
    assert axe_violations(page) == []
    page.get_by_label("Contact officer's email address").fill("not an address")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the settings").press("Enter")
    summary = page.get_by_role("alert")
    assert "Enter a valid email address." in summary.inner_text()
    assert axe_violations(page) == []
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_contact_email"
