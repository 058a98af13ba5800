"""Issue 16 item 4 in Chromium: CMT opens the R1-R7 tracker from the menu and reads it at desktop
and phone width; the performance team links an action to R7 with the keyboard and sees it in the
tracker. axe-core on every state."""

from tests.browser.conftest import axe_violations, log_in, sideways


def test_cmt_opens_the_recommendations_tracker(demo_site, page):
    log_in(page, demo_site.url, "cmt")
    page.get_by_role("link", name="Inspection recommendations").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/reports/bromsgrove-2009-10/2009-07/recommendations/")
    assert page.locator("h1").inner_text() == "Inspection recommendations: progress in July 2009"
    r1 = page.get_by_role("region", name="Actions answering R1").inner_text()
    assert "13.4.4" in r1 and "Amber" in r1
    assert (
        "Overall: Amber · 3 actions: 1 Amber, 2 Green" in page.locator(".recommendation").first.inner_text()
    )
    assert page.get_by_role("link", name="Change the actions answering R1").count() == 0
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert sideways(page) <= 0
    assert axe_violations(page) == []


def test_the_performance_team_links_an_action_with_the_keyboard(demo_site, page):
    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/2009-07/recommendations/")
    page.get_by_role("link", name="Change the actions answering R7").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Actions answering R7"
    assert page.get_by_label("1.4.2 Establish dates for meetings a year ahead").is_checked()
    assert axe_violations(page) == []

    page.get_by_label("1.4.1 Arrange meetings of town centre project group").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save the linked actions").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "R7: Saved: linked 1.4.1." in page.locator(".messages").inner_text()
    assert page.get_by_label("1.4.1 Arrange meetings of town centre project group").is_checked()
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/2009-07/recommendations/")
    r7 = page.get_by_role("region", name="Actions answering R7").inner_text()
    assert "1.4.1" in r7
    assert sideways(page) <= 0
    assert axe_violations(page) == []
