"""The progress chart: the percentages of the progress table over both plan years, drawn as an
SVG on the server so it needs no JavaScript and prints in the PDF. Only geometry is worked out
here; the percentages are those of the report (``plans.status``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from plans.periods import Month
from plans.selectors import IndicatorFigures
from plans.status import COUNTED, Status, number_text, percent_text
from reports.exception_report import ExceptionReport

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 64
# Each line has its own dash pattern and marker shape as well as its colour: never colour alone.
DASHES = {Status.RED: "", Status.AMBER: "6 3", Status.GREEN: "", Status.REPRO: "2 3", Status.SUSP: "8 3 2 3"}
MARKERS = {
    Status.RED: "square",
    Status.AMBER: "triangle",
    Status.GREEN: "circle",
    Status.REPRO: "diamond",
    Status.SUSP: "cross",
}


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # "July 2009: Amber 13.3%"

    @property
    def triangle(self) -> str:
        return f"{self.x:.1f},{self.y - 5:.1f} {self.x - 5:.1f},{self.y + 4:.1f} {self.x + 5:.1f},{self.y + 4:.1f}"

    @property
    def corner_x(self) -> str:
        return f"{self.x - 4:.1f}"

    @property
    def corner_y(self) -> str:
        return f"{self.y - 4:.1f}"

    @property
    def cross(self) -> str:
        return f"M{self.x - 4:.1f},{self.y - 4:.1f} l8,8 m0,-8 l-8,8"

    @property
    def diamond(self) -> str:
        return f"{self.x:.1f},{self.y - 5:.1f} {self.x + 5:.1f},{self.y:.1f} {self.x:.1f},{self.y + 5:.1f} {self.x - 5:.1f},{self.y:.1f}"


@dataclass(frozen=True)
class Series:
    status: str
    css: str
    word: str
    dash: str
    marker: str
    segments: tuple[str, ...]  # polyline point lists, broken where a month has no figures
    points: tuple[Point, ...]
    legend_y: float
    legend_point: Point  # the marker drawn on the legend's sample line


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Frame:
    """What every chart has: its size, the plot area, the axes' ticks, and its title and
    description (the SVG's ``<title>`` and ``<desc>``)."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    title: str
    description: str


@dataclass(frozen=True)
class Chart(Frame):
    series: tuple[Series, ...]
    year_divider: float | None
    legend_x: float


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(value: Decimal) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(value) / 100)


def progress_chart(report: ExceptionReport) -> Chart:
    """Previous plan year's months first, then this year's, as the table reads left to right."""
    months: list[tuple[Month, object]] = [
        (row.previous.month, row.previous.figures) for row in report.progress if row.previous
    ]
    divider_index = len(months)
    months += [(row.current.month, row.current.figures) for row in report.progress if row.current]
    count = len(months)
    series = []
    for n, status in enumerate(COUNTED):
        word = report.word(status)
        segments, run, points = [], [], []
        for i, (month, figures) in enumerate(months):
            if figures is None or figures.is_empty:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            value = figures.percent(status)
            x, y = _x(i, count), _y(value)
            run.append(f"{x:.1f},{y:.1f}")
            points.append(Point(x, y, f"{month.name}: {word} {percent_text(value)}%"))
        if run:
            segments.append(" ".join(run))
        series.append(
            Series(
                status=status.value,
                css=status.value.lower(),
                word=word,
                dash=DASHES[status],
                marker=MARKERS[status],
                segments=tuple(segments),
                points=tuple(points),
                legend_y=TOP + 14 + n * 22,
                legend_point=Point(WIDTH - RIGHT + 28, TOP + 14 + n * 22, word),
            )
        )
    x_ticks = tuple(
        Tick(_x(i, count), HEIGHT - BOTTOM + 14, month.grid_label + (f" {month.year % 100:02d}"))
        for i, (month, _) in enumerate(months)
    )
    y_ticks = tuple(Tick(LEFT - 6, _y(Decimal(v)), f"{v}%") for v in (0, 25, 50, 75, 100))
    divider = None
    if 0 < divider_index < count:
        divider = (_x(divider_index - 1, count) + _x(divider_index, count)) / 2
    years = (
        f"{report.previous_year_label} and {report.year_label}"
        if report.previous_year_label
        else report.year_label
    )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
        series=tuple(series),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        year_divider=divider,
        legend_x=WIDTH - RIGHT + 16,
        title=f"Percentage of actions by status, {years}",
        description=(
            "Line chart of the percentages in the progress table: one line per status, one point per "
            "month reported. The same figures are given in the progress table."
        ),
    )


# --- An indicator's chart: actuals against target over this plan year and the last (issue 17) ----
#
# Small (360 × 200) so that it is drawn at its own size on a 390 px phone and six fit on an A4
# page; the months are the plan year's, so last year's line sits under this year's month by month.

IND_WIDTH, IND_HEIGHT = 360, 200
IND_LEFT, IND_RIGHT, IND_TOP, IND_BOTTOM = 58, 10, 10, 34
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


