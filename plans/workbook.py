"""The plan workbook: a council's plan in and out of Excel (the format is in the README).

Reading is in three steps, so that nothing is saved from a bad file:

1. ``read_upload`` / ``check_archive``: the bytes of an untrusted upload are checked (size, zip
   entries, uncompressed size, compression ratio, no formulas) before openpyxl opens anything.
2. ``read_workbook``: the sheets become a ``ParsedPlan`` of plain values, or ``WorkbookInvalid``
   carries *every* problem found, each by sheet, row and column.
3. ``import_plan``: one transaction creates the plan, or updates an existing one through
   ``plans.services`` so that every earlier status and its history is kept.

``write_workbook`` writes the same format back (status word and colour in the month grid), and
``blank_template`` an empty one.
"""

from __future__ import annotations

import colorsys
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from defusedxml import ElementTree as SafeET
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.utils import get_column_letter

import audit
from audit.models import AuditEvent
from plans import services
from plans.cells import FORMULA_TRIGGERS, neutralise
from plans.models import (
    CORRECTIVE_ACTION_MAX,
    Action,
    ActionChange,
    Lead,
    Measure,
    MonthlyStatus,
    Plan,
    PlannedMonth,
    Priority,
    StatusTerm,
)
from plans.periods import MONTH_NAMES, Month, to_month
from plans.status import COUNTED, LETTERS, Status, StatusCounts, count_statuses

# --- Limits for untrusted files --------------------------------------------------------------
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # a zip bomb compresses far better than any honest sheet
MAX_ROWS = 5_000  # a plan has a few hundred actions
MAX_COLUMNS = 80  # the Actions sheet: 8 columns and up to 36 months
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_ERRORS = 500  # enough to fix a file by; a hostile one cannot make the list unbounded

# Marks of a planned month without a status yet (seed 001 prints ■).
PLANNED_MARKS = frozenset({"■", "x", "p"})
PLANNED_MARK = "■"

# Fill colours of the status grid, as the site's CSS colours them.
STATUS_FILLS = {
    Status.RED: "C4261B",
    Status.AMBER: "FFBF47",
    Status.GREEN: "00703C",
    Status.REPRO: "1D70B8",
    Status.SUSP: "505A5F",
}
DARK_FILLS = {Status.RED, Status.GREEN, Status.REPRO, Status.SUSP}  # white text reads on these

PLAN_SHEET, PRIORITIES_SHEET, MEASURES_SHEET, ACTIONS_SHEET, TERMS_SHEET = (
    "Plan",
    "Priorities",
    "Measures",
    "Actions",
    "Status words",
)

# Column headings as the writer prints them, and the other spellings the reader accepts.
PRIORITY_COLUMNS = {
    "code": ("Code", {"code", "priority", "priority code"}),
    "title": ("Title", {"title", "priority title", "name"}),
    "expected_outcome": ("Expected outcome", {"expected outcome", "expected outcomes", "outcome"}),
}
MEASURE_COLUMNS = {
    "priority": ("Priority", {"priority", "priority code", "code"}),
    "ref": ("Ref", {"ref", "measure ref", "reference", "no"}),
    "title": ("Measure of success", {"measure of success", "measures of success", "measure", "title"}),
    "actions_required": ("Actions required", {"actions required", "action required"}),
    "timescales": ("Timescales", {"timescales", "timescale"}),
    "lead": ("Lead", {"lead", "leads", "lead officer"}),
    "resources": ("Resources", {"resources", "resource"}),
}
ACTION_COLUMNS = {
    "priority": ("Priority", {"priority", "priority code"}),
    "measure": ("Measure", {"measure", "measure ref", "measure of success"}),
    "ref": ("Ref", {"ref", "action ref", "reference", "no"}),
    "description": ("Action", {"action", "actions", "description", "action description"}),
    "leads": ("Lead", {"lead", "leads", "lead officer", "who"}),
}
ACTION_TAIL_COLUMNS = {
    "corrective_action": ("Corrective action", {"corrective action", "corrective actions"}),
    "original_target": (
        "Original date",
        {"original date", "original", "original date of planned action", "original target"},
    ),
    "revised_target": (
        "Revised date",
        {"revised date", "revised", "re programmed date", "reprogrammed date", "revised target"},
    ),
}
TERM_COLUMNS = {
    "word": ("Word", {"word", "status word"}),
    "status": ("Status", {"status", "counts as"}),
    "default": ("Default", {"default", "is default"}),
}
REQUIRED = {
    PRIORITIES_SHEET: ("code",),
    MEASURES_SHEET: ("priority", "ref", "title"),
    ACTIONS_SHEET: ("priority", "measure", "ref", "description"),
    TERMS_SHEET: ("word", "status"),
}
# Field lengths of the models, checked here so that a long cell is an error by row, not a 500.
MAX_LENGTHS = {
    "plan.title": 200,
    "plan.organisation": 200,
    "priority.code": 30,
    "priority.title": 200,
    "measure.ref": 40,
    "measure.timescales": 200,
    "measure.lead": 100,
    "action.ref": 40,
    "action.corrective_action": CORRECTIVE_ACTION_MAX,
    "lead.initials": 20,
    "term.word": 60,
}


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


class _Errors(list):
    def add(self, message: str, sheet: str = "", row: int | None = None, column: str = "") -> None:
        if len(self) < MAX_ERRORS:
            self.append(WorkbookError(message, sheet, row, column))


