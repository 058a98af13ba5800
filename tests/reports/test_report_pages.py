"""The report pages as a user meets them: who may see what, the JSON, the picker and month links."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans import services
from plans.models import ChangeRequest, MonthClose, MonthlyStatus
from plans.periods import Month
from reports.closing import close_month
from reports.exception_report import exception_report, report_summary
from tests.conftest import SESSION_REFRESH_QUERIES
from tests.factories import make_plan, make_sized_plan

REPORT = "/reports/bromsgrove-2009-10/2009-07/"
READERS = ["officer", "performance", "cmt", "clerk"]


@pytest.mark.parametrize("role", READERS)
def test_every_role_reads_the_report_and_its_json(demo, client_as, role):
    client = client_as(role)
    page = client.get(REPORT)
    assert page.status_code == 200
    assert "Exception report for July 2009" in page.content.decode()
    assert client.get(REPORT + "summary.json").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(
    "url", [REPORT, REPORT + "summary.json", "/", "/dashboard/", REPORT + "close/", "/reports/?report=x"]
)
def test_a_user_without_a_role_is_refused(demo, client_as, url):
    assert client_as("none").get(url).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        REPORT,
        REPORT + "summary.json",
        "/",
        "/dashboard/",
        REPORT + "close/",
        REPORT + "reopen/",
        "/reports/?report=x",
    ],
)
def test_anonymous_visitor_is_sent_to_log_in(demo, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_close_is_sent_to_log_in(demo, client):
    response = client.post(REPORT + "close/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["officer", "cmt", "clerk", "none"])
def test_only_the_performance_team_closes_and_reopens(demo, client_as, role):
    client = client_as(role)
    assert client.post(REPORT + "close/").status_code == 403
    assert client.get(REPORT + "reopen/").status_code == 403
    assert client.post(REPORT + "reopen/", {"reason": "x"}).status_code == 403


def test_report_page_shows_seed_000_figures(demo, client_as):
    html = client_as("cmt").get(REPORT).content.decode()
    assert (
        "For the 83 actions highlighted for July within the plan 80.7% of the Improvement Plan is on "
        "target [green], 13.3% is one month behind [amber] and 0% is over one month behind [red]. 6% "
        "of actions have been reprogrammed or suspended with approval." in html
    )
    assert "(Draft)" in html
    for text in ["13.3%", "80.7%", "6.0%", "July 2008", "89.1%", "Consistency check", "SUSPENDED"]:
        assert text in html
    # The chart is inline SVG with its own title, and no script anywhere.
    assert '<svg class="progress-chart"' in html
    assert '<title id="chart-bromsgrove-2009-10-green-400-title">' in html
    assert "<script" not in html


def test_summary_json_is_the_report_summary_command_output(demo, client_as):
    out = StringIO()
    call_command("report_summary", plan="bromsgrove-2009-10", month="2009-07", format="json", stdout=out)
    response = client_as("clerk").get(REPORT + "summary.json")
    assert response["Content-Type"] == "application/json"
    assert response.json() == json.loads(out.getvalue())
    assert response.json()["counts"] == {"RED": 0, "AMBER": 11, "GREEN": 67, "REPRO": 0, "SUSP": 5}
    assert response.json()["percentages"]["GREEN"] == "80.7"


@pytest.mark.parametrize("year", ["2008", "2009"])
def test_summary_json_is_the_whole_reports_figures_in_every_month(demo, year):
    # summary.json is built from the month's counts alone (``report_summary``), not the report:
    # the same JSON, for 2008/09's published months (with what changed since) and 2009/10's drafts.
    plan = demo[year]
    for month in plan.month_list:
        assert report_summary(plan, month).as_json() == exception_report(plan, month).as_json(), month


@pytest.mark.parametrize(
    "url",
    [
        "/reports/bromsgrove-2009-10/2010-07/",  # after the plan year
        "/reports/bromsgrove-2009-10/2009-13/",  # no such month
        "/reports/no-such-plan/2009-07/",
        "/reports/bromsgrove-2009-10/2010-07/summary.json",
    ],
)
def test_a_month_outside_the_plan_is_not_found(demo, client_as, url):
    assert client_as("cmt").get(url).status_code == 404


def test_month_links_cross_into_the_previous_plan_year(demo, client_as):
    html = client_as("cmt").get(REPORT).content.decode()
    assert 'href="/reports/bromsgrove-2008-09/2009-06/" rel="prev"' in html
    assert 'href="/reports/bromsgrove-2009-10/2009-08/" rel="next"' in html


def test_picker_goes_to_the_chosen_month(demo, client_as):
    response = client_as("cmt").get("/reports/", {"report": "bromsgrove-2008-09/2009-01"})
    assert response.status_code == 302
    assert response["Location"] == "/reports/bromsgrove-2008-09/2009-01/"


def test_the_picker_marks_the_month_shown_and_offers_a_new_plan_at_once(demo, client_as):
    # The picker's select is kept for the same plans and month (``reports.forms.PickerSelect``).
    client = client_as("cmt")
    assert '<option value="bromsgrove-2009-10/2009-07" selected>' in client.get(REPORT).content.decode()
    html = client.get("/reports/bromsgrove-2009-10/2009-08/").content.decode()
    assert '<option value="bromsgrove-2009-10/2009-08" selected>' in html
    assert '<option value="bromsgrove-2009-10/2009-07">' in html
    make_plan(
        slug="next-year", title="Improvement Plan 2010/11", first_month="2010-07", previous=demo["2009"]
    )
    html = client.get(REPORT).content.decode()
    assert '<optgroup label="Improvement Plan 2010/11">' in html
    assert '<option value="next-year/2010-07">July 2010</option>' in html


def test_picker_refuses_a_month_it_does_not_offer(demo, client_as):
    response = client_as("cmt").get("/reports/", {"report": "bromsgrove-2009-10/2011-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Select a valid choice" in html


def test_dashboard_shows_each_plans_current_month(demo, client_as, role_user):
    # 2008/09 fully published: its last closed month; 2009/10: its first month still open.
    performance = role_user("performance")
    closed = MonthClose.objects.closed_months(demo["2008"])
    for month in demo["2008"].reporting_month_list:
        if month not in closed:
            close_month(demo["2008"], month, performance)
    html = client_as("cmt").get("/dashboard/").content.decode()
    assert "Month being reported: July 2009" in html and "Last published month: June 2009" in html
    assert 'href="/reports/bromsgrove-2009-10/2009-07/"' in html
    assert 'href="/reports/bromsgrove-2008-09/2009-06/"' in html
    assert "13.3%" in html and "82.4%" in html


def test_approving_a_reprogramme_does_not_move_the_dashboard_to_an_unreported_month(client_as, role_user):
    plan = make_sized_plan(10, months_reported=1)
    action = plan.actions.first()
    request = ChangeRequest.objects.create(
        action=action,
        kind="REPROGRAMME",
        month=plan.first_month,
        new_target=Month(2009, 11).first_day,
        reason="Later",
    )
    services.decide_request(user=role_user("performance"), request=request, approve=True)
    html = client_as("cmt").get("/dashboard/").content.decode()
    assert "Month being reported: July 2009" in html
    assert "reported: November 2009" not in html and "published month: November 2009" not in html
    assert not MonthlyStatus.objects.filter(action=action, month__gt=plan.first_month).exists()


# Queries of the report page, whatever the plan's size (besides the session refresh):
#  session, user, permissions (2); plan with its previous year (1); the month's close (1);
#  year figures of both years (2); exceptions by priority + their priorities (2); the listed statuses
#  with actions, their leads, their statuses, planned months, approved requests (5); the independent
#  total (1); status words (1); the indicators of both years (1; with indicators, 3 more:
#  tests/reports/test_indicator_report.py); plans for the picker (1).
REPORT_QUERIES = 19 + SESSION_REFRESH_QUERIES


@pytest.mark.parametrize("size", [10, 1000])
def test_report_page_queries_do_not_grow_with_the_plan(db, client_as, django_assert_max_num_queries, size):
    previous = make_sized_plan(size, first_month="2008-07")
    plan = make_sized_plan(size, previous=previous, months_reported=1)
    client = client_as("cmt")
    with django_assert_max_num_queries(REPORT_QUERIES):
        response = client.get(f"/reports/{plan.slug}/2009-07/")
    assert response.status_code == 200
    assert response.context["report"].total == size
    assert response.context["report"].consistent


#  session, user, permissions (2); plan with its data versions (1); the month's close (1); the
#  month's counts (1); status words (1); exceptions by priority + their priorities (2); the
#  indicators of both years (1). Not the listed statuses, the year figures or the picker's plans:
#  the JSON is built from the counts alone (``report_summary``).
SUMMARY_JSON_QUERIES = 11 + SESSION_REFRESH_QUERIES


@pytest.mark.parametrize("size", [10, 1000])
def test_summary_json_queries_do_not_grow_with_the_plan(db, client_as, django_assert_max_num_queries, size):
    previous = make_sized_plan(size, first_month="2008-07")
    plan = make_sized_plan(size, previous=previous, months_reported=1)
    client = client_as("cmt")
    with django_assert_max_num_queries(SUMMARY_JSON_QUERIES):
        response = client.get(f"/reports/{plan.slug}/2009-07/summary.json")
    assert response.json()["total"] == size


@pytest.mark.parametrize("size", [10, 1000])
def test_dashboard_queries_do_not_grow_with_the_plan(
    db, client_as, role_user, django_assert_max_num_queries, size
):
    plan = make_sized_plan(size, months_reported=2)
    close_month(plan, Month(2009, 7), role_user("performance"))
    client = client_as("cmt")
    # session, user, permissions (2), plans, their status words, closed months, the shown months'
    # closes, counts of the open ones, every month's counts of the open ones (their charts)
    with django_assert_max_num_queries(10 + SESSION_REFRESH_QUERIES):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    row = next(row for row in response.context["rows"] if row.plan == plan)
    assert row.month == Month(2009, 8)
    assert row.figures.total == size
    # its chart: July and August of this year, the two months reported
    assert len(row.chart.series[-1].points) == 2


def test_a_plan_reporting_every_two_months_links_to_its_reporting_months(db, client_as):
    from tests.factories import make_plan

    plan = make_plan(slug="rotherham-2007-08", first_month="2007-04", reporting_interval=2)
    html = client_as("cmt").get(f"/reports/{plan.slug}/2007-07/").content.decode()
    assert f'href="/reports/{plan.slug}/2007-05/" rel="prev"' in html
    assert f'href="/reports/{plan.slug}/2007-09/" rel="next"' in html
    assert f'value="{plan.slug}/2007-06"' not in html  # the picker offers reporting months only


@pytest.mark.parametrize("size", [10, 1000])
def test_closed_month_page_queries_do_not_grow_with_the_plan(
    db, client_as, role_user, django_assert_max_num_queries, size
):
    from reports.closing import close_month

    plan = make_sized_plan(size, months_reported=1)
    close_month(plan, Month(2009, 7), role_user("performance"))
    client = client_as("cmt")
    # session, user, permissions (2), plan, close, its history, the counts now, changes since,
    # plans for the picker: the published report itself is one JSON field.
    with django_assert_max_num_queries(10 + SESSION_REFRESH_QUERIES):
        response = client.get(f"/reports/{plan.slug}/2009-07/")
    assert response.context["report"].state.is_closed
    assert response.context["report"].total == size


def test_reopening_a_month_that_is_not_closed_says_so(db, client, role_user):
    from tests.factories import make_plan

    plan = make_plan(slug="never-closed")
    client.force_login(role_user("performance"))
    response = client.post(f"/reports/{plan.slug}/2009-07/reopen/", {"reason": "Typed reason"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "July 2009 is not closed." in html
    assert "Typed reason</textarea>" in html  # what was typed is kept


def test_a_plans_own_status_words_are_escaped_in_the_plan_row(db, client_as):
    from plans.models import StatusTerm
    from tests.factories import make_action, make_measure, make_plan, make_priority, make_status

    plan = make_plan(slug="escaping")
    StatusTerm.objects.create(plan=plan, word="<b>Late</b>", status="RED", is_default=True)
    action = make_action(make_measure(make_priority(plan)), "1.1.1", planned=["2009-07"], original="2009-07")
    make_status(action, "2009-07", "RED", corrective_action="<script>alert(1)</script>")
    html = client_as("cmt").get(f"/reports/{plan.slug}/2009-07/").content.decode()
    assert "<b>Late</b>" not in html and "&lt;b&gt;Late&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
