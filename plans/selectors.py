"""Reads that several pages share: the reporting calendar of a plan, and what waits for whom.

A plan's *current month* is its earliest reporting month that has begun and is not closed: the
month officers are asked to update, the month the dashboard shows. When every month that has begun
is closed, the plan's last closed month stands for it (its report is the latest published).

The home page and the navigation ask what waits for a person (actions to update, requests to
decide, months to close); each read here is a fixed number of queries whatever the plan's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from plans.models import Action, ChangeRequest, MonthClose, MonthlyStatus, Plan
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
    closed = closed_months(plans)
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


def closed_months(plans: Iterable[Plan]) -> dict[int, set[Month]]:
    """Every plan's closed months, in one query."""
    plans = list(plans)
    closed: dict[int, set[Month]] = {plan.pk: set() for plan in plans}
    for plan_id, day in MonthClose.objects.closed().filter(plan__in=plans).values_list("plan_id", "month"):
        closed[plan_id].add(Month.from_date(day))
    return closed


# --- What waits for whom (the home page and the navigation) ----------------------------------


@dataclass(frozen=True)
class ApprovalsWaiting:
    """The navigation's "Approvals (3)": every request waiting for a decision, and the plan whose
    approvals page the link opens (the newest plan with one waiting, else the newest begun plan)."""

    count: int
    slug: str | None


def approvals_waiting(today: Month | None = None) -> ApprovalsWaiting:
    """One query, whatever the number of plans, actions or requests."""
    today = today or today_month()
    waiting = (
        ChangeRequest.objects.filter(action__plan=OuterRef("pk"), state=ChangeRequest.State.PENDING)
        .order_by()
        .values("action__plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    plans = list(
        Plan.objects.annotate(waiting=Coalesce(Subquery(waiting, output_field=IntegerField()), 0))
        .order_by("-first_month", "title")
        .values_list("slug", "first_month", "waiting")
    )
    with_requests = [slug for slug, _, n in plans if n]
    begun = [slug for slug, first, _ in plans if Month.from_date(first) <= today]
    slug = next(iter(with_requests or begun or [slug for slug, _, _ in plans]), None)
    return ApprovalsWaiting(count=sum(n for _, _, n in plans), slug=slug)


def pending_requests_by_month(plans: Iterable[Plan]) -> dict[int, dict[Month, int]]:
    """Requests waiting for a decision, counted by plan and by the month they are for (one query)."""
    counts: dict[int, dict[Month, int]] = {plan.pk: {} for plan in plans}
    for plan_id, day, n in (
        ChangeRequest.objects.filter(state=ChangeRequest.State.PENDING, action__plan__in=list(counts))
        .values_list("action__plan_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[plan_id][Month.from_date(day)] = n
    return counts


@dataclass(frozen=True)
class MonthToUpdate:
    """An officer's actions of a plan's current month: how many, and how many have a status."""

    plan: Plan
    month: Month
    actions: int
    updated: int

    @property
    def to_update(self) -> int:
        return self.actions - self.updated


def months_to_update(user, plans: list[Plan], positions: dict[int, CalendarPosition]) -> list[MonthToUpdate]:
    """For each plan whose current month is open and in which ``user`` leads an action, the
    actions of the user's month page (live in the month or already holding a status for it).
    One query, plus one per such plan (an officer leads actions in one or two plans)."""
    led = set(
        Action.objects.filter(plan__in=plans, leads__user=user)
        .order_by()
        .values_list("plan_id", flat=True)
        .distinct()
    )
    result = []
    for plan in plans:
        position = positions[plan.pk]
        if plan.pk not in led or position.month is None or position.closed:
            continue
        month = position.month
        mine = Action.objects.filter(plan=plan, leads__user=user).live_or_recorded_in(month).values("pk")
        counts = Action.objects.filter(pk__in=mine).aggregate(
            actions=Count("pk", distinct=True),
            updated=Count("pk", distinct=True, filter=Q(statuses__month=month.first_day)),
        )
        result.append(MonthToUpdate(plan, month, counts["actions"], counts["updated"]))
    return result


def requests_of(user) -> list[ChangeRequest]:
    """Requests waiting for a decision that ``user`` made, or on actions they lead (one query)."""
    return list(
        ChangeRequest.objects.filter(state=ChangeRequest.State.PENDING)
        .filter(Q(requested_by=user) | Q(action__leads__user=user))
        .distinct()
        .select_related("action__plan")
        .order_by("requested_at", "pk")
    )


@dataclass(frozen=True)
class MonthToClose:
    """A month that has begun, is not closed and has statuses: the performance team may close it."""

    plan: Plan
    month: Month
    statuses: int
    pending: int  # requests for the month still waiting for a decision


def months_to_close(
    plans: list[Plan],
    closed: dict[int, set[Month]],
    pending: dict[int, dict[Month, int]],
    today: Month | None = None,
) -> list[MonthToClose]:
    """Begun reporting months not closed that hold statuses, oldest first (one query)."""
    today = today or today_month()
    candidates = {
        plan.pk: [m for m in plan.reporting_month_list if m <= today and m not in closed[plan.pk]]
        for plan in plans
    }
    wanted = Q(pk__in=[])
    for plan_id, months in candidates.items():
        if months:
            wanted |= Q(action__plan_id=plan_id, month__in=[m.first_day for m in months])
    counted: dict[tuple[int, Month], int] = {}
    if any(candidates.values()):
        for plan_id, day, n in (
            MonthlyStatus.objects.filter(wanted)
            .values_list("action__plan_id", "month")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counted[(plan_id, Month.from_date(day))] = n
    return [
        MonthToClose(plan, month, counted[(plan.pk, month)], pending[plan.pk].get(month, 0))
        for plan in plans
        for month in candidates[plan.pk]
        if (plan.pk, month) in counted
    ]
