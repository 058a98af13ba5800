"""Issue 18: every state of the month page, the action page and the request form, at desktop width
and on a 390 px phone: axe-core clean, nothing scrolls sideways, and the radios, "More" and the
buttons are at least 44 px to touch."""

import pytest

from plans.models import Action
from tests.browser.conftest import axe_violations, log_in

PLAN = "bromsgrove-2009-10"


def pk(ref: str) -> int:
    return Action.objects.get(plan__slug=PLAN, ref=ref).pk


def check(page, state: str, width: int) -> None:
    assert (state, width, axe_violations(page)) == (state, width, [])
    sideways = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert (state, width, sideways) == (state, width, 0)


def small_targets(page) -> list:
    """Radios' labels, "More" and buttons of the form smaller than 44 px either way."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main .radio label, main details.more > summary, main button')]
            .map(e => { const r = e.getBoundingClientRect();
                        return {text: e.innerText.trim().slice(0, 30), w: r.width, h: r.height}; })
            .filter(t => t.w < 44 || t.h < 44)"""
    )


@pytest.mark.parametrize("width", [1366, 390])
def test_every_state_of_the_month_page_passes_axe_without_sideways_scrolling(demo_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_site.url, "officer")
    month = f"{demo_site.url}/plans/{PLAN}/my/2009-07/"
    page.goto(month)
    check(page, "month page", width)
    assert small_targets(page) == []

    page.locator(f"#action-{pk('1.1.1')} details.more > summary").click()
    check(page, "More open", width)

    page.check(f"#id_a{pk('1.1.2')}-status_1")  # Amber where the dates suggest Green, no reason
    page.fill(f"#id_a{pk('1.1.2')}-corrective_action", "")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    check(page, "an error", width)

    page.goto(month)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.id") == "confirmation"
    check(page, "saved", width)

    page.goto(f"{demo_site.url}/plans/{PLAN}/actions/{pk('1.1.1')}/request/2009-07/")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Choose whether you are asking to re-programme or suspend the action." in page.inner_text(
        ".error-summary"
    )
    check(page, "request form with errors", width)
    assert small_targets(page) == []

    page.goto(f"{demo_site.url}/plans/{PLAN}/actions/{pk('1.1.1')}/")
    assert "Update 1.1.1 for July 2009" in page.inner_text("main")
    check(page, "action page with its history", width)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_performance_team_updates_another_leads_action_from_its_page(demo_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}/plans/{PLAN}/actions/{pk('11.1.1')}/")
    check(page, "action page", width)
    page.get_by_role("link", name="Update 11.1.1 for July 2009").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Update 11.1.1 for July 2009"
    assert page.locator("section.month-row").count() == 1
    check(page, "one action's update", width)
    page.fill(
        f"#id_a{pk('11.1.1')}-corrective_action", "Chased: business cases go to full council in September"
    )
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#confirmation") == "Saved 1 action for July 2009."
    page.goto(f"{demo_site.url}/plans/{PLAN}/actions/{pk('11.1.1')}/")
    assert "changed the corrective action" in page.inner_text(".history")
    check(page, "action page after the update", width)
