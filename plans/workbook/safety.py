"""Untrusted uploads: the checks an upload passes before openpyxl is given it.

An .xlsx is a zip of XML parts, every byte of it the uploader's to choose. Before openpyxl opens
one, ``read_upload`` reads at most ``MAX_UPLOAD_BYTES`` and ``check_archive`` refuses what is not
a workbook and a zip bomb (entries, uncompressed size, compression ratio), then reads every XML
part once, streaming, with defusedxml (no DTD, no entity): each part is capped in size, and the
shared strings, rows and cells that openpyxl would hold are counted against their caps before it
can hold them; a formula is refused cell by cell.

Whatever zipfile, zlib, the XML parsers or openpyxl raise for a damaged file becomes the one
message ``NOT_XLSX`` (``as_not_xlsx``): an upload is never a 500 or a traceback. The errors of
every step of reading are here too: ``WorkbookError`` (one problem, by sheet, row and column) and
``WorkbookInvalid`` (all of them).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from defusedxml import ElementTree as SafeET
from defusedxml.ElementTree import DefusedXMLParser

MB = 1024 * 1024

# --- Limits for untrusted files --------------------------------------------------------------
# For scale: the 2007/08 plan (291 actions) is a 45 KB file whose largest part, the Actions sheet,
# unpacks to 0.2 MB (309 rows, 6,180 cells). A plan ten times its size (bench/workbook.py) unpacks
# to 3.5 MB, 3,081 rows and 61,620 cells, some 190,000 XML elements in all. Each limit admits
# several times that.
MAX_UPLOAD_BYTES = 10 * MB
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 60 * MB
MAX_COMPRESSION_RATIO = 100  # a zip bomb compresses far better than any honest sheet
MAX_PART_BYTES = 20 * MB  # one XML part unpacked: a sheet, the shared strings
MAX_SHARED_STRINGS = 100_000  # <si>: openpyxl holds every distinct text in memory at once
MAX_ROWS = 5_000  # <row> in one sheet: a plan has a few hundred actions
MAX_CELLS = 250_000  # <c> in one sheet
MAX_XML_ELEMENTS = 1_000_000  # in all the parts: bounds the time these checks themselves take
MAX_COLUMNS = 80  # the Actions sheet: 8 columns and up to 36 months
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_ERRORS = 500  # enough to fix a file by; a hostile one cannot make the list unbounded

NOT_XLSX = (
    "The file is not an Excel workbook (.xlsx). Save it from Excel as “Excel Workbook (.xlsx)” and try again."
)
TOO_MANY_ROWS = (
    f"The sheet has more than {MAX_ROWS:,} rows; a plan has a few hundred. Delete the empty rows below the "
    "table and try again."
)
FORMULA = (
    "This cell holds a formula. The import reads typed values only and never runs formulas: copy the sheet "
    "and paste it as values."
)


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


def refuse(message: str, sheet: str = "") -> WorkbookInvalid:
    return WorkbookInvalid([WorkbookError(message, sheet)])


# What zipfile, zlib and the XML parsers raise for a damaged or hostile part: a bad CRC, a cut
# stream, an encrypted entry, a compression method zipfile lacks, a missing part, bad XML, and
# defusedxml's refusals of a DTD or an entity (ValueErrors). ElementTree's ParseError is a
# SyntaxError, as is lxml's.
DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    SyntaxError,
    RuntimeError,
    NotImplementedError,
)


@contextmanager
def as_not_xlsx(kinds: tuple[type[BaseException], ...] = DAMAGED) -> Iterator[None]:
    """A damaged file's error, whatever raised it, as the one message a person can act on."""
    try:
        yield
    except WorkbookInvalid:
        raise
    except kinds as exc:
        raise refuse(NOT_XLSX) from exc


