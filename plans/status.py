"""The status rules: the ONE place that says what a status means, which actions are live in a
month, how statuses are counted and how percentages are rounded.

HTML, PDF, Excel, JSON and the management commands all take their figures from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

from plans.periods import Month


class Status(models.TextChoices):
    """The five counted statuses of seed 000's legend, in the order the progress table prints them."""

    RED = "RED", "Red"
    AMBER = "AMBER", "Amber"
    GREEN = "GREEN", "Green"
    REPRO = "REPRO", "Re-programmed"
    SUSP = "SUSP", "Suspended"


COUNTED: tuple[Status, ...] = (Status.RED, Status.AMBER, Status.GREEN, Status.REPRO, Status.SUSP)
EXCEPTIONS: tuple[Status, ...] = (Status.AMBER, Status.RED)
# Only the performance team (through an approval) may record these: an officer requests them.
NEEDS_APPROVAL: frozenset[Status] = frozenset({Status.REPRO, Status.SUSP})

# What each status means, in the council's words (seed 000, Appendix 1 legend).
MEANINGS: dict[Status, str] = {
    Status.GREEN: "On target or completed",
    Status.AMBER: "One month behind target or less",
    Status.RED: "Over one month behind target",
    Status.REPRO: "Re-programmed to a later point in the year, with approval",
    Status.SUSP: "Suspended for the period of the plan, with approval",
}
# The short word or letter printed in a grid cell, so status never relies on colour alone.
LETTERS: dict[Status, str] = {
    Status.GREEN: "G",
    Status.AMBER: "A",
    Status.RED: "R",
    Status.REPRO: "RP",
    Status.SUSP: "S",
}


@dataclass(frozen=True)
class Marker:
    """A mark in a month of an action's strip besides its status, with its words (for screen
    readers and the legend): the plan page, the report and the PDFs print these and no others."""

    key: str
    symbol: str
    word: str
    meaning: str


# Seed 000, Appendix 1 "Where:": the original date of the planned action (O) and the re-programmed
# date (*); the council's grid marks a planned month ■. A revised date without an approved
# re-programme is an extension and does not move the target (seed 000: 1.1.1 is AMBER with a
# revised date of Sept 09), so it has a mark of its own.
MARKERS: dict[str, Marker] = {
    "planned": Marker("planned", "■", "Planned", "A month in which the action is planned"),
    "original": Marker("original", "O", "Original date", "Original date of planned action"),
    "revised": Marker(
        "revised", "+", "Revised date", "Revised date given by the lead (an extension: not on target)"
    ),
    "reprogrammed": Marker(
        "reprogrammed",
        "*",
        "Re-programmed date",
        "Moved to a later point in the year with approval; not an extension, and not on the "
        "exception report once approved",
    ),
}

# Seed 000's legend prints the statuses in this order; the progress table counts them in COUNTED's.
LEGEND_ORDER: tuple[Status, ...] = (Status.GREEN, Status.AMBER, Status.RED, Status.REPRO, Status.SUSP)


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a status in the plan's own word, or a marker of the strip."""

    key: str  # css name: a status ("green") or a marker ("original")
    word: str
    meaning: str
    letter: str
    status: Status | None = None

    @property
    def css(self) -> str:
        return self.key


def status_legend(
    word_for: Callable[[Status], str], order: Iterable[Status] = COUNTED
) -> tuple[LegendEntry, ...]:
    """The statuses' legend in the plan's own words (``word_for``, e.g. ``Plan.status_word``)."""
    return tuple(LegendEntry(s.value.lower(), word_for(s), MEANINGS[s], LETTERS[s], s) for s in order)


def marker_legend(keys: Iterable[str]) -> tuple[LegendEntry, ...]:
    return tuple(LegendEntry(k, MARKERS[k].word, MARKERS[k].meaning, MARKERS[k].symbol) for k in keys)


ONE_DP = Decimal("0.1")


