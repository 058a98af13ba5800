"""Issue 14 in Chromium: the performance team rolls 2009/10 into 2010/11 on the page, renaming PR3
to PR6, checks the preview, confirms; a second roll-over onto the same name is refused with the
error summary focused. axe-core on every state, desktop and phone width."""

from tests.browser.conftest import axe_violations, log_in, sideways


def test_the_performance_team_rolls_the_year_over(demo_site, page):
    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}/plans/bromsgrove-2009-10/")
    page.get_by_role("link", name="Roll this plan into the next year").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Roll Improvement Plan 2009/10 into the next year"
    assert axe_violations(page) == []

    page.get_by_label("Code in the new year for PR3").fill("PR6")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview the new year").click()
    assert page.locator("#check-title").inner_text() == "Check before you create Improvement Plan 2010/11"
    assert "65 actions will be carried" in page.content()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Create Improvement Plan 2010/11").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/plans/bromsgrove-2010-11/")
    assert "Improvement Plan 2010/11 is created: 65 actions carried" in page.locator(".messages").inner_text()
    assert "Previous year:" in page.content()
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{demo_site.url}/plans/bromsgrove-2009-10/roll-over/")
    assert sideways(page) <= 0
    with page.expect_navigation():
        page.get_by_role("button", name="Preview the new year").click()
    summary = page.locator("#error-summary")
    assert "There is already a plan called 'bromsgrove-2010-11'" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert sideways(page) <= 0
    assert axe_violations(page) == []
