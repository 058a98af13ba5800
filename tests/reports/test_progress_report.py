"""Rotherham's progress report (seed 004, Appendix A): a plan whose report layout is "progress",
reported every two months in its own status words.

The plan here is a small Rotherham-like one built with the factories (the real transcription is
imported elsewhere): April 2007 start, 36 months, reported every two months (May, July,
September 2007 ...), words Completed / On track / Ongoing = GREEN (On track the default), Some
slippage reported = AMBER, Slipped = RED, blank = not reported this period.

September 2007, the report to the Corporate Improvement Board of 10 September 2007 in the seed:

| key action | July 2007              | September 2007         |
|------------|------------------------|------------------------|
| A1         | Some slippage reported | Completed              |
| A2         | (GREEN, no word)       | Some slippage reported |
| A3         | Slipped                | (not reported)         |
| A4         | On track               | Ongoing                |
| A5         | On track               | Slipped                |
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.models import Action, MonthClose, MonthlyStatus, StatusTerm
from plans.periods import Month
from reports import closing
from reports.progress_report import build_progress_report, previous_reporting_month, progress_report
from tests.factories import (
    default_organisation,
    make_action,
    make_lead,
    make_measure,
    make_plan,
    make_priority,
    make_status,
)
from tests.reports.pdf_helpers import all_text, loosely

SEPTEMBER = Month(2007, 9)
REPORT = "/reports/rotherham-like/2007-09/"


def _area(plan, code, title, section):
    priority = make_priority(plan, code, title)
    priority.section = section
    priority.save()
    return priority


@pytest.fixture
def plan(db):
    return make_rotherham_like()


def make_rotherham_like():
    """The small Rotherham-like plan of this module's docstring (the browser tests use it too)."""
    plan = make_plan(
        slug="rotherham-like",
        title="Corporate Improvement Plan 2007-10",
        first_month="2007-04",
        months=36,
        reporting_interval=2,
        report_layout="progress",
        organisation=default_organisation(),  # the role users' council
    )
    for word, status, default in [
        ("Completed", "GREEN", False),
        ("On track", "GREEN", True),
        ("Ongoing", "GREEN", False),
        ("Some slippage reported", "AMBER", True),
        ("Slipped", "RED", True),
    ]:
        StatusTerm.objects.create(plan=plan, word=word, status=status, is_default=default)
    org = plan.organisation
    finance = make_lead("Strategic Director Finance", organisation=org)
    ace = make_lead("Assistant Chief Executive", organisation=org)
    hop = make_lead("Head of Policy & Performance", organisation=org)

    cpa = make_measure(
        _area(plan, "1", "Ambitions: CPA Score", "Ambitions"), "1", "Achieve a 4 star CPA rating"
    )
    a1 = make_action(
        cpa, "A1", "Prepare for the corporate assessment", leads=[finance, ace],
        target_date_text="December annually", progress_measure="Assessment score",
        progress_update="Self assessment drafted <b>for</b> Cabinet",
    )  # fmt: skip
    a2 = make_action(
        cpa, "A2", "Refresh the Community Strategy", leads=[ace], original="2007-07",
        target_date_text="July 2007 (revise to October 2007)", progress_measure="Strategy adopted",
        progress_update="Consultation extended",
    )  # fmt: skip
    hoods = make_measure(
        _area(plan, "2", "Ambitions: Neighbourhoods", "Ambitions"), "2", "Improve satisfaction"
    )
    a3 = make_action(hoods, "A3", "Neighbourhood charters", leads=[hop], original="2008-03")
    governance = _area(plan, "3", "Governance Arrangements: Member development", "Governance Arrangements")
    members = make_measure(governance, "3", "Members equipped for their roles")
    a4 = make_action(members, "A4", "Member development programme", leads=[hop], target_date_text="Ongoing")
    a5 = make_action(members, "A5", "Charter status", leads=[hop], target_date_text="Spring 2008")

    make_status(a1, "2007-07", "AMBER", word="Some slippage reported")
    make_status(a2, "2007-07", "GREEN")
    make_status(a3, "2007-07", "RED", word="Slipped")
    make_status(a4, "2007-07", "GREEN", word="On track")
    make_status(a5, "2007-07", "GREEN", word="On track")
    make_status(a1, "2007-09", "GREEN", word="Completed")
    make_status(a2, "2007-09", "AMBER", word="Some slippage reported")
    make_status(a4, "2007-09", "GREEN", word="Ongoing")
    make_status(a5, "2007-09", "RED", word="Slipped")
    return plan


