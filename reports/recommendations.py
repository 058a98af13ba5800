"""The inspection recommendations tracker: each recommendation with the actions of a plan that
answer it, their status in a month, and the roll-up, built once into frozen objects that the page
and the PDF both render.

Statuses, words and the overall rule come from ``plans.status``; the recommendations from their
one queryset (``Recommendation.objects.tracked``). Six queries whatever the number of
recommendations and actions: the recommendations, the links with their actions, measures and
priorities, the leads, the month's statuses, the plan's status words and whether the month is
closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import prefetch_related_objects
from django.utils import timezone

from plans.models import MonthClose, MonthlyStatus, Plan, Recommendation
from plans.periods import Month
from plans.recommendations import linked_actions
from plans.status import COUNTED, Status, StatusCounts, count_statuses, overall_status


@dataclass(frozen=True)
class TrackedAction:
    """An action answering a recommendation, with its status in the tracker's month."""

    pk: int
    ref: str
    description: str
    leads: str
    priority: str
    status: str  # a Status value, or "" when the action has no status that month
    word: str  # the plan's word for it

    @property
    def css(self) -> str:
        return self.status.lower()


@dataclass(frozen=True)
class TrackedRecommendation:
    pk: int
    source: str
    code: str
    text: str
    actions: tuple[TrackedAction, ...]
    counts: StatusCounts

    @property
    def not_reported(self) -> int:
        """Linked actions without a status in the month (not live in it)."""
        return sum(1 for a in self.actions if not a.status)

    @property
    def overall(self) -> Status | None:
        return overall_status(a.status for a in self.actions if a.status)


@dataclass(frozen=True)
class Tracker:
    plan_slug: str
    plan_title: str
    organisation: str
    month: Month
    words: dict[str, str]
    recommendations: tuple[TrackedRecommendation, ...]
    is_draft: bool
    built_at: datetime

    def word(self, status: str) -> str:
        return self.words.get(str(status), Status(status).label)

    @property
    def statuses(self) -> tuple[Status, ...]:
        return COUNTED

    @property
    def overall_counts(self) -> StatusCounts:
        """How many recommendations stand at each overall status."""
        return count_statuses(r.overall for r in self.recommendations if r.overall)

    @property
    def without_status(self) -> int:
        """Recommendations none of whose actions has a status this month (or that have none)."""
        return sum(1 for r in self.recommendations if r.overall is None)

    @property
    def action_counts(self) -> StatusCounts:
        return count_statuses(a.status for r in self.recommendations for a in r.actions if a.status)

    @property
    def action_total(self) -> int:
        return sum(len(r.actions) for r in self.recommendations)

    @property
    def actions_without_status(self) -> int:
        return sum(r.not_reported for r in self.recommendations)

    def rollup(self, recommendation: TrackedRecommendation) -> str:
        """ "2 Green, 1 Amber, 1 without a status": a recommendation's actions counted by status."""
        parts = [
            f"{recommendation.counts.count(s)} {self.word(s)}"
            for s in COUNTED
            if recommendation.counts.count(s)
        ]
        if recommendation.not_reported:
            parts.append(f"{recommendation.not_reported} without a status")
        return ", ".join(parts)

    # What the PDF's page furniture (templates/pdf/base.html) reads.
    @property
    def title(self) -> str:
        return f"Inspection recommendations: progress in {self.month.name}"

    @property
    def as_at(self) -> datetime:
        return self.built_at

    @property
    def produced(self) -> date:
        return timezone.localdate(self.built_at)


def build_tracker(plan: Plan, month: Month) -> Tracker:
    recommendations = list(Recommendation.objects.tracked(plan.organisation_id))
    links = list(linked_actions(recommendations, plan))
    statuses = {
        action_id: (status, word)
        for action_id, status, word in MonthlyStatus.objects.in_plan(plan)
        .in_month(month)
        .filter(action_id__in={link.action_id for link in links})
        .values_list("action_id", "status", "word")
    }
    prefetch_related_objects([plan], "status_terms")
    words = {s.value: plan.status_word(s) for s in COUNTED}
    by_recommendation: dict[int, list[TrackedAction]] = {}
    for link in links:
        action = link.action
        status, word = statuses.get(action.pk, ("", ""))
        by_recommendation.setdefault(link.recommendation_id, []).append(
            TrackedAction(
                pk=action.pk,
                ref=action.ref,
                description=action.description,
                leads=action.lead_initials,
                priority=action.measure.priority.code,
                status=status,
                word=(word or words[status]) if status else "",
            )
        )
    tracked = []
    for recommendation in recommendations:
        actions = tuple(by_recommendation.get(recommendation.pk, ()))
        tracked.append(
            TrackedRecommendation(
                pk=recommendation.pk,
                source=recommendation.source,
                code=recommendation.code,
                text=recommendation.text,
                actions=actions,
                counts=count_statuses(a.status for a in actions if a.status),
            )
        )
    return Tracker(
        plan_slug=plan.slug,
        plan_title=plan.title,
        organisation=plan.organisation.name,
        month=month,
        words=words,
        recommendations=tuple(tracked),
        is_draft=not MonthClose.objects.is_closed(plan, month),
        built_at=timezone.now(),
    )
