"""Saving a ``ParsedPlan``: a new plan, or a re-import into an existing one, in one transaction.

A re-import matches actions by priority, measure and ref (and by position among actions whose
refs repeat), changes what differs through ``plans.services`` so that it is in each action's
history, never deletes a status, and leaves in place what the workbook no longer lists. An
action's own fields change through ``services.update_action`` and statuses through
``services.set_statuses``, after the plan's lock is taken; a status in a closed month is never
added or changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

import audit
from audit.models import AuditEvent
from plans import services
from plans.models import (
    Action,
    ActionChange,
    Indicator,
    IndicatorActual,
    Lead,
    Measure,
    MonthClose,
    MonthlyStatus,
    Organisation,
    Plan,
    PlannedMonth,
    Priority,
    StatusTerm,
)
from plans.periods import Month
from plans.workbook.one_table import save_mapping
from plans.workbook.reader import (
    ACTIONS_SHEET,
    INDICATORS_SHEET,
    ParsedAction,
    ParsedIndicator,
    ParsedPlan,
    ParsedTerm,
    code_key,
    word_key,
)
from plans.workbook.safety import ErrorList, WorkbookInvalid


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

    def lines(self, *, done: bool = True) -> list[str]:
        """What the import did, or (``done=False``: a preview or a dry run, nothing saved) what it
        would do."""
        kinds = (
            ("priority", "priorities"),
            ("measure", "measures"),
            ("action", "actions"),
            ("status", "statuses"),
        )
        if any(counts.get(k) for counts in self._all() for k in INDICATOR_KINDS):
            kinds += (("indicator", "indicators"), ("actual", "actuals"))

        def part(counts):
            return ", ".join(
                f"{n} {one if n == 1 else many}" for one, many in kinds for n in [counts.get(many, 0)]
            )

        if done:
            verb = "Created" if self.created else "Updated"
            lines = [f"{verb} plan {self.plan.slug} ({self.plan.title})."]
            labels = ("Added", "Changed", "Left as they were", "Left in the plan though not in the workbook")
        else:
            verb = "create" if self.created else "update"
            lines = [f"Importing will {verb} plan {self.plan.slug} ({self.plan.title})."]
            labels = (
                "To add",
                "To change",
                "To leave as they are",
                "To leave in the plan though not in the workbook",
            )
        lines.append(f"{labels[0]}: {part(self.added)}.")
        if not self.created:
            lines.append(f"{labels[1]}: {part(self.changed)}.")
            lines.append(f"{labels[2]}: {part(self.unchanged)}.")
            lines.append(f"{labels[3]}: {part(self.kept)}.")
        return lines

    def _all(self) -> tuple[dict, ...]:
        return (self.added, self.changed, self.unchanged, self.kept)


# Counted only for a plan that has indicators, so that the lines of a plan without are as before.
INDICATOR_KINDS = ("indicators", "actuals")

# An action's fields that only a council's one-table layout holds.
LAYOUT_FIELDS = ("target_date_text", "progress_measure", "progress_update")

# Paths under /plans/ that a plan's slug would be shadowed by (plans/urls.py).
RESERVED_SLUGS = frozenset({"import", "leads"})


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
    from_command_line: bool = False,
    organisation: Organisation | None = None,
    column_mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Create a plan from ``parsed``, or update ``plan`` from it. All in one transaction.

    A re-import matches actions by priority, measure and ref (and by position among actions whose
    refs repeat), changes what differs through ``plans.services`` so that it is in each action's
    history, never deletes a status, and leaves in place what the workbook no longer lists. A
    status cell that would add or change a status in a closed month raises ``WorkbookInvalid``
    listing every such cell, and nothing is saved; so does an indicator's actual. Indicators are
    set up and their actuals entered through ``services.save_indicator`` and ``set_actuals``, which
    ask ``user`` for their permissions (the command line, ``from_command_line``, is not asked).
    With ``dry_run`` everything is done and then rolled back: the result says what would happen.
    ``column_mapping`` (a one-table plan's unknown column headings → what they hold) is kept for
    the plan's organisation, with the import (``one_table.save_mapping``)."""
    result = _import(
        parsed,
        plan=plan,
        slug=slug,
        user=user,
        from_command_line=from_command_line,
        organisation=organisation,
    )
    if column_mapping:
        save_mapping(organisation=result.plan.organisation, mapping=column_mapping, user=user)
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
            **({"columns": dict(column_mapping)} if column_mapping else {}),
        )
    return result