def rows(report):
    return [
        (
            r.objective,
            r.key_action,
            r.target_date,
            r.progress_measure,
            r.on_target,
            r.accountability,
            r.update,
        )
        for r in report.rows
    ]


def test_the_table_prints_every_key_action_by_section_and_area_in_the_plans_words(plan):
    report = build_progress_report(plan, SEPTEMBER)
    assert [(s.name, [a.heading for a in s.areas]) for s in report.sections] == [
        ("Ambitions", ["1. Ambitions: CPA Score", "2. Ambitions: Neighbourhoods"]),
        ("Governance Arrangements", ["3. Governance Arrangements: Member development"]),
    ]
    assert rows(report) == [
        (
            "Achieve a 4 star CPA rating",
            "Prepare for the corporate assessment",
            "December annually",
            "Assessment score",
            "Completed",
            "Strategic Director Finance / Assistant Chief Executive",
            "Self assessment drafted <b>for</b> Cabinet",
        ),
        (
            "Achieve a 4 star CPA rating",
            "Refresh the Community Strategy",
            "July 2007 (revise to October 2007)",
            "Strategy adopted",
            "Some slippage reported",
            "Assistant Chief Executive",
            "Consultation extended",
        ),
        # No target date written: the month of its target; not reported this period: blank.
        ("Improve satisfaction", "Neighbourhood charters", "March 2008", "", "", "Head of Policy & Performance", ""),
        ("Members equipped for their roles", "Member development programme", "Ongoing", "", "Ongoing",
         "Head of Policy & Performance", ""),
        ("Members equipped for their roles", "Charter status", "Spring 2008", "", "Slipped",
         "Head of Policy & Performance", ""),
    ]  # fmt: skip
    # The objective is written once over its key actions.
    assert [len(g.rows) for a in report.sections[0].areas for g in a.objectives] == [2, 1]


def test_a_status_entered_without_a_word_is_shown_in_the_plans_default_word(plan):
    report = build_progress_report(plan, Month(2007, 7))
    assert [r.on_target for r in report.rows] == [
        "Some slippage reported",
        "On track",
        "Slipped",
        "On track",
        "On track",
    ]


def test_the_periods_counts_beside_the_previous_reporting_months(plan):
    report = build_progress_report(plan, SEPTEMBER)
    assert report.previous.month == Month(2007, 7)  # two months earlier: the previous report
    comparison = [
        (word, n, str(pct), before, str(before_pct))
        for _, word, n, pct, before, before_pct in report.comparison
    ]
    assert comparison == [
        ("Slipped", 1, "25.0", 1, "20.0"),
        ("Some slippage reported", 1, "25.0", 1, "20.0"),
        ("On track", 2, "50.0", 3, "60.0"),
        ("Re-programmed", 0, "0.0", 0, "0.0"),
        ("Suspended", 0, "0.0", 0, "0.0"),
    ]  # fmt: skip
    # Blank is missing, not a status: 4 of the 5 key actions counted, 1 not reported.
    assert (report.total, report.period.not_reported, report.key_action_count) == (4, 1, 5)
    assert (report.previous.figures.total, report.previous.not_reported) == (5, 0)
    assert report.consistent


def test_the_first_reporting_month_has_no_previous_period(plan):
    assert plan.reporting_month_list[:3] == [Month(2007, 5), Month(2007, 7), Month(2007, 9)]
    assert previous_reporting_month(plan, Month(2007, 5)) is None
    assert previous_reporting_month(plan, Month(2007, 9)) == (plan, Month(2007, 7))
    assert build_progress_report(plan, Month(2007, 5)).previous is None


