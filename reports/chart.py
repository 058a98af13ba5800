"""The progress chart: the percentages of the progress table over both plan years, drawn as an
SVG on the server so it needs no JavaScript and prints in the PDF. Only geometry is worked out
here; the percentages are those of the report (``plans.status``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from plans.periods import Month
from plans.status import COUNTED, Status, percent_text
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
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    year_divider: float | None
    legend_x: float
    title: str
    description: str


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
