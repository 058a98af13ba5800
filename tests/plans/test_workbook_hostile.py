"""Untrusted workbooks: each hostile file gives a clear error, quickly, and saves nothing."""

import io
import itertools
import os
import time
import zipfile
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from plans.models import Plan
from plans.workbook import reader
from plans.workbook.importer import import_plan
from plans.workbook.reader import ParsedPlan, read_workbook
from plans.workbook.safety import (
    MAX_PART_BYTES,
    MAX_SHARED_STRINGS,
    MAX_UPLOAD_BYTES,
    MAX_XML_ELEMENTS,
    NOT_XLSX,
    WorkbookInvalid,
    check_archive,
    read_upload,
)
from plans.workbook.writer import workbook_bytes, write_workbook
from tests.factories import default_organisation
from tests.plans.test_workbook_import import FIXTURE
from tests.plans.workbook_helpers import (
    ACTION_HEADINGS,
    DAMAGED,
    MAIN_NS,
    action_row,
    as_excel_saves_it,
    damaged,
    replace_entry,
    sheet_xml,
    workbook,
)


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


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_or_hostile_part_is_not_a_workbook(kind):
    assert refused(damaged(kind)) == [NOT_XLSX]


def letters(size: int, alphabet: bytes = b"abcd") -> str:
    """Text that deflate packs about 4:1, as real text packs: random letters from four."""
    return os.urandom(size).translate(bytes(alphabet[i % len(alphabet)] for i in range(256))).decode()


def never_opened(monkeypatch):
    """openpyxl must not be given the file at all."""

    def fail(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the checks should have refused")

    monkeypatch.setattr(reader, "load_workbook", fail)


def test_shared_strings_that_unpack_too_large_are_refused_before_openpyxl(monkeypatch):
    never_opened(monkeypatch)
    # As a 3.9 MB upload whose shared strings unpack to 57 MB, a little over the limit here.
    table = f'<sst xmlns="{MAIN_NS}"><si><t>{letters(MAX_PART_BYTES + 1024 * 1024)}</t></si></sst>'
    data = replace_entry(workbook(), "", None, extra={"xl/sharedStrings.xml": table}, compresslevel=1)
    assert len(data) < 7 * 1024 * 1024
    assert refused(data) == [
        "The workbook's shared text (xl/sharedStrings.xml) unpacks to 21.0 MB; at most 20 MB is accepted for "
        "one part."
    ]


def test_too_many_shared_strings_are_refused_before_openpyxl(monkeypatch):
    never_opened(monkeypatch)
    entries = "".join(f"<si><t>{n}</t></si>" for n in range(MAX_SHARED_STRINGS + 1))
    data = replace_entry(
        workbook(), "", None, extra={"xl/sharedStrings.xml": f'<sst xmlns="{MAIN_NS}">{entries}</sst>'}
    )
    assert refused(data) == [
        "The workbook holds more than 100,000 different texts (xl/sharedStrings.xml); a plan has a few thousand."
    ]


def test_a_sheet_of_too_many_cells_is_refused_before_openpyxl(monkeypatch):
    never_opened(monkeypatch)
    columns = [get_column_letter(n) for n in range(1, 52)]
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in columns) + "</row>"
        for r in range(1, 5_001)
    )
    data = replace_entry(workbook(), "xl/worksheets/sheet4.xml", sheet_xml(rows))
    assert refused(data) == [
        "sheet Actions: The sheet has more than 250,000 cells; a plan has a few thousand."
    ]


def test_a_flood_of_xml_elements_is_refused_before_openpyxl(monkeypatch):
    never_opened(monkeypatch)
    # Elements of no kind the checks count otherwise (not <c>, <row>, <si>).
    tags = "".join(f"<{letter}/>" for letter in letters(MAX_XML_ELEMENTS + 1000, b"wxyz"))
    data = replace_entry(workbook(), "", None, extra={"customXml/item1.xml": f"<r>{tags}</r>"})
    assert refused(data) == [
        "The workbook holds more than 1,000,000 XML elements, far more than any plan; it was not opened."
    ]


def test_the_limits_admit_a_plan_ten_times_the_2007_08_plan_as_excel_saves_it():
    parsed = read_workbook(FIXTURE.read_bytes())
    parsed.priorities = [replace(p, code=f"{p.code}-{n}") for n in range(10) for p in parsed.priorities]
    parsed.measures = [replace(m, priority=f"{m.priority}-{n}") for n in range(10) for m in parsed.measures]
    parsed.actions = [
        replace(a, priority=f"{a.priority}-{n}", description=f"{a.description} ({n})")
        for n in range(10)
        for a in parsed.actions
    ]
    data = as_excel_saves_it(workbook_bytes(write_workbook(parsed)))
    check_archive(data)  # nothing refused


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
        import_plan(read_workbook(data), slug="never", organisation=default_organisation())
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
        saved = import_plan(result, slug=f"fuzz-{next(FUZZ_SLUGS)}", organisation=default_organisation())
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
        saved = import_plan(result, slug=f"fuzz-{next(FUZZ_SLUGS)}", organisation=default_organisation())
        assert saved.plan.actions.count() == len(rows)


def test_macros_in_a_workbook_are_ignored():
    data = replace_entry(workbook(), "", b"", extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not run"})
    assert [a.ref for a in read_workbook(data).actions] == ["1.1.1"]