def test_the_report_page_shows_the_progress_layout_in_the_plans_words(client_as, plan):
    response = client_as("clerk").get(REPORT)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "reports/progress_month.html"
    html = response.content.decode()
    assert "Progress report for September 2007" in html
    for heading in (
        "Objective",
        "Key Actions",
        "Target Date",
        "Progress Measure",
        "On Target",
        "Accountability",
        "Update",
    ):
        assert f'<th scope="col">{heading}</th>' in html
    assert '<h3 id="section-1" class="section-heading">Ambitions</h3>' in html
    assert "Strategic Director Finance / Assistant Chief Executive" in html
    assert "Some slippage reported" in html and "Completed" in html and "Slipped" in html
    assert "Self assessment drafted &lt;b&gt;for&lt;/b&gt; Cabinet" in html  # escaped
    # Never the codes alone: no Green/Amber/Red word on the page for this plan.
    for code in (">GREEN<", ">AMBER<", ">RED<", ">Green<", ">Amber<", ">Red<"):
        assert code not in html
    assert "Previous period: July 2007" in html and "Next period: November 2007" in html


def test_the_json_summary_is_the_progress_reports(client_as, plan):
    data = client_as("officer").get(REPORT + "summary.json").json()
    assert data["layout"] == "progress"
    assert data["total"] == 4 and data["not_reported"] == 1 and data["key_actions"] == 5
    assert data["counts"] == {"RED": 1, "AMBER": 1, "GREEN": 2, "REPRO": 0, "SUSP": 0}
    assert data["percentages"]["GREEN"] == "50.0"
    assert data["words"]["AMBER"] == "Some slippage reported"
    assert data["previous"]["month"] == "2007-07"
    assert data["previous"]["counts"]["GREEN"] == 3 and data["previous"]["percentages"]["GREEN"] == "60.0"


