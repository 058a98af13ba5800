"""Status shown as colour AND word, everywhere (accessibility: never colour alone)."""

from django import template

from plans.periods import Month, to_month
from plans.status import LETTERS, MEANINGS, Status

register = template.Library()


@register.inclusion_tag("includes/status.html")
def status_badge(status, word: str = "", short: bool = False):
    """A coloured label with the status word (or its letter in a narrow grid cell, with the
    word kept for screen readers and as a tooltip)."""
    if not status:
        return {"status": None}
    status = Status(status)
    return {
        "status": status,
        "css": status.value.lower(),
        "word": word or status.label,
        "letter": LETTERS[status],
        "meaning": MEANINGS[status],
        "short": short,
    }


@register.filter
def month_label(value) -> str:
    """A date or Month as "July 2009"."""
    month = to_month(value)
    return month.name if month else ""


@register.filter
def month_short(value) -> str:
    """A date or Month as "July 09", as the exception blocks print dates."""
    month = to_month(value)
    return month.short if month else ""


@register.filter
def month_iso(value) -> str:
    month = to_month(value)
    return str(month) if isinstance(month, Month) else ""


@register.filter
def status_in(action, month):
    """The action's MonthlyStatus for ``month``, from its prefetched statuses."""
    return action.status_for(to_month(month))


@register.filter
def figure(value, indicator) -> str:
    """An indicator's figure with its unit ("83.5%", "£1,250.50"); "" for none."""
    return "" if value in (None, "") else indicator.text(value)


@register.filter
def word_in(record, plan) -> str:
    """A recorded status in the word it was entered in, else the plan's own word (``Plan.word_of``)."""
    return plan.word_of(record)
