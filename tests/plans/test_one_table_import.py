"""Importing a plan in a council's own one-table layout (issue 15, Rotherham's Appendix A)."""

from __future__ import annotations

import io
from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook

from audit.models import AuditEvent
from plans.models import Action, ColumnMapping, Lead, MonthlyStatus, Plan, StatusTerm, TableField
from plans.periods import Month
from plans.status import Status
from plans.workbook.importer import import_plan
from plans.workbook.one_table import (
    Calendar,
    CalendarInvalid,
    is_one_table,
    read_one_table,
    read_target_date,
    saved_mapping,
    split_accountability,
)
from plans.workbook.safety import WorkbookInvalid
from tests.factories import default_organisation, make_organisation
from tests.plans.workbook_helpers import workbook

pytestmark = pytest.mark.django_db

SHEET = "Corporate Improvement Plan"
HEADINGS = [
    "Objective",
    "Key Actions",
    "Target Date",
    "Progress Measure",
    "On Target",
    "Accountability",
    "Update",
]
TERMS = [
    ["On track", "GREEN", "Yes"],
    ["Completed", "GREEN", ""],
    ["Some slippage reported", "AMBER", "Yes"],
    ["Slipped", "RED", "Yes"],
]
# Rows 4 on, under the title (row 1), a blank row and the headings (row 3).
ROWS = [
    ["1. Ambitions: CPA Score"],
    ["Achieve 'excellent' CPA score by February 2008", "Produce the Direction of Travel statement",
     "December 2007", "DOT score of 4 out of 4", "On track", "Assistant Chief Executive", "Submitted in June"],
    [None, "Improve DOT indicators", "July 2007 (revise to October 2007)", "70% of PIs improving",
     "Some slippage reported", "Strategic Director Finance / Assistant Chief Executive", ""],
    ["2. Ambitions: Our Future"],
    ["Deliver Our Future", "Run the staff survey", "Spring 2008", "", "", "Head of Policy and Performance", ""],
    [None, "Publish the results", "October 2007 March 2008", "", "Slipped", "", ""],
    ["1. Governance Arrangements: Internal Audit"],
    ["Effective internal audit", "Review the audit charter", "Ongoing", "", "Completed",
     "Director of Audit and Governance", ""],
]  # fmt: skip
TITLE = "Test Council Improvement Plan 2007-10"  # not the demo's
CALENDAR = Calendar(Month(2007, 4), 36, 2, Month(2007, 9))


