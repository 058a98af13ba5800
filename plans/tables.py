"""The plan's action list as a django-tables2 table: the seed's row (ref, action, lead, the month
strip, corrective action), sortable, paginated and exported to CSV and Excel."""

from __future__ import annotations

import csv
import io
import re

import django_tables2 as tables
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from plans.cells import neutralise
from plans.models import Action, Plan
from plans.periods import Month, to_month
from plans.status import LETTERS, MARKERS, MEANINGS, Status


def cell_marks(action: Action, month: Month) -> list[str]:
    marks = []
    if month in action.planned_month_list:
        marks.append("planned")
    if to_month(action.original_target) == month:
        marks.append("original")
    if to_month(action.revised_target) == month:
        marks.append("reprogrammed" if action.reprogrammed else "revised")
    return marks


class MonthColumn(tables.Column):
    """One month of the strip: the status as a coloured cell with its letter (the word for screen
    readers and in exports), and the planned / original / revised marks."""

    def __init__(self, month: Month, **kwargs):
        super().__init__(
            accessor="pk",
            verbose_name=month.grid_label,
            orderable=False,
            empty_values=(),
            attrs={"th": {"abbr": month.name, "class": "grid-month"}, "td": {"class": "grid-cell"}},
            **kwargs,
        )
        self.month = month

    def render(self, record: Action):
        status = record.status_for(self.month)
        badge = ""
        if status is not None:
            value = Status(status.status)
            badge = get_template("includes/status.html").render(
                {
                    "status": value,
                    "css": value.value.lower(),
                    "word": status.word or value.label,
                    "letter": LETTERS[value],
                    "meaning": MEANINGS[value],
                    "short": True,
                }
            )
        marks = format_html_join(
            "",
            '<span class="mark mark-{}" title="{}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></span>',
            (
                (name, MARKERS[name].word, MARKERS[name].symbol, MARKERS[name].word)
                for name in cell_marks(record, self.month)
            ),
        )
        return format_html("{}{}", badge, marks)

    def value(self, record: Action) -> str:
        status = record.status_for(self.month)
        words = [status.word or Status(status.status).label] if status else []
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
        attrs = {"class": "table plan-grid"}
        empty_text = "No action matches these filters."
        order_by = ("ref",)

    def __init__(self, *args, plan: Plan, **kwargs):
        months = [(f"m{month}", MonthColumn(month)) for month in plan.month_list]
        super().__init__(*args, extra_columns=months, **kwargs)
        self.plan = plan

    @property
    def in_plan_order(self) -> bool:
        """Priority and measure heading rows make sense only when the rows are in plan order."""
        return not self.order_by or list(self.order_by) == ["ref"]

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
