"""Build small plan workbooks for the importer's tests, sheet by sheet, as a council would type them."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Color, PatternFill

PLAN = [["Title", "Improvement Plan 2008/09"], ["First month", "July 2008"], ["Organisation", "Bromsgrove"]]
PRIORITIES = [
    ["Code", "Title", "Expected outcome"],
    ["CP1", "Town Centre", "Regeneration"],
    ["FP1", "Value", ""],
]
MEASURES = [
    ["Priority", "Ref", "Measure of success", "Actions required", "Timescales", "Lead", "Resources"],
    ["CP1", "1.1", "Public support for plans", "", "", "PS", ""],
    ["FP1", "2.1", "Savings made", "", "", "JP", ""],
]
ACTION_HEADINGS = ["Priority", "Measure", "Ref", "Action", "Lead", "July", "Aug.", "Sep.", "Oct.", "Nov.", "Dec.",
                   "Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "Corrective action", "Original date",
                   "Revised date"]  # fmt: skip


def action_row(
    ref="1.1.1", grid=(), priority="CP1", measure="1.1", lead="PS", text="An action", tail=("", "", "")
):
    cells = list(grid) + [""] * (12 - len(grid))
    return [priority, measure, ref, text, lead, *cells, *tail]


def workbook(
    *,
    plan=None,
    priorities=None,
    measures=None,
    actions=None,
    action_headings=None,
    fills=None,
    terms=None,
    leave_out=(),
) -> bytes:
    """The bytes of an .xlsx; ``fills`` maps (row, column) of the Actions sheet to an RGB fill."""
    book = Workbook()
    book.remove(book.active)
    sheets = {
        "Plan": plan if plan is not None else PLAN,
        "Priorities": priorities if priorities is not None else PRIORITIES,
        "Measures": measures if measures is not None else MEASURES,
        "Actions": [
            action_headings or ACTION_HEADINGS,
            *(actions if actions is not None else [action_row()]),
        ],
    }
    if terms is not None:
        sheets["Status words"] = [["Word", "Status", "Default"], *terms]
    for name, rows in sheets.items():
        if name in leave_out:
            continue
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    for (row, column), colour in (fills or {}).items():
        # An RGB string, or a theme colour's index (Excel's "Theme Colors" palette).
        fg = Color(theme=colour, tint=0.4) if isinstance(colour, int) else colour
        book["Actions"].cell(row=row, column=column).fill = PatternFill("solid", fgColor=fg)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
