"""The PDFs a plan publishes, and their stored copies (``reports.models.Document``).

Each kind of document is built into plain frozen objects first (a fixed number of queries), then
laid out by ``reports.pdf``. This module says when a stored copy can be served, when it is stale
and when its latest render has failed or stalled, and it renders a document for the background
worker (``run_render``), swapping the new copy in once it is stored. Asking for a render (one in
hand per document, a limit per user, the published copies first) is ``reports.renders``, which
queues the task of ``reports.tasks``: the dependencies run renders -> tasks -> documents.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property, partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from cabinet.committee import CommitteePapers, committee_papers
from plans.models import (
    Action,
    ActionChange,
    IndicatorChange,
    MeasureChange,
    MeasureProgress,
    MonthClose,
    MonthlyStatus,
    Plan,
    ReportLayout,
)
from plans.periods import Month
from plans.status import LETTERS, LegendEntry, Status, status_legend
from reports.committee_report import Section, cmt_notes, committee_sections, meeting_date
from reports.exception_report import ExceptionReport, cached_exception_report, exception_report
from reports.models import Document
from reports.pdf import RenderedPDF, html_to_pdf
from reports.progress_report import ProgressReport, progress_report
from reports.recommendations import build_tracker
from reports.versions import rendering

log = logging.getLogger(__name__)

# How long a background render may take before the worker stops it (reports.tasks) and before a
# page stops waiting for it (a worker that died mid-render leaves its document RUNNING).
BACKGROUND_TIME_LIMIT = 300
# An open month's appendix and cover are rendered in the request while they are short: a few
# pages, well under this.
REQUEST_TIME_LIMIT = 20
# WeasyPrint lays out about 3.5 pages a second, and an exception block takes about a third of an
# A4 page: an appendix of up to this many blocks is ready in about 3 s on a quiet machine. A longer
# one holds a web thread and a core too long (25 s each under month-end load), so it goes to the
# background worker like the full plan.
REQUEST_RENDER_MAX_BLOCKS = 30
STALLED_AFTER = timedelta(seconds=BACKGROUND_TIME_LIMIT + 60)


# ---------------------------------------------------------------------------------------------
# The full plan as of a month (the Members' Room hard copy)


@dataclass(frozen=True)
class StripCell:
    """One month of an action's strip: its status (as of the report month) or a planned mark."""

    month: Month
    status: Status | None
    word: str
    planned: bool
    is_report_month: bool

    @property
    def letter(self) -> str:
        return LETTERS[self.status] if self.status else ""

    @property
    def css(self) -> str:
        return self.status.value.lower() if self.status else ""


@dataclass(frozen=True)
class PlanRow:
    ref: str
    description: str
    leads: str
    cells: tuple[StripCell, ...]
    corrective_action: str


@dataclass(frozen=True)
class MeasureRows:
    ref: str
    title: str
    rows: tuple[PlanRow, ...]
    progress_month: Month | None = None  # the month of the progress update shown, if any
    progress: str = ""  # the measure's progress update as at the document's month


@dataclass(frozen=True)
class PlanSection:
    code: str
    title: str
    expected_outcome: str
    measures: tuple[MeasureRows, ...]


@dataclass(frozen=True)
class FullPlan:
    plan_title: str
    organisation: str
    year_label: str
    month: Month
    months: tuple[Month, ...]
    sections: tuple[PlanSection, ...]
    legend: tuple[LegendEntry, ...]
    action_count: int
    is_draft: bool
    produced: date
    as_at: datetime  # when its figures were read

    @property
    def title(self) -> str:
        return f"{self.plan_title} as at {self.month.name}"

    @property
    def column_count(self) -> int:
        # ref, action, lead, the months, corrective action
        return len(self.months) + 4


