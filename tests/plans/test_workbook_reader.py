"""Reading a council's plan workbook: the tolerant readings and every error kind."""

from datetime import datetime

import pytest

from plans.periods import Month
from plans.status import Status
from plans.workbook.reader import read_workbook
from plans.workbook.safety import WorkbookInvalid
from tests.factories import default_organisation, make_plan
from tests.plans.workbook_helpers import ACTION_HEADINGS, MEASURES, PRIORITIES, action_row, workbook

JULY, AUG, SEP = Month(2008, 7), Month(2008, 8), Month(2008, 9)


def errors_of(data, **kwargs) -> list[str]:
    with pytest.raises(WorkbookInvalid) as caught:
        read_workbook(data, **kwargs)
    return [str(e) for e in caught.value.errors]


def grid_of(*cells, fills=None, **kwargs):
    parsed = read_workbook(workbook(actions=[action_row(grid=cells)], fills=fills), **kwargs)
    return parsed.actions[0].grid


def test_reads_plan_priorities_measures_and_actions():
    parsed = read_workbook(workbook())
    assert parsed.title == "Improvement Plan 2008/09"
    assert parsed.first_month == JULY
    assert parsed.organisation == "Bromsgrove"
    assert [p.code for p in parsed.priorities] == ["CP1", "FP1"]
    assert [(m.priority, m.ref) for m in parsed.measures] == [("CP1", "1.1"), ("FP1", "2.1")]
    assert [(a.priority, a.measure, a.ref, a.description) for a in parsed.actions] == [
        ("CP1", "1.1", "1.1.1", "An action")
    ]


@pytest.mark.parametrize("first", ["July 2008", "Jul 2008", "2008-07", datetime(2008, 7, 1), "jul-08"])
def test_first_month_in_any_form(first):
    parsed = read_workbook(workbook(plan=[["Title", "T"], ["First month", first]]))
    assert parsed.first_month == JULY


def test_headers_in_any_case_and_spacing():
    headings = ["  PRIORITY", "measure ", "REF", "action", " Lead ", *ACTION_HEADINGS[5:17], "CORRECTIVE  ACTION",
                "original date", "Revised Date"]  # fmt: skip
    parsed = read_workbook(
        workbook(action_headings=headings, actions=[action_row(tail=("Chase it", "July 2008", "2008-09"))])
    )
    action = parsed.actions[0]
    assert action.corrective_action == "Chase it"
    assert (action.original_target, action.revised_target) == (JULY, SEP)


@pytest.mark.parametrize(
    "months",
    [
        ["July", "Aug.", "Sep."],
        ["Jul 2008", "Aug 2008", "Sept 2008"],
        ["2008-07", "2008-08", "2008-09"],
        [datetime(2008, 7, 1), datetime(2008, 8, 1), datetime(2008, 9, 1)],
    ],
)
def test_month_columns_in_every_form(months):
    headings = ACTION_HEADINGS[:5] + months + ACTION_HEADINGS[17:]
    row = action_row(grid=["G", "A", "R"])[:8] + ["", "", ""]
    parsed = read_workbook(workbook(action_headings=headings, actions=[row]))
    assert {m: c.status for m, c in parsed.actions[0].grid.items()} == {
        JULY: Status.GREEN,
        AUG: Status.AMBER,
        SEP: Status.RED,
    }


def test_month_names_counted_from_the_plans_first_month():
    # A plan starting in April: "Jan." is January of the following year.
    headings = ACTION_HEADINGS[:5] + ["Apr.", "Jan."] + ACTION_HEADINGS[17:]
    plan = [["Title", "T"], ["First month", "April 2009"]]
    parsed = read_workbook(
        workbook(plan=plan, action_headings=headings, actions=[action_row(grid=["G", "R"])[:7]])
    )
    assert sorted(parsed.actions[0].grid) == [Month(2009, 4), Month(2010, 1)]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("GREEN", Status.GREEN), ("Green", Status.GREEN), ("G", Status.GREEN), ("g", Status.GREEN),
        ("AMBER", Status.AMBER), ("A", Status.AMBER), ("RED", Status.RED), ("R", Status.RED),
        ("REPRO", Status.REPRO), ("Reprogrammed", Status.REPRO), ("Re-programmed", Status.REPRO),
        ("SUSP", Status.SUSP), ("Suspended", Status.SUSP),
    ],
)  # fmt: skip
def test_status_words_and_letters(text, status):
    assert grid_of(text)[JULY].status == status


