"""The whole committee report of seed 000 (the Cabinet paper for July 2009): the meeting, sections
1-15 in the paper's order with its headings, section 7's corporate risks, in HTML, PDF and Word;
a closed month's paper is the one published."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from django.urls import reverse
from docx.oxml.ns import qn

from cabinet import services as cabinet_services
from cabinet.models import CorporateRisk
from plans.models import MonthClose, Plan
from plans.periods import Month
from reports.closing import close_month, reopen_month
from reports.documents import build_cover, render_cover
from reports.docx import cover_docx
from tests.conftest import SESSION_REFRESH_QUERIES
from tests.reports.pdf_helpers import page_texts

pytestmark = pytest.mark.django_db

JULY = Month(2009, 7)
AUGUST = Month(2009, 8)

# Seed 000's headings, in its order ("3 BACKGROUND" is printed there without its full stop).
HEADINGS = [
    "1. SUMMARY",
    "2. RECOMMENDATION",
    "3. BACKGROUND",
    "4. FINANCIAL IMPLICATIONS",
    "5. LEGAL IMPLICATIONS",
    "6. COUNCIL OBJECTIVES",
    "7. RISK MANAGEMENT",
    "8. CUSTOMER IMPLICATIONS",
    "9. EQUALITIES AND DIVERSITY IMPLICATIONS",
    "10. VALUE FOR MONEY IMPLICATIONS",
    "11. OTHER IMPLICATIONS",
    "12. OTHERS CONSULTED ON THE REPORT",
    "13. WARDS AFFECTED",
    "14. APPENDICES",
    "15. BACKGROUND PAPERS:",
]

# Section 7 of seed 000, each corporate risk with the plan's sections it is set against. The paper
# abbreviates some titles ("FP1 – Managing Finances", "HROD1"); the cover names each priority as
# the 2009/10 plan does.
FP1 = "FP1 – Managing Finances (including Value for Money)"
FP2 = "FP2 – Governing the Business"
FP3 = "FP3 – Managing resources (including Value for Money)"
FP4 = "FP4 – Managing Performance (including Value for Money)"
PR1, PR2, PR4 = "PR1 – Customer Processes", "PR2 – Political Governance", "PR4 – Improved Partnership Working"
CP3 = "CP3 – Sense of Community"
HROD1, HROD2, HROD3 = (
    "HR & OD1 – Learning & Development",
    "HR & OD2 – Modernisation",
    "HR & OD3 – Positive Employee Climate",
)
KO_ROWS = [
    ("KO1: Effective Financial Management and Internal Control", [FP1]),
    ("KO2: Effective corporate leadership", [FP1, FP2, FP3, FP4, PR2]),
    ("KO3: Effective Member / Officer relations", [PR2, HROD1]),
    ("KO4: Effective Member / Member relations", [PR2, HROD1]),
    ("KO5*: Full compliance with the Civil Contingencies Act and effective Business Continuity", [PR1]),
    ("KO6: Maximising the benefits of investment in ICT equipment and training", [PR1]),
    ("KO7: Effective partnership working", [PR4]),
    ("KO8: Effective communications (internal and external)", [PR1]),
    ("KO9: Equalities and diversity agenda embedded across the Authority", [CP3, FP4]),
    ("KO10: Appropriate investment in employee development and training", [HROD1, HROD2, HROD3]),
    ("KO11: Effective employee recruitment and retention", [HROD1, HROD2, HROD3]),
    ("KO12: Full compliance with all Health and Safety legislation", [HROD3]),
    ("KO13: Effective two tier working and Community Engagement", [CP3, PR4]),
    ("KO14: Successful implementation of Job Evaluation", [HROD2]),
    ("KO15: All Council data is accurate and of high quality", [FP1, FP4]),
    ("KO16: The Council no longer in recovery", [FP1, FP2, FP3, FP4, PR2]),
    ("KO17: Effective Projects Management", [FP1]),
    ("KO19: Effective Business and Performance Management", [FP4]),
    ("KO20: Effective Customer Focused Authority", [CP3, PR1]),
]

SENTENCE_2_2 = (
    "2.2 That CMT notes that for the 83 actions highlighted for July within the plan 80.7% of the "
    "Improvement Plan is on target [green], 13.3% is one month behind [amber] and 0% is over one "
    "month behind [red]. 6% of actions have been reprogrammed or suspended with approval¹; these "
    "include the suspension of the Budget Jury (due to shared services)."
)
# Seed 000's paragraphs as the demo's plan text and July's note reproduce them.
PARAGRAPHS = [
    "1.1 To ask Cabinet to consider the Improvement Plan Exception Report for July 2009 (Appendix 1).",
    "2.1 That Cabinet considers and approves the revisions to the Improvement Plan Exception Report "
    "attached as Appendix 1, and the corrective action being taken.",
    SENTENCE_2_2,
    "2.3 This month's performance is shown on the first page of Appendix 1.",
    "3.1 July 2008 Cabinet approved the Improvement Plan 2008/09. The Improvement Plan is directly linked "
    "to the four corporate priorities and thirteen enablers identified in the Council Plan 2009/2012.",
    "3.3 There were 11 amber activities this month for the following areas of the Improvement Plan:-",
    "3.4 The re-programmed and suspended actions are:-",
    "4.1 No financial implications.",
    "5.1 No legal implications.",
    "6.1 The Improvement Plan relates to all of the Council's four objectives and four priorities as per "
    "the 2009/2012 Council Plan.",
    "8.1 The Improvement Plan includes a range of actions to deliver the Council's Customer First value. "
    "Please see section PR1 of the Improvement Plan.",
    "9.1 Please see sections CP3 and FP4 of the Improvement Plan",
    "10.1 See sections FP1-FP3 of the Improvement Plan",
    "Procurement Issues: See Section FP2 of the Improvement Plan.",
    "Community Safety including Section 17 of Crime and Disorder Act 1998: See section CP3 of the "
    "Improvement Plan",
    "13.1 All wards.",
    "14.1 Appendix 1 Improvement Plan Exception Report July 2009.",
    "15.1 The full Improvement Plan for July can be found at www.bromsgrove.gov.uk under meetings Minutes "
    "and Agendas. A hard copy is also left in the Members' Room each month.",
]


@pytest.fixture(scope="module")
def july_cover(demo_db, django_db_blocker) -> list[str]:
    with django_db_blocker.unblock():
        rendered = render_cover(Plan.objects.get(slug="bromsgrove-2009-10"), JULY, seconds=None)
    return page_texts(rendered.content)


def test_the_july_2009_cover_opens_as_the_paper_does(july_cover):
    assert july_cover[0].startswith("Improvement Plan Exception Report [July 2009] Draft as at")
    assert (
        "BROMSGROVE DISTRICT COUNCIL 2ND SEPTEMBER 2009 CABINET IMPROVEMENT PLAN EXCEPTION REPORT [July 2009] "
        "Responsible Portfolio Holder Cllr. Roger Hollingworth, Leader of the Council "
        "Responsible Officer Hugh Bennett Assistant Chief Executive 1. SUMMARY"
    ) in july_cover[0]


def test_every_page_of_the_july_2009_cover_holds_sections_1_to_15_in_the_papers_order(july_cover):
    text = " ".join(july_cover)
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    for paragraph in PARAGRAPHS:
        assert paragraph in text, paragraph
    assert "CONTACT OFFICER Name: Rebecca Dunne E Mail: r.dunne@bromsgrove.gov.uk Tel: (01527) 881616" in text
    for n, page in enumerate(july_cover, start=1):
        assert f"Page {n} of {len(july_cover)}" in page


def test_section_7_sets_each_corporate_risk_against_the_plan(july_cover):
    text = " ".join(july_cover)
    section_7 = text[text.index("7. RISK MANAGEMENT") : text.index("8. CUSTOMER IMPLICATIONS")]
    # A long title wraps beside its references, so in each row the title's words and the
    # references' words are each checked in order, between the row's code and the next row's.
    words = section_7.split()
    starts = [words.index(title.split()[0]) for title, _ in KO_ROWS] + [len(words)]
    assert starts[:-1] == sorted(starts[:-1])
    for (title, references), start, end in zip(KO_ROWS, starts, starts[1:], strict=False):
        row = words[start:end]
        for expected in (title, " ".join(references)):
            at = 0
            for word in expected.split():
                at = row.index(word, at) + 1
    assert "KO18" not in section_7.replace("KO5 and KO18 have been merged", "")
    assert section_7.rstrip().endswith("* KO5 and KO18 have been merged")
    assert (
        section_7.index("KO1:")
        < section_7.index("KO2:")
        < section_7.index("KO10:")
        < section_7.index("KO20:")
    )


def test_the_sections_rows_are_seed_000s(demo):
    doc = build_cover(demo["2009"], JULY)
    risks = next(s for s in doc.sections if s.number == 7).blocks[0]
    assert [(label, refs.split("\n")) for label, refs in risks.rows] == KO_ROWS
    consulted = next(s for s in doc.sections if s.number == 12).blocks[0]
    assert consulted.rows[:3] == (
        ("Portfolio Holder", "No"),
        ("Chief Executive", "At CMT"),
        ("Executive Director (Partnerships and Projects)", "At CMT"),
    )
    by_priority = next(s for s in doc.sections if s.number == 3).blocks[3]
    assert [row[0] + " " + row[2] for row in by_priority.rows] == [
        "CP1 4", "CP3 2", "FP3 1", "PR3 1", "PR5 1", "HR & OD1 2",
    ]  # fmt: skip


def test_the_clerk_downloads_the_cover_as_word_and_it_reads_back_as_the_paper(client_as, demo):
    response = client_as("clerk").get(
        reverse("reports:cover-docx", kwargs={"slug": "bromsgrove-2009-10", "month": JULY})
    )
    assert response.status_code == 200
    assert (
        response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="bromsgrove-2009-10-2009-07-cover-report.docx"' in response["Content-Disposition"]
    word = docx.Document(io.BytesIO(response.content))
    paragraphs = [p.text.replace("\t", " ") for p in word.paragraphs]
    assert paragraphs[:4] == [
        "BROMSGROVE DISTRICT COUNCIL",
        "2ND SEPTEMBER 2009",
        "CABINET",
        "IMPROVEMENT PLAN EXCEPTION REPORT [July 2009]",
    ]
    assert [p for p in paragraphs if p in HEADINGS] == HEADINGS
    for paragraph in PARAGRAPHS:
        assert paragraph in paragraphs, paragraph
    assert "* KO5 and KO18 have been merged" in paragraphs
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in word.tables]
    risks = next(t for t in tables if t[0] == ["Corporate Risk Title", "Improvement Plan Reference"])
    assert [(title, refs.split("\n")) for title, refs in risks[1:]] == KO_ROWS
    assert word.core_properties.title == "Improvement Plan Exception Report [July 2009]"
    assert "Draft as at" in word.sections[0].header.paragraphs[0].text
    footer = word.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("Produced ") and " · Page 1 of 1" in footer.text  # Word fills the fields in
    assert [code.text for code in footer._p.iter(qn("w:instrText"))] == [" PAGE ", " NUMPAGES "]


def test_the_committee_report_page_shows_the_paper_to_every_role(
    client_as, demo, django_assert_max_num_queries
):
    url = reverse("reports:cover", kwargs={"slug": "bromsgrove-2009-10", "month": JULY})
    client = client_as("cmt")
    # session, user and permissions, the plan, the report (17), the close, the cover's papers
    # (meeting, texts, the risks and their links: 8)
    with django_assert_max_num_queries(36 + SESSION_REFRESH_QUERIES):
        body = client.get(url).content.decode()
    assert "2ND SEPTEMBER 2009" in body and '<h2 id="section-7">7. RISK MANAGEMENT</h2>' in body
    assert "KO5*: Full compliance with the Civil Contingencies Act and effective Business Continuity" in body
    assert "Record the meeting" not in body  # the performance team's, not CMT's
    assert "Word (.docx)" in body


# ---------------------------------------------------------------------------------------------
# A small plan: the month's own text, the published paper, escaping


@pytest.fixture
def papers(plan, role_user):
    """The small plan with a meeting for July and the plan's text of section 4."""
    user = role_user("performance")
    cabinet_services.record_meeting(
        user=user, plan=plan, month=JULY, committee="Cabinet", on=date(2009, 9, 2)
    )
    cabinet_services.save_texts(user=user, plan=plan, texts={"financial": "No financial implications."})
    risk = cabinet_services.save_risk(
        user=user,
        organisation=plan.organisation,
        code="TK1",
        title="Effective Financial Management",
        likelihood=2,
        impact=4,
    )
    cabinet_services.link_risk(
        user=user, risk=risk, plan=plan, priorities=list(plan.priorities.all()), actions=[]
    )
    return user


