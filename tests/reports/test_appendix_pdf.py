"""The Cabinet appendix and cover report PDFs: what a clerk finds on their pages (seed 000)."""

import re
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from plans.models import Plan
from plans.periods import Month
from reports.documents import appendix_source, render_appendix, render_cover
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_status
from tests.reports.pdf_helpers import Clock, layout_pages, loosely, page_texts, read_pdf, strip_marks

# Every test here is a database test (even those reading a PDF rendered once per module) so that
# pytest-django runs them before the browser tests, whose flush empties the session's demo data.
pytestmark = pytest.mark.django_db
JULY = Month(2009, 7)
# The exception pages of seed 000's Appendix 1, in its order (priorities in plan order).
SEED_REFS = [
    "1.1.1", "1.2.1", "1.4.2", "1.4.5", "3.2.1", "3.2.2", "5.4.1", "5.4.2", "5.4.3", "5.4.7",
    "7.3.3", "8.3.4", "11.1.1", "13.4.4", "14.1.1", "14.2.5",
]  # fmt: skip


# The July report as its draft would be read early in August (a draft prints the time).
FIGURES_READ = Clock(datetime(2009, 8, 3, 14, 32, tzinfo=ZoneInfo("Europe/London")))
JULY_2009_ROW = "July 2009 0 0.0% 11 13.3% 67 80.7% 0 0.0% 5 6.0% 83"


def refs_in(text: str) -> list[str]:
    return re.findall(r"(?<![\d.])(\d+\.\d+\.\d+)(?![\d.])", text)


@pytest.fixture(scope="module")
def appendix(demo_db, django_db_blocker):
    with django_db_blocker.unblock(), mock.patch.object(timezone, "now", FIGURES_READ):
        rendered = render_appendix(Plan.objects.get(slug="bromsgrove-2009-10"), JULY, seconds=None)
    return rendered.content


@pytest.fixture(scope="module")
def cover(demo_db, django_db_blocker):
    with django_db_blocker.unblock(), mock.patch.object(timezone, "now", FIGURES_READ):
        rendered = render_cover(Plan.objects.get(slug="bromsgrove-2009-10"), JULY, seconds=None)
    return rendered.content


def test_every_page_is_a4_landscape_with_the_running_header_and_page_n_of_n(appendix):
    reader = read_pdf(appendix)
    pages = page_texts(appendix)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert text.startswith(
            "Exception Report for July 2009 Improvement Plan Draft as at 14:32 Appendix 1"
        ), text[:100]
        assert f"Page {number} of {len(pages)}" in text
        assert "Produced 3 August 2009 · Draft as at 14:32: the month is not yet closed" in text
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)


def test_draft_and_the_time_its_figures_were_read_are_on_every_page_of_an_open_month(appendix):
    assert all("Draft as at 14:32" in text for text in page_texts(appendix))


def test_the_first_page_holds_the_progress_table_of_both_years(appendix):
    first = page_texts(appendix)[0]
    assert "Progress in 2009/10" in first
    assert loosely(JULY_2009_ROW) in loosely(first)
    assert "July 2008 11 8.6% 3 2.3% 114 89.1% 0 0.0% 0 0.0% 128" in first
    assert "June 2009 1 1.2% 0 0.0% 70 82.4% 14 16.5% 0 0.0% 85" in first
    assert "Legend" not in first


def test_page_1_prints_each_count_and_percentage_in_a_column_of_its_own(appendix):
    """ "3 3.2%" in one cell reads as 33.2%: the paper has a column for the number and one for the
    percentage, and so does page 1, under each status of both years."""
    first = page_texts(appendix)[0]
    assert first.count("No. % No. % No. % No. % No. %") == 2
    assert "April 2009 3 3.2% 5 5.4% 71 76.3% 14 15.1% 0 0.0% 93" in first
    html = appendix_source(Plan.objects.get(slug="bromsgrove-2009-10"), JULY).html
    april = html[html.index(">April 2009</th>") :]
    assert april.startswith(
        '>April 2009</th><td class="number count">3</td><td class="number percent">3.2%</td>'
        '<td class="number count">5</td><td class="number percent">5.4%</td>'
    )


def test_page_1_is_filled_by_the_progress_table(appendix):
    """All 24 months on page 1, set in rows tall enough to fill it (it was two-thirds empty)."""
    reader = read_pdf(appendix)
    first = page_texts(appendix)[0]
    assert "July 2008" in first and "June 2009" in first and "June 2010" in first
    # The last row, June, is in the lowest fifth of the page (just above the footer); the text's
    # height on the page is its text matrix's through the content's transformation matrix.
    positions = []
    reader.pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: positions.append(
            (text, tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
        )
    )
    [june_2009] = [y for text, y in positions if text.startswith("June 2009")]
    assert 595 * 0.08 < june_2009 < 595 * 0.2


