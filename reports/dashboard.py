"""The dashboard's figures: each plan's current month (``plans.selectors``) — the month being
reported, or the last published one — in three queries whatever the number of plans (closed
months, counts of the open months, the closes shown)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from plans.models import MonthClose, MonthlyStatus, Plan
from plans.periods import Month
from plans.selectors import CalendarPosition, calendar_positions
from plans.status import StatusCounts, counts_from_rows
from reports.exception_report import ReportState, counts_from_json


@dataclass(frozen=True)
class DashboardRow:
    plan: Plan
    month: Month | None  # None: the plan year has not begun
    figures: StatusCounts | None
    state: str  # ReportState.DRAFT / CLOSED / REOPENED

    @property
    def is_published(self) -> bool:
        return self.state == ReportState.CLOSED


def _pairs(field: str, months: dict[int, Month]) -> Q:
    found = Q(pk__in=[])
    for plan_id, month in months.items():
        found |= Q(**{field: plan_id, "month": month.first_day})
    return found


def dashboard_rows(
    plans: list[Plan], positions: dict[int, CalendarPosition] | None = None
) -> list[DashboardRow]:
    """``positions``: the plans' places in the calendar when the caller has them already."""
    positions = positions if positions is not None else calendar_positions(plans)
    shown = {pk: p.month for pk, p in positions.items() if p.month is not None}
    closes = {c.plan_id: c for c in MonthClose.objects.filter(_pairs("plan_id", shown))} if shown else {}
    # A published month shows the figures as published, as its report does: count the others only.
    open_months = {pk: m for pk, m in shown.items() if not (pk in closes and closes[pk].is_closed)}
    rows: dict[int, list[tuple[str, int]]] = {}
    if open_months:
        for plan_id, status, n in (
            MonthlyStatus.objects.filter(_pairs("action__plan_id", open_months))
            .values_list("action__plan_id", "status")
            .annotate(n=Count("id"))
            .values_list("action__plan_id", "status", "n")
            .order_by()
        ):
            rows.setdefault(plan_id, []).append((status, n))
    result = []
    for plan in plans:
        month = shown.get(plan.pk)
        if month is None:
            result.append(DashboardRow(plan, None, None, ReportState.DRAFT))
            continue
        close = closes.get(plan.pk)
        state, figures = ReportState.DRAFT, counts_from_rows(rows.get(plan.pk, []))
        if close is not None:
            state = ReportState.CLOSED if close.is_closed else ReportState.REOPENED
            if close.is_closed and close.snapshot:
                figures = counts_from_json(close.snapshot["figures"])
        result.append(DashboardRow(plan, month, figures, state))
    return result
