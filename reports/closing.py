"""Closing and re-opening a month: the performance team publishes a month's report.

A close freezes the report exactly as built (``ExceptionReport.as_snapshot``) on the month's
``MonthClose`` row; the report of a closed month is read from that snapshot from then on, whatever
is edited later. Re-opening needs a reason. Both are recorded as ``MonthEvent`` rows in the same
transaction. (Issue 6 hooks the stored PDFs onto these two functions.)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

import audit
from plans import roles
from plans.models import ActionChange, MonthClose, MonthEvent, Plan
from plans.periods import Month
from plans.services import lock_plan
from reports import documents, renders
from reports.exception_report import build_exception_report


class MonthCloseError(Exception):
    """The month cannot be closed or re-opened; the message says why, for the user."""


def _check_permission(user) -> None:
    # The views check this too; a service that publishes figures to Cabinet checks again.
    if user is None or not user.has_perm(roles.CLOSE_MONTH):
        raise PermissionDenied("Only the performance team can close or re-open a month.")


@transaction.atomic
def close_month(plan: Plan, month: Month, user) -> MonthClose:
    """Publish ``month``: freeze its report. Refused for a month outside the plan, a month with
    no statuses, a month already closed, or a report that fails its consistency check."""
    _check_permission(user)
    if not plan.contains(month):
        raise MonthCloseError(f"{month.name} is not in {plan.title}.")
    # The plan's lock first: every write takes it too, so no save commits while the report is
    # read (the snapshot is never torn) and two closes at once queue here, the second finding
    # the month closed.
    plan = lock_plan(plan)
    close = MonthClose.objects.filter(plan=plan, month=month.first_day).first()
    if close is not None and close.is_closed:
        raise MonthCloseError(f"{month.name} is already closed.")
    report = build_exception_report(plan, month)
    if report.total == 0:
        raise MonthCloseError(f"{month.name} has no statuses yet: there is nothing to publish.")
    if not report.consistent:
        failed = "; ".join(
            f"{c.name} (expected {c.expected}, found {c.found})" for c in report.checks if not c.passed
        )
        raise MonthCloseError(f"{month.name} cannot be closed: the consistency check failed: {failed}.")
    now = timezone.now()
    if close is None:
        close = MonthClose(plan=plan, month=month.first_day)
    close.state = MonthClose.State.CLOSED
    # The cover's people, meeting, written parts and risks are kept as published, so a published
    # cover rendered again (or its Word copy) is the paper the committee read.
    close.snapshot = {**report.as_snapshot(), "cover": documents.cover_snapshot(plan, month)}
    close.closed_by = user
    close.closed_at = now
    close.history_mark = ActionChange.objects.aggregate(mark=Max("id"))["mark"] or 0
    close.save()
    MonthEvent.objects.create(plan=plan, month=month.first_day, kind=MonthEvent.Kind.CLOSED, by=user, at=now)
    # The published appendix and cover are rendered once, in the background, and kept.
    renders.publish(plan=plan, month=month, user=user)
    audit.record("month-close", user=user, plan=plan, month=month, total=report.total)
    return close


@transaction.atomic
def reopen_month(plan: Plan, month: Month, user, reason: str) -> MonthClose:
    """Re-open a closed month so it takes updates again; the reason is kept and shown on the report."""
    _check_permission(user)
    reason = (reason or "").strip()
    if not reason:
        raise MonthCloseError("Give the reason for re-opening the month.")
    plan = lock_plan(plan)
    close = MonthClose.objects.filter(plan=plan, month=month.first_day).first()
    if close is None or not close.is_closed:
        raise MonthCloseError(f"{month.name} is not closed.")
    now = timezone.now()
    close.state = MonthClose.State.REOPENED
    close.reopened_by = user
    close.reopened_at = now
    close.reopen_reason = reason
    close.save()
    MonthEvent.objects.create(
        plan=plan, month=month.first_day, kind=MonthEvent.Kind.REOPENED, by=user, at=now, reason=reason
    )
    renders.unpublish(plan=plan, month=month)
    audit.record("month-reopen", user=user, plan=plan, month=month, reason=reason)
    return close
