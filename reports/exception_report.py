"""The monthly exception report (seed 000) built once into frozen objects.

``exception_report(plan, month)`` is what the HTML page, the PDF appendix and the month close all
use: the live report of an open month (a draft), or for a closed month the report exactly as it was
published (the snapshot kept on ``MonthClose``) together with what has changed in the data since.

Every count comes from ``reports.builders`` and every percentage, rule and word from
``plans.status``; this module only arranges them in the order of the council's report. The
whole report is built in a fixed number of queries, whatever the size of the plan.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, prefetch_related_objects
from django.utils import timezone

from plans.history import HistoryEntry, action_history, display_name
from plans.models import (
    ActionChange,
    ChangeRequest,
    MonthClose,
    MonthEvent,
    MonthlyStatus,
    Plan,
    PlannedMonth,
)
from plans.periods import Month, to_month
from plans.selectors import IndicatorFigures, indicator_figures, leads_of
from plans.status import (
    COUNTED,
    EXCEPTIONS,
    INDICATOR_RAGS,
    LEGEND_ORDER,
    DirectionOfTravel,
    LegendEntry,
    Status,
    StatusCounts,
    count_statuses,
    direction_of_travel,
    marker_legend,
    percent_text,
    percentage,
    revised_date_text,
    status_legend,
)
from reports.builders import PriorityExceptions, exceptions_by_priority, month_figures, year_figures
from reports.versions import cached_report

# Stored with each snapshot, so that a later change of its layout can tell old snapshots apart.
# 2: each strip cell also says whether it is the revised date (an extension); version 1 snapshots
# have it worked out from the block's printed revised date (``_strip_from_snapshot``).
SNAPSHOT_VERSION = 2
# A closed month's report lists at most this many of the changes made since; the total is given.
CHANGES_SHOWN = 50


# ---------------------------------------------------------------------------------------------
# The parts of the report


@dataclass(frozen=True)
class ProgressCell:
    """One month of the progress table; ``figures`` is None for a month not yet reported (blank)."""

    month: Month
    figures: StatusCounts | None


@dataclass(frozen=True)
class ProgressRow:
    """A row of Appendix 1 page 1: the n-th month of this plan year beside the n-th of the previous."""

    current: ProgressCell | None
    previous: ProgressCell | None


@dataclass(frozen=True)
class StripCell:
    """One month of an action's plan row (the July-June strip)."""

    month: Month
    status: str = ""  # a Status value, or "" when the action has no status that month
    planned: bool = False
    original: bool = False  # the original date of the planned action
    reprogrammed: bool = False  # the approved re-programmed date
    revised: bool = False  # the revised date a lead gave without an approved re-programme (extension)


@dataclass(frozen=True)
class ExceptionBlock:
    """One exception of seed 000's appendix: the block, then the action's measure and plan row."""

    ref: str
    description: str
    status: str  # AMBER, RED, or SUSP for an action suspended this month
    corrective_action: str  # this month's
    who: str
    original_date: str
    revised_date: str
    measure_ref: str
    measure_title: str
    plan_corrective_action: str
    strip: tuple[StripCell, ...]

    @property
    def is_exception(self) -> bool:
        """AMBER or RED; a suspension is shown but is not counted among the exceptions."""
        return self.status in EXCEPTIONS

    @property
    def suspended(self) -> bool:
        return self.status == Status.SUSP


@dataclass(frozen=True)
class PriorityGroup:
    code: str
    title: str
    blocks: tuple[ExceptionBlock, ...]


@dataclass(frozen=True)
class ChangedActions:
    """A row of section 3.4: actions re-programmed or suspended with approval this month."""

    refs: str
    action: str
    reason: str
    status: str  # REPRO or SUSP


@dataclass(frozen=True)
class Check:
    """One line of the consistency check that runs with every report."""

    name: str
    expected: int
    found: int

    @property
    def passed(self) -> bool:
        return self.expected == self.found


