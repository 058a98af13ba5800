"""The performance team's forms: the meeting, the written parts, a risk and its plan references."""

from __future__ import annotations

from django import forms

from cabinet.committee import HINTS, PLACEHOLDERS, TABLE, Part, lines_without_colon, unknown_placeholders
from cabinet.models import CorporateRisk, Impact, Likelihood
from plans.models import CORRECTIVE_ACTION_MAX, Action, Plan, Priority

DATE_FORMATS = ["%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d %B, %Y"]


class MeetingForm(forms.Form):
    committee = forms.CharField(
        label="Committee",
        max_length=100,
        help_text="As the paper prints it, e.g. Cabinet",
        error_messages={"required": "Enter the committee, e.g. Cabinet"},
    )
    date = forms.DateField(
        label="Date of the meeting",
        input_formats=DATE_FORMATS,
        help_text="For example, 2 September 2009",
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "Enter a real date, for example 2 September 2009",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].widget.attrs.update(size=30, autocomplete="off")
        self.fields["date"].widget.attrs.update(size=20, autocomplete="off")


PLACEHOLDER_HINT = (
    "You can write " + ", ".join(f"{{{name}}} for {meaning}" for name, meaning in PLACEHOLDERS.items()) + "."
)


class TextsForm(forms.Form):
    """One box per written part. For the plan: its template; for a month: the month's own text,
    left empty to print the plan's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for part in Part:
            hint = HINTS.get(part, "Paragraphs are numbered in order; leave a blank line between them.")
            self.fields[part.value] = forms.CharField(
                label=part.label,
                required=False,
                max_length=CORRECTIVE_ACTION_MAX,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 3 if part not in TABLE else 8, "cols": 60}),
                help_text=hint,
            )

    def clean(self):
        cleaned = super().clean()
        for part in Part:
            text = cleaned.get(part.value)
            if not text:
                continue
            unknown = unknown_placeholders(text)
            if unknown:
                self.add_error(
                    part.value,
                    f"{{{unknown[0]}}} is not something the report can fill in. {PLACEHOLDER_HINT}",
                )
            if part in TABLE:
                missing = lines_without_colon(text)
                if missing:
                    self.add_error(
                        part.value,
                        f"Line {missing[0]} has no colon: write who, a colon, then their answer "
                        "(Chief Executive: At CMT)",
                    )
        return cleaned


class RiskForm(forms.ModelForm):
    likelihood = forms.TypedChoiceField(
        label="Likelihood", choices=[("", "Choose")] + [(c.value, f"{c.value} – {c.label}") for c in Likelihood],
        coerce=int, error_messages={"required": "Choose the likelihood"},
    )  # fmt: skip
    impact = forms.TypedChoiceField(
        label="Impact", choices=[("", "Choose")] + [(c.value, f"{c.value} – {c.label}") for c in Impact],
        coerce=int, error_messages={"required": "Choose the impact"},
    )  # fmt: skip
    review_date = forms.DateField(
        label="Review date",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 31 December 2009",
        error_messages={"invalid": "Enter a real date, for example 31 December 2009"},
    )
    merged_into = forms.ModelChoiceField(
        label="Merge into another risk",
        required=False,
        queryset=CorporateRisk.objects.none(),
        empty_label="Not merged",
        help_text="Section 7 then reports this risk as part of that one (KO18 into KO5). This cannot be undone here.",
    )

    class Meta:
        model = CorporateRisk
        fields = ["code", "title", "owner", "likelihood", "impact", "mitigation", "review_date"]
        labels = {"code": "Reference", "title": "Risk", "owner": "Owner", "mitigation": "Mitigation"}
        help_texts = {
            "code": "As the register writes it, e.g. KO1",
            "owner": "e.g. Head of Financial Services",
        }
        widgets = {"mitigation": forms.Textarea(attrs={"rows": 4, "cols": 60})}
        error_messages = {
            "code": {
                "required": "Enter the risk's reference, e.g. KO1",
                "unique": "The register already has a risk with this reference",
            },
            "title": {"required": "Enter the risk"},
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        others = CorporateRisk.objects.in_register(organisation).open()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["merged_into"].queryset = others
        self.fields["review_date"].widget.attrs.update(size=20)
        self.fields["code"].widget.attrs.update(size=12)
        self.fields["title"].widget.attrs.update(size=60)

    def clean_code(self):
        # A reference is unique in its organisation's register (the model's constraint names both).
        code = self.cleaned_data["code"].strip()
        taken = CorporateRisk.objects.in_register(self.organisation).filter(code=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(self.fields["code"].error_messages["unique"], code="unique")
        return code


class RiskLinksForm(forms.Form):
    """The priorities and actions of one plan that answer a risk."""

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"] = forms.ModelMultipleChoiceField(
            label="Priorities and enablers",
            required=False,
            queryset=Priority.objects.filter(plan=plan).order_by("position", "id"),
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["actions"] = forms.ModelMultipleChoiceField(
            label="Actions",
            required=False,
            queryset=Action.objects.filter(plan=plan).select_related("measure__priority").in_plan_order(),
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["priorities"].label_from_instance = str
        self.fields["actions"].label_from_instance = lambda a: (
            f"{a.measure.priority.code} {a.ref} {a.description}"
        )
