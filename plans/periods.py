"""Month arithmetic: the one place that knows how months and plan years work.

Pure functions and a value type, no Django. A month is stored in the database as the first day
of that month (a ``date``); everywhere else it is a ``Month``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# The abbreviations the council's grid prints as column headings (seed 001: "July", "Aug.", "Sep." ...).
GRID_ABBREVIATIONS = (
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "June",
    "July", "Aug.", "Sep.", "Oct.", "Nov.", "Dec.",
)  # fmt: skip

# How far past the plan's last month a revised or re-programmed target may be set. Actions are
# re-programmed past the year end (seed 000: 14.1.1 "put on hold ... revised date Dec 10"; seed
# 001: "Re-programme to 08/09"), so the plan's own months are not enough; two further plan years
# cover every such date in the council's plans, and a later one is far more likely a slip of the
# list than a real target.
TARGET_MONTHS_AFTER_PLAN = 24

_ISO = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, not {self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """``"2009-07"`` -> Month(2009, 7); anything else raises ValueError."""
        match = _ISO.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"{text!r} is not a month in the form YYYY-MM")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def from_date(cls, value: date) -> Month:
        return cls(value.year, value.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __add__(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def __sub__(self, other: Month | int) -> Month | int:
        if isinstance(other, Month):
            return (self.year * 12 + self.month) - (other.year * 12 + other.month)
        return self + (-other)

    @property
    def name(self) -> str:
        """ "July 2009", as the report's headings write it."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def month_name(self) -> str:
        return MONTH_NAMES[self.month - 1]

    @property
    def short(self) -> str:
        """ "July 09" / "Sept 09", as the exception blocks write original and revised dates."""
        abbrev = {9: "Sept", 6: "June", 7: "July"}.get(self.month, MONTH_NAMES[self.month - 1][:3])
        return f"{abbrev} {self.year % 100:02d}"

    @property
    def grid_label(self) -> str:
        return GRID_ABBREVIATIONS[self.month - 1]


def to_month(value: date | Month | str | None) -> Month | None:
    if value is None or isinstance(value, Month):
        return value
    if isinstance(value, str):
        return Month.parse(value)
    return Month.from_date(value)


def month_range(first: Month, count: int) -> list[Month]:
    return [first + i for i in range(count)]


def plan_year_label(first: Month, count: int = 12) -> str:
    """ "2009/10" for a plan starting July 2009; "2010" when the plan year is a calendar year."""
    last = first + (count - 1)
    if last.year == first.year:
        return str(first.year)
    return f"{first.year}/{last.year % 100:02d}"


def reporting_months(first: Month, count: int, every: int) -> list[Month]:
    """The months a plan reports on: every month, or every second month (Rotherham) and so on,
    counted from the plan's first month and always including its last month's report cycle."""
    return [first + i for i in range(every - 1, count, every)] if every > 1 else month_range(first, count)


def target_months(first: Month, count: int) -> list[Month]:
    """The months a revised or re-programmed target may be set in: the plan's own months and the
    ``TARGET_MONTHS_AFTER_PLAN`` after its last."""
    return month_range(first, count + TARGET_MONTHS_AFTER_PLAN)


def plan_year_note(month: Month, first: Month, count: int = 12) -> str:
    """ "" for a month of the plan year starting ``first``; "next plan year" for a month of the
    year after; else the plan year it falls in ("2011/12 plan year")."""
    years_on = (month - first) // count
    if years_on <= 0:
        return ""
    if years_on == 1:
        return "next plan year"
    return f"{plan_year_label(first + years_on * count, count)} plan year"


def update_deadline(month: Month, day: int) -> date:
    """The day ``month``'s updates are due: ``day`` of the month after it (July's by 10 August)."""
    return (month + 1).first_day.replace(day=day)
