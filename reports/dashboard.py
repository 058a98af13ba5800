"""The dashboard's figures: the latest reported month of each plan, in three queries whatever the
number of plans (latest month per plan, their counts, their closes)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from plans.models import MonthClose, MonthlyStatus, Plan
from plans.periods import Month
from plans.status import StatusCounts, counts_from_rows
from reports.exception_report import ReportState, counts_from_json


@dataclass(frozen=True)
class DashboardRow:
    plan: Plan
    month: Month | None  # None: nothing reported yet
    figures: StatusCounts | None
    state: str  # ReportState.DRAFT / CLOSED / REOPENED

    @property
    def is_published(self) -> bool:
        return self.state == ReportState.CLOSED


def dashboard_rows(plans: list[Plan]) -> list[DashboardRow]:
    latest = dict(
        MonthlyStatus.objects.filter(action__plan__in=plans)
        .values_list("action__plan_id")
        .annotate(latest=Max("month"))
        .values_list("action__plan_id", "latest")
        .order_by()
    )
    pairs = Q(pk__in=[])
    for plan_id, day in latest.items():
        pairs |= Q(action__plan_id=plan_id, month=day)
    rows: dict[int, list[tuple[str, int]]] = {}
    if latest:
        for plan_id, status, n in (
            MonthlyStatus.objects.filter(pairs)
            .values_list("action__plan_id", "status")
            .annotate(n=Count("id"))
            .values_list("action__plan_id", "status", "n")
            .order_by()
        ):
            rows.setdefault(plan_id, []).append((status, n))
    closes = {}
    if latest:
        close_pairs = Q(pk__in=[])
        for plan_id, day in latest.items():
            close_pairs |= Q(plan_id=plan_id, month=day)
        closes = {c.plan_id: c for c in MonthClose.objects.filter(close_pairs)}
    result = []
    for plan in plans:
        day = latest.get(plan.pk)
        if day is None:
            result.append(DashboardRow(plan, None, None, ReportState.DRAFT))
            continue
        close = closes.get(plan.pk)
        figures = counts_from_rows(rows.get(plan.pk, []))
        state = ReportState.DRAFT
        if close is not None:
            state = ReportState.CLOSED if close.is_closed else ReportState.REOPENED
            if close.is_closed and close.snapshot:
                # A published month shows the figures as published, as its report does.
                figures = counts_from_json(close.snapshot["figures"])
        result.append(DashboardRow(plan, Month.from_date(day), figures, state))
    return result
