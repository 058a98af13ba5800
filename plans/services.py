"""Every write to a plan goes through here, so that each one keeps its history.

Views, management commands, the importer and the admin all call these functions. Each runs in
one transaction and writes its ``ActionChange`` rows in that same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

import audit
from plans import notifications, roles
from plans.models import (
    CORRECTIVE_ACTION_MAX,
    Action,
    ActionChange,
    ChangeRequest,
    Indicator,
    IndicatorActual,
    IndicatorChange,
    IndicatorMonth,
    IndicatorTarget,
    Lead,
    Measure,
    MeasureChange,
    MeasureProgress,
    MonthClose,
    MonthlyStatus,
    Plan,
    Priority,
)
from plans.periods import Month
from plans.status import NEEDS_APPROVAL, Approval, Polarity, Status, Unit, approved_status, number_text

# Fields of an action whose changes are kept in its history.
TRACKED_ACTION_FIELDS = (
    "ref",
    "description",
    "original_target",
    "revised_target",
    "reprogrammed",
    "completed_month",
    "corrective_action",
    "target_date_text",
    "progress_measure",
    "progress_update",
)
TRACKED_STATUS_FIELDS = ("status", "word", "corrective_action", "note")
# The action's own fields an officer's month page writes (``update_month``).
MONTH_PAGE_ACTION_FIELDS = ("corrective_action", "completed_month", "revised_target")


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return str(Month.from_date(value))
    return str(value)


class MonthClosedError(Exception):
    """The month's report is published: it takes no more updates."""

    def __init__(self, month: Month):
        super().__init__(f"{month.name} is closed: its report is published and takes no more updates.")
        self.month = month


# --- The guard every write passes ---------------------------------------------------------------


# Sent (plan_id=) when a transaction takes a plan's lock, that is before it writes to the plan.
plan_locked = Signal()


# The plan's lock is PostgreSQL's own lock manager's (an advisory lock on the plan's id, for the
# transaction), taken exclusive by ``lock_plan`` and shared by ``sharing_plan``. Its queue is
# fair: a close waiting for the saves in progress is not overtaken by the saves that arrive after
# it (a shared row lock, ``FOR SHARE``, lets them in, and a stream of them could starve the close).
PLAN_LOCKS = 0x504C414E  # "PLAN": the advisory locks' first key; the plan's id is the second


def _locked_plan(pk: int, *, shared: bool) -> Plan:
    if connection.vendor != "postgresql":
        # SQLite, the demo's database, serialises writers itself (and has neither kind of lock).
        return Plan.objects.select_for_update().order_by().get(pk=pk)
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    # The exclusive holder also locks the plan's row, as before there was an advisory lock.
    row_lock = "" if shared else " FOR UPDATE OF p"
    found = list(
        Plan.objects.raw(
            f"SELECT p.* FROM {function}(%s, %s) AS lock, {Plan._meta.db_table} p WHERE p.id = %s{row_lock}",
            [PLAN_LOCKS, pk, pk],
        )
    )
    if not found:
        raise Plan.DoesNotExist(f"No plan {pk}.")
    return found[0]


def lock_plan(plan: Plan | int) -> Plan:
    """Take the plan's lock, exclusive, for the rest of the transaction.

    Every write to a plan's actions and statuses, and every close and re-open of one of its months,
    takes this lock (or, for an officer's save, ``sharing_plan``) *before* it checks whether a
    month is closed. So a save and a close of the same plan never interleave: the save either
    commits before the close reads the figures, or waits and then finds the month closed. It
    sends ``plan_locked``, on which ``reports.versions`` bumps the plan's data version in the same
    transaction.
    """
    must_be_in_transaction()
    pk = plan if isinstance(plan, int) else plan.pk
    locked = _locked_plan(pk, shared=False)
    # Whoever takes the lock writes to the plan: what was kept of its reports is out of date.
    plan_locked.send(sender=Plan, plan_id=pk)
    return locked


# Sent (plan_id=) when a transaction takes a plan's lock shared (``sharing_plan``), and again
# (plan_id=, written=True|False) when its writes under that lock are done.
plan_shared = Signal()
plan_shared_done = Signal()


@contextmanager
def sharing_plan(plan: Plan | int) -> Iterator[Plan]:
    """Hold the plan's lock shared while writing some of its actions' months.

    An officer's save changes only the actions in its form, which it locks row by row (and checks
    the versions of) after this: two officers' saves need not wait for each other, and at month
    end a hundred officers save the same plan at once. What a save must not interleave with is a
    close, a re-open, an approval or any other whole-plan write, and those take ``lock_plan``,
    which waits for every shared holder to commit and is waited for. So the month-open check
    after this lock holds as it does after ``lock_plan``.

    The plan's data version (``reports.versions``) is a counter row that every writer updates: it
    is bumped when the writes are done (``plan_shared_done``), the last statement before the
    transaction commits, so concurrent saves queue on it only while one commits. Use as
    ``with sharing_plan(plan) as plan:`` directly inside the transaction, with nothing after it.
    """
    must_be_in_transaction()
    pk = plan if isinstance(plan, int) else plan.pk
    locked = _locked_plan(pk, shared=True)
    plan_shared.send(sender=Plan, plan_id=pk)
    written = False
    try:
        yield locked
        written = True
    finally:
        plan_shared_done.send(sender=Plan, plan_id=pk, written=written)


def must_be_in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A plan write must run inside a transaction (the plan lock lasts until it ends).")


