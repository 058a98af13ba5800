"""Reading a plan workbook, tolerantly, into plain values (``ParsedPlan``).

``read_workbook`` checks the upload (``safety.check_archive``), opens it with openpyxl read-only
and turns its sheets into a ``ParsedPlan``, or raises ``WorkbookInvalid`` listing *every* problem
found, each by sheet, row and column. Nothing here touches the database but to read a plan's own
status words when a re-import names the plan. The sheet and column names here are the format the
writer writes (``writer.py``) and the README describes.
"""

from __future__ import annotations

import colorsys
import io
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from defusedxml import ElementTree as SafeET
from openpyxl import load_workbook
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.utils import get_column_letter

from plans import services
from plans.cells import FORMULA_TRIGGERS
from plans.models import (
    INDICATOR_VALUE,
    Action,
    Indicator,
    Lead,
    Measure,
    Organisation,
    Plan,
    Priority,
    StatusTerm,
)
from plans.periods import MONTH_NAMES, Month, to_month
from plans.status import COUNTED, LETTERS, Polarity, Status, StatusCounts, Unit, count_statuses, value_text
from plans.workbook.safety import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    TOO_MANY_ROWS,
    ErrorList,
    WorkbookInvalid,
    as_not_xlsx,
    check_archive,
)

# Marks of a planned month without a status yet (seed 001 prints ■).
PLANNED_MARKS = frozenset({"■", "x", "p"})
PLANNED_MARK = "■"

PLAN_SHEET, PRIORITIES_SHEET, MEASURES_SHEET, ACTIONS_SHEET, TERMS_SHEET, INDICATORS_SHEET = (
    "Plan",
    "Priorities",
    "Measures",
    "Actions",
    "Status words",
    "Indicators",
)
# Sheets a workbook may leave out: a plan without its own status words, or without indicators.
OPTIONAL_SHEETS = frozenset({TERMS_SHEET, INDICATORS_SHEET})

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
INDICATOR_COLUMNS = {
    "priority": ("Priority", {"priority", "priority code"}),
    "measure": ("Measure", {"measure", "measure ref"}),
    "code": ("Ref", {"ref", "code", "indicator ref", "pi ref", "pi", "reference", "performance ref"}),
    "title": ("Indicator", {"indicator", "indicator title", "title", "performance indicator", "definition"}),
    "unit": ("Unit", {"unit", "units"}),
    "polarity": ("Better", {"better", "which is better", "better is", "polarity", "good is"}),
    "target": ("Target", {"target", "year target", "annual target", "target for the year"}),
    "tolerance": ("Tolerance", {"tolerance", "tolerance percent", "tolerance %"}),
}
INDICATOR_TAIL_COLUMNS = {
    "lead": ("Lead", {"lead", "lead officer", "who", "responsible officer"}),
}
# The spellings of a unit and of which way is better that the reader accepts (``word_key``'d).
UNIT_WORDS = {
    Unit.PERCENT: {"percent", "percentage", "pc"},
    Unit.NUMBER: {"number", "no", "count", "n"},
    Unit.DAYS: {"days", "day"},
    Unit.POUNDS: {"pounds", "gbp", "pound"},
}
UNIT_SYMBOLS = {"%": Unit.PERCENT, "£": Unit.POUNDS, "#": Unit.NUMBER}
POLARITY_WORDS = {
    Polarity.HIGHER: {"higher", "high", "higherisbetter", "up", "more", "increase"},
    Polarity.LOWER: {"lower", "low", "lowerisbetter", "down", "less", "fewer", "decrease", "reduce"},
}
# A month an indicator is not collected in (a quarterly or four-monthly one), as the writer
# writes it and the other ways a council marks it.
NOT_COLLECTED_MARK = "n/a"
NOT_COLLECTED_MARKS = frozenset({"na", "notapplicable", "notcollected"})
REQUIRED = {
    INDICATORS_SHEET: ("priority", "code", "title"),
    PRIORITIES_SHEET: ("code",),
    MEASURES_SHEET: ("priority", "ref", "title"),
    ACTIONS_SHEET: ("priority", "measure", "ref", "description"),
    TERMS_SHEET: ("word", "status"),
}
# Field lengths of the models, checked here so that a long cell is an error by row, not a 500.
MAX_LENGTHS = {
    f"{model._meta.model_name}.{name}": model._meta.get_field(name).max_length
    for model, names in (
        (Plan, ("title",)),
        (Organisation, ("name",)),
        (Priority, ("code", "title")),
        (Measure, ("ref", "timescales", "lead")),
        (Action, ("ref", "corrective_action", "target_date_text")),
        (Lead, ("initials",)),
        (StatusTerm, ("word",)),
        (Indicator, ("code", "title")),
    )
    for name in names
}


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
    section: str | None = None  # None: the workbook does not say (the plan format), left as it is


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
    # A council's one-table layout (plans.workbook.one_table): the target date as written, how
    # progress is measured and the latest update. None: the workbook does not say (the plan
    # format has no such columns), so a re-import leaves them as they are.
    target_date_text: str | None = None
    progress_measure: str | None = None
    progress_update: str | None = None

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
class ParsedIndicator:
    """A row of the Indicators sheet: an indicator's definition and its actuals month by month.
    ``not_collected``: the months marked n/a (none: collected in every reporting month)."""

    priority: str
    measure: str
    code: str
    title: str
    unit: Unit = Unit.NUMBER
    polarity: Polarity = Polarity.HIGHER
    target: Decimal | None = None
    tolerance: Decimal = Decimal("0")
    lead: str = ""
    actuals: dict[Month, Decimal] = field(default_factory=dict)
    not_collected: tuple[Month, ...] = ()
    row: int | None = None

    @property
    def target_text(self) -> str:
        return value_text(self.target, self.unit)