def test_every_page_that_continues_a_priority_repeats_its_heading(appendix):
    """Pages 4, 6, 7 and 11 start within a priority and say so; the others start with the
    priority's own heading, without "(continued)"."""
    pages = page_texts(appendix)
    header = "Exception Report for July 2009 Improvement Plan Draft as at 14:32 Appendix 1 "
    starts = {
        number: text.removeprefix(header).split(" Ref July 2009 Action")[0]
        for number, text in enumerate(pages, start=1)
        if number > 2 and "Ref July 2009 Action" in text
    }
    assert starts == {
        3: "Exception report for July 2009 CP1: Town Centre",
        4: "CP1: Town Centre (continued)",
        5: "CP3: Sense of Community",
        6: "CP3: Sense of Community (continued)",
        7: "FP1: Managing Finances (including Value for Money) (continued)",
        8: "FP3: Managing resources (including Value for Money)",
        9: "PR3: Joint CEO with Redditch Borough Council",
        10: "PR5: Planning",
        11: "HR & OD1: Learning & Development (continued)",
    }
    # Only the pages that continue say "(continued)", once each.
    assert [n for n, text in enumerate(pages, start=1) if "(continued)" in text] == [4, 6, 7, 11]


def test_the_strip_marks_the_original_revised_and_re_programmed_months_as_the_legend_says(appendix):
    pages = layout_pages(appendix)
    marks = {}
    for ref in ("1.1.1", "1.4.5", "7.3.3", "13.4.4", "14.1.1", "5.4.1"):
        marks[ref] = next(m for m in (_marks_or_none(p, ref) for p in pages) if m is not None)
    assert marks == {
        # July: Amber, planned (■), original date (O); the revised date an extension (+).
        "1.1.1": {"July": "A■O", "Sep.": "+"},
        "1.4.5": {"July": "A■O", "Aug.": "+"},
        "7.3.3": {"July": "A■O"},
        "13.4.4": {"July": "A■O", "Oct.": "+"},  # its re-programme is not yet approved
        "14.1.1": {"July": "A■O"},  # revised to Dec 10, past this plan's year
        "5.4.1": {"July": "S■O"},
    }
    legend = page_texts(appendix)[1]
    for line in [
        "■ Planned A month in which the action is planned",
        "O Original date Original date of planned action",
        "+ Revised date Revised date given by the lead (an extension: not on target)",
        "* Re-programmed date Moved to a later point in the year with approval",
    ]:
        assert line in legend


def test_the_exception_pages_are_set_in_committee_type(appendix):
    """At least 9.5pt for the text of the exception tables and 9pt in the month strip (the page
    furniture, "Produced ..." and "Page n of N", stays at 8pt)."""
    sizes = {}
    # The exception pages: after the progress table and legend, before the indicators' section.
    exception_pages = [
        page
        for page, text in zip(read_pdf(appendix).pages, page_texts(appendix), strict=True)
        if "Ref July 2009 Action" in text
    ]
    for page in exception_pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, font, size: sizes.setdefault(text.strip(), set()).add(
                round(abs(size * tm[3] * cm[3]), 1)
            )
        )
    furniture = [text for text in sizes if text.startswith(("Produced", "Page "))]
    assert {size for text in furniture for size in sizes[text]} == {8.0}
    assert min(size for text, found in sizes.items() if text not in furniture for size in found) == 9.0
    assert sizes["Meeting planned for September to start this work with planning architects."] == {9.5}
    assert sizes["1.1 Agreement on preferred option of Area Action Pan"] == {9.5}
    assert sizes["Sept 09"] == {9.5}
    assert sizes["Aug."] == sizes["■"] == sizes["+"] == {9.0}


def _marks_or_none(page: str, ref: str):
    try:
        return strip_marks(page, ref)
    except AssertionError:
        return None


def test_a_suspension_prints_a_dash_as_its_revised_date_approved_or_not(appendix):
    """7.3.3's suspension awaits approval (it counts Amber) and 5.4.1's is approved: the paper
    prints "-" for both; 14.1.1, also awaiting a suspension, has a revised date (Dec 10)."""
    rest = " ".join(page_texts(appendix)[2:])
    assert "7.3.3 Pursue Climate Change Matrix Amber Suspended PS July 09 -" in rest
    assert loosely("5.4.1 Recruit budget jury x 2 from school SUSPENDED SUSPENDED HB July 09 -") in loosely(
        rest
    )
    assert "HP July 09 Dec 10" in rest
    assert "PS July 09 TBC" in rest  # 1.4.2: no revised date given yet
    assert "7.3.3 Pursue Climate Change Matrix Amber Suspended PS July 09 TBC" not in rest


def test_an_approved_re_programme_is_marked_in_its_month(db, tmp_path):
    """An action re-programmed to September with approval, Amber again in September: the strip
    marks July as the original date and September as the re-programmed date (*)."""
    plan = make_plan(slug="repro", title="Improvement Plan 2009/10")
    measure = make_measure(make_priority(plan, "CP1", "Town Centre"), "1.1", "Town centre vision")
    action = make_action(
        measure, "1.1.1", "Engage specialists", leads=[make_lead("PS")], planned=["2009-07"],
        original="2009-07", revised="2009-09", reprogrammed=True,
    )  # fmt: skip
    make_status(action, "2009-07", "REPRO")
    make_status(action, "2009-08", "REPRO")
    make_status(action, "2009-09", "AMBER", corrective_action="Still waiting for the architects")
    pages = layout_pages(render_appendix(plan, Month(2009, 9), seconds=None).content)
    [marks] = [m for m in (_marks_or_none(p, "1.1.1") for p in pages) if m is not None]
    assert marks == {"July": "RP■O", "Aug.": "RP", "Sep.": "A*"}


