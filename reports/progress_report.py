"""Rotherham's progress report (seed 004, Appendix A) built once into frozen objects.

A plan whose ``report_layout`` is "progress" reports every key action, by section and priority area,
in the table Objective / Key Actions / Target Date / Progress Measure / On Target / Accountability /
Update, with the period's counts and percentages beside the previous period's. The previous period
is the previous *reporting* month: two months earlier for a plan reported every two months.

``progress_report(plan, month)`` is what the HTML page, the PDF, the JSON summary and the month
close all use: the live report of an open month, or for a closed month the report exactly as it
was published (kept in ``MonthClose.snapshot["progress_report"]``), with what changed since. It
is the sibling of ``reports.exception_report``: the same counts (``reports.builders``), the same
percentages and words (``plans.status``), the same state of the month. A fixed number of queries,
whatever the size of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from plans.models import Action, Lead, MonthClose, MonthlyStatus, Plan
from plans.periods import Month, to_month
from plans.status import (
    COUNTED,
    LEGEND_ORDER,
    LegendEntry,
    Status,
    StatusCounts,
    count_statuses,
    status_legend,
)
from reports.builders import years_figures
from reports.exception_report import ReportState, counts_from_json, month_state

PROGRESS_SNAPSHOT_VERSION = 1
SNAPSHOT_KEY = "progress_report"
# Seed 004 prints a key action with no On Target word when it was not reported in the period.
NOT_REPORTED = "Not reported this period"


@dataclass(frozen=True)
class KeyActionRow:
    """One key action as the table prints it."""

    objective: str
    key_action: str
    target_date: str
    progress_measure: str
    on_target: str  # the plan's word for the period's status; "" when not reported this period
    status: str  # the counted status behind the word (a Status value), or ""
    accountability: str
    update: str
    ref: str = ""

    @property
    def reported(self) -> bool:
        return bool(self.status)


@dataclass(frozen=True)
class ObjectiveGroup:
    """An objective written once for the key actions under it (the merged cell of seed 004)."""

    objective: str
    rows: tuple[KeyActionRow, ...]


@dataclass(frozen=True)
class PriorityArea:
    heading: str  # "1. Ambitions: CPA Score"
    objectives: tuple[ObjectiveGroup, ...]

    @property
    def rows(self) -> tuple[KeyActionRow, ...]:
        return tuple(row for group in self.objectives for row in group.rows)


@dataclass(frozen=True)
class ReportSection:
    name: str  # "Ambitions"; "" for priorities outside any section
    areas: tuple[PriorityArea, ...]


@dataclass(frozen=True)
class Period:
    """A reporting period's counts: statuses counted by ``plans.status``; the key actions without
    a status are not reported (missing, never a status of their own)."""

    month: Month
    figures: StatusCounts
    key_actions: int

    @property
    def not_reported(self) -> int:
        return max(self.key_actions - self.figures.total, 0)

    def as_json(self) -> dict:
        return {"month": str(self.month), **self.figures.as_json(), "not_reported": self.not_reported}


@dataclass(frozen=True)
class ProgressReport:
    """Everything the period's progress report shows, in the order of seed 004."""

    plan_slug: str
    plan_title: str
    organisation: str
    year_label: str
    month: Month
    period: Period
    previous: Period | None  # the previous reporting month's, None before the first
    words: dict[str, str]  # status value -> the plan's own word for it
    sections: tuple[ReportSection, ...]
    built_at: datetime
    state: ReportState = field(default_factory=ReportState)

    layout = "progress"

    # -- figures -------------------------------------------------------------------------------

    @property
    def figures(self) -> StatusCounts:
        return self.period.figures

    @property
    def total(self) -> int:
        return self.figures.total

    def word(self, status: str) -> str:
        return self.words.get(str(status), Status(status).label)

    @property
    def rows(self) -> tuple[KeyActionRow, ...]:
        return tuple(row for section in self.sections for area in section.areas for row in area.rows)

    @property
    def key_action_count(self) -> int:
        return self.period.key_actions

    @property
    def legend(self) -> tuple[LegendEntry, ...]:
        return status_legend(self.word, LEGEND_ORDER)

    @property
    def comparison(self) -> tuple[tuple[Status, str, int, Decimal, int | None, Decimal | None], ...]:
        """The counts table: each status in the plan's word, this period's count and percentage
        beside the previous period's (None before the first period)."""
        previous = self.previous.figures if self.previous else None
        return tuple(
            (
                status,
                self.word(status),
                self.figures.count(status),
                self.figures.percent(status),
                previous.count(status) if previous else None,
                previous.percent(status) if previous else None,
            )
            for status in COUNTED
        )

    @property
    def consistent(self) -> bool:
        """The period's counts add up to the key actions the table shows with a word."""
        return self.figures.total == sum(1 for row in self.rows if row.reported)

    @property
    def is_final(self) -> bool:
        return self.state.is_closed and self.consistent

    @property
    def live_differs(self) -> bool:
        live = self.state.live_figures
        return live is not None and live.counts != self.figures.counts

    @property
    def title(self) -> str:
        return f"{self.plan_title}: progress report for {self.month.name}"

    # -- JSON: summary.json ----------------------------------------------------------------------

    def as_json(self) -> dict:
        """The period's figures as JSON: the keys of the exception report's summary (counts and
        percentages by status), the plan's words, the key actions not reported and the previous
        period; for a closed month the published figures and what changed since."""
        data = {
            "plan": self.plan_slug,
            "month": str(self.month),
            "layout": self.layout,
            **self.figures.as_json(),
            "words": dict(self.words),
            "key_actions": self.period.key_actions,
            "not_reported": self.period.not_reported,
            "previous": self.previous.as_json() if self.previous else None,
        }
        if self.state.is_closed:
            data["published"] = self.state.published_json()
        return data

    # -- the snapshot kept when the month is closed --------------------------------------------

    def as_snapshot(self) -> dict:
        return {
            "version": PROGRESS_SNAPSHOT_VERSION,
            "plan_slug": self.plan_slug,
            "plan_title": self.plan_title,
            "organisation": self.organisation,
            "year_label": self.year_label,
            "month": str(self.month),
            "period": _period_json(self.period),
            "previous": _period_json(self.previous) if self.previous else None,
            "words": dict(self.words),
            "sections": [
                {
                    "name": s.name,
                    "areas": [
                        {
                            "heading": a.heading,
                            "objectives": [
                                {
                                    "objective": g.objective,
                                    "rows": [
                                        [
                                            r.objective,
                                            r.key_action,
                                            r.target_date,
                                            r.progress_measure,
                                            r.on_target,
                                            r.status,
                                            r.accountability,
                                            r.update,
                                            r.ref,
                                        ]
                                        for r in g.rows
                                    ],
                                }
                                for g in a.objectives
                            ],
                        }
                        for a in s.areas
                    ],
                }
                for s in self.sections
            ],
            "built_at": self.built_at.isoformat(),
        }

    @classmethod
    def from_snapshot(cls, data: dict, state: ReportState | None = None) -> ProgressReport:
        return cls(
            plan_slug=data["plan_slug"],
            plan_title=data["plan_title"],
            organisation=data["organisation"],
            year_label=data["year_label"],
            month=Month.parse(data["month"]),
            period=_period_from_json(data["period"]),
            previous=_period_from_json(data["previous"]) if data["previous"] else None,
            words=dict(data["words"]),
            sections=tuple(
                ReportSection(
                    s["name"],
                    tuple(
                        PriorityArea(
                            a["heading"],
                            tuple(
                                ObjectiveGroup(g["objective"], tuple(KeyActionRow(*r) for r in g["rows"]))
                                for g in a["objectives"]
                            ),
                        )
                        for a in s["areas"]
                    ),
                )
                for s in data["sections"]
            ),
            built_at=datetime.fromisoformat(data["built_at"]),
            state=state or ReportState(),
        )


