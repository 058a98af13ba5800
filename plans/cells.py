"""Spreadsheet safety: no exported cell is ever a live formula.

OWASP's CSV-injection guidance: a cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is read by Excel as a formula. Every export (the plan workbook, the
django-tables2 CSV and Excel exports) passes its text cells through ``neutralise``.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would take as a formula, prefixed with an apostrophe so it is
    shown as the text it is; every other value unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
