"""Every write to a plan goes through here, so that each one keeps its history.

Views, management commands, the importer and the admin all call these functions. Each runs in
one transaction and writes its ``ActionChange`` rows in that same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from plans.models import Action, ActionChange, MonthlyStatus
from reports.periods import Month
from reports.status import Status

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
    record.full_clean(exclude=["action"])
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
