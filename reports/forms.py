"""Forms of the report pages: the plan/month picker and the reason for re-opening a month."""

from __future__ import annotations

import threading
from collections import OrderedDict

from django import forms

from plans.models import Plan
from plans.periods import Month


def report_choices(plans: list[Plan]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every reporting month of every plan, grouped by plan: values are "<slug>/<YYYY-MM>"."""
    return [
        (plan.title, [(f"{plan.slug}/{month}", month.name) for month in plan.reporting_month_list])
        for plan in plans
    ]


class PickerSelect(forms.Select):
    """Django's select, its HTML kept for the same choices, value and attributes: every report page
    renders the picker, every plan's every month an option rendered through a template of its own,
    and it is the same for everyone who sees the same plans."""

    def render(self, name, value, attrs=None, renderer=None):
        key = (
            name,
            tuple(self.format_value(value)),
            tuple(self.build_attrs(self.attrs, attrs).items()),
            self.is_required,
            tuple((k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in self.choices),
            renderer,
        )
        return _kept_select(key, lambda: super(PickerSelect, self).render(name, value, attrs, renderer))


_kept: OrderedDict[tuple, str] = OrderedDict()
_kept_lock = threading.Lock()
KEPT_PICKERS = 32  # a picker for each set of plans a role sees and each month shown


def _kept_select(key: tuple, render) -> str:
    with _kept_lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
            return html
    html = render()
    with _kept_lock:
        _kept[key] = html
        while len(_kept) > KEPT_PICKERS:
            _kept.popitem(last=False)
    return html


class ReportPickerForm(forms.Form):
    report = forms.ChoiceField(label="Plan and month", choices=(), widget=PickerSelect)

    def __init__(self, *args, plans: list[Plan], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = report_choices(plans)

    def selected(self) -> tuple[str, Month]:
        slug, month = self.cleaned_data["report"].split("/")
        return slug, Month.parse(month)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why is the month being re-opened?",
        help_text="This is recorded and shown on the month's report.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        strip=True,
        error_messages={"required": "Give the reason for re-opening the month."},
    )