def cover_text(plan: Plan, month: Month) -> str:
    return " ".join(page_texts(render_cover(plan, month, seconds=None).content))


def test_a_months_own_text_appears_in_that_months_cover_only(client_as, plan, papers):
    response = client_as("performance").post(
        reverse("cabinet:month-texts", kwargs={"slug": plan.slug, "month": AUGUST}),
        {"financial": "The August budget review saved £12,000."},
    )
    assert response.status_code == 302
    august, july = cover_text(plan, AUGUST), cover_text(plan, JULY)
    assert "4. FINANCIAL IMPLICATIONS 4.1 The August budget review saved £12,000." in august
    assert "4. FINANCIAL IMPLICATIONS 4.1 No financial implications." in july
    assert "The August budget review" not in july
    assert "Meeting not recorded" in august  # no meeting recorded for August yet


def test_a_closed_months_cover_is_the_one_published_whatever_changes_after(plan, papers, role_user):
    close_month(plan, JULY, papers)
    published = cover_text(plan, JULY)
    assert (
        "2ND SEPTEMBER 2009 CABINET" in published
        and "TK1: Effective Financial Management CP1 – Town Centre" in published
    )
    # The plan's text, the register and a risk's links change; the meeting and July's own text cannot.
    cabinet_services.save_texts(user=papers, plan=plan, texts={"financial": "Changed for later months."})
    risk = CorporateRisk.objects.get(code="TK1")
    cabinet_services.save_risk(user=papers, risk=risk, title="A new title", likelihood=4, impact=4)
    cabinet_services.link_risk(user=papers, risk=risk, plan=plan, priorities=[], actions=[])
    with pytest.raises(Exception, match="July 2009 is closed"):
        cabinet_services.record_meeting(
            user=papers, plan=plan, month=JULY, committee="Council", on=date(2009, 10, 1)
        )
    with pytest.raises(Exception, match="July 2009 is closed"):
        cabinet_services.save_texts(user=papers, plan=plan, month=JULY, texts={"legal": "Late words"})
    again = build_cover(plan, JULY)
    assert cover_text(plan, JULY).split("Produced")[0] == published.split("Produced")[0]
    assert again.papers.text("financial") == "No financial implications."
    word = [p.text for p in docx.Document(io.BytesIO(cover_docx(again))).paragraphs]
    assert "4.1\tNo financial implications." in word and "CABINET" in word
    # Re-opened, the month shows the paper as it stands now.
    reopen_month(plan, JULY, papers, "A late correction")
    now = cover_text(plan, JULY)
    assert "4.1 Changed for later months." in now and "No corporate risk is linked to this plan." in now


