"""Load the demo plans (``plans.demo.bromsgrove_2008_09`` and ``bromsgrove_2009_10``) and the
demo logins. Called by ``manage.py load_demo``."""

from __future__ import annotations

import importlib
from types import ModuleType

from django.contrib.auth.models import Group, User
from django.db import transaction

from plans import roles, services
from plans.models import (
    Action,
    ActionChange,
    ChangeRequest,
    Lead,
    Measure,
    MonthlyStatus,
    Plan,
    PlannedMonth,
    Priority,
)
from plans.periods import Month, to_month
from plans.status import Status

DEMO_PASSWORD = "demo"
# username -> (group, is_superuser, lead initials)
DEMO_USERS = {
    "officer": (roles.OFFICER, False, "PS"),
    "performance": (roles.PERFORMANCE, False, None),
    "cmt": (roles.CMT, False, None),
    "clerk": (roles.CLERK, False, None),
    "admin": (None, True, None),
}
PLANS = (
    # slug, module, previous plan's slug
    ("bromsgrove-2008-09", "plans.demo.bromsgrove_2008_09", None),
    ("bromsgrove-2009-10", "plans.demo.bromsgrove_2009_10", "bromsgrove-2008-09"),
)


def _day(value: str | None):
    month = to_month(value)
    return month.first_day if month else None


def _leads(initials: list[str], names: dict[str, str]) -> list[Lead]:
    result = []
    for code in initials:
        lead, _ = Lead.objects.get_or_create(initials=code, defaults={"name": names.get(code, "")})
        result.append(lead)
    return result


def load_plan(*, slug: str, data: ModuleType, previous: Plan | None, approver: User | None) -> Plan:
    start = Month.parse(data.FIRST_MONTH)
    settings = getattr(data, "PLAN_SETTINGS", {"organisation": "Bromsgrove District Council"})
    plan = Plan.objects.create(
        slug=slug, title=data.TITLE, first_month=start.first_day, previous_plan=previous, **settings
    )
    names = getattr(data, "LEADS", {})
    statuses: list[MonthlyStatus] = []
    position = 0
    for p_index, p in enumerate(data.PRIORITIES):
        priority = Priority.objects.create(
            plan=plan, code=p["code"], title=p["title"], expected_outcome=p.get("expected_outcome", ""),
            position=p_index,
        )  # fmt: skip
        for m_index, m in enumerate(p["measures"]):
            measure = Measure.objects.create(
                priority=priority, ref=m["ref"], title=m["title"], position=m_index,
                actions_required=m.get("actions_required", ""), timescales=m.get("timescales", ""),
                lead=m.get("lead", ""), resources=m.get("resources", ""),
            )  # fmt: skip
            for a in m["actions"]:
                position += 1
                action = Action.objects.create(
                    plan=plan, measure=measure, ref=a["ref"], description=a["description"], position=position,
                    original_target=_day(a.get("original_target")), revised_target=_day(a.get("revised_target")),
                    completed_month=_day(a.get("completed")), corrective_action=a.get("corrective_action", ""),
                )  # fmt: skip
                action.leads.set(_leads(services.parse_lead_initials(a.get("leads", "")), names))
                PlannedMonth.objects.bulk_create(
                    PlannedMonth(action=action, month=(start + i).first_day)
                    for i in sorted(set(a.get("planned", [])))
                )
                for month_text, entry in a.get("statuses", {}).items():
                    statuses.append(
                        MonthlyStatus(
                            action=action, month=Month.parse(month_text).first_day, status=Status(entry["status"]),
                            corrective_action=entry.get("corrective_action", ""),
                        )
                    )  # fmt: skip
                request = a.get("request")
                if request:
                    _load_request(action, request, approver)
    # Hundreds of statuses: written in bulk, with their history rows, rather than one by one.
    MonthlyStatus.objects.bulk_create(statuses)
    ActionChange.objects.bulk_create(
        ActionChange(
            action=record.action, month=record.month, field="status", new_value=record.status,
            source=ActionChange.Source.DEMO,
        )
        for record in statuses
    )  # fmt: skip
    return plan


def _load_request(action: Action, request: dict, approver: User | None) -> None:
    approved = request["state"] == ChangeRequest.State.APPROVED
    ChangeRequest.objects.create(
        action=action,
        kind=request["kind"],
        month=_day(request["month"]),
        new_target=_day(request.get("new_target")),
        reason=request["reason"],
        state=request["state"],
        decided_by=approver if approved else None,
        decided_at=action.plan.created_at if approved else None,
    )
    if approved and request["kind"] == ChangeRequest.Kind.REPROGRAMME:
        action.revised_target = _day(request["new_target"])
        action.reprogrammed = True
        action.save(update_fields=["revised_target", "reprogrammed"])


def load_users() -> dict[str, User]:
    users = {}
    for username, (group_name, superuser, initials) in DEMO_USERS.items():
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
        user.is_superuser = user.is_staff = superuser
        user.set_password(DEMO_PASSWORD)
        user.save()
        if group_name:
            user.groups.set([Group.objects.get(name=group_name)])
        if initials:
            lead, _ = Lead.objects.get_or_create(initials=initials)
            Lead.objects.filter(user=user).exclude(pk=lead.pk).update(user=None)
            lead.user = user
            lead.email = lead.email or user.email
            lead.save()
        users[username] = user
    return users


@transaction.atomic
def load_demo(*, reset: bool = False) -> list[tuple[str, str]]:
    """Create what is missing; with ``reset``, replace the demo plans. Running it twice changes
    nothing the second time."""
    report = []
    if reset:
        Plan.objects.filter(slug__in=[slug for slug, _, _ in PLANS]).delete()
    users = load_users()
    for slug, module_name, previous_slug in PLANS:
        if Plan.objects.filter(slug=slug).exists():
            report.append((slug, "already loaded"))
            continue
        previous = Plan.objects.filter(slug=previous_slug).first() if previous_slug else None
        load_plan(
            slug=slug,
            data=importlib.import_module(module_name),
            previous=previous,
            approver=users["performance"],
        )
        report.append((slug, "loaded"))
    return report
