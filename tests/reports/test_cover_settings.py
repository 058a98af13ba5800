"""The performance team keeps the people the cover report names."""

import pytest
from django.urls import reverse

from plans.periods import Month
from reports.documents import build_cover
from tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return make_plan(slug="cover", portfolio_holder="Cllr. Old Name")


URL = "/reports/cover/cover-settings/"


def test_the_address_is_the_named_url(plan):
    assert reverse("reports:cover-settings", kwargs={"slug": "cover"}) == URL


def test_anonymous_users_are_sent_to_log_in(client, plan):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["none", "officer", "cmt", "clerk"])
def test_only_the_performance_team_may_edit_them(client_as, plan, role):
    client = client_as(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"portfolio_holder": "Cllr. Someone"}).status_code == 403
    plan.refresh_from_db()
    assert plan.portfolio_holder == "Cllr. Old Name"


def test_the_performance_team_saves_them_and_the_cover_report_prints_them(client_as, plan):
    client = client_as("performance")
    page = client.get(URL).content.decode()
    assert 'value="Cllr. Old Name"' in page
    response = client.post(
        URL,
        {
            "portfolio_holder": "Cllr. Roger Hollingworth, Leader of the Council",
            "responsible_officer": "Hugh Bennett Assistant Chief Executive",
            "contact_name": "Rebecca Dunne",
            "contact_email": "r.dunne@bromsgrove.gov.uk",
            "contact_phone": "(01527) 881616",
        },
    )
    assert response.status_code == 302
    cover = build_cover(type(plan).objects.get(pk=plan.pk), Month(2009, 7))
    assert cover.portfolio_holder == "Cllr. Roger Hollingworth, Leader of the Council"
    assert cover.contact_phone == "(01527) 881616"


def test_a_bad_email_address_is_shown_beside_the_field_and_nothing_is_lost(client_as, plan):
    response = client_as("performance").post(
        URL, {"portfolio_holder": "Cllr. <b>New</b>", "contact_email": "not an address"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem: nothing has been saved" in body
    assert 'href="#id_contact_email"' in body
    assert "Enter a valid email address." in body
    assert 'value="Cllr. &lt;b&gt;New&lt;/b&gt;"' in body
    assert 'value="not an address"' in body
    plan.refresh_from_db()
    assert plan.portfolio_holder == "Cllr. Old Name"
