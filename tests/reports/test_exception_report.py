"""The exception report's figures, against seed 000 (Cabinet 2 Sept 2009, July 2009 report)."""

import json

import pytest

from plans.periods import Month
from plans.status import COUNTED, percent_text
from reports.exception_report import ExceptionReport, build_exception_report, exception_report
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_status

JULY_2009 = Month(2009, 7)


def counts(figures):
    return [figures.count(s) for s in COUNTED]


def percents(figures):
    return [percent_text(figures.percent(s)) for s in COUNTED]


def test_july_2009_figures_are_those_of_the_cabinet_report(demo):
    report = exception_report(demo["2009"], JULY_2009)
    assert report.total == 83
    # RED, AMBER, GREEN, REPRO, SUSP
    assert counts(report.figures) == [0, 11, 67, 0, 5]
    assert percents(report.figures) == ["0.0", "13.3", "80.7", "0.0", "6.0"]


def test_summary_sentence_reads_as_section_2_2(demo):
    report = exception_report(demo["2009"], JULY_2009)
    assert report.summary_sentence == (
        "For the 83 actions highlighted for July within the plan 80.7% of the Improvement Plan is on "
        "target [green], 13.3% is one month behind [amber] and 0% is over one month behind [red]. "
        "6% of actions have been reprogrammed or suspended with approval."
    )


def test_ambers_by_priority_are_those_of_table_3_3(demo):
    report = exception_report(demo["2009"], JULY_2009)
    assert [(row.code, row.amber) for row in report.ambers_by_priority] == [
        ("CP1", 4),
        ("CP3", 2),
        ("FP3", 1),
        ("PR3", 1),
        ("PR5", 1),
        ("HR & OD1", 2),
    ]
    assert report.reds_by_priority == ()


def test_suspensions_approved_in_july_are_those_of_table_3_4(demo):
    report = exception_report(demo["2009"], JULY_2009)
    assert [(row.refs, row.reason, row.status) for row in report.changed_actions] == [
        ("5.4.1, 5.4.2, 5.4.3, 5.4.7", "Suspended due to shared services", "SUSP"),
        ("8.3.4", "Suspended", "SUSP"),
    ]


def test_exception_pages_list_the_ambers_and_this_months_suspensions_in_plan_order(demo):
    report = exception_report(demo["2009"], JULY_2009)
    shown = [
        (g.code, b.ref, b.status, b.original_date, b.revised_date) for g in report.groups for b in g.blocks
    ]
    assert shown == [
        ("CP1", "1.1.1", "AMBER", "July 09", "Sept 09"),
        ("CP1", "1.2.1", "AMBER", "July 09", "Sept 09"),
        ("CP1", "1.4.2", "AMBER", "July 09", "TBC"),
        ("CP1", "1.4.5", "AMBER", "July 09", "Aug 09"),
        ("CP3", "3.2.1", "AMBER", "July 09", "Sept 09"),
        ("CP3", "3.2.2", "AMBER", "July 09", "Sept 09"),
        ("FP1", "5.4.1", "SUSP", "July 09", "-"),
        ("FP1", "5.4.2", "SUSP", "July 09", "-"),
        ("FP1", "5.4.3", "SUSP", "July 09", "-"),
        ("FP1", "5.4.7", "SUSP", "July 09", "-"),
        # A suspension awaiting approval: Amber until approved, and "-" as the paper prints it.
        ("FP3", "7.3.3", "AMBER", "July 09", "-"),
        ("FP4", "8.3.4", "SUSP", "July 09", "-"),
        ("PR3", "11.1.1", "AMBER", "July 09", "Sept 09"),
        ("PR5", "13.4.4", "AMBER", "July 09", "Oct 09"),
        ("HR & OD1", "14.1.1", "AMBER", "July 09", "Dec 10"),
        ("HR & OD1", "14.2.5", "AMBER", "July 09", "TBC"),
    ]
    assert report.exception_count == 11


def test_exception_block_carries_its_measure_and_plan_row(demo):
    report = exception_report(demo["2009"], JULY_2009)
    block = report.groups[0].blocks[0]
    assert (block.measure_ref, block.measure_title) == (
        "1.1",
        "Agreement on preferred option of Area Action Pan",
    )
    assert block.who == "PS"
    assert (
        block.corrective_action
        == "Meeting planned for September to start this work with planning architects."
    )
    assert [cell.month.grid_label for cell in block.strip] == [
        "July", "Aug.", "Sep.", "Oct.", "Nov.", "Dec.", "Jan.", "Feb.", "Mar.", "Apr.", "May", "June",
    ]  # fmt: skip
    july = block.strip[0]
    assert (july.status, july.planned, july.original) == ("AMBER", True, True)
    assert [cell.status for cell in block.strip[1:]] == [""] * 11
    # 1.1.1's revised date, Sept 09, is an extension: marked as the revised date, not re-programmed.
    assert [
        (str(c.month), c.revised, c.reprogrammed) for c in block.strip if c.revised or c.reprogrammed
    ] == [("2009-09", True, False)]