def test_a_month_published_before_the_committee_report_was_kept_prints_sections_1_to_3(plan, papers):
    close_month(plan, JULY, papers)
    close = MonthClose.objects.get(plan=plan)
    close.snapshot["cover"].pop("committee")
    close.save()
    text = cover_text(plan, JULY)
    assert "3. BACKGROUND" in text and "Responsible Portfolio Holder Cllr. A Member" in text
    assert "4. FINANCIAL IMPLICATIONS" not in text and "CABINET IMPROVEMENT PLAN" not in text


def test_user_text_is_escaped_in_the_page_the_pdf_and_the_word_copy(client_as, plan, papers):
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    cabinet_services.save_texts(user=papers, plan=plan, texts={"legal": hostile}, month=JULY)
    cabinet_services.record_meeting(
        user=papers, plan=plan, month=JULY, committee="<i>Cabinet</i>", on=date(2009, 9, 2)
    )
    body = (
        client_as("performance")
        .get(reverse("reports:cover", kwargs={"slug": plan.slug, "month": JULY}))
        .content.decode()
    )
    assert (
        "<script>alert" not in body
        and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in body
    )
    assert "&lt;I&gt;CABINET&lt;/I&gt;" in body
    assert '5.1 <script>alert("x")</script> & <b>bold</b>' in cover_text(plan, JULY)
    word = docx.Document(io.BytesIO(cover_docx(build_cover(plan, JULY))))
    assert '5.1\t<script>alert("x")</script> & <b>bold</b>' in [p.text for p in word.paragraphs]
    # Characters Word's XML cannot hold are left out rather than failing the download.
    cabinet_services.save_texts(user=papers, plan=plan, texts={"legal": "Bell\x07 and tab"}, month=JULY)
    word = docx.Document(io.BytesIO(cover_docx(build_cover(plan, JULY))))
    assert "5.1\tBell and tab" in [p.text for p in word.paragraphs]


@pytest.mark.parametrize("role", ["none"])
def test_the_word_copy_needs_the_export_permission(client_as, plan, role):
    url = reverse("reports:cover-docx", kwargs={"slug": plan.slug, "month": JULY})
    assert client_as(role).get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_for_the_page_and_word_copy(client, plan):
    for name in ("reports:cover", "reports:cover-docx"):
        response = client.get(reverse(name, kwargs={"slug": plan.slug, "month": JULY}))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