# --- What a workbook holds, as plain values ----------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """One month of an action's grid: a status (with the plan's own word, if one was used),
    or only a planned mark, or both."""

    status: Status | None = None
    word: str = ""
    planned: bool = False


@dataclass
class ParsedPriority:
    code: str
    title: str = ""
    expected_outcome: str = ""
    row: int | None = None


@dataclass
class ParsedMeasure:
    priority: str
    ref: str
    title: str
    actions_required: str = ""
    timescales: str = ""
    lead: str = ""
    resources: str = ""
    row: int | None = None


@dataclass
class ParsedAction:
    priority: str
    measure: str
    ref: str
    description: str
    leads: list[str] = field(default_factory=list)
    grid: dict[Month, Cell] = field(default_factory=dict)
    corrective_action: str = ""
    original_target: Month | None = None
    revised_target: Month | None = None
    row: int | None = None

    @property
    def planned(self) -> list[Month]:
        return sorted(m for m, cell in self.grid.items() if cell.planned)

    @property
    def statuses(self) -> dict[Month, Cell]:
        return {m: cell for m, cell in self.grid.items() if cell.status}


@dataclass(frozen=True)
class ParsedTerm:
    word: str
    status: Status
    is_default: bool = False


@dataclass
class ParsedPlan:
    title: str
    first_month: Month
    months: int = 12
    organisation: str = ""
    priorities: list[ParsedPriority] = field(default_factory=list)
    measures: list[ParsedMeasure] = field(default_factory=list)
    actions: list[ParsedAction] = field(default_factory=list)
    terms: list[ParsedTerm] = field(default_factory=list)

    @property
    def month_list(self) -> list[Month]:
        return [self.first_month + i for i in range(self.months)]

    def month_counts(self) -> list[tuple[Month, StatusCounts, int]]:
        """The preview's table: per month, the statuses counted and the actions planned."""
        rows = []
        for month in self.month_list:
            cells = [a.grid[month] for a in self.actions if month in a.grid]
            counts = count_statuses(c.status for c in cells if c.status)
            rows.append((month, counts, sum(1 for c in cells if c.planned)))
        return rows


def _key(value) -> str:
    """A heading or sheet name compared the tolerant way: case, spacing and punctuation ignored."""
    return re.sub(r"[^a-z0-9&]+", " ", str(value).casefold()).strip()


def _code_key(value: str) -> str:
    """Priority codes and refs match ignoring case and spacing ("HR&OD 3" is "hr&od3")."""
    return re.sub(r"\s+", "", value).casefold()


def _text(value) -> str:
    """A cell as the text a person sees: refs typed as numbers (1.1) stay "1.1"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return Month(value.year, value.month).name
    text = str(value)
    # The export writes "=chase" as "'=chase" so that it is not a formula (plans.cells): read it back.
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_TRIGGERS:
        text = text[1:]
    return text.strip()


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


# --- Reading ------------------------------------------------------------------------------------
def _vocabulary(terms) -> dict[str, tuple[Status, str]]:
    """Every spelling of a status the reader accepts, normalised, with the word to keep.

    The standard words and letters keep no word of their own; a plan's own terms (``StatusTerm``,
    or the workbook's Status words sheet) are kept as written, so the plan shows them back."""
    vocab: dict[str, tuple[Status, str]] = {}
    extra = {
        Status.REPRO: ("repro", "reprogrammed", "re-programmed", "reprogramme"),
        Status.SUSP: ("susp", "suspended", "suspend"),
    }
    for status in COUNTED:
        for spelling in (status.value, status.label, LETTERS[status], *extra.get(status, ())):
            vocab[_word_key(spelling)] = (status, "")
    for term in terms:
        vocab[_word_key(term.word)] = (Status(term.status), term.word)
    return vocab


def _word_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def theme_palette(book) -> list[str]:
    """The workbook theme's colours in the order a cell's ``theme`` index counts them (light 1,
    dark 1, light 2, dark 2, accents 1-6, links), so that a fill picked from Excel's theme
    colours is read like any other. Empty when the workbook has no readable theme."""
    raw = getattr(book, "loaded_theme", None)
    if not raw:
        return []
    try:
        root = SafeET.fromstring(raw)
    except SafeET.ParseError:
        return []
    scheme = next((e for e in root.iter() if e.tag.endswith("}clrScheme")), None)
    if scheme is None:
        return []
    colours = {}
    for slot in scheme:
        value = next((c.get("val") if c.tag.endswith("}srgbClr") else c.get("lastClr") for c in slot), None)
        colours[slot.tag.rsplit("}", 1)[-1]] = value or ""
    order = ["lt1", "dk1", "lt2", "dk2", *(f"accent{n}" for n in range(1, 7)), "hlink", "folHlink"]
    return [colours.get(name, "") for name in order]


