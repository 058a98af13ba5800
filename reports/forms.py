"""Forms of the report pages: the plan/month picker and the reason for re-opening a month."""

from __future__ import annotations

from django import forms

from plans.models import Plan
from plans.periods import Month


def report_choices(plans: list[Plan]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every reporting month of every plan, grouped by plan: values are "<slug>/<YYYY-MM>"."""
    return [
        (plan.title, [(f"{plan.slug}/{month}", month.name) for month in plan.reporting_month_list])
        for plan in plans
    ]


class ReportPickerForm(forms.Form):
    report = forms.ChoiceField(label="Plan and month", choices=())

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