def ensure_open(plan: Plan, months: Iterable[Month]) -> None:
    """Refuse a write touching a closed month. Call after ``lock_plan``: checked before the lock,
    a close could commit between the check and the write."""
    days = sorted({m.first_day for m in months})
    if not days:
        return
    # Only the month: a close's row holds its report's snapshot, hundreds of kilobytes on a big plan.
    closed = (
        MonthClose.objects.closed()
        .filter(plan=plan, month__in=days)
        .order_by("month")
        .values_list("month", flat=True)
    ).first()
    if closed is not None:
        raise MonthClosedError(Month.from_date(closed))


def ensure_reported(plan: Plan, month: Month) -> None:
    """Statuses exist only for the plan's reporting months (every month at Bromsgrove, every
    second month at Rotherham)."""
    if month not in plan.reporting_month_list:
        raise ValidationError(f"{month.name} is not a reporting month of {plan.title}.")


# --- History --------------------------------------------------------------------------------------


def _changes(
    *,
    action: Action,
    before: dict,
    after: dict,
    user,
    source: str,
    month: Month | None = None,
    now=None,
) -> list[ActionChange]:
    """One history row (not yet saved) per value that differs between ``before`` and ``after``.

    A row with ``month`` set is a change to that month's status record; without, to the action.
    """
    now = now or timezone.now()
    rows = [
        ActionChange(
            action=action,
            month=month.first_day if month else None,
            field=name,
            old_value=_text(before.get(name)),
            new_value=_text(after.get(name)),
            changed_by=user,
            changed_at=now,
            source=source,
        )
        for name in after
        if _text(before.get(name)) != _text(after.get(name))
    ]
    return rows


def record_changes(**kwargs) -> list[ActionChange]:
    """Write one history row per value that differs between ``before`` and ``after`` (``_changes``)."""
    rows = _changes(**kwargs)
    ActionChange.objects.bulk_create(rows)
    return rows


def snapshot(instance, fields: Iterable[str]) -> dict:
    return {name: getattr(instance, name) for name in fields}


def update_action(
    *, action: Action, user, source: str, always_bump: bool = False, **values
) -> list[ActionChange]:
    """The one way an action's own fields change: compare, set, bump ``version`` (so a form read
    before this write is refused as stale) and write one history row per changed value.

    Only ``TRACKED_ACTION_FIELDS`` may be given. Nothing changed, nothing is written (unless
    ``always_bump``: a monthly save bumps the version because it writes the month's status).
    The caller holds the plan lock (``lock_plan``).
    """
    changes = _set_action_values(action, values, user=user, source=source, always_bump=always_bump)
    if changes is None:
        return []
    action.save()
    ActionChange.objects.bulk_create(changes)
    return changes


def _set_action_values(
    action: Action, values: dict, *, user, source: str, always_bump: bool, now=None
) -> list[ActionChange] | None:
    """``update_action`` without the writes: set and check the values, bump the version and
    return the history rows to write, or None when nothing is to be written."""
    unknown = set(values) - set(TRACKED_ACTION_FIELDS)
    if unknown:
        raise ValueError(f"Not an action field kept in the history: {sorted(unknown)}")
    before = snapshot(action, TRACKED_ACTION_FIELDS)
    for name, value in values.items():
        setattr(action, name, value)
    after = snapshot(action, TRACKED_ACTION_FIELDS)
    if not always_bump and all(_text(before[n]) == _text(after[n]) for n in values):
        return None
    now = now or timezone.now()
    action.version += 1
    action.updated_at = now
    # Field rules only: the changed fields are months and text, whose constraints the database
    # enforces; validating every constraint of the row costs a query each.
    action.full_clean(exclude=["plan", "measure", "leads"], validate_unique=False, validate_constraints=False)
    return _changes(action=action, before=before, after=after, user=user, source=source, now=now)


def _write_status(**values) -> MonthlyStatus:
    """Record a status once the plan is locked and the month checked (see ``set_status``); takes
    ``_set_status``'s arguments."""
    record, changes = _set_status(**values)
    record.save()
    ActionChange.objects.bulk_create(changes)
    return record


def _set_status(
    *,
    action: Action,
    month: Month,
    status: Status,
    user,
    source: str,
    corrective_action: str = "",
    note: str = "",
    word: str = "",
    existing: MonthlyStatus | None = None,
    now=None,
) -> tuple[MonthlyStatus, list[ActionChange]]:
    """``_write_status`` without the writes: the record with its new values, checked, and the
    history rows to write."""
    now = now or timezone.now()
    before = snapshot(existing, TRACKED_STATUS_FIELDS) if existing else {}
    record = existing or MonthlyStatus(action=action, month=month.first_day)
    # The record names its plan through the action it holds: the report versions' signal then
    # bumps that plan's version alone, not every plan's (``reports.versions._key_of``).
    record.action = action
    record.status = Status(status)
    record.word = word
    record.corrective_action = corrective_action
    record.note = note
    record.set_by = user
    record.set_at = now
    # Field rules only: the row's constraints (first-of-month dates, one status per action and
    # month) hold by construction here and the database enforces them anyway, while validating them
    # costs a query each, and so does checking that the user exists.
    record.full_clean(exclude=["action", "set_by"], validate_unique=False, validate_constraints=False)
    changes = _changes(
        action=action,
        before=before,
        after=snapshot(record, TRACKED_STATUS_FIELDS),
        user=user,
        source=source,
        month=month,
        now=now,
    )
    return record, changes


