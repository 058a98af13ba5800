"""The demo's indicators (issue 17): from the seeds, under each year's priorities and measures, with
the July 2009 report's Green, Amber and Red, and one for the demo officer to enter."""

from decimal import Decimal

from plans import services
from plans.models import Indicator
from plans.periods import Month
from plans.status import Polarity, direction_of_travel, trend

JULY_2009, JULY_2008 = Month(2009, 7), Month(2008, 7)

# Each demo indicator's July 2009 Red, Amber or Green and its trend against June 2009 and July 2008
# (the 2008/09 plan's indicator of the same code): worked out by hand from the figures in the
# workbooks (fixtures/build_demo_indicators.py), not by the code under test.
EXPECTED_JULY_2009 = {
    # code: (place in the 2009/10 plan, lead, target, actual, RAG, against June, against July 2008)
    "TC1": ("CP1", "PS", "9%", "9.6%", "AMBER", "WORSENING", "WORSENING"),
    "TC2": ("CP1", "PS", "21,000", "", None, None, None),
    "BV199a": ("CP4 4.1", "MB", "8%", "9%", "AMBER", "SAME", "IMPROVING"),  # June: March's survey
    "BV199b": ("CP4 4.1", "MB", "3%", "2%", "GREEN", "IMPROVING", "IMPROVING"),
    "NI 192": ("CP4 4.2", "MB", "43%", "44.2%", "GREEN", "IMPROVING", "IMPROVING"),
    "NI 191": ("CP4 4.2", "MB", "47", "48.9", "RED", "WORSENING", "IMPROVING"),
    "BV8": ("FP2 6.2", "JP", "97.5%", "95.6%", "AMBER", "WORSENING", "IMPROVING"),
    "LPI CS1": ("PR1 9.1", "DP", "4.5%", "4.3%", "GREEN", "IMPROVING", "IMPROVING"),
    "NI 157a": ("PR5 13.2", "DH", "65%", "71.4%", "GREEN", "IMPROVING", "IMPROVING"),
    "BV12": ("HR & OD3", "JP", "8.5 days", "9.1 days", "RED", "WORSENING", "WORSENING"),
    "LPI HR4": ("HR & OD3 16.3", "JP", "2", "2", "GREEN", "SAME", "IMPROVING"),
}


def figures(plan) -> dict[str, Indicator]:
    return {i.code: i for i in Indicator.objects.filter(plan=plan).in_plan_order().with_figures()}


def previous_actual(indicators_2008: dict, indicator: Indicator, month: Month):
    """The actual of the last month before ``month`` the indicator was collected in, over both years."""
    last_year = indicators_2008[indicator.code]
    months = [m for m in [*last_year.reporting_month_list, *indicator.reporting_month_list] if m < month]
    for earlier in reversed(months):
        source = indicator if earlier >= indicator.plan.start else last_year
        actual = source.actual_for(earlier)
        if actual is not None:
            return actual.value
    return None


def july_row(indicator: Indicator, indicators_2008: dict) -> tuple:
    actual = indicator.actual_for(JULY_2009)
    value = actual.value if actual else None
    polarity = Polarity(indicator.polarity)
    last_year = indicators_2008[indicator.code].actual_for(JULY_2008)
    against_june = trend(current=value, previous=previous_actual(indicators_2008, indicator, JULY_2009),
                         polarity=polarity)  # fmt: skip
    against_last_year = trend(current=value, previous=last_year.value, polarity=polarity)
    place = (
        f"{indicator.priority.code} {indicator.measure.ref}" if indicator.measure else indicator.priority.code
    )
    return (
        place, indicator.lead.initials, indicator.text(indicator.target), indicator.text(value),
        indicator.rag_in(JULY_2009), against_june, against_last_year,
    )  # fmt: skip


def test_the_july_2009_report_has_five_green_three_amber_and_two_red_indicators(demo):
    indicators = figures(demo["2009"])
    rags = [indicator.rag_in(JULY_2009) for indicator in indicators.values()]
    assert len(indicators) == 11
    assert {rag: rags.count(rag) for rag in ("GREEN", "AMBER", "RED")} == {"GREEN": 5, "AMBER": 3, "RED": 2}
    assert rags.count(None) == 1  # the officer's town centre footfall, not yet entered


def test_each_demo_indicator_in_july_2009(demo):
    indicators, last_year = figures(demo["2009"]), figures(demo["2008"])
    assert {
        code: july_row(indicator, last_year) for code, indicator in indicators.items()
    } == EXPECTED_JULY_2009
    # Direction of travel against July 2008: 8 of the 10 with both actuals improving.
    trends = [row[6] for row in EXPECTED_JULY_2009.values()]
    assert direction_of_travel(trends).as_json() == {"count": 8, "of": 10, "percent": "80.0"}


def test_2008_09_holds_every_month_and_the_four_monthly_surveys(demo):
    indicators = figures(demo["2008"])
    assert sorted(indicators) == sorted(EXPECTED_JULY_2009)
    assert {code: len(i.actuals.all()) for code, i in indicators.items()} == {
        **{code: 12 for code in indicators}, "BV199a": 3, "BV199b": 3
    }  # fmt: skip
    assert [m.name for m in indicators["BV199a"].reporting_month_list] == [
        "July 2008",
        "November 2008",
        "March 2009",
    ]
    # Under the 2007/08 plan's priorities and measures, which the 2008/09 plan kept.
    assert [(i.priority.code, i.measure.ref if i.measure else "") for i in (indicators["BV199a"], indicators["LPI CS1"],
            indicators["LPI HR4"], indicators["BV12"])] == [("CP9", "9.1"), ("PR1", "15.1"), ("HR&OD 4", "22.2"),
                                                            ("HR&OD 3", "")]  # fmt: skip
    rags = [indicator.rag_in(Month(2009, 1)) for indicator in indicators.values()]
    assert {rag: rags.count(rag) for rag in ("GREEN", "AMBER", "RED", None)} == {
        "GREEN": 2, "AMBER": 2, "RED": 5, None: 2
    }  # fmt: skip


def test_the_officer_enters_julys_footfall_and_it_is_red_and_worsening(demo):
    from django.contrib.auth.models import User

    officer = User.objects.get(username="officer")
    footfall = Indicator.objects.get(plan=demo["2009"], code="TC2")
    assert footfall.lead.user == officer
    services.set_actual(user=officer, indicator=footfall, month=JULY_2009, value=Decimal("19800"),
                        note="Two weeks of roadworks on the High Street.")  # fmt: skip
    indicators, last_year = figures(demo["2009"]), figures(demo["2008"])
    assert july_row(indicators["TC2"], last_year) == (
        "CP1", "PS", "21,000", "19,800", "RED", "WORSENING", "WORSENING"
    )  # fmt: skip
    rags = [indicator.rag_in(JULY_2009) for indicator in indicators.values()]
    assert {rag: rags.count(rag) for rag in ("GREEN", "AMBER", "RED")} == {"GREEN": 5, "AMBER": 3, "RED": 3}