@dataclass
class ParsedPlan:
    title: str
    first_month: Month
    months: int = 12
    organisation: str = ""
    reporting_interval: int = 1  # a new plan's: report every N months
    priorities: list[ParsedPriority] = field(default_factory=list)
    measures: list[ParsedMeasure] = field(default_factory=list)
    actions: list[ParsedAction] = field(default_factory=list)
    terms: list[ParsedTerm] = field(default_factory=list)
    indicators: list[ParsedIndicator] = field(default_factory=list)
    # The Actions sheet's column of each month ("F" for July), so that a problem found only when
    # saving (a closed month) is shown where it is. Not part of the plan: two equal plans may differ.
    month_columns: dict[Month, str] = field(default_factory=dict, compare=False)
    indicator_columns: dict[Month, str] = field(default_factory=dict, compare=False)

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


# --- A parse kept as JSON -------------------------------------------------------------------------
# An upload is read once, for its preview; the confirmation imports that same parse, kept beside
# the pending upload (plans/views_workbook.py). As JSON, never a pickle: the store may be shared,
# and unpickling what it holds would run code.
JSON_FORMAT = 1


def parsed_as_json(parsed: ParsedPlan) -> dict:
    return {
        "format": JSON_FORMAT,
        "title": parsed.title,
        "first_month": str(parsed.first_month),
        "months": parsed.months,
        "organisation": parsed.organisation,
        "reporting_interval": parsed.reporting_interval,
        "priorities": [asdict(p) for p in parsed.priorities],
        "measures": [asdict(m) for m in parsed.measures],
        "actions": [
            {
                **{name: getattr(a, name) for name in (*_ACTION_TEXT, *_ACTION_LAYOUT_TEXT)},
                "grid": [
                    [str(m), c.status.value if c.status else None, c.word, c.planned]
                    for m, c in a.grid.items()
                ],
                "original_target": _month_text(a.original_target),
                "revised_target": _month_text(a.revised_target),
            }
            for a in parsed.actions
        ],
        "terms": [[t.word, t.status.value, t.is_default] for t in parsed.terms],
        "month_columns": [[str(m), letter] for m, letter in parsed.month_columns.items()],
        "indicators": [
            {
                **{name: getattr(i, name) for name in _INDICATOR_TEXT},
                "unit": i.unit.value,
                "polarity": i.polarity.value,
                "target": _figure_text(i.target),
                "tolerance": str(i.tolerance),
                "actuals": [[str(m), str(value)] for m, value in i.actuals.items()],
                "not_collected": [str(m) for m in i.not_collected],
            }
            for i in parsed.indicators
        ],
        "indicator_columns": [[str(m), letter] for m, letter in parsed.indicator_columns.items()],
    }