@dataclass(frozen=True)
class StatusWrite:
    """One action's status for one month, as ``set_statuses`` records it."""

    action: Action
    month: Month
    status: Status
    word: str = ""
    corrective_action: str = ""
    note: str = ""


@transaction.atomic
def set_statuses(
    *, plan: Plan | int, writes: list[StatusWrite], user=None, source: str = ActionChange.Source.OTHER
) -> list[MonthlyStatus]:
    """Record (or change) several statuses of one plan's actions, each kept in the history.

    The one place a status is written: it locks the plan, refuses a closed month
    (``MonthClosedError``) and a month the plan does not report on, all before writing any, so the
    importer, the admin, a shell script and every later feature keep the published record as
    Cabinet saw it.
    """
    plan = lock_plan(plan)
    if any(write.action.plan_id != plan.pk for write in writes):
        raise ValueError("Every status written together must be of an action of the one plan.")
    months = sorted({write.month for write in writes})
    for month in months:
        ensure_reported(plan, month)
    ensure_open(plan, months)
    existing = {
        (record.action_id, record.as_month): record
        for record in MonthlyStatus.objects.filter(
            action_id__in={write.action.pk for write in writes}, month__in=[m.first_day for m in months]
        )
    }
    return [
        _write_status(
            action=write.action,
            month=write.month,
            status=write.status,
            user=user,
            source=source,
            corrective_action=write.corrective_action,
            note=write.note,
            word=write.word,
            existing=existing.get((write.action.pk, write.month)),
        )
        for write in writes
    ]


def set_status(
    *,
    action: Action,
    month: Month,
    status: Status,
    user=None,
    source: str = ActionChange.Source.OTHER,
    corrective_action: str = "",
    note: str = "",
    word: str = "",
) -> MonthlyStatus:
    """Record (or change) an action's status for a month, keeping the old value in the history
    (``set_statuses`` for one)."""
    write = StatusWrite(action, month, status, word, corrective_action, note)
    [record] = set_statuses(plan=action.plan_id, writes=[write], user=user, source=source)
    return record


@transaction.atomic
def delete_status(*, record: MonthlyStatus, user, source: str) -> None:
    """Remove a status recorded by mistake (the admin only), kept in the history; never in a
    closed month."""
    plan = lock_plan(record.action.plan_id)
    ensure_open(plan, [record.as_month])
    record_changes(
        action=record.action,
        before=snapshot(record, TRACKED_STATUS_FIELDS),
        after={name: "" for name in TRACKED_STATUS_FIELDS},
        user=user,
        source=source,
        month=record.as_month,
    )
    record.delete()


@transaction.atomic
def move_status(*, record: MonthlyStatus, month: Month, user, source: str) -> MonthlyStatus:
    """A status entered against the wrong month moves to ``month``: the old month's record goes
    and the new month's is written, both in the history; neither month may be closed."""
    plan = lock_plan(record.action.plan_id)
    stale = MonthlyStatus.objects.get(pk=record.pk)  # as stored: ``record`` may hold edited values
    ensure_reported(plan, month)
    ensure_open(plan, [stale.as_month, month])
    values = {name: getattr(record, name) for name in ("status", "word", "corrective_action", "note")}
    if (
        MonthlyStatus.objects.filter(action_id=record.action_id, month=month.first_day)
        .exclude(pk=record.pk)
        .exists()
    ):
        raise ValidationError(f"This action already has a status for {month.name}.")
    delete_status(record=stale, user=user, source=source)
    return _write_status(action=record.action, month=month, user=user, source=source, **values)


_LEAD_SEPARATORS = re.compile(r"[/,&;]+|\s+")
_LEAD_LIST_SEPARATORS = re.compile(r"[/,;]+")


def parse_lead_initials(text: str) -> list[str]:
    """A plan's lead cell as initials: "PS /PM", "PS, PM", "GR/HB" and "CF HB JP" all name
    several officers; a blank cell names none. A lead written in words with a space and a small
    letter is a job title, kept whole ("Strategic Director Finance /Assistant Chief Executive" is
    two leads: Rotherham's, as the plan's export writes them)."""
    leads = []
    for part in _LEAD_LIST_SEPARATORS.split(text or ""):
        part = " ".join(part.split())
        if " " in part and any(c.islower() for c in part):
            leads.append(part)
        else:
            leads += [token for token in _LEAD_SEPARATORS.split(part) if token]
    return leads


# --- The officer's monthly update, requests and approvals (issue 4) -----------------------------


@dataclass(frozen=True)
class ActionUpdate:
    """What one row of the monthly form asks to record for one action."""

    action_id: int
    version: int
    status: Status
    corrective_action: str = ""
    revised_target: Month | None = None
    completed: Month | None = None
    note: str = ""


@dataclass(frozen=True)
class Conflict:
    """Someone else saved the action after the form was read: their values, and who they were."""

    action: Action
    changed_by: object | None
    changed_at: object | None
    status: MonthlyStatus | None


class StaleUpdateError(Exception):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__(f"{len(conflicts)} action(s) changed by someone else since the form was read")
        self.conflicts = conflicts


def _month_day(month: Month | None):
    return month.first_day if month else None


def _conflict(action: Action, month: Month) -> Conflict:
    latest = action.changes.select_related("changed_by").order_by("-changed_at", "-id").first()
    return Conflict(
        action=action,
        changed_by=latest.changed_by if latest else None,
        changed_at=latest.changed_at if latest else None,
        status=MonthlyStatus.objects.filter(action=action, month=month.first_day).first(),
    )


