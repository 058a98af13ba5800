"""Forms of the officer's monthly update (actions, progress updates, indicators' actuals), change
requests and approvals.

Every message says what is wrong in the council's words; a bound form keeps what was typed.
"""

from __future__ import annotations

import functools

from django import forms
from django.utils import timezone

from plans import services, widgets
from plans.models import (
    CORRECTIVE_ACTION_MAX,
    INDICATOR_NOTE_MAX,
    Action,
    ChangeRequest,
    Measure,
    MeasureProgress,
    Plan,
)
from plans.periods import (
    TARGET_MONTHS_AFTER_PLAN,
    Month,
    month_range,
    plan_year_label,
    plan_year_note,
    target_months,
    to_month,
)
from plans.selectors import IndicatorFigures
from plans.status import (
    NEEDS_APPROVAL,
    FigureError,
    Status,
    Suggestion,
    number_text,
    parse_figure,
)

# The statuses an officer may choose: re-programmed and suspended need an approved request.
OFFICER_STATUSES = [s for s in Status if s not in NEEDS_APPROVAL]


class MonthField(forms.Field):
    """A month picked from a list; a value outside the list (a tampered form) gets a message
    naming the months allowed rather than Django's generic "not a valid choice"."""

    widget = widgets.Select

    def __init__(self, *, months: list[Month], blank_label: str, choices=None, outside: str = "", **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.months = months
        self.outside = outside or f"Choose a month of the plan, {months[0].name} to {months[-1].name}."
        self.widget.choices = (("", blank_label), *(choices or tuple((str(m), m.name) for m in months)))

    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        month = to_month(value)
        return str(month) if month else ""

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        return self.prepare_value(initial) != (data or "")

    def to_python(self, value):
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            # A disabled field cleans its initial value: a date from the database.
            return to_month(value)
        try:
            month = Month.parse(str(value))
        except ValueError:
            raise forms.ValidationError("Choose a month from the list.", code="invalid") from None
        if month not in self.months:
            raise forms.ValidationError(self.outside, code="outside_plan")
        return month


def too_long(what: str) -> str:
    """Django's max_length message in the council's words; ``%(show_value)d`` is what was typed."""
    return f"{what} must be {CORRECTIVE_ACTION_MAX:,} characters or fewer (it has %(show_value)d)."


def target_month_field(
    *, plan: Plan, label: str, blank_label: str, after: Month | None = None, keep: Month | None = None
) -> MonthField:
    """A revised or re-programmed target: a month of the plan or of the
    ``TARGET_MONTHS_AFTER_PLAN`` after it (an action moved past the year end), later than
    ``after`` when given. The months are grouped by plan year and those past the year end say so
    ("December 2010 (next plan year)"). ``keep`` is the recorded date, offered even when outside
    the window (an imported one) so that saving the form does not clear it."""
    months, choices, last = _target_choices(plan.start, plan.months, after, keep)
    first = months[0] if months else (after + 1 if after else plan.start)
    return MonthField(
        label=label,
        months=months,
        blank_label=blank_label,
        choices=choices,
        outside=(
            f"Choose a month from {first.name} to {last.name}: a target may be up to "
            f"{TARGET_MONTHS_AFTER_PLAN} months after the plan's last month, {plan.end.name}."
        ),
    )


@functools.cache
def _target_choices(
    start: Month, count: int, after: Month | None, keep: Month | None
) -> tuple[tuple[Month, ...], tuple, Month]:
    """The months, grouped choices and last month of ``target_month_field``: the same for every
    row of a month page (and every page of the plan), so worked out once."""
    window = target_months(start, count)
    months = [m for m in window if after is None or m > after]
    if keep is not None and keep not in months and (after is None or keep > after):
        months = sorted([*months, keep])
    groups: dict[str, list[tuple[str, str]]] = {}
    for month in months:
        note = plan_year_note(month, start, count)
        text = f"{month.name} ({note})" if note else month.name
        heading = (
            f"{note[0].upper()}{note[1:]}" if note else f"This plan year, {plan_year_label(start, count)}"
        )
        groups.setdefault(heading, []).append((str(month), text))
    return tuple(months), tuple((heading, tuple(items)) for heading, items in groups.items()), window[-1]


@functools.cache
def _plan_months(start: Month, count: int) -> tuple[tuple[Month, ...], tuple[tuple[str, str], ...]]:
    """The plan's months and their choices ("2009-07", "July 2009"): the same on every row of a
    month page, so worked out once."""
    months = tuple(month_range(start, count))
    return months, tuple((str(m), m.name) for m in months)


class ActionMonthForm(forms.Form):
    """One action's row of the monthly update."""

    version = forms.IntegerField(widget=widgets.HiddenInput, min_value=1)
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in OFFICER_STATUSES],
        widget=widgets.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the statuses listed."},
    )
    corrective_action = forms.CharField(
        required=False,
        max_length=CORRECTIVE_ACTION_MAX,
        widget=widgets.Textarea(attrs={"rows": 3, "cols": 40}),
        error_messages={"max_length": too_long("The corrective action")},
    )
    note = forms.CharField(
        label="Progress note",
        required=False,
        max_length=CORRECTIVE_ACTION_MAX,
        widget=widgets.Textarea(attrs={"rows": 2, "cols": 40}),
        error_messages={"max_length": too_long("The progress note")},
    )

    def __init__(self, *args, action: Action, plan: Plan, month: Month, today: Month | None = None, **kwargs):
        self.action = action
        self.month = month
        self.today = today or Month.from_date(timezone.localdate())
        record = action.status_for(month)
        kwargs.setdefault(
            "initial",
            {
                "version": action.version,
                "status": record.status if record else self.suggestion(),
                "corrective_action": record.corrective_action if record else action.corrective_action,
                "note": record.note if record else "",
                "revised_target": action.revised_target,
                "completed": action.completed_month,
            },
        )
        super().__init__(*args, prefix=f"a{action.pk}", **kwargs)
        label = action.ref or "this action"
        self.fields["status"].error_messages["required"] = f"Choose the status of {label} for {month.name}."
        # In the plan's own words (Rotherham: "On track", "Some slippage reported", "Slipped").
        offered = [*OFFICER_STATUSES]
        approved = action.approved_status_in(month)
        if approved is not None:
            # Approved for this month: the lead reports it as the approval says (or Green once done).
            offered.append(approved)
        self.fields["status"].choices = [(s.value, plan.status_word(s)) for s in offered]
        self.fields["revised_target"] = target_month_field(
            plan=plan,
            label="Revised date",
            blank_label="No revised date",
            keep=to_month(action.revised_target),
        )
        if action.reprogrammed:
            self.fields["revised_target"].disabled = True
            self.fields["revised_target"].help_text = "Set by the approved re-programme."
        months, choices = _plan_months(plan.start, plan.months)
        self.fields["completed"] = MonthField(
            label="Completed in", months=months, blank_label="Not completed", choices=choices
        )
        self.order_fields(["version", "status", "corrective_action", "revised_target", "completed", "note"])
        self.fields["status"].label = f"Status of {label} for {month.name}"

    @staticmethod
    def suggestion_for(action: Action, month: Month) -> Status:
        """The status the dates suggest (``Action.suggestion``, from ``plans.status.suggest``)."""
        return action.suggestion(month).status

    def suggestion(self) -> Status:
        return self.action.suggestion(self.month).status

    def needs_saving(self) -> bool:
        """A row is written when something changed, or when the month has no status yet (saving
        confirms the pre-selected suggestion)."""
        return self.has_changed() or self.action.status_for(self.month) is None

    def as_update(self) -> services.ActionUpdate:
        data = self.cleaned_data
        return services.ActionUpdate(
            action_id=self.action.pk,
            version=data["version"],
            status=Status(data["status"]),
            corrective_action=data["corrective_action"].strip(),
            revised_target=data.get("revised_target"),
            completed=data.get("completed"),
            note=data["note"].strip(),
        )

    def clean_completed(self):
        completed = self.cleaned_data.get("completed")
        if completed and completed > self.today:
            raise forms.ValidationError(
                f"The completed month cannot be in the future (after {self.today.name})."
            )
        return completed

    def clean_revised_target(self):
        revised = self.cleaned_data.get("revised_target")
        original = to_month(self.action.original_target)
        if revised and original and revised < original and not self.action.reprogrammed:
            raise forms.ValidationError(
                f"The revised date cannot be before the original date, {original.name}."
            )
        return revised

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status and "completed" in data:
            suggested: Suggestion = self.action.suggestion(self.month, completed=data.get("completed"))
            if status != suggested.status and not (data.get("corrective_action") or "").strip():
                self.add_error(
                    "corrective_action",
                    f"The dates suggest {suggested.status.label}: say why the status is {Status(status).label}.",
                )
        return data


