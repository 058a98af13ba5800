"""Reading a plan in a council's own one-table layout (Rotherham's Corporate Improvement Plan, seed 004).

One sheet holds the whole plan as the council prints it::

    Rotherham MBC - Corporate Improvement Plan 2007-10          <- the title: text in the first cell only
    Objective | Key Actions | Target Date | Progress Measure | On Target | Accountability | Update
    1. Ambitions: CPA Score                                      <- a priority area: the first cell only
    Achieve 'excellent' CPA score | Direction of Travel: ... | December annually | ... | | Assistant ...
    (merged or blank)             | Improve DOT indicators   | December annually | ...

It is found by its headings (``COLUMNS``: any case, spacing and punctuation) in the first rows of
any sheet; a workbook with the plan format's sheets (Plan, Actions) is read by ``reader`` instead.
What becomes of it, as the same ``ParsedPlan`` the plan format gives (so that the import, preview,
dry run and audit are shared):

- A priority-area heading "N. Section: Title" (or "Section – Title") is a priority: section
  "Ambitions", title "CPA Score", and the code the plan is known by, **the section's initials and
  the area's place in it**: "A1" for the first area of Ambitions, "GA2" for the second of
  Governance Arrangements, "OEVM1" for Operational Efficiency and Value for Money ("and", "of",
  "for", "in", "the" are left out; at most six letters). Two sections with the same initials: the
  second takes the first two letters of each word ("PoMa"). A heading without a section is in the
  section above it (none: code "P1", "P2"…). Where the numbers restart at 1 in the sheet, the
  council numbers its areas within each section, and a heading that carries on the numbering
  stays in the section even if it names it differently (Rotherham's "2. Workforce Development"
  under "1. Workforce Strategy"); where they never restart, a new section name is a new section.
- An objective is a measure (its title; ref "A1.1", "A1.2"… by its place under the area). It is
  written once for its key actions: merged down over their rows, or on the first row with the
  rows below left blank; either way it holds until the next objective or heading.
- A key action is an action (no ref: the council gives none); Target Date is kept as written,
  with a month read where one can be (``read_target_date``); Progress Measure and Update are kept
  per action; Accountability names the leads, split at " / " (each a lead of the plan's
  organisation by job title); On Target is the status of the reporting month given with the
  import (``Calendar.status_month``), in the plan's own words (the Status words sheet, or the
  plan's): a blank cell is not reported, a word not in the vocabulary is an error.
- A cell merged down over several rows gives its value to each of them; merged across, it is one
  cell. A repeated headings row (a page break in a pasted report) is skipped.
- A column with a heading the reader does not know is listed (``OneTable.unplaced``); the
  performance team says what it holds or to ignore it, and that is kept per organisation
  (``ColumnMapping``) for the next import.

What the file does not say — the first month, how many months, how often the plan reports and
which month the On Target column reports — comes with the import (``Calendar``): the command's
options, or the preview page's form.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from plans.models import ColumnMapping, Organisation, Plan, StatusTerm, TableField
from plans.periods import Month, reporting_months
from plans.workbook.reader import (
    ACTIONS_SHEET,
    MAX_LENGTHS,
    PLAN_SHEET,
    TERMS_SHEET,
    Cell,
    ParsedAction,
    ParsedMeasure,
    ParsedPlan,
    ParsedPriority,
    ParsedTerm,
    Rows,
    _read_terms,
    _sheet_rows,
    _text,
    status_vocabulary,
    word_key,
)
from plans.workbook.safety import (
    ErrorList,
    WorkbookError,
    WorkbookInvalid,
    as_not_xlsx,
    check_archive,
    merged_ranges,
    sheet_names,
)

# Each field's heading as printed, and the spellings read as it (compared by ``word_key``: case,
# spacing and punctuation ignored).
COLUMNS: dict[str, tuple[str, set[str]]] = {
    TableField.OBJECTIVE: ("Objective", {"objective", "objectives"}),
    TableField.KEY_ACTION: ("Key Actions", {"keyactions", "keyaction", "actions"}),
    TableField.TARGET_DATE: ("Target Date", {"targetdate", "targetdates"}),
    TableField.PROGRESS_MEASURE: ("Progress Measure", {"progressmeasure", "progressmeasures"}),
    TableField.ON_TARGET: ("On Target", {"ontarget", "status"}),
    TableField.ACCOUNTABILITY: (
        "Accountability",
        {"accountability", "accountable", "lead", "leads", "responsible", "responsibility"},
    ),
    TableField.UPDATE: ("Update", {"update", "updates", "progressupdate"}),
}
# The headings that make a sheet a one-table plan.
REQUIRED = (TableField.OBJECTIVE, TableField.KEY_ACTION)
HEADING_ROWS_SEARCHED = 20
NO_HEADINGS = (
    "No sheet has the headings Objective and Key Actions in its first rows. A plan in the plan format "
    "has the sheets Plan, Priorities, Measures and Actions."
)
SPELLINGS = {spelling: name for name, (_, spellings) in COLUMNS.items() for spelling in spellings}
IGNORE = TableField.IGNORE.value

# Words left out of a section's initials ("Operational Efficiency and Value for Money" is OEVM).
SMALL_WORDS = frozenset({"and", "of", "for", "in", "the", "to", "a", "an", "on", "with"})
MAX_INITIALS = 6
NO_SECTION_CODE = "P"


# --- What the file does not say --------------------------------------------------------------------
class CalendarInvalid(Exception):
    """A setting given with the import is wrong: ``field`` is the setting (first_month, months,
    every, status_month), for the form to show it beside the field."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(message)