def test_the_who_column_names_the_leads_as_the_action_does(db):
    # Read from the link table, not the actions' leads: in the order ``Action.lead_initials`` gives.
    plan = make_plan()
    measure = make_measure(make_priority(plan), ref="1.1")
    action = make_action(measure, ref="1.1.1", leads=[make_lead("PS"), make_lead("HB")], original="2009-07")
    make_status(action, "2009-07", "AMBER")
    [block] = [b for g in build_exception_report(plan, JULY_2009).groups for b in g.blocks]
    assert block.who == action.lead_initials == "HB /PS"


def test_actions_alike_but_for_one_month_each_keep_their_own_strip(db):
    """Actions made alike share one strip (``exception_report._Strips``); one planned month apart,
    or re-programmed rather than extended, each shows its own."""
    plan = make_plan(slug="alike")
    measure = make_measure(make_priority(plan), ref="1.1")
    made = [
        ("1.1.1", {"planned": ["2009-08"], "revised": "2009-10"}),
        ("1.1.2", {"planned": ["2009-08"], "revised": "2009-10"}),
        ("1.1.3", {"planned": ["2009-09"], "revised": "2009-10"}),
        ("1.1.4", {"planned": ["2009-09"], "revised": "2009-10", "reprogrammed": True}),
    ]
    for ref, dates in made:
        make_status(make_action(measure, ref=ref, original="2009-07", **dates), "2009-07", "AMBER")
    report = build_exception_report(plan, JULY_2009)
    marks = {
        b.ref: [
            (c.month.short, c.status, *(key for key in ("planned", "original", "revised", "reprogrammed") if getattr(c, key)))
            for c in b.strip
            if c.status or c.planned or c.original or c.revised or c.reprogrammed
        ]
        for g in report.groups
        for b in g.blocks
    }  # fmt: skip
    assert marks == {
        "1.1.1": [("July 09", "AMBER", "original"), ("Aug 09", "", "planned"), ("Oct 09", "", "revised")],
        "1.1.2": [("July 09", "AMBER", "original"), ("Aug 09", "", "planned"), ("Oct 09", "", "revised")],
        "1.1.3": [("July 09", "AMBER", "original"), ("Sept 09", "", "planned"), ("Oct 09", "", "revised")],
        "1.1.4": [
            ("July 09", "AMBER", "original"),
            ("Sept 09", "", "planned"),
            ("Oct 09", "", "reprogrammed"),
        ],
    }


def test_a_version_1_snapshot_has_its_revised_mark_worked_out_from_the_printed_revised_date(demo):
    """Months closed before the strip kept the revised mark re-render with it: it is the month the
    block printed as its revised date."""
    data = exception_report(demo["2009"], JULY_2009).as_snapshot()
    for group in data["groups"]:
        for block in group["blocks"]:
            block["strip"] = [cell[:5] for cell in block["strip"]]
    old = ExceptionReport.from_snapshot(data)
    marked = {b.ref: [c.month.short for c in b.strip if c.revised] for g in old.groups for b in g.blocks}
    assert marked["1.1.1"] == ["Sept 09"]
    assert marked["1.4.5"] == ["Aug 09"]
    assert marked["14.1.1"] == []  # Dec 10 is past the plan's year: no month of the strip
    assert marked["5.4.1"] == []


# Appendix 1 page 1 of seed 000: RED, AMBER, GREEN, REPRO, SUSP for July 2008 ... June 2009.
PREVIOUS_YEAR = [
    ("2008-07", [11, 3, 114, 0, 0]),
    ("2008-08", [17, 4, 96, 1, 0]),
    ("2008-09", [16, 8, 99, 11, 0]),
    ("2008-10", [15, 7, 104, 15, 0]),
    ("2008-11", [12, 8, 106, 12, 0]),
    ("2008-12", [13, 5, 100, 13, 0]),
    ("2009-01", [0, 4, 95, 11, 0]),
    ("2009-02", [2, 3, 112, 13, 0]),
    ("2009-03", [3, 5, 80, 14, 0]),
    ("2009-04", [3, 5, 71, 14, 0]),
    ("2009-05", [3, 3, 60, 12, 0]),
    ("2009-06", [1, 0, 70, 14, 0]),
]


def test_progress_table_puts_every_2008_09_month_beside_2009_10(demo):
    report = exception_report(demo["2009"], JULY_2009)
    assert [
        (str(row.previous.month), counts(row.previous.figures)) for row in report.progress
    ] == PREVIOUS_YEAR
    assert [str(row.current.month) for row in report.progress][:2] == ["2009-07", "2009-08"]
    assert counts(report.progress[0].current.figures) == [0, 11, 67, 0, 5]
    # August 2009 onwards has not been reported: blank, not zero.
    assert all(row.current.figures is None for row in report.progress[1:])


def test_previous_year_percentages_are_rounded_half_up(demo):
    report = exception_report(demo["2009"], JULY_2009)
    july_2008 = report.progress[0].previous.figures
    assert percents(july_2008) == ["8.6", "2.3", "89.1", "0.0", "0.0"]
    june_2009 = report.progress[11].previous.figures
    # 70/85 = 82.35...: 82.4 (the council's paper printed 82.3)
    assert percents(june_2009) == ["1.2", "0.0", "82.4", "16.5", "0.0"]