def approvals_for(action_ids: Iterable[int]) -> dict[int, list[Approval]]:
    """The approved re-programmes and suspensions of these actions, by action: one query."""
    found: dict[int, list[Approval]] = {}
    for request in ChangeRequest.objects.filter(
        action_id__in=list(action_ids), state=ChangeRequest.State.APPROVED
    ):
        found.setdefault(request.action_id, []).append(request.approval)
    return found


@transaction.atomic
def update_month(*, user, plan, month: Month, updates: list[ActionUpdate], source: str = "my-month") -> int:
    """Record an officer's monthly update of several actions in one transaction.

    The plan is locked first (shared with other saves, ``sharing_plan``) and the month checked
    after, so a close cannot slip in between. Every action is locked and its version compared
    with the one the form was read at: if anyone saved it since, nothing at all is written and
    ``StaleUpdateError`` names them. Returns the number of actions written.
    """
    with sharing_plan(plan) as plan:
        return _update_month(user=user, plan=plan, month=month, updates=updates, source=source)


def _update_month(*, user, plan: Plan, month: Month, updates: list[ActionUpdate], source: str) -> int:
    ensure_reported(plan, month)
    ensure_open(plan, [month])
    ids = [u.action_id for u in updates]
    # In id order, so two saves sharing actions (an officer and the performance team) lock them
    # in the same order and one waits for the other instead of deadlocking.
    actions = {
        a.pk: a
        for a in Action.objects.select_for_update(of=("self",)).filter(plan=plan, pk__in=ids).order_by("pk")
    }
    if len(actions) != len(set(ids)):
        raise PermissionDenied("An action in the form is not in this plan.")
    if not user.has_perm(roles.UPDATE_ANY, plan):
        led = set(Action.objects.filter(pk__in=ids).led_by(user).values_list("pk", flat=True))
        if not user.has_perm(roles.UPDATE_OWN, plan) or led != set(ids):
            raise PermissionDenied("You may only update the actions you lead.")
    conflicts = [
        _conflict(actions[u.action_id], month) for u in updates if actions[u.action_id].version != u.version
    ]
    if conflicts:
        raise StaleUpdateError(conflicts)
    approvals = approvals_for(ids) if any(u.status in NEEDS_APPROVAL for u in updates) else {}
    existing = {
        record.action_id: record
        for record in MonthlyStatus.objects.filter(action_id__in=ids, month=month.first_day)
    }
    now = timezone.now()
    changes: list[ActionChange] = []
    written: list[MonthlyStatus] = []
    new: list[MonthlyStatus] = []
    for update in updates:
        if update.status in NEEDS_APPROVAL and (
            approved_status(month, approvals.get(update.action_id, [])) != update.status
        ):
            # Re-programming and suspension are requested and approved, never set directly; once
            # approved, they are reported in each month the approval covers.
            raise PermissionDenied("Re-programmed and suspended need an approved request covering the month.")
        action = actions[update.action_id]
        action.plan = plan
        values = {
            "corrective_action": update.corrective_action,
            "completed_month": _month_day(update.completed),
        }
        if not action.reprogrammed:
            # An approved re-programme's date is the approver's; the lead cannot move it.
            values["revised_target"] = _month_day(update.revised_target)
        changes += _set_action_values(action, values, user=user, source=source, always_bump=True, now=now)
        record, status_changes = _set_status(
            action=action,
            month=month,
            status=update.status,
            user=user,
            source=source,
            corrective_action=update.corrective_action,
            note=update.note,
            existing=existing.get(action.pk),
            now=now,
        )
        changes += status_changes
        (written if record.pk else new).append(record)
    # The rows changed are written one by one (Django's ``bulk_update`` costs more to compose
    # than the round trips it saves), the rows added each kind in one statement: at month end a
    # hundred officers save at once, each statement a round trip while their actions are locked.
    for update in updates:
        actions[update.action_id].save(update_fields=["version", "updated_at", *MONTH_PAGE_ACTION_FIELDS])
    for record in written:
        record.save(update_fields=[*TRACKED_STATUS_FIELDS, "set_by", "set_at"])
    MonthlyStatus.objects.bulk_create(new)
    ActionChange.objects.bulk_create(changes)
    return len(updates)


# --- A measure's progress update for a month (issue 14) -------------------------------------------


class StaleProgressError(Exception):
    """Someone else wrote the measure's progress update after the form was read."""

    def __init__(self, measure: Measure, current: MeasureChange | None):
        super().__init__(f"The progress update of {measure.ref} was changed by someone else")
        self.measure = measure
        self.current = current  # their write: who, when and the text as they left it


def progress_text(text: str | None) -> str:
    """A progress update as kept: a browser sends a textarea's line ends as CRLF."""
    return (text or "").replace("\r\n", "\n").strip()