@dataclass(frozen=True)
class Calendar:
    """A one-table plan's calendar and the month its On Target column reports."""

    first_month: Month
    months: int
    every: int = 1
    status_month: Month | None = None

    @property
    def reporting_months(self) -> list[Month]:
        return reporting_months(self.first_month, self.months, self.every)

    def check(self) -> None:
        if not 1 <= self.months <= 36:
            raise CalendarInvalid("months", f"A plan covers 1 to 36 months, not {self.months}.")
        if not 1 <= self.every <= 12:
            raise CalendarInvalid("every", f"A plan reports every 1 to 12 months, not every {self.every}.")
        if self.status_month is not None and self.status_month not in self.reporting_months:
            reporting = self.reporting_months
            listed = ", ".join(m.name for m in reporting[:4]) + (" and so on" if len(reporting) > 4 else "")
            raise CalendarInvalid(
                "status_month",
                f"{self.status_month.name} is not a reporting month of the plan; its reporting months are "
                f"{listed}.",
            )


def calendar_of(plan: Plan, status_month: Month | None) -> Calendar:
    """A re-import's calendar: the plan's own."""
    return Calendar(plan.start, plan.months, plan.reporting_interval, status_month)


# --- Free-text target dates ---------------------------------------------------------------------------
_MONTH_WORDS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_WORDS})\.?,?\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_ISO_MONTH = re.compile(r"\b((?:19|20)\d\d)-(0?[1-9]|1[0-2])\b")
_REVISED = re.compile(r"\(\s*revised?\s+(?:to|date)?:?\s*(?P<revised>[^)]*)\)", re.IGNORECASE)
_MONTH_NUMBERS = {name: n for n, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}  # fmt: skip


def months_in(text: str) -> list[Month]:
    """Every month with its year written in ``text``, in the order written: "December 2007",
    "Dec 2009", "30 th September 2007", "Sept 2008", "2008-03"."""
    found = [
        (match.start(), Month(int(match.group(2)), _MONTH_NUMBERS[match.group(1)[:3].casefold()]))
        for match in _MONTH_YEAR.finditer(text)
    ]
    found += [(m.start(), Month(int(m.group(1)), int(m.group(2)))) for m in _ISO_MONTH.finditer(text)]
    return [month for _, month in sorted(found, key=lambda item: item[0])]


