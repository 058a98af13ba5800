"""Every write to a plan goes through here, so that each one keeps its history.

Views, management commands, the importer and the admin all call these functions. Each runs in
one transaction and writes its ``ActionChange`` rows in that same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from plans import roles
from plans.models import Action, ActionChange, ChangeRequest, MonthlyStatus
from reports.periods import Month
from reports.status import NEEDS_APPROVAL, Status

# Fields of an action whose changes are kept in its history.
TRACKED_ACTION_FIELDS = (
    "ref",
    "description",
    "original_target",
    "revised_target",
    "reprogrammed",
    "completed_month",
    "corrective_action",
)
TRACKED_STATUS_FIELDS = ("status", "word", "corrective_action", "note")


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return str(Month.from_date(value))
    return str(value)


def record_changes(
    *,
    action: Action,
    before: dict,
    after: dict,
    user,
    source: str,
    month: Month | None = None,
) -> list[ActionChange]:
    """Write one history row per value that differs between ``before`` and ``after``.

    A row with ``month`` set is a change to that month's status record; without, to the action.
    """
    now = timezone.now()
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
    ActionChange.objects.bulk_create(rows)
    return rows


def snapshot(instance, fields: Iterable[str]) -> dict:
    return {name: getattr(instance, name) for name in fields}


@transaction.atomic
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
    """Record (or change) an action's status for a month, keeping the old value in the history."""
    existing = MonthlyStatus.objects.select_for_update().filter(action=action, month=month.first_day).first()
    before = snapshot(existing, TRACKED_STATUS_FIELDS) if existing else {}
    record = existing or MonthlyStatus(action=action, month=month.first_day)
    record.status = Status(status)
    record.word = word
    record.corrective_action = corrective_action
    record.note = note
    record.set_by = user
    record.set_at = timezone.now()
    # Field rules only: the row's constraints (first-of-month dates, one status per action and
    # month) hold by construction here and the database enforces them anyway, while validating them
    # costs a query each, and so does checking that the user exists.
    record.full_clean(exclude=["action", "set_by"], validate_unique=False, validate_constraints=False)
    record.save()
    record_changes(
        action=action,
        before=before,
        after=snapshot(record, TRACKED_STATUS_FIELDS),
        user=user,
        source=source,
        month=month,
    )
    return record


@transaction.atomic
def delete_status(*, record: MonthlyStatus, user, source: str) -> None:
    record_changes(
        action=record.action,
        before=snapshot(record, TRACKED_STATUS_FIELDS),
        after={name: "" for name in TRACKED_STATUS_FIELDS},
        user=user,
        source=source,
        month=record.as_month,
    )
    record.delete()


_LEAD_SEPARATORS = re.compile(r"[/,&;]+|\s+")


def parse_lead_initials(text: str) -> list[str]:
    """A plan's lead cell as initials: "PS /PM", "PS, PM", "GR/HB" and "CF HB JP" all name
    several officers; a blank cell names none."""
    return [token for token in _LEAD_SEPARATORS.split(text or "") if token]


# --- The officer's monthly update, requests and approvals (issue 4) -----------------------------


class MonthClosedError(Exception):
    """The month's report is published: it takes no more updates."""

    def __init__(self, month: Month):
        super().__init__(f"{month.name} is closed: its report is published and takes no more updates.")
        self.month = month


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


def _check_open(plan, months: Iterable[Month]) -> None:
    from reports.models import MonthClose

    for month in months:
        if MonthClose.objects.is_closed(plan, month):
            raise MonthClosedError(month)


def _conflict(action: Action, month: Month) -> Conflict:
    latest = action.changes.select_related("changed_by").order_by("-changed_at", "-id").first()
    return Conflict(
        action=action,
        changed_by=latest.changed_by if latest else None,
        changed_at=latest.changed_at if latest else None,
        status=MonthlyStatus.objects.filter(action=action, month=month.first_day).first(),
    )


def _save_action(action: Action, *, before: dict, user, source: str) -> None:
    """Save a changed action: a new version (so an edit read before this one is refused) and
    its history."""
    action.version += 1
    action.updated_at = timezone.now()
    # Field rules only, as for a status: the changed fields are months and text, whose constraints
    # the database enforces; validating every constraint of the row costs a query each.
    action.full_clean(exclude=["plan", "measure", "leads"], validate_unique=False, validate_constraints=False)
    action.save()
    record_changes(
        action=action, before=before, after=snapshot(action, TRACKED_ACTION_FIELDS), user=user, source=source
    )


