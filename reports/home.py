"""The home page: what waits for the person logged in, part by part as their roles allow.

An officer sees the actions of this month to update and their requests waiting for a decision;
whoever approves, the requests waiting; the performance team, the updates still missing by lead
and the months ready to close; everyone, the month being reported and the last published report
with their PDFs. "This month" is each plan's current month in the reporting calendar
(``plans.selectors``). A fixed number of queries whatever the size of the plans.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F

from plans import roles, services
from plans.models import ChangeRequest, MonthClose, Plan, with_words
from plans.periods import Month
from plans.selectors import (
    ApprovalsWaiting,
    MonthToClose,
    MonthToUpdate,
    approvals_waiting_among,
    calendar_position,
    closed_months,
    months_to_close,
    months_to_update,
    pending_requests_by_month,
    requests_of,
    today_month,
)
from plans.status import StatusCounts
from reports.dashboard import DashboardRow, dashboard_rows
from reports.exception_report import counts_from_json


@dataclass(frozen=True)
class MissingUpdates:
    """A plan's current month and its actions still without a status, by lead."""

    plan: Plan
    month: Month
    by_lead: list[services.Outstanding]

    @property
    def total(self) -> int:
        return services.outstanding_count(self.by_lead)


@dataclass(frozen=True)
class Waiting:
    """Requests of a plan waiting for a decision."""

    plan: Plan
    count: int
    closed_months: int  # of them, requests for a month closed since: they can only be rejected


@dataclass(frozen=True)
class Published:
    """The last published month of any plan."""

    plan: Plan
    month: Month
    figures: StatusCounts


@dataclass(frozen=True)
class HomePage:
    to_update: list[MonthToUpdate]
    my_requests: list[ChangeRequest] | None  # None: the person makes no requests
    waiting: list[Waiting] | None  # None: the person does not approve
    missing: list[MissingUpdates] | None  # None: the person does not chase
    to_close: list[MonthToClose] | None  # None: the person does not close months
    being_reported: list[DashboardRow]
    last_published: Published | None
    # The navigation's "Approvals (n)" from the requests read above (None: the person does not
    # approve), so the page does not count them again (``plans.context_processors``).
    approvals_waiting: ApprovalsWaiting | None = None


def last_published(plans: list[Plan]) -> Published | None:
    """The latest closed month of any plan, its figures as published (one query, reading only
    the snapshot's figures). ``plans`` are the plans as loaded, their status words prefetched."""
    row = (
        MonthClose.objects.closed()
        .filter(plan__in=plans)
        .defer("snapshot")
        .order_by("-month", "-closed_at")
        .annotate(figures=F("snapshot__figures"))
        .first()
    )
    if row is None:
        return None
    # ``row.plan`` only when not among ``plans`` (a default argument of next() is always read).
    plan = next((plan for plan in plans if plan.pk == row.plan_id), None) or row.plan
    return Published(plan, Month.from_date(row.month), counts_from_json(row.figures or {}))


def home_page(user) -> HomePage:
    today = today_month()
    # Neither their other years nor progress charts are printed here: the plans and their words.
    plans = list(Plan.objects.visible_to(user).select_related("organisation"))
    with_words(plans)

    def where(perm: str) -> list[Plan]:
        # Each part lists the plans where the person's role in the plan's council allows it.
        return [plan for plan in plans if user.has_perm(perm, plan)]

    closed = closed_months(plans)
    positions = {plan.pk: calendar_position(plan, closed[plan.pk], today) for plan in plans}
    # Each plan's month being reported: begun and open (its current month).
    open_now = [
        plan for plan in plans if positions[plan.pk].month is not None and not positions[plan.pk].closed
    ]
    pending = pending_requests_by_month(plans)

    waiting = None
    if user.has_perm(roles.APPROVE_CHANGE):
        waiting = [
            Waiting(
                plan,
                sum(pending[plan.pk].values()),
                sum(n for month, n in pending[plan.pk].items() if month in closed[plan.pk]),
            )
            for plan in where(roles.APPROVE_CHANGE)
            if pending[plan.pk]
        ]
    missing = None
    if user.has_perm(roles.CHASE):
        missing = [
            MissingUpdates(
                plan,
                positions[plan.pk].month,
                services.outstanding_by_lead(plan=plan, month=positions[plan.pk].month),
            )
            for plan in open_now
            if user.has_perm(roles.CHASE, plan)
        ]
    my_requests = None
    if user.has_perm(roles.REQUEST_CHANGE):
        my_requests = requests_of(user)
        for request in my_requests:
            # Its month published before a decision: it can no longer be approved (reports.closing).
            request.month_closed = request.as_month in closed.get(request.action.plan_id, set())
    return HomePage(
        to_update=months_to_update(user, where(roles.UPDATE_OWN), positions)
        if user.has_perm(roles.UPDATE_OWN)
        else [],
        my_requests=my_requests,
        waiting=waiting,
        missing=missing,
        to_close=months_to_close(where(roles.CLOSE_MONTH), closed, pending, today)
        if user.has_perm(roles.CLOSE_MONTH)
        else None,
        # Their positions alone: the closes of the other plans' months (and their snapshots) unread.
        being_reported=dashboard_rows(
            open_now, {plan.pk: positions[plan.pk] for plan in open_now}, charts=False
        ),
        last_published=last_published(plans),
        approvals_waiting=approvals_waiting_among(user, plans, pending, today)
        if user.has_perm(roles.APPROVE_CHANGE)
        else None,
    )