def read_target_date(text: str) -> tuple[Month | None, Month | None]:
    """The original and revised target months of a target date written as free text.

    - One month with its year is the target: "December 2007" → December 2007.
    - "(revise to October 2007)" (or "revised to") is the revised target; the month before it
      the original: "July 2007 (revise to October 2007)" → July 2007, revised October 2007.
    - Several months ("October 2007 March 2008", a milestone each) → the latest is the target:
      the action is done when its last milestone is.
    - No month with a year ("Ongoing", "TBC", "Spring 2008", "December annually", "Quarter 1
      2007/08") → no target month; the text is kept as written either way.
    """
    revised = None
    match = _REVISED.search(text)
    if match:
        in_revision = months_in(match.group("revised"))
        revised = max(in_revision) if in_revision else None
        text = text[: match.start()] + text[match.end() :]
    months = months_in(text)
    return (max(months) if months else None), revised


# --- Accountability ----------------------------------------------------------------------------------
# "Strategic Director Finance / Assistant Chief Executive" names two; so does "Procurement Client/ RBT".
# A slash without a space either side is part of a name ("Marketing/LSP communications leads").
_LEAD_SEPARATOR = re.compile(r"\s+/\s*|\s*/\s+")


def split_accountability(text: str) -> list[str]:
    leads = []
    for part in _LEAD_SEPARATOR.split(text or ""):
        part = " ".join(part.split())
        if part and part not in leads:
            leads.append(part)
    return leads


# --- Priority-area headings -----------------------------------------------------------------------------
_NUMBERED = re.compile(r"^\s*(\d+)\s*[.):]?\s+(.*)$", re.DOTALL)
_SECTION_SEPARATOR = re.compile(r"\s*:\s*|\s+[-–—]\s+")


@dataclass
class AreaHeading:
    row: int
    text: str
    number: int | None
    section: str
    title: str


def parse_heading(text: str, row: int = 0) -> AreaHeading:
    """ "1. Ambitions: CPA Score" → number 1, section "Ambitions", title "CPA Score"."""
    text = " ".join(text.split())
    number, rest = None, text
    match = _NUMBERED.match(text)
    if match:
        number, rest = int(match.group(1)), match.group(2)
    separator = _SECTION_SEPARATOR.search(rest)
    if separator and separator.start() > 0 and rest[separator.end() :].strip():
        return AreaHeading(
            row, text, number, rest[: separator.start()].strip(), rest[separator.end() :].strip()
        )
    return AreaHeading(row, text, number, "", rest.strip())


def assign_sections(headings: list[AreaHeading]) -> list[str]:
    """The section of each heading, by the rules in the module's docstring."""
    numbers = [h.number for h in headings if h.number is not None]
    within_sections = any(later <= earlier for earlier, later in zip(numbers, numbers[1:], strict=False))
    known: dict[str, str] = {}  # word_key -> the section's first spelling
    sections, current, previous_number = [], "", None
    for heading in headings:
        key = word_key(heading.section)
        continues_numbering = (
            within_sections and heading.number is not None and previous_number is not None
            and heading.number > previous_number
        )  # fmt: skip
        if key and key != word_key(current) and not (current and continues_numbering):
            current = known.setdefault(key, heading.section)
        sections.append(current)
        if heading.number is not None:
            previous_number = heading.number
    return sections


def section_initials(section: str, taken: set[str]) -> str:
    """The letters of a section's codes: its initials; if another section has them, the first two
    letters of each word; failing that, the initials and a letter (B, C …)."""
    words = [w for w in re.findall(r"[A-Za-z0-9]+", section) if w.casefold() not in SMALL_WORDS]
    initials = "".join(w[0] for w in words).upper()[:MAX_INITIALS] or NO_SECTION_CODE
    candidates = [initials]
    if words:
        candidates.append("".join(w[:2].capitalize() for w in words)[: MAX_INITIALS * 2])
    candidates += [f"{initials}{letter}" for letter in "BCDEFGHJKLMNPQRSTUVWXYZ"]
    return next((c for c in candidates if c not in taken), f"{initials}{len(taken)}")


