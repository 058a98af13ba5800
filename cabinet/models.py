"""The committee paper around the monthly exception report (seed 000's cover report) and the
council's corporate risk register (seed 000 section 7, scored as seed 003 scores its risks).

- ``Meeting``: the committee a month's report is taken to, and when (July 2009 -> Cabinet,
  2 September 2009).
- ``NarrativeText``: the written sections of the committee report. A plan keeps one text per
  part as its template (``month`` empty); a month may override a part (``month`` set).
- ``CorporateRisk``: the risk register, each risk linked to the priorities and actions of the
  plans that answer it; section 7 of the cover is generated from those links.

Every write is in ``cabinet.services``.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from plans.models import CORRECTIVE_ACTION_MAX, Action, Plan, Priority, first_of_month
from plans.periods import Month


class Meeting(models.Model):
    """The meeting a month's report is taken to."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="meetings")
    month = models.DateField(help_text="The report's month (its first day).")
    committee = models.CharField(max_length=100)
    date = models.DateField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "month"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="one_meeting_per_plan_month"),
            models.CheckConstraint(condition=first_of_month("month"), name="meeting_month_is_1st"),
            models.CheckConstraint(condition=Q(date__gt=F("month")), name="meeting_after_month_begins"),
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.date:%d %B %Y} ({Month.from_date(self.month).name})"


class NarrativeQuerySet(models.QuerySet):
    def for_plan_month(self, plan: Plan, month: Month):
        """The plan's template texts and the month's overrides, in one query."""
        return self.filter(plan=plan).filter(Q(month__isnull=True) | Q(month=month.first_day))


class NarrativeText(models.Model):
    """A written part of the committee report (``cabinet.committee.Part``): the plan's template
    when ``month`` is empty, otherwise that month's override of it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="narrative_texts")
    part = models.CharField(max_length=40)
    month = models.DateField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=CORRECTIVE_ACTION_MAX)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = NarrativeQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "part", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "part"], condition=Q(month__isnull=True), name="one_template_text_per_part"
            ),
            models.UniqueConstraint(
                fields=["plan", "part", "month"],
                condition=Q(month__isnull=False),
                name="one_override_per_part_and_month",
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | first_of_month("month"), name="narrative_month_is_1st"
            ),
        ]

    def __str__(self) -> str:
        when = Month.from_date(self.month).name if self.month else "template"
        return f"{self.plan.slug} {self.part} ({when})"


class Likelihood(models.IntegerChoices):
    """Seed 003's matrix: the likelihood of a risk, scored 1 to 4."""

    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    SIGNIFICANT = 3, "Significant"
    HIGH = 4, "High"


class Impact(models.IntegerChoices):
    """Seed 003's matrix: the impact of a risk, scored 1 to 4."""

    LOW = 1, "Low"
    MARGINAL = 2, "Marginal"
    MAJOR = 3, "Major"
    CRITICAL = 4, "Critical"


class CorporateRiskQuerySet(models.QuerySet):
    def in_register(self, organisations):
        """Every read of the register starts here: the one place that decides which risks a
        reader sees. Each organisation keeps its own register: ``organisations`` is one (or its
        id) or a queryset of several."""
        if isinstance(organisations, models.QuerySet):
            return self.filter(organisation__in=organisations)
        return self.filter(organisation=organisations)

    def with_links(self):
        """What a row of the register page shows, in a fixed number of queries."""
        return self.select_related("merged_into", "organisation").prefetch_related(
            models.Prefetch("priorities", queryset=Priority.objects.select_related("plan")),
            models.Prefetch("actions", queryset=Action.objects.select_related("plan", "measure__priority")),
            "merged",
        )

    def open(self):
        """Risks still on the register in their own right (not merged into another)."""
        return self.filter(merged_into__isnull=True)


class CorporateRisk(models.Model):
    """A corporate risk (``KO1: Effective Financial Management and Internal Control``), scored
    likelihood x impact, and the priorities and actions of the plans that answer it."""

    organisation = models.ForeignKey(
        "plans.Organisation", on_delete=models.PROTECT, related_name="corporate_risks"
    )
    code = models.CharField(max_length=20, help_text="As the register writes it, e.g. KO1.")
    title = models.CharField(max_length=300)
    owner = models.CharField(max_length=200, blank=True)
    likelihood = models.PositiveSmallIntegerField(choices=Likelihood.choices)
    impact = models.PositiveSmallIntegerField(choices=Impact.choices)
    mitigation = models.TextField(blank=True, max_length=CORRECTIVE_ACTION_MAX)
    review_date = models.DateField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        help_text="The risk this one was merged into (KO18 into KO5): it is then reported as part of it.",
    )
    priorities = models.ManyToManyField(Priority, blank=True, related_name="corporate_risks")
    actions = models.ManyToManyField(Action, blank=True, related_name="corporate_risks")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CorporateRiskQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="risk_code_unique_in_organisation"),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=4), name="risk_likelihood_1_to_4"
            ),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=4), name="risk_impact_1_to_4"),
            models.CheckConstraint(condition=~Q(merged_into=F("pk")), name="risk_not_merged_into_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def score(self) -> int:
        """Seed 003: likelihood x impact (1 to 16)."""
        return self.likelihood * self.impact

    @property
    def sort_key(self) -> tuple:
        """KO2 before KO10: the register's order, by the code's letters and then its number."""
        return natural_key(self.code)


def natural_key(code: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", code))