@dataclass(frozen=True)
class MonthHistory:
    """A close or re-open of the month."""

    kind: str  # MonthEvent.Kind value
    by: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class DataChange:
    """A change to the plan's data made after the month was closed."""

    ref: str
    field: str
    month: Month | None
    old: str
    new: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ReportState:
    """Draft, closed (published) or re-opened, and what happened to the month."""

    DRAFT = "DRAFT"
    CLOSED = "CLOSED"
    REOPENED = "REOPENED"

    state: str = DRAFT
    history: tuple[MonthHistory, ...] = ()
    # For a closed month: the live figures now, and what changed since it was closed.
    live_figures: StatusCounts | None = None
    changes_since: tuple[DataChange, ...] = ()
    changes_since_total: int = 0
    # The same changes in plain English, one entry per save or decision (``plans.history``).
    changes_since_entries: tuple[HistoryEntry, ...] = ()

    @property
    def is_draft(self) -> bool:
        return self.state != self.CLOSED

    @property
    def is_closed(self) -> bool:
        return self.state == self.CLOSED

    @property
    def last_close(self) -> MonthHistory | None:
        return next((h for h in reversed(self.history) if h.kind == MonthEvent.Kind.CLOSED), None)

    @property
    def last_reopen(self) -> MonthHistory | None:
        return next((h for h in reversed(self.history) if h.kind == MonthEvent.Kind.REOPENED), None)

    @property
    def data_changed(self) -> bool:
        return self.changes_since_total > 0

    def published_json(self) -> dict:
        """A closed month's note in the JSON: who closed it and when, and what changed since."""
        live = self.live_figures
        close = self.last_close
        return {
            "closed_at": close.at.isoformat() if close else None,
            "closed_by": close.by if close else None,
            "changes_since": self.changes_since_total,
            "counts_now": live.as_json()["counts"] if live is not None else None,
            "changes": [
                {
                    "ref": c.ref,
                    "month": str(c.month) if c.month else None,
                    "what": c.field,
                    "was": c.old,
                    "now": c.new,
                    "by": c.by,
                    "at": c.at.isoformat(),
                }
                for c in self.changes_since
            ],
        }


class _MonthFigures:
    """What the month's figures say, for ``ExceptionReport`` and ``ReportSummary`` alike (both
    hold ``plan_slug``, ``month``, ``figures``, ``words``, ``exceptions_by_priority``,
    ``indicators`` and ``state``): the one place summary.json is written."""

    def word(self, status: str) -> str:
        return self.words.get(str(status), Status(status).label)

    # -- indicators ------------------------------------------------------------------------------

    @property
    def indicator_counts(self) -> dict[str, int]:
        """How many of the month's indicators are GREEN, AMBER and RED (an indicator without an
        actual or a target has no RAG and is in none)."""
        return {s.value: sum(1 for i in self.indicators if i.rag == s) for s in INDICATOR_RAGS}

    @property
    def direction_of_travel(self) -> DirectionOfTravel:
        """Against the same month last year, as councils report it (``plans.status``)."""
        return direction_of_travel(i.trend_year or None for i in self.indicators)

    def indicators_json(self) -> dict:
        return {
            "total": len(self.indicators),
            "counts": self.indicator_counts,
            "improving": self.direction_of_travel.as_json(),
        }

    # -- JSON: summary.json and ``report_summary --format json`` --------------------------------

    def as_json(self) -> dict:
        """The month's figures as JSON: for a closed month the published figures, with what
        changed since exactly as the page shows it."""
        data = {
            "plan": self.plan_slug,
            "month": str(self.month),
            **self.figures.as_json(),
            "exceptions_by_priority": [
                {"priority": row.code, "title": row.title, "AMBER": row.amber, "RED": row.red}
                for row in self.exceptions_by_priority
            ],
            "indicators": self.indicators_json(),
        }
        if any(word != Status(status).label for status, word in self.words.items()):
            # A plan with its own status words (Rotherham's "Slipped"): what each count is called.
            # Only then, so the JSON of a plan in the standard words keeps its keys as they were.
            data["words"] = dict(self.words)
        if self.state.is_closed:
            # Only a published month carries this note, so a draft's JSON keeps its keys as they were.
            data["published"] = self.state.published_json()
        return data


@dataclass(frozen=True)
class ReportSummary(_MonthFigures):
    """The month's figures without the report's parts listed one by one (exceptions, changes,
    progress table, checks): all that summary.json shows, built from the counts alone
    (``report_summary``), as readers ask for it again and again while officers save."""

    plan_slug: str
    month: Month
    figures: StatusCounts
    words: dict[str, str]
    exceptions_by_priority: tuple[PriorityExceptions, ...]
    indicators: tuple[IndicatorFigures, ...] = ()
    state: ReportState = field(default_factory=ReportState)

    @classmethod
    def from_snapshot(cls, data: dict, state: ReportState | None = None) -> ReportSummary:
        return cls(**_summary_from_snapshot(data), state=state or ReportState())


