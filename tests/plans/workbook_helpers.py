"""Build small plan workbooks for the importer's tests, sheet by sheet, as a council would type them."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

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


INDICATOR_HEADINGS = ["Priority", "Measure", "Ref", "Indicator", "Unit", "Better", "Target", "Tolerance",
                      "July", "Aug.", "Sep.", "Oct.", "Nov.", "Dec.", "Jan.", "Feb.", "Mar.", "Apr.", "May",
                      "June", "Lead"]  # fmt: skip


def indicator_row(
    ref="BV8", actuals=(), priority="FP1", measure="2.1", title="Invoices paid within 30 days", unit="%",
    better="Higher", target=97, tolerance=3, lead="JP",
):  # fmt: skip
    """A row of the Indicators sheet: definition, then ``actuals`` from July on, then the lead."""
    cells = list(actuals) + [None] * (12 - len(actuals))
    return [priority, measure, ref, title, unit, better, target, tolerance, *cells, lead]


def workbook(
    *,
    plan=None,
    priorities=None,
    measures=None,
    actions=None,
    action_headings=None,
    fills=None,
    terms=None,
    indicators=None,
    indicator_headings=None,
    number_formats=None,
    leave_out=(),
) -> bytes:
    """The bytes of an .xlsx; ``fills`` maps (row, column) of the Actions sheet to an RGB fill;
    ``indicators`` (rows) adds an Indicators sheet, ``number_formats`` maps (row, column) of it to
    a number format ("0.0%")."""
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
    if indicators is not None:
        sheets["Indicators"] = [indicator_headings or INDICATOR_HEADINGS, *indicators]
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
    for (row, column), number_format in (number_formats or {}).items():
        book["Indicators"].cell(row=row, column=column).number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def as_excel_saves_it(data: bytes) -> bytes:
    """The workbook with its text in one shared table (``xl/sharedStrings.xml``), each distinct
    text once, as Excel saves a workbook; openpyxl writes every text into its cell instead."""
    import xml.etree.ElementTree as ET
    import zipfile

    ET.register_namespace("", MAIN_NS)
    texts: dict[str, int] = {}
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        for name in source.namelist():
            content = source.read(name)
            if name.startswith("xl/worksheets/"):
                sheet = ET.fromstring(content)
                for cell in sheet.iter(f"{{{MAIN_NS}}}c"):
                    inline = cell.find(f"{{{MAIN_NS}}}is")
                    if cell.get("t") == "inlineStr" and inline is not None:
                        text = "".join(t.text or "" for t in inline.iter(f"{{{MAIN_NS}}}t"))
                        cell.remove(inline)
                        cell.set("t", "s")
                        ET.SubElement(cell, f"{{{MAIN_NS}}}v").text = str(texts.setdefault(text, len(texts)))
                content = ET.tostring(sheet, xml_declaration=True, encoding="UTF-8")
            parts[name] = content
    table = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in texts)
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" uniqueCount="{len(texts)}">{table}</sst>'
    ).encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/></Types>'.encode(),
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdStrings" Type="{SHARED_STRINGS_REL}" Target="sharedStrings.xml"/></Relationships>'.encode(),
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


# --- Hostile and damaged workbooks ------------------------------------------------------------------
def replace_entry(
    data: bytes, name: str, content: bytes | None, extra: dict | None = None, **options
) -> bytes:
    """The workbook with one part's content replaced (or left out, for None) and other parts added;
    ``options`` for the new zip (``compression``, ``compresslevel``)."""
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", **({"compression": zipfile.ZIP_DEFLATED} | options)) as target,
    ):
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item.filename, source.read(item.filename))
            elif content is not None:
                target.writestr(item.filename, content)
        for extra_name, extra_content in (extra or {}).items():
            target.writestr(extra_name, extra_content)
    return out.getvalue()


def sheet_xml(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def part(data: bytes, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def with_doctype(xml: bytes, doctype: str) -> bytes:
    """The part with a DOCTYPE before its root element (and after any XML declaration)."""
    start = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    return xml[:start] + doctype.encode() + xml[start:]


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def damaged(kind: str) -> bytes:
    """A workbook damaged, or made hostile, in one way; every kind is refused as not a workbook."""
    data = workbook()
    book, sheet = "xl/workbook.xml", "xl/worksheets/sheet4.xml"
    if kind == "entity in the workbook part":
        return replace_entry(
            data, book, with_doctype(part(data, book), '<!DOCTYPE workbook [<!ENTITY x "x">]>')
        )
    if kind == "billion laughs in the shared strings":
        saved = as_excel_saves_it(data)
        return replace_entry(
            saved, "xl/sharedStrings.xml", with_doctype(part(saved, "xl/sharedStrings.xml"), LAUGHS)
        )
    if kind == "external entity in a sheet":
        doctype = '<!DOCTYPE worksheet [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>'
        return replace_entry(data, sheet, with_doctype(part(data, sheet), doctype))
    if kind == "a sheet of broken XML":
        return replace_entry(data, sheet, part(data, sheet)[:-40])
    if kind == "the workbook's relationships left out":
        return replace_entry(data, "xl/_rels/workbook.xml.rels", None)
    if kind == "a part whose checksum fails":
        import zipfile

        stored = replace_entry(data, "", None, compression=zipfile.ZIP_STORED)
        return stored.replace(b"Priority", b"Prinrity", 1)
    if kind == "an encrypted part":
        raw = bytearray(data)
        # The central directory's entry for the sheet says it is encrypted (general purpose flag 1).
        at = raw.index(b"PK\x01\x02")
        while raw[at + 46 : at + 46 + len(sheet)] != sheet.encode():
            at = raw.index(b"PK\x01\x02", at + 4)
        raw[at + 8] |= 1
        return bytes(raw)
    if kind == "a cell with a style that is not there":
        data = workbook(actions=[action_row(grid=["G"])])
        return replace_entry(data, sheet, part(data, sheet).replace(b'<c r="F2"', b'<c r="F2" s="999"'))
    raise ValueError(kind)


DAMAGED = [
    "entity in the workbook part",
    "billion laughs in the shared strings",
    "external entity in a sheet",
    "a sheet of broken XML",
    "the workbook's relationships left out",
    "a part whose checksum fails",
    "an encrypted part",
    "a cell with a style that is not there",
]