# --- The reading ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    letter: str
    heading: str
    field: str  # a TableField value; "" when the reader cannot place it
    mapped: bool = False  # a heading the reader does not know, placed by the organisation's mapping

    @property
    def label(self) -> str:
        """What the column is read as, in words."""
        return TableField(self.field).label if self.field else ""


@dataclass
class OneTable:
    """A one-table plan as read, before its calendar is known."""

    sheet: str
    title: str
    columns: list[Column]
    priorities: list[ParsedPriority] = field(default_factory=list)
    measures: list[ParsedMeasure] = field(default_factory=list)
    actions: list[ParsedAction] = field(default_factory=list)
    # The On Target reading of each action (same order): None when the cell is blank.
    reported: list[Cell | None] = field(default_factory=list)
    terms: list[ParsedTerm] = field(default_factory=list)

    @property
    def unplaced(self) -> list[Column]:
        """Columns the reader cannot place and nobody has mapped: listed, not imported."""
        return [c for c in self.columns if not c.field]

    @property
    def mappable(self) -> list[Column]:
        """Columns with a heading the reader does not know, mapped or not: the preview asks about them."""
        return [c for c in self.columns if c.mapped or not c.field]

    @property
    def on_target_column(self) -> str:
        return next((c.letter for c in self.columns if c.field == TableField.ON_TARGET), "")

    @property
    def reports_statuses(self) -> bool:
        return any(self.reported)

    def priority_counts(self) -> list[tuple[ParsedPriority, int, int]]:
        """Each priority area with its objectives and key actions counted, for the preview."""
        return [
            (
                priority,
                sum(1 for m in self.measures if m.priority == priority.code),
                sum(1 for a in self.actions if a.priority == priority.code),
            )
            for priority in self.priorities
        ]

    @property
    def sections(self) -> list[tuple[str, list[ParsedPriority]]]:
        grouped: dict[str, list[ParsedPriority]] = {}
        for priority in self.priorities:
            grouped.setdefault(priority.section, []).append(priority)
        return list(grouped.items())

    def plan(self, calendar: Calendar) -> ParsedPlan:
        """The ``ParsedPlan`` the importer saves: On Target is the status of the status month.
        Raises ``CalendarInvalid`` for a setting that does not fit."""
        calendar.check()
        if self.reports_statuses and calendar.status_month is None:
            raise CalendarInvalid(
                "status_month",
                "The On Target column reports statuses: say which reporting month it reports.",
            )
        actions = []
        for action, reading in zip(self.actions, self.reported, strict=True):
            grid = _reported_in(action, calendar)
            if reading is not None:
                grid[calendar.status_month] = replace(reading, planned=True)
            actions.append(_with_grid(action, grid))
        month_columns = {calendar.status_month: self.on_target_column} if calendar.status_month else {}
        return ParsedPlan(
            title=self.title,
            first_month=calendar.first_month,
            months=calendar.months,
            reporting_interval=calendar.every,
            priorities=list(self.priorities),
            measures=list(self.measures),
            actions=actions,
            terms=list(self.terms),
            month_columns=month_columns,
        )


def _reported_in(action: ParsedAction, calendar: Calendar) -> dict[Month, Cell]:
    """The reporting months a key action is reported on, as planned months: a one-table plan has
    no month grid, and its council reports every key action in every period until its target
    month (the revised one when there is one); one without a month it can be read in ("Ongoing",
    "December annually") in every period of the plan. Each is then live in those periods and
    asked of its lead, and a period's blank On Target is "not reported", not "not due"."""
    target = action.revised_target or action.original_target
    return {m: Cell(planned=True) for m in calendar.reporting_months if target is None or m <= target}