def build_full_plan(plan: Plan, month: Month) -> FullPlan:
    """The whole plan with each action's month strip as it stood at the end of ``month``: statuses
    of that month and before, planned marks for the months after, and each measure's progress
    update as at ``month`` (its latest of that month or before). Queries: the actions with their
    measure and priority, leads, planned months, statuses (4), the status words (1), the progress
    updates (1), the close (1)."""
    as_at = timezone.now()
    plan._terms_cache = list(plan.status_terms.all())
    actions = list(Action.objects.filter(plan=plan).in_plan_order().with_grid())
    progress = {
        update.measure_id: update  # in month order: the last one kept is the latest
        for update in MeasureProgress.objects.filter(
            measure__priority__plan=plan, month__lte=month.first_day
        ).order_by("month")
    }
    months = tuple(plan.month_list)
    sections: list[PlanSection] = []
    by_priority: dict[int, dict[int, list[PlanRow]]] = {}
    priorities, measures = {}, {}
    for action in actions:
        measure = action.measure
        priorities[measure.priority_id] = measure.priority
        measures[measure.pk] = measure
        by_priority.setdefault(measure.priority_id, {}).setdefault(measure.pk, []).append(
            _plan_row(action, months, month, plan.status_word)
        )
    for priority_id, measure_rows in by_priority.items():
        priority = priorities[priority_id]
        sections.append(
            PlanSection(
                code=priority.code,
                title=priority.title,
                expected_outcome=priority.expected_outcome,
                measures=tuple(
                    MeasureRows(
                        ref=measures[m].ref,
                        title=measures[m].title,
                        rows=tuple(rows),
                        progress_month=progress[m].as_month if m in progress else None,
                        progress=progress[m].text if m in progress else "",
                    )
                    for m, rows in measure_rows.items()
                ),
            )
        )
    return FullPlan(
        plan_title=plan.title,
        organisation=plan.organisation.name,
        year_label=plan.year_label,
        month=month,
        months=months,
        sections=tuple(sections),
        legend=status_legend(plan.status_word),
        action_count=len(actions),
        is_draft=not MonthClose.objects.is_closed(plan, month),
        produced=timezone.localdate(as_at),
        as_at=as_at,
    )


def _plan_row(action: Action, months: tuple[Month, ...], as_of: Month, word_for) -> PlanRow:
    planned = set(action.planned_month_list)
    statuses = {Month.from_date(s.month): s for s in action.statuses.all()}
    cells = []
    for m in months:
        record = statuses.get(m) if m <= as_of else None
        status = Status(record.status) if record else None
        cells.append(
            StripCell(
                month=m,
                status=status,
                word=(record.word or word_for(status)) if record else "",  # the plan's own word
                planned=m in planned,
                is_report_month=m == as_of,
            )
        )
    return PlanRow(
        ref=action.ref,
        description=action.description,
        leads=action.lead_initials,
        cells=tuple(cells),
        corrective_action=action.corrective_action,
    )


# ---------------------------------------------------------------------------------------------
# The Cabinet appendix and the cover report: the month's exception report (reports.exception_report,
# the published snapshot for a closed month) laid out for print from the HTML report's partials.


@dataclass(frozen=True)
class ReportDocument:
    """Appendix 1 of seed 000: the progress table, the legend, the exception pages."""

    report: ExceptionReport

    @property
    def is_draft(self) -> bool:
        return self.report.state.is_draft

    @property
    def as_at(self) -> datetime:
        """When the figures were read: now for a draft, at the close for a published report."""
        return self.report.built_at

    @property
    def produced(self) -> date:
        # A closed month's copy is dated with its report, however late it is (re-)rendered.
        return timezone.localdate(self.as_at)

    @property
    def organisation(self) -> str:
        return self.report.organisation

    @property
    def title(self) -> str:
        return f"Exception Report for {self.report.month.name} Improvement Plan"


