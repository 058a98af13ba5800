"""Reads that several pages share: the reporting calendar of a plan, and the indicators' figures
of a month.

A plan's *current month* is its earliest reporting month that has begun and is not closed: the
month officers are asked to update, the month the dashboard shows. When every month that has begun
is closed, the plan's last closed month stands for it (its report is the latest published).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from plans.models import Indicator, MonthClose, Plan
from plans.periods import Month
from plans.status import (
    EXCEPTIONS,
    INDICATOR_MEANINGS,
    TREND_SYMBOLS,
    Polarity,
    Status,
    Trend,
    Unit,
    number_text,
    trend,
    value_text,
)


@dataclass(frozen=True)
class CalendarPosition:
    """Where a plan stands in its reporting calendar today."""

    month: Month | None  # None: the plan year has not begun
    closed: bool  # the month shown is a published (closed) one


def today_month() -> Month:
    return Month.from_date(timezone.localdate())


def calendar_position(plan: Plan, closed: set[Month], today: Month) -> CalendarPosition:
    """Pure: the plan's current month given its closed months."""
    begun = [m for m in plan.reporting_month_list if m <= today]
    for month in begun:
        if month not in closed:
            return CalendarPosition(month, closed=False)
    if begun:
        return CalendarPosition(begun[-1], closed=True)
    return CalendarPosition(None, closed=False)


def calendar_positions(plans: Iterable[Plan], today: Month | None = None) -> dict[int, CalendarPosition]:
    """Every plan's position in one query (their closed months)."""
    plans = list(plans)
    today = today or today_month()
    closed: dict[int, set[Month]] = {plan.pk: set() for plan in plans}
    for plan_id, day in MonthClose.objects.closed().filter(plan__in=plans).values_list("plan_id", "month"):
        closed[plan_id].add(Month.from_date(day))
    return {plan.pk: calendar_position(plan, closed[plan.pk], today) for plan in plans}


def current_month(plan: Plan, today: Month | None = None) -> Month:
    """The month an officer is asked to update: the current month; the plan's last reporting
    month once every month is closed; its first before it begins."""
    position = calendar_positions([plan], today)[plan.pk]
    if position.month is None:
        return plan.reporting_month_list[0]
    if position.closed:
        return (
            plan.reporting_month_list[-1]
            if position.month >= plan.reporting_month_list[-1]
            else position.month
        )
    return position.month


# --- Indicators' figures for a month (issue 17) ---------------------------------------------------


@dataclass(frozen=True)
class IndicatorPoint:
    """One month of an indicator's chart: its actual (None: none entered, or not yet reported) and
    its target that month."""

    month: Month
    actual: Decimal | None
    target: Decimal | None


@dataclass(frozen=True)
class IndicatorFigures:
    """An indicator as a month's report, the month page and the indicator list show it: plain
    values only (no model rows), so that the report can keep it in a closed month's snapshot."""

    indicator_id: int
    code: str
    title: str
    priority_code: str
    priority_title: str
    measure_ref: str
    lead: str  # initials, "" for none
    unit: str  # a ``Unit`` value
    polarity: str  # a ``Polarity`` value
    tolerance: Decimal
    month: Month
    target: Decimal | None
    actual: Decimal | None
    note: str
    rag: str  # GREEN, AMBER, RED, or "" with no actual or no target
    previous_month: Month | None  # the latest earlier month with an actual, this year or last
    previous_actual: Decimal | None
    trend: str  # a ``Trend`` value against ``previous_month``, or ""
    last_year_actual: Decimal | None  # the same month of the previous plan year
    trend_year: str  # a ``Trend`` value against the same month last year, or ""
    this_year: tuple[IndicatorPoint, ...]  # every month of the plan year (no actual after ``month``)
    last_year: tuple[IndicatorPoint, ...]  # every month of the previous plan year

    @property
    def is_exception(self) -> bool:
        return self.rag in EXCEPTIONS

    @property
    def rag_word(self) -> str:
        return Status(self.rag).label if self.rag else "No RAG"

    @property
    def rag_meaning(self) -> str:
        if not self.rag:
            return "No actual entered" if self.actual is None else "No target set"
        return INDICATOR_MEANINGS[Status(self.rag)]

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label

    @property
    def polarity_label(self) -> str:
        return Polarity(self.polarity).label

    def text(self, value: Decimal | None) -> str:
        return value_text(value, self.unit)

    @property
    def actual_text(self) -> str:
        return self.text(self.actual) or "Not entered"

    @property
    def target_text(self) -> str:
        return self.text(self.target) or "No target"

    @property
    def previous_actual_text(self) -> str:
        return self.text(self.previous_actual)

    @property
    def last_year_actual_text(self) -> str:
        return self.text(self.last_year_actual)

    @property
    def tolerance_text(self) -> str:
        return f"{number_text(self.tolerance)}%"

    @property
    def trend_text(self) -> str:
        """ "Improving since June 2009 (81%)"; a sentence even without a trend."""
        if not self.trend:
            return "No earlier actual to compare with" if self.actual is not None else ""
        return (
            f"{Trend(self.trend).label} since {self.previous_month.name} ({self.text(self.previous_actual)})"
        )

    @property
    def trend_year_text(self) -> str:
        if not self.trend_year:
            return "No actual for the same month last year" if self.actual is not None else ""
        last_year = self.month - 12
        return f"{Trend(self.trend_year).label} on {last_year.name} ({self.text(self.last_year_actual)})"

    @property
    def trend_symbol(self) -> str:
        return TREND_SYMBOLS[Trend(self.trend)] if self.trend else ""

    @property
    def trend_year_symbol(self) -> str:
        return TREND_SYMBOLS[Trend(self.trend_year)] if self.trend_year else ""

    # -- a closed month's snapshot keeps these as published ----------------------------------

    def as_dict(self) -> dict:
        return {
            **{name: getattr(self, name) for name in _PLAIN},
            **{name: _figure(getattr(self, name)) for name in _FIGURES},
            "month": str(self.month),
            "previous_month": str(self.previous_month) if self.previous_month else None,
            "this_year": [_point_json(p) for p in self.this_year],
            "last_year": [_point_json(p) for p in self.last_year],
        }

    @classmethod
    def from_dict(cls, data: dict) -> IndicatorFigures:
        return cls(
            **{name: data[name] for name in _PLAIN},
            **{name: _decimal(data[name]) for name in _FIGURES},
            month=Month.parse(data["month"]),
            previous_month=Month.parse(data["previous_month"]) if data["previous_month"] else None,
            this_year=tuple(_point_from_json(p) for p in data["this_year"]),
            last_year=tuple(_point_from_json(p) for p in data["last_year"]),
        )