def one_table(rows=ROWS, *, title=TITLE, headings=HEADINGS, terms=TERMS,
              merges=(), sheet=SHEET) -> bytes:  # fmt: skip
    """A workbook in the one-table layout: the title in A1, a blank row, the headings, the rows."""
    book = Workbook()
    table = book.active
    table.title = sheet
    if title:
        table.cell(row=1, column=1, value=title)
    for column, heading in enumerate(headings, start=1):
        table.cell(row=3, column=column, value=heading)
    for number, row in enumerate(rows, start=4):
        for column, value in enumerate(row, start=1):
            if value not in (None, ""):
                table.cell(row=number, column=column, value=value)
    for merge in merges:
        table.merge_cells(merge)
    if terms is not None:
        words = book.create_sheet("Status words")
        for number, row in enumerate([["Word", "Status", "Default"], *terms], start=1):
            for column, value in enumerate(row, start=1):
                words.cell(row=number, column=column, value=value or None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(data: bytes, **kwargs) -> list[tuple[str, int | None, str, str]]:
    with pytest.raises(WorkbookInvalid) as caught:
        read_one_table(data, **kwargs)
    return [(e.sheet, e.row, e.column, e.message) for e in caught.value.errors]


# --- Reading ------------------------------------------------------------------------------------------
def test_the_layout_is_found_by_its_headings():
    assert is_one_table(one_table())
    assert not is_one_table(workbook())
    assert not is_one_table(one_table(headings=["Ref", "Description", "Lead"]))


def test_sections_priority_areas_objectives_and_key_actions():
    table = read_one_table(one_table())
    assert table.title == TITLE
    assert [(p.code, p.section, p.title, p.row) for p in table.priorities] == [
        ("A1", "Ambitions", "CPA Score", 4),
        ("A2", "Ambitions", "Our Future", 7),
        ("GA1", "Governance Arrangements", "Internal Audit", 10),
    ]
    assert [(m.priority, m.ref, m.title) for m in table.measures] == [
        ("A1", "A1.1", "Achieve 'excellent' CPA score by February 2008"),
        ("A2", "A2.1", "Deliver Our Future"),
        ("GA1", "GA1.1", "Effective internal audit"),
    ]
    # The objective written once holds for the key actions below it (a blank cell).
    assert [(a.priority, a.measure, a.ref, a.description, a.row) for a in table.actions] == [
        ("A1", "A1.1", "", "Produce the Direction of Travel statement", 5),
        ("A1", "A1.1", "", "Improve DOT indicators", 6),
        ("A2", "A2.1", "", "Run the staff survey", 8),
        ("A2", "A2.1", "", "Publish the results", 9),
        ("GA1", "GA1.1", "", "Review the audit charter", 11),
    ]
    first = table.actions[0]
    assert (first.target_date_text, first.progress_measure, first.progress_update) == (
        "December 2007", "DOT score of 4 out of 4", "Submitted in June",
    )  # fmt: skip
    assert table.unplaced == []


def test_headings_in_any_case_spacing_and_order_and_their_other_names():
    headings = [
        "  KEY   actions ",
        "objective",
        "TARGET-DATE",
        "Lead",
        "status",
        "progress measure",
        "UPDATE",
    ]
    rows = [["1. Ambitions: CPA Score"],
            ["Do the thing", "An objective", "May 2008", "Chief Executive", "On track", "A measure", "An update"]]  # fmt: skip
    table = read_one_table(one_table(rows, headings=headings))
    action = table.actions[0]
    assert table.measures[0].title == "An objective"
    assert (action.description, action.target_date_text, action.leads, action.progress_measure,
            action.progress_update) == ("Do the thing", "May 2008", ["Chief Executive"], "A measure", "An update")  # fmt: skip
    assert table.reported[0].status == Status.GREEN


def test_the_title_is_the_first_cell_alone_above_the_headings_else_the_sheet_name():
    assert read_one_table(one_table(title="Rotherham MBC - Corporate Improvement Plan 2007-10")).title == (
        "Rotherham MBC - Corporate Improvement Plan 2007-10"
    )
    assert read_one_table(one_table(title="")).title == SHEET


def test_a_merged_objective_holds_for_every_key_action_it_covers():
    rows = [list(row) for row in ROWS]
    rows[2][5] = None  # Accountability merged down from the row above, as a printed table does
    table = read_one_table(one_table(rows, merges=["A5:A6", "F5:F6", "A4:G4"]))
    assert [(a.measure, a.description) for a in table.actions[:2]] == [
        ("A1.1", "Produce the Direction of Travel statement"),
        ("A1.1", "Improve DOT indicators"),
    ]
    assert table.actions[1].leads == ["Assistant Chief Executive"]
    # A heading merged across the table is still a heading.
    assert [p.code for p in table.priorities] == ["A1", "A2", "GA1"]


def test_a_new_objective_starts_a_new_measure_under_the_same_area():
    rows = [ROWS[0], ROWS[1], ["A second objective", "Another key action", "", "", "", "", ""]]
    table = read_one_table(one_table(rows))
    assert [(m.ref, m.title) for m in table.measures] == [
        ("A1.1", "Achieve 'excellent' CPA score by February 2008"),
        ("A1.2", "A second objective"),
    ]


def test_repeated_heading_rows_after_a_page_break_are_skipped():
    rows = [*ROWS[:3], [None], HEADINGS, *ROWS[3:]]
    table = read_one_table(one_table(rows))
    assert len(table.actions) == 5
    assert [a.row for a in table.actions] == [5, 6, 10, 11, 13]


@pytest.mark.parametrize(
    "text, original, revised",
    [
        ("December 2007", Month(2007, 12), None),
        ("July 2007 (revise to October 2007)", Month(2007, 7), Month(2007, 10)),
        ("Spring 2008", None, None),
        ("Ongoing", None, None),
        ("December annually", None, None),
        ("TBC", None, None),
        ("October 2007 March 2008", Month(2008, 3), None),
        ("June 2007 June 2008 November 2007 November 2008", Month(2008, 11), None),
        ("30 th September 2007 31 st December 2007", Month(2007, 12), None),
        ("Dec 2009 May 2010", Month(2010, 5), None),
        ("Sept 2008", Month(2008, 9), None),
        ("March 2008 and ongoing", Month(2008, 3), None),
        ("First phase by Quarter 1 2007/08 Second phase by Quarter 1 2008/09", None, None),
        ("", None, None),
    ],
)
def test_free_text_target_dates(text, original, revised):
    assert read_target_date(text) == (original, revised)


def test_target_dates_are_kept_as_written_with_the_month_read():
    table = read_one_table(one_table())
    assert [(a.target_date_text, a.original_target, a.revised_target) for a in table.actions] == [
        ("December 2007", Month(2007, 12), None),
        ("July 2007 (revise to October 2007)", Month(2007, 7), Month(2007, 10)),
        ("Spring 2008", None, None),
        ("October 2007 March 2008", Month(2008, 3), None),
        ("Ongoing", None, None),
    ]


def test_accountability_names_each_lead_by_job_title():
    assert split_accountability("Strategic Director Finance / Assistant Chief Executive") == [
        "Strategic Director Finance",
        "Assistant Chief Executive",
    ]
    assert split_accountability("Procurement Client/ RBT") == ["Procurement Client", "RBT"]
    # A slash inside a name, with no space beside it, is not a separator.
    assert split_accountability("Head of Communications/LSP communications leads") == [
        "Head of Communications/LSP communications leads"
    ]
    assert split_accountability("") == []


def test_areas_numbered_within_sections_keep_their_section():
    rows = [
        ["1. Workforce Strategy: Leadership Development"], ["Lead well", "Train managers", "", "", "", "", ""],
        ["2. Workforce Development: Workforce Skills & Capacity"], ["Skills", "Train staff", "", "", "", "", ""],
        ["1. Other Areas - Rural Strategy"], ["Rural", "Adopt it", "", "", "", "", ""],
        ["1. Other Areas - Decent Homes"], ["Homes", "Meet the standard", "", "", "", "", ""],
        ["1. Operational Efficiency and Value for Money – Procurement"], ["Buy well", "Tender", "", "", "", "", ""],
    ]  # fmt: skip
    table = read_one_table(one_table(rows))
    assert [(p.code, p.section, p.title) for p in table.priorities] == [
        ("WS1", "Workforce Strategy", "Leadership Development"),
        ("WS2", "Workforce Strategy", "Workforce Skills & Capacity"),
        ("OA1", "Other Areas", "Rural Strategy"),
        ("OA2", "Other Areas", "Decent Homes"),
        ("OEVM1", "Operational Efficiency and Value for Money", "Procurement"),
    ]


def test_areas_numbered_through_the_plan_take_their_section_from_the_heading():
    rows = [
        ["1. Ambitions: CPA Score"], ["O1", "K1", "", "", "", "", ""],
        ["2. Governance: Audit"], ["O2", "K2", "", "", "", "", ""],
        ["3. Political Management: Scrutiny"], ["O3", "K3", "", "", "", "", ""],
        ["4. Performance Management: Data"], ["O4", "K4", "", "", "", "", ""],
    ]  # fmt: skip
    table = read_one_table(one_table(rows))
    assert [(p.code, p.section) for p in table.priorities] == [
        ("A1", "Ambitions"), ("G1", "Governance"), ("PM1", "Political Management"), ("PeMa1", "Performance Management"),
    ]  # fmt: skip


def test_on_target_in_the_plans_words_and_blank_is_not_reported():
    table = read_one_table(one_table())
    assert [(r.status, r.word) if r else None for r in table.reported] == [
        (Status.GREEN, "On track"),
        (Status.AMBER, "Some slippage reported"),
        None,
        (Status.RED, "Slipped"),
        (Status.GREEN, "Completed"),
    ]
    parsed = table.plan(CALENDAR)
    # Not reported this period, still reported on in every period ("Spring 2008": no month read).
    assert parsed.actions[2].statuses == {}
    assert parsed.actions[2].planned == CALENDAR.reporting_months
    assert len(CALENDAR.reporting_months) == 18
    assert parsed.actions[0].statuses[Month(2007, 9)].word == "On track"
    assert parsed.reporting_interval == 2


def test_each_key_action_is_reported_on_every_period_until_its_target_month():
    parsed = read_one_table(one_table()).plan(CALENDAR)
    may, july, september, november = Month(2007, 5), Month(2007, 7), Month(2007, 9), Month(2007, 11)
    assert parsed.actions[0].planned == [may, july, september, november]  # December 2007
    assert parsed.actions[1].planned == [may, july, september]  # revised to October 2007
    assert parsed.actions[3].planned[-1] == Month(2008, 3)  # "October 2007 March 2008": the last
    assert parsed.actions[4].planned == CALENDAR.reporting_months  # "Ongoing"


def test_a_word_not_in_the_vocabulary_is_an_error_by_sheet_row_and_column():
    rows = [list(row) for row in ROWS]
    rows[1][4] = "Nearly there"
    assert problems(one_table(rows)) == [
        (SHEET, 5, "E", "“Nearly there” is not one of the plan's status words: add it to the Status words sheet "
                        "(Word, Status, Default) or leave the cell blank (not reported)."),
    ]  # fmt: skip


def test_without_a_status_words_sheet_the_standard_words_are_read():
    rows = [ROWS[0], [*ROWS[1][:4], "Amber", *ROWS[1][5:]]]
    table = read_one_table(one_table(rows, terms=None))
    assert (table.reported[0].status, table.reported[0].word) == (Status.AMBER, "")


def test_a_status_words_sheet_with_a_bad_status_is_an_error():
    assert problems(one_table(terms=[["On track", "BLUE", "Yes"]]))[0][:3] == ("Status words", 2, "B")


def test_every_problem_is_listed_by_sheet_row_and_column():
    rows = [
        ["Achieve it", "Before any heading", "", "", "", "", ""],
        ["1. Ambitions: CPA Score"],
        [None, "No objective above", "", "", "", "", ""],
        ["An objective", "", "", "A measure but no key action", "", "", ""],
        [None, "A lead too long", "", "", "", "x" * 121, ""],
        [None, "A bad word", "", "", "Sort of", "", ""],
        [None, "A date too long", "y" * 301, "", "", "", ""],
    ]
    assert [problem[:3] for problem in problems(one_table(rows))] == [
        (SHEET, 4, "A"), (SHEET, 6, "A"), (SHEET, 7, "B"), (SHEET, 8, "F"), (SHEET, 9, "E"), (SHEET, 10, "C"),
    ]  # fmt: skip


def test_calendar_checks():
    table = read_one_table(one_table())
    with pytest.raises(CalendarInvalid) as caught:
        table.plan(Calendar(Month(2007, 4), 36, 2, Month(2007, 8)))
    assert caught.value.field == "status_month"
    assert caught.value.message == (
        "August 2007 is not a reporting month of the plan; its reporting months are May 2007, July 2007, "
        "September 2007, November 2007 and so on."
    )
    with pytest.raises(CalendarInvalid) as caught:
        table.plan(Calendar(Month(2007, 4), 36, 2, None))
    assert caught.value.field == "status_month"
    with pytest.raises(CalendarInvalid) as caught:
        table.plan(Calendar(Month(2007, 4), 37, 2, Month(2007, 9)))
    assert caught.value.field == "months"


# --- Unknown columns and their mapping ----------------------------------------------------------------
def test_unknown_columns_are_listed_then_read_as_mapped():
    headings = [*HEADINGS[:6], "Latest position", "RAG"]
    rows = [[*row[:6], row[6], "R"] if len(row) > 1 else row for row in ROWS]
    data = one_table(rows, headings=headings)
    table = read_one_table(data)
    assert [(c.letter, c.heading) for c in table.unplaced] == [("G", "Latest position"), ("H", "RAG")]
    assert table.actions[0].progress_update == ""
    mapped = read_one_table(data, mapping={"latest  POSITION": TableField.UPDATE, "RAG": TableField.IGNORE})
    assert mapped.unplaced == []
    assert mapped.actions[0].progress_update == "Submitted in June"
    assert [(c.heading, c.field, c.mapped) for c in mapped.mappable] == [
        ("Latest position", "update", True),
        ("RAG", "ignore", True),
    ]


def test_a_column_mapped_to_a_field_another_column_holds_is_an_error():
    data = one_table([[*row, "x"] if len(row) > 1 else row for row in ROWS], headings=[*HEADINGS, "Comments"])
    assert problems(data, mapping={"Comments": TableField.UPDATE}) == [
        (
            SHEET,
            3,
            "H",
            "Two columns hold the Update (G and H): keep one, or say that one is not to be imported.",
        )
    ]


def test_the_mapping_is_kept_for_the_organisations_next_import_and_not_anothers():
    rotherham = make_organisation("test-rotherham", "Test Rotherham Council")
    other = make_organisation("other", "Another Council")
    headings = [*HEADINGS[:6], "Latest position"]
    data = one_table([row[:7] for row in ROWS], headings=headings)
    mapping = {"Latest position": "update"}
    parsed = read_one_table(data, mapping=mapping).plan(CALENDAR)
    import_plan(parsed, slug="cip", organisation=rotherham, column_mapping=mapping)
    assert list(ColumnMapping.objects.values_list("organisation__slug", "heading", "field")) == [
        ("test-rotherham", "Latest position", "update")
    ]
    assert saved_mapping(rotherham) == {"latestposition": "update"}
    assert saved_mapping(other) == {}
    # A dry run keeps nothing.
    import_plan(parsed, slug="cip-2", organisation=other, column_mapping=mapping, dry_run=True)
    assert saved_mapping(other) == {}


# --- Importing -----------------------------------------------------------------------------------------
def test_import_creates_the_plan_with_its_calendar_words_leads_and_statuses():
    organisation = make_organisation("test-rotherham", "Test Rotherham Council")
    parsed = read_one_table(one_table()).plan(CALENDAR)
    plan = import_plan(parsed, slug="test-cip", organisation=organisation).plan
    assert (plan.start, plan.months, plan.reporting_interval, plan.organisation) == (
        Month(2007, 4), 36, 2, organisation,
    )  # fmt: skip
    assert [(p.code, p.section, p.title) for p in plan.priorities.all()] == [
        ("A1", "Ambitions", "CPA Score"), ("A2", "Ambitions", "Our Future"),
        ("GA1", "Governance Arrangements", "Internal Audit"),
    ]  # fmt: skip
    second = Action.objects.get(plan=plan, description="Improve DOT indicators")
    assert (second.target_date_text, second.original_target, second.revised_target, second.progress_measure) == (
        "July 2007 (revise to October 2007)", date(2007, 7, 1), date(2007, 10, 1), "70% of PIs improving",
    )  # fmt: skip
    assert sorted(lead.initials for lead in second.leads.all()) == [
        "Assistant Chief Executive",
        "Strategic Director Finance",
    ]
    assert Lead.objects.filter(organisation=organisation).count() == 4
    assert sorted(MonthlyStatus.objects.filter(action__plan=plan).values_list("status", "word", "month")) == [
        ("AMBER", "Some slippage reported", date(2007, 9, 1)),
        ("GREEN", "Completed", date(2007, 9, 1)),
        ("GREEN", "On track", date(2007, 9, 1)),
        ("RED", "Slipped", date(2007, 9, 1)),
    ]
    assert StatusTerm.objects.filter(plan=plan, is_default=True).count() == 3
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, plan=plan).count() == 1