def _import(
    parsed: ParsedPlan,
    *,
    plan: Plan | None,
    slug: str,
    user,
    from_command_line: bool,
    organisation: Organisation | None,
) -> ImportResult:
    if plan is None:
        organisation = organisation or Organisation.objects.sole_or_new(parsed.organisation)
        if organisation is None:
            raise ImportRefused("Say which organisation the plan is for: this installation holds several.")
        slug = slug or plan_slug(parsed)
        if slug in RESERVED_SLUGS:
            raise ImportRefused(f"“{slug}” is a page of the site, not a name a plan can have.")
        if Plan.objects.filter(slug=slug).exists():
            raise ImportRefused(f"A plan with the slug “{slug}” already exists.")
        plan = Plan.objects.create(
            slug=slug,
            title=parsed.title,
            organisation=organisation,
            first_month=parsed.first_month.first_day,
            months=parsed.months,
            reporting_interval=parsed.reporting_interval,
        )
        result = ImportResult(plan=plan, created=True)
    else:
        # The plan's lock first, as every write to it takes it, and only then its months checked
        # (``_refuse_closed_months``): a month closed while this import waited is seen closed. They
        # are checked once the status words are saved, since a cell is compared by the word it
        # shows; a refusal rolls back all that came before it.
        plan = services.lock_plan(plan)
        if parsed.first_month != plan.start:
            raise ImportRefused(
                f"The workbook starts in {parsed.first_month.name}, the plan in {plan.start.name}."
            )
        result = ImportResult(plan=plan, created=False)
        # The workbook's "Organisation" cell is the council's name as written: it never moves a
        # plan to another organisation.
        plan.title = parsed.title
        plan.months = max(plan.months, parsed.months)
        plan.save(update_fields=["title", "months"])
    _save_terms(plan, parsed.terms)
    priorities = _save_priorities(plan, parsed, result)
    measures = _save_measures(priorities, parsed, result)
    _save_actions(plan, measures, parsed, result, user)
    _save_indicators(plan, priorities, measures, parsed, result, user, from_command_line)
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
        if item.section is not None:
            values["section"] = item.section
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


def _leads(initials: list[str], cache: dict[str, Lead], organisation: Organisation) -> list[Lead]:
    leads = []
    for code in initials:
        if code not in cache:
            cache[code], _ = Lead.objects.get_or_create(organisation=organisation, initials=code)
        leads.append(cache[code])
    return leads


def _match(plan: Plan, parsed: ParsedPlan) -> tuple[list[tuple[ParsedAction, Action | None]], list[Action]]:
    """Each of the workbook's actions with the plan's action it updates (None for a new one), and
    the plan's actions the workbook no longer lists. Refs repeat in real plans ("4.1.3" twice), so
    among actions with the same priority, measure and ref the n-th in the workbook is the n-th in
    the plan."""
    existing: dict[tuple, list[Action]] = defaultdict(list)
    for action in Action.objects.filter(plan=plan).in_plan_order().with_grid():
        existing[_action_key(action.measure.priority.code, action.measure.ref, action.ref)].append(action)
    seen: dict[tuple, int] = defaultdict(int)
    pairs = []
    for item in parsed.actions:
        key = _action_key(item.priority, item.measure, item.ref)
        candidates = existing.get(key, [])
        pairs.append((item, candidates[seen[key]] if seen[key] < len(candidates) else None))
        seen[key] += 1
    matched = {action.pk for _, action in pairs if action is not None}
    left = [action for group in existing.values() for action in group if action.pk not in matched]
    return pairs, left