@transaction.atomic
def update_measure_progress(
    *,
    user,
    plan: Plan | int,
    month: Month,
    measure: Measure,
    text: str,
    read: str | None = None,
    source: str = ActionChange.Source.MY_MONTH,
) -> MeasureProgress | None:
    """Write a measure's progress update for a reporting month, kept in its history
    (``MeasureChange``). Returns the update, or None when the measure has none for the month.

    Anyone who leads an action under the measure may write it, and whoever may update any action.
    An empty text clears the month's update (recorded, the old text kept in the history); an empty
    text where there was none, or the same text again, writes nothing. ``read`` is the text the
    writer's form was read with: if someone else changed it since, nothing is written and
    ``StaleProgressError`` says who (None: not checked, as in the admin).
    """
    plan = lock_plan(plan)
    ensure_reported(plan, month)
    ensure_open(plan, [month])
    if not Measure.objects.filter(pk=measure.pk, priority__plan=plan).exists():
        raise PermissionDenied("The measure is not in this plan.")
    if not user.has_perm(roles.UPDATE_ANY, plan) and not (
        user.has_perm(roles.UPDATE_OWN, plan)
        and Action.objects.filter(plan=plan, measure=measure).led_by(user).exists()
    ):
        raise PermissionDenied(
            "You may only write the progress update of a measure you lead an action under."
        )
    text = progress_text(text)
    if len(text) > CORRECTIVE_ACTION_MAX:
        raise ValidationError(
            f"A progress update is at most {CORRECTIVE_ACTION_MAX:,} characters (it has {len(text):,})."
        )
    existing = (
        MeasureProgress.objects.select_for_update(of=("self",))
        .filter(measure=measure, month=month.first_day)
        .first()
    )
    old = progress_text(existing.text) if existing else ""
    if read is not None and progress_text(read) != old:
        latest = measure.changes.filter(month=month.first_day).select_related("changed_by").first()
        raise StaleProgressError(measure, latest)
    if text == old:
        return existing
    if text:
        progress = existing or MeasureProgress(measure=measure, month=month.first_day)
        progress.text = text
        progress.updated_by = user
        progress.updated_at = timezone.now()
        progress.save()
    else:
        existing.delete()
        progress = None
    MeasureChange.objects.create(
        measure=measure, month=month.first_day, old_text=old, new_text=text, changed_by=user, source=source
    )
    return progress


@transaction.atomic
def request_change(
    *,
    user,
    action: Action,
    kind: str,
    month: Month,
    reason: str,
    new_target: Month | None = None,
) -> ChangeRequest:
    """An officer asks for a re-programme (to ``new_target``) or a suspension from ``month``.
    Until it is approved the action still counts AMBER or RED by its dates."""
    plan = lock_plan(action.plan_id)
    if not user.has_perm(roles.UPDATE_ANY, plan) and not (
        user.has_perm(roles.REQUEST_CHANGE, plan) and action.leads.filter(user=user).exists()
    ):
        raise PermissionDenied("You may only request changes to the actions you lead.")
    # A request for a published month could never be approved: say so now, not at the approval.
    ensure_open(plan, [month])
    if ChangeRequest.objects.filter(action=action, state=ChangeRequest.State.PENDING).exists():
        raise ValidationError("This action already has a request waiting for a decision.")
    if kind == ChangeRequest.Kind.REPROGRAMME:
        # The form offers only these months; a command or a tampered post gets the same answer.
        last = plan.target_month_list[-1]
        if new_target is None or not month < new_target <= last:
            raise ValidationError(
                f"The new target month must be after {month.name} and no later than {last.name}."
            )
    request = ChangeRequest(
        action=action,
        kind=kind,
        month=month.first_day,
        new_target=_month_day(new_target) if kind == ChangeRequest.Kind.REPROGRAMME else None,
        reason=reason,
        requested_by=user,
    )
    request.full_clean()
    request.save()
    ActionChange.objects.create(
        action=action,
        month=month.first_day,
        field="request",
        new_value=f"{request.get_kind_display()} requested: {reason}",
        changed_by=user,
        source=ActionChange.Source.MY_MONTH,
    )
    return request


@transaction.atomic
def decide_request(
    *, user, request: ChangeRequest, approve: bool, comment: str = "", notify: bool = True
) -> ChangeRequest:
    """Approve or reject a request (pending -> approved or rejected, nothing else).

    An approved re-programme makes the new target the action's revised target and records REPRO
    for the request's month; an approved suspension records SUSP for it. Later months are
    reported REPRO or SUSP from the approval as they come (``plans.status.approved_status``):
    nothing is written into months that have not been reported.

    The officer who asked and the action's leads are emailed the decision once it has committed
    (``notify``: the demo loader's decisions, made in 2009, email nobody).
    """
    plan_id = ChangeRequest.objects.filter(pk=request.pk).values_list("action__plan_id", flat=True).get()
    plan = lock_plan(plan_id)
    if not user.has_perm(roles.APPROVE_CHANGE, plan):
        raise PermissionDenied("You may not approve re-programmes or suspensions.")
    request = (
        ChangeRequest.objects.select_for_update(of=("self",)).select_related("action").get(pk=request.pk)
    )
    if request.state != ChangeRequest.State.PENDING:
        raise ValidationError(f"This request was already {request.get_state_display().lower()}.")
    action = Action.objects.select_for_update(of=("self",)).order_by().get(pk=request.action_id)
    action.plan = plan
    start = Month.from_date(request.month)
    if approve:
        ensure_open(plan, [start])
    request.state = ChangeRequest.State.APPROVED if approve else ChangeRequest.State.REJECTED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_comment = comment
    request.save()
    ActionChange.objects.create(
        action=action,
        month=request.month,
        field="request",
        old_value=f"{request.get_kind_display()} requested",
        new_value=f"{request.get_kind_display()} {request.get_state_display().lower()}: {comment}".rstrip(
            ": "
        ),
        changed_by=user,
        source=ActionChange.Source.APPROVAL,
    )
    audit.record(
        "approval",
        user=user,
        plan=plan,
        month=start,
        action=action.ref,
        action_id=action.pk,
        request_id=request.pk,
        request_kind=request.kind,
        decision=request.state,
        comment=comment,
    )
    # The officer hears of it once it is final: after the commit, outside the plan's lock, and a
    # failure to send is logged without undoing the decision.
    if notify:
        transaction.on_commit(lambda pk=request.pk: notifications.send_decision_emails(pk))
    if not approve:
        return request
    values = {}
    if request.kind == ChangeRequest.Kind.REPROGRAMME:
        values = {"revised_target": request.new_target, "reprogrammed": True}
    update_action(action=action, user=user, source=ActionChange.Source.APPROVAL, always_bump=True, **values)
    if start in plan.reporting_month_list:
        _write_status(
            action=action,
            month=start,
            status=request.approval.status,
            user=user,
            source=ActionChange.Source.APPROVAL,
            corrective_action=request.reason,
            existing=MonthlyStatus.objects.filter(action=action, month=request.month).first(),
        )
    return request


