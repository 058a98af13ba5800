"""Template helpers for the exception report: figures read from its ``StatusCounts`` (never
recomputed here) and the plan's own status words."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from plans.status import COUNTED, LETTERS, MARKERS, Status, percent_text
from plans.widgets import escape as _escape
from reports import indicator_chart as indicator_charts
from reports.exception_report import STRIP_MARKERS
from reports.templatetags.status_tags import badge_context, status_badge

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


@register.filter
def rollup_text(recommendation, tracker) -> str:
    return tracker.rollup(recommendation)


@register.simple_tag
def counted_statuses():
    return COUNTED


@register.simple_tag
def progress_year_span() -> int:
    """The columns of one plan year in the progress table: the month, a count and a percentage
    for each status, and the number of actions."""
    return 2 * len(COUNTED) + 2


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
    return _strips(context, report).html(block.strip)


def _strips(context, report) -> _Strips:
    cache = context.render_context
    key = ("strip_marks", id(report))
    if key not in cache:
        cache[key] = _Strips(report)
    return cache[key]


class _Strips:
    """The strips of one render: the markup of each possible cell content, each month's name for
    the cells' data-label (which names them in the stacked rows of a phone), and each strip's
    markup. A live report shares each different strip among its blocks
    (``exception_report._Strips``): rendered once, keyed by the strip's id, as the report holds
    every strip while it renders."""

    def __init__(self, report):
        self.marks = _strip_marks(report)
        self.labels: dict = {}
        self.rendered: dict[int, str] = {}

    def html(self, strip) -> str:
        html = self.rendered.get(id(strip))
        if html is None:
            html = self.rendered[id(strip)] = _strip_html(strip, self.marks, self.labels)
        return html


def _strip_html(strip, marks: dict[str, str], labels: dict) -> str:
    cells = []
    for cell in strip:
        label = labels.get(cell.month)
        if label is None:
            label = labels[cell.month] = escape(cell.month.grid_label)
        # The status, then the marks in the legend's order, as the plan page prints a month.
        parts = marks[cell.status] if cell.status else ""
        parts += "".join(marks[key] for key in STRIP_MARKERS if getattr(cell, key))
        cells.append(f'<td class="grid-cell" data-label="{label}">{parts}</td>')
    return mark_safe("".join(cells))


def _strip_marks(report) -> dict[str, str]:
    """The markup of each possible cell content."""
    marks = {
        status.value: format_html(_MARK, f"status status-{status.value.lower()}", report.word(status),
                                  LETTERS[status], report.word(status))
        for status in COUNTED
    }  # fmt: skip
    for key in STRIP_MARKERS:
        marker = MARKERS[key]
        marks[key] = format_html(_MARK, f"marker marker-{key}", marker.word, marker.symbol, marker.word)  # fmt: skip
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
            "includes/status.html", badge_context(status, report.word(status)) if status else {}
        )
    return cache[key]


@register.simple_tag
def indicator_chart(report, figures):
    """The SVG geometry of an indicator's chart (``reports.indicator_chart.indicator_chart``)."""
    return indicator_charts.indicator_chart(figures, report.year_label, report.previous_year_label)


@register.filter
def percent(value) -> str:
    """A percentage of ``plans.status`` as printed: "62.5%"."""
    return percent_text(value) + "%"


@register.simple_tag(takes_context=True)
def exception_blocks(context, group, report):
    """A priority's exceptions of Appendix 1 (``ExceptionBlock``): each its block, then its measure
    and plan row. Written in Python like the strip's cells: a large plan's report has hundreds of
    these, and the template's nodes were most of the page's time (then a node per exception cost
    more than the exception itself: one tag per priority). What the exceptions repeat is built
    once per render (``_Blocks``)."""
    cache = context.render_context
    key = ("exception_blocks", id(report))
    if key not in cache:
        cache[key] = _Blocks(context, report)
    shared = cache[key]
    once = shared.once
    heading = once(group.code) + (f": {once(group.title)}" if group.title else "")
    return mark_safe("".join([_exception_block(block, heading, shared) for block in group.blocks]))


class _Blocks:
    """What every exception block of one render repeats: the month, the month headings
    (``strip_header``), each status's word and label (``status_label``), the strips, and the texts
    of the leads, dates, measures, priorities and corrective actions, escaped once each."""

    def __init__(self, context, report):
        self.context = context
        self.report = report
        self.month = _escape(report.month.name)
        self.header = strip_header(context, report)
        self.strips = _strips(context, report)
        self.escaped: dict[str, str] = {}
        self.statuses: dict[str, tuple[str, str]] = {}

    def once(self, value) -> str:
        if type(value) is not str:  # text marked safe is never confused with the same plain text
            return _escape(value)
        html = self.escaped.get(value)
        if html is None:
            html = self.escaped[value] = _escape(value)
        return html

    def status(self, block) -> tuple[str, str]:
        """The status's word (for the block's label) and what its Colour cell shows."""
        shown = self.statuses.get(block.status)
        if shown is None:
            word = _escape(self.report.word(block.status) if block.status else "")
            colour = (
                "<strong>SUSPENDED</strong>"
                if block.suspended
                else status_label(self.context, self.report, block.status)
            )
            shown = self.statuses[block.status] = (word, colour)
        return shown