def test_a_reimport_changes_what_differs_and_keeps_history():
    organisation = make_organisation("test-rotherham", "Test Rotherham Council")
    plan = import_plan(read_one_table(one_table()).plan(CALENDAR), slug="cip", organisation=organisation).plan
    rows = [list(row) for row in ROWS]
    rows[2][2] = "November 2007"
    rows[2][6] = "Two indicators now improving"
    parsed = read_one_table(one_table(rows), plan=plan).plan(Calendar(Month(2007, 4), 36, 2, Month(2007, 11)))
    result = import_plan(parsed, plan=plan)
    # Four key actions report November (one also has a new date and update); the fifth is as it was.
    assert (result.changed["actions"], result.unchanged["actions"], result.added["statuses"]) == (4, 1, 4)
    action = Action.objects.get(plan=plan, description="Improve DOT indicators")
    assert (action.target_date_text, action.original_target, action.revised_target, action.progress_update) == (
        "November 2007", date(2007, 11, 1), None, "Two indicators now improving",
    )  # fmt: skip
    assert set(action.changes.values_list("field", flat=True)) >= {"target_date_text", "progress_update"}
    # November's statuses are added; September's are kept.
    assert MonthlyStatus.objects.filter(action__plan=plan).count() == 8


def test_all_or_nothing():
    rows = [list(row) for row in ROWS]
    rows[7][4] = "Done-ish"
    with pytest.raises(WorkbookInvalid):
        read_one_table(one_table(rows))
    assert not Plan.objects.filter(title=TITLE).exists()


