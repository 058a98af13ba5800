"""The history of an action in plain English: one entry per save or decision.

``services`` writes a history row (``ActionChange``) per changed value, with the field's name and
the stored values ("status", "AMBER"). People read it as "Rebecca Dunne set the July 2009 status
to Amber (was Green) and wrote a corrective action": this module groups the rows of one save (the
same action, person and screen, written together) and words them with the field's label, the
plan's own status words and the person's name. The action page and the report's "changes since
the month was closed" both print these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from plans.models import ActionChange, MeasureChange
from plans.periods import Month, to_month
from plans.status import Status

# Rows of one save are written in one transaction, a few milliseconds apart at most.
SAME_SAVE = timedelta(seconds=2)


def display_name(user) -> str:
    """The name people know someone by: their full name, else the name of the lead they are,
    else their log-in name."""
    if user is None:
        return "Someone"
    name = user.get_full_name()
    if name:
        return name
    try:
        lead = user.lead
    except AttributeError:  # RelatedObjectDoesNotExist is one: the user leads nothing
        lead = None
    return (lead.name if lead is not None and lead.name else "") or user.get_username()


@dataclass(frozen=True)
class HistoryEntry:
    """One save or decision: who did what, when, from which screen, and the texts they wrote."""

    ref: str
    who: str
    at: datetime
    screen: str
    sentence: (
        str  # "Rebecca Dunne set the July 2009 status to Amber (was Green) and wrote a corrective action."
    )
    texts: tuple[tuple[str, str], ...] = ()  # ("Corrective action", the text written)


def action_history(
    changes: Iterable[ActionChange], word_for: Callable[[Status], str] | None = None
) -> list[HistoryEntry]:
    """Entries for ``changes`` (rows with ``action`` and ``changed_by`` selected), newest first.
    ``word_for`` is the plan's word for a status (``Plan.status_word``)."""
    word_for = word_for or (lambda status: Status(status).label)
    ordered = sorted(changes, key=lambda c: (c.action_id, c.changed_at, c.pk))
    groups: list[list[ActionChange]] = []
    for change in ordered:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and last.action_id == change.action_id
            and last.changed_by_id == change.changed_by_id
            and last.source == change.source
            and change.changed_at - last.changed_at <= SAME_SAVE
        ):
            groups[-1].append(change)
        else:
            groups.append([change])
    entries = [_entry(rows, word_for) for rows in groups]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def progress_history(changes: Iterable[MeasureChange]) -> list[HistoryEntry]:
    """A measure's progress-update writes, newest first: one entry each."""
    entries = []
    for change in changes:
        month = Month.from_date(change.month).name
        if not change.old_text:
            verb = f"wrote the {month} progress update"
        elif not change.new_text:
            verb = f"cleared the {month} progress update"
        else:
            verb = f"changed the {month} progress update"
        who = display_name(change.changed_by)
        entries.append(
            HistoryEntry(
                ref=change.measure.ref,
                who=who,
                at=change.changed_at,
                screen=change.get_source_display(),
                sentence=f"{who} {verb}.",
                texts=(("Progress update", change.new_text),) if change.new_text else (),
            )
        )
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _entry(rows: list[ActionChange], word_for) -> HistoryEntry:
    # One value per field and month: from what it was before the save to what it was after.
    values: dict[tuple[str, object], tuple[str, str]] = {}
    for row in rows:
        key = (row.field, row.month)
        old = values[key][0] if key in values else row.old_value
        values[key] = (old, row.new_value)
    phrases: list[str] = []
    texts: list[tuple[str, str]] = []
    decided = False
    for (field, month), (_, new) in values.items():
        if field == "request":
            phrase, text = _request(new, month)
            decided = decided or " approved" in new or " rejected" in new
            phrases.append(phrase)
            if text:
                texts.append(text)
    statuses = sorted(
        ((month, old, new) for (field, month), (old, new) in values.items() if field == "status"),
        key=lambda item: item[0],
    )
    for month, old, new in statuses:
        name = Month.from_date(month).name
        if not new:
            phrases.append(f"removed the {name} status (was {word_for(Status(old))})")
        elif not old:
            phrases.append(f"set the {name} status to {word_for(Status(new))}")
        else:
            phrases.append(f"set the {name} status to {word_for(Status(new))} (was {word_for(Status(old))})")
    for field, label, noun in (
        ("corrective_action", "Corrective action", "corrective action"),
        ("note", "Progress note", "progress note"),
    ):
        # A month's corrective action is kept on the status and on the action: one phrase for both,
        # in the month's words when the save wrote a status.
        found = [(month, old, new) for (name, month), (old, new) in values.items() if name == field]
        if not found:
            continue
        found.sort(key=lambda item: item[0] is None)
        _, old, new = found[0]
        if not new and not old:
            continue
        if not old:
            phrases.append(f"wrote a {noun}")
        elif not new:
            phrases.append(f"cleared the {noun}")
        else:
            phrases.append(f"changed the {noun}")
        if new:
            texts.append((label, new))
    for field, label in (
        ("revised_target", "revised date"),
        ("original_target", "original date"),
        ("completed_month", "completed month"),
    ):
        if (field, None) in values:
            phrases.append(_month_change(label, *values[(field, None)]))
    if ("reprogrammed", None) in values and not decided:
        now = values[("reprogrammed", None)][1] == "True"
        phrases.append("marked the action re-programmed" if now else "marked the action not re-programmed")
    if ("ref", None) in values:
        old, new = values[("ref", None)]
        phrases.append(f"changed the ref to \u201c{new}\u201d" + (f" (was \u201c{old}\u201d)" if old else ""))
    if ("description", None) in values:
        phrases.append("changed the description")
        texts.append(("Description", values[("description", None)][1]))
    for field, label in (
        ("target_date_text", "target date"),
        ("progress_measure", "progress measure"),
        ("progress_update", "update"),
    ):
        if (field, None) in values:
            phrases.append(f"changed the {label}")
            texts.append((label.capitalize(), values[(field, None)][1]))
    if ("leads", None) in values:
        old, new = values[("leads", None)]
        phrases.append(f"set the leads to {new or 'none'}" + (f" (was {old})" if old else ""))
    if ("planned", None) in values:
        new = values[("planned", None)][1]
        months = ", ".join(Month.parse(m.strip()).name for m in new.split(",") if m.strip())
        phrases.append(f"set the planned months to {months or 'none'}")
    if ("carried from", None) in values:
        phrases.append(f"carried the action from {values[('carried from', None)][1]}")
    known = {"request", "status", "word", "corrective_action", "note", "revised_target", "original_target"}
    known |= {"completed_month", "reprogrammed", "ref", "description", "leads", "planned", "carried from"}
    if any(field not in known for field, _ in values):
        phrases.append("changed other details of the action")
    first = rows[0]
    who = display_name(first.changed_by)
    return HistoryEntry(
        ref=first.action.ref,
        who=who,
        at=rows[-1].changed_at,
        screen=first.get_source_display(),
        sentence=f"{who} {_join(phrases or ['changed the action'])}.",
        texts=tuple(texts),
    )


def _request(new: str, month) -> tuple[str, tuple[str, str] | None]:
    """A request's row: "Re-programme requested: reason" or "Suspension approved: comment"."""
    head, _, text = new.partition(": ")
    when = f" from {Month.from_date(month).name}" if month else ""
    for state, verb in (("requested", "asked for"), ("approved", "approved"), ("rejected", "rejected")):
        if head.endswith(f" {state}"):
            kind = head[: -len(state) - 1].lower()
            article = "a" if state == "requested" else "the"
            label = "Reason" if state == "requested" else "Comment"
            return f"{verb} {article} {kind}{when}", ((label, text) if text else None)
    return f"recorded \u201c{head}\u201d", None


def _month_change(label: str, old: str, new: str) -> str:
    old_name, new_name = _month_name(old), _month_name(new)
    if not new_name:
        return f"cleared the {label} (was {old_name})"
    if not old_name:
        return f"set the {label} to {new_name}"
    return f"set the {label} to {new_name} (was {old_name})"


def _month_name(value: str) -> str:
    if not value:
        return ""
    try:
        return Month.parse(value).name
    except ValueError:
        month = to_month(value)
        return month.name if month else value


def _join(phrases: list[str]) -> str:
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]