@transaction.atomic
def update_month(*, user, plan, month: Month, updates: list[ActionUpdate], source: str = "my-month") -> int:
    """Record an officer's monthly update of several actions in one transaction.

    Every action is locked and its version compared with the one the form was read at: if anyone
    saved it since, nothing at all is written and ``StaleUpdateError`` names them. Returns the
    number of actions written.
    """
    _check_open(plan, [month])
    ids = [u.action_id for u in updates]
    actions = {a.pk: a for a in Action.objects.select_for_update().filter(plan=plan, pk__in=ids)}
    if len(actions) != len(set(ids)):
        raise PermissionDenied("An action in the form is not in this plan.")
    if not user.has_perm(roles.UPDATE_ANY):
        led = set(Action.objects.filter(pk__in=ids).led_by(user).values_list("pk", flat=True))
        if not user.has_perm(roles.UPDATE_OWN) or led != set(ids):
            raise PermissionDenied("You may only update the actions you lead.")
    conflicts = [
        _conflict(actions[u.action_id], month) for u in updates if actions[u.action_id].version != u.version
    ]
    if conflicts:
        raise StaleUpdateError(conflicts)
    for update in updates:
        if update.status in NEEDS_APPROVAL:
            # Re-programming and suspension are requested and approved, never set directly.
            raise PermissionDenied("Re-programmed and suspended need an approved request.")
        action = actions[update.action_id]
        before = snapshot(action, TRACKED_ACTION_FIELDS)
        action.corrective_action = update.corrective_action
        if not action.reprogrammed:
            # An approved re-programme's date is the approver's; the lead cannot move it.
            action.revised_target = _month_day(update.revised_target)
        action.completed_month = _month_day(update.completed)
        _save_action(action, before=before, user=user, source=source)
        set_status(
            action=action,
            month=month,
            status=update.status,
            user=user,
            source=source,
            corrective_action=update.corrective_action,
            note=update.note,
        )
    return len(updates)


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
    if not user.has_perm(roles.UPDATE_ANY) and not action.leads.filter(user=user).exists():
        raise PermissionDenied("You may only request changes to the actions you lead.")
    if ChangeRequest.objects.filter(action=action, state=ChangeRequest.State.PENDING).exists():
        raise ValidationError("This action already has a request waiting for a decision.")
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
def decide_request(*, user, request: ChangeRequest, approve: bool, comment: str = "") -> ChangeRequest:
    """Approve or reject a request. An approved re-programme makes the action REPRO from the
    request's month until its new target, which becomes its revised target; an approved
    suspension makes it SUSP for the rest of the plan."""
    if not user.has_perm(roles.APPROVE_CHANGE):
        raise PermissionDenied("You may not approve re-programmes or suspensions.")
    request = ChangeRequest.objects.select_for_update().select_related("action__plan").get(pk=request.pk)
    if request.state != ChangeRequest.State.PENDING:
        raise ValidationError(f"This request was already {request.get_state_display().lower()}.")
    action = Action.objects.select_for_update().get(pk=request.action_id)
    plan = action.plan
    start = Month.from_date(request.month)
    if approve and request.kind == ChangeRequest.Kind.REPROGRAMME:
        new_target = Month.from_date(request.new_target)
        months = [m for m in plan.month_list if start <= m < new_target] or [start]
        status = Status.REPRO
    else:
        months = [m for m in plan.month_list if m >= start]
        status = Status.SUSP
    if approve:
        _check_open(plan, months)
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
    if not approve:
        return request
    before = snapshot(action, TRACKED_ACTION_FIELDS)
    if request.kind == ChangeRequest.Kind.REPROGRAMME:
        action.revised_target = request.new_target
        action.reprogrammed = True
    _save_action(action, before=before, user=user, source=ActionChange.Source.APPROVAL)
    for month in months:
        set_status(
            action=action,
            month=month,
            status=status,
            user=user,
            source=ActionChange.Source.APPROVAL,
            corrective_action=request.reason,
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
        return lead_address(self.lead) if self.lead else ""


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


def lead_address(lead) -> str:
    return lead.email or (lead.user.email if lead.user else "")


def send_reminders(*, plan, month: Month, my_month_url) -> tuple[list, list]:
    """Email each lead the list of their actions still without a status for ``month``, with a
    link to their "my actions" page (``my_month_url``). Returns (leads emailed, leads without an
    email address)."""
    from django.core.mail import send_mass_mail

    sent, unreachable, messages = [], [], []
    for group in outstanding_by_lead(plan=plan, month=month):
        if group.lead is None:
            continue
        address = lead_address(group.lead)
        if not address:
            unreachable.append(group.lead)
            continue
        lines = [f"- {a.ref or '(no ref)'} {a.description}" for a in group.actions]
        body = (
            f"Dear {group.lead.name or group.lead.initials},\n\n"
            f"{plan.title}: these actions you lead still have no status for {month.name}:\n\n"
            + "\n".join(lines)
            + f"\n\nPlease update them here: {my_month_url}\n\nThe performance team\n"
        )
        subject = f"{plan.title}: {len(group.actions)} action(s) to update for {month.name}"
        messages.append((subject, body, None, [address]))
        sent.append(group.lead)
    send_mass_mail(messages, fail_silently=False)
    return sent, unreachable