@dataclass(frozen=True)
class CoverDocument(ReportDocument):
    """The report to the committee of seed 000: the meeting, sections 1-15 and the plan's
    responsible people. ``papers`` is None only for a month published before the committee
    report was kept with the snapshot: its cover is sections 1-3, as it was published."""

    portfolio_holder: str = ""
    responsible_officer: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    papers: CommitteePapers | None = None

    @property
    def title(self) -> str:
        return f"Improvement Plan Exception Report [{self.report.month.name}]"

    @property
    def recommendation(self) -> str:
        """Section 2.2 of a cover published with sections 1-3 only."""
        return cmt_notes(self.report)

    @property
    def meeting_date(self) -> str:
        return meeting_date(self.papers.meeting.date) if self.papers and self.papers.meeting else ""

    @property
    def committee(self) -> str:
        return self.papers.committee.upper() if self.papers else ""

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        return committee_sections(self.report, self.papers) if self.papers else ()


@dataclass(frozen=True)
class ProgressDocument(ReportDocument):
    """Rotherham's progress report (seed 004, Appendix A) for the board: the period's counts
    beside the previous period's, then every key action by section and priority area."""

    report: ProgressReport

    @property
    def title(self) -> str:
        return f"{self.report.plan_title}: Progress Report {self.report.month.name}"


# The people the cover report names: the plan's settings, kept with the snapshot at a month's close.
COVER_PEOPLE = ("portfolio_holder", "responsible_officer", "contact_name", "contact_email", "contact_phone")


def cover_people(plan: Plan) -> dict[str, str]:
    return {name: getattr(plan, name) for name in COVER_PEOPLE}


def cover_snapshot(plan: Plan, month: Month) -> dict:
    """What the close keeps of the cover besides the report's figures: the people and the
    committee papers (meeting, written parts, corporate risks) exactly as published."""
    return {**cover_people(plan), "committee": committee_papers(plan, month).as_json()}


def build_appendix(plan: Plan, month: Month, *, wrote_at: float | None = None) -> ReportDocument:
    """``wrote_at`` (see ``reports.versions.cached_report``): from the kept report, as the report
    page is; otherwise built afresh."""
    return ReportDocument(report=_report(plan, month, wrote_at))


def _report(plan: Plan, month: Month, wrote_at: float | None) -> ExceptionReport:
    if wrote_at is None:
        return exception_report(plan, month)
    return cached_exception_report(plan, month, wrote_at=wrote_at)


def build_cover(plan: Plan, month: Month, *, wrote_at: float | None = None) -> CoverDocument:
    report = _report(plan, month, wrote_at)
    if report.state.is_closed:
        # As published, so a published cover rendered again (or its Word copy) is what the
        # committee read. A month closed before the people were kept has only today's settings;
        # one closed before the committee papers were kept is printed as it was, sections 1-3.
        published = (
            MonthClose.objects.filter(plan=plan, month=month.first_day)
            .values_list("snapshot__cover", flat=True)
            .first()
        ) or cover_people(plan)
        committee = published.get("committee")
        papers = CommitteePapers.from_json(committee) if committee else None
    else:
        published = cover_people(plan)
        papers = committee_papers(plan, month)
    people = {name: published.get(name, "") for name in COVER_PEOPLE}
    return CoverDocument(report=report, papers=papers, **people)


# Where a draft prints the time its figures were read ("Draft as at 14:32"). The fingerprint is
# taken with this mark in the time's place: the same figures read a minute later are the same
# draft, laid out once. User text reaches the HTML escaped, so it can never contain the mark.
AS_AT_MARK = mark_safe("<as-at/>")


def as_at_label(as_at: datetime) -> str:
    return timezone.localtime(as_at).strftime("%H:%M")


@dataclass(frozen=True)
class DocumentSource:
    """The HTML a document is laid out from, and its fingerprint. Two renders of the same HTML give
    the same PDF, so a stored draft whose fingerprint matches is served as it is: a draft is laid
    out again only when something it shows has changed (or the day it is dated has)."""

    marked_html: str  # with AS_AT_MARK where a draft prints the time of its figures
    blocks: int  # exception blocks: what makes an appendix too long to lay out in a request
    as_at: datetime

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.marked_html.encode()).hexdigest()

    @cached_property
    def html(self) -> str:
        return self.marked_html.replace(AS_AT_MARK, as_at_label(self.as_at))

    @property
    def fits_in_a_request(self) -> bool:
        return self.blocks <= REQUEST_RENDER_MAX_BLOCKS


