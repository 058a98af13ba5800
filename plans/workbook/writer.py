"""Writing a plan workbook: the export, and the blank template, in the format the reader reads.

The month grid holds each status's word on its colour and ■ for a planned month. Every text cell
goes through ``plans.cells.neutralise``: nothing written is ever a live formula.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter

from plans.cells import neutralise
from plans.models import Action, Indicator, Lead, Plan
from plans.periods import Month, to_month
from plans.status import Polarity, Status, Unit
from plans.workbook.reader import (
    ACTION_COLUMNS,
    ACTION_TAIL_COLUMNS,
    ACTIONS_SHEET,
    INDICATOR_COLUMNS,
    INDICATOR_TAIL_COLUMNS,
    INDICATORS_SHEET,
    MEASURE_COLUMNS,
    MEASURES_SHEET,
    NOT_COLLECTED_MARK,
    PLAN_SHEET,
    PLANNED_MARK,
    PRIORITIES_SHEET,
    PRIORITY_COLUMNS,
    TERM_COLUMNS,
    TERMS_SHEET,
    Cell,
    ParsedAction,
    ParsedIndicator,
    ParsedMeasure,
    ParsedPlan,
    ParsedPriority,
    ParsedTerm,
)

# Fill colours of the status grid, as the site's CSS colours them.
STATUS_FILLS = {
    Status.RED: "C4261B",
    Status.AMBER: "FFBF47",
    Status.GREEN: "00703C",
    Status.REPRO: "1D70B8",
    Status.SUSP: "505A5F",
}
DARK_FILLS = {Status.RED, Status.GREEN, Status.REPRO, Status.SUSP}  # white text reads on these


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
    labels = month_headings(first, months)
    headings = [h for h, _ in ACTION_COLUMNS.values()] + labels
    headings += [h for h, _ in ACTION_TAIL_COLUMNS.values()]
    _put_header(actions, headings, [12, 10, 10, 50, 10] + [9] * months + [50, 14, 14])
    actions.freeze_panes = "C2"
    sheets[ACTIONS_SHEET] = actions
    sheets[TERMS_SHEET] = book.create_sheet(TERMS_SHEET)
    _put_header(sheets[TERMS_SHEET], [h for h, _ in TERM_COLUMNS.values()], [30, 10, 10])
    indicators = sheets[INDICATORS_SHEET] = book.create_sheet(INDICATORS_SHEET)
    headings = [h for h, _ in INDICATOR_COLUMNS.values()] + labels
    headings += [h for h, _ in INDICATOR_TAIL_COLUMNS.values()]
    _put_header(indicators, headings, [12, 10, 10, 45, 8, 8, 10, 10] + [9] * months + [10])
    indicators.freeze_panes = "D2"
    return book, sheets


def month_headings(first: Month, months: int) -> list[str]:
    """Seed 001's headings ("July", "Aug.") when each month occurs once; with the year when a
    plan is longer. The Actions and the Indicators sheets head their months alike."""
    month_list = [first + i for i in range(months)]
    return [m.grid_label if months <= 12 else m.name for m in month_list]


# How the Indicators sheet writes a unit and which way is better (the reader reads these back).
UNIT_TEXT = {Unit.PERCENT: "%", Unit.NUMBER: "Number", Unit.DAYS: "Days", Unit.POUNDS: "£"}
POLARITY_TEXT = {Polarity.HIGHER: "Higher", Polarity.LOWER: "Lower"}


def figure_cell(value: Decimal | None) -> Decimal | int | None:
    """A figure as a number cell (never text, never a formula): a whole number as an int, else the
    decimal as written (83.5, not 83.5000)."""
    if value is None:
        return None
    plain = Decimal(format(Decimal(value).normalize(), "f"))
    return int(plain) if plain == plain.to_integral_value() else plain


def blank_template(first: Month | None = None) -> Workbook:
    """An empty plan workbook with every sheet and heading, for a council to fill in."""
    book, _ = _new_book("", first or Month(date.today().year, 4), 12, "")
    return book


def parsed_from_plan(plan: Plan) -> ParsedPlan:
    """A saved plan as the plain values a workbook holds (what the export writes)."""
    terms = list(plan.status_terms.all())
    plan._terms_cache = terms
    parsed = ParsedPlan(
        title=plan.title, first_month=plan.start, months=plan.months, organisation=plan.organisation.name,
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
    reporting = plan.reporting_month_list
    for indicator in Indicator.objects.filter(plan=plan).in_plan_order().with_figures():
        collected = set(indicator.reporting_month_list)
        parsed.indicators.append(
            ParsedIndicator(
                priority=indicator.priority.code, measure=indicator.measure.ref if indicator.measure else "",
                code=indicator.code, title=indicator.title, unit=Unit(indicator.unit),
                polarity=Polarity(indicator.polarity), target=figure_cell(indicator.target),
                tolerance=figure_cell(indicator.tolerance), lead=indicator.lead.initials if indicator.lead else "",
                actuals={row.as_month: figure_cell(row.value) for row in indicator.actuals.all()},
                not_collected=tuple(m for m in reporting if m not in collected),
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
            [action.priority, action.measure, action.ref, action.description, Lead.joined(action.leads), *grid,
             action.corrective_action, action.original_target.name if action.original_target else "",
             action.revised_target.name if action.revised_target else ""],
            {4, first_month_column + len(months)},
        )  # fmt: skip
        for offset, month in enumerate(months):
            status = action.grid.get(month, Cell()).status
            if status:
                cell = cells[first_month_column - 1 + offset]
                cell.style = styles[status]
    _write_indicators(sheets[INDICATORS_SHEET], parsed)
    return book


def _write_indicators(sheet, parsed: ParsedPlan) -> None:
    """One row an indicator: its definition, then its actual for each month (a number cell), or
    n/a for a month it is not collected in, then its lead."""
    for item in parsed.indicators:
        months = [
            NOT_COLLECTED_MARK if month in item.not_collected else figure_cell(item.actuals.get(month))
            for month in parsed.month_list
        ]
        _append(
            sheet,
            [item.priority, item.measure, item.code, item.title, UNIT_TEXT[item.unit], POLARITY_TEXT[item.polarity],
             figure_cell(item.target), figure_cell(item.tolerance), *months, item.lead],
            {4},
        )  # fmt: skip


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_plan(plan: Plan) -> bytes:
    """The plan's workbook, as the download and ``export_plan`` give it."""
    return workbook_bytes(write_workbook(parsed_from_plan(plan)))
