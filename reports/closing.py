"""Closing and re-opening a month: the performance team publishes a month's report.

A close freezes the report exactly as built (``ExceptionReport.as_snapshot``) on the month's
``MonthClose`` row; the report of a closed month is read from that snapshot from then on, whatever
is edited later. Re-opening needs a reason. Both are recorded as ``MonthEvent`` rows in the same
transaction. (Issue 6 hooks the stored PDFs onto these two functions.)

Before a close the performance team checks what it will publish (``close_check``, the GOV.UK
"check answers" page): the month's updates still missing by lead, the requests for the month still
waiting for a decision, and the consistency check. The close builds the same check again under
the plan's lock and refuses when it fails, or when what was checked has changed since (another
update or request arrived, or a request was decided): the team confirms what it saw.

**Requests waiting at the close** stay waiting (nothing decides them on anyone's behalf), but the
month they are for is published with the action counted Amber or Red by its dates, so they can no
longer be approved (``services.decide_request`` refuses it; Approvals shows them apart and offers
only a rejection, after which the lead may ask again from a later month). Re-opening the month
makes them approvable again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

import audit
from plans import roles
from plans.models import ActionChange, ChangeRequest, MonthClose, MonthEvent, Plan, ReportLayout
from plans.periods import Month
from plans.services import Outstanding, lock_plan, outstanding_by_lead, outstanding_count
from reports import documents, renders
from reports.exception_report import ExceptionReport, build_exception_report
from reports.progress_report import SNAPSHOT_KEY, build_progress_report


class MonthCloseError(Exception):
    """The month cannot be closed or re-opened; the message says why, for the user."""


class MonthChangedError(MonthCloseError):
    """What the person confirming checked has changed: they must look again."""


def _check_permission(user, plan) -> None:
    # The views check this too; a service that publishes figures to Cabinet checks again.
    if user is None or not user.has_perm(roles.CLOSE_MONTH, plan):
        raise PermissionDenied("Only the performance team can close or re-open a month.")


@dataclass(frozen=True)
class CloseCheck:
    """What closing ``month`` would publish, and what is still outstanding in it."""

    plan: Plan
    month: Month
    report: ExceptionReport
    missing: list[Outstanding]  # actions live in the month without a status, by lead
    pending: list[ChangeRequest]  # requests for the month waiting for a decision
    already_closed: bool

    @property
    def missing_total(self) -> int:
        return outstanding_count(self.missing)

    @property
    def refusal(self) -> str | None:
        """Why the month cannot be closed, or None."""
        month = self.month
        if self.already_closed:
            return f"{month.name} is already closed."
        # A progress report (Rotherham's) lists every key action, and a period in which none was
        # reported is still a report to its board ("not reported this period"); an exception
        # report of no statuses has nothing to say.
        if self.report.total == 0 and self.plan.report_layout != ReportLayout.PROGRESS:
            return f"{month.name} has no statuses yet: there is nothing to publish."
        if not self.report.consistent:
            failed = "; ".join(
                f"{c.name} (expected {c.expected}, found {c.found})"
                for c in self.report.checks
                if not c.passed
            )
            return f"{month.name} cannot be closed: the consistency check failed: {failed}."
        return None

    @property
    def fingerprint(self) -> str:
        """What the person confirming has seen: the figures, the updates missing and the
        requests waiting. The confirmation carries it, and the close refuses when it has changed
        since."""
        requests = ",".join(str(r.pk) for r in sorted(self.pending, key=lambda r: r.pk))
        figures = ",".join(str(n) for n in self.report.figures.as_json()["counts"].values())
        return f"figures:{figures};missing:{self.missing_total};requests:{requests}"


def close_check(plan: Plan, month: Month) -> CloseCheck:
    """The check page's contents; the close builds it again under the plan's lock."""
    pending = list(
        ChangeRequest.objects.filter(
            action__plan=plan, state=ChangeRequest.State.PENDING, month=month.first_day
        )
        .select_related("action__measure__priority", "requested_by")
        .prefetch_related("action__leads")
        .order_by("requested_at", "pk")
    )
    for request in pending:
        request.action.plan = plan
    return CloseCheck(
        plan=plan,
        month=month,
        report=build_exception_report(plan, month),
        missing=outstanding_by_lead(plan=plan, month=month),
        pending=pending,
        already_closed=MonthClose.objects.is_closed(plan, month),
    )


@transaction.atomic
def close_month(plan: Plan, month: Month, user, checked: str | None = None) -> MonthClose:
    """Publish ``month``: freeze its report. Refused for a month outside the plan, a month with
    no statuses, a month already closed, or a report that fails its consistency check; and, when
    ``checked`` (a ``CloseCheck.fingerprint`` the person saw) is given, when the check has
    changed since."""
    _check_permission(user, plan)
    if not plan.contains(month):
        raise MonthCloseError(f"{month.name} is not in {plan.title}.")
    if month not in plan.reporting_month_list:
        raise MonthCloseError(
            f"{month.name} is not a reporting month of {plan.title}: there is nothing to publish."
        )
    # The plan's lock first: every write takes it too, so no save commits while the report is
    # read (the snapshot is never torn) and two closes at once queue here, the second finding
    # the month closed.
    plan = lock_plan(plan)
    close = MonthClose.objects.filter(plan=plan, month=month.first_day).first()
    if close is not None and close.is_closed:
        raise MonthCloseError(f"{month.name} is already closed.")
    check = close_check(plan, month)
    if check.refusal:
        raise MonthCloseError(check.refusal)
    if checked is not None and checked != check.fingerprint:
        raise MonthChangedError(
            f"{month.name} changed while you were checking it (a status was saved, or a request made "
            "or decided): nothing was closed. Check it again below."
        )
    report = check.report
    now = timezone.now()
    if close is None:
        close = MonthClose(plan=plan, month=month.first_day)
    close.state = MonthClose.State.CLOSED
    # The cover's people, meeting, written parts and risks are kept as published, so a published
    # cover rendered again (or its Word copy) is the paper the committee read.
    close.snapshot = {**report.as_snapshot(), "cover": documents.cover_snapshot(plan, month)}
    if plan.report_layout == ReportLayout.PROGRESS:
        # The plan's own report (seed 004's table) as published, read under the same lock.
        close.snapshot[SNAPSHOT_KEY] = build_progress_report(plan, month).as_snapshot()
    close.closed_by = user
    close.closed_at = now
    close.history_mark = ActionChange.objects.aggregate(mark=Max("id"))["mark"] or 0
    close.save()
    MonthEvent.objects.create(plan=plan, month=month.first_day, kind=MonthEvent.Kind.CLOSED, by=user, at=now)
    # The published appendix and cover are rendered once, in the background, and kept.
    renders.publish(plan=plan, month=month, user=user)
    audit.record(
        "month-close",
        user=user,
        plan=plan,
        month=month,
        total=report.total,
        missing=check.missing_total,
        requests_waiting=[r.pk for r in check.pending],
    )
    return close


@transaction.atomic
def reopen_month(plan: Plan, month: Month, user, reason: str) -> MonthClose:
    """Re-open a closed month so it takes updates again; the reason is kept and shown on the report."""
    _check_permission(user, plan)
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