# --- The command -------------------------------------------------------------------------------------
def run(*args) -> str:
    out = StringIO()
    call_command("import_plan", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def rotherham_file(tmp_path):
    make_organisation("test-rotherham", "Test Rotherham Council")
    path = tmp_path / "cip.xlsx"
    path.write_bytes(one_table())
    return path


OPTIONS = ["--organisation", "test-rotherham", "--slug", "test-cip", "--first-month", "2007-04",
           "--months", "36", "--every", "2", "--status-month", "2007-09"]  # fmt: skip


def test_the_command_with_every_option(rotherham_file):
    out = run(str(rotherham_file), *OPTIONS)
    assert "3 priorities, 3 measures, 5 actions." in out
    # every key action is reported on in the period (not one is past its target month yet)
    assert "September 2007  RED 1  AMBER 1  GREEN 2  REPRO 0  SUSP 0  planned 5" in out
    assert "January 2008    RED 0  AMBER 0  GREEN 0  REPRO 0  SUSP 0  planned 3" in out
    assert "Created plan test-cip (Test Council Improvement Plan 2007-10)." in out
    plan = Plan.objects.get(slug="test-cip")
    assert (plan.organisation.slug, plan.start, plan.months, plan.reporting_interval) == (
        "test-rotherham", Month(2007, 4), 36, 2,
    )  # fmt: skip
    # Again, into the same plan: its calendar is the plan's, only the status month is needed.
    out = run(str(rotherham_file), "--organisation", "test-rotherham", "--slug", "test-cip",
              "--status-month", "2007-09")  # fmt: skip
    assert "Left as they were: 3 priorities, 3 measures, 5 actions, 4 statuses." in out


def test_the_command_dry_run_saves_nothing(rotherham_file):
    out = run(str(rotherham_file), *OPTIONS, "--dry-run")
    assert "Dry run: nothing was saved." in out
    assert not Plan.objects.filter(title=TITLE).exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"--status-month": "2007-08"}, "--status-month: August 2007 is not a reporting month of the plan"),
        ({"--months": "40"}, "--months: A plan covers 1 to 36 months, not 40."),
        ({"--every": "13"}, "--every: A plan reports every 1 to 12 months, not every 13."),
        ({"--organisation": "nowhere"}, "No organisation “nowhere”."),
    ],
)
def test_the_command_refuses_a_wrong_option(rotherham_file, change, message):
    options = list(OPTIONS)
    for name, value in change.items():
        options[options.index(name) + 1] = value
    with pytest.raises(CommandError) as caught:
        run(str(rotherham_file), *options)
    assert message in str(caught.value)
    assert not Plan.objects.filter(title=TITLE).exists()


