"""Template helpers for the exception report: figures read from its ``StatusCounts`` (never
recomputed here) and the plan's own status words."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from plans.status import COUNTED, LETTERS, MARKERS, Status, percent_text
from reports import chart
from reports.templatetags.status_tags import status_badge

register = template.Library()


@register.filter
def count_of(figures, status) -> str:
    """A month's count of ``status``; blank for a month not yet reported."""
    return "" if figures is None else str(figures.count(Status(status)))


@register.filter
def percent_of(figures, status) -> str:
    """ "13.3%"; blank for a month not yet reported."""
    return "" if figures is None else percent_text(figures.percent(Status(status))) + "%"


@register.filter
def word_for(report, status) -> str:
    return report.word(status) if status else ""


@register.simple_tag
def counted_statuses():
    return COUNTED


@register.filter
def plan_word(plan, status) -> str:
    """The plan's own word for a status (prefetch ``status_terms`` to keep this query-free)."""
    return plan.status_word(Status(status))


@register.simple_tag(takes_context=True)
def strip_cells(context, block, report):
    """The July-June cells of an exception's plan row. Written here rather than as template
    markup: a 1,000-action report has thousands of these cells, and template nodes (or
    ``format_html``) per cell made the page several times slower. The markup of each possible cell
    content is escaped once per render and then only joined. A status shows its letter with its
    word for screen readers (as ``status_badge`` does)."""
    cache = context.render_context
    key = ("strip_marks", id(report))
    if key not in cache:
        cache[key] = _strip_marks(report)
    marks = cache[key]
    cells = []
    for cell in block.strip:
        parts = marks[cell.status] if cell.status else (marks["planned"] if cell.planned else "")
        if cell.original:
            parts += marks["original"]
        if cell.reprogrammed:
            parts += marks["reprogrammed"]
        cells.append(f'<td class="grid-cell">{parts}</td>')
    return mark_safe("".join(cells))


def _strip_marks(report) -> dict[str, str]:
    marks = {
        status.value: format_html(_MARK, f"status status-{status.value.lower()}", report.word(status),
                                  LETTERS[status], report.word(status))
        for status in COUNTED
    }  # fmt: skip
    for key, css in (
        ("planned", "planned-mark"),
        ("original", "marker marker-original"),
        ("reprogrammed", "marker marker-reprogrammed"),
    ):
        marker = MARKERS[key]
        marks[key] = format_html(_MARK, css, marker.word, marker.symbol, marker.word)  # fmt: skip
    return {k: str(v) for k, v in marks.items()}


_MARK = '<span class="{}" title="{}"><span aria-hidden="true">{}</span><span class="visually-hidden">{}</span></span>'


@register.simple_tag(takes_context=True)
def strip_header(context, report):
    """The month headings of the plan row, the same for every exception: built once per render."""
    cache = context.render_context
    key = ("strip_header", id(report))
    if key not in cache:
        cache[key] = format_html_join(
            "", '<th scope="col" abbr="{}">{}</th>', ((m.name, m.grid_label) for m in report.month_list)
        )
    return cache[key]


@register.simple_tag(takes_context=True)
def status_label(context, report, status):
    """The status badge of ``includes/status.html`` in the plan's own word, built once per status
    and render: it is printed once per exception, hundreds of times in a large plan's report."""
    cache = context.render_context
    key = ("status_label", id(report), status)
    if key not in cache:
        cache[key] = render_to_string(
            "includes/status.html", status_badge(status, report.word(status)) if status else {}
        )
    return cache[key]


@register.simple_tag
def indicator_chart(report, figures):
    """The SVG geometry of an indicator's chart (``reports.chart.indicator_chart``)."""
    return chart.indicator_chart(figures, report.year_label, report.previous_year_label)


@register.filter
def percent(value) -> str:
    """A percentage of ``plans.status`` as printed: "62.5%"."""
    return percent_text(value) + "%"