# --- Chasing updates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outstanding:
    """A lead (None for actions nobody leads) and their actions still without a status."""

    lead: object | None
    actions: tuple[Action, ...]

    @property
    def address(self) -> str:
        return self.lead.address if self.lead else ""


def outstanding_by_lead(*, plan, month: Month) -> list[Outstanding]:
    """Actions live in ``month`` that have no status for it yet, grouped by lead in initials order.
    An action with two leads is outstanding for both."""
    actions = list(
        Action.objects.filter(plan=plan)
        .live_in(month)
        .exclude(statuses__month=month.first_day)
        .in_plan_order()
        .select_related("measure__priority")
        .prefetch_related("leads__user")
    )
    groups: dict = {}
    for action in actions:
        action.plan = plan
        for lead in action.leads.all() or [None]:
            groups.setdefault(lead, []).append(action)
    ordered = sorted(groups, key=lambda lead: (lead is None, lead.initials if lead else ""))
    return [Outstanding(lead=lead, actions=tuple(groups[lead])) for lead in ordered]


def outstanding_count(groups: list[Outstanding]) -> int:
    """How many actions are outstanding: an action with two leads is in two groups but counts once."""
    return len({action.pk for group in groups for action in group.actions})


# --- Indicators: definitions, targets and monthly actuals (issue 17) ------------------------------


class StaleActualError(Exception):
    """Someone else wrote the indicator's actual or note for the month after the form was read."""

    def __init__(self, indicator: Indicator, month: Month, current: IndicatorChange | None):
        super().__init__(f"The {month.name} actual of {indicator.code} was changed by someone else")
        self.indicator = indicator
        self.month = month
        self.current = current  # their write: who, when and the value as they left it


@dataclass(frozen=True)
class ActualWrite:
    """An indicator's actual for one month as ``set_actuals`` records it: ``value`` None removes
    the month's actual. ``read`` is the (value, note) the writer's form showed, to refuse a save
    over a colleague's since; None: not checked (the admin, the importer)."""

    indicator: Indicator
    month: Month
    value: Decimal | None
    note: str = ""
    read: tuple[Decimal | None, str] | None = None


def indicator_changes(
    indicator: Indicator,
    changes: Iterable[tuple[str, str, str]],
    *,
    user,
    source: str,
    month: Month | None = None,
) -> list[IndicatorChange]:
    """The indicator's history rows (not yet saved) for each (field, old, new) that differs; with
    ``month``, changes to that month's actual, note or target."""
    now = timezone.now()
    return [
        IndicatorChange(
            indicator=indicator,
            month=month.first_day if month else None,
            field=name,
            old_value=old,
            new_value=new,
            changed_by=user,
            changed_at=now,
            source=source,
        )
        for name, old, new in changes
        if old != new
    ]


def may_enter_actuals(user, indicators: Iterable[Indicator], plan: Plan) -> bool:
    """Only an indicator's lead enters its actuals, or whoever may update any action (the
    performance team) of the plan's organisation. One query for any number of indicators."""
    ids = {indicator.pk for indicator in indicators}
    if user.has_perm(roles.UPDATE_ANY, plan):
        return True
    if not user.has_perm(roles.UPDATE_OWN, plan):
        return False
    return set(Indicator.objects.filter(pk__in=ids).led_by(user).values_list("pk", flat=True)) == ids


def _figure(value: Decimal | None) -> str:
    """A figure as the history keeps it: "83.5", never "83.5000"."""
    return "" if value is None else number_text(value).replace(",", "")


