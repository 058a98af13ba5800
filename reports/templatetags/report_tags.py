"""Template helpers for the exception report: figures read from its ``StatusCounts`` (never
recomputed here) and the plan's own status words."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from reports.status import COUNTED, Status, percent_text

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


@register.simple_tag
def strip_cells(block, report):
    """The July-June cells of an exception's plan row. Written here rather than as template
    markup: a 1,000-action report has thousands of these cells, and template nodes per cell made
    the page several times slower. Each cell shows the status letter with its word for screen
    readers (as ``status_badge`` does), or the planned mark, and the date markers."""
    cells = []
    for cell in block.strip:
        parts = []
        if cell.status:
            word = report.word(cell.status)
            parts.append(
                format_html(
                    '<span class="status status-{}" title="{}"><span aria-hidden="true">{}</span>'
                    '<span class="visually-hidden">{}</span></span>',
                    cell.css,
                    word,
                    cell.letter,
                    word,
                )
            )
        elif cell.planned:
            parts.append(_MARK.format("planned-mark", "Planned", "■", "Planned"))
        if cell.original:
            parts.append(_MARK.format("marker marker-original", "Original date", "O", "Original date"))
        if cell.reprogrammed:
            parts.append(
                _MARK.format("marker marker-reprogrammed", "Re-programmed date", "*", "Re-programmed date")
            )
        cells.append(format_html('<td class="grid-cell">{}</td>', mark_safe("".join(parts))))
    return mark_safe("".join(cells))


# Fixed markup only (no user text), so formatting it as a plain string is safe.
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