def parsed_from_json(data: dict) -> ParsedPlan:
    """The ``ParsedPlan`` that ``parsed_as_json`` kept; ValueError for another format's."""
    if data.get("format") != JSON_FORMAT:
        raise ValueError("A parse kept in another format.")
    return ParsedPlan(
        title=data["title"],
        first_month=Month.parse(data["first_month"]),
        months=data["months"],
        organisation=data["organisation"],
        reporting_interval=data.get("reporting_interval", 1),
        priorities=[ParsedPriority(**p) for p in data["priorities"]],
        measures=[ParsedMeasure(**m) for m in data["measures"]],
        actions=[
            ParsedAction(
                **{name: a[name] for name in _ACTION_TEXT},
                **{name: a.get(name) for name in _ACTION_LAYOUT_TEXT},
                grid={
                    Month.parse(m): Cell(Status(status) if status else None, word, planned)
                    for m, status, word, planned in a["grid"]
                },
                original_target=to_month(a["original_target"]),
                revised_target=to_month(a["revised_target"]),
            )
            for a in data["actions"]
        ],
        terms=[ParsedTerm(word, Status(status), is_default) for word, status, is_default in data["terms"]],
        month_columns={Month.parse(m): letter for m, letter in data["month_columns"]},
        indicators=[
            ParsedIndicator(
                **{name: i[name] for name in _INDICATOR_TEXT},
                unit=Unit(i["unit"]),
                polarity=Polarity(i["polarity"]),
                target=Decimal(i["target"]) if i["target"] is not None else None,
                tolerance=Decimal(i["tolerance"]),
                actuals={Month.parse(m): Decimal(value) for m, value in i["actuals"]},
                not_collected=tuple(Month.parse(m) for m in i["not_collected"]),
            )
            for i in data.get("indicators", [])
        ],
        indicator_columns={Month.parse(m): letter for m, letter in data.get("indicator_columns", [])},
    )


_ACTION_TEXT = ("priority", "measure", "ref", "description", "leads", "corrective_action", "row")
# Kept by a later version: a reading kept before it has none.
_ACTION_LAYOUT_TEXT = ("target_date_text", "progress_measure", "progress_update")
_INDICATOR_TEXT = ("priority", "measure", "code", "title", "lead", "row")


def _figure_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _month_text(month: Month | None) -> str | None:
    return str(month) if month else None


def _key(value) -> str:
    """A heading or sheet name compared the tolerant way: case, spacing and punctuation ignored."""
    return re.sub(r"[^a-z0-9&]+", " ", str(value).casefold()).strip()


def code_key(value: str) -> str:
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


# --- Reading ------------------------------------------------------------------------------------
def status_vocabulary(terms) -> dict[str, tuple[Status, str]]:
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
            vocab[word_key(spelling)] = (status, "")
    for term in terms:
        vocab[word_key(term.word)] = (Status(term.status), term.word)
    return vocab


def word_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def theme_palette(book) -> list[str]:
    """The workbook theme's colours in the order a cell's ``theme`` index counts them (light 1,
    dark 1, light 2, dark 2, accents 1-6, links), so that a fill picked from Excel's theme
    colours is read like any other. Empty when the workbook has no readable theme."""
    raw = getattr(book, "loaded_theme", None)
    if not raw:
        return []
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except (SafeET.ParseError, ValueError):  # defusedxml refuses a DTD or entity with a ValueError
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
    if text and word_key(text) in vocab:
        status, word = vocab[word_key(text)]
        return Cell(status, word, planned)
    by_fill = _fill_status(fill, palette)
    if by_fill:
        if len(text) > MAX_LENGTHS["statusterm.word"]:
            return f"The word “{text[:40]}…” is longer than {MAX_LENGTHS['statusterm.word']} characters."
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

    def __init__(self, name: str, rows: list[tuple[int, list]], columns: dict, errors: ErrorList):
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


SHEETS = (PLAN_SHEET, PRIORITIES_SHEET, MEASURES_SHEET, ACTIONS_SHEET, TERMS_SHEET, INDICATORS_SHEET)


class SheetCell(NamedTuple):
    """A cell as the reader uses it, read out of openpyxl while the guard is up. ``number_format``
    only where a figure is read (the Indicators sheet): 0.835 shown as 83.5% is 83.5."""

    value: object
    fill: object = None
    number_format: str | None = None


