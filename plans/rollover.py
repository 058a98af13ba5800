"""The yearly roll-over: a plan year carried into the next, its actions and codes mapped explicitly.

Codes are not stable across years (CP3 is Housing in 2007/08 and Sense of Community in 2009/10;
PR3 a spatial project one year and the joint chief executive with Redditch the next), so nothing is
matched by code: each priority of the old year is given the code and title it has in the new one
(renamed, merged into another code, or dropped), and each carried action keeps a link to the action
it came from. ``preview_roll_over`` says what would happen and saves nothing; ``roll_over`` does it
in one transaction, under the old plan's lock, with its history and an audit record.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify

import audit
from plans import roles
from plans.models import (
    Action,
    ActionChange,
    Lead,
    Measure,
    Plan,
    PlannedMonth,
    Priority,
    StatusTerm,
)
from plans.periods import Month, month_range, plan_year_label, to_month
from plans.services import lock_plan

TITLE_MAX = Plan._meta.get_field("title").max_length
SLUG_MAX = Plan._meta.get_field("slug").max_length
CODE_MAX = Priority._meta.get_field("code").max_length
PRIORITY_TITLE_MAX = Priority._meta.get_field("title").max_length


class RollOverError(Exception):
    """The roll-over cannot be done as asked; the messages say why, for the user."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def code_key(code: str) -> str:
    """Codes compare ignoring case and spaces: "HR & OD1" is "hr&od1"."""
    return re.sub(r"\s+", "", code or "").casefold()


@dataclass(frozen=True)
class CodeMapping:
    """What an old priority code becomes in the new year: ``new_code`` blank drops it."""

    old_code: str
    new_code: str
    new_title: str = ""

    @property
    def dropped(self) -> bool:
        return not self.new_code.strip()


@dataclass(frozen=True)
class CodeRow:
    """One line of the preview's code table."""

    old_code: str
    old_title: str
    new_code: str
    new_title: str
    carried: int

    @property
    def dropped(self) -> bool:
        return not self.new_code

    @property
    def renamed(self) -> bool:
        return bool(self.new_code) and (code_key(self.new_code) != code_key(self.old_code))


@dataclass(frozen=True)
class CarriedAction:
    action: Action
    new_code: str
    planned: Month | None  # the month it is planned in the new year, if its target falls there