def _period_json(period: Period) -> dict:
    return {
        "month": str(period.month),
        "counts": {s.value: period.figures.count(s) for s in COUNTED},
        "key_actions": period.key_actions,
    }


def _period_from_json(data: dict) -> Period:
    return Period(Month.parse(data["month"]), counts_from_json(data["counts"]), data["key_actions"])


# ---------------------------------------------------------------------------------------------
# Building


def area_heading(code: str, title: str, section: str = "", place: int = 0) -> str:
    """A priority area's heading as seed 004 prints it: "1. Ambitions: CPA Score", numbered within
    its section. The one-table import keeps the section apart ("Ambitions"), the title ("CPA
    Score") and a code of its own ("A1"): the heading is the area's place in the section, the
    section and the title. A plan whose code is the printed number ("1") has the rest as its title."""
    code, title, section = code.strip(), title.strip(), section.strip()
    if code.rstrip(".").isdigit():
        return f"{code.rstrip('.')}. {title}" if title else code
    if section and place and title:
        return f"{place}. {section}: {title}"
    if not title:
        return code
    return f"{code}: {title}" if code else title


def previous_reporting_month(plan: Plan, month: Month) -> tuple[Plan, Month] | None:
    """The reporting month before ``month``: of this plan (two months earlier at Rotherham), or
    the last of the previous plan year for the plan's first."""
    earlier = [m for m in plan.reporting_month_list if m < month]
    if earlier:
        return plan, earlier[-1]
    previous = plan.previous_plan
    if previous is not None and previous.reporting_month_list:
        return previous, previous.reporting_month_list[-1]
    return None


