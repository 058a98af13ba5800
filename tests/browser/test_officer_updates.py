"""Issue 4 in real Chromium: the officer's monthly update with the keyboard only, a re-programme
requested and approved, and axe-core (WCAG 2.2 AA) on every page of the issue."""

import json

from django.core.management import call_command

from plans.models import Action, MonthlyStatus
from tests.browser.conftest import axe_violations, log_in

PLAN = "bromsgrove-2009-10"


def action_pk(ref: str) -> int:
    return Action.objects.get(plan__slug=PLAN, ref=ref).pk


def tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching ``selector`` has the focus (fails if it never does)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def july_figures() -> dict:
    from io import StringIO

    out = StringIO()
    call_command("report_summary", "--plan", PLAN, "--month", "2009-07", "--format", "json", stdout=out)
    return json.loads(out.getvalue())["counts"]


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
            return {tag: e.tagName, id: e.id, name: e.name || '', type: e.type || ''}; }"""
    )


def test_officer_updates_ten_actions_with_the_keyboard_only(demo_site, page):
    page.goto(f"{demo_site.url}/accounts/login/")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_username'")
    page.keyboard.type("officer")
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    # The login lands on the home page; its button opens the month's actions.
    page.wait_for_url(f"{demo_site.url}/")
    tab_to(page, f"main a[href='/plans/{PLAN}/my/2009-07/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{demo_site.url}/plans/{PLAN}/my/2009-07/"
    assert page.locator("h1").inner_text() == "My actions for July 2009"
    assert page.locator("section.month-row:not(.indicator-row)").count() == 10
    assert page.locator("section.indicator-row").count() == 2  # TC1 and TC2, which PS leads
    assert axe_violations(page) == []

    # From the top of the page to Save, every action is three Tab stops: its status radios (one
    # group: the arrow keys choose), its corrective action, and "More" (revised date, completed
    # month, progress note, closed). Issue 18 counted 77 presses for these 10 actions (82 once
    # the measures' progress updates were added); the header, the plan link and the five
    # measures' progress updates make up the rest.
    second = action_pk("1.1.2")
    presses, typed = 0, 0
    while not page.evaluate("document.activeElement.matches('main button[type=submit]')"):
        page.keyboard.press("Tab")
        presses += 1
        now = focused(page)
        if now["type"] == "radio" and now["name"] == f"a{second}-status":
            page.keyboard.press("ArrowLeft")  # 1.1.2: from Green to Amber
        if now["name"].endswith("-corrective_action"):
            page.keyboard.press("Control+A")
            page.keyboard.type(f"Reviewed with the team, update {typed + 1}")
            typed += 1
        assert presses < 100, now
    # 42 for the actions, the header and the progress updates; 6 for the two indicators PS leads
    # (each: its link, actual and note); 3 for the menu's links added since (Home, Corporate risks,
    # Inspection recommendations).
    assert presses == 51
    assert typed == 10
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The confirmation panel heads the page and has the focus.
    assert page.locator("#confirmation .panel-title").inner_text() == "Saved 10 actions for July 2009."
    page.wait_for_function("document.activeElement && document.activeElement.id === 'confirmation'")
    assert page.evaluate("document.getElementById('confirmation').getBoundingClientRect().top") >= 0
    assert page.evaluate("location.hash") == "#confirmation"
    assert axe_violations(page) == []
    saved = MonthlyStatus.objects.get(action_id=second, month="2009-07-01")
    assert (saved.status, saved.corrective_action) == ("AMBER", "Reviewed with the team, update 2")


def test_the_fields_behind_more_open_with_the_keyboard(demo_site, page):
    log_in(page, demo_site.url, "officer")
    page.get_by_role("link", name="Update your actions for July 2009").click()
    page.wait_for_load_state("networkidle")
    third = action_pk("1.2.1")
    tab_to(page, f"#action-{third} details.more > summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == f"id_a{third}-revised_target"
    page.keyboard.press("ArrowDown")  # September 2009 -> October 2009
    tab_to(page, f"#id_a{third}-note")
    page.keyboard.type("Funding bid drafted")
    assert axe_violations(page) == []
    tab_to(page, "main button[type=submit]", limit=1000)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Saved" in page.locator("#confirmation").inner_text()
    assert str(Action.objects.get(pk=third).revised_target) == "2009-10-01"
    assert MonthlyStatus.objects.get(action_id=third, month="2009-07-01").note == "Funding bid drafted"


def test_an_error_is_summarised_and_linked_to_its_field(demo_site, page):
    log_in(page, demo_site.url, "officer")
    page.get_by_role("link", name="Update your actions for July 2009").click()
    page.wait_for_load_state("networkidle")
    pk = action_pk("1.1.2")
    page.check(f"#id_a{pk}-status_1")  # Amber, where the dates suggest Green
    page.fill(f"#id_a{pk}-corrective_action", "")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    summary = page.locator(".error-summary")
    assert (
        "1.1.2, corrective action: The dates suggest Green: say why the status is Amber."
        in summary.inner_text()
    )
    # GOV.UK: the error summary takes the focus, so it is read first.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    assert axe_violations(page) == []
    summary.locator("a").first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == f"#id_a{pk}-corrective_action"


def test_reprogramme_requested_by_the_officer_and_approved_by_the_performance_team(demo_site, page):
    assert july_figures() == {"RED": 0, "AMBER": 11, "GREEN": 67, "REPRO": 0, "SUSP": 5}
    log_in(page, demo_site.url, "officer")
    page.goto(f"{demo_site.url}/plans/{PLAN}/actions/{action_pk('1.2.1')}/request/2009-07/")
    assert axe_violations(page) == []
    page.check("#id_kind_0")
    page.select_option("#id_new_target", "2009-11")
    page.fill("#id_reason", "On hold pending Sainsbury's planning application")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Re-programme of 1.2.1 requested" in page.locator(".messages").inner_text()
    page.context.clear_cookies()

    log_in(page, demo_site.url, "performance")
    page.goto(f"{demo_site.url}/plans/{PLAN}/approvals/")
    assert axe_violations(page) == []
    request = page.locator("section", has_text="1.2.1")
    request.locator("input[value=approve]").check()
    request.locator("textarea").fill("Agreed by CMT")
    request.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert "Re-programme of 1.2.1 approved." in page.locator(".messages").inner_text()
    assert july_figures() == {"RED": 0, "AMBER": 10, "GREEN": 67, "REPRO": 1, "SUSP": 5}

    page.goto(f"{demo_site.url}/plans/{PLAN}/?status=REPRO&month=2009-07")
    assert page.locator("table.plan-grid tbody tr:not(.priority-row):not(.measure-row)").count() == 1
    assert "1.2.1" in page.locator("table.plan-grid").inner_text()


def test_axe_finds_nothing_on_the_pages_of_issue_4(demo_site, page):
    log_in(page, demo_site.url, "performance")
    for path in (
        f"/plans/{PLAN}/",
        f"/plans/{PLAN}/?priority=&lead=&status=AMBER&month=2009-07&q=",
        f"/plans/{PLAN}/?status=PURPLE",
        f"/plans/{PLAN}/approvals/",
        f"/plans/{PLAN}/chase/2009-08/",
        f"/plans/{PLAN}/actions/{action_pk('1.1.1')}/",
    ):
        page.goto(f"{demo_site.url}{path}")
        assert (path, axe_violations(page)) == (path, [])