def _fill_status(fill, palette: list[str] = ()) -> Status | None:
    """GREEN, AMBER or RED from a cell's solid fill colour, by its hue (a tint of a theme colour
    keeps its hue); None for no fill, white, grey or blue."""
    if fill is None or getattr(fill, "fill_type", None) != "solid":
        return None
    color = fill.fgColor
    rgb = None
    if color is not None and color.type == "rgb" and isinstance(color.rgb, str):
        rgb = color.rgb
    elif color is not None and color.type == "indexed" and isinstance(color.indexed, int):
        rgb = COLOR_INDEX[color.indexed] if color.indexed < len(COLOR_INDEX) else None
    elif color is not None and color.type == "theme" and isinstance(color.theme, int):
        rgb = palette[color.theme] if color.theme < len(palette) else None
    if not rgb or not re.fullmatch(r"[0-9A-Fa-f]{6,8}", rgb):
        return None
    red, green, blue = (int(rgb[-6:][i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, saturation, value = colorsys.rgb_to_hsv(red, green, blue)
    if saturation < 0.15 or value < 0.3:
        return None
    degrees = hue * 360
    if degrees < 20 or degrees >= 330:
        return Status.RED
    if degrees < 65:
        return Status.AMBER
    if 70 <= degrees < 170:
        return Status.GREEN
    return None


def read_cell(value, fill, vocab: dict[str, tuple[Status, str]], palette: list[str] = ()) -> Cell | str:
    """A month cell as a ``Cell``, or the reason it cannot be read.

    A status word or letter wins; a word that is not a status, or no word at all, takes its
    status from a green, amber or red fill; ■, x or P alone marks a planned month."""
    text = _text(value)
    planned = False
    if text.casefold() in PLANNED_MARKS:
        text, planned = "", True
    else:
        tokens = text.split()
        if len(tokens) > 1 and tokens[-1].casefold() in PLANNED_MARKS:
            text, planned = " ".join(tokens[:-1]), True
        elif len(tokens) > 1 and tokens[0].casefold() in PLANNED_MARKS:
            text, planned = " ".join(tokens[1:]), True
    if text and _word_key(text) in vocab:
        status, word = vocab[_word_key(text)]
        return Cell(status, word, planned)
    by_fill = _fill_status(fill, palette)
    if by_fill:
        if len(text) > MAX_LENGTHS["term.word"]:
            return f"The word “{text[:40]}…” is longer than 60 characters."
        return Cell(by_fill, text, planned)
    if text:
        return (
            f"Cannot read the status “{text[:60]}”: use GREEN, AMBER, RED, REPRO or SUSP (or G, A, R), "
            "the plan's own status words, a green, amber or red fill, ■, x or P for a planned month, "
            "or leave it blank."
        )
    return Cell(planned=True) if planned else Cell()


def parse_month(value, months: list[Month]) -> Month | None:
    """A month heading or date cell: a real date, ``2008-07``, ``Jul 2008``/``July 08``/``Sept 09``,
    or a month name alone (``July``, ``Aug.``), placed in the plan's months counted from its first
    month. None when it cannot be read or placed."""
    if isinstance(value, datetime | date):
        return Month(value.year, value.month)
    text = _text(value)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if match:
        try:
            return Month(int(match.group(1)), int(match.group(2)))
        except ValueError:
            return None
    match = re.fullmatch(r"([A-Za-z]+)\.?(?:[\s\-/',]*(\d{4}|\d{2}))?", text)
    if not match:
        return None
    number = _month_number(match.group(1))
    if number is None:
        return None
    if match.group(2):
        year = int(match.group(2))
        return Month(year + 2000 if year < 100 else year, number)
    return next((m for m in months if m.month == number), None)


def _month_number(word: str) -> int | None:
    word = word.casefold()
    if len(word) < 3:
        return None
    for index, name in enumerate(MONTH_NAMES):
        if name.casefold().startswith(word) or (word == "sept" and index == 8):
            return index + 1
    return None


class _Sheet:
    """A worksheet's rows under its header row, with tolerant column lookup."""

    def __init__(self, name: str, rows: list[tuple[int, list]], columns: dict, errors: _Errors):
        self.name = name
        self.header_row: int | None = None
        self.columns: dict[str, int] = {}
        self.headers: list = []
        self.rows: list[tuple[int, list]] = []
        required = REQUIRED.get(name, ())
        for index, (number, cells) in enumerate(rows[:10]):
            keys = [_key(c.value) if c.value is not None else "" for c in cells]
            found = {
                name_: keys.index(k)
                for name_, (_, spellings) in columns.items()
                for k in keys
                if k in spellings
            }
            if (required and all(r in found for r in required)) or (not required and found):
                self.header_row, self.columns = number, found
                self.headers = [c.value for c in cells]
                self.rows = [r for r in rows[index + 1 :] if any(_text(c.value) for c in r[1])]
                break
        if self.header_row is None:
            first = next((n for n, cells in rows if any(_text(c.value) for c in cells)), None)
            if first is None:
                errors.add("The sheet is empty: it needs a header row and the rows beneath it.", name)
            else:
                keys = {_key(c.value) for c in dict(rows)[first] if c.value is not None}
                for required_name in required:
                    heading, spellings = columns[required_name]
                    if not keys & spellings:
                        errors.add(f"The required column “{heading}” is missing.", name, first)

    def value(self, cells: list, name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(cells):
            return ""
        return _text(cells[index].value)

    def column(self, name: str) -> str:
        return get_column_letter(self.columns[name] + 1) if name in self.columns else ""


def read_workbook(data: bytes, *, plan: Plan | None = None) -> ParsedPlan:
    """An uploaded workbook as a ``ParsedPlan``; raises ``WorkbookInvalid`` listing every problem.

    ``plan`` is the plan a re-import updates: its status words are understood, and its first
    month places month headings written without a year."""
    check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; each means the same
        raise WorkbookInvalid(
            [WorkbookError(f"The workbook cannot be read ({type(exc).__name__}). {NOT_XLSX}")]
        ) from exc
    try:
        return _read_book(book, plan)
    finally:
        book.close()


def _sheet_rows(book, sheet_name: str, errors: _Errors) -> list[tuple[int, list]] | None:
    titles = {_key(title): title for title in book.sheetnames}
    title = titles.get(_key(sheet_name))
    if title is None:
        return None
    rows = []
    for number, row in enumerate(book[title].iter_rows(max_col=MAX_COLUMNS), start=1):
        if number > MAX_ROWS:
            errors.add(
                f"The sheet has more than {MAX_ROWS:,} rows; a plan has a few hundred. Delete the empty rows "
                "below the table and try again.",
                sheet_name,
            )
            return []
        cells = list(row)
        for cell in cells:
            if isinstance(cell.value, str) and len(cell.value) > MAX_CELL_CHARS:
                errors.add("The cell is longer than Excel allows (32,767 characters).", sheet_name, number,
                           getattr(cell, "column_letter", ""))  # fmt: skip
                return []
        rows.append((number, cells))
    return rows


def _read_book(book, plan: Plan | None) -> ParsedPlan:
    errors = _Errors()
    sheets = {}
    for name in (PLAN_SHEET, PRIORITIES_SHEET, MEASURES_SHEET, ACTIONS_SHEET, TERMS_SHEET):
        rows = _sheet_rows(book, name, errors)
        if rows is None and name != TERMS_SHEET:
            errors.add(f"The workbook has no sheet named “{name}”.", name)
        sheets[name] = rows
    if errors:
        raise WorkbookInvalid(errors)

    parsed = _read_plan_sheet(sheets[PLAN_SHEET], errors)
    if plan is not None and parsed is not None and parsed.first_month != plan.start:
        errors.add(
            f"The first month is {parsed.first_month.name} but the plan “{plan.title}” starts in "
            f"{plan.start.name}.",
            PLAN_SHEET,
        )
    if parsed is None:
        # Month headings without a year are placed from the first month: without it, from the plan's.
        parsed = ParsedPlan(title="", first_month=plan.start if plan else Month(2000, 1))
    parsed.terms = _read_terms(sheets[TERMS_SHEET], errors) if sheets[TERMS_SHEET] is not None else []
    terms = list(plan.status_terms.all()) if plan is not None else []
    vocab = _vocabulary([*terms, *parsed.terms])
    parsed.priorities = _read_priorities(sheets[PRIORITIES_SHEET], errors)
    parsed.measures = _read_measures(sheets[MEASURES_SHEET], parsed.priorities, errors)
    parsed.actions = _read_actions(sheets[ACTIONS_SHEET], parsed, vocab, theme_palette(book), errors)
    if errors:
        raise WorkbookInvalid(errors)
    return parsed


def _read_plan_sheet(rows, errors: _Errors) -> ParsedPlan | None:
    values: dict[str, tuple[int, object]] = {}
    for number, cells in rows:
        label = _key(cells[0].value) if cells and cells[0].value is not None else ""
        if label:
            values[label] = (number, cells[1].value if len(cells) > 1 else None)
    title = _text(values.get("title", (None, ""))[1])
    organisation = _text(values.get("organisation", (None, ""))[1])
    for label, text in (("title", title), ("organisation", organisation)):
        if len(text) > MAX_LENGTHS[f"plan.{label}"]:
            errors.add(f"The {label} is longer than {MAX_LENGTHS[f'plan.{label}']} characters.", PLAN_SHEET,
                       values[label][0], "B")  # fmt: skip
    if not title:
        errors.add(
            "The plan needs a Title (a row labelled “Title” with the plan's name beside it).", PLAN_SHEET
        )
    months = 12
    if "months" in values:
        number, raw = values["months"]
        try:
            months = int(_text(raw))
            if not 1 <= months <= 36:
                raise ValueError
        except ValueError:
            errors.add(f"“{_text(raw)}” is not a number of months from 1 to 36.", PLAN_SHEET, number, "B")
            months = 12
    if "first month" not in values:
        errors.add("The plan needs a First month (e.g. “July 2008”).", PLAN_SHEET)
        return None
    number, raw = values["first month"]
    first = parse_month(raw, [])
    if first is None:
        errors.add(
            f"“{_text(raw)}” is not a month with its year (e.g. “July 2008”).", PLAN_SHEET, number, "B"
        )
        return None
    return ParsedPlan(title=title, first_month=first, months=months, organisation=organisation)


def _read_terms(rows, errors: _Errors) -> list[ParsedTerm]:
    sheet = _Sheet(TERMS_SHEET, rows, TERM_COLUMNS, errors)
    terms, seen, defaults = [], set(), set()
    for number, cells in sheet.rows:
        word, status_text = sheet.value(cells, "word"), sheet.value(cells, "status")
        status = next(
            (s for s in COUNTED if _word_key(status_text) in {_word_key(s.value), _word_key(s.label)}), None
        )
        if status is None:
            errors.add(f"“{status_text}” is not one of RED, AMBER, GREEN, REPRO, SUSP.", TERMS_SHEET, number,
                       sheet.column("status"))  # fmt: skip
            continue
        if not word or len(word) > MAX_LENGTHS["term.word"]:
            errors.add("A status word needs 1 to 60 characters.", TERMS_SHEET, number, sheet.column("word"))
            continue
        if _word_key(word) in seen:
            errors.add(f"The word “{word}” is listed twice.", TERMS_SHEET, number, sheet.column("word"))
            continue
        seen.add(_word_key(word))
        is_default = _word_key(sheet.value(cells, "default")) in {"yes", "y", "true", "1", "x"}
        if is_default and status in defaults:
            errors.add(
                f"{status.value} has more than one default word.",
                TERMS_SHEET,
                number,
                sheet.column("default"),
            )
        defaults.add(status) if is_default else None
        terms.append(ParsedTerm(word, status, is_default))
    return terms


def _too_long(errors: _Errors, sheet: _Sheet, number: int, name: str, text: str, limit_key: str) -> bool:
    limit = MAX_LENGTHS[limit_key]
    if len(text) > limit:
        errors.add(
            f"Longer than {limit:,} characters ({len(text):,}).", sheet.name, number, sheet.column(name)
        )
        return True
    return False


def _read_priorities(rows, errors: _Errors) -> list[ParsedPriority]:
    sheet = _Sheet(PRIORITIES_SHEET, rows, PRIORITY_COLUMNS, errors)
    result, seen = [], {}
    for number, cells in sheet.rows:
        code = sheet.value(cells, "code")
        title = sheet.value(cells, "title")
        if not code:
            errors.add("A priority needs its code.", PRIORITIES_SHEET, number, sheet.column("code"))
            continue
        if _code_key(code) in seen:
            errors.add(f"The code “{code}” is already used on row {seen[_code_key(code)]}.", PRIORITIES_SHEET,
                       number, sheet.column("code"))  # fmt: skip
            continue
        if _too_long(errors, sheet, number, "code", code, "priority.code") | _too_long(
            errors, sheet, number, "title", title, "priority.title"
        ):
            continue
        seen[_code_key(code)] = number
        result.append(ParsedPriority(code, title, sheet.value(cells, "expected_outcome"), number))
    return result


def _read_measures(rows, priorities: list[ParsedPriority], errors: _Errors) -> list[ParsedMeasure]:
    sheet = _Sheet(MEASURES_SHEET, rows, MEASURE_COLUMNS, errors)
    codes = {_code_key(p.code): p.code for p in priorities}
    result, seen = [], {}
    for number, cells in sheet.rows:
        values = {name: sheet.value(cells, name) for name in MEASURE_COLUMNS}
        code = codes.get(_code_key(values["priority"]))
        if code is None:
            errors.add(
                _unknown_priority(values["priority"]), MEASURES_SHEET, number, sheet.column("priority")
            )
            continue
        if not values["ref"]:
            errors.add("A measure needs its ref (e.g. “1.1”).", MEASURES_SHEET, number, sheet.column("ref"))
            continue
        key = (_code_key(code), _code_key(values["ref"]))
        if key in seen:
            errors.add(f"Duplicate measure ref “{values['ref']}” under {code}: already on row {seen[key]}.",
                       MEASURES_SHEET, number, sheet.column("ref"))  # fmt: skip
            continue
        if not values["title"]:
            errors.add(
                "A measure needs its measure of success.", MEASURES_SHEET, number, sheet.column("title")
            )
            continue
        too_long = [
            _too_long(errors, sheet, number, name, values[name], f"measure.{name}")
            for name in ("ref", "timescales", "lead")
        ]
        if any(too_long):
            continue
        seen[key] = number
        values["priority"] = code
        result.append(ParsedMeasure(**values, row=number))
    return result


def _unknown_priority(code: str) -> str:
    if not code:
        return "The priority code is missing."
    return f"Unknown priority “{code}”: it is not on the Priorities sheet."


def _month_columns(sheet: _Sheet, months: list[Month], errors: _Errors) -> dict[int, Month]:
    """The month columns: every heading between the action's columns and the corrective action
    column (or the end), each placed in the plan's months."""
    start = max(sheet.columns.get(name, -1) for name in ACTION_COLUMNS) + 1
    tail = [sheet.columns[name] for name in ACTION_TAIL_COLUMNS if name in sheet.columns]
    end = min(tail) if tail else len(sheet.headers)
    placed: dict[int, Month] = {}
    seen: dict[Month, str] = {}
    for index in range(start, end):
        heading = sheet.headers[index] if index < len(sheet.headers) else None
        if heading is None or not _text(heading):
            continue
        letter = get_column_letter(index + 1)
        month = parse_month(heading, months)
        if month is None or month not in months:
            errors.add(
                f"Cannot place the month heading “{_text(heading)}” in the plan's months "
                f"({months[0].name} to {months[-1].name}).",
                ACTIONS_SHEET,
                sheet.header_row,
                letter,
            )
            continue
        if month in seen:
            errors.add(f"{month.name} has two columns ({seen[month]} and {letter}).", ACTIONS_SHEET,
                       sheet.header_row, letter)  # fmt: skip
            continue
        seen[month] = letter
        placed[index] = month
    return placed


def _read_actions(rows, parsed: ParsedPlan, vocab, palette: list[str], errors: _Errors) -> list[ParsedAction]:
    columns = {**ACTION_COLUMNS, **ACTION_TAIL_COLUMNS}
    sheet = _Sheet(ACTIONS_SHEET, rows, columns, errors)
    if sheet.header_row is None:
        return []
    month_columns = _month_columns(sheet, parsed.month_list, errors)
    codes = {_code_key(p.code): p.code for p in parsed.priorities}
    measures = {(_code_key(m.priority), _code_key(m.ref)): m.ref for m in parsed.measures}
    result = []
    for number, cells in sheet.rows:
        values = {name: sheet.value(cells, name) for name in columns}
        ok = True
        code = codes.get(_code_key(values["priority"]))
        measure_ref = measures.get((_code_key(code or ""), _code_key(values["measure"])))
        if code is None:
            errors.add(_unknown_priority(values["priority"]), ACTIONS_SHEET, number, sheet.column("priority"))
            ok = False
        elif measure_ref is None:
            errors.add(
                f"Unknown measure “{values['measure']}”: it is not under {code} on the Measures sheet."
                if values["measure"]
                else "The measure ref is missing.",
                ACTIONS_SHEET,
                number,
                sheet.column("measure"),
            )
            ok = False
        ok &= not _too_long(errors, sheet, number, "ref", values["ref"], "action.ref")
        ok &= not _too_long(
            errors,
            sheet,
            number,
            "corrective_action",
            values["corrective_action"],
            "action.corrective_action",
        )
        leads = services.parse_lead_initials(values["leads"])
        for initials in leads:
            if len(initials) > MAX_LENGTHS["lead.initials"]:
                errors.add(f"The lead “{initials[:30]}” is longer than 20 characters; leads are initials.",
                           ACTIONS_SHEET, number, sheet.column("leads"))  # fmt: skip
                ok = False
        targets = {}
        for name in ("original_target", "revised_target"):
            raw = cells[sheet.columns[name]].value if sheet.columns.get(name, 99) < len(cells) else None
            targets[name] = parse_month(raw, parsed.month_list) if _text(raw) else None
            if _text(raw) and targets[name] is None:
                errors.add(f"“{_text(raw)}” is not a month (e.g. “July 2008” or “2008-07”).", ACTIONS_SHEET,
                           number, sheet.column(name))  # fmt: skip
                ok = False
        grid = {}
        for index, month in month_columns.items():
            if index >= len(cells):
                continue
            cell = cells[index]
            reading = read_cell(cell.value, getattr(cell, "fill", None), vocab, palette)
            if isinstance(reading, str):
                errors.add(reading, ACTIONS_SHEET, number, get_column_letter(index + 1))
                ok = False
            elif reading.status or reading.planned:
                grid[month] = reading
        if ok:
            result.append(
                ParsedAction(
                    priority=code,
                    measure=measure_ref,
                    ref=values["ref"],
                    description=values["description"],
                    leads=leads,
                    grid=grid,
                    corrective_action=values["corrective_action"],
                    row=number,
                    **targets,
                )
            )
    return result


# --- Saving -------------------------------------------------------------------------------------
@dataclass
class ImportResult:
    """What an import did, for the command's output and the page's message."""

    plan: Plan
    created: bool
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    changed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    kept: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def lines(self) -> list[str]:
        kinds = ("priorities", "measures", "actions", "statuses")

        def part(counts):
            return ", ".join(f"{counts.get(k, 0)} {k}" for k in kinds)

        verb = "Created" if self.created else "Updated"
        lines = [f"{verb} plan {self.plan.slug} ({self.plan.title})."]
        lines.append(f"Added: {part(self.added)}.")
        if not self.created:
            lines.append(f"Changed: {part(self.changed)}.")
            lines.append(f"Left as they were: {part(self.unchanged)}.")
            lines.append(f"Left in the plan though not in the workbook: {part(self.kept)}.")
        return lines


# Paths under /plans/ that a plan's slug would be shadowed by (plans/urls.py).
RESERVED_SLUGS = frozenset({"import"})


class ImportRefused(Exception):
    """The workbook is fine but cannot go where it was asked to (e.g. its slug is taken)."""


def plan_slug(parsed: ParsedPlan) -> str:
    return slugify(parsed.title)[:80] or "plan"


@transaction.atomic
def import_plan(
    parsed: ParsedPlan,
    *,
    plan: Plan | None = None,
    slug: str = "",
    user=None,
    dry_run: bool = False,
    filename: str = "",
) -> ImportResult:
    """Create a plan from ``parsed``, or update ``plan`` from it. All in one transaction.

    A re-import matches actions by priority, measure and ref (and by position among actions whose
    refs repeat), changes what differs through ``plans.services`` so that it is in each action's
    history, never deletes a status, and leaves in place what the workbook no longer lists.
    With ``dry_run`` everything is done and then rolled back: the result says what would happen."""
    result = _import(parsed, plan=plan, slug=slug, user=user)
    if dry_run:
        transaction.set_rollback(True)
    else:
        audit.record(
            AuditEvent.Kind.IMPORT,
            user=user,
            plan=result.plan,
            filename=filename[:200],
            created=result.created,
            added=dict(result.added),
            changed=dict(result.changed),
        )
    return result


def _import(parsed: ParsedPlan, *, plan: Plan | None, slug: str, user) -> ImportResult:
    if plan is None:
        slug = slug or plan_slug(parsed)
        if slug in RESERVED_SLUGS:
            raise ImportRefused(f"“{slug}” is a page of the site, not a name a plan can have.")
        if Plan.objects.filter(slug=slug).exists():
            raise ImportRefused(f"A plan with the slug “{slug}” already exists.")
        plan = Plan.objects.create(
            slug=slug,
            title=parsed.title,
            organisation=parsed.organisation,
            first_month=parsed.first_month.first_day,
            months=parsed.months,
        )
        result = ImportResult(plan=plan, created=True)
    else:
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if parsed.first_month != plan.start:
            raise ImportRefused(
                f"The workbook starts in {parsed.first_month.name}, the plan in {plan.start.name}."
            )
        result = ImportResult(plan=plan, created=False)
        plan.title, plan.organisation = parsed.title, parsed.organisation or plan.organisation
        plan.months = max(plan.months, parsed.months)
        plan.save(update_fields=["title", "organisation", "months"])
    _save_terms(plan, parsed.terms)
    priorities = _save_priorities(plan, parsed, result)
    measures = _save_measures(priorities, parsed, result)
    _save_actions(plan, measures, parsed, result, user)
    return result


def _save_terms(plan: Plan, terms: list[ParsedTerm]) -> None:
    existing = {_word_key(t.word): t for t in plan.status_terms.all()}
    for term in terms:
        if term.is_default:
            plan.status_terms.filter(status=term.status, is_default=True).exclude(word=term.word).update(
                is_default=False
            )
        current = existing.get(_word_key(term.word))
        if current is None:
            StatusTerm.objects.create(
                plan=plan, word=term.word, status=term.status, is_default=term.is_default
            )
        elif (current.status, current.is_default) != (term.status, term.is_default):
            current.status, current.is_default = term.status, term.is_default
            current.save(update_fields=["status", "is_default"])


def _count(result: ImportResult, kind: str, created: bool, changed: bool) -> None:
    if created:
        result.added[kind] += 1
    elif changed:
        result.changed[kind] += 1
    else:
        result.unchanged[kind] += 1


def _save_priorities(plan: Plan, parsed: ParsedPlan, result: ImportResult) -> dict[str, Priority]:
    existing = {_code_key(p.code): p for p in plan.priorities.all()}
    saved = {}
    for position, item in enumerate(parsed.priorities):
        priority = existing.pop(_code_key(item.code), None)
        values = {"code": item.code, "title": item.title, "expected_outcome": item.expected_outcome,
                  "position": position}  # fmt: skip
        if priority is None:
            priority = Priority.objects.create(plan=plan, **values)
            _count(result, "priorities", True, False)
        else:
            changed = any(getattr(priority, k) != v for k, v in values.items() if k != "position")
            if changed or priority.position != position:
                for k, v in values.items():
                    setattr(priority, k, v)
                priority.save()
            _count(result, "priorities", False, changed)
        saved[_code_key(item.code)] = priority
    result.kept["priorities"] += len(existing)
    # Priorities the workbook no longer lists keep their place after those it does.
    for offset, priority in enumerate(existing.values(), start=len(parsed.priorities)):
        Priority.objects.filter(pk=priority.pk).update(position=offset)
    return saved


def _save_measures(priorities: dict[str, Priority], parsed: ParsedPlan, result: ImportResult) -> dict:
    existing = {
        (_code_key(m.priority.code), _code_key(m.ref)): m
        for m in Measure.objects.filter(priority__in=priorities.values()).select_related("priority")
    }
    saved = {}
    positions: dict[str, int] = defaultdict(int)
    fields = ("ref", "title", "actions_required", "timescales", "lead", "resources")
    for item in parsed.measures:
        key = (_code_key(item.priority), _code_key(item.ref))
        values = {name: getattr(item, name) for name in fields}
        values["position"] = positions[key[0]]
        positions[key[0]] += 1
        measure = existing.pop(key, None)
        if measure is None:
            measure = Measure.objects.create(priority=priorities[key[0]], **values)
            _count(result, "measures", True, False)
        else:
            changed = any(getattr(measure, name) != values[name] for name in fields)
            if changed or measure.position != values["position"]:
                for k, v in values.items():
                    setattr(measure, k, v)
                measure.save()
            _count(result, "measures", False, changed)
        saved[key] = measure
    result.kept["measures"] += len(existing)
    return saved


def _action_key(priority: str, measure: str, ref: str) -> tuple[str, str, str]:
    return (_code_key(priority), _code_key(measure), _code_key(ref))


def _leads(initials: list[str], cache: dict[str, Lead]) -> list[Lead]:
    leads = []
    for code in initials:
        if code not in cache:
            cache[code], _ = Lead.objects.get_or_create(initials=code)
        leads.append(cache[code])
    return leads


ACTION_FIELDS = ("ref", "description", "original_target", "revised_target", "corrective_action")


def _save_actions(plan: Plan, measures: dict, parsed: ParsedPlan, result: ImportResult, user) -> None:
    """Actions in bulk: a fixed number of queries however long the plan, plus a few for each
    action whose status, leads or planned months changed."""
    existing: dict[tuple, list[Action]] = defaultdict(list)
    for action in Action.objects.filter(plan=plan).in_plan_order().with_grid():
        existing[_action_key(action.measure.priority.code, action.measure.ref, action.ref)].append(action)
    old_positions = {a.pk: a.position for group in existing.values() for a in group}
    plan._terms_cache = list(plan.status_terms.all())  # status_word() for every status, one query
    lead_cache = {lead.initials: lead for lead in Lead.objects.all()}
    seen: dict[tuple, int] = defaultdict(int)
    matched: list[Action] = []
    edited: list[Action] = []
    created: list[tuple[Action, ParsedAction, list[Lead]]] = []
    for position, item in enumerate(parsed.actions, start=1):
        key = _action_key(item.priority, item.measure, item.ref)
        occurrence = seen[key]
        seen[key] += 1
        candidates = existing.get(key, [])
        measure = measures[(_code_key(item.priority), _code_key(item.measure))]
        values = {
            "ref": item.ref,
            "description": item.description,
            "original_target": item.original_target.first_day if item.original_target else None,
            "revised_target": item.revised_target.first_day if item.revised_target else None,
            "corrective_action": item.corrective_action,
        }
        leads = _leads(item.leads, lead_cache)
        if occurrence < len(candidates):
            action = candidates[occurrence]
            changes = _update_action(action, item, values, leads, user)
            action.position = position
            changed = _update_statuses(plan, action, item, user, result)
            matched.append(action)
            if changes:
                edited.append(action)
            _count(result, "actions", False, bool(changes) or changed)
        else:
            created.append((Action(plan=plan, measure=measure, position=position, **values), item, leads))
            _count(result, "actions", True, False)
    matched_ids = {a.pk for a in matched}
    left = [a for group in existing.values() for a in group if a.pk not in matched_ids]
    for offset, action in enumerate(left, start=len(parsed.actions) + 1):
        action.position = offset
    Action.objects.bulk_update(edited, ["version", *ACTION_FIELDS], batch_size=200)
    moved = [a for a in [*matched, *left] if a.position != old_positions[a.pk]]
    # Positions are unique in a plan: those that move are first put out of the way.
    Action.objects.filter(pk__in=[a.pk for a in moved]).update(position=F("position") + 1_000_000)
    Action.objects.bulk_update(moved, ["position"], batch_size=500)
    result.kept["actions"] += len(left)
    _create_actions(created, user, result)


def _create_actions(
    created: list[tuple[Action, ParsedAction, list[Lead]]], user, result: ImportResult
) -> None:
    """New actions with their leads, planned months and statuses, each status with its history row."""
    Action.objects.bulk_create([action for action, _, _ in created], batch_size=500)
    Through = Action.leads.through
    Through.objects.bulk_create(
        [Through(action_id=action.pk, lead_id=lead.pk) for action, _, leads in created for lead in leads],
        batch_size=1000,
    )
    PlannedMonth.objects.bulk_create(
        [PlannedMonth(action=action, month=m.first_day) for action, item, _ in created for m in item.planned],
        batch_size=1000,
    )
    statuses = [
        MonthlyStatus(action=action, month=month.first_day, status=cell.status, word=cell.word, set_by=user)
        for action, item, _ in created
        for month, cell in item.statuses.items()
    ]
    MonthlyStatus.objects.bulk_create(statuses, batch_size=1000)
    ActionChange.objects.bulk_create(
        [
            ActionChange(
                action=s.action,
                month=s.month,
                field="status",
                new_value=s.status,
                changed_by=user,
                source=ActionChange.Source.IMPORT,
            )  # fmt: skip
            for s in statuses
        ],
        batch_size=1000,
    )
    result.added["statuses"] += len(statuses)


def _update_action(action: Action, item: ParsedAction, values: dict, leads, user) -> list[ActionChange]:
    """Set the workbook's values on a matched action (saved in bulk by the caller), recording in its
    history what changed."""
    before = services.snapshot(action, values)
    before["leads"] = " /".join(sorted(lead.initials for lead in action.leads.all()))
    before["planned"] = ", ".join(str(m) for m in action.planned_month_list)
    for name, value in values.items():
        setattr(action, name, value)
    after = services.snapshot(action, values)
    after["leads"] = " /".join(sorted(lead.initials for lead in leads))
    after["planned"] = ", ".join(str(m) for m in item.planned)
    # One insert for an action that changed, none for one that did not.
    changes = services.record_changes(
        action=action, before=before, after=after, user=user, source=ActionChange.Source.IMPORT
    )
    if changes:
        action.version += 1
    if before["leads"] != after["leads"]:
        action.leads.set(leads)
    if before["planned"] != after["planned"]:
        PlannedMonth.objects.filter(action=action).delete()
        PlannedMonth.objects.bulk_create(PlannedMonth(action=action, month=m.first_day) for m in item.planned)
    return changes


def _update_statuses(plan: Plan, action: Action, item: ParsedAction, user, result: ImportResult) -> bool:
    """Set each status the workbook gives that differs; a blank cell never removes a status.

    A status is the same when it shows the same word: a record without a word of its own shows
    the plan's word for its status, which is what the export wrote."""
    current = {Month.from_date(s.month): s for s in action.statuses.all()}
    changed = False
    for month, cell in item.statuses.items():
        record = current.get(month)
        if (
            record is not None
            and record.status == cell.status
            and (record.word or plan.status_word(cell.status)) == (cell.word or plan.status_word(cell.status))
        ):
            result.unchanged["statuses"] += 1
            continue
        services.set_status(
            action=action,
            month=month,
            status=cell.status,
            word=cell.word,
            user=user,
            source=ActionChange.Source.IMPORT,
            # What the officer wrote that month is not in the workbook's grid: keep it.
            corrective_action=record.corrective_action if record else "",
            note=record.note if record else "",
        )
        if record is None:
            result.added["statuses"] += 1
        else:
            result.changed["statuses"] += 1
        changed = True
    result.kept["statuses"] += len(set(current) - set(item.statuses))
    return changed


# --- Writing ------------------------------------------------------------------------------------
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _put_header(sheet, headings: list[str], widths: list[int]) -> None:
    sheet.append([neutralise(h) for h in headings])
    for index, width in enumerate(widths, start=1):
        sheet.cell(row=1, column=index).font = HEADER_FONT
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _append(sheet, values: list, wrap: set[int] = frozenset()) -> list:
    """Add a row of neutralised values (no cell is ever a live formula); its cells."""
    # Cells written by row and column: openpyxl's ``max_row`` is counted afresh on every call.
    row = sheet.row_count = getattr(sheet, "row_count", 1) + 1
    cells = []
    for index, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=index, value=neutralise(value))
        # Styles are set only where needed: each assignment costs openpyxl a lookup.
        if index in wrap:
            cell.alignment = WRAP
        cells.append(cell)
    return cells


def _new_book(title: str, first: Month, months: int, organisation: str) -> tuple[Workbook, dict]:
    book = Workbook()
    plan_sheet = book.active
    plan_sheet.title = PLAN_SHEET
    plan_sheet.append(["Title", neutralise(title)])
    plan_sheet.append(["First month", first.name])
    plan_sheet.append(["Organisation", neutralise(organisation)])
    plan_sheet.append(["Months", months])
    plan_sheet.column_dimensions["A"].width = 16
    plan_sheet.column_dimensions["B"].width = 60
    for row in range(1, 5):
        plan_sheet.cell(row=row, column=1).font = HEADER_FONT
    sheets = {PLAN_SHEET: plan_sheet}
    for name, columns, widths in (
        (PRIORITIES_SHEET, PRIORITY_COLUMNS, [12, 40, 60]),
        (MEASURES_SHEET, MEASURE_COLUMNS, [12, 10, 45, 45, 18, 12, 35]),
    ):
        sheets[name] = book.create_sheet(name)
        _put_header(sheets[name], [heading for heading, _ in columns.values()], widths)
    actions = book.create_sheet(ACTIONS_SHEET)
    month_list = [first + i for i in range(months)]
    # Seed 001's headings ("July", "Aug.") when each month occurs once; with the year when a plan is longer.
    labels = [m.grid_label if months <= 12 else m.name for m in month_list]
    headings = [h for h, _ in ACTION_COLUMNS.values()] + labels
    headings += [h for h, _ in ACTION_TAIL_COLUMNS.values()]
    _put_header(actions, headings, [12, 10, 10, 50, 10] + [9] * months + [50, 14, 14])
    actions.freeze_panes = "C2"
    sheets[ACTIONS_SHEET] = actions
    sheets[TERMS_SHEET] = book.create_sheet(TERMS_SHEET)
    _put_header(sheets[TERMS_SHEET], [h for h, _ in TERM_COLUMNS.values()], [30, 10, 10])
    return book, sheets


def blank_template(first: Month | None = None) -> Workbook:
    """An empty plan workbook with every sheet and heading, for a council to fill in."""
    book, _ = _new_book("", first or Month(date.today().year, 4), 12, "")
    return book


def parsed_from_plan(plan: Plan) -> ParsedPlan:
    """A saved plan as the plain values a workbook holds (what the export writes)."""
    terms = list(plan.status_terms.all())
    plan._terms_cache = terms
    parsed = ParsedPlan(
        title=plan.title, first_month=plan.start, months=plan.months, organisation=plan.organisation,
        terms=[ParsedTerm(t.word, Status(t.status), t.is_default) for t in terms],
    )  # fmt: skip
    for priority in plan.priorities.prefetch_related("measures"):
        parsed.priorities.append(ParsedPriority(priority.code, priority.title, priority.expected_outcome))
        parsed.measures.extend(
            ParsedMeasure(
                priority.code, m.ref, m.title, m.actions_required, m.timescales, m.lead, m.resources
            )
            for m in priority.measures.all()
        )
    for action in Action.objects.filter(plan=plan).in_plan_order().with_grid():
        grid: dict[Month, Cell] = {m: Cell(planned=True) for m in action.planned_month_list}
        for record in action.statuses.all():
            month = record.as_month
            word = record.word or plan.status_word(Status(record.status))
            grid[month] = Cell(Status(record.status), word, month in grid)
        parsed.actions.append(
            ParsedAction(
                priority=action.measure.priority.code, measure=action.measure.ref, ref=action.ref,
                description=action.description, leads=[lead.initials for lead in action.leads.all()],
                grid=dict(sorted(grid.items())), corrective_action=action.corrective_action,
                original_target=to_month(action.original_target), revised_target=to_month(action.revised_target),
            )
        )  # fmt: skip
    return parsed


def write_workbook(parsed: ParsedPlan) -> Workbook:
    """A plan in the workbook format: the month grid holds each status's word on its colour,
    and ■ for a planned month. Every text cell goes through ``neutralise``: nothing is a formula."""
    book, sheets = _new_book(parsed.title, parsed.first_month, parsed.months, parsed.organisation)
    for term in parsed.terms:
        _append(sheets[TERMS_SHEET], [term.word, term.status.value, "Yes" if term.is_default else ""])
    for priority in parsed.priorities:
        _append(sheets[PRIORITIES_SHEET], [priority.code, priority.title, priority.expected_outcome], {2, 3})
    for m in parsed.measures:
        _append(
            sheets[MEASURES_SHEET],
            [m.priority, m.ref, m.title, m.actions_required, m.timescales, m.lead, m.resources],
            {3, 4, 7},
        )
    months = parsed.month_list
    # One named style per status (its fill and a legible font), registered once, set per cell.
    styles = {}
    for status, colour in STATUS_FILLS.items():
        style = NamedStyle(name=f"Status {status.value}")
        style.fill = PatternFill("solid", fgColor="FF" + colour)
        style.font = Font(bold=True, color="FFFFFFFF" if status in DARK_FILLS else "FF0B0C0C")
        book.add_named_style(style)
        styles[status] = style.name
    sheet = sheets[ACTIONS_SHEET]
    first_month_column = len(ACTION_COLUMNS) + 1
    for action in parsed.actions:
        grid = []
        for month in months:
            cell = action.grid.get(month, Cell())
            text = (cell.word or (cell.status.label if cell.status else "")) if cell.status else ""
            grid.append(f"{text} {PLANNED_MARK}".strip() if cell.planned else text)
        cells = _append(
            sheet,
            [action.priority, action.measure, action.ref, action.description, " /".join(action.leads), *grid,
             action.corrective_action, action.original_target.name if action.original_target else "",
             action.revised_target.name if action.revised_target else ""],
            {4, first_month_column + len(months)},
        )  # fmt: skip
        for offset, month in enumerate(months):
            status = action.grid.get(month, Cell()).status
            if status:
                cell = cells[first_month_column - 1 + offset]
                cell.style = styles[status]
    return book


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_plan(plan: Plan) -> bytes:
    """The plan's workbook, as the download and ``export_plan`` give it."""
    return workbook_bytes(write_workbook(parsed_from_plan(plan)))