@pytest.mark.parametrize(
    ("rgb", "status"), [("FF00B050", Status.GREEN), ("FFFFC000", Status.AMBER), ("FFFF0000", Status.RED)]
)
def test_an_uncoloured_word_takes_its_status_from_the_cell_fill(rgb, status):
    cell = grid_of("Done", fills={(2, 6): rgb})[JULY]
    assert (cell.status, cell.word) == (status, "Done")


@pytest.mark.parametrize(
    # The default Office theme of openpyxl: accent 2 is red, accent 3 green, accent 6 orange.
    ("theme", "status"),
    [(5, Status.RED), (6, Status.GREEN), (9, Status.AMBER)],
)
def test_a_fill_from_the_theme_colours_is_read_too(theme, status):
    assert grid_of("", fills={(2, 6): theme})[JULY].status == status


@pytest.mark.parametrize("rgb", ["FF4F81BD", "FFBFBFBF", "FFFFFFFF"])
def test_a_blue_grey_or_white_fill_is_no_status(rgb):
    assert grid_of("", fills={(2, 6): rgb}) == {}
    assert errors_of(workbook(actions=[action_row(grid=["Done"])], fills={(2, 6): rgb}))[0].startswith(
        "sheet Actions, row 2, column F: Cannot read the status “Done”"
    )


def test_a_status_word_wins_over_the_fill():
    assert grid_of("AMBER", fills={(2, 6): "FF00B050"})[JULY].status == Status.AMBER


@pytest.mark.parametrize("mark", ["■", "x", "X", "P", "p"])
def test_planned_marks_without_a_status(mark):
    assert grid_of(mark)[JULY].planned is True
    assert grid_of(mark)[JULY].status is None


def test_a_status_with_a_planned_mark():
    cell = grid_of("Green ■")[JULY]
    assert (cell.status, cell.planned) == (Status.GREEN, True)


def test_blank_is_not_live():
    assert grid_of("", "G") == {AUG: grid_of("", "G")[AUG]}
    assert JULY not in grid_of("", "G")


def test_two_leads_in_either_form():
    rows = [action_row(ref="1.1.1", lead="PS /PM"), action_row(ref="1.1.2", lead="PS, PM")]
    parsed = read_workbook(workbook(actions=rows))
    assert [a.leads for a in parsed.actions] == [["PS", "PM"], ["PS", "PM"]]


def test_the_plans_own_status_words(db):
    plan = make_plan(first_month="2008-07")
    plan.status_terms.create(word="On track", status=Status.GREEN, is_default=True)
    cell = grid_of("on track", plan=plan)[JULY]
    assert (cell.status, cell.word) == (Status.GREEN, "On track")


def test_status_words_from_the_workbooks_own_sheet():
    data = workbook(actions=[action_row(grid=["Slipped"])], terms=[["Slipped", "RED", "Yes"]])
    assert read_workbook(data).actions[0].grid[JULY].status == Status.RED


def test_refs_typed_as_numbers_read_as_written():
    measures = [MEASURES[0], ["CP1", 1.1, "Measure", "", "", "", ""]]
    parsed = read_workbook(workbook(measures=measures, actions=[action_row(measure=1.1, ref=20)]))
    assert (parsed.measures[0].ref, parsed.actions[0].ref) == ("1.1", "20")


def test_irregular_and_repeated_refs_are_kept():
    rows = [action_row(ref="1.1."), action_row(ref="4.1.3"), action_row(ref="4.1.3"), action_row(ref="")]
    assert [a.ref for a in read_workbook(workbook(actions=rows)).actions] == ["1.1.", "4.1.3", "4.1.3", ""]


# --- errors: each by sheet, row and column --------------------------------------------------------
def test_every_error_is_listed_by_sheet_row_and_column():
    priorities = [*PRIORITIES, ["CP1", "Again", ""]]
    measures = [*MEASURES, ["CP1", "1.1", "Twice", "", "", "", ""], ["CP9", "9.1", "Nowhere", "", "", "", ""]]
    actions = [
        action_row(priority="XX1"),
        action_row(measure="7.7"),
        action_row(grid=["Purple"]),
        action_row(tail=("", "someday", "")),
    ]
    errors = errors_of(workbook(priorities=priorities, measures=measures, actions=actions))
    assert errors == [
        "sheet Priorities, row 4, column A: The code “CP1” is already used on row 2.",
        "sheet Measures, row 4, column B: Duplicate measure ref “1.1” under CP1: already on row 2.",
        "sheet Measures, row 5, column A: Unknown priority “CP9”: it is not on the Priorities sheet.",
        "sheet Actions, row 2, column A: Unknown priority “XX1”: it is not on the Priorities sheet.",
        "sheet Actions, row 3, column B: Unknown measure “7.7”: it is not under CP1 on the Measures sheet.",
        "sheet Actions, row 4, column F: Cannot read the status “Purple”: use GREEN, AMBER, RED, REPRO or SUSP "
        "(or G, A, R), the plan's own status words, a green, amber or red fill, ■, x or P for a planned month, "
        "or leave it blank.",
        "sheet Actions, row 5, column S: “someday” is not a month (e.g. “July 2008” or “2008-07”).",
    ]