def _with_grid(action: ParsedAction, grid: dict) -> ParsedAction:
    copy = ParsedAction(**{name: getattr(action, name) for name in action.__dataclass_fields__})
    copy.grid = dict(grid)
    return copy


def saved_mapping(organisation: Organisation | None) -> dict[str, str]:
    """The organisation's kept column mapping: heading (``word_key``) → field."""
    if organisation is None:
        return {}
    return {word_key(m.heading): m.field for m in ColumnMapping.objects.filter(organisation=organisation)}


def save_mapping(*, organisation: Organisation, mapping: dict[str, str], user=None) -> None:
    """Keep what the performance team said the unknown columns hold, for the organisation's next
    import (called inside the import's transaction)."""
    existing = {word_key(m.heading): m for m in ColumnMapping.objects.filter(organisation=organisation)}
    for heading, field_name in mapping.items():
        TableField(field_name)  # a field the form offered, or ValueError
        stored = existing.get(word_key(heading))
        if stored is None:
            ColumnMapping.objects.create(organisation=organisation, heading=heading[:200], field=field_name,
                                         updated_by=user)  # fmt: skip
        elif stored.field != field_name:
            stored.field, stored.updated_by = field_name, user
            stored.save(update_fields=["field", "updated_by", "updated_at"])


def is_one_table(data: bytes) -> bool:
    """Whether an upload is a plan in a one-table layout: no Plan or Actions sheet of the plan
    format, and a sheet with the one-table headings. A workbook with either sheet is answered
    from its sheet names alone; any other is checked (``check_archive``) before openpyxl opens it."""
    if {word_key(PLAN_SHEET), word_key(ACTIONS_SHEET)} & {word_key(name) for name in sheet_names(data)}:
        return False
    check_archive(data)
    with as_not_xlsx(Exception):
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            errors = ErrorList()
            for name in book.sheetnames:
                if word_key(name) == word_key(TERMS_SHEET):
                    continue
                rows = _sheet_rows(book, name, errors, limit=HEADING_ROWS_SEARCHED)
                if _find_headings(rows or []) is not None:
                    return True
        finally:
            book.close()
    return False


def read_one_table(
    data: bytes, *, plan: Plan | None = None, mapping: dict[str, str] | None = None
) -> OneTable:
    """An upload in a one-table layout as a ``OneTable``; raises ``WorkbookInvalid`` listing every
    problem, each by sheet, row and column. ``plan``: the plan a re-import updates (its status
    words are understood); ``mapping``: headings (any spelling) → ``TableField`` values, for the
    columns the reader does not know."""
    check_archive(data)
    errors = ErrorList()
    with as_not_xlsx(Exception):
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            sheets = {}
            for name in book.sheetnames:
                sheets[name] = _sheet_rows(book, name, errors)
        finally:
            book.close()
    if errors:
        raise WorkbookInvalid(errors)
    terms_sheet = next((name for name in sheets if word_key(name) == word_key(TERMS_SHEET)), None)
    found = next(
        ((name, headings) for name, rows in sheets.items() if name != terms_sheet
         for headings in [_find_headings(rows or [])] if headings is not None),
        None,
    )  # fmt: skip
    if found is None:
        raise WorkbookInvalid([WorkbookError(NO_HEADINGS)])
    name, header_row = found
    terms = _read_terms(sheets[terms_sheet], errors) if terms_sheet else []
    plan_terms: list[StatusTerm] = list(plan.status_terms.all()) if plan is not None else []
    reader = _TableReader(name, sheets[name], header_row, merged_ranges(data, name), mapping or {}, errors)
    table = reader.read(status_vocabulary([*plan_terms, *terms]))
    table.terms = terms
    if errors:
        raise WorkbookInvalid(errors)
    return table