def _status_writes(plan: Plan, action: Action, item: ParsedAction) -> list[services.StatusWrite]:
    """The workbook's statuses of a matched action that differ from those recorded; a blank cell
    never removes a status.

    A status is the same when it shows the same word: a record without a word of its own shows
    the plan's word for its status, which is what the export wrote."""
    recorded = {record.as_month: record for record in action.statuses.all()}
    writes = []
    for month, cell in item.statuses.items():
        record = recorded.get(month)
        plain = plan.status_word(cell.status)
        if (
            record is not None
            and record.status == cell.status
            and (record.word or plain) == (cell.word or plain)
        ):
            continue
        writes.append(
            services.StatusWrite(
                action=action,
                month=month,
                status=cell.status,
                word=cell.word,
                # What the officer wrote that month is not in the workbook's grid: keep it.
                corrective_action=record.corrective_action if record else "",
                note=record.note if record else "",
            )
        )
    return writes


def _refuse_closed_months(plan: Plan, parsed: ParsedPlan, touched: list[tuple[ParsedAction, Month]]) -> None:
    """A re-import that would add or change a status in a closed month fails as a whole, each such
    cell listed: the published report is what Cabinet saw. So does one in a month the plan does
    not report on (every second month at Rotherham)."""
    closed = MonthClose.objects.closed_months(plan)
    reporting = set(plan.reporting_month_list)
    errors = ErrorList()
    for item, month in touched:
        if month in closed:
            message = f"{month.name} is closed (published); its statuses cannot be changed by an import."
        elif month not in reporting:
            message = f"{month.name} is not a reporting month of this plan; leave the cell blank."
        else:
            continue
        errors.add(message, ACTIONS_SHEET, item.row, parsed.month_columns.get(month, ""))
    if errors:
        raise WorkbookInvalid(errors)


def _save_actions(plan: Plan, measures: dict, parsed: ParsedPlan, result: ImportResult, user) -> None:
    """Actions in bulk: a fixed number of queries however long the plan, plus a few for each
    action whose fields, statuses, leads or planned months changed."""
    plan._terms_cache = list(plan.status_terms.all())  # status_word() for every status, one query
    pairs, left = _match(plan, parsed)
    writes = {action.pk: _status_writes(plan, action, item) for item, action in pairs if action is not None}
    if not result.created:
        _refuse_closed_months(
            plan,
            parsed,
            [(item, write.month) for item, action in pairs if action for write in writes[action.pk]]
            + [(item, month) for item, action in pairs if action is None for month in item.statuses],
        )
    old_positions = {action.pk: action.position for _, action in pairs if action} | {
        action.pk: action.position for action in left
    }
    lead_cache = {lead.initials: lead for lead in plan.organisation.leads.all()}
    matched: list[Action] = []
    created: list[tuple[Action, ParsedAction, list[Lead]]] = []
    for position, (item, action) in enumerate(pairs, start=1):
        values = {
            "ref": item.ref,
            "description": item.description,
            "original_target": item.original_target.first_day if item.original_target else None,
            "revised_target": item.revised_target.first_day if item.revised_target else None,
            "corrective_action": item.corrective_action,
        }
        # Only a layout that has them says them (plans.workbook.one_table); else left as they are.
        values.update(
            (name, getattr(item, name)) for name in LAYOUT_FIELDS if getattr(item, name) is not None
        )
        leads = _leads(item.leads, lead_cache, plan.organisation)
        if action is None:
            measure = measures[(code_key(item.priority), code_key(item.measure))]
            created.append((Action(plan=plan, measure=measure, position=position, **values), item, leads))
            _count(result, "actions", True, False)
            continue
        # Saved at its old position; positions move together below.
        changed = _update_action(action, values, leads, item.planned, user)
        action.position = position
        _count(result, "actions", False, changed or bool(writes[action.pk]))
        _count_statuses(result, action, item, writes[action.pk])
        matched.append(action)
    services.set_statuses(
        plan=plan,
        writes=[write for action_writes in writes.values() for write in action_writes],
        user=user,
        source=ActionChange.Source.IMPORT,
    )
    for offset, action in enumerate(left, start=len(parsed.actions) + 1):
        action.position = offset
    moved = [a for a in [*matched, *left] if a.position != old_positions[a.pk]]
    # Positions are unique in a plan: those that move are first put out of the way.
    Action.objects.filter(pk__in=[a.pk for a in moved]).update(position=F("position") + 1_000_000)
    Action.objects.bulk_update(moved, ["position"], batch_size=500)
    result.kept["actions"] += len(left)
    _create_actions(created, user, result)


