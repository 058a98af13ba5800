"""The performance team writes August's own text for the committee report, and everyone reads the
corporate risk register: by keyboard, at desk and phone width, axe-clean."""

import pytest

from tests.browser.conftest import axe_violations, log_in

WIDTHS = [1366, 390]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_performance_team_writes_augusts_own_text_and_only_august_shows_it(demo_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/2009-08/cover/")
    assert axe_violations(page) == [] and no_sideways_scroll(page)
    page.get_by_role("link", name="Change the text for August 2009 only").click()
    assert axe_violations(page) == [] and no_sideways_scroll(page)

    # A placeholder the report cannot fill is explained; the summary takes focus and leads to the box.
    box = page.get_by_label("4. Financial implications")
    box.fill("The August budget review saved £12,000 for {monthly}.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the text").press("Enter")
    summary = page.get_by_role("alert")
    assert "{monthly} is not something the report can fill in." in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert axe_violations(page) == [] and no_sideways_scroll(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_financial"
    assert "{monthly}" in page.get_by_label("4. Financial implications").input_value()

    page.get_by_label("4. Financial implications").fill("The August budget review saved £12,000 in {month}.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the text").press("Enter")
    assert "The text for August 2009 is saved" in page.get_by_role("status").inner_text()
    assert (
        "4.1 The August budget review saved £12,000 in August 2009." in page.locator("article").inner_text()
    )

    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/2009-07/cover/")
    july = page.locator("article").inner_text()
    assert "4.1 No financial implications." in july and "August budget review" not in july


@pytest.mark.parametrize("width", WIDTHS)
def test_a_clerk_reads_the_risk_register(demo_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_site.url, "clerk")
    page.get_by_role("link", name="Corporate risks").click()
    assert page.get_by_role(
        "heading",
        name="KO5: Full compliance with the Civil Contingencies Act and effective Business Continuity",
    ).is_visible()
    ko18 = page.locator(
        "section.risk", has=page.get_by_role("heading", name="KO18: Effective Business Continuity")
    )
    assert "Merged into KO5: reported as part of it." in ko18.inner_text()
    assert page.get_by_role("link", name="Change KO1").count() == 0
    assert axe_violations(page) == [] and no_sideways_scroll(page)


def test_the_performance_team_links_a_risk_to_an_action_by_keyboard(demo_site, page):
    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}/risks/")
    page.get_by_role("link", name="KO20's references in Improvement Plan 2009/10").click()
    assert page.get_by_label("CP3: Sense of Community").is_checked()
    page.get_by_text("Actions (none chosen)").click()
    box = page.get_by_label("PR1 9.1.1", exact=False).first
    box.focus()
    page.keyboard.press("Space")
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Save the references").press("Enter")
    assert (
        "KO20's references in Improvement Plan 2009/10 are saved." in page.get_by_role("status").inner_text()
    )
    page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/2009-07/cover/")
    assert "PR1 9.1.1" in page.locator("article").inner_text()