@dataclass(frozen=True)
class IndicatorLine:
    css: str  # "this-year", "last-year", "target"
    word: str  # "2009/10 actual"
    # Colours as SVG attributes: WeasyPrint does not apply a page's CSS to an inline SVG's strokes.
    # Dark blue, grey and black differ in grey copies too, and each line has its own dash and marker.
    stroke: str
    fill: str
    dash: str
    marker: str  # a shape of chart_marker.html, or "" for none
    segments: tuple[str, ...]
    points: tuple[Point, ...]


@dataclass(frozen=True)
class IndicatorChart(Frame):
    lines: tuple[IndicatorLine, ...]
    months: tuple[IndicatorMonthRow, ...]  # the chart's figures as a table (its text alternative)


@dataclass(frozen=True)
class IndicatorMonthRow:
    """A row of the chart's table: a month of this plan year and the same month of the last."""

    month: Month
    actual: str
    target: str
    last_month: Month | None
    last_actual: str


def _nice_step(span: Decimal) -> Decimal:
    """A round step giving about four gridlines over ``span`` (1, 2, 2.5 or 5 times a power of 10)."""
    raw = span / 4
    power = Decimal(10) ** (raw.adjusted())
    return next(step * power for step in NICE_STEPS if step * power >= raw)


def _scale(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """The axis's bottom, top and step: round figures just below the lowest and above the highest
    (not from zero: 90% against a 97% target must not be a flat line at the top)."""
    low, high = min(values, default=Decimal(0)), max(values, default=Decimal(1))
    if high == low:
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    bottom = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    top = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    return bottom, top, step


def indicator_chart(figures: IndicatorFigures, year_label: str, previous_year_label: str) -> IndicatorChart:
    this_year, last_year = figures.this_year, figures.last_year
    values = [v for p in (*this_year, *last_year) for v in (p.actual, p.target) if v is not None]
    bottom, top, step = _scale(values)
    count = len(this_year)

    def x(index: int) -> float:
        span = IND_WIDTH - IND_LEFT - IND_RIGHT
        return IND_LEFT + (span * index / (count - 1) if count > 1 else span / 2)

    def y(value: Decimal) -> float:
        return IND_TOP + (IND_HEIGHT - IND_TOP - IND_BOTTOM) * float((top - value) / (top - bottom))

    def line(css, word, colours, dash, marker, points, value_of) -> IndicatorLine | None:
        segments, run, drawn = [], [], []
        for i, point in enumerate(points):
            value = value_of(point)
            if value is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            run.append(f"{x(i):.1f},{y(value):.1f}")
            drawn.append(Point(x(i), y(value), f"{point.month.name}: {word} {figures.text(value)}"))
        if run:
            segments.append(" ".join(run))
        if not drawn:
            return None
        return IndicatorLine(css, word, *colours, dash, marker, tuple(segments), tuple(drawn))

    lines = [
        line("target", f"{year_label} target", ("#0b0c0c", "none"), "3 3", "", this_year, lambda p: p.target),
        line(
            "last-year",
            f"{previous_year_label} actual",
            ("#505a5f", "#ffffff"),
            "7 4",
            "square",
            last_year,
            lambda p: p.actual,
        ),
        line(
            "this-year",
            f"{year_label} actual",
            ("#1d70b8", "#1d70b8"),
            "",
            "circle",
            this_year,
            lambda p: p.actual,
        ),
    ]
    ticks, value = [], bottom
    while value <= top:
        # Figures only: "£1,250,000" would not fit beside the axis; the title gives the unit.
        ticks.append(Tick(IND_LEFT - 6, y(value), number_text(value)))
        value += step
    rows = tuple(
        IndicatorMonthRow(
            month=point.month,
            actual=figures.text(point.actual),
            target=figures.text(point.target),
            last_month=last_year[i].month if i < len(last_year) else None,
            last_actual=figures.text(last_year[i].actual) if i < len(last_year) else "",
        )
        for i, point in enumerate(this_year)
    )
    years = f"{previous_year_label} and {year_label}" if last_year else year_label
    return IndicatorChart(
        width=IND_WIDTH,
        height=IND_HEIGHT,
        plot_left=IND_LEFT,
        plot_right=IND_WIDTH - IND_RIGHT,
        plot_top=IND_TOP,
        plot_bottom=IND_HEIGHT - IND_BOTTOM,
        lines=tuple(item for item in lines if item is not None),
        x_ticks=tuple(
            Tick(x(i), IND_HEIGHT - IND_BOTTOM + 14, p.month.grid_label) for i, p in enumerate(this_year)
        ),
        y_ticks=tuple(ticks),
        title=f"{figures.code} {figures.title} ({figures.unit_label.lower()}): actual against target, {years}",
        description=(
            f"Line chart by month of the plan year: this year's actual (solid line, circles), "
            f"{'last year’s actual (dashed line, squares), ' if last_year else ''}and the target "
            "(dotted line). The same figures are in the table that follows."
        ),
        months=rows,
    )