Rows = list[tuple[int, list[SheetCell]]]


def read_workbook(data: bytes, *, plan: Plan | None = None) -> ParsedPlan:
    """An uploaded workbook as a ``ParsedPlan``; raises ``WorkbookInvalid`` listing every problem.

    ``plan`` is the plan a re-import updates: its status words are understood, and its first
    month places month headings written without a year."""
    check_archive(data)
    errors = ErrorList()
    # openpyxl reads a read-only sheet lazily and raises many kinds for a damaged part (a KeyError
    # for a missing one, a TypeError from its descriptors, an IndexError for a style that is not
    # there): to the person uploading each means the same. So every value and fill is taken out of
    # openpyxl inside this one guard, and the reading below works on plain values.
    with as_not_xlsx(Exception):
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            sheets = {name: _sheet_rows(book, name, errors) for name in SHEETS}
            palette = theme_palette(book)
        finally:
            book.close()
    return _read_book(sheets, palette, plan, errors)


def _sheet_rows(book, sheet_name: str, errors: ErrorList, *, limit: int | None = None) -> Rows | None:
    """The sheet's rows (its first ``limit`` rows) as ``SheetCell``s; None when there is no such sheet."""
    titles = {_key(title): title for title in book.sheetnames}
    title = titles.get(_key(sheet_name))
    if title is None:
        return None
    rows = []
    for number, row in enumerate(book[title].iter_rows(max_col=MAX_COLUMNS), start=1):
        if limit is not None and number > limit:
            break
        if number > MAX_ROWS:
            errors.add(TOO_MANY_ROWS, sheet_name)
            return []
        if sheet_name == INDICATORS_SHEET:
            cells = [SheetCell(cell.value, None, getattr(cell, "number_format", None)) for cell in row]
        else:
            cells = [SheetCell(cell.value, getattr(cell, "fill", None)) for cell in row]
        for index, cell in enumerate(cells):
            if isinstance(cell.value, str) and len(cell.value) > MAX_CELL_CHARS:
                errors.add(f"The cell is longer than Excel allows ({MAX_CELL_CHARS:,} characters).", sheet_name,
                           number, get_column_letter(index + 1))  # fmt: skip
                return []
        rows.append((number, cells))
    return rows


def _read_book(
    sheets: dict[str, Rows | None], palette: list[str], plan: Plan | None, errors: ErrorList
) -> ParsedPlan:
    for name, rows in sheets.items():
        if rows is None and name not in OPTIONAL_SHEETS:
            errors.add(f"The workbook has no sheet named “{name}”.", name)
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
    vocab = status_vocabulary([*terms, *parsed.terms])
    parsed.priorities = _read_priorities(sheets[PRIORITIES_SHEET], errors)
    parsed.measures = _read_measures(sheets[MEASURES_SHEET], parsed.priorities, errors)
    parsed.actions = _read_actions(sheets[ACTIONS_SHEET], parsed, vocab, palette, errors)
    if sheets[INDICATORS_SHEET] is not None:
        parsed.indicators = _read_indicators(sheets[INDICATORS_SHEET], parsed, errors)
    if errors:
        raise WorkbookInvalid(errors)
    return parsed