def test_the_command_needs_a_new_plans_calendar_and_the_status_month(rotherham_file):
    with pytest.raises(CommandError) as caught:
        run(str(rotherham_file), "--organisation", "test-rotherham", "--slug", "cip")
    assert "A new plan in a one-table layout needs --first-month and --months" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        run(
            str(rotherham_file),
            "--organisation",
            "test-rotherham",
            "--first-month",
            "2007-04",
            "--months",
            "36",
        )
    assert "--status-month: The On Target column reports statuses" in str(caught.value)


def test_the_command_reports_a_bad_month_option(rotherham_file):
    with pytest.raises(CommandError) as caught:
        run(str(rotherham_file), "--first-month", "April")
    assert "month (YYYY-MM)" in str(caught.value)


def test_a_plan_of_another_organisation_is_not_found(rotherham_file):
    run(str(rotherham_file), *OPTIONS)
    make_organisation("test-bromsgrove", "Test Bromsgrove Council")
    with pytest.raises(CommandError) as caught:
        run(str(rotherham_file), "--organisation", "test-bromsgrove", "--slug", "test-cip",
            "--status-month", "2007-09")  # fmt: skip
    assert str(caught.value) == "No plan “test-cip” in Test Bromsgrove Council. Nothing was saved."


def test_the_command_lists_every_problem(tmp_path, rotherham_file):
    rows = [list(row) for row in ROWS]
    rows[1][4], rows[7][4] = "Sort of", "Maybe"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(one_table(rows))
    with pytest.raises(CommandError) as caught:
        run(str(path), *OPTIONS)
    assert "2 problem(s); nothing was saved." in str(caught.value)
    assert f"sheet {SHEET}, row 5, column E: “Sort of”" in str(caught.value)
    assert f"sheet {SHEET}, row 11, column E: “Maybe”" in str(caught.value)
    assert not Plan.objects.filter(title=TITLE).exists()