def target_date_text(action: Action) -> str:
    """As written ("July 2007 (revise to October 2007)"), else the month of the original target."""
    if action.target_date_text.strip():
        return action.target_date_text.strip()
    month = to_month(action.original_target)
    return month.name if month else ""


def build_progress_report(plan: Plan, month: Month) -> ProgressReport:
    """The live report of ``month``. Queries: the plan's words (1), the key actions with their
    objective and area (1) and leads (1), the month's statuses (1), the counts of the period and
    the previous one (1), the previous plan's key actions when the period before is in it (1)."""
    prefetch_related_objects([plan], "status_terms")
    words = {s.value: plan.status_word(s) for s in COUNTED}
    actions = list(
        Action.objects.filter(plan=plan)
        .select_related("measure__priority")
        .prefetch_related(Prefetch("leads", queryset=Lead.objects.as_written()))
        .order_by("measure__priority__position", "measure__priority_id", "position", "id")
    )
    entered = {
        action_id: (status, word)
        for action_id, status, word in MonthlyStatus.objects.in_plan(plan)
        .in_month(month)
        .values_list("action_id", "status", "word")
    }
    before = previous_reporting_month(plan, month)
    figures_by_plan = years_figures([plan] if before is None or before[0] == plan else [plan, before[0]])
    this_figures = figures_by_plan[plan.pk].get(month) or count_statuses([])
    period = Period(month, this_figures, len(actions))
    previous = None
    if before is not None:
        before_plan, before_month = before
        key_actions = len(actions) if before_plan == plan else Action.objects.filter(plan=before_plan).count()
        previous = Period(
            before_month, figures_by_plan[before_plan.pk].get(before_month) or count_statuses([]), key_actions
        )

    sections: list[tuple[str, list]] = []
    for action in actions:
        measure = action.measure
        priority = measure.priority
        if not sections or sections[-1][0] != priority.section:
            sections.append((priority.section, []))
        areas = sections[-1][1]
        if not areas or areas[-1][0] != priority.pk:
            heading = area_heading(priority.code, priority.title, priority.section, len(areas) + 1)
            areas.append((priority.pk, heading, []))
        groups = areas[-1][2]
        if not groups or groups[-1][0] != measure.pk:
            groups.append((measure.pk, measure.title, []))
        status, word = entered.get(action.pk, ("", ""))
        groups[-1][2].append(
            KeyActionRow(
                objective=measure.title,
                key_action=action.description,
                target_date=target_date_text(action),
                progress_measure=action.progress_measure,
                on_target=(word or words[status]) if status else "",
                status=status,
                accountability=" / ".join(lead.initials for lead in action.leads.all()),
                update=action.progress_update,
                ref=action.ref,
            )
        )
    return ProgressReport(
        plan_slug=plan.slug,
        plan_title=plan.title,
        organisation=plan.organisation.name,
        year_label=plan.year_label,
        month=month,
        period=period,
        previous=previous,
        words=words,
        sections=tuple(
            ReportSection(
                name,
                tuple(
                    PriorityArea(
                        heading, tuple(ObjectiveGroup(title, tuple(rows)) for _, title, rows in groups)
                    )
                    for _, heading, groups in areas
                ),
            )
            for name, areas in sections
        ),
        built_at=timezone.now(),
    )


def progress_report(plan: Plan, month: Month) -> ProgressReport:
    """The period's report as it should be shown: the published snapshot of a closed month (with
    what changed since), otherwise the live draft (``exception_report``'s rule and state)."""
    close = MonthClose.objects.filter(plan=plan, month=month.first_day).first()
    snapshot = close.snapshot.get(SNAPSHOT_KEY) if close is not None and close.is_closed else None
    state = month_state(plan, month, close, published=bool(snapshot))
    if snapshot:
        return ProgressReport.from_snapshot(snapshot, state)
    return replace(build_progress_report(plan, month), state=state)
