"""Status shown as colour AND word, everywhere (accessibility: never colour alone)."""

from django import template
from django.utils.safestring import mark_safe

from plans.periods import Month, to_month
from plans.status import LETTERS, MEANINGS, Status
from plans.widgets import escape

register = template.Library()


def badge_context(status, word: str = "", short: bool = False) -> dict:
    """What ``includes/status.html`` prints a status badge from."""
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


@register.simple_tag(takes_context=True)
def status_badge(context, status, word: str = "", short: bool = False) -> str:
    """A coloured label with the status word (or its letter in a narrow grid cell, with the
    word kept for screen readers and as a tooltip): ``includes/status.html``, with the newline
    that ends the file, written in Python (a template render per badge was most of the cost of
    a line of figures)."""
    badge = badge_context(status, word, short)
    if badge["status"] is None:
        return mark_safe("\n")
    esc = escape if context.autoescape else str
    css, word, letter, meaning = (esc(badge[key]) for key in ("css", "word", "letter", "meaning"))
    if short:
        html = (
            f'<span class="status status-{css}" title="{word}: {meaning}"><span aria-hidden="true">'
            f'{letter}</span><span class="visually-hidden">{word}</span></span>'
        )
    else:
        html = f'<span class="status status-{css}">{word}</span>'
    return mark_safe(html + "\n")


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
