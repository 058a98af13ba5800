"""Saving a ``ParsedPlan``: a new plan, or a re-import into an existing one, in one transaction.

A re-import matches actions by priority, measure and ref (and by position among actions whose
refs repeat), changes what differs through ``plans.services`` so that it is in each action's
history, never deletes a status, and leaves in place what the workbook no longer lists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

import audit
from audit.models import AuditEvent
from plans import services
from plans.models import (
    Action,
    ActionChange,
    Lead,
    Measure,
    MonthlyStatus,
    Plan,
    PlannedMonth,
    Priority,
    StatusTerm,
)
from plans.periods import Month
from plans.workbook.reader import ParsedAction, ParsedPlan, ParsedTerm, code_key, word_key


# --- Saving -------------------------------------------------------------------------------------
@dataclass
class ImportResult:
    """What an import did, for the command's output and the page's message."""

    plan: Plan
    created: bool
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    changed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    kept: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def lines(self) -> list[str]:
        kinds = ("priorities", "measures", "actions", "statuses")

        def part(counts):
            return ", ".join(f"{counts.get(k, 0)} {k}" for k in kinds)

        verb = "Created" if self.created else "Updated"
        lines = [f"{verb} plan {self.plan.slug} ({self.plan.title})."]
        lines.append(f"Added: {part(self.added)}.")
        if not self.created:
            lines.append(f"Changed: {part(self.changed)}.")
            lines.append(f"Left as they were: {part(self.unchanged)}.")
            lines.append(f"Left in the plan though not in the workbook: {part(self.kept)}.")
        return lines


# Paths under /plans/ that a plan's slug would be shadowed by (plans/urls.py).
RESERVED_SLUGS = frozenset({"import"})


class ImportRefused(Exception):
    """The workbook is fine but cannot go where it was asked to (e.g. its slug is taken)."""


def plan_slug(parsed: ParsedPlan) -> str:
    return slugify(parsed.title)[:80] or "plan"


@transaction.atomic
def import_plan(
    parsed: ParsedPlan,
    *,
    plan: Plan | None = None,
    slug: str = "",
    user=None,
    dry_run: bool = False,
    filename: str = "",
) -> ImportResult:
    """Create a plan from ``parsed``, or update ``plan`` from it. All in one transaction.

    A re-import matches actions by priority, measure and ref (and by position among actions whose
    refs repeat), changes what differs through ``plans.services`` so that it is in each action's
    history, never deletes a status, and leaves in place what the workbook no longer lists.
    With ``dry_run`` everything is done and then rolled back: the result says what would happen."""
    result = _import(parsed, plan=plan, slug=slug, user=user)
    if dry_run:
        transaction.set_rollback(True)
    else:
        audit.record(
            AuditEvent.Kind.IMPORT,
            user=user,
            plan=result.plan,
            filename=filename[:200],
            created=result.created,
            added=dict(result.added),
            changed=dict(result.changed),
        )
    return result


def _import(parsed: ParsedPlan, *, plan: Plan | None, slug: str, user) -> ImportResult:
    if plan is None:
        slug = slug or plan_slug(parsed)
        if slug in RESERVED_SLUGS:
            raise ImportRefused(f"“{slug}” is a page of the site, not a name a plan can have.")
        if Plan.objects.filter(slug=slug).exists():
            raise ImportRefused(f"A plan with the slug “{slug}” already exists.")
        plan = Plan.objects.create(
            slug=slug,
            title=parsed.title,
            organisation=parsed.organisation,
            first_month=parsed.first_month.first_day,
            months=parsed.months,
        )
        result = ImportResult(plan=plan, created=True)
    else:
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if parsed.first_month != plan.start:
            raise ImportRefused(
                f"The workbook starts in {parsed.first_month.name}, the plan in {plan.start.name}."
            )
        result = ImportResult(plan=plan, created=False)
        plan.title, plan.organisation = parsed.title, parsed.organisation or plan.organisation
        plan.months = max(plan.months, parsed.months)
        plan.save(update_fields=["title", "organisation", "months"])
    _save_terms(plan, parsed.terms)
    priorities = _save_priorities(plan, parsed, result)
    measures = _save_measures(priorities, parsed, result)
    _save_actions(plan, measures, parsed, result, user)
    return result


def _save_terms(plan: Plan, terms: list[ParsedTerm]) -> None:
    existing = {word_key(t.word): t for t in plan.status_terms.all()}
    for term in terms:
        if term.is_default:
            plan.status_terms.filter(status=term.status, is_default=True).exclude(word=term.word).update(
                is_default=False
            )
        current = existing.get(word_key(term.word))
        if current is None:
            StatusTerm.objects.create(
                plan=plan, word=term.word, status=term.status, is_default=term.is_default
            )
        elif (current.status, current.is_default) != (term.status, term.is_default):
            current.status, current.is_default = term.status, term.is_default
            current.save(update_fields=["status", "is_default"])


def _count(result: ImportResult, kind: str, created: bool, changed: bool) -> None:
    if created:
        result.added[kind] += 1
    elif changed:
        result.changed[kind] += 1
    else:
        result.unchanged[kind] += 1


def _save_priorities(plan: Plan, parsed: ParsedPlan, result: ImportResult) -> dict[str, Priority]:
    existing = {code_key(p.code): p for p in plan.priorities.all()}
    saved = {}
    for position, item in enumerate(parsed.priorities):
        priority = existing.pop(code_key(item.code), None)
        values = {"code": item.code, "title": item.title, "expected_outcome": item.expected_outcome,
                  "position": position}  # fmt: skip
        if priority is None:
            priority = Priority.objects.create(plan=plan, **values)
            _count(result, "priorities", True, False)
        else:
            changed = any(getattr(priority, k) != v for k, v in values.items() if k != "position")
            if changed or priority.position != position:
                for k, v in values.items():
                    setattr(priority, k, v)
                priority.save()
            _count(result, "priorities", False, changed)
        saved[code_key(item.code)] = priority
    result.kept["priorities"] += len(existing)
    # Priorities the workbook no longer lists keep their place after those it does.
    for offset, priority in enumerate(existing.values(), start=len(parsed.priorities)):
        Priority.objects.filter(pk=priority.pk).update(position=offset)
    return saved


def _save_measures(priorities: dict[str, Priority], parsed: ParsedPlan, result: ImportResult) -> dict:
    existing = {
        (code_key(m.priority.code), code_key(m.ref)): m
        for m in Measure.objects.filter(priority__in=priorities.values()).select_related("priority")
    }
    saved = {}
    positions: dict[str, int] = defaultdict(int)
    fields = ("ref", "title", "actions_required", "timescales", "lead", "resources")
    for item in parsed.measures:
        key = (code_key(item.priority), code_key(item.ref))
        values = {name: getattr(item, name) for name in fields}
        values["position"] = positions[key[0]]
        positions[key[0]] += 1
        measure = existing.pop(key, None)
        if measure is None:
            measure = Measure.objects.create(priority=priorities[key[0]], **values)
            _count(result, "measures", True, False)
        else:
            changed = any(getattr(measure, name) != values[name] for name in fields)
            if changed or measure.position != values["position"]:
                for k, v in values.items():
                    setattr(measure, k, v)
                measure.save()
            _count(result, "measures", False, changed)
        saved[key] = measure
    result.kept["measures"] += len(existing)
    return saved


def _action_key(priority: str, measure: str, ref: str) -> tuple[str, str, str]:
    return (code_key(priority), code_key(measure), code_key(ref))


def _leads(initials: list[str], cache: dict[str, Lead]) -> list[Lead]:
    leads = []
    for code in initials:
        if code not in cache:
            cache[code], _ = Lead.objects.get_or_create(initials=code)
        leads.append(cache[code])
    return leads


ACTION_FIELDS = ("ref", "description", "original_target", "revised_target", "corrective_action")


def _save_actions(plan: Plan, measures: dict, parsed: ParsedPlan, result: ImportResult, user) -> None:
    """Actions in bulk: a fixed number of queries however long the plan, plus a few for each
    action whose status, leads or planned months changed."""
    existing: dict[tuple, list[Action]] = defaultdict(list)
    for action in Action.objects.filter(plan=plan).in_plan_order().with_grid():
        existing[_action_key(action.measure.priority.code, action.measure.ref, action.ref)].append(action)
    old_positions = {a.pk: a.position for group in existing.values() for a in group}
    plan._terms_cache = list(plan.status_terms.all())  # status_word() for every status, one query
    lead_cache = {lead.initials: lead for lead in Lead.objects.all()}
    seen: dict[tuple, int] = defaultdict(int)
    matched: list[Action] = []
    edited: list[Action] = []
    created: list[tuple[Action, ParsedAction, list[Lead]]] = []
    for position, item in enumerate(parsed.actions, start=1):
        key = _action_key(item.priority, item.measure, item.ref)
        occurrence = seen[key]
        seen[key] += 1
        candidates = existing.get(key, [])
        measure = measures[(code_key(item.priority), code_key(item.measure))]
        values = {
            "ref": item.ref,
            "description": item.description,
            "original_target": item.original_target.first_day if item.original_target else None,
            "revised_target": item.revised_target.first_day if item.revised_target else None,
            "corrective_action": item.corrective_action,
        }
        leads = _leads(item.leads, lead_cache)
        if occurrence < len(candidates):
            action = candidates[occurrence]
            changes = _update_action(action, item, values, leads, user)
            action.position = position
            changed = _update_statuses(plan, action, item, user, result)
            matched.append(action)
            if changes:
                edited.append(action)
            _count(result, "actions", False, bool(changes) or changed)
        else:
            created.append((Action(plan=plan, measure=measure, position=position, **values), item, leads))
            _count(result, "actions", True, False)
    matched_ids = {a.pk for a in matched}
    left = [a for group in existing.values() for a in group if a.pk not in matched_ids]
    for offset, action in enumerate(left, start=len(parsed.actions) + 1):
        action.position = offset
    Action.objects.bulk_update(edited, ["version", *ACTION_FIELDS], batch_size=200)
    moved = [a for a in [*matched, *left] if a.position != old_positions[a.pk]]
    # Positions are unique in a plan: those that move are first put out of the way.
    Action.objects.filter(pk__in=[a.pk for a in moved]).update(position=F("position") + 1_000_000)
    Action.objects.bulk_update(moved, ["position"], batch_size=500)
    result.kept["actions"] += len(left)
    _create_actions(created, user, result)


def _create_actions(
    created: list[tuple[Action, ParsedAction, list[Lead]]], user, result: ImportResult
) -> None:
    """New actions with their leads, planned months and statuses, each status with its history row."""
    Action.objects.bulk_create([action for action, _, _ in created], batch_size=500)
    Through = Action.leads.through
    Through.objects.bulk_create(
        [Through(action_id=action.pk, lead_id=lead.pk) for action, _, leads in created for lead in leads],
        batch_size=1000,
    )
    PlannedMonth.objects.bulk_create(
        [PlannedMonth(action=action, month=m.first_day) for action, item, _ in created for m in item.planned],
        batch_size=1000,
    )
    statuses = [
        MonthlyStatus(action=action, month=month.first_day, status=cell.status, word=cell.word, set_by=user)
        for action, item, _ in created
        for month, cell in item.statuses.items()
    ]
    MonthlyStatus.objects.bulk_create(statuses, batch_size=1000)
    ActionChange.objects.bulk_create(
        [
            ActionChange(
                action=s.action,
                month=s.month,
                field="status",
                new_value=s.status,
                changed_by=user,
                source=ActionChange.Source.IMPORT,
            )  # fmt: skip
            for s in statuses
        ],
        batch_size=1000,
    )
    result.added["statuses"] += len(statuses)


def _update_action(action: Action, item: ParsedAction, values: dict, leads, user) -> list[ActionChange]:
    """Set the workbook's values on a matched action (saved in bulk by the caller), recording in its
    history what changed."""
    before = services.snapshot(action, values)
    before["leads"] = " /".join(sorted(lead.initials for lead in action.leads.all()))
    before["planned"] = ", ".join(str(m) for m in action.planned_month_list)
    for name, value in values.items():
        setattr(action, name, value)
    after = services.snapshot(action, values)
    after["leads"] = " /".join(sorted(lead.initials for lead in leads))
    after["planned"] = ", ".join(str(m) for m in item.planned)
    # One insert for an action that changed, none for one that did not.
    changes = services.record_changes(
        action=action, before=before, after=after, user=user, source=ActionChange.Source.IMPORT
    )
    if changes:
        action.version += 1
    if before["leads"] != after["leads"]:
        action.leads.set(leads)
    if before["planned"] != after["planned"]:
        PlannedMonth.objects.filter(action=action).delete()
        PlannedMonth.objects.bulk_create(PlannedMonth(action=action, month=m.first_day) for m in item.planned)
    return changes


def _update_statuses(plan: Plan, action: Action, item: ParsedAction, user, result: ImportResult) -> bool:
    """Set each status the workbook gives that differs; a blank cell never removes a status.

    A status is the same when it shows the same word: a record without a word of its own shows
    the plan's word for its status, which is what the export wrote."""
    current = {Month.from_date(s.month): s for s in action.statuses.all()}
    changed = False
    for month, cell in item.statuses.items():
        record = current.get(month)
        if (
            record is not None
            and record.status == cell.status
            and (record.word or plan.status_word(cell.status)) == (cell.word or plan.status_word(cell.status))
        ):
            result.unchanged["statuses"] += 1
            continue
        services.set_status(
            action=action,
            month=month,
            status=cell.status,
            word=cell.word,
            user=user,
            source=ActionChange.Source.IMPORT,
            # What the officer wrote that month is not in the workbook's grid: keep it.
            corrective_action=record.corrective_action if record else "",
            note=record.note if record else "",
        )
        if record is None:
            result.added["statuses"] += 1
        else:
            result.changed["statuses"] += 1
        changed = True
    result.kept["statuses"] += len(set(current) - set(item.statuses))
    return changed
