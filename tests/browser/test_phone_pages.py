"""Every main page on a phone, as each role: nothing scrolls the page sideways at 390 or 320 px
(wide tables stack into cards or scroll inside a labelled region), and axe-core finds nothing."""

import pytest

from tests.browser.conftest import axe_violations, log_in

PLAN = "/plans/bromsgrove-2009-10/"
REPORT = "/reports/bromsgrove-2009-10/2009-07/"
PUBLISHED = "/reports/bromsgrove-2008-09/2009-06/"

# The demo's people and the pages each of them opens; {7.3.3} stands for that action's address
# (an action with requests and history).
PAGES = {
    "officer": [
        "/",
        "/dashboard/",
        PLAN,
        PLAN + "indicators/",
        PLAN + "my/2009-07/",
        "{7.3.3}",
        "{1.1.1}request/2009-07/",
        REPORT,
        REPORT + "chart/",
    ],
    "performance": [
        "/",
        "/dashboard/",
        PLAN,
        PLAN + "?sort=-description",
        PLAN + "approvals/",
        PLAN + "chase/2009-07/",
        "{7.3.3}",
        REPORT,
        PUBLISHED,
        PUBLISHED + "published/",
        PUBLISHED + "reopen/",
        "/reports/bromsgrove-2009-10/cover-settings/",
        "/plans/import/",
        PLAN + "roll-over/",
        "/accounts/locked-out/",
        REPORT + "close/",
        REPORT + "cover/",
        "/plans/leads/",
        "/risks/",
        REPORT + "recommendations/",
    ],
    "cmt": ["/", "/dashboard/", PLAN, PLAN + "approvals/", REPORT, REPORT + "chart/", "/risks/"],
    "clerk": ["/", "/dashboard/", PLAN, PUBLISHED, PUBLISHED + "chart/", PUBLISHED + "cover/"],
}

WIDTHS = (390, 320)


def address(path: str) -> str:
    if path.startswith("{"):
        from plans.models import Action

        ref, rest = path[1:].split("}", 1)
        return Action.objects.get(plan__slug="bromsgrove-2009-10", ref=ref).get_absolute_url() + rest
    return path


@pytest.fixture
def phone(demo_site, browser):
    """Log in as ``role`` on a screen ``width`` px wide: returns the page."""
    contexts = []

    def open_as(role: str, width: int):
        context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 844})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, demo_site.url, role)
        return page

    yield open_as
    for context in contexts:
        context.close()


def sideways(page, width: int) -> int:
    """How far the page runs past the screen's right edge, in pixels."""
    return page.evaluate("(w) => Math.max(0, document.documentElement.scrollWidth - w)", width)


@pytest.mark.parametrize("role", PAGES)
def test_every_page_fits_a_phone_and_passes_axe(demo_site, phone, role):
    page = phone(role, WIDTHS[0])
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        for path in map(address, PAGES[role]):
            response = page.goto(demo_site.url + path)
            assert response.status == 200, (path, response.status)
            assert page.evaluate("innerWidth") == width
            if overflow := sideways(page, width):
                problems.append((width, path, f"scrolls sideways by {overflow} px"))
            if violations := axe_violations(page):
                problems.append((width, path, violations))
    assert problems == []


def test_on_a_phone_each_action_of_the_plan_is_a_card_with_its_months_named(demo_site, phone):
    page = phone("clerk", 320)
    page.goto(demo_site.url + PLAN)
    row = page.locator("table.plan-grid tbody tr:not(.priority-row):not(.measure-row)").first
    # The row's cells stand one under another, each after its heading, the strip's months in a
    # grid of boxes that fits the card; the sort links stay.
    assert row.locator("td").nth(1).evaluate("td => getComputedStyle(td, '::before').content") == '"Ref.: "'
    july = row.locator("td.grid-cell").first
    assert july.evaluate("td => getComputedStyle(td, '::before').content") == '"July"'
    assert "Amber" in july.inner_text()
    box, card = july.bounding_box(), row.bounding_box()
    assert box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
    assert page.get_by_role("link", name="Sort by Action").is_visible()
    # The progress table on the report scrolls inside its region, which the keyboard reaches.
    page.goto(demo_site.url + REPORT)
    region = page.get_by_role("region", name="Actions by status each month")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    region.focus()
    page.keyboard.press("ArrowRight")
    # (the browser may scroll smoothly: wait for it to move)
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle(), timeout=5_000)


def test_the_chart_opens_at_full_width_with_its_figures(demo_site, phone):
    page = phone("cmt", 390)
    page.goto(demo_site.url + REPORT)
    chart = page.locator("figure.report-chart").first
    assert chart.locator("svg.progress-chart").get_attribute("role") == "img"
    assert chart.locator(".chart-key").inner_text().split("\n") == [
        "2008/09 (last year)",
        "2009/10 (this year)",
    ]
    chart.get_by_text("Green each month as a table").click()
    assert "89.1%" in chart.locator("table").inner_text()
    page.get_by_role("link", name="Every status’s chart at full width").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Progress charts for July 2009"
    # On the phone the compact drawings are shown, the wide ones from 40em.
    assert page.locator(".chart-compact svg").count() == 5
    assert page.locator(".chart-wide svg").first.is_hidden()
    page.set_viewport_size({"width": 1366, "height": 900})
    assert page.locator(".chart-wide svg").first.is_visible()
    assert page.locator(".chart-compact svg").first.is_hidden()
    assert axe_violations(page) == []