def test_the_legend_comes_next_then_the_exceptions_in_the_order_of_the_report(appendix):
    pages = page_texts(appendix)
    assert "Legend" in pages[1]
    for word, meaning in [
        ("Green", "On target or completed"),
        ("Amber", "One month behind target or less"),
        ("Red", "Over one month behind target"),
        ("Original date", "Original date of planned action"),
    ]:
        assert word in pages[1] and meaning in pages[1]
    rest = " ".join(pages[2:])
    # each exception's ref appears in its block and in its plan row; keep first appearances
    assert list(dict.fromkeys(refs_in(rest))) == SEED_REFS


def test_every_exception_shows_its_status_word_and_corrective_action(appendix):
    rest = " ".join(page_texts(appendix)[2:])
    assert rest.count("Amber") >= 11
    assert "SUSPENDED" in rest
    assert "Meeting planned for September to start this work with planning architects." in rest
    assert "Put on hold by CEO in July pending single management team" in rest
    for heading in [
        "CP1: Town Centre",
        "CP3: Sense of Community",
        "PR5: Planning",
        "HR & OD1: Learning & Development",
    ]:
        assert heading in rest


def test_an_exception_block_is_not_split_across_pages(appendix):
    """Each block's summary and its plan row are on the same page: the block's first line (its
    ref before the action text) and its plan row's measure line share a page."""
    pages = page_texts(appendix)[2:]
    for ref, measure in [
        ("1.1.1", "1.1 Agreement on preferred option"),
        ("14.2.5", "14.2 Maintain Investors"),
    ]:
        holding = [i for i, text in enumerate(pages) if ref in refs_in(text)]
        assert holding and all(measure in pages[i] for i in holding)


def test_the_appendix_is_tagged_with_its_title_and_language(appendix):
    reader = read_pdf(appendix)
    assert reader.metadata.title == "Exception Report for July 2009 Improvement Plan"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_the_cover_report_opens_with_sections_1_to_3_and_the_plans_people(cover):
    # The whole paper, sections 1-15, is tests/reports/test_committee_report.py's.
    reader = read_pdf(cover)
    text = page_texts(cover)[0]
    assert text.startswith("Improvement Plan Exception Report [July 2009] Draft as at 14:32 Cabinet report")
    assert "BROMSGROVE DISTRICT COUNCIL" in text
    assert "Responsible Portfolio Holder Cllr. Roger Hollingworth, Leader of the Council" in text
    assert "Responsible Officer Hugh Bennett Assistant Chief Executive" in text
    assert (
        "2.2 That CMT notes that for the 83 actions highlighted for July within the plan 80.7% of the "
        "Improvement Plan is on target [green], 13.3% is one month behind [amber] and 0% is over one "
        "month behind [red]. 6% of actions have been reprogrammed or suspended with approval¹; these include "
        "the suspension of the Budget Jury (due to shared services)."
    ) in text
    for row in [
        "CP1 Town Centre 4",
        "CP3 Sense of Community 2",
        "PR3 Joint CEO with Redditch Borough Council 1",
        "PR5 Planning 1",
        "HR & OD1 Learning & Development 2",
    ]:
        assert row in text
    assert "8.3.4 Undertake impact assessment on community" in text
    assert "Page 1 of 4" in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    assert reader.metadata.title == "Improvement Plan Exception Report [July 2009]"


def test_a_clerk_downloads_the_july_2009_appendix(client_as, demo):
    response = client_as("clerk").get(
        reverse("reports:appendix-pdf", kwargs={"slug": "bromsgrove-2009-10", "month": JULY})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="bromsgrove-2009-10-2009-07-cabinet-appendix.pdf"' in response["Content-Disposition"]
    assert loosely(JULY_2009_ROW) in loosely(page_texts(response.content)[0])


def test_render_appendix_writes_the_file(demo, tmp_path, capsys):
    target = tmp_path / "appendix.pdf"
    call_command("render_appendix", "--plan", "bromsgrove-2009-10", "--month", "2009-07", "-o", str(target))
    assert "pages" in capsys.readouterr().out
    assert loosely(JULY_2009_ROW) in loosely(page_texts(target.read_bytes())[0])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--plan", "nope", "--month", "2009-07"], "No plan with slug 'nope'."),
        (["--plan", "bromsgrove-2009-10", "--month", "2009-13"], "month must be 1..12, not 13"),
        (["--plan", "bromsgrove-2009-10", "--month", "2010-07"], "July 2010 is not in"),
    ],
)
def test_render_appendix_gives_a_clear_error(demo, tmp_path, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("render_appendix", *args, "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