def test_report_of_july_2008_counts_its_own_exceptions(demo):
    report = exception_report(demo["2008"], Month(2008, 7))
    assert counts(report.figures) == [11, 3, 114, 0, 0]
    assert report.exception_count == 14
    assert report.consistent
    assert report.progress[0].previous is None  # 2008/09 has no previous year in the demo


def test_consistency_check_passes_for_july_2009(demo):
    report = exception_report(demo["2009"], JULY_2009)
    assert [(c.name, c.expected, c.found, c.passed) for c in report.checks] == [
        ("Counts add up to the number of actions", 83, 83, True),
        ("Exceptions listed equal the AMBER and RED count", 11, 11, True),
        ("Ambers by priority add up to the AMBER count", 11, 11, True),
        ("Reds by priority add up to the RED count", 0, 0, True),
    ]
    assert report.consistent


def test_snapshot_round_trips_through_json(demo):
    report = build_exception_report(demo["2009"], JULY_2009)
    restored = ExceptionReport.from_snapshot(json.loads(json.dumps(report.as_snapshot())))
    assert restored == report
    assert restored.summary_sentence == report.summary_sentence


def test_open_month_is_a_draft(demo):
    report = exception_report(demo["2009"], JULY_2009)
    assert report.state.is_draft and not report.is_final


@pytest.mark.parametrize(
    ("ambers", "total", "expected"),
    [
        (1, 16, "6.3"),  # 6.25 rounds up, never to even
        (1, 8, "12.5"),
        (1, 80, "1.3"),  # 1.25
        (3, 8, "37.5"),
        (1, 6, "16.7"),
        (2, 3, "66.7"),
        (1, 3, "33.3"),
    ],
)
def test_report_percentages_round_half_up(db, ambers, total, expected):
    plan = make_plan()
    measure = make_measure(make_priority(plan))
    for i in range(total):
        action = make_action(measure, ref=f"1.1.{i + 1}", planned=["2009-07"], original="2009-07")
        make_status(action, "2009-07", "AMBER" if i < ambers else "GREEN")
    report = build_exception_report(plan, JULY_2009)
    assert percent_text(report.figures.percent("AMBER")) == expected


def test_approved_reprogramme_is_counted_but_not_on_the_exception_pages(db):
    plan = make_plan()
    measure = make_measure(make_priority(plan, "CP1", "Town Centre"))
    moved = make_action(measure, "1.1.1", "Moved", planned=["2009-07"], original="2009-07")
    late = make_action(measure, "1.1.2", "Late", planned=["2009-07"], original="2009-07")
    make_status(moved, "2009-07", "REPRO", corrective_action="Moved to October")
    make_status(late, "2009-07", "RED")
    report = build_exception_report(plan, JULY_2009)
    assert [b.ref for g in report.groups for b in g.blocks] == ["1.1.2"]
    assert [(c.refs, c.status) for c in report.changed_actions] == [("1.1.1", "REPRO")]
    assert [(r.code, r.red) for r in report.reds_by_priority] == [("CP1", 1)]


def test_suspension_carried_over_from_last_month_is_not_listed_again(db):
    plan = make_plan()
    measure = make_measure(make_priority(plan))
    action = make_action(measure, "1.1.1", planned=["2009-07", "2009-08"], original="2009-08")
    make_status(action, "2009-07", "SUSP")
    make_status(action, "2009-08", "SUSP")
    assert [b.ref for g in build_exception_report(plan, JULY_2009).groups for b in g.blocks] == ["1.1.1"]
    august = build_exception_report(plan, Month(2009, 8))
    assert august.groups == () and august.changed_actions == ()
    assert august.figures.count("SUSP") == 1


@pytest.mark.parametrize(("month", "expected"), PREVIOUS_YEAR)
def test_each_2008_09_months_own_report_has_its_counts(demo, month, expected):
    report = exception_report(demo["2008"], Month.parse(month))
    assert counts(report.figures) == expected
    assert report.exception_count == expected[0] + expected[1]
    assert report.consistent


def test_a_plan_with_its_own_status_words_reports_in_them(db):
    from plans.models import StatusTerm

    plan = make_plan(first_month="2007-04", reporting_interval=2)
    StatusTerm.objects.create(plan=plan, word="On track", status="GREEN", is_default=True)
    StatusTerm.objects.create(plan=plan, word="Slipped", status="RED", is_default=True)
    measure = make_measure(make_priority(plan, "O1", "Objective 1"))
    on_track = make_action(measure, "1", planned=["2007-05"], original="2007-05")
    slipped = make_action(measure, "2", planned=["2007-05"], original="2007-05")
    make_status(on_track, "2007-05", "GREEN")
    make_status(slipped, "2007-05", "RED")
    report = build_exception_report(plan, Month(2007, 5))
    assert "50% of the Improvement Plan is on target [on track]" in report.summary_sentence
    assert "50% is over one month behind [slipped]" in report.summary_sentence
    assert [entry.word for entry in report.legend][:3] == ["On track", "Amber", "Slipped"]
