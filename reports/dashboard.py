"""The dashboard's figures: each plan's current month (``plans.selectors``) — the month being
reported, or the last published one — and its progress chart, in four queries whatever the number
of plans (closed months, counts of the open months, the closes shown, every month's counts of the
open plans and their previous years)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from plans.models import MonthClose, MonthlyStatus, Plan
from plans.periods import Month
from plans.selectors import CalendarPosition, calendar_positions
from plans.status import Status, StatusCounts, counts_from_rows
from reports.builders import years_figures
from reports.chart import Chart, progress_chart
from reports.exception_report import (
    ProgressRow,
    ReportState,
    counts_from_json,
    progress_from_snapshot,
    progress_rows,
)


@dataclass(frozen=True)
class DashboardRow:
    plan: Plan
    month: Month | None  # None: the plan year has not begun
    figures: StatusCounts | None
    state: str  # ReportState.DRAFT / CLOSED / REOPENED
    progress: tuple[ProgressRow, ...] = ()  # the month's progress table: as published, when it is

    @property
    def is_published(self) -> bool:
        return self.state == ReportState.CLOSED

    # What the progress chart reads (reports.chart.ProgressSource)

    @property
    def plan_slug(self) -> str:
        return self.plan.slug

    @property
    def year_label(self) -> str:
        return self.plan.year_label

    @property
    def previous_year_label(self) -> str:
        return self.plan.previous_plan.year_label if self.plan.previous_plan else ""

    def word(self, status: str) -> str:
        return self.plan.status_word(Status(status))

    @property
    def chart(self) -> Chart | None:
        return progress_chart(self) if self.progress else None


def _pairs(field: str, months: dict[int, Month]) -> Q:
    found = Q(pk__in=[])
    for plan_id, month in months.items():
        found |= Q(**{field: plan_id, "month": month.first_day})
    return found


def dashboard_rows(
    plans: list[Plan], positions: dict[int, CalendarPosition] | None = None, *, charts: bool = True
) -> list[DashboardRow]:
    """``positions``: the plans' places in the calendar when the caller has them already;
    without ``charts`` (the home page, which prints the figures alone) the rows have no progress
    table, and every month's counts are not read."""
    positions = positions if positions is not None else calendar_positions(plans)
    shown = {pk: p.month for pk, p in positions.items() if p.month is not None}
    closes = {c.plan_id: c for c in MonthClose.objects.filter(_pairs("plan_id", shown))} if shown else {}
    # A published month shows the figures as published, as its report does: count the others only.
    open_months = {pk: m for pk, m in shown.items() if not (pk in closes and closes[pk].is_closed)}
    # Published months chart their snapshot's progress table; the others every month's counts.
    charted = (
        {p for plan in plans if plan.pk in open_months for p in (plan, plan.previous_plan) if p}
        if charts
        else set()
    )
    year_counts = years_figures(list(charted)) if charted else {}
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
        progress = ()
        if charts and plan.pk in open_months:
            previous = plan.previous_plan
            progress = progress_rows(
                plan, month, year_counts[plan.pk], year_counts[previous.pk] if previous else {}
            )
        if close is not None:
            state = ReportState.CLOSED if close.is_closed else ReportState.REOPENED
            if close.is_closed and close.snapshot:
                figures = counts_from_json(close.snapshot["figures"])
                progress = progress_from_snapshot(close.snapshot) if charts else ()
        result.append(DashboardRow(plan, month, figures, state, progress))
    return result
