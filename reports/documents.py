"""The PDFs a plan publishes, and the lifecycle of their stored copies (``reports.models.Document``).

Each kind of document is built into plain frozen objects first (a fixed number of queries), then
laid out by ``reports.pdf``. A document that takes too long for a request (the full plan, the
copies kept at a month's close, a long draft appendix) is rendered by the background task
``reports.tasks.render_document``; this module says when a stored copy can be served, when it must be rendered again, and when a
render has failed or run out of time.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from plans.models import Action, ActionChange, MonthClose, MonthlyStatus, Plan
from plans.periods import Month
from plans.status import COUNTED, LETTERS, MEANINGS, Status
from reports.exception_report import ExceptionReport, exception_report
from reports.models import Document
from reports.pdf import RenderedPDF, html_to_pdf

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


@dataclass(frozen=True)
class PlanSection:
    code: str
    title: str
    expected_outcome: str
    measures: tuple[MeasureRows, ...]


@dataclass(frozen=True)
class LegendEntry:
    status: Status
    word: str
    letter: str
    meaning: str

    @property
    def css(self) -> str:
        return self.status.value.lower()


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

    @property
    def title(self) -> str:
        return f"{self.plan_title} as at {self.month.name}"

    @property
    def column_count(self) -> int:
        # ref, action, lead, the months, corrective action
        return len(self.months) + 4


def legend_for(plan: Plan) -> tuple[LegendEntry, ...]:
    return tuple(
        LegendEntry(status=s, word=plan.status_word(s), letter=LETTERS[s], meaning=MEANINGS[s])
        for s in COUNTED
    )


def build_full_plan(plan: Plan, month: Month) -> FullPlan:
    """The whole plan with each action's month strip as it stood at the end of ``month``: statuses
    of that month and before, planned marks for the months after. Queries: the actions with their
    measure and priority, leads, planned months, statuses (4), the status words (1), the close (1)."""
    plan._terms_cache = list(plan.status_terms.all())
    actions = list(Action.objects.filter(plan=plan).in_plan_order().with_grid())
    months = tuple(plan.month_list)
    sections: list[PlanSection] = []
    by_priority: dict[int, dict[int, list[PlanRow]]] = {}
    priorities, measures = {}, {}
    for action in actions:
        measure = action.measure
        priorities[measure.priority_id] = measure.priority
        measures[measure.pk] = measure
        by_priority.setdefault(measure.priority_id, {}).setdefault(measure.pk, []).append(
            _plan_row(action, months, month)
        )
    for priority_id, measure_rows in by_priority.items():
        priority = priorities[priority_id]
        sections.append(
            PlanSection(
                code=priority.code,
                title=priority.title,
                expected_outcome=priority.expected_outcome,
                measures=tuple(
                    MeasureRows(ref=measures[m].ref, title=measures[m].title, rows=tuple(rows))
                    for m, rows in measure_rows.items()
                ),
            )
        )
    return FullPlan(
        plan_title=plan.title,
        organisation=plan.organisation,
        year_label=plan.year_label,
        month=month,
        months=months,
        sections=tuple(sections),
        legend=legend_for(plan),
        action_count=len(actions),
        is_draft=not MonthClose.objects.is_closed(plan, month),
        produced=timezone.localdate(),
    )


def _plan_row(action: Action, months: tuple[Month, ...], as_of: Month) -> PlanRow:
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
                word=(record.word or status.label) if record else "",
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
    produced: date

    @property
    def is_draft(self) -> bool:
        return self.report.state.is_draft

    @property
    def organisation(self) -> str:
        return self.report.organisation

    @property
    def title(self) -> str:
        return f"Exception Report for {self.report.month.name} Improvement Plan"


@dataclass(frozen=True)
class CoverDocument(ReportDocument):
    """The report to Cabinet of seed 000, sections 1-3, with the plan's responsible people."""

    portfolio_holder: str = ""
    responsible_officer: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    @property
    def title(self) -> str:
        return f"Improvement Plan Exception Report [{self.report.month.name}]"

    @property
    def recommendation(self) -> str:
        """Section 2.2: the report's generated sentence, as CMT is asked to note it."""
        sentence = self.report.summary_sentence
        return "That CMT notes that " + sentence[:1].lower() + sentence[1:]


