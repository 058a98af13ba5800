"""The plan page /plans/<slug>/: month strip, filters, sortable table, CSV and Excel export."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import SESSION_REFRESH_QUERIES
from tests.factories import make_action, make_lead, make_measure, make_plan, make_priority, make_status

pytestmark = pytest.mark.django_db

PAGE = "/plans/p/"


@pytest.fixture
def plan():
    plan = make_plan(slug="p", first_month="2009-07", title="Improvement Plan 2009/10")
    cp1 = make_priority(plan, "CP1", "Town Centre")
    cp3 = make_priority(plan, "CP3", "Sense of Community")
    ps, hb = make_lead("T1"), make_lead("T2")
    m11 = make_measure(cp1, "1.1", "Agreement on preferred option")
    m31 = make_measure(cp3, "3.1", "Community events")
    a = make_action(
        m11,
        "1.1.1",
        "Engage specialist organisation",
        leads=[ps],
        original="2009-07",
        revised="2009-09",
        planned=["2009-07"],
        corrective_action="Meeting planned for September",
    )
    b = make_action(
        m11,
        "1.1.2",
        "Identify development partner",
        leads=[ps, hb],
        original="2009-09",
        planned=["2009-07", "2009-08"],
    )
    c = make_action(
        m31,
        "3.1.1",
        '=HYPERLINK("http://evil")',
        leads=[hb],
        original="2009-08",
        reprogrammed=True,
        revised="2009-11",
    )
    make_status(a, "2009-07", "AMBER")
    make_status(b, "2009-07", "GREEN")
    make_status(c, "2009-07", "GREEN")
    make_status(c, "2009-08", "REPRO")
    return plan


def refs(response):
    return [row.record.ref for row in response.context["table"].paginated_rows]


@pytest.mark.parametrize("role", ["officer", "performance", "cmt", "clerk"])
def test_every_role_reads_the_plan_page(client_as, plan, role):
    assert client_as(role).get(PAGE).status_code == 200


def test_the_plan_page_prints_the_seeds_rows_with_words_and_marks(client_as, plan):
    response = client_as("cmt").get(PAGE)
    body = response.content.decode()
    assert refs(response) == ["1.1.1", "1.1.2", "3.1.1"]
    assert "CP1: Town Centre" in body and "1.1 Agreement on preferred option" in body
    # Every coloured cell carries its letter and its word.
    assert '<span aria-hidden="true">A</span><span class="visually-hidden">Amber</span>' in body
    assert '<span aria-hidden="true">RP</span><span class="visually-hidden">Re-programmed</span>' in body
    assert '<span class="visually-hidden">Original date</span>' in body
    assert '<span class="visually-hidden">Re-programmed date</span>' in body
    assert '<span class="visually-hidden">Planned</span>' in body
    assert "Legend" in body and "One month behind target or less" in body
    assert "(in the grid: A)</span> One month behind target or less" in body
    assert "3 actions." in body


def test_filter_by_priority_lead_status_in_a_month_and_text(client_as, plan):
    client = client_as("clerk")
    cp3 = plan.priorities.get(code="CP3")
    assert refs(client.get(PAGE, {"priority": cp3.pk})) == ["3.1.1"]
    assert refs(client.get(PAGE, {"lead": make_lead("T2").pk})) == ["1.1.2", "3.1.1"]
    assert refs(client.get(PAGE, {"status": "GREEN", "month": "2009-07"})) == ["1.1.2", "3.1.1"]
    assert refs(client.get(PAGE, {"status": "AMBER", "month": "2009-08"})) == []
    assert refs(client.get(PAGE, {"q": "partner"})) == ["1.1.2"]
    assert refs(client.get(PAGE, {"q": "september"})) == ["1.1.1"]


def test_bad_filter_values_give_a_message_not_a_500(client_as, plan):
    response = client_as("clerk").get(PAGE, {"priority": "999999", "month": "2031-01", "status": "PURPLE"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "These filters could not be used" in body
    assert "Select a valid choice. PURPLE is not one of the available choices." in body
    assert refs(response) == []


def test_the_table_sorts_by_a_column(client_as, plan):
    client = client_as("clerk")
    assert refs(client.get(PAGE, {"sort": "-ref"})) == ["3.1.1", "1.1.2", "1.1.1"]
    assert refs(client.get(PAGE, {"sort": "description"})) == ["3.1.1", "1.1.1", "1.1.2"]
    assert refs(client.get(PAGE, {"sort": "nonsense"})) == ["1.1.1", "1.1.2", "3.1.1"]


def test_the_table_is_paginated(client_as, plan):
    measure = plan.priorities.get(code="CP1").measures.get()
    for n in range(100):
        make_action(measure, f"1.9.{n}", "More")
    client = client_as("clerk")
    first = client.get(PAGE)
    assert len(refs(first)) == 100
    assert "Page 2" in first.content.decode()
    assert len(refs(client.get(PAGE, {"page": 2}))) == 3
    # A page past the end shows the last page rather than an error.
    assert len(refs(client.get(PAGE, {"page": 99}))) == 3


def test_csv_export_has_the_filtered_rows_and_no_live_formula(client_as, plan):
    response = client_as("clerk").get(
        reverse("plans:export", kwargs={"slug": "p", "fmt": "csv"}), {"lead": make_lead("T2").pk}
    )
    assert response["Content-Disposition"] == 'attachment; filename="p-actions.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Priority", "Ref.", "Action", "Lead"]
    assert rows[0][4:6] == ["July", "Aug."]
    assert [row[1] for row in rows[1:]] == ["1.1.2", "3.1.1"]
    assert rows[2][2] == '\'=HYPERLINK("http://evil")'
    assert rows[2][4:6] == ["Green", "Re-programmed; original date"]
    assert rows[1][3] == "T1 /T2"


def test_excel_export_has_the_rows_and_no_live_formula(client_as, plan):
    response = client_as("officer").get(reverse("plans:export", kwargs={"slug": "p", "fmt": "xlsx"}))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[1] for row in values] == ["Ref.", "1.1.1", "1.1.2", "3.1.1"]
    assert values[3][2] == '\'=HYPERLINK("http://evil")'
    assert sheet.cell(row=4, column=3).data_type == "s"
    assert values[1][4] == "Amber; planned; original date"
    assert values[1][-2] == "September 2009"


def test_export_refuses_unknown_formats_and_roles(client, client_as, plan):
    assert client.get("/plans/p/export.csv")["Location"].startswith("/accounts/login/")
    assert client_as("none").get("/plans/p/export.csv").status_code == 403
    assert client_as("clerk").get("/plans/p/export.pdf").status_code == 404


def test_plan_page_queries_do_not_grow_with_the_plan(client_as, plan, django_assert_max_num_queries):
    client = client_as("cmt")
    # session, user, user's and group's permissions, plan (+ its status words), priority and lead
    # choices of the filters, the count, the page of actions, their leads, planned months, statuses,
    # their measures' progress updates (the measure rows show the latest), the closed months (for
    # the month the links point to).
    with django_assert_max_num_queries(15 + SESSION_REFRESH_QUERIES) as few:
        client.get(PAGE)
    measure = plan.priorities.get(code="CP1").measures.get()
    lead = make_lead("T1")
    for n in range(40):
        action = make_action(
            measure, f"1.8.{n}", "More", leads=[lead], original="2009-07", planned=["2009-07"]
        )
        make_status(action, "2009-07", "GREEN")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PAGE)
    assert len(refs(response)) == 43


def test_user_text_on_the_plan_page_is_escaped(client_as, plan):
    measure = plan.priorities.get(code="CP1").measures.get()
    make_action(measure, "1.1.9", "<script>alert(1)</script>", corrective_action="<b>bold</b>")
    body = client_as("cmt").get(PAGE).content.decode()
    assert "<script>alert(1)</script>" not in body and "<b>bold</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&lt;b&gt;bold&lt;/b&gt;" in body


def test_the_plan_page_links_to_the_months_report_and_the_whole_plan_as_pdf(client_as, plan):
    # Every month of this 2009/10 plan has begun and none is closed: the month to update is July 2009.
    html = client_as("clerk").get(PAGE).content.decode()
    assert '<a href="/reports/p/2009-07/">Exception report for July 2009</a>' in html
    assert '<a href="/reports/p/plan-2009-07.pdf">The whole plan as PDF, as at July 2009</a>' in html


def body_rows(html: str) -> list[str]:
    """The action rows of the plan table (not its priority and measure headings)."""
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    return [row for row in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "<td" in row]


def test_each_row_has_a_cell_under_every_heading_each_named_for_a_phone(client_as, plan):
    html = client_as("cmt").get(PAGE).content.decode()
    head = html[html.index("<thead>") : html.index("</thead>")]
    headings = [
        re.sub(r"<[^>]+>|Sort by ", "", th).strip() for th in re.findall(r"<th [^>]*>(.*?)</th>", head, re.S)
    ]
    assert headings[:5] == ["Priority", "Ref.", "Action", "Lead", "July"]
    assert headings[-4:] == ["June", "Original date", "Revised date", "Corrective action"]
    first = body_rows(html)[0]
    assert re.findall(r'<td[^>]* data-label="([^"]*)"', first) == headings
    assert '<td data-label="Original date">July 09</td>' in first
    assert '<td data-label="Revised date">Sept 09</td>' in first
    # 3.1.1: re-programmed with approval; no corrective action.
    third = body_rows(html)[2]
    assert '<td data-label="Revised date">Nov 09 (re-programmed)</td>' in third
    assert '<td data-label="Corrective action">—</td>' in third


def test_priority_and_measure_headings_only_in_plan_order(client_as, plan):
    client = client_as("cmt")
    html = client.get(PAGE).content.decode()
    assert html.count('class="priority-row"') == 2 and html.count('class="measure-row"') == 2
    sorted_html = client.get(PAGE, {"sort": "-ref"}).content.decode()
    assert 'class="priority-row"' not in sorted_html and 'class="measure-row"' not in sorted_html
    assert len(body_rows(sorted_html)) == 3


def test_a_measure_row_shows_its_latest_progress_update(client_as, plan):
    from plans.models import MeasureProgress

    measure = plan.priorities.get(code="CP1").measures.get()
    MeasureProgress.objects.create(measure=measure, month="2009-07-01", text="Brief written")
    MeasureProgress.objects.create(measure=measure, month="2009-08-01", text="Partner chosen")
    html = client_as("cmt").get(PAGE).content.decode()
    assert "Progress update (August 2009): Partner chosen" in html
    assert "Brief written" not in html