class MeasureProgressForm(forms.Form):
    """A measure's progress update for the month (seed 001's "Progress Update" rows), on the month
    page of whoever leads an action under it. ``read`` is the text as the page showed it: saving
    over someone else's later update is refused (``services.StaleProgressError``)."""

    read = forms.CharField(required=False, widget=widgets.HiddenInput, strip=False)
    text = forms.CharField(
        required=False,
        max_length=CORRECTIVE_ACTION_MAX,
        widget=widgets.Textarea(attrs={"rows": 3, "cols": 40}),
        error_messages={"max_length": too_long("The progress update")},
    )

    def __init__(self, *args, measure: Measure, month: Month, progress: MeasureProgress | None, **kwargs):
        self.measure = measure
        self.month = month
        text = progress.text if progress else ""
        kwargs.setdefault("initial", {"read": text, "text": text})
        super().__init__(*args, prefix=f"m{measure.pk}", **kwargs)
        self.fields["text"].label = f"Progress update for {measure.ref} ({month.name})"

    def needs_saving(self) -> bool:
        """Written when the text differs from what the page showed (not from what is stored now:
        an untouched field never clears a colleague's update made meanwhile)."""
        data = self.cleaned_data
        return services.progress_text(data["text"]) != services.progress_text(data["read"])


