"""Untrusted workbooks: each hostile file gives a clear error, quickly, and saves nothing."""

import io
import itertools
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.models import Plan
from plans.workbook.importer import import_plan
from plans.workbook.reader import ParsedPlan, read_workbook
from plans.workbook.safety import MAX_UPLOAD_BYTES, NOT_XLSX, WorkbookInvalid, read_upload
from tests.plans.workbook_helpers import ACTION_HEADINGS, action_row, workbook


def replace_entry(data: bytes, name: str, content: bytes, extra: dict | None = None) -> bytes:
    """The workbook with one part's content replaced (and other parts added)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, content if item.filename == name else source.read(item.filename))
        for extra_name, extra_content in (extra or {}).items():
            target.writestr(extra_name, extra_content)
    return out.getvalue()


def sheet_xml(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def refused(data: bytes) -> list[str]:
    started = time.monotonic()
    with pytest.raises(WorkbookInvalid) as caught:
        read_workbook(data)
    assert time.monotonic() - started < 5, "a hostile file must be refused quickly"
    return [str(e) for e in caught.value.errors]


def test_a_corrupt_file():
    data = workbook()
    assert refused(data[: len(data) // 2]) == [NOT_XLSX]


def test_a_csv_renamed_xlsx():
    assert refused(b"Priority,Measure,Ref\nCP1,1.1,1.1.1\n") == [NOT_XLSX]


def test_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert refused(out.getvalue()) == [NOT_XLSX]


def test_a_zip_bomb():
    bomb = replace_entry(workbook(), "", b"", extra={"xl/media/image1.bin": b"\0" * (70 * 1024 * 1024)})
    assert len(bomb) < MAX_UPLOAD_BYTES
    assert refused(bomb) == ["The workbook unpacks to more than 60 MB; a plan is far smaller than that."]


def test_a_40_mb_cell():
    cell = '<row r="1"><c r="A1" t="inlineStr"><is><t>' + "a" * (40 * 1024 * 1024) + "</t></is></c></row>"
    data = replace_entry(workbook(), "xl/worksheets/sheet4.xml", sheet_xml(cell))
    assert refused(data) == [
        "The workbook is compressed far more than a real sheet can be (a “zip bomb”, or a huge repeated "
        "cell); it was not opened."
    ]


def test_a_cell_longer_than_excel_allows():
    # openpyxl cuts what it writes at Excel's limit, so the sheet is written by hand.
    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(40_000))  # does not compress
    cell = f'<row r="2"><c r="D2" t="inlineStr"><is><t>{text}</t></is></c></row>'
    data = replace_entry(workbook(), "xl/worksheets/sheet4.xml", sheet_xml(cell))
    assert refused(data) == [
        "sheet Actions, row 2, column D: The cell is longer than Excel allows (32,767 characters)."
    ]


def test_100000_empty_rows():
    rows = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(1, 100_001))
    data = replace_entry(workbook(), "xl/worksheets/sheet4.xml", sheet_xml(rows))
    errors = refused(data)
    assert len(errors) == 1
    assert errors[0].startswith(
        ("sheet Actions: The sheet has more than 5,000 rows", "The workbook is compressed")
    )


def test_formulas_are_refused_cell_by_cell_never_run():
    data = workbook(
        actions=[action_row(text="=1+1"), action_row(ref="1.1.2", lead='=HYPERLINK("http://evil")')]
    )
    assert refused(data) == [
        "sheet Actions, row 2, column D: This cell holds a formula. The import reads typed values only and "
        "never runs formulas: copy the sheet and paste it as values.",
        "sheet Actions, row 3, column E: This cell holds a formula. The import reads typed values only and "
        "never runs formulas: copy the sheet and paste it as values.",
    ]


def test_an_upload_over_10_mb_is_refused_before_it_is_read():
    with pytest.raises(WorkbookInvalid) as caught:
        read_upload(io.BytesIO(b""), size=MAX_UPLOAD_BYTES + 1)
    assert str(caught.value.errors[0]) == "The file is 10.0 MB; the largest workbook accepted is 10 MB."
    with pytest.raises(WorkbookInvalid):
        read_upload(io.BytesIO(b"x" * (MAX_UPLOAD_BYTES + 1)))


@pytest.mark.django_db
def test_nothing_is_saved_from_a_workbook_with_an_error():
    data = workbook(actions=[action_row(), action_row(ref="1.1.2", grid=["Purple"])])
    with pytest.raises(WorkbookInvalid):
        import_plan(read_workbook(data), slug="never")
    assert not Plan.objects.filter(slug="never").exists()


FUZZ_SLUGS = itertools.count(1)
cell_values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["G", "AMBER", "■", "x", "CP1", "1.1", "July", "2008-07", "=1+1", "'=x", "Sept 2008"]),
    st.integers(-5, 5000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)
rows = st.lists(st.lists(cell_values, max_size=20), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=rows,
    priorities=rows,
    measures=rows,
    actions=rows,
    headings=st.lists(st.one_of(st.sampled_from(ACTION_HEADINGS), st.text(max_size=8)), max_size=20),
)
@pytest.mark.django_db
def test_fuzzed_workbooks_give_a_plan_or_a_list_of_errors(plan, priorities, measures, actions, headings):
    # Cells that are not valid XML text are not things a workbook can hold; openpyxl refuses them itself.
    clean = [[v for v in row if not (isinstance(v, str) and any(ord(c) < 32 for c in v))] for row in actions]
    try:
        data = workbook(
            plan=plan, priorities=priorities, measures=measures, actions=clean, action_headings=headings
        )
    except Exception:  # noqa: BLE001 - openpyxl's own refusal to write a cell is not under test
        return
    try:
        result = read_workbook(data)
    except WorkbookInvalid as invalid:
        assert invalid.errors and all(str(e) for e in invalid.errors)
    else:
        assert isinstance(result, ParsedPlan)
        saved = import_plan(result, slug=f"fuzz-{next(FUZZ_SLUGS)}")
        assert saved.plan.actions.count() == len(result.actions)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    grids=st.lists(
        st.tuples(
            st.sampled_from(["1.1.1", "1.1.", "4.1.3", "", "20 2"]), st.lists(cell_values, max_size=12)
        ),
        max_size=8,
    )
)
@pytest.mark.django_db
def test_fuzzed_month_grids_import_or_give_errors(grids):
    rows = [action_row(ref=ref, grid=[v for v in grid if not (isinstance(v, str) and any(ord(c) < 32 for c in v))])
            for ref, grid in grids]  # fmt: skip
    try:
        data = workbook(actions=rows)
    except Exception:  # noqa: BLE001 - openpyxl's own refusal to write a cell is not under test
        return
    try:
        result = read_workbook(data)
    except WorkbookInvalid as invalid:
        assert all(e.sheet == "Actions" and e.row and e.column for e in invalid.errors)
    else:
        saved = import_plan(result, slug=f"fuzz-{next(FUZZ_SLUGS)}")
        assert saved.plan.actions.count() == len(rows)


def test_macros_in_a_workbook_are_ignored():
    data = replace_entry(workbook(), "", b"", extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not run"})
    assert [a.ref for a in read_workbook(data).actions] == ["1.1.1"]
