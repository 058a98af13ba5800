"""The plan's cover report settings, and the choice of a published copy to render again: the
performance team's."""

from django import forms

from plans.models import Plan
from reports.documents import PUBLISHED_KINDS


class CoverSettingsForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["portfolio_holder", "responsible_officer", "contact_name", "contact_email", "contact_phone"]
        labels = {
            "portfolio_holder": "Responsible portfolio holder",
            "responsible_officer": "Responsible officer",
            "contact_name": "Contact officer's name",
            "contact_email": "Contact officer's email address",
            "contact_phone": "Contact officer's telephone number",
        }
        help_texts = {
            "portfolio_holder": "As the cover report prints it, e.g. Cllr. Roger Hollingworth, Leader of the Council",
            "responsible_officer": "e.g. Hugh Bennett Assistant Chief Executive",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("size", 60)


class RerenderForm(forms.Form):
    """Which of a closed month's published copies to render again."""

    kind = forms.ChoiceField(choices=[(kind.value, kind.label) for kind in PUBLISHED_KINDS])
