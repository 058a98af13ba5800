"""Small factory functions for tests: build exactly the data a test talks about."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from plans import roles
from plans.models import (
    Action,
    Lead,
    Measure,
    Membership,
    MonthlyStatus,
    Organisation,
    Plan,
    PlannedMonth,
    Priority,
)
from plans.periods import Month
from reports.models import Document

_counter = itertools.count(1)


def default_organisation() -> Organisation:
    """The council a test's plans, leads and people belong to unless it names another."""
    organisation, _ = Organisation.objects.get_or_create(
        slug="test-council", defaults={"name": "Test District Council"}
    )
    return organisation


def council_named(name: str) -> Organisation:
    """The test council under another name (the role users of ``role_user`` are its people)."""
    organisation = default_organisation()
    organisation.name = name
    organisation.save(update_fields=["name"])
    return organisation


def make_organisation(slug: str, name: str | None = None) -> Organisation:
    return Organisation.objects.create(slug=slug, name=name or f"{slug.title()} Council")


def make_plan(
    *, slug: str | None = None, first_month: str = "2009-07", previous: Plan | None = None, **kwargs
) -> Plan:
    n = next(_counter)
    kwargs.setdefault("organisation", previous.organisation if previous else default_organisation())
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


def make_lead(
    initials: str = "PS", user: User | None = None, organisation: Organisation | None = None, **kwargs
) -> Lead:
    lead, _ = Lead.objects.get_or_create(
        organisation=organisation or default_organisation(), initials=initials, defaults=kwargs
    )
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
    # Linked in the order given, as the importer links them (``Lead.objects.as_written``).
    Action.leads.through.objects.bulk_create(
        Action.leads.through(action_id=action.pk, lead_id=lead.pk) for lead in leads
    )
    PlannedMonth.objects.bulk_create(
        PlannedMonth(action=action, month=Month.parse(m).first_day) for m in planned
    )
    return action


def make_status(action: Action, month: str, status: str, **kwargs) -> MonthlyStatus:
    return MonthlyStatus.objects.create(
        action=action, month=Month.parse(month).first_day, status=status, **kwargs
    )


def make_user(
    username: str, group: str | None = None, *, organisation: Organisation | None = None, **kwargs
) -> User:
    """A login; with ``group`` (a role of ``plans.roles``) a member of ``organisation`` (the test
    council unless named) in that role."""
    user = User.objects.create_user(username=username, password="pw-for-tests-only", **kwargs)
    if group:
        give_role(user, group, organisation or default_organisation())
    return user


def give_role(user: User, group: str, organisation: Organisation) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": Group.objects.get(name=group)}
    )
    return membership


ROLE_GROUPS = {
    "officer": roles.OFFICER,
    "performance": roles.PERFORMANCE,
    "cmt": roles.CMT,
    "clerk": roles.CLERK,
}


def make_sized_plan(actions: int, *, first_month: str = "2009-07", months_reported: int = 12, previous=None):
    """A plan of ``actions`` actions (10 priorities, 10 measures each) with a status for every action
    in each of its first ``months_reported`` months, written in bulk: for query-count tests and the
    benchmark. Statuses cycle so that every kind occurs (about 1 in 8 AMBER, 1 in 16 RED)."""
    plan = make_plan(first_month=first_month, previous=previous)
    priorities = Priority.objects.bulk_create(
        Priority(plan=plan, code=f"P{p + 1}", title=f"Priority {p + 1}", position=p) for p in range(10)
    )
    measures = Measure.objects.bulk_create(
        Measure(priority=priority, ref=f"{p + 1}.{m + 1}", title=f"Measure {p + 1}.{m + 1}", position=m)
        for p, priority in enumerate(priorities)
        for m in range(10)
    )
    start = plan.start
    created = Action.objects.bulk_create(
        Action(
            plan=plan,
            measure=measures[i % len(measures)],
            ref=f"{measures[i % len(measures)].ref}.{i // len(measures) + 1}",
            description=f"Action {i + 1}",
            position=i + 1,
            original_target=(start + (i % 12)).first_day,
            corrective_action=f"Corrective action {i + 1}",
        )
        for i in range(actions)
    )
    lead = make_lead("BX", organisation=plan.organisation)
    Action.leads.through.objects.bulk_create(
        Action.leads.through(action_id=a.pk, lead_id=lead.pk) for a in created
    )
    PlannedMonth.objects.bulk_create(
        PlannedMonth(action=a, month=(start + (i % 12)).first_day) for i, a in enumerate(created)
    )
    cycle = ["GREEN"] * 10 + ["AMBER", "AMBER", "RED", "REPRO", "SUSP", "GREEN"]
    MonthlyStatus.objects.bulk_create(
        MonthlyStatus(
            action=a,
            month=(start + m).first_day,
            status=cycle[(i + m) % len(cycle)],
            corrective_action=f"Update {m + 1} of action {i + 1}",
        )
        for m in range(months_reported)
        for i, a in enumerate(created)
    )
    return plan


def load_demo() -> None:
    """``manage.py load_demo``, less what loading it leaves for people and the worker rather than
    for tests: the audit record of the load (the import, the approvals, the closes) and the renders
    of the published months its closes queued. Tests count the events and renders they cause
    themselves; ``tests/plans/test_demo.py`` checks that a load leaves both."""
    call_command("load_demo", "--force", verbosity=0)
    AuditEvent.objects.all().delete()
    Document.objects.all().delete()
    DBTaskResult.objects.all().delete()
