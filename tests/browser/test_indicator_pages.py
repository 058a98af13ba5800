"""Issue 17 in real Chromium: the officer enters July's actual for an indicator they lead; CMT sees it
Red with its trend on the report; axe-core (WCAG 2.2 AA) on each page at desktop and phone width."""

from decimal import Decimal

from plans.models import Indicator, IndicatorActual
from tests.browser.conftest import axe_violations, log_in

PLAN = "bromsgrove-2009-10"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def sideways(page, selector: str = "html") -> int:
    """How far the element reaches past the window's right edge (0 or less: no sideways scroll)."""
    return page.evaluate(
        "(s) => Math.ceil(Math.max(document.querySelector(s).getBoundingClientRect().right,"
        " document.querySelector(s).scrollWidth) - window.innerWidth)",
        selector,
    )


def footfall_indicator() -> int:
    """The demo's TC2, town centre footfall, led by the officer's PS: 21,000 with a 5% tolerance,
    no July 2009 actual yet; June 2009 was 20,400 and July 2008 22,400 (2008/09 is published)."""
    return Indicator.objects.get(plan__slug=PLAN, code="TC2").pk


def test_the_officer_enters_julys_actual_and_cmt_sees_it_red_with_its_trend(demo_site, page, browser):
    pk = footfall_indicator()
    page.set_viewport_size(DESKTOP)
    log_in(page, demo_site.url, "officer")
    page.get_by_role("link", name="Update your actions for July 2009").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{demo_site.url}/plans/{PLAN}/my/2009-07/"
    section = page.locator(f"#indicator-{pk}")
    assert "21,000 (higher is better; Amber within 5% of target)" in section.inner_text()
    assert axe_violations(page) == []

    page.fill(f"#id_i{pk}-value", "ninety")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert (
        "TC2, actual for July 2009 (number): “ninety” is not a number"
        in page.locator(".error-summary").inner_text()
    )
    assert axe_violations(page) == []
    page.fill(f"#id_i{pk}-value", "19800")
    page.fill(f"#id_i{pk}-note", "Two weeks of roadworks on the High Street.")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "1 indicator actual for July 2009" in page.locator("#confirmation").inner_text()
    assert IndicatorActual.objects.get(indicator_id=pk).value == Decimal("19800")

    page.set_viewport_size(PHONE)
    page.reload()
    assert "Red" in page.locator(f"#indicator-{pk}").inner_text()
    assert sideways(page) <= 0
    assert axe_violations(page) == []

    context = browser.new_context(locale="en-GB", viewport=DESKTOP)
    cmt = context.new_page()
    log_in(cmt, demo_site.url, "cmt")
    cmt.goto(f"{demo_site.url}/reports/{PLAN}/2009-07/")
    indicators = cmt.locator("section.indicators")
    text = indicators.inner_text()
    assert "TC2 Town centre footfall (average weekly count): Red" in text
    assert "Worsening since June 2009 (20,400)" in text
    assert "Worsening on July 2008 (22,400)" in text
    assert "Two weeks of roadworks on the High Street." in text
    charts = [title.text_content() for title in cmt.locator("svg.indicator-chart title").all()]
    assert any(title.startswith("TC2 Town centre footfall") for title in charts)
    assert axe_violations(cmt) == []
    cmt.set_viewport_size(PHONE)
    # The indicators' section stays within a phone's width (its tables scroll in their own box).
    assert sideways(cmt, "section.indicators") <= 0
    assert cmt.locator("svg.indicator-chart").first.bounding_box()["width"] <= 390
    assert axe_violations(cmt) == []

    cmt.goto(f"{demo_site.url}/plans/{PLAN}/indicators/?month=2009-07&rag=RED")
    assert "TC2" in cmt.locator("main table").inner_text()
    assert sideways(cmt) <= 0
    assert axe_violations(cmt) == []
    cmt.set_viewport_size(DESKTOP)
    assert axe_violations(cmt) == []
    cmt.click("text=TC2")
    cmt.wait_for_load_state("networkidle")
    assert "The actual for July 2009 was set to 19,800." in cmt.locator("main").inner_text()
    assert axe_violations(cmt) == []
    context.close()