def _exception_block(block, heading: str, shared: _Blocks) -> str:
    once, month = shared.once, shared.month
    ref, description, who = _escape(block.ref), _escape(block.description), once(block.who)
    word, colour = shared.status(block)
    return (
        f'\n    <article class="exception-block" aria-label="{ref} {word}" data-continued="{heading} (continued)">\n'
        f"      \n"
        f'      <div class="table-scroll" tabindex="0" role="region" aria-label="{ref}: exception and plan row">\n'
        f'      <table class="table exception-table">\n'
        f'        <caption class="visually-hidden">Exception {ref}</caption>\n'
        f'        <thead><tr><th scope="col">Ref</th><th scope="col">{month} Action</th><th scope="col">Colour</th>'
        f'<th scope="col">Corrective Action</th><th scope="col">Who</th><th scope="col">Original Date</th>'
        f'<th scope="col">Revised Date</th></tr></thead>\n'
        f"        <tbody><tr>\n"
        f'          <td data-label="Ref">{ref}</td>\n'
        f'          <td data-label="{month} Action">{description}</td>\n'
        f'          <td data-label="Colour">{colour}</td>\n'
        f'          <td data-label="Corrective Action">{once(block.corrective_action)}</td>\n'
        f'          <td data-label="Who">{who}</td>\n'
        f'          <td data-label="Original Date">{once(block.original_date)}</td>\n'
        f'          <td data-label="Revised Date">{once(block.revised_date)}</td>\n'
        f"        </tr></tbody>\n"
        f"      </table>\n"
        f'      <table class="table plan-grid plan-row stacked-table">\n'
        f'        <caption class="visually-hidden">Plan row of {ref}</caption>\n'
        f'        <thead><tr><th scope="col">Ref.</th><th scope="col">Action</th><th scope="col">Lead</th>'
        f'{shared.header}<th scope="col">Corrective Action</th></tr></thead>\n'
        f"        <tbody>\n"
        f'          <tr class="measure-row"><th scope="rowgroup" colspan="{len(block.strip) + 4}">'
        f"{once(block.measure_ref)} {once(block.measure_title)}</th></tr>\n"
        f"          <tr>\n"
        f'            <td data-label="Ref.">{ref}</td>\n'
        f'            <td data-label="Action">{description}</td>\n'
        f'            <td data-label="Lead">{who}</td>\n'
        f"            {shared.strips.html(block.strip)}\n"
        f'            <td data-label="Corrective Action">{once(block.plan_corrective_action)}</td>\n'
        f"          </tr>\n"
        f"        </tbody>\n"
        f"      </table>\n"
        f"      </div>\n"
        f"    </article>\n"
        f"    "
    )


@register.simple_tag(takes_context=True)
def figures_line(context, figures, plan) -> str:
    """A month's figures in one line, each status as the plan's word and its count (the home
    page and the close check), written in Python: an include of a template per line was most of
    the home page's template time."""
    items = "".join(
        f"<li>{status_badge(context, status, plan_word(plan, status))} {_escape(count_of(figures, status))}</li>"
        for status in COUNTED
    )
    return mark_safe(f'\n<ul class="figures-line">{items}</ul>\n')


@register.simple_tag(takes_context=True)
def report_links(context, plan, month) -> str:
    """A month's report and, for those who may export, its PDFs (the home page's reports), in
    Python as ``figures_line``: the markup, blank lines included, of the template it replaced."""
    title, name = _escape(plan.title), _escape(month.name)

    def url(view: str) -> str:
        return _escape(reverse(f"reports:{view}", args=[plan.slug, month]))

    html = (
        f'\n<ul class="task-links">\n  <li><a href="{url("month")}">'
        f"{_escape(plan.get_report_layout_display())} for {name}"
        f'<span class="visually-hidden">, {title}</span></a></li>\n  '
    )
    if context["perms"]["plans"]["export_reports"]:
        html += "\n  "
        if plan.report_layout == "progress":
            html += (
                f'\n  <li><a href="{url("appendix-pdf")}">Progress report (PDF)'
                f'<span class="visually-hidden"> for {name}, {title}</span></a></li>\n  '
            )
        else:
            html += (
                f'\n  <li><a href="{url("appendix-pdf")}">Cabinet appendix (PDF)'
                f'<span class="visually-hidden"> for {name}, {title}</span></a></li>\n'
                f'  <li><a href="{url("cover-pdf")}">Cover report (PDF)'
                f'<span class="visually-hidden"> for {name}, {title}</span></a></li>\n  '
            )
        html += (
            f'\n  <li><a href="{url("plan-pdf")}">Full plan as at {name} (PDF)'
            f'<span class="visually-hidden">, {title}</span></a></li>\n  '
        )
    return mark_safe(html + "\n</ul>\n")
