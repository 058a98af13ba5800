"""The leads' names and email addresses, and a plan's deadline and reminders: the performance
team's forms (saved through ``plans.notifications``)."""

from django import forms
from django.contrib.auth.models import User

from plans.models import REMINDER_DAYS_BEFORE_MAX, UPDATES_DUE_DAY_MAX, Lead


class LoginChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()


class LeadContactForm(forms.ModelForm):
    """A lead: the initials or job title the plans know them by, their name and address, and the
    login (a person of the same organisation) that updates their actions."""

    user = LoginChoiceField(
        label="Their log-in",
        queryset=User.objects.none(),
        required=False,
        empty_label="None",
        help_text="The person who updates this lead's actions. Add people on the people page.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(memberships__organisation=organisation).order_by(
            "username"
        )
        self.fields["initials"].widget.attrs.update(size=30)

    class Meta:
        model = Lead
        fields = ["initials", "name", "email", "user"]
        labels = {"initials": "Initials or job title", "name": "Full name", "email": "Email address"}
        help_texts = {
            "initials": "As the plans name them, for example PS or Assistant Chief Executive.",
            "name": "As a letter to them opens: “Dear Rebecca Dunne,”.",
            "email": "Reminders and decisions on their requests go here. Leave it blank if they have none.",
        }
        error_messages = {
            "email": {"invalid": "Enter an email address in the correct format, like name@example.org"},
            "initials": {"required": "Enter the initials or job title the plans know them by"},
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name", "size": 40}),
            "email": forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", "size": 40}),
        }


class ReminderSettingsForm(forms.Form):
    updates_due_day = forms.IntegerField(
        label="Day of the following month the updates are due",
        help_text=f"For example 10: July's updates are due by 10 August. A day from 1 to {UPDATES_DUE_DAY_MAX}; "
        "leave it blank for no deadline and no scheduled reminders.",
        required=False,
        min_value=1,
        max_value=UPDATES_DUE_DAY_MAX,
        error_messages={
            "invalid": f"Enter the day as a number from 1 to {UPDATES_DUE_DAY_MAX}, like 10",
            "min_value": f"Enter a day from 1 to {UPDATES_DUE_DAY_MAX}",
            "max_value": f"Enter a day from 1 to {UPDATES_DUE_DAY_MAX}: every month has a {UPDATES_DUE_DAY_MAX}th",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
    )
    reminder_days_before = forms.IntegerField(
        label="Days before the deadline to remind leads",
        help_text="Leads whose actions have no status yet are emailed their list on that day "
        "(or, if no reminder could go then, on any later day up to the deadline). 0 reminds on the day itself.",
        min_value=0,
        max_value=REMINDER_DAYS_BEFORE_MAX,
        error_messages={
            "required": "Enter how many days before the deadline to remind leads, like 3",
            "invalid": f"Enter the number of days as a number from 0 to {REMINDER_DAYS_BEFORE_MAX}, like 3",
            "min_value": f"Enter a number of days from 0 to {REMINDER_DAYS_BEFORE_MAX}",
            "max_value": f"Enter a number of days from 0 to {REMINDER_DAYS_BEFORE_MAX}",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
    )
