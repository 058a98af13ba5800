"""Reads that several pages share: the reporting calendar of a plan, and the plan page's grid.

A plan's *current month* is its earliest reporting month that has begun and is not closed: the
month officers are asked to update, the month the dashboard shows. When every month that has begun
is closed, the plan's last closed month stands for it (its report is the latest published).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from plans.models import Action, MeasureProgress, MonthClose, MonthlyStatus, Plan, PlannedMonth
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


@dataclass(frozen=True)
class GridValues:
    """What the plan page prints for a page of actions besides the actions' own fields, read as
    plain values (one query each, whatever the number of rows) rather than as prefetched model
    instances: 1,200 status objects for 100 rows cost more than the rest of the page."""

    statuses: dict[int, dict[date, tuple[str, str]]]  # action id -> month's first day -> (status, word)
    planned: dict[int, set[date]]  # action id -> the first days of its planned months
    leads: dict[int, str]  # action id -> "PS /PM", as the plan prints two leads
    progress: dict[int, MeasureProgress]  # measure id -> its latest progress update


def grid_values(actions: list[Action]) -> GridValues:
    ids = [action.pk for action in actions]
    statuses: dict[int, dict[date, tuple[str, str]]] = {pk: {} for pk in ids}
    for action_id, day, status, word in MonthlyStatus.objects.filter(action_id__in=ids).values_list(
        "action_id", "month", "status", "word"
    ):
        statuses[action_id][day] = (status, word)
    planned: dict[int, set[date]] = {pk: set() for pk in ids}
    for action_id, day in PlannedMonth.objects.filter(action_id__in=ids).values_list("action_id", "month"):
        planned[action_id].add(day)
    initials: dict[int, list[str]] = {pk: [] for pk in ids}
    for action_id, lead in (
        Action.leads.through.objects.filter(action_id__in=ids)
        .order_by("lead__initials")  # Lead's own order, as Action.lead_initials joins them
        .values_list("action_id", "lead__initials")
    ):
        initials[action_id].append(lead)
    progress: dict[int, MeasureProgress] = {}
    measures = {action.measure_id for action in actions}
    for update in MeasureProgress.objects.filter(measure_id__in=measures).order_by("month"):
        progress[update.measure_id] = update  # the latest month last
    return GridValues(
        statuses=statuses,
        planned=planned,
        leads={pk: " /".join(names) for pk, names in initials.items()},
        progress=progress,
    )
