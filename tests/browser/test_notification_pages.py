"""Issue 18, item 5 in real Chromium, at desktop width and on a 390 px phone: the performance team
adds a lead's missing email address from the chase list and chases; an officer's request is
approved and the officer is emailed. axe-core (WCAG 2.2 AA) on every page state."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from plans.models import Lead, Reminder
from tests.browser.conftest import axe_violations, log_in

PLAN = "bromsgrove-2009-10"
CHASE = f"/plans/{PLAN}/chase/2009-08/"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def check(page) -> None:
    assert axe_violations(page) == []
    assert no_sideways_scroll(page)


@pytest.mark.parametrize("width", [1366, 390])
def test_performance_team_adds_a_missing_address_and_chases(demo_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    Lead.objects.filter(initials="JG").update(email="")
    mail.outbox.clear()
    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}{CHASE}")
    assert (
        "Updates for August 2009 are due by Thursday 10 September 2009." in page.locator("main").inner_text()
    )
    check(page)

    page.get_by_role("link", name="Add an email address of JG").click()
    assert page.locator("h1").inner_text() == "JG: the lead's details"
    check(page)
    page.get_by_label("Email address").fill("john.green at bromsgrove")
    page.get_by_role("button", name="Save").click()
    # The error summary takes the focus and links to the field; what was typed is kept.
    expect(page.locator("#error-summary")).to_be_focused()
    assert (
        "Enter an email address in the correct format, like name@example.org"
        in page.locator("#error-summary").inner_text()
    )
    assert page.get_by_label("Email address").input_value() == "john.green at bromsgrove"
    check(page)
    page.get_by_label("Email address").fill("john.green@example.org")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{demo_site.url}{CHASE}")
    assert "Saved JG: John Green, john.green@example.org." in page.locator(".messages").inner_text()
    assert "Reminder goes to john.green@example.org" in page.locator("main").inner_text()
    check(page)

    page.get_by_role("button", name="Send a reminder to each lead").click()
    page.wait_for_url(f"{demo_site.url}{CHASE}")
    assert "Reminders sent to 15 leads:" in page.locator(".messages").inner_text()
    check(page)
    [to_john] = [email for email in mail.outbox if email.to == ["john.green@example.org"]]
    assert to_john.subject == "Improvement Plan 2009/10: 3 actions to update for August 2009"
    assert to_john.body.startswith("Dear John Green,\n")
    assert Reminder.objects.filter(kind="chase").count() == 15
    assert "(from this list)" in page.locator("main").inner_text()

    page.get_by_role("link", name="Leads' names and email addresses").click()
    assert page.locator("h1").inner_text() == "Leads' names and email addresses"
    check(page)
    page.goto(f"{demo_site.url}{CHASE}")
    page.get_by_role("link", name="Change the deadline and reminders").click()
    check(page)
    page.get_by_label("Day of the following month the updates are due").fill("31")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator("#error-summary")).to_be_focused()
    check(page)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_officer_is_emailed_the_decision_on_their_request(demo_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    mail.outbox.clear()
    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}/plans/{PLAN}/approvals/")
    # 7.3.3's suspension, asked for by the officer (PS: Rebecca Dunne) in the demo.
    request = page.locator("section", has=page.locator("h2", has_text="Suspension of 7.3.3"))
    request.get_by_label("Reject").check()
    request.get_by_label("Comment").fill("CMT wants the matrix this year")
    request.get_by_role("button", name="Record the decision on 7.3.3").click()
    page.wait_for_load_state("networkidle")
    assert "Suspension of 7.3.3 rejected." in page.locator(".messages").inner_text()
    [email] = mail.outbox  # the officer asked and leads 7.3.3: one email
    assert email.to == ["officer@example.org"]
    assert email.subject == "Improvement Plan 2009/10: Suspension of 7.3.3 rejected"
    assert email.body.startswith(
        "Dear Rebecca Dunne,\n\nYour request to suspend action 7.3.3 from July 2009 was rejected by performance on "
    )
    assert "Note with the decision: \u201cCMT wants the matrix this year\u201d" in email.body
    assert f"See the action: http://127.0.0.1:8000/plans/{PLAN}/actions/" in email.body