def percentage(count: int, total: int) -> Decimal:
    """count/total as a percentage, rounded half up to one decimal place (6.25 -> 6.3).

    Computed in ``decimal`` so that no binary float rounding, and never banker's rounding, changes
    a published figure. An empty month is 0.0%.
    """
    if total == 0:
        return Decimal("0.0")
    return (Decimal(count) * 100 / Decimal(total)).quantize(ONE_DP, rounding=ROUND_HALF_UP)


def percent_text(value: Decimal, *, compact: bool = False) -> str:
    """ "13.3"; with ``compact`` a whole number drops its ".0", as the cover report's sentence
    writes "0%" and "6%"."""
    text = f"{value:.1f}"
    if compact and text.endswith(".0"):
        return text[:-2]
    return text


@dataclass(frozen=True)
class StatusCounts:
    """The figures of one month: how many actions had each status, of how many."""

    counts: dict[Status, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.get(s, 0) for s in COUNTED)

    def count(self, status: Status) -> int:
        return self.counts.get(status, 0)

    def percent(self, status: Status) -> Decimal:
        return percentage(self.count(status), self.total)

    @property
    def percentages(self) -> dict[Status, Decimal]:
        return {s: self.percent(s) for s in COUNTED}

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    @property
    def reprogrammed_or_suspended(self) -> int:
        return self.count(Status.REPRO) + self.count(Status.SUSP)

    def as_json(self) -> dict:
        return {
            "total": self.total,
            "counts": {s.value: self.count(s) for s in COUNTED},
            "percentages": {s.value: percent_text(self.percent(s)) for s in COUNTED},
        }


def count_statuses(statuses: Iterable[str]) -> StatusCounts:
    tally: dict[Status, int] = {s: 0 for s in COUNTED}
    for value in statuses:
        tally[Status(value)] += 1
    return StatusCounts(tally)


def counts_from_rows(rows: Iterable[tuple[str, int]]) -> StatusCounts:
    """From a grouped aggregate's (status, n) rows."""
    tally: dict[Status, int] = {s: 0 for s in COUNTED}
    for value, n in rows:
        tally[Status(value)] += n
    return StatusCounts(tally)


def effective_target(
    *, original: Month | None, revised: Month | None, reprogramme_approved: bool
) -> Month | None:
    """The month an action is measured against.

    A revised date on its own is an extension, and the council's rule is that extensions do not
    put an action back on target (seed 000: 1.1.1 is AMBER with a revised date of Sept 09). Only
    an approved re-programme moves the target.
    """
    if reprogramme_approved and revised is not None:
        return revised
    return original


@dataclass(frozen=True)
class Approval:
    """An approved re-programme (REPRO from ``start`` until the month before ``until``, its new
    target) or suspension (SUSP from ``start`` on: "suspended for the period of the plan")."""

    status: Status
    start: Month
    until: Month | None = None

    def covers(self, month: Month) -> bool:
        if month < self.start:
            return False
        return self.until is None or month < self.until


def approved_status(month: Month, approvals: Iterable[Approval]) -> Status | None:
    """REPRO or SUSP when an approval covers ``month`` (the latest approval wins), else None.

    Approving records the status of the request's month only; every later month the action is
    reported in, this is what the dates are overridden by.
    """
    found = None
    for approval in sorted(approvals, key=lambda a: a.start):
        if approval.covers(month):
            found = approval.status
    return found


def suggested_status(
    *, month: Month, target: Month | None, completed: Month | None, approved: Status | None = None
) -> Status:
    """The status the dates suggest at the end of ``month``.

    Completed (by the end of the month) is GREEN. Covered by an approved re-programme or
    suspension (``approved_status``): REPRO or SUSP. Due in this month and not done is one month
    behind: AMBER. Not done a month after it was due is over one month behind: RED.
    """
    if completed is not None and completed <= month:
        return Status.GREEN
    if approved is not None:
        return approved
    if target is None or month < target:
        return Status.GREEN
    if month == target:
        return Status.AMBER
    return Status.RED