def test_a_month_heading_it_cannot_place():
    headings = ACTION_HEADINGS[:5] + ["July", "Jul 2012", "Smarch"] + ACTION_HEADINGS[17:]
    errors = errors_of(workbook(action_headings=headings, actions=[action_row()[:8]]))
    assert errors == [
        "sheet Actions, row 1, column G: Cannot place the month heading “Jul 2012” in the plan's months "
        "(July 2008 to June 2009).",
        "sheet Actions, row 1, column H: Cannot place the month heading “Smarch” in the plan's months "
        "(July 2008 to June 2009).",
    ]


def test_a_missing_required_column():
    headings = ["Priority", "Measure", "Action", "Lead", *ACTION_HEADINGS[5:]]
    errors = errors_of(workbook(action_headings=headings))
    assert errors == ["sheet Actions, row 1: The required column “Ref” is missing."]


def test_a_missing_sheet():
    assert errors_of(workbook(leave_out=("Measures",))) == [
        "sheet Measures: The workbook has no sheet named “Measures”."
    ]


def test_a_plan_without_title_or_first_month():
    assert errors_of(workbook(plan=[["Organisation", "X"]])) == [
        "sheet Plan: The plan needs a Title (a row labelled “Title” with the plan's name beside it).",
        "sheet Plan: The plan needs a First month (e.g. “July 2008”).",
    ]


def test_too_long_values_are_errors_not_crashes():
    priorities = [PRIORITIES[0], ["C" * 31, "Town", ""]]
    errors = errors_of(workbook(priorities=priorities, measures=[MEASURES[0]], actions=[]))
    assert errors == ["sheet Priorities, row 2, column A: Longer than 30 characters (31)."]


def test_a_title_row_above_the_headings_is_skipped():
    measures = [["Measures of success, 2008/09"], [], *MEASURES]
    parsed = read_workbook(workbook(measures=measures))
    assert [m.ref for m in parsed.measures] == ["1.1", "2.1"]


def test_a_plan_longer_than_a_year_heads_its_months_with_the_year(db):
    from plans.workbook.importer import import_plan
    from plans.workbook.writer import export_plan

    headings = ACTION_HEADINGS[:5] + ["Jul 2008", "Jul 2009"] + ACTION_HEADINGS[17:]
    plan_rows = [["Title", "Three years"], ["First month", "July 2008"], ["Months", 36]]
    data = workbook(plan=plan_rows, action_headings=headings, actions=[action_row(grid=["G", "R"])[:7]])
    plan = import_plan(read_workbook(data), slug="long", organisation=default_organisation()).plan
    again = read_workbook(export_plan(plan))
    assert {m: c.status for m, c in again.actions[0].grid.items()} == {
        JULY: Status.GREEN,
        Month(2009, 7): Status.RED,
    }


def test_a_workbook_excel_saved_with_its_text_in_one_shared_table_reads_the_same():
    from tests.plans.test_workbook_import import FIXTURE
    from tests.plans.workbook_helpers import as_excel_saves_it

    data = FIXTURE.read_bytes()
    parsed = read_workbook(as_excel_saves_it(data))
    assert (len(parsed.priorities), len(parsed.measures), len(parsed.actions)) == (22, 67, 291)
    assert parsed == read_workbook(data)


def test_a_reading_kept_as_json_for_the_confirmation_is_the_same_reading():
    import json

    from plans.workbook.reader import parsed_as_json, parsed_from_json

    data = workbook(
        actions=[
            action_row(
                grid=["G ■", "Slipped", "", "■"], lead="PS /PM", tail=("Chase", "July 2008", "2008-12")
            )
        ],
        terms=[["Slipped", "RED", "Yes"]],
    )
    parsed = read_workbook(data)
    kept = parsed_from_json(json.loads(json.dumps(parsed_as_json(parsed))))
    assert kept == parsed
    assert kept.month_columns == parsed.month_columns
    assert [(str(m), c.status, c.word, c.planned) for m, c in kept.actions[0].grid.items()] == [
        ("2008-07", Status.GREEN, "", True),
        ("2008-08", Status.RED, "Slipped", False),
        ("2008-10", None, "", True),
    ]
    assert (kept.actions[0].original_target, kept.actions[0].revised_target) == (JULY, Month(2008, 12))
