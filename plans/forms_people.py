"""The forms of the people pages (``plans.views_people``); every write goes through ``plans.people``."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group

from plans import people

NAME_WIDGET = forms.TextInput(attrs={"autocomplete": "name", "size": 40})
EMAIL_WIDGET = forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", "size": 40})
USERNAME_WIDGET = forms.TextInput(
    attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "size": 30}
)


class RoleChoiceField(forms.ModelChoiceField):
    widget = forms.RadioSelect

    def label_from_instance(self, group: Group) -> str:
        return f"{group.name}: {people.ROLE_HINTS.get(group.name, '')}"


class PersonForm(forms.Form):
    """A new login: who they are, where their set-password email goes, and how they log in."""

    full_name = forms.CharField(
        label="Full name", max_length=300, widget=NAME_WIDGET,
        error_messages={"required": "Enter the person's full name"},
    )  # fmt: skip
    email = forms.EmailField(
        label="Email address",
        help_text="The link to set their password is emailed here.",
        widget=EMAIL_WIDGET,
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="What they type to log in, for example jsmith. Letters, digits and @ . + - _ only.",
        widget=USERNAME_WIDGET,
        error_messages={"required": "Enter a username for them to log in with"},
    )


class AddPersonForm(PersonForm):
    role = RoleChoiceField(
        label="Role", queryset=Group.objects.none(), empty_label=None,
        error_messages={"required": "Choose the person's role", "invalid_choice": "Choose one of the roles"},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Group.objects.filter(pk__in=[g.pk for g in people.role_groups()])


class RoleForm(forms.Form):
    role = RoleChoiceField(
        label="Role", queryset=Group.objects.none(), empty_label=None,
        error_messages={"required": "Choose the person's role", "invalid_choice": "Choose one of the roles"},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Group.objects.filter(pk__in=[g.pk for g in people.role_groups()])


class OrganisationForm(PersonForm):
    """A new organisation and its first performance-team member."""

    name = forms.CharField(
        label="Organisation's name",
        max_length=200,
        help_text="As printed on its reports, for example Rotherham Metropolitan Borough Council.",
        widget=forms.TextInput(attrs={"size": 50}),
        error_messages={"required": "Enter the organisation's name"},
    )
    slug = forms.SlugField(
        label="Short name (optional)",
        max_length=60,
        required=False,
        help_text="Used in addresses, for example rotherham. Made from the name when left blank.",
        widget=forms.TextInput(attrs={"size": 30, "spellcheck": "false"}),
        error_messages={"invalid": "Use only letters, digits, hyphens and underscores"},
    )
    field_order = ["name", "slug", "full_name", "email", "username"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].label = "First performance-team member's full name"
        self.fields["email"].label = "Their email address"
        self.fields["username"].label = "Their username"
