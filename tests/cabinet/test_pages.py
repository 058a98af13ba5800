"""The performance team's pages for the committee report and the risk register: who may use them,
and what a person sees when they type something the report cannot use."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from cabinet import services
from cabinet.models import CorporateRisk, Meeting, NarrativeText
from plans.periods import Month
from reports.closing import close_month
from tests.conftest import SESSION_REFRESH_QUERIES
from tests.factories import default_organisation, make_plan, make_priority

pytestmark = pytest.mark.django_db

JULY = Month(2009, 7)


@pytest.fixture
def plan():
    plan = make_plan(slug="pages", title="Improvement Plan 2009/10")
    make_priority(plan, "CP1", "Town Centre")
    make_priority(plan, "FP1", "Managing Finances")
    return plan


@pytest.fixture
def risk(role_user):
    return services.save_risk(
        user=role_user("performance"),
        organisation=default_organisation(),
        code="TK5",
        title="Business continuity",
        likelihood=2,
        impact=4,
    )


def urls(plan, risk) -> dict[str, str]:
    return {
        "meeting": reverse("cabinet:meeting", kwargs={"slug": plan.slug, "month": JULY}),
        "texts": reverse("cabinet:texts", kwargs={"slug": plan.slug}),
        "month-texts": reverse("cabinet:month-texts", kwargs={"slug": plan.slug, "month": JULY}),
        "risk-add": reverse("cabinet:risk-add"),
        "risk-edit": reverse("cabinet:risk-edit", kwargs={"pk": risk.pk}),
        "risk-links": reverse("cabinet:risk-links", kwargs={"pk": risk.pk, "slug": plan.slug}),
    }


def test_the_addresses_are_the_readmes():
    assert reverse("cabinet:risks") == "/risks/"
    assert reverse("cabinet:meeting", kwargs={"slug": "p", "month": JULY}) == "/committee/p/2009-07/meeting/"
    assert reverse("cabinet:texts", kwargs={"slug": "p"}) == "/committee/p/text/"
    assert reverse("cabinet:month-texts", kwargs={"slug": "p", "month": JULY}) == "/committee/p/2009-07/text/"
    assert reverse("reports:cover", kwargs={"slug": "p", "month": JULY}) == "/reports/p/2009-07/cover/"
    assert (
        reverse("reports:cover-docx", kwargs={"slug": "p", "month": JULY}) == "/reports/p/2009-07/cover.docx"
    )


@pytest.mark.parametrize("role", ["none", "officer", "cmt", "clerk"])
def test_only_the_performance_team_keeps_the_committee_report_and_the_register(client_as, plan, risk, role):
    client = client_as(role)
    for name, url in urls(plan, risk).items():
        assert client.get(url).status_code == 403, name
        assert (
            client.post(url, {"committee": "Council", "date": "1 October 2009", "code": "X1"}).status_code
            == 403
        )
    assert (
        not Meeting.objects.filter(plan=plan).exists()
        and not NarrativeText.objects.filter(plan=plan).exists()
    )
    assert not CorporateRisk.objects.filter(code="X1").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, plan, risk):
    for url in [*urls(plan, risk).values(), reverse("cabinet:risks")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["officer", "performance", "cmt", "clerk"])
def test_every_role_that_reads_reports_reads_the_register(client_as, risk, role):
    body = client_as(role).get(reverse("cabinet:risks")).content.decode()
    assert "TK5: Business continuity" in body and "<dt>Score</dt><dd>8</dd>" in body
    assert ("Change TK5" in body) == (role == "performance")


def test_a_user_without_a_role_cannot_read_the_register(client_as, risk):
    assert client_as("none").get(reverse("cabinet:risks")).status_code == 403


def test_the_register_reads_the_same_number_of_queries_however_many_risks(
    client_as, plan, role_user, django_assert_max_num_queries
):
    client = client_as("clerk")
    user = role_user("performance")
    for n in range(1, 31):
        risk = services.save_risk(
            user=user,
            organisation=default_organisation(),
            code=f"TK{n}",
            title=f"Risk {n}",
            likelihood=1 + n % 4,
            impact=2,
        )
        services.link_risk(
            user=user, risk=risk, plan=plan, priorities=list(plan.priorities.all()), actions=[]
        )
    client.get(reverse("cabinet:risks"))
    # session, user, its two permission lists, the risks with what they were merged into, their
    # priorities, actions and merged risks, the plans: 9, for 30 risks as for 1
    with django_assert_max_num_queries(9 + SESSION_REFRESH_QUERIES):
        body = client.get(reverse("cabinet:risks")).content.decode()
    assert body.index("TK2: Risk 2") < body.index("TK10: Risk 10")  # the register's order, not the text's
    assert body.count('<h2 id="risk-') == CorporateRisk.objects.filter(organisation=plan.organisation).count()


def test_the_performance_team_records_the_meeting(client_as, plan):
    client = client_as("performance")
    url = reverse("cabinet:meeting", kwargs={"slug": plan.slug, "month": JULY})
    response = client.post(url, {"committee": "Cabinet", "date": "2 September 2009"})
    assert response.status_code == 302 and response["Location"] == "/reports/pages/2009-07/cover/"
    meeting = Meeting.objects.get(plan=plan)
    assert (meeting.committee, meeting.date) == ("Cabinet", date(2009, 9, 2))
    assert 'value="2 September 2009"' in client.get(url).content.decode()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"committee": "", "date": "2 September 2009"}, "committee", "Enter the committee, e.g. Cabinet"),
        ({"committee": "Cabinet", "date": "31 September 2009"}, "date", "Enter a real date, for example 2 September 2009"),
        ({"committee": "Cabinet", "date": "31 July 2009"}, "date", "The meeting must be after July 2009 ends"),
    ],
)  # fmt: skip
def test_a_meeting_the_report_cannot_use_is_explained_beside_the_field(client_as, plan, data, field, message):
    response = client_as("performance").post(
        reverse("cabinet:meeting", kwargs={"slug": plan.slug, "month": JULY}), {"committee": "", **data}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem: nothing has been saved" in body
    assert f'href="#id_{field}"' in body
    assert body.count(message) == 2  # in the summary and beside the field
    assert f'value="{data[field]}"' in body or not data[field]
    assert not Meeting.objects.filter(plan=plan).exists()


def test_a_closed_months_meeting_and_text_cannot_be_changed(client_as, plan, role_user):
    from tests.factories import make_action, make_measure, make_status

    measure = make_measure(plan.priorities.first(), "1.1", "Vision")
    make_status(make_action(measure, "1.1.1", "Engage", planned=["2009-07"]), "2009-07", "GREEN")
    close_month(plan, JULY, role_user("performance"))
    client = client_as("performance")
    meeting = reverse("cabinet:meeting", kwargs={"slug": plan.slug, "month": JULY})
    assert "July 2009 is closed" in client.get(meeting).content.decode()
    body = client.post(meeting, {"committee": "Cabinet", "date": "2 September 2009"}).content.decode()
    assert "July 2009 is closed: its report is published and takes no more updates." in body
    texts = reverse("cabinet:month-texts", kwargs={"slug": plan.slug, "month": JULY})
    body = client.post(texts, {"legal": "Late"}).content.decode()
    assert "July 2009 is closed: its report is published and takes no more updates." in body
    assert (
        not Meeting.objects.filter(plan=plan).exists()
        and not NarrativeText.objects.filter(plan=plan).exists()
    )


def test_the_plans_text_and_a_months_own_text(client_as, plan):
    client = client_as("performance")
    response = client.post(
        reverse("cabinet:texts", kwargs={"slug": plan.slug}),
        {"financial": "No financial implications.", "summary": "To ask {committee} to consider {month}."},
    )
    assert response.status_code == 302
    assert (
        NarrativeText.objects.get(plan=plan, part="financial", month=None).text
        == "No financial implications."
    )
    month_url = reverse("cabinet:month-texts", kwargs={"slug": plan.slug, "month": JULY})
    page = client.get(month_url).content.decode()
    assert "Every month's text: No financial implications." in page
    client.post(month_url, {"financial": "July's own words."})
    assert (
        NarrativeText.objects.get(plan=plan, part="financial", month=date(2009, 7, 1)).text
        == "July's own words."
    )
    # Emptied again, July prints the plan's text.
    client.post(month_url, {"financial": ""})
    assert not NarrativeText.objects.filter(plan=plan, month__isnull=False).exists()


@pytest.mark.parametrize(
    "part, text, message",
    [
        ("summary", "To ask {cabinet} to consider", "{cabinet} is not something the report can fill in."),
        ("consulted", "Chief Executive: At CMT\nPortfolio Holder No", "Line 2 has no colon"),
    ],
)
def test_text_the_report_cannot_use_is_explained_beside_the_box_and_kept(
    client_as, plan, part, text, message
):
    response = client_as("performance").post(
        reverse("cabinet:texts", kwargs={"slug": plan.slug}), {part: text}
    )
    body = response.content.decode()
    assert response.status_code == 200 and f'href="#id_{part}"' in body
    assert body.count(message) == 2
    assert text.split("\n")[-1] in body
    assert not NarrativeText.objects.filter(plan=plan).exists()


def test_the_performance_team_adds_a_risk_links_it_and_merges_another_into_it(client_as, plan, risk):
    client = client_as("performance")
    response = client.post(
        reverse("cabinet:risk-add"),
        {"code": "TK1", "title": "Finance", "owner": "Head of Financial Services", "likelihood": "3",
         "impact": "3", "mitigation": "Monthly monitoring", "review_date": "31 December 2009"},
    )  # fmt: skip
    assert response.status_code == 302
    added = CorporateRisk.objects.get(code="TK1")
    assert (added.score, added.review_date) == (9, date(2009, 12, 31))
    fp1 = plan.priorities.get(code="FP1")
    client.post(
        reverse("cabinet:risk-links", kwargs={"pk": added.pk, "slug": plan.slug}), {"priorities": [fp1.pk]}
    )
    assert list(added.priorities.all()) == [fp1]
    client.post(
        reverse("cabinet:risk-edit", kwargs={"pk": risk.pk}),
        {
            "code": "TK5",
            "title": "Business continuity",
            "likelihood": "2",
            "impact": "4",
            "merged_into": added.pk,
        },
    )
    risk.refresh_from_db()
    assert risk.merged_into == added
    body = client.get(reverse("cabinet:risks")).content.decode()
    assert "Merged into TK1: reported as part of it." in body
    assert "Change TK5" not in body


def test_a_risk_the_register_cannot_hold_is_explained_beside_the_field(client_as, risk):
    response = client_as("performance").post(
        reverse("cabinet:risk-add"), {"code": "TK5", "title": "<b>Again</b>", "likelihood": "", "impact": "9"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem: nothing has been saved" in body
    assert "The register already has a risk with this reference" in body
    assert "Choose the likelihood" in body
    assert 'value="&lt;b&gt;Again&lt;/b&gt;"' in body
    assert not CorporateRisk.objects.filter(title="<b>Again</b>").exists()


def test_a_new_plan_years_text_starts_from_the_year_befores(client_as, plan, role_user):
    services.save_texts(user=role_user("performance"), plan=plan, texts={"wards": "All wards."})
    following = make_plan(
        slug="following", title="Improvement Plan 2010/11", first_month="2010-07", previous=plan
    )
    client = client_as("performance")
    url = reverse("cabinet:texts", kwargs={"slug": following.slug})
    page = client.get(url).content.decode()
    assert "The boxes start with the text of Improvement Plan 2009/10, the year before" in page
    assert "All wards.</textarea>" in page
    assert not NarrativeText.objects.filter(plan=following).exists()  # nothing saved until saved
    client.post(url, {"wards": "All wards."})
    page = client.get(url).content.decode()
    assert "the year before" not in page and "All wards.</textarea>" in page


def test_a_risks_references_in_a_new_plan_year_start_from_the_year_befores(client_as, plan, risk, role_user):
    team = role_user("performance")
    services.link_risk(
        user=team, risk=risk, plan=plan, priorities=[plan.priorities.get(code="FP1")], actions=[]
    )
    following = make_plan(
        slug="following", title="Improvement Plan 2010/11", first_month="2010-07", previous=plan
    )
    make_priority(following, "CP1", "Town Centre")
    fp1 = make_priority(following, "fp 1", "Managing Finances")
    client = client_as("performance")
    url = reverse("cabinet:risk-links", kwargs={"pk": risk.pk, "slug": following.slug})
    page = client.get(url).content.decode()
    assert "The boxes start with TK5's references in Improvement Plan 2009/10, the year before" in page
    assert f'value="{fp1.pk}" id="id_priorities_1" checked' in page
    assert not risk.priorities.filter(plan=following).exists()  # nothing saved until saved
