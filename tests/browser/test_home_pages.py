"""Issue 18 in Chromium: each role's main task from its home page, and closing a month with
requests still waiting (the check shows them first, then the confirmation panel, then Approvals
marks them as for a closed month). axe-core on every state, at desktop and 390 px, where none of
these pages scrolls sideways."""

import pytest

from tests.browser.conftest import axe_violations, log_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def check_both_widths(page) -> None:
    """axe-core clean at desktop width and at 390 px, with no sideways scroll on the phone."""
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert axe_violations(page) == [], size
        if size is PHONE:
            assert sideways(page) <= 0
    page.set_viewport_size(DESKTOP)


def test_an_officer_lands_home_and_goes_to_their_months_actions(demo_site, page):
    log_in(page, demo_site.url, "officer")
    assert page.url == f"{demo_site.url}/"
    assert page.locator("h1").inner_text() == "What needs doing"
    assert (
        "Every one of your actions has a status for July 2009" in page.locator("#to-update + *").inner_text()
    )
    check_both_widths(page)
    page.get_by_role("link", name="Update your actions for July 2009").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/plans/bromsgrove-2009-10/my/2009-07/")


def test_the_performance_team_goes_to_approvals_from_home_and_the_navigation(demo_site, page):
    log_in(page, demo_site.url, "performance")
    assert page.url == f"{demo_site.url}/"
    assert "3 requests to decide" in page.locator("#waiting + *").inner_text()
    check_both_widths(page)
    page.locator("#waiting").locator("..").get_by_role("link", name="Go to approvals").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/plans/bromsgrove-2009-10/approvals/")
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/2009-07/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals (3)").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/plans/bromsgrove-2009-10/approvals/")


@pytest.mark.parametrize("username", ["cmt", "clerk"])
def test_cmt_and_clerks_open_this_months_report_and_its_pdfs_from_home(demo_site, page, username):
    log_in(page, demo_site.url, username)
    reports = page.locator("#reports").locator("..")
    assert "July 2009: being reported, draft" in reports.inner_text()
    assert "June 2009: last published" in reports.inner_text()
    appendix = reports.get_by_role(
        "link", name="Cabinet appendix (PDF) for June 2009, Improvement Plan 2008/09"
    )
    assert appendix.get_attribute("href") == "/reports/bromsgrove-2008-09/2009-06/appendix.pdf"
    check_both_widths(page)
    reports.get_by_role("link", name="Exception report for July 2009").click()
    page.wait_for_load_state("networkidle")
    assert "Exception report for July 2009" in page.locator("h1").inner_text()


def test_closing_a_month_with_requests_waiting_shows_them_first(demo_site, page):
    log_in(page, demo_site.url, "performance")
    page.get_by_role("link", name="Check and close July 2009").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Check before closing July 2009"
    waiting = page.locator(".summary-row", has_text="Requests waiting for a decision").inner_text()
    assert "3 requests for July 2009 are waiting" in waiting
    assert "7.3.3" in waiting and "13.4.4" in waiting and "14.1.1" in waiting
    assert "If you close July 2009 now, these requests can no longer be approved." in page.content()
    check_both_widths(page)

    # Keyboard: the confirm button is reached and pressed without a mouse.
    page.get_by_role("button", name="Close July 2009 and publish the report").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/reports/bromsgrove-2009-10/2009-07/closed/")
    assert page.locator(".panel h1").inner_text() == "July 2009 is closed"
    assert "3 requests for July 2009 were still waiting" in page.content()
    check_both_widths(page)

    page.get_by_role("link", name="Reject them on Approvals").click()
    page.wait_for_load_state("networkidle")
    assert "No request is waiting for a decision that can still be approved." in page.content()
    closed = page.locator("#month-closed ~ section")
    assert closed.count() == 3
    assert "July 2009 closed — can no longer be approved" in closed.first.inner_text()
    assert page.get_by_role("radio", name="Approve").count() == 0
    check_both_widths(page)

    # A rejection without a comment: the error summary takes focus.
    first = closed.first
    with page.expect_navigation():
        first.get_by_role("button").click()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    check_both_widths(page)
