"""Reads that build a report's figures into plain frozen objects, in a fixed number of queries.

Every figure comes from ``plans.status``; this module only fetches the rows it counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from plans.models import MonthlyStatus, Plan, Priority
from plans.periods import Month
from plans.status import EXCEPTIONS, Status, StatusCounts, counts_from_rows


@dataclass(frozen=True)
class PriorityExceptions:
    """Section 3.3 of the cover report: how many AMBER and RED actions a priority has."""

    code: str
    title: str
    amber: int
    red: int


def month_figures(plan: Plan, month: Month) -> StatusCounts:
    """The month's counts: one grouped aggregate."""
    rows = (
        MonthlyStatus.objects.in_plan(plan)
        .in_month(month)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return counts_from_rows(rows)


def year_figures(plan: Plan) -> dict[Month, StatusCounts]:
    """Every month of a plan year's counts in one grouped aggregate; months without statuses
    (the future) are absent."""
    return years_figures([plan])[plan.pk]


def years_figures(plans: list[Plan]) -> dict[int, dict[Month, StatusCounts]]:
    """``year_figures`` of several plans (by plan id) in one grouped aggregate."""
    rows = (
        MonthlyStatus.objects.filter(action__plan__in=plans)
        .values_list("action__plan_id", "month", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_month: dict[int, dict[Month, list[tuple[str, int]]]] = {plan.pk: {} for plan in plans}
    for plan_id, day, status, n in rows:
        by_month[plan_id].setdefault(Month.from_date(day), []).append((status, n))
    return {
        plan_id: {month: counts_from_rows(months[month]) for month in sorted(months)}
        for plan_id, months in by_month.items()
    }


def exceptions_by_priority(plan: Plan, month: Month) -> tuple[PriorityExceptions, ...]:
    """AMBER and RED counted per priority, in plan order, priorities without exceptions left out:
    one grouped aggregate plus the priority list."""
    rows = (
        MonthlyStatus.objects.in_plan(plan)
        .in_month(month)
        .filter(status__in=EXCEPTIONS)
        .values_list("action__measure__priority_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    tally: dict[int, dict[str, int]] = {}
    for priority_id, status, n in rows:
        tally.setdefault(priority_id, {})[status] = n
    result = []
    for priority in Priority.objects.filter(pk__in=tally).order_by("position", "id"):
        counts = tally[priority.pk]
        result.append(
            PriorityExceptions(
                code=priority.code,
                title=priority.title,
                amber=counts.get(Status.AMBER, 0),
                red=counts.get(Status.RED, 0),
            )
        )
    return tuple(result)