def _find_headings(rows: Rows) -> int | None:
    """The index in ``rows`` of the headings row: the first of the first rows that has every
    required heading."""
    for index, (_, cells) in enumerate(rows[:HEADING_ROWS_SEARCHED]):
        fields = {SPELLINGS.get(word_key(_text(c.value))) for c in cells}
        if all(required in fields for required in REQUIRED):
            return index
    return None


class _TableReader:
    def __init__(self, sheet: str, rows: Rows, header_index: int, merged: list[str], mapping: dict,
                 errors: ErrorList):  # fmt: skip
        self.sheet, self.rows, self.errors = sheet, rows, errors
        self.header_number, header_cells = rows[header_index]
        self.body = rows[header_index + 1 :]
        self.title_rows = rows[:header_index]
        mapping = {word_key(heading): value for heading, value in mapping.items()}
        self.columns: list[Column] = []
        self.index: dict[str, int] = {}
        for position, cell in enumerate(header_cells):
            heading = _text(cell.value)
            if not heading:
                continue
            letter = get_column_letter(position + 1)
            known = SPELLINGS.get(word_key(heading))
            name = known or mapping.get(word_key(heading), "")
            if name and name != IGNORE and name in self.index:
                errors.add(
                    f"Two columns hold the {COLUMNS[name][0]} ({get_column_letter(self.index[name] + 1)} "
                    f"and {letter}): keep one, or say that one is not to be imported.",
                    sheet, self.header_number, letter,
                )  # fmt: skip
                continue
            if name and name != IGNORE:
                self.index[name] = position
            self.columns.append(Column(letter, heading, name, mapped=bool(name) and not known))
        self.first = min(self.index.values())
        self.heading_keys = {word_key(_text(c.value)) for c in header_cells if _text(c.value)}
        self.filled = self._merged_fill(merged)

    def _merged_fill(self, merged: list[str]) -> dict[tuple[int, int], object]:
        """(row number, column index) → the value of the cell merged down over it."""
        values = {(number, i): cell.value for number, cells in self.rows for i, cell in enumerate(cells)}
        filled = {}
        for ref in merged:
            try:
                min_col, min_row, _, max_row = range_boundaries(ref)
            except (TypeError, ValueError):
                continue
            top = values.get((min_row, min_col - 1))
            for number in range(min_row + 1, (max_row or min_row) + 1):
                filled[(number, min_col - 1)] = top
        return filled

    def value(self, number: int, cells: list, name: str) -> str:
        index = self.index.get(name)
        if index is None:
            return ""
        raw = cells[index].value if index < len(cells) else None
        if raw is None:
            raw = self.filled.get((number, index))
        return _text(raw)

    def read(self, vocab: dict) -> OneTable:
        table = OneTable(sheet=self.sheet, title=self._title(), columns=self.columns)
        headings: list[AreaHeading] = []
        rows: list[tuple[int, list, int]] = []  # key action rows, with the heading they are under
        for number, cells in self.body:
            texts = [_text(c.value) for c in cells]
            filled = [i for i, text in enumerate(texts) if text]
            if not filled:
                continue
            if {word_key(texts[i]) for i in filled} <= self.heading_keys and len(filled) > 1:
                continue  # the headings again, after a page break
            if filled == [self.first] and (number, self.first) not in self.filled:
                headings.append(parse_heading(texts[self.first], number))
                continue
            rows.append((number, cells, len(headings) - 1))
        sections = assign_sections(headings)
        codes = self._codes(headings, sections)
        for heading, section, code in zip(headings, sections, codes, strict=True):
            limit = MAX_LENGTHS["priority.title"]  # a section's too
            for what, text in (("section", section), ("title", heading.title)):
                if len(text) > limit:
                    self.errors.add(f"The priority area's {what} is longer than {limit} characters.", self.sheet,
                                    heading.row, get_column_letter(self.first + 1))  # fmt: skip
            table.priorities.append(ParsedPriority(code, heading.title, "", heading.row, section=section))
        self._read_rows(rows, table, vocab)
        return table

    def _title(self) -> str:
        for _, cells in self.title_rows:
            texts = [_text(c.value) for c in cells]
            if texts and texts[0] and not any(texts[1:]):
                return texts[0][: MAX_LENGTHS["plan.title"]]
        return self.sheet

    def _codes(self, headings: list[AreaHeading], sections: list[str]) -> list[str]:
        initials: dict[str, str] = {}
        counts: dict[str, int] = {}
        codes = []
        for section in sections:
            if section not in initials:
                initials[section] = section_initials(section, set(initials.values()))
            counts[section] = counts.get(section, 0) + 1
            codes.append(f"{initials[section]}{counts[section]}")
        return codes

    def _read_rows(self, rows: list[tuple[int, list, int]], table: OneTable, vocab: dict) -> None:
        errors, sheet = self.errors, self.sheet

        def column(name: str) -> str:
            return get_column_letter(self.index[name] + 1) if name in self.index else ""

        measure: ParsedMeasure | None = None
        under = -1
        per_priority: dict[str, int] = {}
        for number, cells, heading in rows:
            if heading < 0:
                errors.add("A key action above the first priority area: write the area's heading (e.g. “1. "
                           "Ambitions: CPA Score”) alone in the first cell of a row above it.", sheet, number,
                           get_column_letter(self.first + 1))  # fmt: skip
                continue
            priority = table.priorities[heading]
            if heading != under:
                measure, under = None, heading
            objective = self.value(number, cells, TableField.OBJECTIVE)
            if objective and (measure is None or objective != measure.title):
                per_priority[priority.code] = per_priority.get(priority.code, 0) + 1
                measure = ParsedMeasure(priority.code, f"{priority.code}.{per_priority[priority.code]}", objective,
                                        row=number)  # fmt: skip
                table.measures.append(measure)
            if measure is None:
                errors.add("The key action has no objective: write it on the first key action's row under the "
                           "priority area.", sheet, number, column(TableField.OBJECTIVE))  # fmt: skip
                continue
            values = {name: self.value(number, cells, name) for name in COLUMNS}
            count = len(errors)
            if not values[TableField.KEY_ACTION]:
                errors.add("The key action is blank.", sheet, number, column(TableField.KEY_ACTION))
            target = values[TableField.TARGET_DATE]
            if len(target) > MAX_LENGTHS["action.target_date_text"]:
                errors.add(f"The target date is longer than {MAX_LENGTHS['action.target_date_text']} characters.",
                           sheet, number, column(TableField.TARGET_DATE))  # fmt: skip
            leads = split_accountability(values[TableField.ACCOUNTABILITY])
            for lead in leads:
                if len(lead) > MAX_LENGTHS["lead.initials"]:
                    errors.add(f"“{lead[:40]}…” is longer than {MAX_LENGTHS['lead.initials']} characters: name "
                               "each lead by a job title, several separated by “ / ”.", sheet, number,
                               column(TableField.ACCOUNTABILITY))  # fmt: skip
            word = values[TableField.ON_TARGET]
            reading = None
            if word:
                found = vocab.get(word_key(word))
                if found is None:
                    errors.add(f"“{word[:60]}” is not one of the plan's status words: add it to the Status words "
                               "sheet (Word, Status, Default) or leave the cell blank (not reported).", sheet,
                               number, column(TableField.ON_TARGET))  # fmt: skip
                else:
                    reading = Cell(found[0], found[1])
            if len(errors) > count:
                continue
            original, revised = read_target_date(target)
            table.actions.append(
                ParsedAction(
                    priority=priority.code, measure=measure.ref, ref="", description=values[TableField.KEY_ACTION],
                    leads=leads, original_target=original, revised_target=revised, row=number,
                    target_date_text=target, progress_measure=values[TableField.PROGRESS_MEASURE],
                    progress_update=values[TableField.UPDATE],
                )
            )  # fmt: skip
            table.reported.append(reading)
