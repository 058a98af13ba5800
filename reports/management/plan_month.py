"""The ``--plan SLUG --month YYYY-MM`` arguments the report commands share, read into a plan and
one of its months, or a one-line ``CommandError``."""

from __future__ import annotations

from django.core.management.base import CommandError

from plans.models import Plan
from plans.periods import Month


def add_plan_month_arguments(parser) -> None:
    parser.add_argument("--plan", required=True, help="The plan's slug, e.g. bromsgrove-2009-10")
    parser.add_argument("--month", required=True, help="The month, YYYY-MM")


def plan_and_month(slug: str, month: str) -> tuple[Plan, Month]:
    try:
        when = Month.parse(month)
    except ValueError as error:
        raise CommandError(str(error)) from None
    plan = Plan.objects.filter(slug=slug).first()
    if plan is None:
        raise CommandError(f"No plan with slug {slug!r}.")
    if not plan.contains(when):
        raise CommandError(f"{when.name} is not in {plan.title} ({plan.start.name} – {plan.end.name}).")
    return plan, when