def _count_statuses(result: ImportResult, action: Action, item: ParsedAction, writes) -> None:
    recorded = {record.as_month for record in action.statuses.all()}
    added = sum(1 for write in writes if write.month not in recorded)
    result.added["statuses"] += added
    result.changed["statuses"] += len(writes) - added
    result.unchanged["statuses"] += len(item.statuses) - len(writes)
    result.kept["statuses"] += len(recorded - set(item.statuses))


def _create_actions(
    created: list[tuple[Action, ParsedAction, list[Lead]]], user, result: ImportResult
) -> None:
    """New actions with their leads, planned months and statuses, each status with its history row.

    In bulk, not through ``services.set_statuses``: the months were checked open and reported
    (``_refuse_closed_months``) under the plan's lock, and a new plan of 3,000 actions would
    otherwise take two queries a status."""
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


def _update_action(action: Action, values: dict, leads: list[Lead], planned: list[Month], user) -> bool:
    """Set the workbook's values on a matched action: its own fields through
    ``services.update_action`` (compared, version bumped, history written), its leads and
    planned months by ``_replace_leads_and_planned``. Whether anything changed."""
    related = _replace_leads_and_planned(action, leads, planned, user)
    # A new lead or planned month is a change to the action too: a form read before it is stale.
    changes = services.update_action(
        action=action, user=user, source=ActionChange.Source.IMPORT, always_bump=bool(related), **values
    )
    return bool(changes or related)


def _replace_leads_and_planned(action: Action, leads: list[Lead], planned: list[Month], user) -> list:
    """Leads and planned months are rows of their own, not fields of the action: replaced when
    they differ, each change written to the action's history like its fields'."""
    before = {
        "leads": Lead.joined(sorted(lead.initials for lead in action.leads.all())),
        "planned": ", ".join(str(m) for m in action.planned_month_list),
    }
    after = {
        "leads": Lead.joined(sorted(lead.initials for lead in leads)),
        "planned": ", ".join(str(m) for m in planned),
    }
    if before["leads"] != after["leads"]:
        # One by one, so that the links are made in the order the plan writes the leads
        # (``Lead.objects.as_written``); ``set`` would add them in the order of their ids.
        action.leads.clear()
        for lead in leads:
            action.leads.add(lead)
    if before["planned"] != after["planned"]:
        PlannedMonth.objects.filter(action=action).delete()
        PlannedMonth.objects.bulk_create(PlannedMonth(action=action, month=m.first_day) for m in planned)
    return services.record_changes(
        action=action, before=before, after=after, user=user, source=ActionChange.Source.IMPORT
    )


# --- Indicators ------------------------------------------------------------------------------------
@dataclass
class _IndicatorRow:
    """A row of the Indicators sheet matched to the plan's indicator (None: a new one), what it
    defines and the actuals it writes: (month, value, the stored actual it changes or None)."""

    item: ParsedIndicator
    indicator: Indicator | None
    definition: services.IndicatorDefinition
    changed: bool = False  # new, or its definition differs from the stored one
    writes: list[tuple[Month, Decimal, IndicatorActual | None]] = field(default_factory=list)