def is_live(
    *,
    month: Month,
    planned: Iterable[Month],
    target: Month | None,
    completed: Month | None,
    approved: Status | None = None,
) -> bool:
    """Whether an action needs a status for ``month``: it is planned in that month, or an approved
    re-programme or suspension covers the month (it is reported REPRO or SUSP), or it is due by
    then and was not completed before the month began.

    ``plans.models.ActionQuerySet.live_in`` is the same rule in SQL; a property test holds the two
    together."""
    if month in set(planned) or approved is not None:
        return True
    if target is None or target > month:
        return False
    return completed is None or completed >= month


def revised_date_text(*, revised: Month | None, suspended: bool) -> str:
    """The exception block's "Revised Date": the month, or "-" for a suspension (nothing is
    rescheduled), or "TBC" when the lead has not yet given one (seed 000: 1.4.2, 14.2.5)."""
    if revised is not None:
        return revised.short
    return "-" if suspended else "TBC"


# --- Indicators: RAG from the numbers, trend and direction of travel (issue 17) ----------------
#
# An indicator's RAG is worked out from its actual and target, never chosen: GREEN, AMBER and RED
# are the action statuses' own values (one colour scheme, one JSON vocabulary), with meanings of
# their own. Every figure is a Decimal: a target of 0.3 with a 10% tolerance must put 0.27 exactly
# on the Amber bound, which binary floats miss (0.3 * 0.9 == 0.27 is False in floats).


class Polarity(models.TextChoices):
    """Which way an indicator is better: more invoices paid on time, fewer days to process a claim."""

    HIGHER = "HIGHER", "Higher is better"
    LOWER = "LOWER", "Lower is better"


class Unit(models.TextChoices):
    PERCENT = "PERCENT", "%"
    NUMBER = "NUMBER", "Number"
    DAYS = "DAYS", "Days"
    POUNDS = "POUNDS", "£"


class Trend(models.TextChoices):
    IMPROVING = "IMPROVING", "Improving"
    SAME = "SAME", "Same"
    WORSENING = "WORSENING", "Worsening"


INDICATOR_RAGS: tuple[Status, ...] = (Status.GREEN, Status.AMBER, Status.RED)
INDICATOR_MEANINGS: dict[Status, str] = {
    Status.GREEN: "On or better than target",
    Status.AMBER: "Worse than target, within its tolerance",
    Status.RED: "Worse than target by more than its tolerance",
}
# How a trend is printed where colour and arrows are not enough: a word, always.
TREND_SYMBOLS: dict[Trend, str] = {Trend.IMPROVING: "▲", Trend.SAME: "▶", Trend.WORSENING: "▼"}


def tolerance_bound(*, target: Decimal, polarity: Polarity, tolerance: Decimal) -> Decimal:
    """The worst actual that is still AMBER: the target less (higher is better) or plus (lower is
    better) ``tolerance`` percent of it. The band is a share of the target's size, so that a
    negative target (a net change) gets a band on its worse side as a positive one does; for the
    targets councils set (0 or more) this is exactly target × (1 ∓ tolerance/100)."""
    band = abs(target) * Decimal(tolerance) / 100
    return target - band if polarity == Polarity.HIGHER else target + band


def indicator_rag(
    *, actual: Decimal | None, target: Decimal | None, polarity: Polarity, tolerance: Decimal
) -> Status | None:
    """GREEN on or better than target; AMBER worse but within the tolerance (bound included);
    RED beyond it. No actual (or no target) is no RAG: nothing to judge."""
    if actual is None or target is None:
        return None
    bound = tolerance_bound(target=target, polarity=polarity, tolerance=tolerance)
    if polarity == Polarity.HIGHER:
        return Status.GREEN if actual >= target else Status.AMBER if actual >= bound else Status.RED
    return Status.GREEN if actual <= target else Status.AMBER if actual <= bound else Status.RED