def test_the_pdf_is_the_progress_report_read_back(client_as, plan):
    response = client_as("clerk").get(REPORT + "appendix.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = all_text(response.content)
    assert "Corporate Improvement Plan 2007-10: Progress Report September 2007" in text
    flat = loosely(text)
    for expected in (
        "1. Ambitions: CPA Score",
        "Governance Arrangements",
        "December annually",
        "(revise to",  # "July 2007 (revise to October 2007)", wrapped in its cell
        "Completed",
        "<b>for",  # the update's text as typed, never markup
        "Not reported this period",
        "On track",
    ):
        assert loosely(expected) in flat, expected
    assert "slippage" in text and "AMBER" not in text and "Amber" not in text


def test_closing_snapshots_the_progress_report_and_it_never_changes(plan, role_user):
    closing.close_month(plan, SEPTEMBER, role_user("performance"))
    published = progress_report(plan, SEPTEMBER)
    assert published.state.is_closed
    before = rows(published)
    # After the close: the update and a word change (bypassing the services, as a mistake would).
    Action.objects.filter(ref="A1").update(progress_update="Rewritten afterwards")
    MonthlyStatus.objects.filter(action__ref="A2", month=SEPTEMBER.first_day).update(
        status="GREEN", word="Completed"
    )
    after = progress_report(plan, SEPTEMBER)
    assert rows(after) == before
    assert after.figures.counts == published.figures.counts
    assert after.live_differs  # the page says the counts now would differ
    assert MonthClose.objects.get(plan=plan).snapshot["progress_report"]["period"]["counts"]["AMBER"] == 1


def test_the_closed_page_and_pdf_are_the_published_report(client_as, plan, role_user):
    closing.close_month(plan, SEPTEMBER, role_user("performance"))
    Action.objects.filter(ref="A1").update(progress_update="Rewritten afterwards")
    html = client_as("cmt").get(REPORT).content.decode()
    assert "Self assessment drafted" in html and "Rewritten afterwards" not in html
    assert "Published." in html


def test_a_month_the_plan_does_not_report_on_cannot_be_closed(plan, role_user):
    make_status(Action.objects.get(ref="A1"), "2007-08", "GREEN")
    with pytest.raises(closing.MonthCloseError, match="not a reporting month"):
        closing.close_month(plan, Month(2007, 8), role_user("performance"))


def _grow(plan, n):
    measure = plan.priorities.get(code="3").measures.get()
    lead = make_lead("Head of Policy & Performance", organisation=plan.organisation)
    for i in range(n):
        action = make_action(measure, f"G{i}", f"Grown {i}", leads=[lead], target_date_text="Ongoing")
        make_status(action, "2007-09", "GREEN", word="Ongoing")


def test_the_page_queries_do_not_grow_with_the_plan(client_as, plan, django_assert_max_num_queries):
    client = client_as("clerk")
    client.get(REPORT)
    # The session, the user, their permissions (2), the plan (1), all plans for the picker and
    # the neighbouring periods (1), the month's close (1), the plan's words (1), the key actions
    # with their objective and area (1), their leads (1), the month's statuses and words (1), the
    # counts of the period and the one before (1).
    with django_assert_max_num_queries(12):
        client.get(REPORT)
    _grow(plan, 45)  # ten times the key actions
    with django_assert_max_num_queries(12):
        assert client.get(REPORT).status_code == 200


@pytest.mark.parametrize("role", ["officer", "performance", "cmt", "clerk"])
def test_every_role_that_sees_the_exception_report_sees_the_progress_report(client_as, plan, role):
    client = client_as(role)
    assert client.get(REPORT).status_code == 200
    assert client.get(REPORT + "summary.json").status_code == 200


def test_a_user_without_a_role_is_refused_and_anonymous_sent_to_log_in(client, client_as, plan):
    assert client.get(REPORT).status_code == 302
    nobody = client_as("none")
    assert nobody.get(REPORT).status_code == 403
    assert nobody.get(REPORT + "summary.json").status_code == 403
    assert nobody.get(REPORT + "appendix.pdf").status_code == 403


def test_the_month_page_offers_the_plans_words(client_as, plan, role_user):
    user = role_user("performance")
    lead = make_lead("Head of Policy & Performance", organisation=plan.organisation)
    lead.user = user
    lead.save()
    html = (
        client_as("performance").get(reverse("plans:my-month", args=[plan.slug, "2007-09"])).content.decode()
    )
    radios = html.split('name="a')[1:]
    assert "Some slippage reported" in html and "On track" in html and "Slipped" in html
    assert ">Amber<" not in html and ">Green<" not in html and ">Red<" not in html
    # The months either side are the reporting months, not August and October.
    assert "/my/2007-07/" in html and "/my/2007-11/" in html
    assert "/my/2007-08/" not in html and "/my/2007-10/" not in html
    assert radios


def test_the_dashboard_shows_the_plans_words(client_as, plan):
    html = client_as("performance").get(reverse("dashboard")).content.decode()
    assert "Some slippage reported" in html and "Slipped" in html


def test_the_report_picker_offers_only_reporting_months(client_as, plan):
    html = client_as("clerk").get(REPORT).content.decode()
    assert 'value="rotherham-like/2007-09"' in html and 'value="rotherham-like/2007-07"' in html
    assert 'value="rotherham-like/2007-08"' not in html


def test_the_published_pdf_is_rendered_once_from_the_snapshot(client_as, plan, role_user):
    from reports.models import Document
    from tests.reports.pdf_helpers import run_worker

    closing.close_month(plan, SEPTEMBER, role_user("performance"))
    # A progress-layout plan publishes its progress report alone (no committee cover).
    assert list(Document.objects.filter(plan=plan).values_list("kind", flat=True)) == ["APPENDIX"]
    Action.objects.filter(ref="A2").update(progress_update="Rewritten afterwards")
    run_worker()
    response = client_as("clerk").get(REPORT + "appendix.pdf")
    text = loosely(all_text(b"".join(response.streaming_content)))
    assert loosely("Consultation extended") in text and loosely("Rewritten afterwards") not in text
    assert "Draftas" not in text


def test_a_status_saved_without_a_word_is_shown_in_the_plans_word_on_the_plan_pages(client_as, plan):
    client = client_as("performance")
    a2 = Action.objects.get(ref="A2")  # GREEN in July 2007, entered without a word
    plan_html = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    assert "On track" in plan_html and "Some slippage reported" in plan_html
    assert ">Green<" not in plan_html and ">Amber<" not in plan_html
    action_html = client.get(a2.get_absolute_url()).content.decode()
    assert "On track" in action_html and ">Green<" not in action_html


def test_the_month_page_shows_the_last_report_two_months_earlier(client_as, plan, role_user):
    user = role_user("officer")
    lead = make_lead("Head of Policy & Performance", organisation=plan.organisation)
    lead.user = user
    lead.save()
    html = client_as("officer").get(reverse("plans:my-month", args=[plan.slug, "2007-09"])).content.decode()
    # A5 was On track in July 2007, the previous report (nothing is reported in August).
    assert "<dt>Last report</dt><dd>" in html
    a5 = Action.objects.get(ref="A5")
    facts = html.split(f'id="action-{a5.pk}"')[1].split("</dl>")[0]
    assert "Charter status" in facts and "On track" in facts


def test_the_exception_reports_json_names_the_plans_words(client_as, plan):
    plan.report_layout = "exception"
    plan.save()
    data = client_as("clerk").get(REPORT + "summary.json").json()
    assert data["counts"]["AMBER"] == 1
    assert data["words"]["AMBER"] == "Some slippage reported" and data["words"]["GREEN"] == "On track"


def test_the_home_page_counts_in_the_plans_words(client_as, plan):
    # The plan's current period is its first unclosed reporting month, May 2007.
    make_status(Action.objects.get(ref="A1"), "2007-05", "AMBER")
    html = client_as("performance").get("/").content.decode()
    figures = html.split("Corporate Improvement Plan 2007-10: 1 action reported so far.")[1].split("</ul>")[0]
    assert "Some slippage reported" in figures and ">Amber<" not in figures


def test_a_month_the_plan_does_not_report_on_has_no_month_page(client_as, plan):
    client = client_as("performance")
    assert client.get(reverse("plans:my-month", args=[plan.slug, "2007-08"])).status_code == 404
    assert client.post(reverse("plans:my-month", args=[plan.slug, "2007-08"]), {}).status_code == 404
    assert client.get(reverse("plans:chase", args=[plan.slug, "2007-08"])).status_code == 404
    assert client.get(reverse("plans:my-month", args=[plan.slug, "2007-09"])).status_code == 200


def test_the_snapshot_reads_back_as_the_same_report(plan):
    from reports.progress_report import ProgressReport

    report = build_progress_report(plan, SEPTEMBER)
    assert ProgressReport.from_snapshot(report.as_snapshot()) == report


def test_the_first_period_of_a_plan_year_is_compared_with_the_last_of_the_year_before(plan):
    following = make_plan(
        slug="rotherham-next", first_month="2010-04", months=12, reporting_interval=2,
        report_layout="progress", previous=plan,
    )  # fmt: skip
    assert following.reporting_month_list[0] == Month(2010, 5)
    assert previous_reporting_month(following, Month(2010, 5)) == (plan, Month(2010, 3))
    report = build_progress_report(following, Month(2010, 5))
    assert report.previous.month == Month(2010, 3) and report.previous.key_actions == 5


def test_the_close_confirmation_names_the_progress_report_and_the_next_reporting_month(
    client_as, plan, role_user
):
    client = client_as("performance")
    closing.close_month(plan, SEPTEMBER, role_user("performance"))
    html = client.get(REPORT + "closed/").content.decode()
    assert "The published progress report is being prepared as a PDF" in html
    assert "Chase updates for November 2007" in html  # the next reporting month, not October


@pytest.mark.parametrize(
    ("code", "title", "section", "place", "heading"),
    [
        ("1", "Ambitions: CPA Score", "Ambitions", 1, "1. Ambitions: CPA Score"),
        # As the one-table import keeps an area: its own code, the section apart.
        ("A1", "CPA Score", "Ambitions", 1, "1. Ambitions: CPA Score"),
        ("GA2", "Internal Audit", "Governance Arrangements", 2, "2. Governance Arrangements: Internal Audit"),
        ("CP1", "Town Centre", "", 1, "CP1: Town Centre"),
        ("P1", "", "", 1, "P1"),
    ],
)
def test_a_priority_areas_heading_is_numbered_within_its_section(code, title, section, place, heading):
    from reports.progress_report import area_heading

    assert area_heading(code, title, section, place) == heading


def test_a_long_progress_report_is_prepared_in_the_background_under_its_own_name(client_as, plan):
    from tests.reports.pdf_helpers import run_worker

    _grow(plan, 70)  # 75 key actions: longer than a request lays out
    client = client_as("clerk")
    waiting = client.get(REPORT + "appendix.pdf")
    assert waiting.status_code == 202
    assert "<title>Progress report for September 2007" in waiting.content.decode()
    run_worker()
    ready = client.get(REPORT + "appendix.pdf")
    assert ready["Content-Disposition"] == 'inline; filename="rotherham-like-2007-09-progress-report.pdf"'
    text = all_text(b"".join(ready.streaming_content))
    assert "(continued)" in text  # a page continuing a priority area says which


def test_the_full_plan_pdf_calls_a_status_saved_without_a_word_by_the_plans_word(plan):
    from reports.documents import build_full_plan

    full = build_full_plan(plan, SEPTEMBER)
    july = [
        cell for section in full.sections for m in section.measures for row in m.rows for cell in row.cells
    ]
    assert {cell.word for cell in july if cell.month == Month(2007, 7)} == {
        "Some slippage reported", "On track", "Slipped"
    }  # fmt: skip


def test_the_performance_team_checks_and_closes_a_period_from_the_page(client_as, plan):
    client = client_as("performance")
    page = client.get(REPORT).content.decode()
    assert "Check and close September 2007" in page
    check = client.get(REPORT + "close/")
    assert check.status_code == 200
    closed = client.post(REPORT + "close/", {"checked": check.context["check"].fingerprint})
    assert closed.status_code == 302 and closed["Location"].endswith("/2007-09/closed/")
    assert "Re-open September 2007" in client.get(REPORT).content.decode()
    assert client_as("clerk").get(REPORT + "close/").status_code == 403


def test_this_month_of_a_two_monthly_plan_is_its_reporting_month(client_as, plan):
    from plans.selectors import current_month

    assert current_month(plan, Month(2007, 4)) == Month(2007, 5)  # before the first report
    assert current_month(plan, Month(2007, 8)) == Month(2007, 5)  # May not yet closed
    for month in ("2007-05", "2007-07"):
        MonthClose.objects.create(plan=plan, month=Month.parse(month).first_day)
    assert current_month(plan, Month(2007, 8)) == Month(2007, 7)  # August reports nothing
    assert current_month(plan, Month(2007, 10)) == Month(2007, 9)
    dashboard = client_as("clerk").get(reverse("dashboard")).content.decode()
    # Today (long after the plan) its first unclosed reporting month is September 2007.
    assert "Progress report for September 2007" in dashboard


def test_a_period_with_nothing_reported_is_still_published_as_a_progress_report(role_user):
    # Rotherham's board had no progress report before September 2007: every key action "not
    # reported this period" is what its May 2007 report says (an exception report of nothing is
    # refused: tests/reports/test_closing.py).
    plan = make_rotherham_like()
    closing.close_month(plan, Month(2007, 5), role_user("performance"))
    published = progress_report(plan, Month(2007, 5))
    assert published.state.is_closed
    assert (published.period.key_actions, published.period.not_reported) == (5, 5)