def build_appendix(plan: Plan, month: Month) -> ReportDocument:
    return ReportDocument(report=exception_report(plan, month), produced=timezone.localdate())


def build_cover(plan: Plan, month: Month) -> CoverDocument:
    return CoverDocument(
        report=exception_report(plan, month),
        produced=timezone.localdate(),
        portfolio_holder=plan.portfolio_holder,
        responsible_officer=plan.responsible_officer,
        contact_name=plan.contact_name,
        contact_email=plan.contact_email,
        contact_phone=plan.contact_phone,
    )


@dataclass(frozen=True)
class DocumentSource:
    """The HTML a document is laid out from, and its fingerprint. Two renders of the same HTML give
    the same PDF, so a stored draft whose fingerprint matches is served as it is: a draft is laid
    out again only when something it shows has changed (or the day it is dated has)."""

    html: str
    blocks: int  # exception blocks: what makes an appendix too long to lay out in a request

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.html.encode()).hexdigest()

    @property
    def fits_in_a_request(self) -> bool:
        return self.blocks <= REQUEST_RENDER_MAX_BLOCKS


def appendix_source(plan: Plan, month: Month) -> DocumentSource:
    doc = build_appendix(plan, month)
    html = render_to_string("pdf/appendix.html", {"doc": doc, "report": doc.report})
    return DocumentSource(html=html, blocks=sum(len(group.blocks) for group in doc.report.groups))


def cover_source(plan: Plan, month: Month) -> DocumentSource:
    # Sections 1-3 only (the exception blocks are the appendix's): always a page or two.
    doc = build_cover(plan, month)
    return DocumentSource(
        html=render_to_string("pdf/cover.html", {"doc": doc, "report": doc.report}), blocks=0
    )


def full_plan_source(plan: Plan, month: Month) -> DocumentSource:
    # Always rendered in the background (its size is the plan's, not the month's exceptions').
    return DocumentSource(
        html=render_to_string("pdf/full_plan.html", {"doc": build_full_plan(plan, month)}), blocks=0
    )


# Each kind of document: how to build the HTML it is laid out from.
SOURCES = {
    Document.Kind.APPENDIX: appendix_source,
    Document.Kind.COVER: cover_source,
    Document.Kind.PLAN: full_plan_source,
}


def render_appendix(plan: Plan, month: Month, *, seconds: float | None) -> RenderedPDF:
    return html_to_pdf(appendix_source(plan, month).html, seconds=seconds)


def render_cover(plan: Plan, month: Month, *, seconds: float | None) -> RenderedPDF:
    return html_to_pdf(cover_source(plan, month).html, seconds=seconds)


def render_full_plan(plan: Plan, month: Month, *, seconds: float | None) -> RenderedPDF:
    return html_to_pdf(full_plan_source(plan, month).html, seconds=seconds)


# Kept when a month is closed, discarded when it is re-opened.
PUBLISHED_KINDS = (Document.Kind.APPENDIX, Document.Kind.COVER)


def publish(*, plan: Plan, month: Month, user=None) -> list[Document]:
    """At a month's close: queue the appendix and cover for rendering once and keeping."""
    return [
        request_render(plan=plan, month=month, kind=kind, user=user, published=True)
        for kind in PUBLISHED_KINDS
    ]


def unpublish(*, plan: Plan, month: Month) -> int:
    """At a month's re-opening: the kept copies go; the month renders on request again."""
    return discard(plan, month, list(PUBLISHED_KINDS))


# ---------------------------------------------------------------------------------------------
# Stored copies