class FigureField(forms.Field):
    """An indicator's figure as people type it ("83.5", "83.5%", "£1,250.50"): read by
    ``plans.status.parse_figure``, whose message is shown beside the field."""

    widget = forms.TextInput

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 40:
            raise forms.ValidationError("The figure is too long: write it like 83.5.", code="invalid")
        try:
            return parse_figure(text)
        except FigureError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class IndicatorActualForm(forms.Form):
    """An indicator's actual and its lead's note for the month, on the lead's month page.
    ``read_value`` and ``read_note`` are the figures the page showed: saving over a colleague's
    later entry is refused (``services.StaleActualError``)."""

    read_value = forms.CharField(required=False, widget=forms.HiddenInput)
    read_note = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    value = FigureField(required=False)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=INDICATOR_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )

    def __init__(self, *args, figures: IndicatorFigures, **kwargs):
        self.figures = figures
        value = number_text(figures.actual).replace(",", "") if figures.actual is not None else ""
        kwargs.setdefault(
            "initial", {"read_value": value, "read_note": figures.note, "value": value, "note": figures.note}
        )
        super().__init__(*args, prefix=f"i{figures.indicator_id}", **kwargs)
        self.fields["value"].label = f"Actual for {figures.month.name} ({figures.unit_label.lower()})"
        self.fields["value"].widget.attrs.update({"inputmode": "decimal", "class": "input-figure"})
        self.fields["note"].label = f"Note on {figures.code} for {figures.month.name}"

    def clean_read_value(self):
        try:
            return parse_figure(self.cleaned_data["read_value"]) if self.cleaned_data["read_value"] else None
        except FigureError:
            raise forms.ValidationError("The page was changed: load it again.") from None

    def clean(self):
        data = super().clean()
        if (
            data.get("value") is None
            and "value" not in self.errors
            and services.progress_text(data.get("note"))
        ):
            self.add_error("value", "Enter the actual that the note is about.")
        return data

    def needs_saving(self) -> bool:
        """Written when the figure or the note differs from what the page showed."""
        data = self.cleaned_data
        return (data["value"], services.progress_text(data["note"])) != (
            data["read_value"],
            services.progress_text(data["read_note"]),
        )

    def as_write(self, indicator) -> services.ActualWrite:
        data = self.cleaned_data
        return services.ActualWrite(
            indicator=indicator,
            month=self.figures.month,
            value=data["value"],
            note=data["note"],
            read=(data["read_value"], data["read_note"]),
        )


class ChangeRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="What do you ask for?",
        choices=ChangeRequest.Kind.choices,
        widget=widgets.RadioSelect,
        error_messages={
            "required": "Choose whether you are asking to re-programme or suspend the action.",
            "invalid_choice": "Choose whether you are asking to re-programme or suspend the action.",
        },
    )
    reason = forms.CharField(
        max_length=CORRECTIVE_ACTION_MAX,
        widget=widgets.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say why the action should be re-programmed or suspended.",
            "max_length": too_long("The reason"),
        },
    )

    def __init__(self, *args, action: Action, plan: Plan, month: Month, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.month = month
        self.fields["new_target"] = target_month_field(
            plan=plan,
            label="New target month (for a re-programme)",
            blank_label="Choose a month",
            after=month,
        )
        self.order_fields(["kind", "new_target", "reason"])

    def clean(self):
        data = super().clean()
        if data.get("kind") == ChangeRequest.Kind.REPROGRAMME:
            new_target = data.get("new_target")
            target = self.action.target
            if not new_target and "new_target" not in self.errors:
                self.add_error("new_target", "Choose the new target month of the re-programme.")
            elif new_target and (new_target <= self.month or (target and new_target <= target)):
                self.add_error("new_target", "The new target month must be later than the current target.")
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=widgets.RadioSelect,
        error_messages={
            "required": "Choose whether to approve or reject the request.",
            "invalid_choice": "Choose whether to approve or reject the request.",
        },
    )
    comment = forms.CharField(
        required=False,
        max_length=CORRECTIVE_ACTION_MAX,
        widget=widgets.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": too_long("The comment")},
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say why the request is rejected.")
        return data


class RollOverForm(forms.Form):
    """The new plan year: when it begins, what it is called."""

    first_month = forms.ChoiceField(
        label="The new year's first month",
        error_messages={
            "required": "Choose the new year's first month.",
            "invalid_choice": "Choose the new year's first month from the list.",
        },
    )
    title = forms.CharField(
        label="Title of the new plan year",
        max_length=200,
        error_messages={
            "required": "Enter the title of the new plan year, for example \u201cImprovement Plan 2010/11\u201d.",
            "max_length": "The title must be 200 characters or fewer.",
        },
    )
    slug = forms.SlugField(
        label="Web address name",
        max_length=80,
        help_text="Letters, numbers and hyphens; it appears in the new plan's web addresses.",
        error_messages={
            "required": "Enter the web address name of the new plan, for example bromsgrove-2010-11.",
            "invalid": "The web address name may only have letters, numbers, hyphens and underscores.",
            "max_length": "The web address name must be 80 characters or fewer.",
        },
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        # The year after the old one ends, or a later start within the following year.
        self.fields["first_month"].choices = [(str(plan.end + i), (plan.end + i).name) for i in range(1, 13)]

    def clean_first_month(self) -> Month:
        return Month.parse(self.cleaned_data["first_month"])


class CodeForm(forms.Form):
    """What one priority code of the old year becomes: its own code, another (merged), a new one,
    or nothing (dropped)."""

    old_code = forms.CharField(widget=forms.HiddenInput)
    new_code = forms.CharField(
        label="Code in the new year",
        required=False,
        max_length=30,
        error_messages={"max_length": "A code must be 30 characters or fewer."},
    )
    new_title = forms.CharField(
        label="Title in the new year",
        required=False,
        max_length=200,
        error_messages={"max_length": "A title must be 200 characters or fewer."},
    )


CodeFormSet = forms.formset_factory(CodeForm, extra=0)