# --- Untrusted files ----------------------------------------------------------------------------
def read_upload(stream, *, size: int | None = None) -> bytes:
    """At most ``MAX_UPLOAD_BYTES`` of an upload; a larger one is refused before it is read."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise refuse(_too_big(size))
    data = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise refuse(_too_big(len(data)))
    return data


def _too_big(size: int) -> str:
    return f"The file is {size / MB:.1f} MB; the largest workbook accepted is {MAX_UPLOAD_BYTES // MB} MB."


def check_archive(data: bytes) -> None:
    """Refuse what openpyxl must never be given: not a zip, a zip bomb, an XML part too large or
    too full, a DTD or entity, a formula."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise refuse(_too_big(len(data)))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise refuse(NOT_XLSX)
    with as_not_xlsx(), zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        _check_entries(entries)
        sheets = _sheet_parts(archive)
        elements, formulas = 0, []
        for entry in entries:
            scan = _scan_part(archive, entry, sheets.get(entry.filename), elements)
            elements += scan.counts["elements"]
            formulas += [WorkbookError(FORMULA, scan.sheet, row, column) for row, column in scan.formulas]
    if formulas:
        raise WorkbookInvalid(formulas[:MAX_ERRORS])


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise refuse(f"The workbook holds {len(entries)} parts; at most {MAX_ZIP_ENTRIES} are accepted.")
    if sum(e.file_size for e in entries) > MAX_UNCOMPRESSED_BYTES:
        raise refuse(
            f"The workbook unpacks to more than {MAX_UNCOMPRESSED_BYTES // MB} MB; a plan is far smaller than that."
        )
    for entry in entries:
        if entry.file_size > MB and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise refuse(
                "The workbook is compressed far more than a real sheet can be (a “zip bomb”, or a huge "
                "repeated cell); it was not opened."
            )
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise refuse(NOT_XLSX)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """The part of each sheet, by path, with the sheet's name, from the workbook and its
    relationships (read with defusedxml, no DTD allowed, once their size is known to be small)."""
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if archive.getinfo(name).file_size > MAX_PART_BYTES:
            raise refuse(_part_too_big(name, None, archive.getinfo(name).file_size))
    rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    book = SafeET.fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
    parts = {}
    for sheet in book.iter(f"{ns_main}sheet"):
        target = targets.get(sheet.get(f"{ns_rel}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        parts[path] = sheet.get("name", "")
    return parts


# The parts openpyxl needs as XML: one that does not parse is a damaged workbook. Any other part
# that does not parse (an image, a macro project) is not XML, and openpyxl never parses it.
_REQUIRED = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
_CHUNK = 64 * 1024


def _scan_part(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, sheet: str | None, elements: int
) -> _PartScan:
    """One part parsed, streaming, refused at the first limit it passes; ``elements`` is the
    number of XML elements in the parts read before it."""
    scan = _PartScan(entry.filename, sheet, elements)
    parser = DefusedXMLParser(target=scan, forbid_dtd=True)
    required = sheet is not None or entry.filename in _REQUIRED
    # zipfile stops at the size the entry declares (and checks its CRC), so the declared size is
    # the most this reads.
    with archive.open(entry) as stream:
        while chunk := stream.read(_CHUNK):
            try:
                parser.feed(chunk)
            except SafeET.ParseError:
                if required:
                    raise
                return scan  # not XML (an image, a macro project): what it held is counted
            # Refused once its first chunk shows it is XML: an image may be larger.
            if entry.file_size > MAX_PART_BYTES:
                raise refuse(_part_too_big(entry.filename, sheet, entry.file_size), sheet or "")
    try:
        parser.close()
    except SafeET.ParseError:
        if required:
            raise
    return scan


def _part_too_big(path: str, sheet: str | None, size: int) -> str:
    if sheet is not None:
        subject = "The sheet"
    elif path.endswith("sharedStrings.xml"):
        subject = f"The workbook's shared text ({path})"
    else:
        subject = f"The part {path}"
    return f"{subject} unpacks to {size / MB:.1f} MB; at most {MAX_PART_BYTES // MB} MB is accepted for one part."


_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_LIMITS = {"si": MAX_SHARED_STRINGS, "row": MAX_ROWS, "c": MAX_CELLS}


class _PartScan:
    """The target of the streaming parse of one part: counts what openpyxl would hold, refusing
    the file at the first limit passed, and notes each formula cell of a sheet. No tree is built."""

    def __init__(self, path: str, sheet: str | None, elements_before: int):
        self.path, self.sheet, self.elements_before = path, sheet, elements_before
        self.counts: Counter = Counter()
        self.cell = ""
        self.formulas: list[tuple[int | None, str]] = []

    def start(self, tag: str, attrib: dict) -> None:
        self.counts["elements"] += 1
        if self.elements_before + self.counts["elements"] > MAX_XML_ELEMENTS:
            raise refuse(
                f"The workbook holds more than {MAX_XML_ELEMENTS:,} XML elements, far more than any plan; "
                "it was not opened."
            )
        name = tag.rpartition("}")[2]
        if name in _LIMITS:
            self.counts[name] += 1
            if name == "c":
                self.cell = attrib.get("r", "")
            if self.counts[name] > _LIMITS[name]:
                raise self._too_many(name)
        elif name == "f" and self.sheet is not None:
            # In a sheet, <f> is only ever a cell's formula.
            match = _CELL_REF.fullmatch(self.cell)
            self.formulas.append((int(match.group(2)), match.group(1)) if match else (None, self.cell))

    def close(self) -> None:
        return None

    def _too_many(self, name: str) -> WorkbookInvalid:
        if name == "si":
            return refuse(
                f"The workbook holds more than {MAX_SHARED_STRINGS:,} different texts ({self.path}); a plan "
                "has a few thousand."
            )
        what = f"{MAX_ROWS:,} rows" if name == "row" else f"{MAX_CELLS:,} cells"
        if self.sheet is None:
            return refuse(f"The part {self.path} holds more than {what}; a plan has a few thousand.")
        if name == "row":
            return refuse(TOO_MANY_ROWS, self.sheet)
        return refuse(f"The sheet has more than {what}; a plan has a few thousand.", self.sheet)


def sheet_names(data: bytes) -> list[str]:
    """The workbook's sheet names, from ``xl/workbook.xml`` (read with defusedxml once its size is
    known to be small), without opening it in openpyxl: what a reader looks at first."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise refuse(NOT_XLSX)
    with as_not_xlsx(), zipfile.ZipFile(io.BytesIO(data)) as archive:
        _check_entries(archive.infolist())
        return list(_sheet_parts(archive).values())


# --- Merged cells -------------------------------------------------------------------------------
def merged_ranges(data: bytes, sheet_name: str) -> list[str]:
    """The merged ranges of one sheet (``"A5:A9"``), read from its XML with defusedxml once
    ``check_archive`` has passed it: openpyxl's read-only mode, which the readers use, does not
    give them."""
    with as_not_xlsx(), zipfile.ZipFile(io.BytesIO(data)) as archive:
        path = next((p for p, name in _sheet_parts(archive).items() if name == sheet_name), None)
        if path is None:
            return []
        collected = _MergeCells()
        parser = DefusedXMLParser(target=collected, forbid_dtd=True)
        with archive.open(path) as stream:
            while chunk := stream.read(_CHUNK):
                parser.feed(chunk)
        parser.close()
    return collected.ranges


class _MergeCells:
    def __init__(self):
        self.ranges: list[str] = []

    def start(self, tag: str, attrib: dict) -> None:
        if tag.rpartition("}")[2] == "mergeCell" and attrib.get("ref"):
            self.ranges.append(attrib["ref"])

    def close(self) -> None:
        return None