@dataclass(frozen=True)
class ExceptionReport(_MonthFigures):
    """Everything the month's exception report shows, in the order of seed 000."""

    plan_slug: str
    plan_title: str
    organisation: str
    year_label: str
    previous_year_label: str
    month: Month
    figures: StatusCounts
    words: dict[str, str]  # status value -> the plan's own word for it
    exceptions_by_priority: tuple[PriorityExceptions, ...]
    changed_actions: tuple[ChangedActions, ...]
    progress: tuple[ProgressRow, ...]
    groups: tuple[PriorityGroup, ...]
    checks: tuple[Check, ...]
    built_at: datetime
    state: ReportState = field(default_factory=ReportState)
    # The indicators collected in the month, in plan order (issue 17); a snapshot published before
    # indicators existed has none.
    indicators: tuple[IndicatorFigures, ...] = ()

    # -- figures -------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self.figures.total

    @property
    def reprogrammed_or_suspended_percent(self) -> Decimal:
        return percentage(self.figures.reprogrammed_or_suspended, self.figures.total)

    @property
    def summary_sentence(self) -> str:
        """Section 2.2 of the cover report, generated from the figures."""
        f = self.figures

        def pct(status: Status) -> str:
            return percent_text(f.percent(status), compact=True) + "%"

        return (
            f"For the {f.total} actions highlighted for {self.month.month_name} within the plan "
            f"{pct(Status.GREEN)} of the Improvement Plan is on target [{self.word(Status.GREEN).lower()}], "
            f"{pct(Status.AMBER)} is one month behind [{self.word(Status.AMBER).lower()}] and "
            f"{pct(Status.RED)} is over one month behind [{self.word(Status.RED).lower()}]. "
            f"{percent_text(self.reprogrammed_or_suspended_percent, compact=True)}% of actions have been "
            "reprogrammed or suspended with approval."
        )

    @property
    def ambers_by_priority(self) -> tuple[PriorityExceptions, ...]:
        return tuple(row for row in self.exceptions_by_priority if row.amber)

    @property
    def reds_by_priority(self) -> tuple[PriorityExceptions, ...]:
        return tuple(row for row in self.exceptions_by_priority if row.red)

    @property
    def exception_count(self) -> int:
        return sum(1 for g in self.groups for b in g.blocks if b.is_exception)

    @property
    def consistent(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def is_final(self) -> bool:
        """Published figures: the month is closed and the report passed its consistency check."""
        return self.state.is_closed and self.consistent

    @property
    def legend(self) -> tuple[LegendEntry, ...]:
        return status_legend(self.word, LEGEND_ORDER) + marker_legend(STRIP_MARKERS)

    @property
    def month_list(self) -> tuple[Month, ...]:
        """This plan year's months, as the strip's column headings."""
        return tuple(row.current.month for row in self.progress if row.current)

    @property
    def live_differs(self) -> bool:
        """A closed month whose live counts are no longer those published."""
        live = self.state.live_figures
        return live is not None and live.counts != self.figures.counts

    # -- indicators (their counts and the JSON: ``_MonthFigures``) --------------------------------

    @property
    def indicators_without_rag(self) -> int:
        return sum(1 for i in self.indicators if not i.rag)

    @property
    def indicator_exceptions(self) -> tuple[IndicatorFigures, ...]:
        """The RED and AMBER indicators, in plan order: the appendix shows each with its chart."""
        return tuple(i for i in self.indicators if i.is_exception)

    # -- the snapshot kept when the month is closed --------------------------------------------

    def as_snapshot(self) -> dict:
        """The published report as JSON (everything but its state, which is the month's)."""
        return {
            "version": SNAPSHOT_VERSION,
            "plan_slug": self.plan_slug,
            "plan_title": self.plan_title,
            "organisation": self.organisation,
            "year_label": self.year_label,
            "previous_year_label": self.previous_year_label,
            "month": str(self.month),
            "figures": _counts_json(self.figures),
            "words": dict(self.words),
            "exceptions_by_priority": [
                [r.code, r.title, r.amber, r.red] for r in self.exceptions_by_priority
            ],
            "changed_actions": [[c.refs, c.action, c.reason, c.status] for c in self.changed_actions],
            "progress": [[_cell_json(r.current), _cell_json(r.previous)] for r in self.progress],
            "groups": [
                {
                    "code": g.code,
                    "title": g.title,
                    "blocks": [
                        {
                            "ref": b.ref,
                            "description": b.description,
                            "status": b.status,
                            "corrective_action": b.corrective_action,
                            "who": b.who,
                            "original_date": b.original_date,
                            "revised_date": b.revised_date,
                            "measure_ref": b.measure_ref,
                            "measure_title": b.measure_title,
                            "plan_corrective_action": b.plan_corrective_action,
                            "strip": [
                                [str(c.month), c.status, c.planned, c.original, c.reprogrammed, c.revised]
                                for c in b.strip
                            ],
                        }
                        for b in g.blocks
                    ],
                }
                for g in self.groups
            ],
            "checks": [[c.name, c.expected, c.found] for c in self.checks],
            "built_at": self.built_at.isoformat(),
            "indicators": [i.as_dict() for i in self.indicators],
        }

    @classmethod
    def from_snapshot(cls, data: dict, state: ReportState | None = None) -> ExceptionReport:
        return cls(
            **_summary_from_snapshot(data),
            plan_title=data["plan_title"],
            organisation=data["organisation"],
            year_label=data["year_label"],
            previous_year_label=data["previous_year_label"],
            changed_actions=tuple(ChangedActions(*row) for row in data["changed_actions"]),
            progress=progress_from_snapshot(data),
            groups=tuple(
                PriorityGroup(
                    code=g["code"],
                    title=g["title"],
                    blocks=tuple(
                        ExceptionBlock(
                            **{k: v for k, v in b.items() if k != "strip"},
                            strip=_strip_from_snapshot(b["strip"], b["revised_date"]),
                        )
                        for b in g["blocks"]
                    ),
                )
                for g in data["groups"]
            ),
            checks=tuple(Check(*row) for row in data["checks"]),
            built_at=datetime.fromisoformat(data["built_at"]),
            state=state or ReportState(),
        )


def _summary_from_snapshot(data: dict) -> dict:
    """The fields of ``ReportSummary`` (and of ``ExceptionReport``) kept in a snapshot."""
    return {
        "plan_slug": data["plan_slug"],
        "month": Month.parse(data["month"]),
        "figures": counts_from_json(data["figures"]),
        "words": dict(data["words"]),
        "exceptions_by_priority": tuple(PriorityExceptions(*row) for row in data["exceptions_by_priority"]),
        # A snapshot published before indicators existed has none.
        "indicators": tuple(IndicatorFigures.from_dict(i) for i in data.get("indicators", ())),
    }


def _strip_from_snapshot(cells: list[list], revised_date: str) -> tuple[StripCell, ...]:
    """A block's strip as published. Snapshots before version 2 did not keep the revised-date mark;
    it is the month the block printed as its revised date (text written from the same action at
    the close), unless an approved re-programme already marks that month."""
    strip = [StripCell(Month.parse(cell[0]), *cell[1:]) for cell in cells]
    if cells and len(cells[0]) < 6 and not any(c.reprogrammed for c in strip):
        strip = [replace(c, revised=c.month.short == revised_date) for c in strip]
    return tuple(strip)


def _counts_json(figures: StatusCounts) -> dict[str, int]:
    return {s.value: figures.count(s) for s in COUNTED}


def counts_from_json(data: dict[str, int]) -> StatusCounts:
    return StatusCounts({s: int(data.get(s.value, 0)) for s in COUNTED})


def _cell_json(cell: ProgressCell | None):
    if cell is None:
        return None
    return [str(cell.month), _counts_json(cell.figures) if cell.figures is not None else None]


def progress_from_snapshot(snapshot: dict) -> tuple[ProgressRow, ...]:
    """The progress table of a published report, from its snapshot (``MonthClose.snapshot``)."""
    return tuple(ProgressRow(_cell_from_json(c), _cell_from_json(p)) for c, p in snapshot["progress"])


def _cell_from_json(data) -> ProgressCell | None:
    if data is None:
        return None
    month, counts = data
    return ProgressCell(Month.parse(month), counts_from_json(counts) if counts is not None else None)


# ---------------------------------------------------------------------------------------------
# Building


def _words(plan: Plan) -> dict[str, str]:
    # One query for the plan's words, not one per status.
    prefetch_related_objects([plan], "status_terms")
    return {s.value: plan.status_word(s) for s in COUNTED}


def _progress(plan: Plan, month: Month) -> tuple[ProgressRow, ...]:
    previous_plan = plan.previous_plan
    return progress_rows(
        plan, month, year_figures(plan), year_figures(previous_plan) if previous_plan else {}
    )


def progress_rows(
    plan: Plan, month: Month, current: dict[Month, StatusCounts], previous: dict[Month, StatusCounts]
) -> tuple[ProgressRow, ...]:
    """Both plan years side by side (``builders.year_figures`` of the plan and of its previous
    plan); this year's months after the report month are blank."""
    previous_plan = plan.previous_plan
    this_months = plan.month_list
    previous_months = previous_plan.month_list if previous_plan else []
    rows = []
    for i in range(max(len(this_months), len(previous_months))):
        this_cell = prev_cell = None
        if i < len(this_months):
            m = this_months[i]
            this_cell = ProgressCell(m, current.get(m) if m <= month else None)
        if i < len(previous_months):
            m = previous_months[i]
            prev_cell = ProgressCell(m, previous.get(m))
        rows.append(ProgressRow(this_cell, prev_cell))
    return tuple(rows)


class _Record(NamedTuple):
    """A status the report lists (``LISTED``) with what its block, section 3.4 and the grouping by
    priority need of its action, measure and priority: one row of plain values, not three model
    instances (a large plan lists hundreds)."""

    action_id: int
    status: str
    corrective_action: str  # this month's
    ref: str
    description: str
    original_target: date | None
    revised_target: date | None
    reprogrammed: bool
    plan_corrective_action: str  # the action's own, from the plan
    measure_id: int
    measure_ref: str
    measure_title: str
    priority_id: int
    priority_code: str
    priority_title: str
    priority_position: int


_RECORD_FIELDS = (
    "action_id",
    "status",
    "corrective_action",
    "action__ref",
    "action__description",
    "action__original_target",
    "action__revised_target",
    "action__reprogrammed",
    "action__corrective_action",
    "action__measure_id",
    "action__measure__ref",
    "action__measure__title",
    "action__measure__priority_id",
    "action__measure__priority__code",
    "action__measure__priority__title",
    "action__measure__priority__position",
)


@dataclass
class _Listed:
    """The month's statuses that the report shows one by one (exceptions, re-programmes,
    suspensions) and what their blocks need, each fetched in one query as plain values."""

    records: list[_Record]
    # Keyed by the stored first day of the month: thousands of rows, so no Month built for each.
    statuses: dict[int, dict[date, str]]  # action id -> month -> status, the whole plan year
    planned: dict[int, set[date]]
    reasons: dict[tuple[int, str], str]  # (action id, request kind) -> the approved request's reason
    suspension_asked: set[int]  # actions with a suspension awaiting approval
    leads: dict[int, str]  # action id -> "PS /PM", as ``Action.lead_initials`` writes them


def _listed(plan: Plan, month: Month) -> _Listed:
    shown = MonthlyStatus.objects.in_plan(plan).in_month(month).filter(status__in=LISTED)
    records = list(
        map(_Record._make, shown.order_by("action__position", "action_id").values_list(*_RECORD_FIELDS))
    )
    # The other rows are selected by a subquery of the same statuses, never a list of ids.
    ids = shown.values("action_id")
    # Unordered (``order_by()``): read into mappings, so the models' ordering would only add the
    # joins and the sort it needs.
    statuses: dict[int, dict[date, str]] = {}
    for action_id, day, status in (
        MonthlyStatus.objects.filter(action_id__in=ids).order_by().values_list("action_id", "month", "status")
    ):
        statuses.setdefault(action_id, {})[day] = status
    planned: dict[int, set[date]] = {}
    for action_id, day in (
        PlannedMonth.objects.filter(action_id__in=ids).order_by().values_list("action_id", "month")
    ):
        planned.setdefault(action_id, set()).add(day)
    reasons: dict[tuple[int, str], str] = {}
    suspension_asked: set[int] = set()
    for action_id, kind, reason, state, day in (
        ChangeRequest.objects.filter(
            action_id__in=ids, state__in=(ChangeRequest.State.APPROVED, ChangeRequest.State.PENDING)
        )
        .order_by("-month", "-id")
        .values_list("action_id", "kind", "reason", "state", "month")
    ):
        if state == ChangeRequest.State.APPROVED:
            reasons.setdefault((action_id, kind), reason)  # the latest approval of each kind
        elif kind == ChangeRequest.Kind.SUSPENSION and day <= month.first_day:
            suspension_asked.add(action_id)
    leads = leads_of(ids, as_written=False)  # the order ``Action.lead_initials`` reads them in
    return _Listed(records, statuses, planned, reasons, suspension_asked, leads)


# The statuses whose actions the report names one by one.
LISTED = (*EXCEPTIONS, Status.REPRO, Status.SUSP)
# The marks of the strip, as the plan page prints them (``plans.status.MARKERS``) and the legend lists them.
STRIP_MARKERS = ("planned", "original", "revised", "reprogrammed")


class _Strips:
    """The July-June strips of one report's actions. Cells and strips are frozen, so each different
    cell and strip is built once and shared: most months of a strip have neither a status nor a
    mark (the month's blank cell), and a large plan's strips are mostly alike, which the page then
    renders once each (``report_tags.strip_cells``)."""

    def __init__(self, months: list[Month]):
        # Each month with its first day (as the statuses and planned months are keyed) and its blank cell.
        self.months = [(m, m.first_day, StripCell(month=m)) for m in months]
        self.cells: dict[tuple, StripCell] = {}
        # Keyed by their cells' ids: the cells are kept (``cells``), so an id is never reused meanwhile.
        self.strips: dict[tuple[int, ...], tuple[StripCell, ...]] = {}
        # Keyed by everything a strip is made from: an action like one before takes its strip.
        self.made: dict[tuple, tuple[StripCell, ...]] = {}

    def strip(self, record: _Record, listed: _Listed) -> tuple[StripCell, ...]:
        statuses = listed.statuses.get(record.action_id, {})
        planned = listed.planned.get(record.action_id, ())
        original = record.original_target
        revised = record.revised_target
        reprogrammed = record.reprogrammed
        made_from = (tuple(statuses.items()), tuple(planned), original, revised, reprogrammed)
        strip = self.made.get(made_from)
        if strip is None:
            strip = self.made[made_from] = self._strip(statuses, planned, original, revised, reprogrammed)
        return strip

    def _strip(self, statuses, planned, original, revised, reprogrammed) -> tuple[StripCell, ...]:
        cells = []
        for m, day, blank in self.months:
            if day in statuses or day in planned or day in (original, revised):
                marks = (
                    statuses.get(day, ""),
                    day in planned,
                    day == original,
                    reprogrammed and day == revised,  # the approved re-programmed date
                    not reprogrammed and day == revised,  # an extension
                )
                key = (day, *marks)
                cell = self.cells.get(key)
                if cell is None:
                    cell = self.cells[key] = StripCell(m, *marks)
                cells.append(cell)
            else:
                cells.append(blank)
        strip = tuple(cells)
        return self.strips.setdefault(tuple(map(id, strip)), strip)


def _new_this_month(record: _Record, month: Month, listed: _Listed) -> bool:
    """Re-programmed or suspended in this month, not carried over from the month before."""
    return listed.statuses.get(record.action_id, {}).get((month - 1).first_day) != record.status


def _reason(record: _Record, listed: _Listed) -> str:
    kind = ChangeRequest.Kind.SUSPENSION if record.status == Status.SUSP else ChangeRequest.Kind.REPROGRAMME
    reason = listed.reasons.get((record.action_id, kind))
    return reason or record.corrective_action or record.plan_corrective_action


def _changed_actions(records: list[_Record], listed: _Listed) -> tuple[ChangedActions, ...]:
    """Section 3.4: one row per measure and reason, refs joined as the council writes them
    ("5.4.1, 5.4.2, 5.4.3, 5.4.7")."""
    grouped: dict[tuple, list[_Record]] = {}
    for record in records:
        key = (record.status, record.measure_id, _reason(record, listed))
        grouped.setdefault(key, []).append(record)
    rows = []
    for (status, _measure, reason), actions in grouped.items():
        text = actions[0].description if len(actions) == 1 else actions[0].measure_title
        rows.append(ChangedActions(", ".join(a.ref for a in actions), text, reason, status))
    return tuple(rows)


def _block(strips: _Strips, record: _Record, listed: _Listed) -> ExceptionBlock:
    suspended = record.status == Status.SUSP
    return ExceptionBlock(
        ref=record.ref,
        description=record.description,
        status=record.status,
        corrective_action=record.corrective_action,
        who=listed.leads.get(record.action_id, ""),
        original_date=_original_date(record.original_target),
        revised_date=_revised_date(
            record.revised_target, suspended, record.action_id in listed.suspension_asked
        ),
        measure_ref=record.measure_ref,
        measure_title=record.measure_title,
        plan_corrective_action=record.plan_corrective_action,
        strip=strips.strip(record, listed),
    )


# A block's dates as printed, worked out once for each date (a large plan's actions share a few).
@functools.lru_cache(maxsize=256)
def _original_date(day: date | None) -> str:
    return to_month(day).short if day else ""


@functools.lru_cache(maxsize=256)
def _revised_date(day: date | None, suspended: bool, suspension_asked: bool) -> str:
    return revised_date_text(revised=to_month(day), suspended=suspended, suspension_asked=suspension_asked)


def build_exception_report(plan: Plan, month: Month) -> ExceptionReport:
    """The live report of ``month``, whatever the month's state (``exception_report`` adds it)."""
    progress = _progress(plan, month)
    this_row = next(row for row in progress if row.current and row.current.month == month)
    figures = this_row.current.figures or count_statuses([])
    by_priority = exceptions_by_priority(plan, month)

    groups: dict[int, tuple] = {}
    changed = []
    exception_rows = 0
    listed = _listed(plan, month)
    strips = _Strips(plan.month_list)
    for record in listed.records:
        if record.status in EXCEPTIONS:
            exception_rows += 1
        elif _new_this_month(record, month, listed):
            changed.append(record)
            if record.status != Status.SUSP:
                # Approved re-programmes do not appear on the exception report (seed 000 legend).
                continue
        else:
            continue
        priority = (record.priority_position, record.priority_id, record.priority_code, record.priority_title)
        groups.setdefault(record.priority_id, (priority, []))[1].append(_block(strips, record, listed))

    independent_total = MonthlyStatus.objects.in_plan(plan).in_month(month).count()
    checks = (
        Check("Counts add up to the number of actions", independent_total, figures.total),
        Check(
            "Exceptions listed equal the AMBER and RED count",
            figures.count(Status.AMBER) + figures.count(Status.RED),
            exception_rows,
        ),
        Check(
            "Ambers by priority add up to the AMBER count",
            figures.count(Status.AMBER),
            sum(row.amber for row in by_priority),
        ),
        Check(
            "Reds by priority add up to the RED count",
            figures.count(Status.RED),
            sum(row.red for row in by_priority),
        ),
    )
    # In plan order: the priorities' positions, then their ids.
    ordered = sorted(groups.values(), key=lambda item: item[0][:2])
    previous = plan.previous_plan
    return ExceptionReport(
        plan_slug=plan.slug,
        plan_title=plan.title,
        organisation=plan.organisation.name,
        year_label=plan.year_label,
        previous_year_label=previous.year_label if previous else "",
        month=month,
        figures=figures,
        words=_words(plan),
        exceptions_by_priority=by_priority,
        changed_actions=_changed_actions(changed, listed),
        progress=progress,
        groups=tuple(PriorityGroup(code, title, tuple(blocks)) for (_, _, code, title), blocks in ordered),
        checks=checks,
        built_at=timezone.now(),
        indicators=tuple(indicator_figures(plan, month)),
    )


def build_summary(plan: Plan, month: Month) -> ReportSummary:
    """The live figures of ``month`` (``report_summary`` adds its state): the same counts as
    ``build_exception_report``'s, read as grouped aggregates, without the report's listed parts."""
    return ReportSummary(
        plan_slug=plan.slug,
        month=month,
        figures=month_figures(plan, month),
        words=_words(plan),
        exceptions_by_priority=exceptions_by_priority(plan, month),
        indicators=tuple(indicator_figures(plan, month)),
    )


def _user_name(user) -> str:
    return "(deleted user)" if user is None else display_name(user)


def _history(plan: Plan, month: Month) -> tuple[MonthHistory, ...]:
    events = MonthEvent.objects.filter(plan=plan, month=month.first_day).select_related("by")
    return tuple(MonthHistory(e.kind, _user_name(e.by), e.at, e.reason) for e in events)


def _changes_since(
    plan: Plan, month: Month, mark: int
) -> tuple[tuple[DataChange, ...], int, tuple[HistoryEntry, ...]]:
    """Changes to this month's statuses, or to the actions themselves, made after the close:
    history rows after the close's mark (``MonthClose.history_mark``), and the same in words."""
    changes = (
        ActionChange.objects.filter(action__plan=plan, pk__gt=mark)
        .filter(Q(month=month.first_day) | Q(month__isnull=True))
        .select_related("action", "changed_by__lead")
        .order_by("changed_at", "id")
    )
    rows = list(changes[:CHANGES_SHOWN])
    prefetch_related_objects([plan], "status_terms")  # the plan's status words, in one query
    shown = [
        DataChange(
            ref=c.action.ref,
            field=c.field,
            month=to_month(c.month),
            old=c.old_value,
            new=c.new_value,
            by=_user_name(c.changed_by),
            at=c.changed_at,
        )
        for c in rows
    ]
    total = len(shown) if len(shown) < CHANGES_SHOWN else changes.count()
    return tuple(shown), total, tuple(action_history(rows, plan.status_word))


def month_state(plan: Plan, month: Month, close: MonthClose | None, *, published: bool) -> ReportState:
    """The month's state as a report shows it, from its close (if any). ``published``: the close
    holds the report's snapshot, which is shown with the live figures and what changed since."""
    history = _history(plan, month) if close else ()
    if close is None:
        return ReportState(history=history)
    if not close.is_closed:
        return ReportState(state=ReportState.REOPENED, history=history)
    if not published:
        # Closed without a snapshot (not by ``close_month``): nothing frozen to show, so the live
        # figures, still marked as published.
        return ReportState(state=ReportState.CLOSED, history=history)
    changes, total, entries = _changes_since(plan, month, close.history_mark)
    return ReportState(
        state=ReportState.CLOSED,
        history=history,
        live_figures=month_figures(plan, month),
        changes_since=changes,
        changes_since_total=total,
        changes_since_entries=entries,
    )


def exception_report(plan: Plan, month: Month) -> ExceptionReport:
    """The month's report as it should be shown: the published snapshot of a closed month (with
    what changed since), otherwise the live draft."""
    return _exception_report(plan, month)[0]


def cached_exception_report(plan: Plan, month: Month, *, wrote_at: float = 0) -> ExceptionReport:
    """``exception_report``, kept while nothing it shows has changed since it was built, and a
    draft a few seconds longer while officers save (``reports.versions.cached_report``; its
    ``built_at`` says when its figures were read). ``wrote_at``: when the reader last wrote, so
    that they see their own write."""
    return cached_report(plan, month, lambda: _exception_report(plan, month), wrote_at=wrote_at)


def _exception_report(plan: Plan, month: Month) -> tuple[ExceptionReport, bool]:
    """The report, and whether it is built from the live data (not a published snapshot)."""
    state, snapshot = _month_as_published(plan, month)
    if snapshot:
        return ExceptionReport.from_snapshot(snapshot, state), False
    return replace(build_exception_report(plan, month), state=state), True


def report_summary(plan: Plan, month: Month) -> ReportSummary:
    """The month's figures as ``exception_report`` gives them (a closed month's as published, with
    what changed since; otherwise the live draft's), without building the report's listed parts:
    summary.json."""
    state, snapshot = _month_as_published(plan, month)
    if snapshot:
        return ReportSummary.from_snapshot(snapshot, state)
    return replace(build_summary(plan, month), state=state)


def _month_as_published(plan: Plan, month: Month) -> tuple[ReportState, dict | None]:
    """The month's state, and the snapshot of the report published when it was closed (None
    while it is not closed)."""
    close = MonthClose.objects.filter(plan=plan, month=month.first_day).first()
    snapshot = close.snapshot if close is not None and close.is_closed else None
    return month_state(plan, month, close, published=bool(snapshot)), snapshot