@dataclass(frozen=True)
class RollOverPlan:
    """What a roll-over would do: checked, but nothing saved."""

    plan: Plan
    first_month: Month
    slug: str
    title: str
    codes: tuple[CodeRow, ...]
    carried: tuple[CarriedAction, ...]
    left: tuple[Action, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def last_month(self) -> Month:
        return self.first_month + (self.plan.months - 1)

    @property
    def year_label(self) -> str:
        return plan_year_label(self.first_month, self.plan.months)

    @property
    def ok(self) -> bool:
        return not self.problems


def default_first_month(plan: Plan) -> Month:
    return plan.end + 1


def default_title(plan: Plan, first: Month) -> str:
    """The old title with its year label moved on ("Improvement Plan 2009/10" -> "... 2010/11")."""
    old, new = plan.year_label, plan_year_label(first, plan.months)
    if old in plan.title:
        return plan.title.replace(old, new)
    return f"{plan.title} {new}"[:TITLE_MAX]


def default_slug(plan: Plan, first: Month) -> str:
    old, new = (
        slugify(plan.year_label.replace("/", "-")),
        slugify(plan_year_label(first, plan.months).replace("/", "-")),
    )
    if old and old in plan.slug:
        return plan.slug.replace(old, new)
    return slugify(f"{plan.slug}-{new}")[:SLUG_MAX]


def read_codes_csv(text: str) -> list[CodeMapping]:
    """``old_code,new_code,new_title`` rows (the command's ``--codes FILE.csv``)."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip().lower() for f in reader.fieldnames][:3] != [
        "old_code",
        "new_code",
        "new_title",
    ]:
        raise RollOverError(["The codes file must have the header old_code,new_code,new_title."])
    return [
        CodeMapping(
            (row.get("old_code") or "").strip(),
            (row.get("new_code") or "").strip(),
            (row.get("new_title") or "").strip(),
        )
        for row in reader
        if any((value or "").strip() for value in row.values())
    ]


def _target(action: Action) -> Month | None:
    return to_month(action.revised_target) or to_month(action.original_target)


def preview_roll_over(
    *,
    plan: Plan,
    first_month: Month,
    slug: str,
    title: str,
    codes: list[CodeMapping] | None = None,
) -> RollOverPlan:
    """Everything the roll-over would do, and every problem with it. Queries: the priorities,
    the actions with their measure and leads (3), whether the slug is taken (1)."""
    problems: list[str] = []
    slug = slugify(slug or "")
    title = (title or "").strip()
    if not title:
        problems.append("Give the new plan year a title.")
    elif len(title) > TITLE_MAX:
        problems.append(f"The title must be at most {TITLE_MAX} characters.")
    if not slug:
        problems.append("Give the new plan year a web address name (letters, numbers and hyphens).")
    elif len(slug) > SLUG_MAX:
        problems.append(f"The web address name must be at most {SLUG_MAX} characters.")
    elif Plan.objects.filter(slug=slug).exists():
        problems.append(f"There is already a plan called {slug!r}: choose another web address name.")
    if first_month <= plan.end:
        problems.append(
            f"The new year must begin after {plan.title} ends ({plan.end.name}); {first_month.name} overlaps it."
        )

    priorities = list(Priority.objects.filter(plan=plan).order_by("position", "id"))
    by_key = {code_key(p.code): p for p in priorities}
    mapping = {code_key(p.code): CodeMapping(p.code, p.code, p.title) for p in priorities}
    for given in codes or []:
        key = code_key(given.old_code)
        if key not in by_key:
            problems.append(f"{plan.title} has no priority {given.old_code!r}.")
            continue
        new_code = given.new_code.strip()
        if len(new_code) > CODE_MAX:
            problems.append(f"{given.old_code}: the new code must be at most {CODE_MAX} characters.")
        new_title = given.new_title.strip() or (by_key[key].title if code_key(new_code) == key else "")
        if len(new_title) > PRIORITY_TITLE_MAX:
            problems.append(
                f"{given.old_code}: the new title must be at most {PRIORITY_TITLE_MAX} characters."
            )
        mapping[key] = CodeMapping(by_key[key].code, new_code, new_title)

    actions = list(
        Action.objects.filter(plan=plan)
        .in_plan_order()
        .select_related("measure__priority")
        .prefetch_related(Prefetch("leads", queryset=Lead.objects.as_written()))
    )
    new_months = set(month_range(first_month, plan.months))
    carried, left = [], []
    counts: dict[str, int] = {}
    for action in actions:
        action.plan = plan
        if action.completed_month is not None:
            left.append(action)
            continue
        rule = mapping[code_key(action.measure.priority.code)]
        target = _target(action)
        carried.append(CarriedAction(action, rule.new_code, target if target in new_months else None))
        counts[code_key(rule.old_code)] = counts.get(code_key(rule.old_code), 0) + 1

    rows = []
    for priority in priorities:
        rule = mapping[code_key(priority.code)]
        n = counts.get(code_key(priority.code), 0)
        if rule.dropped and n:
            problems.append(
                f"{priority.code} cannot be dropped: {n} action{'s' if n != 1 else ''} under it "
                "would be carried. Give it a code in the new year (its own, another to merge into, or a new one)."
            )
        rows.append(CodeRow(priority.code, priority.title, rule.new_code, rule.new_title, n))
    return RollOverPlan(
        plan=plan,
        first_month=first_month,
        slug=slug,
        title=title,
        codes=tuple(rows),
        carried=tuple(carried),
        left=tuple(left),
        problems=tuple(problems),
    )


@dataclass(frozen=True)
class RollOverResult:
    plan: Plan
    carried: int
    left: int


@transaction.atomic
def roll_over(
    *,
    user,
    plan: Plan,
    first_month: Month,
    slug: str,
    title: str,
    codes: list[CodeMapping] | None = None,
    from_command_line: bool = False,
) -> RollOverResult:
    """Create the next plan year from ``plan``: every priority under its new code (merged codes
    become one priority, dropped ones are left behind), the measures of the carried actions, and
    each carried action with its ref, description, leads, original and revised targets and
    corrective action, linked to the action it came from. Statuses are not copied. All or nothing;
    ``RollOverError`` lists every problem. The web page's user must be of the performance team; the
    command line (``from_command_line``), whose operator already holds the database, names whom it
    records if it can."""
    if not from_command_line and (user is None or not user.has_perm(roles.IMPORT_PLAN, plan)):
        raise PermissionDenied("Only the performance team can roll a plan into the next year.")
    plan = lock_plan(plan)
    preview = preview_roll_over(plan=plan, first_month=first_month, slug=slug, title=title, codes=codes)
    if not preview.ok:
        raise RollOverError(list(preview.problems))
    try:
        with transaction.atomic():
            new_plan = _create(preview, user)
    except IntegrityError:
        # Another roll-over took the slug between the check and the insert.
        raise RollOverError(
            [f"There is already a plan called {preview.slug!r}: choose another web address name."]
        ) from None
    audit.record(
        "roll-over",
        user=user,
        plan=new_plan,
        previous=plan.slug,
        carried=len(preview.carried),
        left=len(preview.left),
        codes={row.old_code: row.new_code for row in preview.codes},
    )
    return RollOverResult(new_plan, len(preview.carried), len(preview.left))


def _create(preview: RollOverPlan, user) -> Plan:
    old = preview.plan
    new_plan = Plan.objects.create(
        title=preview.title,
        slug=preview.slug,
        organisation=old.organisation,
        first_month=preview.first_month.first_day,
        months=old.months,
        reporting_interval=old.reporting_interval,
        previous_plan=old,
        portfolio_holder=old.portfolio_holder,
        responsible_officer=old.responsible_officer,
        contact_name=old.contact_name,
        contact_email=old.contact_email,
        contact_phone=old.contact_phone,
    )
    StatusTerm.objects.bulk_create(
        StatusTerm(plan=new_plan, word=t.word, status=t.status, is_default=t.is_default, meaning=t.meaning)
        for t in StatusTerm.objects.filter(plan=old)
    )
    # One priority per new code, in the old plan's order; a merged code takes the first title given.
    priorities: dict[str, Priority] = {}
    old_priorities = {p.code: p for p in Priority.objects.filter(plan=old)}
    for row in preview.codes:
        if row.dropped or code_key(row.new_code) in priorities:
            continue
        source = old_priorities[row.old_code]
        priorities[code_key(row.new_code)] = Priority.objects.create(
            plan=new_plan,
            code=row.new_code,
            title=row.new_title,
            expected_outcome=source.expected_outcome if not row.renamed else "",
            section=source.section,
            position=len(priorities),
        )
    new_code_of = {code_key(row.old_code): code_key(row.new_code) for row in preview.codes}
    measures: dict[tuple[str, str], Measure] = {}
    now = timezone.now()
    label = old.year_label
    history = []
    for position, item in enumerate(preview.carried, start=1):
        action = item.action
        measure = action.measure
        key = (new_code_of[code_key(measure.priority.code)], measure.ref)
        if key not in measures:
            measures[key] = Measure.objects.create(
                priority=priorities[key[0]],
                ref=measure.ref,
                title=measure.title,
                actions_required=measure.actions_required,
                timescales=measure.timescales,
                lead=measure.lead,
                resources=measure.resources,
                position=len(measures),
            )
        carried = Action.objects.create(
            plan=new_plan,
            measure=measures[key],
            ref=action.ref,
            description=action.description,
            position=position,
            original_target=action.original_target,
            revised_target=action.revised_target,
            reprogrammed=action.reprogrammed,
            corrective_action=action.corrective_action,
            # A council's one-table columns go with the action: its date as written, how its
            # progress is measured and its latest update.
            target_date_text=action.target_date_text,
            progress_measure=action.progress_measure,
            progress_update=action.progress_update,
            carried_from=action,
        )
        # Linked in the order the plan writes them (``Lead.objects.as_written``).
        Action.leads.through.objects.bulk_create(
            Action.leads.through(action_id=carried.pk, lead_id=lead.pk) for lead in action.leads.all()
        )
        if item.planned is not None:
            PlannedMonth.objects.create(action=carried, month=item.planned.first_day)
        history.append(
            ActionChange(
                action=carried,
                field="carried from",
                new_value=f"{label} {action.ref}".strip(),
                changed_by=user,
                changed_at=now,
                source=ActionChange.Source.ROLL_OVER,
            )
        )
    ActionChange.objects.bulk_create(history)
    return new_plan