@transaction.atomic
def set_actuals(
    *,
    user,
    plan: Plan | int,
    writes: list[ActualWrite],
    source: str = ActionChange.Source.OTHER,
    from_command_line: bool = False,
) -> list[IndicatorActual | None]:
    """Record (change or remove) indicators' actuals and notes, each change kept in the
    indicator's history (``IndicatorChange``), all or nothing.

    The plan is locked first; then each month must be one the indicator is collected in and must
    not be closed (a published month's figures are final, as its statuses are), and the writer
    must lead every indicator written (or may update any action); the command line
    (``from_command_line``: ``import_plan``), whose operator already holds the database, is not
    asked. A note needs an actual.
    """
    plan = lock_plan(plan)
    if len({(write.indicator.pk, write.month) for write in writes}) != len(writes):
        raise ValueError("An indicator's actual for a month is written once in a save.")
    ids = {write.indicator.pk for write in writes}
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(plan=plan, pk__in=ids).prefetch_related("collected")
    }
    if len(indicators) != len(ids):
        raise PermissionDenied("An indicator in the form is not in this plan.")
    if not from_command_line and not may_enter_actuals(user, indicators.values(), plan):
        raise PermissionDenied("You may only enter the actuals of the indicators you lead.")
    for indicator in indicators.values():
        indicator.plan = plan
    for write in writes:
        indicator = indicators[write.indicator.pk]
        if not indicator.is_collected_in(write.month):
            raise ValidationError(f"{indicator.code} is not collected in {write.month.name}.")
        if write.value is None and progress_text(write.note):
            raise ValidationError(
                f"{indicator.code}: enter the actual for {write.month.name} that the note is about."
            )
    months = {write.month for write in writes}
    ensure_open(plan, months)
    existing = {
        (row.indicator_id, row.as_month): row
        for row in IndicatorActual.objects.select_for_update(of=("self",)).filter(
            indicator_id__in=ids, month__in=[m.first_day for m in months]
        )
    }
    now = timezone.now()
    written, history = [], []
    for write in writes:
        indicator = indicators[write.indicator.pk]
        row = existing.get((indicator.pk, write.month))
        old = (row.value, progress_text(row.note)) if row else (None, "")
        if write.read is not None and (_figure(write.read[0]), progress_text(write.read[1])) != (
            _figure(old[0]),
            old[1],
        ):
            latest = (
                indicator.changes.filter(month=write.month.first_day).select_related("changed_by").first()
            )
            raise StaleActualError(indicator, write.month, latest)
        new = (write.value, progress_text(write.note)) if write.value is not None else (None, "")
        changes = [
            (IndicatorChange.Field.ACTUAL, _figure(old[0]), _figure(new[0])),
            (IndicatorChange.Field.NOTE, old[1], new[1]),
        ]
        history += indicator_changes(indicator, changes, user=user, source=source, month=write.month)
        if new == old:
            written.append(row)
        elif new[0] is None:
            row.delete()
            written.append(None)
        else:
            row = row or IndicatorActual(indicator=indicator, month=write.month.first_day)
            row.value, row.note, row.entered_by, row.entered_at = new[0], new[1], user, now
            row.full_clean(
                exclude=["indicator", "entered_by"], validate_unique=False, validate_constraints=False
            )
            row.save()
            written.append(row)
    IndicatorChange.objects.bulk_create(history)
    return written


def set_actual(
    *,
    user,
    indicator: Indicator,
    month: Month,
    value: Decimal | None,
    note: str = "",
    source: str = ActionChange.Source.OTHER,
) -> IndicatorActual | None:
    """One indicator's actual for one month (``set_actuals`` for one)."""
    [row] = set_actuals(
        user=user, plan=indicator.plan_id, writes=[ActualWrite(indicator, month, value, note)], source=source
    )
    return row


@dataclass(frozen=True)
class IndicatorDefinition:
    """What defines an indicator, as the admin, the workbook importer and the demo give it.

    ``months``: the months it is collected in; empty for every reporting month of the plan.
    ``month_targets``: the year-to-date profile, month by month; None leaves the stored profile
    as it is, and an empty dict removes it. ``position`` None: after the priority's others."""

    code: str
    title: str
    priority: Priority
    measure: Measure | None = None
    unit: str = Unit.NUMBER
    polarity: str = Polarity.HIGHER
    target: Decimal | None = None
    tolerance: Decimal = Decimal("0")
    lead: Lead | None = None
    months: tuple[Month, ...] = ()
    month_targets: dict[Month, Decimal] | None = None
    position: int | None = None


def _place_text(priority: Priority, measure: Measure | None) -> str:
    return f"{priority.code} {measure.ref}" if measure else priority.code


def _months_text(months: Iterable[Month]) -> str:
    return ", ".join(m.name for m in sorted(months))


@dataclass(frozen=True)
class _Stored:
    """An indicator's collected months and month targets as stored (none for a new one)."""

    months: frozenset[Month] = frozenset()
    targets: dict[Month, Decimal] = field(default_factory=dict)

    @classmethod
    def of(cls, indicator: Indicator | None) -> _Stored:
        if indicator is None or indicator.pk is None:
            return cls()
        days = IndicatorMonth.objects.filter(indicator=indicator).values_list("month", flat=True)
        rows = IndicatorTarget.objects.filter(indicator=indicator)
        return cls(
            months=frozenset(Month.from_date(day) for day in days),
            targets={Month.from_date(row.month): row.value for row in rows},
        )

    def targets_after(self, definition: IndicatorDefinition) -> dict[Month, Decimal]:
        return self.targets if definition.month_targets is None else dict(definition.month_targets)

    def changed_targets(self, definition: IndicatorDefinition) -> set[Month]:
        after = self.targets_after(definition)
        return {m for m in {*self.targets, *after} if _figure(self.targets.get(m)) != _figure(after.get(m))}