def _source(template: str, doc: ReportDocument | FullPlan, blocks: int = 0) -> DocumentSource:
    context = {"doc": doc, "report": getattr(doc, "report", None), "as_at": AS_AT_MARK}
    return DocumentSource(marked_html=render_to_string(template, context), blocks=blocks, as_at=doc.as_at)


# A key action's row (its update often a paragraph) takes about half the height of an exception
# block: a progress report of up to twice REQUEST_RENDER_MAX_BLOCKS rows is laid out in the request.
PROGRESS_ROWS_PER_BLOCK = 2


def appendix_source(plan: Plan, month: Month, *, wrote_at: float | None = None) -> DocumentSource:
    """``wrote_at``: for a reader asking for the PDF (``PublishedDocumentView``), laid out from
    the kept report, its HTML and fingerprint kept with it, so that readers asking while officers
    save share one build (the worker builds its own afresh)."""
    if plan.report_layout == ReportLayout.PROGRESS:
        progress = ProgressDocument(report=progress_report(plan, month))
        rows = len(progress.report.rows)
        return _source("pdf/progress_report.html", progress, blocks=-(-rows // PROGRESS_ROWS_PER_BLOCK))
    doc = build_appendix(plan, month, wrote_at=wrote_at)
    blocks = sum(len(group.blocks) for group in doc.report.groups)
    if wrote_at is None:
        return _source("pdf/appendix.html", doc, blocks=blocks)
    return rendering(
        plan, month, doc.report, "appendix", lambda: _source("pdf/appendix.html", doc, blocks=blocks)
    )


def cover_source(plan: Plan, month: Month, *, wrote_at: float | None = None) -> DocumentSource:
    # The committee paper without the exception blocks (the appendix's): a few pages.
    return _source("pdf/cover.html", build_cover(plan, month, wrote_at=wrote_at))


def full_plan_source(plan: Plan, month: Month, *, wrote_at: float | None = None) -> DocumentSource:
    # Always rendered in the background (its size is the plan's, not the month's exceptions').
    return _source("pdf/full_plan.html", build_full_plan(plan, month))


def recommendations_source(plan: Plan, month: Month, *, wrote_at: float | None = None) -> DocumentSource:
    # A page or two for the seven recommendations of an inspection: laid out in the request.
    return _source("pdf/recommendations.html", build_tracker(plan, month))


# Each kind of document: how to build the HTML it is laid out from (``wrote_at`` given when a
# reader asks for it: only the appendix and cover, built from the report, read the kept report).
SOURCES = {
    Document.Kind.APPENDIX: appendix_source,
    Document.Kind.COVER: cover_source,
    Document.Kind.PLAN: full_plan_source,
    Document.Kind.RECOMMENDATIONS: recommendations_source,
}


def render_appendix(plan: Plan, month: Month, *, seconds: float | None) -> RenderedPDF:
    return html_to_pdf(appendix_source(plan, month).html, seconds=seconds)


def render_cover(plan: Plan, month: Month, *, seconds: float | None) -> RenderedPDF:
    return html_to_pdf(cover_source(plan, month).html, seconds=seconds)


def render_full_plan(plan: Plan, month: Month, *, seconds: float | None) -> RenderedPDF:
    return html_to_pdf(full_plan_source(plan, month).html, seconds=seconds)


# Kept when a month is closed, discarded when it is re-opened (reports.renders).
PUBLISHED_KINDS = (Document.Kind.APPENDIX, Document.Kind.COVER)


def kind_label(plan: Plan, kind: str) -> str:
    """What a document is called on its pages and in its file name: a progress-layout plan's
    appendix is its progress report."""
    if kind == Document.Kind.APPENDIX and plan.report_layout == ReportLayout.PROGRESS:
        return "Progress report"
    return Document.Kind(kind).label


def published_kinds(plan: Plan) -> tuple[str, ...]:
    """What a close publishes: the appendix and cover, or a progress-layout plan's progress report
    alone (laid out as the appendix: seed 004 has no committee cover of its own)."""
    if plan.report_layout == ReportLayout.PROGRESS:
        return (Document.Kind.APPENDIX,)
    return PUBLISHED_KINDS


# ---------------------------------------------------------------------------------------------
# Stored copies


def plan_last_changed(plan: Plan) -> datetime | None:
    """When anything a plan's PDFs show last changed: an action, a status, a recorded change, or a
    measure's progress update (each written with a ``MeasureChange``)."""
    stamps = [
        Action.objects.filter(plan=plan).aggregate(at=Max("updated_at"))["at"],
        MonthlyStatus.objects.in_plan(plan).aggregate(at=Max("set_at"))["at"],
        ActionChange.objects.filter(action__plan=plan).aggregate(at=Max("changed_at"))["at"],
        MeasureChange.objects.filter(measure__priority__plan=plan).aggregate(at=Max("changed_at"))["at"],
    ]
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


def find_document(plan: Plan, month: Month, kind: str) -> Document | None:
    return Document.objects.filter(plan=plan, month=month.first_day, kind=kind).first()


def is_stalled(document: Document, now: datetime | None = None) -> bool:
    """A render still waiting or running long after it was asked for: its worker died or is not
    running. The user is told and can ask again."""
    if document.state not in (Document.State.PENDING, Document.State.RUNNING):
        return False
    return (now or timezone.now()) - document.requested_at > STALLED_AFTER


def in_hand(document: Document) -> bool:
    """A render queued or running (and not stalled): a second request for the document joins it."""
    return document.state in (Document.State.PENDING, Document.State.RUNNING) and not is_stalled(document)


def has_failed(document: Document) -> bool:
    """The latest render failed or stalled: the reader is told, and may try again."""
    return document.state == Document.State.FAILED or is_stalled(document)


def is_current(document: Document, plan: Plan) -> bool:
    """A stored copy that can be served as it is: a published copy stands until the month is
    re-opened (whatever a render of it in hand does); another copy until the plan next changes."""
    if not document.file:
        return False
    if document.published:
        return True
    changed = plan_last_changed(plan)
    read = document.as_at or document.finished_at
    return changed is None or read is None or changed <= read


def is_current_draft(document: Document | None, source: DocumentSource) -> bool:
    """A stored draft appendix or cover laid out from exactly this HTML."""
    return (
        document is not None
        and not document.published
        and bool(document.file)
        and document.source_digest == source.digest
    )


def changes_since(document: Document) -> int:
    """The recorded changes a stored copy does not show: to the statuses of its month and the
    months before it, to the actions themselves, to the measures' progress updates of those
    months, or to the indicators' actuals of those months and their settings, made after its
    figures were read."""
    return (
        (
            ActionChange.objects.filter(action__plan_id=document.plan_id, changed_at__gt=document.as_at)
            .filter(Q(month__lte=document.month) | Q(month__isnull=True))
            .count()
        )
        + MeasureChange.objects.filter(
            measure__priority__plan_id=document.plan_id,
            changed_at__gt=document.as_at,
            month__lte=document.month,
        ).count()
        + IndicatorChange.objects.filter(indicator__plan_id=document.plan_id, changed_at__gt=document.as_at)
        .filter(Q(month__lte=document.month) | Q(month__isnull=True))
        .count()
    )


def keep_draft(plan: Plan, month: Month, kind: str, source: DocumentSource, rendered: RenderedPDF) -> None:
    """Keep a draft rendered in a request so the next reader of the same figures is served the
    file. Best effort: the reader already has the PDF, so a store that cannot be written is only
    logged. A month closed meanwhile keeps its published copy."""
    try:
        name = _write(plan, month, kind, rendered, source.as_at)
    except OSError:
        log.exception("A draft %s of %s %s could not be stored", kind, plan.slug, month)
        return
    with transaction.atomic():
        document, created = Document.objects.select_for_update().get_or_create(
            plan=plan, month=month.first_day, kind=kind
        )
        if document.published or MonthClose.objects.is_closed(plan, month):
            _delete_on_commit(name)
            return
        if created or not in_hand(document):
            document.state = Document.State.READY
            document.error = ""
        _swap_in(document, name, rendered, source)


def run_render(document: Document) -> Document:
    """Render a document now (called by the background task): read its figures, lay it out, store
    the new copy in a file of its own and swap it in. Until then readers are served the stored
    copy; the failure of a render is recorded, and leaves the stored copy as it was."""
    Document.objects.filter(pk=document.pk, task_id=document.task_id).update(state=Document.State.RUNNING)
    month = Month.from_date(document.month)
    try:
        source = SOURCES[document.kind](document.plan, month)
        rendered = html_to_pdf(source.html, seconds=BACKGROUND_TIME_LIMIT)
    except Exception as error:
        # Shown to the user, who can try again; the traceback goes to the worker's log.
        _failed(document, str(error) if str(error) else "The PDF could not be prepared.")
        raise
    try:
        name = _write(document.plan, month, document.kind, rendered, source.as_at)
    except OSError:
        # A full or unwritable document store: the report pages do not need it, so say so and
        # leave them working (issue 8's fault check).
        _failed(document, STORE_FAILED)
        raise
    with transaction.atomic():
        current = Document.objects.select_for_update().filter(pk=document.pk).first()
        if current is None or current.task_id != document.task_id:
            # Discarded (the month was re-opened) or asked for afresh while this one ran: the
            # newer request decides what is kept, and this file is nobody's.
            _delete_on_commit(name)
            return document
        current.state = Document.State.READY
        current.error = ""
        _swap_in(current, name, rendered, source)
    return current


STORE_FAILED = (
    "The PDF was prepared but could not be stored (the document store is full or cannot be "
    "written). The report itself is unaffected; tell the system administrator, then try again."
)


def _failed(document: Document, message: str) -> None:
    # Only this render's failure: a newer request for the document is left to run.
    Document.objects.filter(pk=document.pk, task_id=document.task_id).update(
        state=Document.State.FAILED, error=message
    )
    document.state, document.error = Document.State.FAILED, message


def _write(plan: Plan, month: Month, kind: str, rendered: RenderedPDF, as_at: datetime) -> str:
    """Store a rendered PDF under a name of its own (the stored copy stays where it is)."""
    field = Document._meta.get_field("file")
    name = field.generate_filename(None, f"{plan.slug}-{month}-{kind.lower()}-{as_at:%Y%m%d%H%M%S}.pdf")
    return field.storage.save(name, ContentFile(rendered.content))


def _swap_in(document: Document, name: str, rendered: RenderedPDF, source: DocumentSource) -> None:
    """Point the (locked) document at a newly stored file. The old file is deleted only once this
    commits: a reader who was given it is still served it, and a rollback keeps it."""
    old = document.file.name if document.file else ""
    document.file = name
    document.pages = rendered.pages
    document.as_at = source.as_at
    document.source_digest = source.digest
    document.finished_at = timezone.now()
    document.save()
    if old and old != name:
        _delete_on_commit(old)


def discard(plan: Plan, month: Month, kinds: list[str]) -> int:
    """Remove stored copies (a re-opened month's published PDFs), files included."""
    documents = list(Document.objects.filter(plan=plan, month=month.first_day, kind__in=kinds))
    for document in documents:
        discard_file(document)
        document.delete()
    return len(documents)


def discard_file(document: Document) -> None:
    """Forget the document's file, deleting it once the transaction commits (a rolled-back
    re-open must not lose the published copy)."""
    if document.file:
        _delete_on_commit(document.file.name)
        document.file = None


def _delete_on_commit(name: str) -> None:
    transaction.on_commit(partial(Document._meta.get_field("file").storage.delete, name))