def test_the_command_lists_columns_it_did_not_import(tmp_path, rotherham_file):
    path = tmp_path / "extra.xlsx"
    path.write_bytes(one_table([[*r, "x"] if len(r) > 1 else r for r in ROWS], headings=[*HEADINGS, "RAG"]))
    out = run(str(path), *OPTIONS)
    assert "Column H “RAG” was not imported" in out


def test_the_plan_format_refuses_the_one_table_options(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(workbook())
    with pytest.raises(CommandError) as caught:
        run(str(path), "--status-month", "2008-09")
    assert "--status-month: for a workbook in a one-table layout" in str(caught.value)
    default_organisation()
    out = run(str(path), "--organisation", "test-council", "--slug", "two-monthly", "--every", "2")
    assert "Created plan two-monthly" in out
    assert Plan.objects.get(slug="two-monthly").reporting_interval == 2


# --- The web pages ----------------------------------------------------------------------------------------
IMPORT = reverse("plans:import")


def upload(client, data: bytes, **fields):
    return client.post(IMPORT, {"file": SimpleUploadedFile("cip.xlsx", data), **fields})


def rag_workbook() -> bytes:
    rows = [[*row, "R"] if len(row) > 1 else row for row in ROWS]
    return one_table(rows, headings=[*HEADINGS, "RAG"])


SETTINGS = {"first_month": "April 2007", "months": "36", "every": "2", "status_month": "September 2007"}


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk", "none"])
def test_only_the_performance_team_may_preview_or_confirm_a_one_table_import(client_as, role):
    performance = client_as("performance")
    preview = upload(performance, rag_workbook(), slug="cip")["Location"]
    client = client_as(role)
    assert client.get(preview).status_code == 403
    assert client.post(preview, {"action": "settings", **SETTINGS, "column_H": "ignore"}).status_code == 403
    assert client.post(preview, {"action": "import"}).status_code == 403
    assert not Plan.objects.filter(title=TITLE).exists()


def test_upload_preview_map_a_column_and_confirm(client_as, role_user):
    organisation = default_organisation()  # the role users' council
    client = client_as("performance")
    response = upload(client, rag_workbook(), slug="cip-2007-10")
    assert response.status_code == 302
    preview = response["Location"]
    page = client.get(preview).content.decode()
    assert "a plan in one table" in page
    assert "3 priority areas, 3 objectives, 5 key actions" in page
    assert "Column H: “RAG”" in page
    assert "Import this plan" not in page

    # Nothing given: each error beside its field and in the summary, which takes focus.
    page = client.post(preview, {"action": "settings"}).content.decode()
    assert 'id="error-summary"' in page
    for message in ("Enter the month the On Target column reports, like September 2007.",
                    "Choose what column H holds, or not to import it."):  # fmt: skip
        assert message in page
    page = client.post(preview, {"action": "settings", **SETTINGS, "status_month": "August 2007",
                                 "column_H": "update"}).content.decode()  # fmt: skip
    assert "Column G already holds the Update" in page
    page = client.post(preview, {"action": "settings", **SETTINGS, "status_month": "August 2007",
                                 "column_H": "ignore"}).content.decode()  # fmt: skip
    assert "August 2007 is not a reporting month of the plan" in page

    response = client.post(preview, {"action": "settings", **SETTINGS, "column_H": "ignore"})
    assert response.status_code == 302
    page = client.get(preview).content.decode()
    assert "Importing will create plan cip-2007-10" in page
    assert "Do not import this column (as chosen)" in page
    assert not Plan.objects.filter(title=TITLE).exists()

    confirmed = client.post(preview, {"action": "import"}, follow=True).content.decode()
    assert "Created plan cip-2007-10" in confirmed
    plan = Plan.objects.get(slug="cip-2007-10")
    assert (plan.organisation, plan.reporting_interval, plan.months) == (organisation, 2, 36)
    assert MonthlyStatus.objects.filter(action__plan=plan).count() == 4
    assert list(ColumnMapping.objects.values_list("heading", "field")) == [("RAG", "ignore")]
    assert client.get(preview).status_code == 404

    # The next upload of the same layout knows the column.
    preview = upload(client, rag_workbook(), slug="cip-again")["Location"]
    page = client.get(preview).content.decode()
    assert "Do not import this column (as chosen)" in page


def test_a_reimport_from_the_page_asks_only_for_the_status_month(client_as):
    plan = import_plan(
        read_one_table(one_table()).plan(CALENDAR), slug="cip", organisation=default_organisation()
    ).plan
    client = client_as("performance")
    preview = upload(client, one_table(), plan=plan.pk)["Location"]
    page = client.get(preview).content.decode()
    assert 'name="first_month"' not in page
    assert "runs from April 2007 for 36 months, reported every 2 months" in page
    assert client.post(preview, {"action": "settings", "status_month": "2007-09"}).status_code == 302
    assert (
        "To leave as they are: 3 priorities, 3 measures, 5 actions, 4 statuses."
        in client.get(preview).content.decode()
    )


def test_a_bad_one_table_upload_lists_every_problem_and_saves_nothing(client_as):
    rows = [list(row) for row in ROWS]
    rows[1][4] = "Sort of"
    page = upload(client_as("performance"), one_table(rows)).content.decode()
    assert "The workbook has 1 problem; nothing was saved." in page
    assert "“Sort of” is not one of the plan&#x27;s status words" in page
    assert not Plan.objects.filter(title=TITLE).exists()


# --- The demo: Rotherham's plan (seed 004, Appendix A) ----------------------------------------------------
def test_the_demo_loads_rotherhams_plan_through_the_one_table_importer(demo):
    from demo.load import load_rotherham

    # The session's demo data holds it, through the one-table importer; a second load leaves it.
    assert load_rotherham({}) == "already loaded"
    plan = Plan.objects.get(slug="rotherham-2007-10")
    assert (plan.title, plan.organisation.slug, plan.organisation.name) == (
        "Corporate Improvement Plan 2007-10", "rotherham", "Rotherham Metropolitan Borough Council",
    )  # fmt: skip
    assert (plan.start, plan.months, plan.reporting_interval, plan.report_layout) == (
        Month(2007, 4), 36, 2, "progress",
    )  # fmt: skip
    assert (plan.priorities.count(), Action.objects.filter(plan=plan).count()) == (32, 175)
    per_section = {}
    for action in Action.objects.filter(plan=plan).select_related("measure__priority"):
        section = action.measure.priority.section
        per_section[section] = per_section.get(section, 0) + 1
    assert per_section == {
        "Ambitions": 47, "Political Leadership and Management": 6, "Governance Arrangements": 12,
        "Consultation, Communication and Community Involvement": 8, "Performance Management": 13,
        "Workforce Strategy": 47, "Operational Efficiency and Value for Money": 11, "Quality Services": 15,
        "Working in Partnership": 12, "Other Areas": 4,
    }  # fmt: skip
    words = MonthlyStatus.objects.filter(action__plan=plan, month=date(2007, 9, 1)).values_list(
        "word", flat=True
    )
    assert sorted(words) == sorted(
        ["Ongoing"] * 14 + ["Completed"] * 6 + ["On track"] * 2 + ["Some slippage reported"] * 2
        + ["Complete", "Complete Complete", "Completed Completed", "Report produced", "Slipped"]
    )  # fmt: skip
    assert load_rotherham({}) == "already loaded"


def test_a_reimport_in_the_plan_format_leaves_what_only_the_one_table_layout_holds():
    """The plan format has no target date as written, progress measure, update or section: its
    re-import (the plan's own export, say) leaves them as they are."""
    from plans.workbook.reader import read_workbook
    from plans.workbook.writer import export_plan

    organisation = make_organisation("test-rotherham", "Test Rotherham Council")
    plan = import_plan(read_one_table(one_table()).plan(CALENDAR), slug="cip", organisation=organisation).plan
    result = import_plan(read_workbook(export_plan(plan), plan=plan), plan=plan)
    assert result.changed["actions"] == 0
    action = Action.objects.get(plan=plan, description="Improve DOT indicators")
    assert (action.target_date_text, action.progress_measure) == (
        "July 2007 (revise to October 2007)", "70% of PIs improving",
    )  # fmt: skip
    assert list(plan.priorities.values_list("section", flat=True)) == [
        "Ambitions", "Ambitions", "Governance Arrangements",
    ]  # fmt: skip


def test_the_plan_formats_lead_cell_keeps_a_job_title_whole_and_initials_as_before():
    from plans.services import parse_lead_initials

    assert parse_lead_initials("Strategic Director Finance /Assistant Chief Executive") == [
        "Strategic Director Finance",
        "Assistant Chief Executive",
    ]
    assert parse_lead_initials("Head of Policy & Performance") == ["Head of Policy & Performance"]
    assert parse_lead_initials("CF HB JP") == ["CF", "HB", "JP"]
    assert parse_lead_initials("KD /JPt") == ["KD", "JPt"]
    assert parse_lead_initials("PS & PM") == ["PS", "PM"]


def test_the_leads_are_shown_in_the_order_the_plan_writes_them():
    # "Assistant Chief Executive" is made first (by the row above); the row's own order is kept.
    plan = import_plan(
        read_one_table(one_table()).plan(CALENDAR), slug="cip", organisation=default_organisation()
    ).plan
    action = plan.actions.with_grid().get(description="Improve DOT indicators")
    assert action.lead_initials == "Strategic Director Finance /Assistant Chief Executive"
    from reports.progress_report import progress_report

    rows = progress_report(plan, Month(2007, 9)).rows
    assert "Strategic Director Finance / Assistant Chief Executive" in [row.accountability for row in rows]