def check_indicator(
    *, plan: Plan, definition: IndicatorDefinition, indicator: Indicator | None = None
) -> None:
    """Refuse (``ValidationError``, ``MonthClosedError``) a definition that cannot be saved: no
    code, a code the plan already has, a priority or measure of another plan, a month the plan does
    not report on, no longer collecting a month that has an actual, a changed month target in a
    closed month. Forms call it to show the refusal beside the form; ``save_indicator`` calls it
    again under the plan's lock."""
    d = definition
    code = d.code.strip()
    if not code:
        raise ValidationError("An indicator needs a code (for example BV8).")
    pk = indicator.pk if indicator is not None else None
    if Indicator.objects.filter(plan=plan, code=code).exclude(pk=pk).exists():
        raise ValidationError(f"{plan.title} already has an indicator {code}.")
    if indicator is not None and indicator.pk and indicator.plan_id != plan.pk:
        raise ValidationError("The indicator is not in this plan.")
    if d.priority.plan_id != plan.pk or (d.measure is not None and d.measure.priority_id != d.priority.pk):
        raise ValidationError("The indicator's measure must be under its priority, in its own plan.")
    reporting = set(plan.reporting_month_list)
    for month in sorted({*d.months, *(d.month_targets or {})}):
        if month not in reporting:
            raise ValidationError(f"{month.name} is not a reporting month of {plan.title}.")
    stored = _Stored.of(indicator)
    if pk and d.months and stored.months != set(d.months):
        dropped = (stored.months or reporting) - set(d.months)
        first = (
            IndicatorActual.objects.filter(indicator_id=pk, month__in=[m.first_day for m in dropped])
            .order_by("month")
            .first()
        )
        if first is not None:
            raise ValidationError(
                f"{indicator.code} has an actual for {first.as_month.name}, so it is still collected in that month."
            )
    ensure_open(plan, stored.changed_targets(d))


@transaction.atomic
def save_indicator(
    *,
    user,
    plan: Plan | int,
    definition: IndicatorDefinition,
    indicator: Indicator | None = None,
    source: str = ActionChange.Source.OTHER,
    from_command_line: bool = False,
) -> Indicator:
    """Create an indicator, or change ``indicator`` (else the plan's indicator with the
    definition's code), under the plan's lock and after ``check_indicator``; every change to an
    existing one is kept in its history (a new one is structure: it has none yet). The command
    line (``from_command_line``) is not asked for the permission, as for ``set_actuals``."""
    plan = lock_plan(plan)
    d = definition
    if indicator is None:
        indicator = Indicator.objects.filter(plan=plan, code=d.code.strip()).first()
    creating = indicator is None
    needed = "plans.add_indicator" if creating else "plans.change_indicator"
    if not from_command_line and not user.has_perm(needed, plan):
        raise PermissionDenied("You may not set up or change indicators.")
    check_indicator(plan=plan, definition=d, indicator=indicator)
    stored = _Stored.of(indicator)
    if creating:
        indicator = Indicator(plan=plan)
    else:
        indicator = Indicator.objects.select_related("priority", "measure", "lead").get(pk=indicator.pk)
        before = _definition_texts(indicator, stored.months)
    targets, changed_targets = stored.targets_after(d), stored.changed_targets(d)
    indicator.code, indicator.title = d.code.strip(), d.title.strip()
    indicator.priority, indicator.measure, indicator.lead = d.priority, d.measure, d.lead
    indicator.unit, indicator.polarity = Unit(d.unit), Polarity(d.polarity)
    indicator.target, indicator.tolerance = d.target, d.tolerance
    if d.position is not None:
        indicator.position = d.position
    elif creating:
        indicator.position = Indicator.objects.filter(plan=plan, priority=d.priority).count()
    # Field rules (lengths, digits, the tolerance's range); the code's uniqueness was checked above.
    indicator.full_clean(exclude=["plan", "priority", "measure", "lead"], validate_unique=False)
    indicator.save()
    if stored.months != set(d.months):
        IndicatorMonth.objects.filter(indicator=indicator).delete()
        IndicatorMonth.objects.bulk_create(
            IndicatorMonth(indicator=indicator, month=m.first_day) for m in sorted(set(d.months))
        )
    if changed_targets:
        IndicatorTarget.objects.filter(
            indicator=indicator, month__in=[m.first_day for m in changed_targets]
        ).delete()
        for month in sorted(changed_targets & set(targets)):
            row = IndicatorTarget(indicator=indicator, month=month.first_day, value=targets[month])
            row.full_clean(exclude=["indicator"], validate_unique=False, validate_constraints=False)
            row.save()
    if creating:
        return indicator
    after = _definition_texts(indicator, set(d.months))
    rows = indicator_changes(
        indicator, [(name, before[name], after[name]) for name in after], user=user, source=source
    )
    for month in sorted(changed_targets):
        target = (
            IndicatorChange.Field.TARGET,
            _figure(stored.targets.get(month)),
            _figure(targets.get(month)),
        )
        rows += indicator_changes(indicator, [target], user=user, source=source, month=month)
    IndicatorChange.objects.bulk_create(rows)
    return indicator


def _definition_texts(indicator: Indicator, months: set[Month]) -> dict[str, str]:
    """An indicator's settings as its history keeps them."""
    F = IndicatorChange.Field
    return {
        F.CODE: indicator.code,
        F.TITLE: indicator.title,
        F.UNIT: indicator.unit,
        F.POLARITY: indicator.polarity,
        F.TARGET: _figure(indicator.target),
        F.TOLERANCE: _figure(indicator.tolerance),
        F.LEAD: indicator.lead.initials if indicator.lead else "",
        F.PLACE: _place_text(indicator.priority, indicator.measure),
        F.MONTHS: _months_text(months) or "every reporting month",
    }