def _read_plan_sheet(rows, errors: ErrorList) -> ParsedPlan | None:
    values: dict[str, tuple[int, object]] = {}
    for number, cells in rows:
        label = _key(cells[0].value) if cells and cells[0].value is not None else ""
        if label:
            values[label] = (number, cells[1].value if len(cells) > 1 else None)
    title = _text(values.get("title", (None, ""))[1])
    organisation = _text(values.get("organisation", (None, ""))[1])
    for label, text in (("title", title), ("organisation", organisation)):
        limit = MAX_LENGTHS["plan.title" if label == "title" else "organisation.name"]
        if len(text) > limit:
            errors.add(f"The {label} is longer than {limit} characters.", PLAN_SHEET,
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


def _read_terms(rows, errors: ErrorList) -> list[ParsedTerm]:
    sheet = _Sheet(TERMS_SHEET, rows, TERM_COLUMNS, errors)
    terms, seen, defaults = [], set(), set()
    for number, cells in sheet.rows:
        word, status_text = sheet.value(cells, "word"), sheet.value(cells, "status")
        status = next(
            (s for s in COUNTED if word_key(status_text) in {word_key(s.value), word_key(s.label)}), None
        )
        if status is None:
            errors.add(f"“{status_text}” is not one of RED, AMBER, GREEN, REPRO, SUSP.", TERMS_SHEET, number,
                       sheet.column("status"))  # fmt: skip
            continue
        if not word or len(word) > MAX_LENGTHS["statusterm.word"]:
            errors.add(f"A status word needs 1 to {MAX_LENGTHS['statusterm.word']} characters.", TERMS_SHEET, number,
                       sheet.column("word"))  # fmt: skip
            continue
        if word_key(word) in seen:
            errors.add(f"The word “{word}” is listed twice.", TERMS_SHEET, number, sheet.column("word"))
            continue
        seen.add(word_key(word))
        is_default = word_key(sheet.value(cells, "default")) in {"yes", "y", "true", "1", "x"}
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


def _too_long(errors: ErrorList, sheet: _Sheet, number: int, name: str, text: str, limit_key: str) -> bool:
    limit = MAX_LENGTHS[limit_key]
    if len(text) > limit:
        errors.add(
            f"Longer than {limit:,} characters ({len(text):,}).", sheet.name, number, sheet.column(name)
        )
        return True
    return False


def _read_priorities(rows, errors: ErrorList) -> list[ParsedPriority]:
    sheet = _Sheet(PRIORITIES_SHEET, rows, PRIORITY_COLUMNS, errors)
    result, seen = [], {}
    for number, cells in sheet.rows:
        code = sheet.value(cells, "code")
        title = sheet.value(cells, "title")
        if not code:
            errors.add("A priority needs its code.", PRIORITIES_SHEET, number, sheet.column("code"))
            continue
        if code_key(code) in seen:
            errors.add(f"The code “{code}” is already used on row {seen[code_key(code)]}.", PRIORITIES_SHEET,
                       number, sheet.column("code"))  # fmt: skip
            continue
        if _too_long(errors, sheet, number, "code", code, "priority.code") | _too_long(
            errors, sheet, number, "title", title, "priority.title"
        ):
            continue
        seen[code_key(code)] = number
        result.append(ParsedPriority(code, title, sheet.value(cells, "expected_outcome"), number))
    return result


def _read_measures(rows, priorities: list[ParsedPriority], errors: ErrorList) -> list[ParsedMeasure]:
    sheet = _Sheet(MEASURES_SHEET, rows, MEASURE_COLUMNS, errors)
    codes = {code_key(p.code): p.code for p in priorities}
    result, seen = [], {}
    for number, cells in sheet.rows:
        values = {name: sheet.value(cells, name) for name in MEASURE_COLUMNS}
        code = codes.get(code_key(values["priority"]))
        if code is None:
            errors.add(
                _unknown_priority(values["priority"]), MEASURES_SHEET, number, sheet.column("priority")
            )
            continue
        if not values["ref"]:
            errors.add("A measure needs its ref (e.g. “1.1”).", MEASURES_SHEET, number, sheet.column("ref"))
            continue
        key = (code_key(code), code_key(values["ref"]))
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


def _month_columns(
    sheet: _Sheet, months: list[Month], errors: ErrorList, lead_columns: dict, tail_columns: dict
) -> dict[int, Month]:
    """The month columns: every heading between the sheet's leading columns and its tail columns
    (or the end), each placed in the plan's months."""
    start = max(sheet.columns.get(name, -1) for name in lead_columns) + 1
    tail = [sheet.columns[name] for name in tail_columns if sheet.columns.get(name, -1) >= start]
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
                sheet.name,
                sheet.header_row,
                letter,
            )
            continue
        if month in seen:
            errors.add(f"{month.name} has two columns ({seen[month]} and {letter}).", sheet.name,
                       sheet.header_row, letter)  # fmt: skip
            continue
        seen[month] = letter
        placed[index] = month
    return placed


