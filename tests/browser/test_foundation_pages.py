from tests.browser.conftest import axe_violations, log_in


def test_log_in_with_the_keyboard_and_read_the_plan(demo_site, page):
    page.goto(f"{demo_site.url}/accounts/login/")
    assert axe_violations(page) == []
    # The username field has the focus when the page opens.
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("cmt")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").first.inner_text() != "Log in"
    page.goto(f"{demo_site.url}/plans/bromsgrove-2009-10/")
    assert "Improvement Plan 2009/10" in page.locator("h1").inner_text()
    assert axe_violations(page) == []


def test_admin_logs_in_and_sees_both_plans(demo_site, page):
    log_in(page, demo_site.url, "admin")
    page.goto(f"{demo_site.url}/admin/plans/plan/")
    text = page.locator("#result_list").inner_text()
    assert "Improvement Plan 2009/10" in text and "Improvement Plan 2008/09" in text
