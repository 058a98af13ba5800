"""Issue 15 in real Chromium, at desktop width and on a 390 px phone: Bromsgrove's performance team
adds a person and a lead; the site administrator creates an organisation. axe-core (WCAG 2.2 AA)
and no sideways scroll on every page state; and Rotherham's login sees nothing of Bromsgrove."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import expect

from demo.load import load_organisation, load_users, read_demo
from plans.models import Lead, Organisation
from tests.browser.conftest import axe_violations, log_in

PEOPLE = "/organisations/bromsgrove/people/"


def check(page) -> None:
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_performance_team_adds_a_person_and_a_lead(demo_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    mail.outbox.clear()
    log_in(page, demo_site.url, "performance")
    page.get_by_role("link", name="People").click()
    page.wait_for_url(f"{demo_site.url}{PEOPLE}")
    assert page.locator("h1").inner_text() == "People of Bromsgrove District Council"
    check(page)

    page.get_by_role("link", name="Add a person").click()
    check(page)
    page.get_by_label("Full name").fill("Sam Green")
    page.get_by_label("Email address").fill("sam at bromsgrove")
    page.get_by_label("Username").fill("sgreen")
    page.get_by_role("button", name="Add the person").click()
    # The error summary takes the focus; what was typed is kept.
    expect(page.locator("#error-summary")).to_be_focused()
    assert "Choose the person's role" in page.locator("#error-summary").inner_text()
    assert page.get_by_label("Username").input_value() == "sgreen"
    check(page)
    page.get_by_label("Email address").fill("sam.green@example.org")
    page.get_by_label("Officer:").check()
    page.get_by_role("button", name="Add the person").click()
    expect(page.locator(".panel-title")).to_have_text("Sam Green is added")
    check(page)
    [email] = mail.outbox
    assert email.to == ["sam.green@example.org"]

    page.goto(f"{demo_site.url}/plans/leads/")
    check(page)
    page.get_by_role("link", name="Add a lead").click()
    check(page)
    page.get_by_label("Initials or job title").fill("Head of Planning")
    page.get_by_label("Full name").fill("Sam Green")
    page.get_by_label("Their log-in").select_option(label="Sam Green (sgreen)")
    page.get_by_role("button", name="Add the lead").click()
    page.wait_for_url(f"{demo_site.url}/plans/leads/")
    assert "Added the lead Head of Planning." in page.locator(".messages").inner_text()
    check(page)
    lead = Lead.objects.get(initials="Head of Planning")
    assert (lead.organisation.slug, lead.user.username) == ("bromsgrove", "sgreen")

    page.goto(f"{demo_site.url}{PEOPLE}")
    page.get_by_role("link", name="Remove sgreen").click()
    assert "Check before you remove Sam Green" in page.locator("h1").inner_text()
    check(page)
    page.get_by_role("button", name="Remove them from Bromsgrove District Council").click()
    page.wait_for_url(f"{demo_site.url}{PEOPLE}")
    assert "Sam Green has been removed" in page.locator(".messages").inner_text()
    assert not User.objects.get(username="sgreen").is_active


@pytest.mark.parametrize("width", [1366, 390])
def test_the_site_administrator_creates_an_organisation(demo_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_site.url, "admin")
    page.get_by_role("link", name="Organisations").click()
    check(page)
    page.get_by_role("link", name="Create an organisation").click()
    check(page)
    page.get_by_label("Organisation's name").fill("Redditch Borough Council")
    page.get_by_label("First performance-team member's full name").fill("Alex Price")
    page.get_by_label("Their email address").fill("alex.price@example.org")
    page.get_by_label("Their username").fill("aprice")
    page.get_by_role("button", name="Create the organisation").click()
    expect(page.locator(".panel-title")).to_have_text("Redditch Borough Council is created")
    check(page)
    assert (
        Organisation.objects.get(slug="redditch-borough-council").memberships.get().user.username == "aprice"
    )


def test_rotherhams_login_sees_nothing_of_bromsgrove(demo_site, page):
    # The tests' demo is Bromsgrove's alone (tests.factories.load_demo): Rotherham's logins here.
    data = read_demo()
    for organisation in data["other_organisations"]:
        load_organisation(organisation)
    load_users(
        {name: login for name, login in data["logins"].items() if name.startswith("rotherham-")}, "demo"
    )
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page, demo_site.url, "rotherham-performance")
    check(page)
    assert "Bromsgrove" not in page.locator("body").inner_text()
    response = page.goto(f"{demo_site.url}/plans/bromsgrove-2009-10/")
    assert response.status == 404
    response = page.goto(f"{demo_site.url}/reports/bromsgrove-2009-10/2009-07/summary.json")
    assert response.status == 404
