"""The progress chart: one line per status over both plan years, points only where months are reported."""

from plans.periods import Month
from reports.chart import progress_chart
from reports.exception_report import exception_report


def test_chart_has_a_point_for_each_reported_month_of_both_years(demo):
    chart = progress_chart(exception_report(demo["2009"], Month(2009, 7)))
    assert [s.word for s in chart.series] == ["Red", "Amber", "Green", "Re-programmed", "Suspended"]
    green = chart.series[2]
    # 12 months of 2008/09 and July 2009; August 2009 onwards not reported, so no point.
    assert len(green.points) == 13
    assert green.points[0].label == "July 2008: Green 89.1%"
    assert green.points[-1].label == "July 2009: Green 80.7%"
    assert len(chart.x_ticks) == 24
    assert chart.title == "Percentage of actions by status, 2008/09 and 2009/10"
    # Every status is told apart by its marker shape and dash pattern, not by colour alone.
    assert len({s.marker for s in chart.series}) == 5
    assert len({s.dash for s in chart.series}) == 4  # RED and GREEN are both solid; their shapes differ


def test_chart_points_stay_inside_the_plot(demo):
    chart = progress_chart(exception_report(demo["2009"], Month(2009, 7)))
    for series in chart.series:
        for point in series.points:
            assert chart.plot_left <= point.x <= chart.plot_right
            assert chart.plot_top <= point.y <= chart.plot_bottom
