"""The workbook's Indicators sheet: read tolerantly, imported through the services, written back as
numbers, round trip; every bad cell by sheet, row and column; closed months final."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from openpyxl import load_workbook

from plans.models import Indicator, IndicatorActual, IndicatorChange, MonthClose, Plan
from plans.periods import Month
from plans.workbook import importer
from plans.workbook.reader import parsed_as_json, parsed_from_json, read_figure, read_workbook
from plans.workbook.safety import WorkbookInvalid
from plans.workbook.writer import export_plan, parsed_from_plan
from tests.factories import default_organisation
from tests.plans.workbook_helpers import INDICATOR_HEADINGS, indicator_row, workbook

pytestmark = pytest.mark.django_db

JULY, AUG, SEP = Month(2008, 7), Month(2008, 8), Month(2008, 9)
LITTER = indicator_row(
    "BV199a", [10, 9.5], priority="CP1", measure="", title="Land with unacceptable litter", better="Lower",
    target=8, tolerance=25, lead="MB",
)  # fmt: skip


def import_plan(parsed, **options):
    """The importer, a new plan going into the test council (the role users' council) unless the
    test names one: the session's demo council is in the database too."""
    if options.get("plan") is None:
        options.setdefault("organisation", default_organisation())
    return importer.import_plan(parsed, **options)


def imported(rows, **options):
    options.setdefault("organisation", default_organisation())  # the role users' council
    return import_plan(read_workbook(workbook(indicators=rows)), slug="p", from_command_line=True, **options)


def actuals(code: str, plan=None) -> dict[str, str]:
    """The actuals of the indicator ``code`` of ``plan`` (by default the plan "p" the tests import;
    the session's demo plans hold indicators of the same codes)."""
    rows = IndicatorActual.objects.filter(indicator__code=code)
    rows = rows.filter(indicator__plan=plan) if plan is not None else rows.filter(indicator__plan__slug="p")
    return {str(row.as_month): plain(row.value) for row in rows.order_by("month")}


def plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def problems(data: bytes, plan=None) -> list[str]:
    with pytest.raises(WorkbookInvalid) as caught:
        parsed = read_workbook(data, plan=plan)
        import_plan(parsed, plan=plan, slug="" if plan else "bad", from_command_line=True)
    return [str(error) for error in caught.value.errors]


# --- reading ----------------------------------------------------------------------------------------
def test_the_sheet_imports_each_indicator_under_its_priority_or_measure_with_its_actuals():
    result = imported([indicator_row(actuals=[96.5, 97, None, 98.25]), LITTER])
    plan = result.plan
    bv8 = Indicator.objects.get(plan=plan, code="BV8")
    assert (bv8.priority.code, bv8.measure.ref, bv8.title, bv8.unit, bv8.polarity) == (
        "FP1", "2.1", "Invoices paid within 30 days", "PERCENT", "HIGHER"
    )  # fmt: skip
    assert (bv8.target, bv8.tolerance, bv8.lead.initials) == (Decimal("97"), Decimal("3"), "JP")
    assert actuals("BV8") == {"2008-07": "96.5", "2008-08": "97", "2008-10": "98.25"}
    litter = Indicator.objects.get(plan=plan, code="BV199a")
    assert (litter.priority.code, litter.measure, litter.polarity, litter.lead.initials) == (
        "CP1", None, "LOWER", "MB"
    )  # fmt: skip
    assert actuals("BV199a") == {"2008-07": "10", "2008-08": "9.5"}
    # Worked out from the figures imported: 96.5 is within 3% of 97; 10 is exactly 8 + 25%.
    assert [bv8.rag_in(m) for m in (JULY, AUG)] == ["AMBER", "GREEN"]
    assert litter.rag_in(JULY) == "AMBER"
    assert (
        result.lines()[1] == "Added: 2 priorities, 2 measures, 1 action, 0 statuses, 2 indicators, 5 actuals."
    )
    # Set up and entered through the services: the actuals' history says the import wrote them.
    assert IndicatorChange.objects.filter(indicator=bv8, field="actual", source="import").count() == 3


def test_headings_units_and_figures_are_read_the_tolerant_way():
    headings = ["  PRIORITY", "measure ref", "PI Ref", "Performance indicator", "units", "Which is better",
                "Annual target", "Tolerance (%)", "Jul 2008", "August", "Sept 08", *INDICATOR_HEADINGS[11:]]  # fmt: skip
    rows = [
        indicator_row("BV8", ["95.5%", " 96 ", "0.97"], unit="percent", better="higher is better",
                      target="97%", tolerance="3 %"),
        indicator_row("BV12", ["8.5 days", "9"], priority="CP1", measure="1.1", unit="days", better="LOWER",
                      target=8.25, tolerance=""),
        indicator_row("COST1", ["£1,250.50", 1500], unit="£", better="Lower", target="£1,000", tolerance=10,
                      lead=""),
        indicator_row("BV199b", [0.27], unit="%", target=0.3, tolerance=10),
    ]  # fmt: skip
    # A percentage typed in Excel is kept as a fraction shown as a percentage: 0.955 is 95.5%.
    rows[0][8], rows[0][6] = 0.955, 0.97
    data = workbook(
        indicators=rows, indicator_headings=headings, number_formats={(2, 9): "0.0%", (2, 7): "0%"}
    )
    plan = import_plan(read_workbook(data), slug="p", from_command_line=True).plan
    figures = {
        i.code: (i.unit, i.polarity, plain(i.target), plain(i.tolerance), i.lead_id is None)
        for i in Indicator.objects.filter(plan=plan)
    }
    assert figures == {
        "BV8": ("PERCENT", "HIGHER", "97", "3", False),
        "BV12": ("DAYS", "LOWER", "8.25", "0", False),
        "COST1": ("POUNDS", "LOWER", "1000", "10", True),
        "BV199b": ("PERCENT", "HIGHER", "0.3", "10", False),
    }
    assert actuals("BV8") == {"2008-07": "95.5", "2008-08": "96", "2008-09": "0.97"}
    assert actuals("BV12") == {"2008-07": "8.5", "2008-08": "9"}
    assert actuals("COST1") == {"2008-07": "1250.5", "2008-08": "1500"}
    # 0.27 is exactly 10% under 0.3: Amber, not the Red a binary float would make it.
    assert Indicator.objects.get(plan=plan, code="BV199b").rag_in(JULY) == "AMBER"


@pytest.mark.parametrize(
    ("value", "number_format", "expected"),
    [
        (0.1 + 0.2, None, Decimal("0.3")),  # Excel's float noise dropped, past the four places kept
        (83.5, None, Decimal("83.5")),
        (0.835, "0.0%", Decimal("83.5")),
        ("-2.5", None, Decimal("-2.5")),
        ("1,234,567", None, Decimal("1234567")),
        ("", None, None),
        (None, None, None),
        ("n/a?", None, "must be a number"),
        (True, None, "must be a number"),
        ("0.12345", None, "has more than 4 decimal places"),
        (1e13, None, "is larger than 999,999,999,999"),
    ],
)
def test_a_figure_is_read_exactly_or_its_problem_named(value, number_format, expected):
    assert read_figure(value, number_format) == expected


def test_every_bad_cell_is_reported_by_sheet_row_and_column_and_nothing_is_saved():
    rows = [
        indicator_row("BV8", [96, "lots"], target="ninety"),
        indicator_row("BV8", title=""),
        indicator_row(
            "", priority="XX9", measure="", unit="kg", better="sideways", tolerance=150, lead="JP MB"
        ),
        indicator_row("BV12", priority="CP1", measure="9.9", better="", target=0.12345),
    ]
    assert problems(workbook(indicators=rows)) == [
        "sheet Indicators, row 2, column G: The target must be a number: “ninety”.",
        "sheet Indicators, row 2, column J: The actual for August 2008 must be a number (or n/a for a month it "
        "is not collected in): “lots”.",
        "sheet Indicators, row 3, column C: The ref “BV8” is already used on row 2.",
        "sheet Indicators, row 3, column D: An indicator needs its title (what is measured).",
        "sheet Indicators, row 4, column A: Unknown priority “XX9”: it is not on the Priorities sheet.",
        "sheet Indicators, row 4, column C: An indicator needs its ref (e.g. “BV8”).",
        "sheet Indicators, row 4, column E: “kg” is not a unit: use %, Number, Days or £.",
        "sheet Indicators, row 4, column F: “sideways” does not say which way is better: use Higher or Lower.",
        "sheet Indicators, row 4, column H: The tolerance is a percentage of the target from 0 to 100, not 150.",
        "sheet Indicators, row 4, column U: An indicator has one lead: “JP MB” names 2.",
        "sheet Indicators, row 5, column B: Unknown measure “9.9”: it is not under CP1 on the Measures sheet.",
        "sheet Indicators, row 5, column F: Say which way is better: Higher or Lower.",
        "sheet Indicators, row 5, column G: The target has more than 4 decimal places: “0.12345”.",
    ]
    assert not Plan.objects.filter(slug="bad").exists()


def test_a_month_heading_that_cannot_be_placed_is_reported_where_it_is():
    headings = [*INDICATOR_HEADINGS[:8], "July", "Smarch", *INDICATOR_HEADINGS[10:]]
    assert problems(workbook(indicators=[indicator_row()], indicator_headings=headings)) == [
        "sheet Indicators, row 1, column J: Cannot place the month heading “Smarch” in the plan's months "
        "(July 2008 to June 2009)."
    ]


def test_the_sheet_is_optional_and_a_workbook_without_it_leaves_the_indicators_alone():
    plan = imported([indicator_row(actuals=[96])]).plan
    result = import_plan(read_workbook(workbook(), plan=plan), plan=plan)
    assert result.lines()[4] == (
        "Left in the plan though not in the workbook: 0 priorities, 0 measures, 0 actions, 0 statuses, "
        "1 indicator, 0 actuals."
    )
    assert actuals("BV8") == {"2008-07": "96"}
    # Without indicators anywhere, the lines are as they always were.
    other = import_plan(read_workbook(workbook()), slug="other").plan
    assert import_plan(read_workbook(workbook(), plan=other), plan=other).lines()[1] == (
        "Added: 0 priorities, 0 measures, 0 actions, 0 statuses."
    )


# --- writing and the round trip -------------------------------------------------------------------------
def test_export_writes_numbers_as_numbers_and_never_a_formula():
    # Typed as text in Excel (the apostrophe): read as "=BV8", written back so again.
    rows = [indicator_row("'=BV8", [96.5, 97], title="'+cmd|' /C calc'!A0", target=97, tolerance=2.5)]
    plan = imported(rows).plan
    sheet = load_workbook(io.BytesIO(export_plan(plan)))["Indicators"]
    assert [c.value for c in sheet[1]] == INDICATOR_HEADINGS
    assert [c.value for c in sheet[2]][:10] == [
        "FP1", "2.1", "'=BV8", "'+cmd|' /C calc'!A0", "%", "Higher", 97, 2.5, 96.5, 97
    ]  # fmt: skip
    assert [sheet.cell(row=2, column=n).data_type for n in (7, 8, 9, 10)] == ["n", "n", "n", "n"]
    assert sheet["U2"].value == "JP"
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_export_then_import_gives_the_same_indicators():
    rows = [
        indicator_row(actuals=[96.5, 97, None, 98.25], tolerance=2.5),
        LITTER,
        # Collected every four months (seed 001: BVPI 199 "on a 4 monthly cycle"): n/a in the others.
        indicator_row("BV199b", [3.1, "n/a", "n/a", "n/a", 2.9, "N/A", "na", "n/a", 2.4, "n/a", "n/a", "n/a"],
                      priority="CP1", measure="1.1", title="Graffiti", better="Lower", target=3, lead=""),
        indicator_row("TC2", [21800, 21500], priority="CP1", measure="", title="Footfall", unit="Number",
                      target=None, tolerance=None, lead="PS"),
    ]  # fmt: skip
    original = imported(rows).plan
    assert [str(m) for m in Indicator.objects.get(plan=original, code="BV199b").reporting_month_list] == [
        "2008-07", "2008-11", "2009-03"
    ]  # fmt: skip
    copy = import_plan(read_workbook(export_plan(original)), slug="copy", from_command_line=True).plan
    assert parsed_from_plan(copy).indicators == parsed_from_plan(original).indicators
    assert len(parsed_from_plan(copy).indicators) == 4
    assert actuals("BV199b", copy) == {"2008-07": "3.1", "2008-11": "2.9", "2009-03": "2.4"}
    # The preview keeps its reading as JSON until it is confirmed: the same indicators come back.
    parsed = read_workbook(export_plan(original))
    assert parsed_from_json(parsed_as_json(parsed)).indicators == parsed.indicators


def test_reimporting_the_export_changes_nothing_and_keeps_each_actuals_note(role_user):
    from plans import services

    plan = imported([indicator_row(actuals=[96.5, 97])]).plan
    bv8 = Indicator.objects.get(plan=plan)
    services.set_actual(user=role_user("performance"), indicator=bv8, month=JULY, value=Decimal("96.5"),
                        note="Two invoices held by a query.")  # fmt: skip
    history = IndicatorChange.objects.count()
    result = import_plan(read_workbook(export_plan(plan), plan=plan), plan=plan, from_command_line=True)
    assert (
        result.lines()[2]
        == "Changed: 0 priorities, 0 measures, 0 actions, 0 statuses, 0 indicators, 0 actuals."
    )
    assert IndicatorChange.objects.count() == history
    # A changed actual is written with its history; the note of July stays; a blank cell removes nothing.
    rows = [indicator_row(actuals=[95, None, 98], target=98)]
    result = import_plan(
        read_workbook(workbook(indicators=rows), plan=plan), plan=plan, from_command_line=True
    )
    assert result.lines()[1:3] == [
        "Added: 0 priorities, 0 measures, 0 actions, 0 statuses, 0 indicators, 1 actual.",
        "Changed: 0 priorities, 0 measures, 0 actions, 0 statuses, 1 indicator, 1 actual.",
    ]
    assert actuals("BV8") == {"2008-07": "95", "2008-08": "97", "2008-09": "98"}
    assert (
        IndicatorActual.objects.get(indicator=bv8, month=JULY.first_day).note
        == "Two invoices held by a query."
    )
    assert [
        c.sentence for c in IndicatorChange.objects.filter(indicator=bv8, source="import").order_by("id")
    ][-3:] == [
        "The target was changed from 97% to 98%.",
        "The actual for July 2008 was changed from 96.5% to 95%.",
        "The actual for September 2008 was set to 98%.",
    ]


def test_a_reimport_changing_a_closed_months_actual_fails_naming_the_cell():
    plan = imported([indicator_row(actuals=[96.5, 97])]).plan
    MonthClose.objects.create(plan=plan, month=JULY.first_day)
    MonthClose.objects.create(plan=plan, month=AUG.first_day)
    # July as recorded (written another way) is no obstacle; August's change and September's new
    # actual are refused together with nothing saved (September is open, but the import is one).
    rows = [indicator_row(actuals=["96.50", 99, 98], title="Invoices paid on time")]
    assert problems(workbook(indicators=rows), plan) == [
        "sheet Indicators, row 2, column J: August 2008 is closed (published); its actuals cannot be changed "
        "by an import."
    ]
    assert actuals("BV8") == {"2008-07": "96.5", "2008-08": "97"}
    assert Indicator.objects.get(plan=plan).title == "Invoices paid within 30 days"


def test_na_in_a_month_that_has_an_actual_is_refused_at_the_cell():
    plan = imported([indicator_row(actuals=[96.5, 97])]).plan
    rows = [indicator_row(actuals=[96.5, "n/a"])]
    assert problems(workbook(indicators=rows), plan) == [
        "sheet Indicators, row 2, column J: BV8 has an actual for August 2008 (97%), so it is collected in "
        "that month: give the actual, not n/a."
    ]


def test_an_actual_in_a_month_the_plan_does_not_report_on_is_refused_at_the_cell():
    plan = imported([indicator_row()]).plan
    plan.reporting_interval = 2  # reports on August, October ...
    plan.save()
    assert problems(workbook(indicators=[indicator_row(actuals=[96, 97])]), plan) == [
        "sheet Indicators, row 2, column I: July 2008 is not a reporting month of this plan; leave the cell blank."
    ]


# --- who may import indicators --------------------------------------------------------------------------
def test_the_performance_team_imports_indicators_and_an_officer_may_not(role_user):
    parsed = read_workbook(workbook(indicators=[indicator_row(actuals=[96])]))
    plan = import_plan(parsed, slug="p", user=role_user("performance")).plan
    assert actuals("BV8", plan) == {"2008-07": "96"}
    with pytest.raises(PermissionDenied):
        import_plan(parsed, slug="q", user=role_user("officer"))
    assert not Plan.objects.filter(slug="q").exists()


def test_the_import_plan_command_imports_the_sheet(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(workbook(indicators=[indicator_row(actuals=[96]), LITTER]))
    from io import StringIO

    out = StringIO()
    council = default_organisation().slug
    call_command("import_plan", str(path), "--slug", "cli", "--organisation", council, stdout=out)
    assert "2 priorities, 2 measures, 1 actions, 2 indicators." in out.getvalue()
    assert Indicator.objects.filter(plan__slug="cli").count() == 2
    assert Indicator.objects.get(plan__slug="cli", code="BV199a").lead.initials == "MB"


def test_the_upload_page_previews_the_indicators_and_the_confirmation_saves_them(client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_as("performance")
    data = workbook(indicators=[indicator_row(actuals=[96.5]), LITTER])
    response = client.post(
        reverse("plans:import"), {"file": SimpleUploadedFile("p.xlsx", data), "slug": "web"}
    )
    page = client.get(response["Location"]).content.decode()
    assert "2 priorities, 2 measures, 1 actions, 2 indicators" in page
    assert "To add: 2 priorities, 2 measures, 1 action, 0 statuses, 2 indicators, 3 actuals." in page
    assert (
        '<tr><th scope="row">BV199a</th><td>Land with unacceptable litter</td><td>CP1</td>'
        "<td>Lower is better</td><td>8%</td><td>2</td></tr>"
    ) in page
    assert not Plan.objects.filter(slug="web").exists(), "the preview saves nothing"
    client.post(response["Location"])
    assert actuals("BV199a", Plan.objects.get(slug="web")) == {"2008-07": "10", "2008-08": "9.5"}
    bad = workbook(indicators=[indicator_row(target="ninety")])
    page = client.post(reverse("plans:import"), {"file": SimpleUploadedFile("p.xlsx", bad)}).content.decode()
    assert "<td>Indicators</td><td>2</td><td>G</td><td>The target must be a number: “ninety”.</td>" in page


def test_reimport_queries_do_not_grow_with_the_number_of_indicators():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def reimport_queries(n: int, slug: str) -> int:
        rows = [indicator_row(f"PI{i}", [96, "n/a", 97.5]) for i in range(n)]
        plan = import_plan(read_workbook(workbook(indicators=rows)), slug=slug, from_command_line=True).plan
        again = read_workbook(export_plan(plan), plan=plan)
        with CaptureQueriesContext(connection) as queries:
            result = import_plan(again, plan=plan, from_command_line=True)
        assert result.lines()[3].endswith(f"{n} indicators, {2 * n} actuals.")
        return len(queries)

    assert reimport_queries(30, "large") <= reimport_queries(3, "small")


def test_a_formula_in_the_indicators_sheet_is_refused_at_its_cell():
    book = load_workbook(io.BytesIO(workbook(indicators=[indicator_row(actuals=[96])])))
    book["Indicators"]["J2"] = "=I2*1.01"
    buffer = io.BytesIO()
    book.save(buffer)
    assert problems(buffer.getvalue()) == [
        "sheet Indicators, row 2, column J: This cell holds a formula. The import reads typed values only and "
        "never runs formulas: copy the sheet and paste it as values."
    ]