def plan_last_changed(plan: Plan) -> datetime | None:
    """When anything a plan's PDFs show last changed: an action, a status, or a recorded change."""
    stamps = [
        Action.objects.filter(plan=plan).aggregate(at=Max("updated_at"))["at"],
        MonthlyStatus.objects.in_plan(plan).aggregate(at=Max("set_at"))["at"],
        ActionChange.objects.filter(action__plan=plan).aggregate(at=Max("changed_at"))["at"],
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


def is_current(document: Document, plan: Plan) -> bool:
    """A ready copy that can be served: published copies stand until the month is re-opened;
    other copies until the plan next changes."""
    if document.state != Document.State.READY or not document.file:
        return False
    if document.published:
        return True
    changed = plan_last_changed(plan)
    return changed is None or document.finished_at is None or changed <= document.finished_at


def is_current_draft(document: Document | None, source: DocumentSource) -> bool:
    """A stored draft appendix or cover laid out from exactly this HTML."""
    return (
        document is not None
        and document.state == Document.State.READY
        and not document.published
        and bool(document.file)
        and document.source_digest == source.digest
    )


def keep_draft(plan: Plan, month: Month, kind: str, source: DocumentSource, rendered: RenderedPDF) -> None:
    """Keep a draft rendered in a request so the next reader of the same figures is served the
    file. Best effort: the reader already has the PDF, so a store that cannot be written is only
    logged. A month closed meanwhile keeps its published copy."""
    try:
        with transaction.atomic():
            document, _ = Document.objects.select_for_update().get_or_create(
                plan=plan, month=month.first_day, kind=kind
            )
            if document.published or MonthClose.objects.is_closed(plan, month):
                return
            store_rendered(document, rendered, source_digest=source.digest)
    except OSError:
        log.exception("A draft %s of %s %s could not be stored", kind, plan.slug, month)


@transaction.atomic
def request_render(*, plan: Plan, month: Month, kind: str, user=None, published: bool = False) -> Document:
    """Ask the background worker for a (fresh) copy of a document; the old file goes."""
    from reports.tasks import render_document

    document, _ = Document.objects.select_for_update().get_or_create(
        plan=plan, month=month.first_day, kind=kind
    )
    _discard_file(document)
    document.state = Document.State.PENDING
    document.published = published
    document.pages = None
    document.error = ""
    document.requested_by = user if user is not None and user.is_authenticated else None
    document.requested_at = timezone.now()
    document.finished_at = None
    result = render_document.enqueue(document.pk)
    document.task_id = str(result.id)
    document.save()
    return document


def run_render(document: Document) -> Document:
    """Render a document now (called by the background task) and store the result or the error."""
    Document.objects.filter(pk=document.pk).update(state=Document.State.RUNNING)
    plan = document.plan
    month = Month.from_date(document.month)
    try:
        source = SOURCES[document.kind](plan, month)
        rendered = html_to_pdf(source.html, seconds=BACKGROUND_TIME_LIMIT)
    except Exception as error:
        # Shown to the user, who can try again; the traceback goes to the worker's log.
        _failed(document, str(error) if str(error) else "The PDF could not be prepared.")
        raise
    try:
        store_rendered(document, rendered, source_digest=source.digest)
    except OSError:
        # A full or unwritable document store: the report pages do not need it, so say so and
        # leave them working (issue 8's fault check).
        document.refresh_from_db(fields=["file"])
        _failed(document, STORE_FAILED)
        raise
    return document


STORE_FAILED = (
    "The PDF was prepared but could not be stored (the document store is full or cannot be "
    "written). The report itself is unaffected; tell the system administrator, then try again."
)


def _failed(document: Document, message: str) -> None:
    document.state = Document.State.FAILED
    document.error = message
    document.finished_at = timezone.now()
    document.save(update_fields=["state", "error", "finished_at"])


def store_rendered(document: Document, rendered: RenderedPDF, *, source_digest: str = "") -> None:
    _discard_file(document)
    document.source_digest = source_digest
    month = Month.from_date(document.month)
    name = f"{document.plan.slug}-{month}-{document.kind.lower()}.pdf"
    document.file.save(name, ContentFile(rendered.content), save=False)
    document.state = Document.State.READY
    document.pages = rendered.pages
    document.error = ""
    document.finished_at = timezone.now()
    document.save()


def discard(plan: Plan, month: Month, kinds: list[str]) -> int:
    """Remove stored copies (a re-opened month's published PDFs), files included."""
    documents = list(Document.objects.filter(plan=plan, month=month.first_day, kind__in=kinds))
    for document in documents:
        _discard_file(document)
        document.delete()
    return len(documents)


def _discard_file(document: Document) -> None:
    """Forget the document's file, deleting it once the transaction commits (a rolled-back
    re-open must not lose the published copy)."""
    if document.file:
        storage, name = document.file.storage, document.file.name
        transaction.on_commit(lambda: storage.delete(name))
        document.file = None
