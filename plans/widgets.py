"""Form widgets that write their HTML in Python.

Django renders every widget through its template engine, an option of a select or a radio
button through a template of its own: on the month page (20 actions, each with two selects of up
to 36 months, a radio group and two text areas) that was most of the page's CPU. These produce
the same markup from the same attributes (``BoundField.build_widget_attrs`` still adds
``required``, ``disabled``, ``aria-invalid`` and ``aria-describedby``), and the fields, their
cleaning and their messages are Django's, unchanged.

The radios are the house's GOV.UK items (``<div class="radio">`` input and label), which the
``plans/includes/radios.html`` fieldset wraps.
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def attributes(attrs: dict) -> str:
    """As Django's ``attrs.html``: ``True`` is a bare attribute, ``False`` and None leave it out."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{conditional_escape(value)}"')
    return "".join(parts)


class HiddenInput(forms.HiddenInput):
    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = {"type": "hidden", "name": name, **({"value": value} if value is not None else {})}
        return mark_safe(f"<input{attributes({**shown, **self.build_attrs(self.attrs, attrs)})}>")


class Textarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None):
        text = conditional_escape(self.format_value(value) or "")
        # The newline after the tag is dropped by the HTML parser, so a text starting with one keeps it.
        return mark_safe(
            f'<textarea name="{conditional_escape(name)}"{attributes(self.build_attrs(self.attrs, attrs))}>\n{text}</textarea>'
        )


class Select(forms.Select):
    """A select whose choices may be grouped (``[(group, [(value, label), …]), …]``)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        parts = [
            f'<select name="{conditional_escape(name)}"{attributes(self.build_attrs(self.attrs, attrs))}>'
        ]
        for key, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{conditional_escape(key)}">')
                parts.extend(_option(v, text, chosen) for v, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(_option(key, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))


def _option(value, label, chosen: set[str]) -> str:
    value = "" if value is None else str(value)
    selected = " selected" if value in chosen else ""
    return f'<option value="{conditional_escape(value)}"{selected}>{conditional_escape(label)}</option>'


class RadioSelect(forms.RadioSelect):
    """The radio items of a GOV.UK radios fieldset (the fieldset and legend are the template's)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.pop("id", None)
        parts = []
        for index, (key, label) in enumerate(self.choices):
            key = "" if key is None else str(key)
            radio = {
                "type": "radio",
                "name": name,
                "value": key,
                **attrs,
                "id": f"{base_id}_{index}" if base_id else None,
                "checked": key in chosen,
            }
            parts.append(
                f'<div class="radio"><input{attributes(radio)}>'
                f'<label for="{radio["id"]}">{conditional_escape(label)}</label></div>'
            )
        return mark_safe("".join(parts))
