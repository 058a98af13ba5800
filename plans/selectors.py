"""Reads that several pages share: the reporting calendar of a plan.

A plan's *current month* is its earliest reporting month that has begun and is not closed: the
month officers are asked to update, the month the dashboard shows. When every month that has begun
is closed, the plan's last closed month stands for it (its report is the latest published).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from plans.models import MonthClose, Plan
from plans.periods import Month


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
