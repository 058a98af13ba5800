"""Every write of the committee paper and the risk register.

The meeting and a month's overrides belong to that month: refused once it is closed (the paper
was published with the month's snapshot). The plan's template and the register may change at
any time: a closed month keeps what it was published with. Plan-wide writes take the plan's lock
(``plans.services.lock_plan``) first, so a close never reads them half-written.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cabinet.committee import Part, unknown_placeholders
from cabinet.models import CorporateRisk, Meeting, NarrativeText
from plans import roles
from plans.models import Action, Organisation, Plan, Priority
from plans.periods import Month
from plans.services import ensure_open, lock_plan


def _check(user, obj=None) -> None:
    # The views check this too; the texts go to Cabinet, so the service checks again (in the
    # organisation of ``obj``: its plan or risk).
    if user is None or not user.has_perm(roles.EDIT_STRUCTURE, obj):
        raise PermissionDenied("Only the performance team keeps the committee report and the risk register.")


@transaction.atomic
def record_meeting(*, user, plan: Plan, month: Month, committee: str, on: date) -> Meeting:
    """The meeting the month's report goes to. Refused for a closed month."""
    _check(user, plan)
    plan = lock_plan(plan)
    ensure_open(plan, [month])
    committee = committee.strip()
    if not committee:
        raise ValidationError({"committee": "Enter the committee, e.g. Cabinet."})
    if on < (month + 1).first_day:
        raise ValidationError(
            {"date": f"The meeting must be after {month.name} ends: the report describes the whole month."}
        )
    meeting, _ = Meeting.objects.update_or_create(
        plan=plan,
        month=month.first_day,
        defaults={"committee": committee, "date": on, "updated_by": user, "updated_at": timezone.now()},
    )
    return meeting


def _check_text(part: str, text: str) -> None:
    if part not in Part.values:
        raise ValidationError(f"The committee report has no part {part!r}.")
    unknown = unknown_placeholders(text)
    if unknown:
        raise ValidationError({part: f"Unknown placeholder {{{unknown[0]}}}."})


@transaction.atomic
def save_texts(*, user, plan: Plan, texts: dict[str, str], month: Month | None = None) -> int:
    """Write the plan's template (``month`` None) or a month's overrides. An empty override is
    removed, so the month prints the template again. Returns how many parts changed."""
    _check(user, plan)
    plan = lock_plan(plan)
    if month is not None:
        ensure_open(plan, [month])
    for part, text in texts.items():
        _check_text(part, text)
    day = month.first_day if month else None
    existing = {row.part: row for row in NarrativeText.objects.filter(plan=plan, month=day)}
    changed = 0
    for part, text in texts.items():
        text = text.replace("\r\n", "\n").strip()
        row = existing.get(part)
        if row is not None and row.text == text:
            continue
        if month is not None and not text:
            if row is not None:
                row.delete()
                changed += 1
            continue
        if row is None:
            row = NarrativeText(plan=plan, part=part, month=day)
        row.text, row.updated_by, row.updated_at = text, user, timezone.now()
        row.save()
        changed += 1
    return changed


RISK_FIELDS = ("code", "title", "owner", "likelihood", "impact", "mitigation", "review_date")


@transaction.atomic
def save_risk(
    *, user, risk: CorporateRisk | None = None, organisation: Organisation | None = None, **fields
) -> CorporateRisk:
    """Add a risk to ``organisation``'s register (``risk`` None) or change one. A risk merged into
    another is kept as it was merged."""
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown risk fields: {sorted(unknown)}")
    if risk is None and organisation is None:
        raise TypeError("A new risk needs its organisation.")
    _check(user, risk or organisation)
    if risk is None:
        risk = CorporateRisk(organisation=organisation)
    else:
        risk = CorporateRisk.objects.select_for_update().get(pk=risk.pk)
        if risk.merged_into_id:
            raise ValidationError(
                f"{risk.code} has been merged into {risk.merged_into.code}: change that risk instead."
            )
    for name, value in fields.items():
        setattr(risk, name, value.strip() if isinstance(value, str) else value)
    risk.updated_by, risk.updated_at = user, timezone.now()
    risk.full_clean()
    risk.save()
    return risk


@transaction.atomic
def merge_risk(*, user, risk: CorporateRisk, into: CorporateRisk) -> CorporateRisk:
    """Merge ``risk`` into ``into`` (seed 000: "KO5 and KO18 have been merged"): section 7 then
    reports it as part of ``into``, with its plan references."""
    _check(user, risk)
    risk = CorporateRisk.objects.select_for_update().get(pk=risk.pk)
    into = CorporateRisk.objects.select_for_update().get(pk=into.pk)
    if into.organisation_id != risk.organisation_id:
        raise ValidationError({"into": "Choose a risk of the same register."})
    if risk.pk == into.pk:
        raise ValidationError({"into": "A risk cannot be merged into itself."})
    if into.merged_into_id:
        raise ValidationError({"into": f"{into.code} has itself been merged into {into.merged_into.code}."})
    if risk.merged_into_id:
        raise ValidationError({"into": f"{risk.code} has already been merged into {risk.merged_into.code}."})
    # Risks merged into this one move with it, so no chain of merges has to be followed.
    CorporateRisk.objects.filter(merged_into=risk).update(merged_into=into)
    risk.merged_into = into
    risk.updated_by, risk.updated_at = user, timezone.now()
    risk.save(update_fields=["merged_into", "updated_by", "updated_at"])
    return risk


@transaction.atomic
def link_risk(
    *, user, risk: CorporateRisk, plan: Plan, priorities: list[Priority], actions: list[Action]
) -> CorporateRisk:
    """Set the priorities and actions of ``plan`` that answer the risk (its links to other plans
    stay as they are)."""
    _check(user, plan)
    if risk.organisation_id != plan.organisation_id:
        raise ValidationError(f"{risk.code} is not on the register of {plan.organisation}.")
    plan = lock_plan(plan)
    foreign = [str(p) for p in priorities if p.plan_id != plan.pk] + [
        str(a) for a in actions if a.plan_id != plan.pk
    ]
    if foreign:
        raise ValidationError(f"Not in {plan.title}: {', '.join(foreign)}.")
    risk = CorporateRisk.objects.select_for_update().get(pk=risk.pk)
    risk.priorities.remove(*risk.priorities.filter(plan=plan))
    risk.priorities.add(*priorities)
    risk.actions.remove(*risk.actions.filter(plan=plan))
    risk.actions.add(*actions)
    risk.updated_by, risk.updated_at = user, timezone.now()
    risk.save(update_fields=["updated_by", "updated_at"])
    return risk
