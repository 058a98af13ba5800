"""Issue 17 in real Chromium: the officer enters July's actual for an indicator they lead; CMT sees it
Red with its trend on the report; axe-core (WCAG 2.2 AA) on each page at desktop and phone width."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import User

from plans import services
from plans.models import IndicatorActual, Lead, Plan
from plans.services import IndicatorDefinition
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


def invoices_indicator() -> int:
    """BV8 in both plan years, led by the officer's PS: 97% with a 5% tolerance. 2008/09 is
    published, so its figures are rows as they stood when its months were closed."""
    performance = User.objects.get(username="performance")
    ps = Lead.objects.get(initials="PS")
    made = {}
    for slug in ("bromsgrove-2008-09", PLAN):
        plan = Plan.objects.get(slug=slug)
        made[slug] = services.save_indicator(
            user=performance,
            plan=plan,
            definition=IndicatorDefinition(
                code="BV8",
                title="Invoices paid within 30 days",
                priority=plan.priorities.get(code="FP1"),
                unit="PERCENT",
                target=Decimal("97"),
                tolerance=Decimal("5"),
                lead=ps,
            ),
        )
    for day, value in ((datetime.date(2008, 7, 1), "95"), (datetime.date(2009, 6, 1), "96")):
        IndicatorActual.objects.create(indicator=made["bromsgrove-2008-09"], month=day, value=Decimal(value))
    return made[PLAN].pk


def test_the_officer_enters_julys_actual_and_cmt_sees_it_red_with_its_trend(demo_site, page, browser):
    pk = invoices_indicator()
    page.set_viewport_size(DESKTOP)
    log_in(page, demo_site.url, "officer")
    assert page.url == f"{demo_site.url}/plans/{PLAN}/my/2009-07/"
    section = page.locator(f"#indicator-{pk}")
    assert "97% (higher is better; Amber within 5% of target)" in section.inner_text()
    assert axe_violations(page) == []

    page.fill(f"#id_i{pk}-value", "ninety")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert (
        "BV8, actual for July 2009 (%): “ninety” is not a number"
        in page.locator(".error-summary").inner_text()
    )
    assert axe_violations(page) == []
    page.fill(f"#id_i{pk}-value", "90")
    page.fill(f"#id_i{pk}-note", "The new finance system held invoices for two weeks.")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "1 indicator actual for July 2009" in page.locator(".messages").inner_text()
    assert IndicatorActual.objects.get(indicator_id=pk).value == Decimal("90")

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
    assert "BV8 Invoices paid within 30 days: Red" in text
    assert "Worsening since June 2009 (96%)" in text
    assert "Worsening on July 2008 (95%)" in text
    assert "The new finance system held invoices for two weeks." in text
    assert (
        cmt.locator("svg.indicator-chart title")
        .first.text_content()
        .startswith("BV8 Invoices paid within 30 days")
    )
    assert axe_violations(cmt) == []
    cmt.set_viewport_size(PHONE)
    # The indicators' section stays within a phone's width (its tables scroll in their own box).
    assert sideways(cmt, "section.indicators") <= 0
    assert cmt.locator("svg.indicator-chart").first.bounding_box()["width"] <= 390
    assert axe_violations(cmt) == []

    cmt.goto(f"{demo_site.url}/plans/{PLAN}/indicators/?month=2009-07&rag=RED")
    assert "BV8" in cmt.locator("main table").inner_text()
    assert sideways(cmt) <= 0
    assert axe_violations(cmt) == []
    cmt.set_viewport_size(DESKTOP)
    assert axe_violations(cmt) == []
    cmt.click("text=BV8")
    cmt.wait_for_load_state("networkidle")
    assert "The actual for July 2009 was set to 90%." in cmt.locator("main").inner_text()
    assert axe_violations(cmt) == []
    context.close()
