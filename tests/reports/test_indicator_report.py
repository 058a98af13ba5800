"""Indicators in the month's report (issue 17, item 3): the same figures in the page, the JSON, the
command and the appendix; a closed month's indicators as published; queries that do not grow."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from plans import services
from plans.models import Indicator
from plans.periods import Month
from plans.services import IndicatorDefinition
from reports.closing import close_month, reopen_month
from reports.documents import render_appendix
from reports.exception_report import ExceptionReport, build_exception_report, exception_report
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_status
from tests.reports.pdf_helpers import all_text
from tests.reports.test_report_pages import REPORT_QUERIES

pytestmark = pytest.mark.django_db

JULY = Month(2009, 7)


def define(user, plan, code, title, priority, **values) -> Indicator:
    return services.save_indicator(
        user=user,
        plan=plan,
        definition=IndicatorDefinition(code=code, title=title, priority=priority, **values),
    )


def actuals(user, indicator, figures: dict[str, str], notes: dict[str, str] | None = None):
    services.set_actuals(
        user=user,
        plan=indicator.plan_id,
        writes=[
            services.ActualWrite(indicator, Month.parse(m), Decimal(v), (notes or {}).get(m, ""))
            for m, v in figures.items()
        ],
    )


@pytest.fixture
def plans(role_user):
    """2008/09 and 2009/10 with three indicators collected monthly in July 2009 and one quarterly:
    BV8 RED and worsening, BV12 AMBER and improving on a year before, BV199a GREEN and new."""
    performance = role_user("performance")
    lead = make_lead("PS", user=role_user("officer"))
    last = make_plan(slug="y2008", title="Improvement Plan 2008/09", first_month="2008-07")
    plan = make_plan(slug="y2009", title="Improvement Plan 2009/10", first_month="2009-07", previous=last)
    for year in (last, plan):
        priority = make_priority(year, "FP1", "Value for Money")
        bv8 = define(
            performance,
            year,
            "BV8",
            "Invoices paid within 30 days",
            priority,
            measure=make_measure(priority, "1.1"),
            unit="PERCENT",
            target=Decimal("97"),
            tolerance=Decimal("5"),
            lead=lead,
        )
        bv12 = define(
            performance, year, "BV 12", "Days lost to sickness", priority, unit="DAYS", polarity="LOWER",
            target=Decimal("10"), tolerance=Decimal("10"), lead=lead,
        )  # fmt: skip
        if year == last:
            actuals(performance, bv8, {"2008-07": "95", "2009-06": "96"})
            actuals(performance, bv12, {"2008-07": "12"})
    define(
        performance, plan, "BV199a", "Litter and detritus", plan.priorities.get(), unit="PERCENT",
        polarity="LOWER", target=Decimal("10"), lead=lead,
    )  # fmt: skip
    define(
        performance, plan, "BV9", "Council tax collected", plan.priorities.get(), unit="PERCENT",
        target=Decimal("98"), months=(Month(2009, 9), Month(2009, 12), Month(2010, 3), Month(2010, 6)),
    )  # fmt: skip
    bv8, bv12, bv199a = (Indicator.objects.get(plan=plan, code=c) for c in ("BV8", "BV 12", "BV199a"))
    actuals(
        performance,
        bv8,
        {"2009-07": "90"},
        {"2009-07": "The new finance system held invoices for two weeks <b>in July</b>"},
    )
    actuals(performance, bv12, {"2009-07": "10.5"})
    actuals(performance, bv199a, {"2009-07": "8"})
    measure = make_measure(plan.priorities.get(), "1.2")
    make_status(make_action(measure, "1.2.1", planned=["2009-07"], leads=[lead]), "2009-07", "GREEN")
    return {"2008": last, "2009": plan}


def test_the_report_carries_the_months_indicators_with_rag_and_trend(plans):
    report = build_exception_report(plans["2009"], JULY)
    rows = {i.code: i for i in report.indicators}
    assert list(rows) == ["BV8", "BV 12", "BV199a"]  # BV9 is collected quarterly, not in July
    bv8, bv12, bv199a = rows["BV8"], rows["BV 12"], rows["BV199a"]
    assert (bv8.actual_text, bv8.target_text, bv8.rag) == ("90%", "97%", "RED")
    assert bv8.trend_text == "Worsening since June 2009 (96%)"
    assert bv8.trend_year_text == "Worsening on July 2008 (95%)"
    assert (bv12.actual_text, bv12.rag) == ("10.5 days", "AMBER")  # 10 plus 10% is 11
    assert bv12.trend_text == "Improving since July 2008 (12 days)"  # its last figure was a year ago
    assert bv12.trend_year_text == "Improving on July 2008 (12 days)"  # "BV12" last year: spaces ignored
    assert (bv199a.rag, bv199a.trend, bv199a.trend_year) == ("GREEN", "", "")
    assert bv199a.trend_text == "No earlier actual to compare with"


def test_summary_json_gains_the_indicators_and_keeps_its_keys(plans, client_as):
    data = client_as("cmt").get("/reports/y2009/2009-07/summary.json").json()
    assert data["indicators"] == {
        "total": 3,
        "counts": {"GREEN": 1, "AMBER": 1, "RED": 1},
        # against July 2008: BV8 worse, BV12 better; BV199a has no figure a year before
        "improving": {"count": 1, "of": 2, "percent": "50.0"},
    }
    assert list(data) == [
        "plan",
        "month",
        "total",
        "counts",
        "percentages",
        "exceptions_by_priority",
        "indicators",
    ]
    assert data["total"] == 1


def test_report_summary_prints_the_same_json(plans):
    out = StringIO()
    call_command("report_summary", plan="y2009", month="2009-07", format="json", stdout=out)
    assert json.loads(out.getvalue())["indicators"] == exception_report(plans["2009"], JULY).indicators_json()


def test_a_plan_without_indicators_reports_none(client_as):
    plan = make_plan(slug="none")
    make_status(make_action(make_measure(make_priority(plan)), planned=["2009-07"]), "2009-07", "GREEN")
    data = client_as("cmt").get("/reports/none/2009-07/summary.json").json()
    assert data["indicators"] == {
        "total": 0,
        "counts": {"GREEN": 0, "AMBER": 0, "RED": 0},
        "improving": {"count": 0, "of": 0, "percent": "0.0"},
    }
    assert "Indicators for July 2009" not in client_as("cmt").get("/reports/none/2009-07/").content.decode()


def test_the_report_page_shows_red_and_amber_indicators_with_trend_note_and_chart(plans, client_as):
    html = client_as("cmt").get("/reports/y2009/2009-07/").content.decode()
    section = html[html.index('id="indicators-heading"') :]
    assert "3 indicators are reported in July 2009: 1 green, 1 amber, 1 red." in section
    assert (
        "1 of the 2 indicators with a figure for July 2009 and a year before is improving (50.0%)" in section
    )
    blocks = section[section.index("Indicators off target") :]
    assert "BV8 Invoices paid within 30 days: Red" in blocks
    assert "BV 12 Days lost to sickness: Amber" in blocks
    assert "BV199a" not in blocks  # green: in the table only
    assert "Worsening since June 2009 (96%)" in blocks
    # the lead's note, escaped
    assert "held invoices for two weeks &lt;b&gt;in July&lt;/b&gt;" in blocks
    assert "<b>in July</b>" not in html
    # the chart names itself and its figures follow as a table
    assert (
        "BV8 Invoices paid within 30 days (%): actual against target, 2008/09 and 2009/10</title>" in blocks
    )
    assert "<caption id=" in blocks and "BV8 month by month</caption>" in blocks


def test_the_appendix_pdf_has_the_indicator_section(plans):
    text = all_text(render_appendix(plans["2009"], JULY, seconds=None).content)
    assert "Indicators for July 2009" in text
    assert "BV8 Invoices paid within 30 days: Red" in text
    assert "Worsening since June 2009 (96%)" in text
    assert "held invoices for two weeks <b>in July" in text  # the note as typed, as text


def test_a_closed_month_keeps_its_indicators_as_published(plans, role_user):
    performance = role_user("performance")
    close_month(plans["2009"], JULY, performance)
    bv8 = Indicator.objects.get(plan=plans["2009"], code="BV8")
    # The year target may still change; what Cabinet saw does not.
    services.save_indicator(
        user=performance,
        plan=plans["2009"],
        indicator=bv8,
        definition=IndicatorDefinition(
            code="BV8",
            title="Invoices paid within 30 days",
            priority=bv8.priority,
            unit="PERCENT",
            target=Decimal("85"),
        ),
    )
    assert build_exception_report(plans["2009"], JULY).indicator_counts == {"GREEN": 2, "AMBER": 1, "RED": 0}
    published = exception_report(plans["2009"], JULY)
    assert published.indicator_counts == {"GREEN": 1, "AMBER": 1, "RED": 1}
    assert published.as_json()["indicators"]["counts"] == {"GREEN": 1, "AMBER": 1, "RED": 1}
    assert next(i for i in published.indicators if i.code == "BV8").target_text == "97%"
    with pytest.raises(services.MonthClosedError):
        actuals(performance, bv8, {"2009-07": "99"})
    # re-opened and closed again, the report publishes the figures as they are then
    reopen_month(plans["2009"], JULY, performance, "BV8's target was revised by Cabinet")
    close_month(plans["2009"], JULY, performance)
    assert exception_report(plans["2009"], JULY).as_json()["indicators"]["counts"] == {
        "GREEN": 2,
        "AMBER": 1,
        "RED": 0,
    }


def test_the_snapshot_keeps_every_figure_of_the_indicators(plans):
    report = build_exception_report(plans["2009"], JULY)
    again = ExceptionReport.from_snapshot(json.loads(json.dumps(report.as_snapshot())))
    assert again.indicators == report.indicators
    assert again.indicators[0].this_year[0].actual == Decimal("90")


def test_a_snapshot_published_before_indicators_has_none(plans):
    snapshot = build_exception_report(plans["2009"], JULY).as_snapshot()
    del snapshot["indicators"]
    assert ExceptionReport.from_snapshot(snapshot).indicators == ()


# The report page's queries (tests/reports/test_report_pages.py) and, with indicators, three more:
# their months collected, month targets and actuals (both years' indicators read together).
INDICATOR_REPORT_QUERIES = REPORT_QUERIES + 3


def test_report_page_and_json_queries_do_not_grow_with_the_indicators(
    plans, client_as, role_user, django_assert_max_num_queries
):
    client = client_as("cmt")
    with django_assert_max_num_queries(INDICATOR_REPORT_QUERIES) as few:
        client.get("/reports/y2009/2009-07/")
    with django_assert_max_num_queries(INDICATOR_REPORT_QUERIES - 1) as few_json:
        client.get("/reports/y2009/2009-07/summary.json")
    priority = plans["2009"].priorities.get()
    performance = role_user("performance")
    for n in range(20):
        made = define(
            performance, plans["2009"], f"LPI{n}", f"Local indicator {n}", priority, target=Decimal("5")
        )
        actuals(performance, made, {"2009-07": str(n)})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/reports/y2009/2009-07/")
    assert response.context["report"].indicator_counts["RED"] == 6  # BV8, and LPI0 to LPI4 under 5
    with django_assert_max_num_queries(len(few_json.captured_queries)):
        assert client.get("/reports/y2009/2009-07/summary.json").json()["indicators"]["total"] == 23


def test_the_chart_draws_both_years_against_the_target_on_a_round_scale(plans):
    from reports.chart import indicator_chart

    bv8 = build_exception_report(plans["2009"], JULY).indicators[0]
    chart = indicator_chart(bv8, "2009/10", "2008/09")
    # 90% to 97%: a scale of round figures just around them, not from zero
    assert [tick.label for tick in chart.y_ticks] == ["90", "92", "94", "96", "98"]
    assert [line.word for line in chart.lines] == ["2009/10 target", "2008/09 actual", "2009/10 actual"]
    this_year = chart.lines[-1]
    assert [point.label for point in this_year.points] == ["July 2009: 2009/10 actual 90%"]
    last_year = chart.lines[1]
    assert [point.label for point in last_year.points] == [
        "July 2008: 2008/09 actual 95%",
        "June 2009: 2008/09 actual 96%",
    ]
    assert len(last_year.segments) == 2  # no line drawn across the months without a figure
    # the text alternative: every month with its target, actual and the year before's
    assert (
        chart.months[0].month,
        chart.months[0].target,
        chart.months[0].actual,
        chart.months[0].last_actual,
    ) == (
        JULY,
        "97%",
        "90%",
        "95%",
    )
    assert chart.months[-1].last_actual == "96%"
    assert chart.title == "BV8 Invoices paid within 30 days (%): actual against target, 2008/09 and 2009/10"


def test_report_summary_text_names_the_indicators(plans):
    out = StringIO()
    call_command("report_summary", plan="y2009", month="2009-07", stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        "Indicators: 3 (GREEN 1, AMBER 1, RED 1); improving against a year before: 1 of 2 (50.0%)"
    )
