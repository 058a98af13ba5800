"""Small factory functions for tests: build exactly the data a test talks about."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import Group, User

from plans import roles
from plans.models import Action, Lead, Measure, MonthlyStatus, Plan, PlannedMonth, Priority
from reports.periods import Month

_counter = itertools.count(1)


def make_plan(
    *, slug: str | None = None, first_month: str = "2009-07", previous: Plan | None = None, **kwargs
) -> Plan:
    n = next(_counter)
    return Plan.objects.create(
        slug=slug or f"plan-{n}",
        title=kwargs.pop("title", f"Improvement Plan {n}"),
        first_month=Month.parse(first_month).first_day,
        previous_plan=previous,
        **kwargs,
    )


def make_priority(
    plan: Plan, code: str = "CP1", title: str = "Town Centre", position: int | None = None
) -> Priority:
    return Priority.objects.create(
        plan=plan,
        code=code,
        title=title,
        position=position if position is not None else plan.priorities.count(),
    )


def make_measure(priority: Priority, ref: str = "1.1", title: str = "A measure of success") -> Measure:
    return Measure.objects.create(priority=priority, ref=ref, title=title, position=priority.measures.count())


def make_lead(initials: str = "PS", user: User | None = None, **kwargs) -> Lead:
    lead, _ = Lead.objects.get_or_create(initials=initials, defaults=kwargs)
    if user is not None:
        lead.user = user
        lead.save()
    return lead


def make_action(
    measure: Measure,
    ref: str = "1.1.1",
    description: str = "An action",
    *,
    leads: list[Lead] = (),
    original: str | None = None,
    revised: str | None = None,
    completed: str | None = None,
    planned: list[str] = (),
    **kwargs,
) -> Action:
    plan = measure.priority.plan
    action = Action.objects.create(
        plan=plan,
        measure=measure,
        ref=ref,
        description=description,
        position=kwargs.pop("position", plan.actions.count() + 1),
        original_target=Month.parse(original).first_day if original else None,
        revised_target=Month.parse(revised).first_day if revised else None,
        completed_month=Month.parse(completed).first_day if completed else None,
        **kwargs,
    )
    action.leads.set(leads)
    PlannedMonth.objects.bulk_create(
        PlannedMonth(action=action, month=Month.parse(m).first_day) for m in planned
    )
    return action


def make_status(action: Action, month: str, status: str, **kwargs) -> MonthlyStatus:
    return MonthlyStatus.objects.create(
        action=action, month=Month.parse(month).first_day, status=status, **kwargs
    )


def make_user(username: str, group: str | None = None, **kwargs) -> User:
    user = User.objects.create_user(username=username, password="pw-for-tests-only", **kwargs)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


ROLE_GROUPS = {
    "officer": roles.OFFICER,
    "performance": roles.PERFORMANCE,
    "cmt": roles.CMT,
    "clerk": roles.CLERK,
}