def _read_actions(
    rows, parsed: ParsedPlan, vocab, palette: list[str], errors: ErrorList
) -> list[ParsedAction]:
    columns = {**ACTION_COLUMNS, **ACTION_TAIL_COLUMNS}
    sheet = _Sheet(ACTIONS_SHEET, rows, columns, errors)
    if sheet.header_row is None:
        return []
    month_columns = _month_columns(sheet, parsed.month_list, errors, ACTION_COLUMNS, ACTION_TAIL_COLUMNS)
    parsed.month_columns = {month: get_column_letter(index + 1) for index, month in month_columns.items()}
    codes = {code_key(p.code): p.code for p in parsed.priorities}
    measures = {(code_key(m.priority), code_key(m.ref)): m.ref for m in parsed.measures}
    result = []
    for number, cells in sheet.rows:
        values = {name: sheet.value(cells, name) for name in columns}
        ok = True
        code = codes.get(code_key(values["priority"]))
        measure_ref = measures.get((code_key(code or ""), code_key(values["measure"])))
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
        limit = MAX_LENGTHS["lead.initials"]
        for initials in leads:
            if len(initials) > limit:
                errors.add(f"The lead “{initials[:30]}” is longer than {limit} characters; leads are initials.",
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
            reading = read_cell(cell.value, cell.fill, vocab, palette)
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


# --- The Indicators sheet ------------------------------------------------------------------------
# The largest figure the database keeps (``plans.models.INDICATOR_VALUE``): 12 digits before the
# point and 4 after.
FIGURE_PLACES = INDICATOR_VALUE["decimal_places"]
FIGURE_LIMIT = Decimal(10) ** (INDICATOR_VALUE["max_digits"] - FIGURE_PLACES)
_FIGURE_TEXT = re.compile(
    r"^([-+]?)\s*£?\s*([0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)\s*(%|days?)?$", re.IGNORECASE
)


def read_figure(value, number_format: str | None = None) -> Decimal | None | str:
    """A figure typed in a cell: a number, or text such as "83.5%", "£1,250.50", "12 days";
    None for a blank cell; else what is wrong with it ("must be a number"). A number Excel shows as a
    percentage (0.835 formatted "0.0%") is the percentage shown (83.5). Exact decimals: a float
    from Excel is read by its shortest repr (0.27, not 0.27000000000000002)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | datetime | date):
        return "must be a number"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a number"
        figure = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number_format and "%" in number_format:
            figure *= 100
        # A float sum such as 0.1 + 0.2 carries binary noise past the places kept: drop it.
        if isinstance(value, float) and figure.as_tuple().exponent < -FIGURE_PLACES:
            rounded = figure.quantize(Decimal(1).scaleb(-FIGURE_PLACES))
            if abs(rounded - figure) < Decimal("1e-9") * max(1, abs(figure)):
                figure = rounded
    else:
        match = _FIGURE_TEXT.match(_text(value))
        if not match:
            return "must be a number"
        try:
            figure = Decimal(match.group(1) + match.group(2).replace(",", ""))
        except InvalidOperation:
            return "must be a number"
    figure = figure.normalize() if figure == figure.to_integral_value() else figure
    if figure.as_tuple().exponent < -FIGURE_PLACES:
        return f"has more than {FIGURE_PLACES} decimal places"
    if abs(figure) >= FIGURE_LIMIT:
        return f"is larger than {FIGURE_LIMIT - 1:,}"
    return _plain(figure)


def _plain(figure: Decimal) -> Decimal:
    """The figure without trailing zeros or an exponent (83.5, 10, 0.27): as written back."""
    text = format(figure.normalize(), "f")
    return Decimal(text)


def read_choice(text: str, symbols: dict, words: dict):
    """A unit or a "which is better" cell: its symbol ("%", "£") or one of its words, any case."""
    if text.strip() in symbols:
        return symbols[text.strip()]
    key = word_key(text)
    return next((choice for choice, spellings in words.items() if key in spellings), None)


def _read_indicators(rows, parsed: ParsedPlan, errors: ErrorList) -> list[ParsedIndicator]:
    columns = {**INDICATOR_COLUMNS, **INDICATOR_TAIL_COLUMNS}
    sheet = _Sheet(INDICATORS_SHEET, rows, columns, errors)
    if sheet.header_row is None:
        return []
    month_columns = _month_columns(
        sheet, parsed.month_list, errors, INDICATOR_COLUMNS, INDICATOR_TAIL_COLUMNS
    )
    parsed.indicator_columns = {month: get_column_letter(i + 1) for i, month in month_columns.items()}
    codes = {code_key(p.code): p.code for p in parsed.priorities}
    measures = {(code_key(m.priority), code_key(m.ref)): m.ref for m in parsed.measures}
    result, seen = [], {}

    def problem(message: str, number: int, name: str) -> None:
        errors.add(message, INDICATORS_SHEET, number, sheet.column(name))

    for number, cells in sheet.rows:
        values = {name: sheet.value(cells, name) for name in columns}
        count = len(errors)
        code = codes.get(code_key(values["priority"]))
        measure = ""
        if code is None:
            problem(_unknown_priority(values["priority"]), number, "priority")
        elif values["measure"]:
            measure = measures.get((code_key(code), code_key(values["measure"])))
            if measure is None:
                problem(f"Unknown measure “{values['measure']}”: it is not under {code} on the Measures sheet.",
                        number, "measure")  # fmt: skip
        if not values["code"]:
            problem("An indicator needs its ref (e.g. “BV8”).", number, "code")
        elif code_key(values["code"]) in seen:
            problem(f"The ref “{values['code']}” is already used on row {seen[code_key(values['code'])]}.",
                    number, "code")  # fmt: skip
        else:
            seen[code_key(values["code"])] = number
            _too_long(errors, sheet, number, "code", values["code"], "indicator.code")
        if not values["title"]:
            problem("An indicator needs its title (what is measured).", number, "title")
        else:
            _too_long(errors, sheet, number, "title", values["title"], "indicator.title")
        unit = read_choice(values["unit"], UNIT_SYMBOLS, UNIT_WORDS) if values["unit"] else Unit.NUMBER
        if unit is None:
            problem(f"“{values['unit'][:40]}” is not a unit: use %, Number, Days or £.", number, "unit")
        polarity = read_choice(values["polarity"], {}, POLARITY_WORDS)
        if polarity is None:
            problem(
                f"“{values['polarity'][:40]}” does not say which way is better: use Higher or Lower."
                if values["polarity"] else "Say which way is better: Higher or Lower.",
                number, "polarity",
            )  # fmt: skip
        figures = {}
        for name, what in (("target", "the target"), ("tolerance", "the tolerance")):
            index = sheet.columns.get(name)
            cell = cells[index] if index is not None and index < len(cells) else SheetCell(None)
            figure = read_figure(cell.value, cell.number_format)
            if isinstance(figure, str):
                problem(f"{what.capitalize()} {figure}: “{_text(cell.value)[:40]}”.", number, name)
            figures[name] = figure
        tolerance = figures["tolerance"] if figures["tolerance"] is not None else Decimal("0")
        if isinstance(tolerance, Decimal) and not 0 <= tolerance <= 100:
            problem(f"The tolerance is a percentage of the target from 0 to 100, not {tolerance}.", number,
                    "tolerance")  # fmt: skip
        leads = services.parse_lead_initials(values["lead"])
        if len(leads) > 1:
            problem(f"An indicator has one lead: “{values['lead'][:40]}” names {len(leads)}.", number, "lead")
        elif leads and len(leads[0]) > MAX_LENGTHS["lead.initials"]:
            problem(f"The lead “{leads[0][:30]}” is longer than {MAX_LENGTHS['lead.initials']} characters; "
                    "leads are initials.", number, "lead")  # fmt: skip
        actuals, not_collected = {}, []
        for index, month in month_columns.items():
            cell = cells[index] if index < len(cells) else SheetCell(None)
            if word_key(_text(cell.value)) in NOT_COLLECTED_MARKS:
                not_collected.append(month)
                continue
            figure = read_figure(cell.value, cell.number_format)
            if isinstance(figure, str):
                errors.add(f"The actual for {month.name} {figure} (or n/a for a month it is not collected "
                           f"in): “{_text(cell.value)[:40]}”.", INDICATORS_SHEET, number,
                           get_column_letter(index + 1))  # fmt: skip
            elif figure is not None:
                actuals[month] = figure
        if len(errors) > count:
            continue
        result.append(
            ParsedIndicator(
                priority=code, measure=measure, code=values["code"], title=values["title"], unit=unit,
                polarity=polarity, target=figures["target"], tolerance=_plain(tolerance),
                lead=leads[0] if leads else "", actuals=actuals, not_collected=tuple(not_collected), row=number,
            )
        )  # fmt: skip
    return result
