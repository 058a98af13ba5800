"""The plan's action list as a django-tables2 table: the seed's row (ref, action, lead, the month
strip, corrective action), sortable, paginated and exported to CSV and Excel.

The table decides the rows (filtering, sorting, pagination) and the exports' values; the page
prints its rows from ``ActionTable.display_rows`` (plain values and ready-made strip cells) in a
template loop, not through django-tables2's per-cell rendering, which cost about 2 ms a row."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import django_tables2 as tables
from django.template.loader import get_template
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from plans.cells import neutralise
from plans.models import Action, Measure, MeasureProgress, Plan, Priority
from plans.periods import Month, to_month
from plans.selectors import grid_values
from plans.status import LETTERS, MARKERS, MEANINGS, Status


def strip_marks(
    planned: Iterable[Month], original: Month | None, revised: Month | None, reprogrammed: bool
) -> dict[Month, list[str]]:
    """The marks of each month of an action's strip besides its status: planned, original date,
    and revised (or, approved, re-programmed) date."""
    marks: dict[Month, list[str]] = {}
    for month in sorted(planned):
        marks.setdefault(month, []).append("planned")
    if original:
        marks.setdefault(original, []).append("original")
    if revised:
        marks.setdefault(revised, []).append("reprogrammed" if reprogrammed else "revised")
    return marks


def cell_marks(action: Action, month: Month) -> list[str]:
    """One month's marks, from the action's prefetched planned months (the exports)."""
    marks = strip_marks(
        action.planned_month_list, to_month(action.original_target), to_month(action.revised_target),
        action.reprogrammed,
    )  # fmt: skip
    return marks.get(month, [])


class StripCells:
    """The month cells of the plan page's rows: twelve a row, 1,200 for a page of 100 actions.
    Each distinct content (status, its word, the marks) is escaped once and then only joined, as
    the report's ``strip_cells`` does. A status shows its letter, with its word for screen readers
    and as a tooltip; each cell names its month (``data-label``) for the stacked rows of a phone."""

    def __init__(self, months: list[Month], word_for=None):
        self.months = [(month, month.first_day, escape(month.grid_label)) for month in months]
        # A status recorded without a word is shown in the plan's own word for it (Rotherham's "On track").
        self.word_for = word_for or (lambda status: status.label)
        self.cells: dict[tuple, str] = {}

    def row(self, action: Action, statuses: dict[date, tuple[str, str]], planned: set[date]) -> SafeString:
        marks = strip_marks(
            (Month.from_date(day) for day in planned), to_month(action.original_target),
            to_month(action.revised_target), action.reprogrammed,
        )  # fmt: skip
        cells = []
        for month, day, label in self.months:
            key = (label, statuses.get(day), *marks.get(month, ()))
            cell = self.cells.get(key)
            if cell is None:
                cell = self.cells[key] = self._cell(label, statuses.get(day), marks.get(month, ()))
            cells.append(cell)
        return mark_safe("".join(cells))

    def _cell(self, label: str, status: tuple[str, str] | None, marks: Iterable[str]) -> str:
        badge = ""
        if status is not None:
            value = Status(status[0])
            word = status[1] or self.word_for(value)
            badge = format_html(
                '<span class="status status-{}" title="{}: {}"><span aria-hidden="true">{}</span>'
                '<span class="visually-hidden">{}</span></span>',
                value.value.lower(), word, MEANINGS[value], LETTERS[value], word,
            )  # fmt: skip
        parts = format_html_join(
            "",
            '<span class="mark mark-{}" title="{}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></span>',
            ((name, MARKERS[name].word, MARKERS[name].symbol, MARKERS[name].word) for name in marks),
        )
        return f'<td class="grid-cell" data-label="{label}">{badge}{parts}</td>'


@dataclass(frozen=True)
class PlanRow:
    """One action's row of the plan page, its cells in the table's column order (``—`` where
    empty, as django-tables2 prints an empty cell), each a plain value: the template only prints."""

    priority: str
    ref: str
    url: str
    description: str
    lead: str
    strip: SafeString
    original: str
    revised: str
    corrective_action: str
    # In plan order, the priority and measure heading rows printed above the action's row when
    # it is the first of its priority or measure; None otherwise.
    priority_heading: Priority | None = None
    measure_heading: Measure | None = None
    progress: MeasureProgress | None = None  # the measure heading's latest progress update


class MonthColumn(tables.Column):
    """One month of the strip: its heading, and its value in the exports (the status word and
    the marks' words). The page prints its cells with ``StripCells``."""

    def __init__(self, month: Month, word_for=None, **kwargs):
        self.word_for = word_for or (lambda status: status.label)
        super().__init__(
            accessor="pk",
            verbose_name=month.grid_label,
            orderable=False,
            empty_values=(),
            attrs={"th": {"abbr": month.name, "class": "grid-month"}, "td": {"class": "grid-cell"}},
            **kwargs,
        )
        self.month = month

    def value(self, record: Action) -> str:
        status = record.status_for(self.month)
        words = [status.word or self.word_for(Status(status.status))] if status else []
        words += [MARKERS[name].word.lower() for name in cell_marks(record, self.month)]
        return "; ".join(words)


class ActionTable(tables.Table):
    priority = tables.Column(
        accessor="measure__priority__code",
        verbose_name="Priority",
        order_by=("measure__priority__position", "position"),
    )
    ref = tables.Column(verbose_name="Ref.", linkify=True, order_by=("position", "id"))
    description = tables.Column(verbose_name="Action")
    lead = tables.Column(accessor="lead_initials", verbose_name="Lead", orderable=False)
    original_target = tables.Column(verbose_name="Original date")
    revised_target = tables.Column(verbose_name="Revised date")
    corrective_action = tables.Column(verbose_name="Corrective action")

    class Meta:
        model = Action
        fields = ()
        sequence = (
            "priority",
            "ref",
            "description",
            "lead",
            "...",
            "original_target",
            "revised_target",
            "corrective_action",
        )
        template_name = "plans/includes/plan_table.html"
        attrs = {"class": "table plan-grid stacked-table"}
        empty_text = "No action matches these filters."
        order_by = ("ref",)

    def __init__(self, *args, plan: Plan, **kwargs):
        months = [(f"m{month}", MonthColumn(month, plan.status_word)) for month in plan.month_list]
        super().__init__(*args, extra_columns=months, **kwargs)
        self.plan = plan

    @property
    def in_plan_order(self) -> bool:
        """Priority and measure heading rows make sense only when the rows are in plan order."""
        return not self.order_by or list(self.order_by) == ["ref"]

    @cached_property
    def labels(self) -> dict[str, str]:
        """Each column's heading by name: the stacked rows of a phone name their cells with it."""
        return {column.name: str(column.header) for column in self.columns}

    @cached_property
    def display_rows(self) -> list[PlanRow]:
        """The page's rows as plain values (see the module's docstring)."""
        actions = [row.record for row in self.paginated_rows]
        grid = grid_values(actions)
        strip = StripCells(self.plan.month_list, self.plan.status_word)
        headings = self.in_plan_order
        rows, priority_id, measure_id = [], None, None
        for action in actions:
            measure = action.measure
            new_priority = headings and measure.priority_id != priority_id
            new_measure = headings and (new_priority or action.measure_id != measure_id)
            priority_id, measure_id = measure.priority_id, action.measure_id
            rows.append(
                PlanRow(
                    priority=measure.priority.code or self.default,
                    ref=action.ref or self.default,
                    url=action.get_absolute_url(),
                    description=action.description or self.default,
                    lead=grid.leads[action.pk] or self.default,
                    strip=strip.row(action, grid.statuses[action.pk], grid.planned[action.pk]),
                    original=self.render_original_target(action.original_target)
                    if action.original_target
                    else self.default,
                    revised=self.render_revised_target(action.revised_target, action)
                    if action.revised_target
                    else self.default,
                    corrective_action=action.corrective_action or self.default,
                    priority_heading=measure.priority if new_priority else None,
                    measure_heading=measure if new_measure else None,
                    progress=grid.progress.get(measure.pk) if new_measure else None,
                )
            )
        return rows

    def render_original_target(self, value):
        return to_month(value).short

    def render_revised_target(self, value, record):
        text = to_month(value).short
        return f"{text} (re-programmed)" if record.reprogrammed else text

    def value_original_target(self, value):
        return to_month(value).name if value else ""

    def value_revised_target(self, value):
        return to_month(value).name if value else ""


def table_rows(table: ActionTable) -> list[list]:
    """Header and rows for an export; every text cell through ``neutralise`` (no live formulas)."""
    return [[neutralise(value) for value in row] for row in table.as_values()]


def as_csv(table: ActionTable) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table_rows(table))
    return buffer.getvalue()


