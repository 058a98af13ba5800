"""Untrusted uploads: the checks an upload passes before openpyxl is given it.

An .xlsx is a zip of XML parts. ``read_upload`` reads at most ``MAX_UPLOAD_BYTES``;
``check_archive`` refuses what is not a workbook, a zip bomb, and any formula. The errors every
step of reading raises are here too: ``WorkbookError`` (one problem, by sheet, row and column) and
``WorkbookInvalid`` (all of them).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree as SafeET

# --- Limits for untrusted files --------------------------------------------------------------
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # a zip bomb compresses far better than any honest sheet
MAX_ROWS = 5_000  # a plan has a few hundred actions
MAX_COLUMNS = 80  # the Actions sheet: 8 columns and up to 36 months
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_ERRORS = 500  # enough to fix a file by; a hostile one cannot make the list unbounded


# --- Errors ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkbookError:
    """One thing wrong with a workbook, where a person can find it."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    @property
    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class WorkbookInvalid(Exception):
    """The workbook cannot be imported; ``errors`` lists every reason found."""

    def __init__(self, errors: list[WorkbookError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


class ErrorList(list):
    def add(self, message: str, sheet: str = "", row: int | None = None, column: str = "") -> None:
        if len(self) < MAX_ERRORS:
            self.append(WorkbookError(message, sheet, row, column))


# --- Untrusted files ----------------------------------------------------------------------------
def read_upload(stream, *, size: int | None = None) -> bytes:
    """At most ``MAX_UPLOAD_BYTES`` of an upload; a larger one is refused before it is read."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise WorkbookInvalid([WorkbookError(_too_big(size))])
    data = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkbookInvalid([WorkbookError(_too_big(len(data)))])
    return data


def _too_big(size: int) -> str:
    return f"The file is {size / 1024 / 1024:.1f} MB; the largest workbook accepted is 10 MB."


NOT_XLSX = (
    "The file is not an Excel workbook (.xlsx). Save it from Excel as “Excel Workbook (.xlsx)” and try again."
)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def check_archive(data: bytes) -> None:
    """Refuse what openpyxl must never be given: not a zip, a zip bomb, a formula."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkbookInvalid([WorkbookError(_too_big(len(data)))])
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WorkbookInvalid([WorkbookError(NOT_XLSX)])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise WorkbookInvalid(
                    [
                        WorkbookError(
                            f"The workbook holds {len(entries)} parts; at most {MAX_ZIP_ENTRIES} are accepted."
                        )
                    ]
                )
            total = sum(e.file_size for e in entries)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise WorkbookInvalid(
                    [
                        WorkbookError(
                            "The workbook unpacks to more than 60 MB; a plan is far smaller than that."
                        )
                    ]
                )
            for entry in entries:
                if entry.file_size > 1024 * 1024 and entry.file_size > MAX_COMPRESSION_RATIO * max(
                    entry.compress_size, 1
                ):
                    raise WorkbookInvalid(
                        [
                            WorkbookError(
                                "The workbook is compressed far more than a real sheet can be (a “zip bomb”, "
                                "or a huge repeated cell); it was not opened."
                            )
                        ]
                    )
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise WorkbookInvalid([WorkbookError(NOT_XLSX)])
            formulas = _formula_cells(archive)
    except zipfile.BadZipFile as exc:
        raise WorkbookInvalid([WorkbookError(NOT_XLSX)]) from exc
    if formulas:
        raise WorkbookInvalid(
            [
                WorkbookError(
                    "This cell holds a formula. The import reads typed values only and never runs formulas: "
                    "copy the sheet and paste it as values.",
                    sheet,
                    row,
                    column,
                )
                for sheet, row, column in formulas[:MAX_ERRORS]
            ]
        )


def _formula_cells(archive: zipfile.ZipFile) -> list[tuple[str, int | None, str]]:
    """Each formula cell as (sheet, row, column), read with defusedxml from the sheets' XML."""
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        book = SafeET.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, SafeET.ParseError) as exc:
        raise WorkbookInvalid([WorkbookError(NOT_XLSX)]) from exc
    found = []
    for sheet in book.iter(f"{ns_main}sheet"):
        target = targets.get(sheet.get(f"{ns_rel}id"), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if path not in archive.namelist():
            continue
        raw = archive.read(path)
        if not _FORMULA.search(raw):
            continue
        for _event, element in SafeET.iterparse(io.BytesIO(raw)):
            if element.tag.endswith("}c") and any(child.tag.endswith("}f") for child in element):
                ref = element.get("r", "")
                match = re.match(r"([A-Z]+)(\d+)", ref)
                row, column = (int(match.group(2)), match.group(1)) if match else (None, ref)
                found.append((sheet.get("name", ""), row, column))
            if element.tag.endswith("}row"):
                element.clear()
    return found
