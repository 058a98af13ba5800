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

import functools
import html

from django import forms
from django.utils.choices import normalize_choices
from django.utils.safestring import SafeData, mark_safe


def escape(value) -> str:
    """``conditional_escape`` without its lazy-string wrapper, which cost more than the escaping
    on a page of a thousand values: text marked safe is kept, anything else escaped."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


def attributes(attrs: dict) -> str:
    """As Django's ``attrs.html``: ``True`` is a bare attribute, ``False`` and None leave it out."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


class HiddenInput(forms.HiddenInput):
    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = {"type": "hidden", "name": name, **({"value": value} if value is not None else {})}
        return mark_safe(f"<input{attributes({**shown, **self.build_attrs(self.attrs, attrs)})}>")


class Textarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None):
        text = escape(self.format_value(value) or "")
        # The newline after the tag is dropped by the HTML parser, so a text starting with one keeps it.
        return mark_safe(
            f'<textarea name="{escape(name)}"{attributes(self.build_attrs(self.attrs, attrs))}>\n{text}</textarea>'
        )


class Select(forms.Select):
    """A select whose choices may be grouped (``[(group, [(value, label), …]), …]``). Its choices
    are kept as a tuple (normalised once, not again at every copy of the form's fields)."""

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = value if isinstance(value, tuple) else _frozen(normalize_choices(value))

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(on if key in chosen else off for key, off, on in _options(self.choices))
        return mark_safe(
            f'<select name="{escape(name)}"{attributes(self.build_attrs(self.attrs, attrs))}>'
            f"{options}</select>"
        )


def _frozen(choices) -> tuple:
    return tuple(
        (key, _frozen(label)) if isinstance(label, list | tuple) else (key, label) for key, label in choices
    )


@functools.lru_cache(maxsize=128)
def _options(choices: tuple) -> tuple[tuple[str | None, str, str], ...]:
    """Each option's HTML unselected and selected: the month lists are the same on every row of a
    month page, so escaped once."""
    parts: list[tuple[str | None, str, str]] = []
    for key, label in choices:
        if isinstance(label, tuple):
            tag = f'<optgroup label="{escape(key)}">'
            parts.append((None, tag, tag))
            parts.extend(_option(v, text) for v, text in label)
            parts.append((None, "</optgroup>", "</optgroup>"))
        else:
            parts.append(_option(key, label))
    return tuple(parts)


def _option(value, label) -> tuple[str, str, str]:
    value = "" if value is None else str(value)
    start, end = f'<option value="{escape(value)}"', f">{escape(label)}</option>"
    return value, start + end, f"{start} selected{end}"


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
                f'<label for="{radio["id"]}">{escape(label)}</label></div>'
            )
        return mark_safe("".join(parts))
