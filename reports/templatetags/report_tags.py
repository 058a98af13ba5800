"""Template helpers for the exception report: figures read from its ``StatusCounts`` (never
recomputed here) and the plan's own status words."""

from django import template

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
