"""The committee report as a Word document (python-docx), for councils whose agenda system takes
Word: the same ``CoverDocument`` and the same blocks (``reports.committee_report``) as the PDF
cover, so the two say the same. python-docx writes every text as XML text (escaped); characters
XML cannot hold at all are dropped first."""

from __future__ import annotations

import io
import re

from docx import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.committee_report import Block
from reports.documents import CoverDocument, as_at_label

# XML 1.0 allows tab, line feed, carriage return and printable characters only.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _bold(paragraph, text: str) -> None:
    paragraph.add_run(_text(text)).bold = True


def _lines(paragraph, text: str, *, bold: bool = False) -> None:
    """Text whose lines are kept as line breaks (section 7 lists one plan reference a line)."""
    lines = text.split("\n")
    for n, line in enumerate(lines):
        run = paragraph.add_run(_text(line))
        run.bold = bold
        if n < len(lines) - 1:
            run.add_break()


def _cell(cell, text: str, *, bold: bool = False) -> None:
    _lines(cell.paragraphs[0], text, bold=bold)


def _fld_char(kind: str):
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in as it lays the pages out; "1" until then."""
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    shown = OxmlElement("w:t")
    shown.text = "1"
    run = paragraph.add_run()._r
    for element in (_fld_char("begin"), code, _fld_char("separate"), shown, _fld_char("end")):
        run.append(element)


def _table(word, block: Block) -> None:
    columns = len(block.header) if block.header else max(len(row) for row in block.rows)
    table = word.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    if block.header:
        cells = table.add_row().cells
        for cell, heading in zip(cells, block.header, strict=True):
            _cell(cell, heading, bold=True)
    for row in block.rows:
        cells = table.add_row().cells
        for n, (cell, value) in enumerate(zip(cells, row, strict=True)):
            _cell(cell, value, bold=not block.header and n == 0)


def cover_docx(doc: CoverDocument) -> bytes:
    """The cover report (meeting, sections 1-15, contact officer) as a .docx file."""
    word = WordDocument()
    page = word.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin = page.right_margin = Mm(18)
    page.top_margin, page.bottom_margin = Mm(22), Mm(16)
    word.styles["Normal"].font.name = "Arial"
    word.styles["Normal"].font.size = Pt(11)

    properties = word.core_properties
    properties.title = _text(doc.title)
    properties.author = _text(doc.organisation)
    properties.created = properties.modified = doc.as_at.replace(tzinfo=None)
    properties.last_modified_by = ""
    properties.revision = 1

    header = page.header.paragraphs[0]
    header.text = _text(doc.title)
    if doc.is_draft:
        header.add_run(f" · Draft as at {as_at_label(doc.as_at)}: the month is not yet closed")
    footer = page.footer.paragraphs[0]
    footer.text = f"Produced {doc.produced:%-d %B %Y} · Page "
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")

    papers = doc.papers
    _bold(word.add_paragraph(), doc.organisation.upper())
    if papers is not None and papers.meeting:
        _bold(word.add_paragraph(), doc.meeting_date)
        _bold(word.add_paragraph(), doc.committee)
    else:
        word.add_paragraph("Meeting not recorded")
    word.add_heading(_text(f"IMPROVEMENT PLAN EXCEPTION REPORT [{doc.report.month.name}]"), level=1)
    people = word.add_table(rows=0, cols=2)
    for label, value in (
        ("Responsible Portfolio Holder", doc.portfolio_holder or "Not set"),
        ("Responsible Officer", doc.responsible_officer or "Not set"),
    ):
        cells = people.add_row().cells
        _cell(cells[0], label, bold=True)
        _cell(cells[1], value)

    for section in doc.sections:
        word.add_heading(section.title, level=2)
        for block in section.blocks:
            if block.kind == "table":
                _table(word, block)
            elif block.kind == "note":
                word.add_paragraph().add_run(_text(block.text)).font.size = Pt(9)
            else:
                paragraph = word.add_paragraph()
                if block.number:
                    paragraph.add_run(f"{block.number}\t")
                paragraph.add_run(_text(block.text))

    word.add_heading("CONTACT OFFICER", level=2)
    contact = [f"Name: {doc.contact_name or 'Not set'}"]
    contact += [
        f"{label}: {value}"
        for label, value in (("E Mail", doc.contact_email), ("Tel", doc.contact_phone))
        if value
    ]
    _lines(word.add_paragraph(), "\n".join(contact))
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