_PLAIN = (
    "indicator_id",
    "code",
    "title",
    "priority_code",
    "priority_title",
    "measure_ref",
    "lead",
    "unit",
    "polarity",
    "note",
    "rag",
    "trend",
    "trend_year",
)
_FIGURES = ("tolerance", "target", "actual", "previous_actual", "last_year_actual")


def _figure(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _point_json(point: IndicatorPoint) -> list:
    return [str(point.month), _figure(point.actual), _figure(point.target)]


def _point_from_json(data: list) -> IndicatorPoint:
    month, actual, target = data
    return IndicatorPoint(Month.parse(month), _decimal(actual), _decimal(target))


def code_key(code: str) -> str:
    """Indicator codes matched across years ignoring case and spaces ("BV 8" is "BV8")."""
    return "".join(code.split()).lower()


def indicator_figures(plan: Plan, month: Month, indicators: QuerySet | None = None) -> list[IndicatorFigures]:
    """The figures of the plan's indicators collected in ``month`` (or of ``indicators``, a
    queryset of them), in plan order, with last year's from the previous plan's indicators of the
    same codes. This year's and last year's indicators are read together: four queries (one when
    there are none), whatever the number of indicators."""
    mine = Indicator.objects.filter(plan=plan) if indicators is None else indicators
    wanted = Q(pk__in=mine.values("pk"))
    if plan.previous_plan_id:
        wanted |= Q(plan_id=plan.previous_plan_id)
    both = list(Indicator.objects.filter(wanted).with_figures().in_plan_order())
    rows = [i for i in both if i.plan_id == plan.pk and i.is_collected_in(month)]
    previous = {code_key(i.code): i for i in both if i.plan_id != plan.pk}
    # The previous plan as its indicators brought it (select_related): no query of its own.
    previous_plan = next((i.plan for i in previous.values()), None)
    last_months = previous_plan.month_list if previous_plan else []
    return [_figures(i, month, previous.get(code_key(i.code)), last_months) for i in rows]


def _figures(
    indicator: Indicator, month: Month, last: Indicator | None, last_months: list[Month]
) -> IndicatorFigures:
    polarity = Polarity(indicator.polarity)
    actuals = {row.as_month: row for row in indicator.actuals.all()}
    earlier = {m: row.value for m, row in actuals.items() if m < month}
    if last is not None:
        earlier.update({row.as_month: row.value for row in last.actuals.all() if row.as_month < month})
    actual_row = actuals.get(month)
    actual = actual_row.value if actual_row else None
    previous_month = max(earlier) if earlier else None
    previous_actual = earlier.get(previous_month) if previous_month else None
    last_year_actual = earlier.get(month - 12) if last is not None else None
    return IndicatorFigures(
        indicator_id=indicator.pk,
        code=indicator.code,
        title=indicator.title,
        priority_code=indicator.priority.code,
        priority_title=indicator.priority.title,
        measure_ref=indicator.measure.ref if indicator.measure else "",
        lead=indicator.lead.initials if indicator.lead else "",
        unit=indicator.unit,
        polarity=indicator.polarity,
        tolerance=indicator.tolerance,
        month=month,
        target=indicator.target_for(month),
        actual=actual,
        note=actual_row.note if actual_row else "",
        rag=indicator.rag_in(month) or "",
        previous_month=previous_month,
        previous_actual=previous_actual,
        trend=trend(current=actual, previous=previous_actual, polarity=polarity) or "",
        last_year_actual=last_year_actual,
        trend_year=trend(current=actual, previous=last_year_actual, polarity=polarity) or "",
        this_year=tuple(
            IndicatorPoint(
                m, actuals[m].value if m in actuals and m <= month else None, indicator.target_for(m)
            )
            for m in indicator.plan.month_list
        ),
        last_year=tuple(_last_year_points(last, last_months)),
    )


def _last_year_points(last: Indicator | None, months: list[Month]) -> list[IndicatorPoint]:
    if last is None:
        return []
    actuals = {row.as_month: row.value for row in last.actuals.all()}
    return [IndicatorPoint(m, actuals.get(m), last.target_for(m)) for m in months]
