"""The house's GOV.UK form fields, written in Python: ``{% field form.x suffix %}`` and
``{% radios form.status hint %}``. ``plans/includes/field.html`` and ``radios.html`` call these,
so every page prints the same markup; the month page calls them about a hundred times, where an
include each was most of its template time."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from plans.history import display_name
from plans.widgets import escape

register = template.Library()


def _errors(bound) -> str:
    if not bound.errors:
        return ""
    items = "".join(
        f'<p class="error-message"><span class="visually-hidden">Error:</span> {escape(e)}</p>'
        for e in bound.errors
    )
    return f'<div id="{bound.auto_id}_error">{items}</div>'


@register.simple_tag
def field(bound, suffix: str = "") -> SafeString:
    """A labelled field: label (with ``suffix``, for screen readers, naming what it is for), hint,
    errors, then the widget."""
    error_class = " field-error" if bound.errors else ""
    hidden = f'<span class="visually-hidden"> for {escape(suffix)}</span>' if suffix else ""
    hint = (
        f'<p class="hint" id="{bound.auto_id}_helptext">{escape(bound.help_text)}</p>'
        if bound.help_text
        else ""
    )
    return mark_safe(
        f'<div class="field{error_class}">'
        f'<label for="{bound.id_for_label}">{escape(bound.label)}{hidden}</label>'
        f"{hint}{_errors(bound)}{bound}</div>"
    )


@register.simple_tag
def radios(bound, hint: str = "") -> SafeString:
    """A GOV.UK radios fieldset (one Tab stop, the arrow keys choose): legend, hint, errors and the
    items of ``plans.widgets.RadioSelect``; the fieldset is described by the hint and the errors."""
    ids = [f"{bound.auto_id}_hint"] if hint else []
    ids += [f"{bound.auto_id}_error"] if bound.errors else []
    described = f' aria-describedby="{" ".join(ids)}"' if ids else ""
    error_class = " field-error" if bound.errors else ""
    hint_html = f'<p class="hint" id="{bound.auto_id}_hint">{escape(hint)}</p>' if hint else ""
    return mark_safe(
        f'<fieldset class="field radios{error_class}"{described}>'
        f"<legend>{escape(bound.label)}</legend>{hint_html}{_errors(bound)}{bound}</fieldset>"
    )


@register.filter
def person(user) -> str:
    """A user as people know them (``plans.history.display_name``); blank for nobody."""
    return display_name(user) if user is not None else ""
