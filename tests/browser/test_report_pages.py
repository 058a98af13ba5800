"""The exception report and the dashboard in real Chromium: what CMT sees, checked by axe-core."""

from tests.browser.conftest import axe_violations, log_in


def test_cmt_opens_july_2009_from_the_dashboard_and_reads_seed_000(demo_site, page):
    log_in(page, demo_site.url, "cmt")
    page.goto(f"{demo_site.url}/dashboard/")
    assert page.locator("h1").inner_text() == "Improvement plans"
    assert axe_violations(page) == []

    page.locator('.dashboard-links a[href="/reports/bromsgrove-2009-10/2009-07/"]').click()
    page.wait_for_load_state("networkidle")
    assert "Exception report for July 2009" in page.locator("h1").inner_text()
    assert (
        "80.7% of the Improvement Plan is on target [green]" in page.locator(".summary-sentence").inner_text()
    )
    progress = page.locator(".progress-table").inner_text()
    assert "July 2008" in progress and "89.1%" in progress and "13.3%" in progress
    refs = page.locator(".exception-table tbody td:first-child").all_inner_texts()
    assert refs[:4] == ["1.1.1", "1.2.1", "1.4.2", "1.4.5"] and refs[-1] == "14.2.5"
    assert page.locator("svg.progress-chart").get_attribute("role") == "img"
    assert axe_violations(page) == []


def test_picker_and_month_links_work_with_the_keyboard(demo_site, page):
    log_in(page, demo_site.url, "clerk")
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/2009-07/")
    page.select_option("#id_report", "bromsgrove-2008-09/2008-09")
    page.locator("#id_report").focus()
    page.keyboard.press("Tab")
    # Wait for the navigation itself: on a busy machine the old page can still look idle.
    with page.expect_navigation(url="**/reports/bromsgrove-2008-09/2008-09/"):
        page.keyboard.press("Enter")
    assert page.url.endswith("/reports/bromsgrove-2008-09/2008-09/")
    assert "Exception report for September 2008" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Next month: October 2008").click()
    assert page.url.endswith("/reports/bromsgrove-2008-09/2008-10/")
    assert axe_violations(page) == []


def test_reopen_form_with_an_error_passes_axe(demo_site, page):
    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/2009-07/")
    page.get_by_role("link", name="Check and close July 2009").click()
    page.get_by_role("button", name="Close July 2009 and publish the report").click()
    page.get_by_role("link", name="View the published report for July 2009").click()
    page.wait_for_load_state("networkidle")
    assert "Published." in page.locator(".report-state").first.inner_text()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Re-open July 2009").click()
    page.get_by_role("button", name="Re-open July 2009").click()
    page.wait_for_load_state("networkidle")
    assert "Give the reason for re-opening the month." in page.locator(".error-summary").inner_text()
    assert axe_violations(page) == []
