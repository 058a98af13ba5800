"""The progress chart: one status's percentage month by month, this plan year over the previous
one, on the plan year's own months (July to June at Bromsgrove, April to March at most councils).
Drawn as SVG on the server, so it needs no JavaScript.

Only geometry is worked out here; the figures are the progress table's (``ProgressRow``, the
percentages of ``plans.status``). The two years are told apart by line style and marker shape
as well as colour, so the chart reads in greyscale; its text alternative is ``Chart.rows`` (a
table of every value) and ``Chart.description`` (the month's two values in words)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from plans.periods import Month
from plans.status import LEGEND_ORDER, Status, StatusCounts, percent_text
from reports.exception_report import ProgressRow

# The status charted where there is room for one: the share of actions on target.
HEADLINE = Status.GREEN


@dataclass(frozen=True)
class Layout:
    """The chart's drawing size in SVG units. The SVG is scaled to the width it is given, so its
    type is ``font`` units high at ``width`` pixels wide: the compact layout keeps 16-unit labels
    about 11.5 px high on a 320 px phone (14 px at 390); the wide one is for a whole desktop screen."""

    width: int
    height: int
    left: int = 50
    right: int = 16
    top: int = 14
    bottom: int = 32
    font: int = 16


COMPACT = Layout(400, 260)
WIDE = Layout(860, 340)

# this year's line solid and heavier, with filled circles; last year's dashed, with open squares
THIS_YEAR, LAST_YEAR = "this-year", "last-year"
DASHES = {THIS_YEAR: "", LAST_YEAR: "7 4"}
MARKERS = {THIS_YEAR: "circle", LAST_YEAR: "square"}


class ProgressSource(Protocol):
    """What a chart is drawn from: an ``ExceptionReport``, or a dashboard row."""

    plan_slug: str
    month: Month
    year_label: str
    previous_year_label: str
    progress: tuple[ProgressRow, ...]

    def word(self, status: str) -> str: ...


@dataclass(frozen=True)
class Point:
    """A month's value; coordinates to one decimal place, as the SVG prints them."""

    x: float
    y: float
    label: str  # "July 2009: Green 80.7%"

    @property
    def corner_x(self) -> float:
        return round(self.x - 4.5, 1)

    @property
    def corner_y(self) -> float:
        return round(self.y - 4.5, 1)


@dataclass(frozen=True)
class Series:
    key: str  # THIS_YEAR or LAST_YEAR
    label: str  # "2009/10"
    dash: str
    marker: str
    segments: tuple[str, ...]  # polyline point lists, broken where a month has no figures
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class ChartRow:
    """A row of the chart's data table: the n-th month of the plan year, and each year's value."""

    month: str  # "July"
    last_year: str  # "89.1%"; "" when the month had no figures
    this_year: str
    is_report_month: bool


@dataclass(frozen=True)
class Chart:
    id: str  # unique on its page: the SVG's title and description are named by it
    status: Status
    word: str  # the plan's word for the status: "Green"
    layout: Layout
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    series: tuple[Series, ...]  # last year's first, drawn under this year's
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    month_x: float | None  # the report's month, marked by a vertical line
    title: str
    description: str
    rows: tuple[ChartRow, ...]
    year_label: str
    previous_year_label: str

    @property
    def width(self) -> int:
        return self.layout.width

    @property
    def height(self) -> int:
        return self.layout.height


def _value(figures: StatusCounts | None, status: Status) -> Decimal | None:
    return None if figures is None or figures.is_empty else figures.percent(status)


def _text(value: Decimal | None) -> str:
    return "" if value is None else f"{percent_text(value)}%"


def progress_chart(source: ProgressSource, status: Status = HEADLINE, layout: Layout = COMPACT) -> Chart:
    """``status``'s percentage in each month of the plan year: this year (to the report's month)
    over the previous year, month by month."""
    status = Status(status)
    word = source.word(status)
    rows: Sequence[ProgressRow] = source.progress
    count = len(rows)
    plot_left, plot_right = layout.left, layout.width - layout.right
    plot_top, plot_bottom = layout.top, layout.height - layout.bottom

    def x(index: int) -> float:
        span = plot_right - plot_left
        return round(plot_left + (span * index / (count - 1) if count > 1 else span / 2), 1)

    def y(value: Decimal) -> float:
        return round(plot_top + (plot_bottom - plot_top) * (1 - float(value) / 100), 1)

    def series(key: str, label: str, cells) -> Series:
        segments, run, points = [], [], []
        for i, cell in enumerate(cells):
            value = _value(cell.figures, status) if cell is not None else None
            if value is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            run.append(f"{x(i)},{y(value)}")
            points.append(Point(x(i), y(value), f"{cell.month.name}: {word} {_text(value)}"))
        if run:
            segments.append(" ".join(run))
        return Series(key, label, DASHES[key], MARKERS[key], tuple(segments), tuple(points))

    drawn = [series(THIS_YEAR, source.year_label, [row.current for row in rows])]
    if source.previous_year_label:
        drawn.insert(0, series(LAST_YEAR, source.previous_year_label, [row.previous for row in rows]))

    def axis_month(row: ProgressRow) -> Month:
        return (row.current or row.previous).month

    x_ticks = tuple(
        Tick(x(i), layout.height - layout.bottom + layout.font + 4, axis_month(row).month_name[:3])
        for i, row in enumerate(rows)
    )
    y_ticks = tuple(Tick(plot_left - 6, y(Decimal(v)), f"{v}%") for v in (0, 25, 50, 75, 100))
    index = next((i for i, row in enumerate(rows) if row.current and row.current.month == source.month), None)
    table = tuple(
        ChartRow(
            month=axis_month(row).month_name,
            last_year=_text(_value(row.previous.figures, status)) if row.previous else "",
            this_year=_text(_value(row.current.figures, status)) if row.current else "",
            is_report_month=i == index,
        )
        for i, row in enumerate(rows)
    )
    return Chart(
        id=f"chart-{source.plan_slug}-{status.value.lower()}-{layout.width}",
        status=status,
        word=word,
        layout=layout,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        series=tuple(drawn),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        month_x=x(index) if index is not None else None,
        title=_title(source, word),
        description=_description(source, status, word, index),
        rows=table,
        year_label=source.year_label,
        previous_year_label=source.previous_year_label,
    )


def status_charts(source: ProgressSource, layout: Layout = WIDE) -> tuple[Chart, ...]:
    """One chart per status, in the legend's order (the full-width view)."""
    return tuple(progress_chart(source, status, layout) for status in LEGEND_ORDER)


def _title(source: ProgressSource, word: str) -> str:
    years = (
        f"{source.year_label} over {source.previous_year_label}"
        if source.previous_year_label
        else source.year_label
    )
    return f"{word}: percentage of actions each month, {years}"


def _description(source: ProgressSource, status: Status, word: str, index: int | None) -> str:
    """The report month's value beside the same month of the previous year, in words."""
    kind = "Line chart" if source.previous_year_label else "Line chart of one year"
    text = f"{kind}: the percentage of actions reported {word} in each month of the plan year"
    if index is None:
        return text + "."
    row = source.progress[index]
    this_year = _value(row.current.figures, status)
    text += f". {row.current.month.name}: {_text(this_year) or 'not reported'}"
    if row.previous is not None and source.previous_year_label:
        last_year = _value(row.previous.figures, status)
        text += f"; {row.previous.month.name}: {_text(last_year) or 'not reported'}"
    return text + "."
