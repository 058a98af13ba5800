"""The house's GOV.UK form fields, written in Python: ``{% field form.x suffix %}`` and
``{% radios form.status hint %}``. ``plans/includes/field.html`` and ``radios.html`` call these,
so every page prints the same markup; the month page calls them about a hundred times, where an
include each was most of its template time."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import capfirst
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from plans.history import display_name
from plans.periods import to_month
from plans.status import Status
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


def _badge(status, word: str = "") -> str:
    """``{% status_badge status word %}`` (``includes/status.html``, not short, with the newline
    that ends the file) in Python."""
    if not status:
        return "\n"
    status = Status(status)
    return f'<span class="status status-{status.value.lower()}">{escape(word or status.label)}</span>\n'


@register.simple_tag(takes_context=True)
def action_row(context, row) -> SafeString:
    """One action of the month page (``views.MonthRow``): heading, facts, then its form (the status
    radios, the corrective action and "More") or the approved status it holds. Written in Python,
    as the fields are: an include per row was most of the month page's template time. Tab stops:
    the status radios (one group), the corrective action, and "More" (revised date, completed
    month, progress note, request, the action's page)."""
    action, form, pending = row.action, row.form, row.pending
    pk = action.pk
    priority = action.measure.priority
    plan = context["plan"]
    last = row.last_month
    last_html = (
        f"{_badge(last.status, plan.word_of(last))} {escape(last.corrective_action)}" if last else "No status"
    )
    last_label = "Last report" if plan.reporting_interval > 1 else "Last month"
    waiting = ""
    if pending:
        to = f" to {escape(to_month(pending.new_target).name)}" if pending.new_target else ""
        requested = escape(date_filter(template_localtime(pending.requested_at), "j M Y"))
        waiting = (
            f"<dt>Waiting for approval</dt><dd>{escape(pending.get_kind_display())}{to}, "
            f"requested {requested}</dd>"
        )
    reprogrammed = " (re-programmed with approval)" if action.reprogrammed else ""
    head = (
        f'<section class="month-row" id="action-{pk}" aria-labelledby="action-{pk}-title">\n'
        f'  <h2 id="action-{pk}-title">{escape(f"{action.ref} " if action.ref else "")}{escape(action.description)}</h2>\n'
        f'  <dl class="facts">\n'
        f"    <dt>Priority</dt><dd>{escape(priority.code)} {escape(priority.title)}</dd>\n"
        f"    <dt>Original date</dt><dd>{escape(row.original or 'None')}</dd>\n"
        f"    <dt>Revised date</dt><dd>{escape(row.revised or 'None')}{reprogrammed}</dd>\n"
        f"    <dt>{last_label}</dt><dd>{last_html}</dd>\n"
        f"    {waiting}\n"
        f"  </dl>\n"
    )
    if form is None:
        record = row.this_month
        body = (
            f"\n  <p>{escape(context['month'].name)}: {_badge(record.status, plan.word_of(record))} with approval. "
            f"{escape(record.corrective_action)}</p>\n  "
        )
        return mark_safe(f"{head}  {body}\n</section>\n")
    ref = action.ref or "this action"
    request_link = ""
    if not pending and context["perms"]["plans"]["request_change"]:
        url = reverse("plans:request-change", args=[context["plan"].slug, pk, context["month"]])
        request_link = (
            f'<li><a href="{escape(url)}">Request a re-programme or suspension of {escape(ref)}</a></li>'
        )
    body = (
        f'\n  <input type="hidden" name="action" value="{pk}">{form["version"]}\n'
        f"  {radios(form['status'], row.suggestion)}\n"
        f"  {field(form['corrective_action'], ref)}\n"
        f'  <details class="more"{" open" if row.more_open else ""}>\n'
        f"    <summary>Revised date, completed month, progress note"
        f'<span class="visually-hidden"> of {escape(ref)}</span></summary>\n'
        f'    <div class="field-pair">\n'
        f"    {field(form['revised_target'], ref)}\n"
        f"    {field(form['completed'], ref)}\n"
        f"    </div>\n"
        f"    {field(form['note'], ref)}\n"
        f'    <ul class="more-links">\n'
        f"      {request_link}\n"
        f'      <li><a href="{escape(action.get_absolute_url())}">{escape(capfirst(ref))}: every month and its history</a></li>\n'
        f"    </ul>\n"
        f"  </details>\n"
        f"  "
    )
    return mark_safe(f"{head}  {body}\n</section>\n")


@register.simple_tag(takes_context=True)
def measure_progress(context, block) -> SafeString:
    """A measure's progress update for the month, after its actions (``views.MeasureBlock``):
    what ``plans/month/progress.html`` printed, written in Python as the action rows are."""
    measure, form, progress = block.measure, block.form, block.progress
    pk = measure.pk
    written = ""
    if progress:
        when = escape(date_filter(template_localtime(progress.updated_at), "j M Y H:i"))
        written = f" Last written by {escape(block.progress_by)} on {when}."
    read = "" if context["closed"] else f'<input type="hidden" name="measure" value="{pk}">{form["read"]}'
    return mark_safe(
        f'<section class="measure-progress-field" id="measure-{pk}" aria-labelledby="measure-{pk}-title">\n'
        f'  <h2 id="measure-{pk}-title">Measure {escape(measure.ref)} {escape(measure.title)}</h2>\n'
        f'  <p class="hint">One progress update for the measure, printed under it in the plan; every lead '
        f"of its actions may write it.{written}</p>\n"
        f"  {read}\n"
        f"  {field(form['text'])}\n"
        f"</section>\n"
    )