def as_xlsx(table: ActionTable, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    # Excel's sheet names are at most 31 characters and cannot hold \ / ? * [ ] :
    sheet.title = re.sub(r"[\\/?*\[\]:]", "-", title)[:31] or "Actions"
    for row in table_rows(table):
        # Strings are written as text: openpyxl would otherwise store "=..." as a formula.
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class IndicatorTable(tables.Table):
    """The plan's indicators with their figures for a month (``plans.selectors.IndicatorFigures``),
    sortable; the RAG a word on its colour."""

    indicator = tables.Column(accessor="code", verbose_name="Indicator", order_by=("code",))
    priority = tables.Column(accessor="priority_code", verbose_name="Priority")
    lead = tables.Column(accessor="lead", verbose_name="Lead", default="None")
    # Not sortable: a figure is compared only with its own indicator's target, never across units.
    target = tables.Column(
        accessor="target",
        verbose_name="Target",
        orderable=False,
        empty_values=(),
        attrs={"td": {"class": "number"}},
    )
    actual = tables.Column(
        accessor="actual",
        verbose_name="Actual",
        orderable=False,
        empty_values=(),
        attrs={"td": {"class": "number"}},
    )
    rag = tables.Column(accessor="rag", verbose_name="RAG", empty_values=())
    trend = tables.Column(accessor="trend_text", verbose_name="Since the last figure", orderable=False)
    trend_year = tables.Column(
        accessor="trend_year_text", verbose_name="Against a year before", orderable=False
    )

    class Meta:
        attrs = {"class": "table indicator-list"}
        orderable = True

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def render_indicator(self, record):
        url = reverse("plans:indicator", kwargs={"slug": self.plan.slug, "pk": record.indicator_id})
        return format_html('<a href="{}">{}</a> {}', url, record.code, record.title)

    def render_priority(self, record):
        return (
            f"{record.priority_code} ({record.measure_ref})" if record.measure_ref else record.priority_code
        )

    def render_target(self, record):
        return record.target_text

    def render_actual(self, record):
        return record.actual_text

    def render_rag(self, record):
        if not record.rag:
            return record.rag_word
        return get_template("includes/status.html").render(
            {"status": Status(record.rag), "css": record.rag.lower(), "word": record.rag_word, "letter": "",
             "meaning": record.rag_meaning, "short": False}
        )  # fmt: skip