def trend(*, current: Decimal | None, previous: Decimal | None, polarity: Polarity) -> Trend | None:
    """Improving, the same or worsening from ``previous`` to ``current``, by the indicator's
    polarity; None when either is missing."""
    if current is None or previous is None:
        return None
    if current == previous:
        return Trend.SAME
    better = current > previous if polarity == Polarity.HIGHER else current < previous
    return Trend.IMPROVING if better else Trend.WORSENING


@dataclass(frozen=True)
class DirectionOfTravel:
    """How many indicators improved, stayed the same or worsened against the same month last year
    (the Audit Commission's "direction of travel" is year on year; seed 003's minutes: "59% of
    performance indicators are stable or improving"). Only indicators with both actuals count."""

    improving: int = 0
    same: int = 0
    worsening: int = 0

    @property
    def compared(self) -> int:
        return self.improving + self.same + self.worsening

    @property
    def percent_improving(self) -> Decimal:
        return percentage(self.improving, self.compared)

    @property
    def percent_stable_or_improving(self) -> Decimal:
        return percentage(self.improving + self.same, self.compared)

    def as_json(self) -> dict:
        return {
            "count": self.improving,
            "of": self.compared,
            "percent": percent_text(self.percent_improving),
        }


def direction_of_travel(trends: Iterable[Trend | None]) -> DirectionOfTravel:
    found = [t for t in trends if t is not None]
    return DirectionOfTravel(
        improving=found.count(Trend.IMPROVING),
        same=found.count(Trend.SAME),
        worsening=found.count(Trend.WORSENING),
    )


def number_text(value: Decimal) -> str:
    """A Decimal as people write it: no trailing zeros, thousands separated (1,234.5; 0.27; 100)."""
    return f"{Decimal(value).normalize():,f}"


def value_text(value: Decimal | None, unit: Unit | str) -> str:
    """An indicator's figure with its unit: "83.5%", "£1,250.50", "12 days", "1,234"; "" for none."""
    if value is None:
        return ""
    value = Decimal(value)
    unit = Unit(unit)
    if unit == Unit.POUNDS:
        amount = abs(value).normalize()
        if amount.as_tuple().exponent == -1:  # pence are written with two figures: £1,250.50
            amount = amount.quantize(Decimal("0.01"))
        return f"{'-' if value < 0 else ''}£{amount:,f}"
    text = number_text(value)
    if unit == Unit.PERCENT:
        return f"{text}%"
    if unit == Unit.DAYS:
        return f"{text} day" if value == 1 else f"{text} days"
    return text


FIGURE_PLACES = 4  # the decimal places an indicator's figures are kept to (plans.models)
FIGURE_DIGITS = 16


class FigureError(ValueError):
    """A figure that cannot be read, with the message to show beside it."""


def parse_figure(text: str) -> Decimal:
    """A figure as people type it: "83.5", "83.5%", "£1,250.50", "12 days", " -3 ". Refused (with
    a message a council officer understands): anything else, more than four decimal places, a
    figure too large to keep."""
    cleaned = str(text).strip().replace(",", "").replace("£", "").removesuffix("%").strip()
    for word in (" days", " day"):
        cleaned = cleaned.removesuffix(word)
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        raise FigureError(f"“{text}” is not a number: write it like 83.5.") from None
    if not value.is_finite():
        raise FigureError(f"“{text}” is not a number: write it like 83.5.")
    if -value.as_tuple().exponent > FIGURE_PLACES and value != value.quantize(
        Decimal(1).scaleb(-FIGURE_PLACES)
    ):
        raise FigureError(f"Give the figure to at most {FIGURE_PLACES} decimal places.")
    if abs(value) >= Decimal(10) ** (FIGURE_DIGITS - FIGURE_PLACES):
        raise FigureError("The figure is too large.")
    return value
