"""Saving a workbook: a new plan, a re-import into an existing plan, the export and the round trip."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from plans.models import Action, ActionChange, MonthlyStatus, Plan
from plans.periods import Month
from plans.status import Status
from plans.workbook import importer
from plans.workbook.importer import ImportRefused
from plans.workbook.reader import read_workbook, status_vocabulary
from plans.workbook.safety import WorkbookInvalid
from plans.workbook.writer import export_plan, parsed_from_plan
from tests.factories import default_organisation
from tests.plans.workbook_helpers import action_row, workbook

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "bromsgrove-2007-08.xlsx"
JULY, AUG = Month(2008, 7), Month(2008, 8)


def import_plan(parsed, **options):
    """The importer, a new plan going into the test council (the role users' council) unless the
    test names one: the session's demo council is in the database too."""
    if options.get("plan") is None:
        options.setdefault("organisation", default_organisation())
    return importer.import_plan(parsed, **options)


def grid(plan):
    """(ref, month, status) of each status, in plan order (refs can repeat)."""
    records = (
        MonthlyStatus.objects.in_plan(plan).order_by("action__position", "month").select_related("action")
    )
    return [(s.action.ref, str(s.as_month), s.status) for s in records]


@pytest.mark.django_db
def test_import_creates_the_plan():
    rows = [action_row(grid=["G ■", "A"], lead="PS /PM"), action_row(ref="1.1.2", grid=["■"], lead="")]
    council = default_organisation()
    result = import_plan(read_workbook(workbook(actions=rows)), slug="new-plan", organisation=council)
    plan = Plan.objects.get(slug="new-plan")
    assert result.created is True
    assert (plan.title, str(plan.start), plan.organisation) == (
        "Improvement Plan 2008/09",
        "2008-07",
        council,
    )
    assert plan.priorities.count() == 2
    actions = list(Action.objects.filter(plan=plan).in_plan_order())
    assert [a.ref for a in actions] == ["1.1.1", "1.1.2"]
    assert sorted(lead.initials for lead in actions[0].leads.all()) == ["PM", "PS"]
    assert grid(plan) == [("1.1.1", "2008-07", "GREEN"), ("1.1.1", "2008-08", "AMBER")]
    assert [str(m) for m in actions[0].planned_month_list] == ["2008-07"]
    assert [str(m) for m in actions[1].planned_month_list] == ["2008-07"]
    assert ActionChange.objects.filter(action__plan=plan, source="import", field="status").count() == 2
    assert result.lines()[1] == "Added: 2 priorities, 2 measures, 2 actions, 2 statuses."


@pytest.mark.django_db
def test_a_new_plan_with_a_taken_slug_is_refused():
    parsed = read_workbook(workbook())
    import_plan(parsed, slug="taken")
    with pytest.raises(ImportRefused):
        import_plan(parsed, slug="taken")
    assert Plan.objects.filter(slug="taken").count() == 1


@pytest.mark.django_db
def test_reimport_updates_keeps_earlier_statuses_and_reports_what_it_did():
    first = [action_row("1.1.1", ["G", "A"]), action_row("4.1.3", ["G"], text="Report survey"),
             action_row("4.1.3", ["R"], text="Agree new set"), action_row("1.1.9", ["G"])]  # fmt: skip
    plan = import_plan(read_workbook(workbook(actions=first)), slug="p").plan
    # The second workbook: 1.1.1's August changes and July is blank (kept); the second 4.1.3's text
    # changes (matched by position among the repeated refs); 1.1.9 is gone (left); 1.1.4 is new.
    second = [action_row("1.1.1", ["", "R"]), action_row("4.1.3", ["G"], text="Report survey"),
              action_row("4.1.3", ["R"], text="Agree the new set"), action_row("1.1.4", ["", "G"])]  # fmt: skip
    result = import_plan(read_workbook(workbook(actions=second), plan=plan), plan=plan)
    assert grid(plan) == [
        ("1.1.1", "2008-07", "GREEN"),
        ("1.1.1", "2008-08", "RED"),
        ("4.1.3", "2008-07", "GREEN"),
        ("4.1.3", "2008-07", "RED"),
        ("1.1.4", "2008-08", "GREEN"),
        ("1.1.9", "2008-07", "GREEN"),
    ]
    repeated = list(Action.objects.filter(plan=plan, ref="4.1.3").in_plan_order())
    assert [a.description for a in repeated] == ["Report survey", "Agree the new set"]
    assert [s.status for s in repeated[1].statuses.all()] == ["RED"]
    assert [a.ref for a in Action.objects.filter(plan=plan).in_plan_order()] == [
        "1.1.1", "4.1.3", "4.1.3", "1.1.4", "1.1.9"
    ]  # fmt: skip
    history = ActionChange.objects.filter(
        action__ref="1.1.1", action__plan=plan, month=AUG.first_day, field="status"
    )
    assert sorted((c.old_value, c.new_value) for c in history) == [("", "AMBER"), ("AMBER", "RED")]
    text_change = ActionChange.objects.get(action=repeated[1], field="description")
    assert (text_change.old_value, text_change.new_value, text_change.source) == (
        "Agree new set", "Agree the new set", "import"
    )  # fmt: skip
    assert result.lines() == [
        "Updated plan p (Improvement Plan 2008/09).",
        "Added: 0 priorities, 0 measures, 1 action, 1 status.",
        "Changed: 0 priorities, 0 measures, 2 actions, 1 status.",
        "Left as they were: 2 priorities, 2 measures, 1 action, 2 statuses.",
        "Left in the plan though not in the workbook: 0 priorities, 0 measures, 1 action, 1 status.",
    ]


@pytest.mark.django_db
def test_reimport_with_a_different_first_month_is_an_error():
    plan = import_plan(read_workbook(workbook()), slug="p").plan
    data = workbook(plan=[["Title", "T"], ["First month", "April 2008"]])
    with pytest.raises(WorkbookInvalid) as caught:
        read_workbook(data, plan=plan)
    assert [str(e) for e in caught.value.errors][0] == (
        "sheet Plan: The first month is April 2008 but the plan “Improvement Plan 2008/09” starts in July 2008."
    )


@pytest.mark.django_db
def test_the_bromsgrove_2007_08_fixture_imports_cleanly():
    parsed = read_workbook(FIXTURE.read_bytes())
    plan = import_plan(parsed, slug="bromsgrove-2007-08").plan
    assert (plan.title, plan.start.name, plan.end.name) == (
        "Improvement Plan 2007/08",
        "July 2007",
        "June 2008",
    )
    assert plan.priorities.count() == 22
    assert sum(p.measures.count() for p in plan.priorities.all()) == 67
    assert plan.actions.count() == 291
    assert [p.code for p in plan.priorities.all()][:4] == ["CP1", "CP2", "CP3", "CP04"]
    assert [p.code for p in plan.priorities.all()][-4:] == ["HR&OD1", "HR& OD 2", "HR&OD 3", "HR&OD 4"]
    # Irregular refs as the seed prints them.
    assert plan.actions.filter(ref="4.1.3").count() == 2
    assert plan.actions.filter(measure__ref="20.4.").count() == 4
    # Headings of the printed action tables file their actions under real measures: CP2's
    # "2.1, 2.2, 2.3," under 2.1, the first it names; "20 2" is 20.2. A ref alone is a blank row.
    assert [m.ref for m in plan.priorities.get(code="CP2").measures.all()] == ["2.1", "2.2", "2.3"]
    cp2 = plan.actions.filter(measure__priority__code="CP2").in_plan_order()
    assert [(a.measure.ref, a.ref) for a in cp2] == [("2.1", f"2.{n}") for n in range(1, 7)]
    assert [a.ref for a in plan.actions.filter(measure__ref="20.2")] == [f"20.2.{n}" for n in range(1, 8)]
    assert not plan.actions.filter(description="").exists()
    two_leads = Action.objects.get(plan=plan, ref="1.1.2")
    assert sorted(lead.initials for lead in two_leads.leads.all()) == ["PM", "PS"]
    assert sum(len(a.planned_month_list) for a in plan.actions.prefetch_related("planned")) == 86


@pytest.mark.django_db
def test_export_then_import_gives_the_same_plan():
    rows = [
        action_row(
            "1.1.1", ["GREEN ■", "Amber", "", "REPRO"], lead="PS /PM", tail=("'=chase", "July 2008", "")
        ),
        action_row("1.1.", ["■", "", "SUSP"], text="'+ irregular ref", tail=("", "", "2008-12")),
        action_row("2.1.1", ["", "R", "Slipped"], priority="FP1", measure="2.1", lead="JP"),
    ]
    data = workbook(actions=rows, terms=[["Slipped", "RED", ""]])
    original = import_plan(read_workbook(data), slug="original").plan
    exported = export_plan(original)
    copy = import_plan(read_workbook(exported), slug="copy").plan
    assert parsed_from_plan(copy) == parsed_from_plan(original)
    assert grid(copy) == grid(original)
    assert Action.objects.get(plan=copy, ref="1.1.1").corrective_action == "=chase"


@pytest.mark.django_db
def test_export_fills_the_grid_with_word_and_colour_and_no_formula():
    rows = [
        action_row("1.1.1", ["Green", "A ■"], text='\'=HYPERLINK("http://x")', tail=("'@SUM(A1)", "", ""))
    ]
    plan = import_plan(read_workbook(workbook(actions=rows)), slug="p").plan
    assert Action.objects.get(plan=plan).description == '=HYPERLINK("http://x")'
    book = load_workbook(io.BytesIO(export_plan(plan)))
    sheet = book["Actions"]
    assert sheet.freeze_panes == "C2"
    assert [c.value for c in sheet[1]][:7] == ["Priority", "Measure", "Ref", "Action", "Lead", "July", "Aug."]
    july, august = sheet["F2"], sheet["G2"]
    assert (july.value, july.fill.fgColor.rgb) == ("Green", "FF00703C")
    assert (august.value, august.fill.fgColor.rgb) == ("Amber ■", "FFFFBF47")
    assert sheet["D2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["R2"].value == "'@SUM(A1)"
    assert sheet["R2"].alignment.wrap_text is True
    assert sheet.column_dimensions["D"].width == 50
    formulas = [c.coordinate for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_status_colour_words_read_back_from_the_export():
    # The exported words are the standard labels, each read back as its status.
    vocab = status_vocabulary([])
    assert {label: vocab[label.lower().replace("-", "")][0] for label in ("Green", "Re-programmed")} == {
        "Green": Status.GREEN,
        "Re-programmed": Status.REPRO,
    }


@pytest.mark.django_db
def test_an_import_is_audited_and_a_dry_run_is_not(role_user):
    from audit.models import AuditEvent

    user = role_user("performance")
    parsed = read_workbook(workbook())
    council = user.memberships.get().organisation
    import_plan(parsed, slug="dry", user=user, dry_run=True, filename="plan.xlsx", organisation=council)
    assert not AuditEvent.objects.filter(kind="import", details__filename="plan.xlsx").exists()
    plan = import_plan(parsed, slug="audited", user=user, filename="plan.xlsx", organisation=council).plan
    event = AuditEvent.objects.get(kind="import", plan=plan)
    assert (event.username, event.details["filename"], event.details["created"]) == (
        "test-performance",
        "plan.xlsx",
        True,
    )
    assert event.details["added"] == {"priorities": 2, "measures": 2, "actions": 1, "statuses": 0}


@pytest.mark.django_db
def test_import_queries_do_not_grow_with_the_number_of_actions():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n: int, slug: str) -> tuple[int, int]:
        rows = [action_row(f"1.1.{i}", ["G", "A ■"], lead="PS /PM") for i in range(n)]
        parsed = read_workbook(workbook(actions=rows))
        with CaptureQueriesContext(connection) as created:
            plan = import_plan(parsed, slug=slug).plan
        with CaptureQueriesContext(connection) as reimported:
            import_plan(read_workbook(workbook(actions=rows), plan=plan), plan=plan)
        return len(created), len(reimported)

    small_created, small_reimported = queries(3, "small")
    # Leads PS and PM exist after the first import, so the second plan's counts are no higher.
    large_created, large_reimported = queries(30, "large")
    assert large_created <= small_created
    assert large_reimported <= small_reimported


@pytest.mark.django_db
def test_reimporting_the_export_into_the_same_plan_changes_nothing():
    data = workbook(actions=[action_row(grid=["G", "Slipped", "SUSP"])], terms=[["On track", "GREEN", "Yes"],
                    ["Slipped", "RED", "Yes"]])  # fmt: skip
    plan = import_plan(read_workbook(data), slug="words").plan
    exported = export_plan(plan)
    load = load_workbook(io.BytesIO(exported))
    assert [c.value for c in load["Actions"][2]][5:8] == ["On track", "Slipped", "Suspended"]
    result = import_plan(read_workbook(exported, plan=plan), plan=plan)
    assert result.lines()[2] == "Changed: 0 priorities, 0 measures, 0 actions, 0 statuses."
    assert result.lines()[3] == "Left as they were: 2 priorities, 2 measures, 1 action, 3 statuses."


# --- closed months: the published record is never changed by an import -------------------------------
CLOSED_JULY = "sheet Actions, row {row}, column F: July 2008 is closed (published); its statuses cannot be changed by an import."


def close(plan, month: Month):
    from plans.models import MonthClose

    MonthClose.objects.create(plan=plan, month=month.first_day)


@pytest.mark.django_db
def test_a_reimport_changing_a_closed_month_fails_as_a_whole():
    plan = import_plan(read_workbook(workbook(actions=[action_row(grid=["G", "A"])])), slug="p").plan
    close(plan, JULY)
    history = ActionChange.objects.count()
    # July changes (closed); August and the action's text change too, but nothing may be saved.
    rows = [action_row(grid=["R", "G"], text="A new text"), action_row("1.1.2", grid=["A"])]
    with pytest.raises(WorkbookInvalid) as caught:
        import_plan(read_workbook(workbook(actions=rows), plan=plan), plan=plan)
    assert [str(e) for e in caught.value.errors] == [CLOSED_JULY.format(row=2), CLOSED_JULY.format(row=3)]
    assert grid(plan) == [("1.1.1", "2008-07", "GREEN"), ("1.1.1", "2008-08", "AMBER")]
    assert [(a.ref, a.description) for a in Action.objects.filter(plan=plan)] == [("1.1.1", "An action")]
    assert ActionChange.objects.count() == history


@pytest.mark.django_db
def test_a_closed_month_the_workbook_shows_as_recorded_is_no_obstacle():
    plan = import_plan(read_workbook(workbook(actions=[action_row(grid=["G", "A"])])), slug="p").plan
    close(plan, JULY)
    # The export writes July's status as "Green"; the grid's "G" reads as the same status.
    result = import_plan(read_workbook(export_plan(plan), plan=plan), plan=plan)
    assert result.lines()[2] == "Changed: 0 priorities, 0 measures, 0 actions, 0 statuses."
    result = import_plan(read_workbook(workbook(actions=[action_row(grid=["G", "R"])]), plan=plan), plan=plan)
    assert result.lines()[2] == "Changed: 0 priorities, 0 measures, 1 action, 1 status."
    assert grid(plan) == [("1.1.1", "2008-07", "GREEN"), ("1.1.1", "2008-08", "RED")]


@pytest.mark.django_db
def test_a_status_in_a_month_the_plan_does_not_report_on_is_an_error():
    plan = import_plan(read_workbook(workbook()), slug="p").plan
    plan.reporting_interval = 2  # reports on August, October ...
    plan.save()
    with pytest.raises(WorkbookInvalid) as caught:
        import_plan(read_workbook(workbook(actions=[action_row(grid=["G", "A"])]), plan=plan), plan=plan)
    assert [str(e) for e in caught.value.errors] == [
        "sheet Actions, row 2, column F: July 2008 is not a reporting month of this plan; leave the cell blank."
    ]
    assert grid(plan) == []


@pytest.mark.django_db
def test_a_reimport_writes_through_the_services_one_version_bump_and_history_row_each(role_user):
    user = role_user("performance")
    plan = import_plan(read_workbook(workbook(actions=[action_row(grid=["G"])])), slug="p").plan
    action = Action.objects.get(plan=plan)
    version = action.version
    rows = [action_row(grid=["G", "A ■"], text="Reworded", lead="PS /PM")]
    import_plan(read_workbook(workbook(actions=rows), plan=plan), plan=plan, user=user)
    action.refresh_from_db()
    assert action.version == version + 1
    changes = ActionChange.objects.filter(action=action, changed_by=user, source="import")
    assert sorted((c.field, str(c.month or ""), c.old_value, c.new_value) for c in changes) == [
        ("description", "", "An action", "Reworded"),
        ("leads", "", "PS", "PM /PS"),
        ("planned", "", "", "2008-08"),
        ("status", "2008-08-01", "", "AMBER"),
    ]


@pytest.mark.django_db
def test_the_same_status_under_the_plans_own_word_is_a_change():
    plan = import_plan(read_workbook(workbook(actions=[action_row(grid=["R"])])), slug="p").plan
    data = workbook(actions=[action_row(grid=["Slipped"])], terms=[["Slipped", "RED", ""]])
    result = import_plan(read_workbook(data, plan=plan), plan=plan)
    assert result.lines()[2] == "Changed: 0 priorities, 0 measures, 1 action, 1 status."
    assert MonthlyStatus.objects.get(action__plan=plan).word == "Slipped"
