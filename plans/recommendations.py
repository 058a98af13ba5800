"""Inspection recommendations (seed 002) and the actions answering them: every write, and the one
read the tracker, the action page and the link page share.

The performance team links actions to recommendations; the tracker (``reports.recommendations``)
reads each recommendation's actions and their status in a month from ``linked_actions``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from plans import roles
from plans.models import Action, Organisation, Plan, Recommendation, RecommendationLink
from plans.services import lock_plan


class RecommendationError(Exception):
    """A change the service refuses; the message is fit to show to the user."""


@dataclass(frozen=True)
class LinkChange:
    added: tuple[str, ...]  # refs
    removed: tuple[str, ...]

    @property
    def message(self) -> str:
        if not self.added and not self.removed:
            return "Nothing changed."
        parts = []
        if self.added:
            parts.append("linked " + ", ".join(self.added))
        if self.removed:
            parts.append("unlinked " + ", ".join(self.removed))
        return "Saved: " + "; ".join(parts) + "."


def _may_manage(user, organisation) -> None:
    # The views check the permission; asserted again here, where a mistake would change the record.
    if user is None or not user.has_perm(roles.MANAGE_RECOMMENDATIONS, organisation):
        raise PermissionDenied("Only the performance team links actions to recommendations.")


@transaction.atomic
def save_recommendation(
    *,
    user,
    organisation: Organisation,
    source: str,
    code: str,
    text: str,
    position: int = 0,
    recommendation: Recommendation | None = None,
) -> Recommendation:
    """Add a recommendation made to ``organisation``, or change one (its source, code and text as
    the inspection wrote them)."""
    if recommendation is not None and recommendation.organisation_id not in (None, organisation.pk):
        raise RecommendationError("The recommendation was made to another council.")
    _may_manage(user, organisation)
    source, code, text = source.strip(), code.strip(), text.strip()
    if not (source and code and text):
        raise RecommendationError("A recommendation needs its source, code and text.")
    clash = Recommendation.objects.filter(organisation=organisation, source=source, code=code)
    if recommendation is not None:
        clash = clash.exclude(pk=recommendation.pk)
    if clash.exists():
        raise RecommendationError(f"{source} already has a recommendation {code}.")
    recommendation = recommendation or Recommendation()
    recommendation.organisation = organisation
    recommendation.source, recommendation.code, recommendation.text = source, code, text
    recommendation.position = position
    recommendation.save()
    return recommendation


@transaction.atomic
def set_linked_actions(
    *, user, recommendation: Recommendation, plan: Plan, actions: Iterable[Action]
) -> LinkChange:
    """Make ``actions`` the ones of ``plan`` that answer ``recommendation`` (links to other plans'
    actions are left as they are). Under the plan's lock, like every write to a plan's actions."""
    _may_manage(user, plan)
    if recommendation.organisation_id != plan.organisation_id:
        raise RecommendationError(f"The recommendation was not made to {plan.organisation}.")
    plan = lock_plan(plan)
    wanted = {action.pk: action for action in actions}
    if any(action.plan_id != plan.pk for action in wanted.values()):
        raise RecommendationError(f"Only actions of {plan.title} can be linked here.")
    current = {
        link.action_id: link
        for link in RecommendationLink.objects.filter(recommendation=recommendation, action__plan=plan)
        .select_related("action")
        .order_by("action__position", "action_id")
    }
    removed = [current[pk] for pk in current if pk not in wanted]
    added = sorted((wanted[pk] for pk in wanted if pk not in current), key=lambda a: (a.position, a.pk))
    RecommendationLink.objects.filter(pk__in=[link.pk for link in removed]).delete()
    RecommendationLink.objects.bulk_create(
        RecommendationLink(recommendation=recommendation, action=action, linked_by=user) for action in added
    )
    return LinkChange(tuple(a.ref for a in added), tuple(link.action.ref for link in removed))


def linked_actions(recommendations: Iterable[Recommendation], plan: Plan):
    """The links of ``recommendations`` to ``plan``'s actions, in plan order, with each action's
    measure and leads (two queries whatever the number of recommendations)."""
    return (
        RecommendationLink.objects.filter(recommendation__in=list(recommendations), action__plan=plan)
        .select_related("action__measure__priority")
        .prefetch_related("action__leads")
        .order_by("action__position", "action_id")
    )
