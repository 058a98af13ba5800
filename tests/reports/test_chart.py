"""The progress chart: one status's percentage, this plan year over the previous one, month by
month on the plan year's twelve months; its text alternative; the full-width view."""

import pytest

from plans.periods import Month
from plans.status import Status
from reports.chart import COMPACT, WIDE, ChartRow, progress_chart, status_charts
from reports.exception_report import exception_report

MONTHS = ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun"]


def test_the_chart_draws_this_year_over_last_year_on_the_plan_years_twelve_months(demo):
    chart = progress_chart(exception_report(demo["2009"], Month(2009, 7)))
    assert chart.word == "Green"
    assert chart.title == "Green: percentage of actions each month, 2009/10 over 2008/09"
    # Two series on one 12-month axis: last year's (drawn first, underneath) and this year's.
    assert [s.label for s in chart.series] == ["2008/09", "2009/10"]
    assert [tick.label for tick in chart.x_ticks] == MONTHS
    last_year, this_year = chart.series
    assert len(last_year.points) == 12
    assert [p.label for p in last_year.points[:2]] == ["July 2008: Green 89.1%", "August 2008: Green 81.4%"]
    assert last_year.points[-1].label == "June 2009: Green 82.4%"
    # This year only to the report's month: August 2009 onwards are not reported yet.
    assert [p.label for p in this_year.points] == ["July 2009: Green 80.7%"]
    # July over July: the same place on the axis, where the report's month is marked.
    assert this_year.points[0].x == last_year.points[0].x == chart.month_x


def test_the_two_years_differ_in_line_and_marker_as_well_as_colour(demo):
    last_year, this_year = progress_chart(exception_report(demo["2009"], Month(2009, 7))).series
    assert (last_year.dash, last_year.marker) == ("7 4", "square")
    assert (this_year.dash, this_year.marker) == ("", "circle")


def test_the_charts_text_alternative_gives_every_value(demo):
    chart = progress_chart(exception_report(demo["2009"], Month(2009, 7)), Status.AMBER)
    assert chart.description == (
        "Line chart: the percentage of actions reported Amber in each month of the plan year. "
        "July 2009: 13.3%; July 2008: 2.3%."
    )
    assert chart.rows[0] == ChartRow("July", "2.3%", "13.3%", is_report_month=True)
    assert chart.rows[1] == ChartRow("August", "3.4%", "", is_report_month=False)
    assert chart.rows[-1] == ChartRow("June", "0.0%", "", is_report_month=False)
    assert len(chart.rows) == 12


def test_a_plan_without_a_previous_year_has_one_line(demo):
    # 2008/09 has no previous year in the demo; June 2009 is published: the chart is its snapshot's.
    chart = progress_chart(exception_report(demo["2008"], Month(2009, 6)))
    assert [s.label for s in chart.series] == ["2008/09"]
    assert len(chart.series[0].points) == 12
    assert chart.description.endswith("June 2009: 82.4%.")
    assert chart.rows[-1] == ChartRow("June", "", "82.4%", is_report_month=True)


@pytest.mark.parametrize("layout", [COMPACT, WIDE])
def test_points_stay_inside_the_plot_in_both_layouts(demo, layout):
    for chart in status_charts(exception_report(demo["2009"], Month(2009, 7)), layout):
        for series in chart.series:
            for point in series.points:
                assert chart.plot_left <= point.x <= chart.plot_right
                assert chart.plot_top <= point.y <= chart.plot_bottom


def test_every_status_has_its_chart_each_named_once_on_its_page(demo):
    report = exception_report(demo["2009"], Month(2009, 7))
    charts = status_charts(report, COMPACT) + status_charts(report, WIDE)
    assert [c.word for c in charts[:5]] == ["Green", "Amber", "Red", "Re-programmed", "Suspended"]
    assert len({c.id for c in charts}) == 10  # the SVGs' title and description ids


CHART = "/reports/bromsgrove-2009-10/2009-07/chart/"


@pytest.mark.parametrize("role", ["officer", "performance", "cmt", "clerk"])
def test_every_role_opens_the_charts_at_full_width(demo, client_as, role):
    html = client_as(role).get(CHART).content.decode()
    for word in ["Green", "Amber", "Red", "Re-programmed", "Suspended"]:
        assert f"{word}: percentage of actions each month, 2009/10 over 2008/09" in html
    # Each chart's figures as a table, open: July 2009 beside July 2008.
    assert html.count('<details class="chart-figures" open>') == 5
    assert '<th scope="row">July</th><td class="number">89.1%</td><td class="number">80.7%</td>' in html


def test_the_chart_page_refuses_a_user_without_a_role_and_sends_visitors_to_log_in(demo, client, client_as):
    assert client.get(CHART)["Location"].startswith("/accounts/login/")
    assert client_as("none").get(CHART).status_code == 403


def test_the_report_and_the_dashboard_link_to_the_full_width_charts(demo, client_as):
    client = client_as("cmt")
    report = client.get("/reports/bromsgrove-2009-10/2009-07/").content.decode()
    assert '<svg class="progress-chart"' in report
    assert (
        'aria-labelledby="chart-bromsgrove-2009-10-green-400-title chart-bromsgrove-2009-10-green-400-desc"'
        in report
    )
    assert f'<a href="{CHART}">Every status’s chart at full width' in report
    dashboard = client.get("/dashboard/").content.decode()
    assert "Green: percentage of actions each month, 2009/10 over 2008/09" in dashboard
    assert f'<a href="{CHART}">' in dashboard
    assert 'href="/reports/bromsgrove-2008-09/2009-06/chart/"' in dashboard