def _save_indicators(
    plan: Plan,
    priorities: dict[str, Priority],
    measures: dict,
    parsed: ParsedPlan,
    result: ImportResult,
    user,
    from_command_line: bool,
) -> None:
    """The Indicators sheet through the services: each indicator that is new or differs by
    ``services.save_indicator``, then every new or changed actual in one ``services.set_actuals``.

    Matched by ref (ignoring case and spacing). As for statuses, a blank cell never removes an
    actual, an actual's note (entered on the month page) is kept, and the indicators the sheet no
    longer lists are left in place. Every refusal (a closed month's actual, a month the indicator
    is not collected in, n/a in a month that has an actual) is listed by cell before anything is
    written here; the transaction rolls back what the import wrote before."""
    existing = {code_key(i.code): i for i in Indicator.objects.filter(plan=plan).with_figures()}
    if not parsed.indicators:
        if existing:
            result.kept["indicators"] += len(existing)
        return
    closed = MonthClose.objects.closed_months(plan)
    lead_cache = {lead.initials: lead for lead in plan.organisation.leads.all()}
    reporting = plan.reporting_month_list
    positions: dict[str, int] = defaultdict(int)
    errors = ErrorList()
    rows = []
    for item in parsed.indicators:
        key = code_key(item.priority)
        measure = measures[(key, code_key(item.measure))] if item.measure else None
        definition = services.IndicatorDefinition(
            code=item.code, title=item.title, priority=priorities[key], measure=measure, unit=item.unit,
            polarity=item.polarity, target=item.target, tolerance=item.tolerance,
            lead=_leads([item.lead], lead_cache, plan.organisation)[0] if item.lead else None,
            months=tuple(m for m in reporting if m not in item.not_collected) if item.not_collected else (),
            position=positions[key],
        )  # fmt: skip
        positions[key] += 1
        row = _IndicatorRow(item, existing.pop(code_key(item.code), None), definition)
        row.changed = row.indicator is None or _differs(row.indicator, definition)
        count = len(errors)
        _check_actuals(row, set(definition.months or reporting), closed, parsed, errors)
        # An indicator the workbook leaves as it is has nothing to check (nor a query to spend on it).
        if row.changed and len(errors) == count:
            try:
                services.check_indicator(plan=plan, definition=definition, indicator=row.indicator)
            except ValidationError as refused:
                errors.add(" ".join(refused.messages), INDICATORS_SHEET, item.row)
        rows.append(row)
    if errors:
        raise WorkbookInvalid(errors)
    if existing:
        result.kept["indicators"] += len(existing)
    writes = []
    for row in rows:
        _count(result, "indicators", row.indicator is None, row.changed)
        if row.changed:
            row.indicator = services.save_indicator(
                user=user, plan=plan, definition=row.definition, indicator=row.indicator,
                source=ActionChange.Source.IMPORT, from_command_line=from_command_line,
            )  # fmt: skip
        for month, value, stored in row.writes:
            _count(result, "actuals", stored is None, True)
            # The lead's note is not in the workbook: keep it.
            writes.append(services.ActualWrite(row.indicator, month, value, stored.note if stored else ""))
        if unchanged := len(row.item.actuals) - len(row.writes):
            result.unchanged["actuals"] += unchanged
    if writes:
        services.set_actuals(
            user=user, plan=plan, writes=writes, source=ActionChange.Source.IMPORT,
            from_command_line=from_command_line,
        )  # fmt: skip


def _check_actuals(row: _IndicatorRow, collected: set[Month], closed: set[Month], parsed: ParsedPlan,
                   errors: ErrorList) -> None:  # fmt: skip
    """The actuals the row would write (new or changed), each cell that cannot be written listed."""
    item = row.item
    stored = {actual.as_month: actual for actual in row.indicator.actuals.all()} if row.indicator else {}

    def refuse(month: Month, message: str) -> None:
        errors.add(message, INDICATORS_SHEET, item.row, parsed.indicator_columns.get(month, ""))

    for month in item.not_collected:
        if month in stored:
            refuse(month, f"{item.code} has an actual for {month.name} ({row.indicator.text(stored[month].value)}), "
                          "so it is collected in that month: give the actual, not n/a.")  # fmt: skip
    for month, value in item.actuals.items():
        actual = stored.get(month)
        if actual is not None and actual.value == value:
            continue
        if month in closed:
            refuse(month, f"{month.name} is closed (published); its actuals cannot be changed by an import.")
        elif month not in collected:
            refuse(month, f"{month.name} is not a reporting month of this plan; leave the cell blank.")
        else:
            row.writes.append((month, value, actual))


def _differs(indicator: Indicator, definition: services.IndicatorDefinition) -> bool:
    """Whether the workbook's definition changes the stored indicator (or only moves it)."""
    d = definition
    stored_months = {Month.from_date(row.month) for row in indicator.collected.all()}
    return (
        (indicator.code, indicator.title, indicator.unit, indicator.polarity, indicator.lead_id)
        != (d.code.strip(), d.title.strip(), d.unit, d.polarity, d.lead.pk if d.lead else None)
        or (indicator.priority_id, indicator.measure_id, indicator.position)
        != (d.priority.pk, d.measure.pk if d.measure else None, d.position)
        or indicator.target != d.target
        or indicator.tolerance != d.tolerance
        or stored_months != set(d.months)
    )
