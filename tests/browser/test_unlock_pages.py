"""Issue 13's log-in hardening in Chromium: the lockout page gives the time left, and the
performance team unlocks a colleague from the menu, with the keyboard; every page passes axe-core
with the Content-Security-Policy on."""

from tests.browser.conftest import axe_violations, log_in


def test_a_locked_out_officer_is_unlocked_by_the_performance_team(demo_site, page):
    csp: list[str] = []
    page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)

    for _ in range(5):
        log_in(page, demo_site.url, "officer", "a wrong guess")
    assert page.locator("h1").inner_text() == "Too many failed log-ins"
    assert page.locator(".error-summary h2").inner_text() == "Try again in 15 minutes"
    assert axe_violations(page) == []

    log_in(page, demo_site.url, "performance")
    page.get_by_role("link", name="Locked-out log-ins").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Locked-out log-ins"
    assert axe_violations(page) == []

    page.get_by_role("button", name="Unlock officer").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "officer is unlocked and can log in again now." in page.locator(".messages").inner_text()
    assert "Nobody is locked out." in page.content()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Log out performance").click()
    page.wait_for_load_state("networkidle")
    log_in(page, demo_site.url, "officer")
    assert page.locator("h1").first.inner_text() != "Too many failed log-ins"
    assert "Log out officer" in page.content()
    assert csp == []
