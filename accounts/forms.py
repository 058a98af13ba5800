from django import forms


class UnlockForm(forms.Form):
    username = forms.CharField(max_length=255)
