"""Rotherham's progress report in the browser: at a desktop's and a phone's width nothing scrolls the
page sideways (the key-action tables stack into cards) and axe-core finds nothing."""

import pytest

from tests.browser.conftest import axe_violations, log_in, sideways

REPORT = "/reports/rotherham-like/2007-09/"


@pytest.fixture
def site(live_server, transactional_db):
    from django.apps import apps

    from plans.roles import sync_groups
    from tests.factories import make_user
    from tests.reports.test_progress_report import make_rotherham_like

    sync_groups(apps)  # a transactional test's flush empties the role groups
    make_rotherham_like()
    make_user("board-clerk", "Clerk")
    return live_server


@pytest.mark.parametrize("width", [1366, 390])
def test_the_progress_report_fits_the_screen_and_passes_axe(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, site.url, "board-clerk", "pw-for-tests-only")
    page.goto(site.url + REPORT)
    assert page.locator("h1").inner_text().startswith("Progress report for September 2007")
    assert page.get_by_text("Some slippage reported").first.is_visible()
    page.screenshot(path=f"/tmp/progress-report-{width}.png", full_page=True)
    assert sideways(page) <= 0
    assert axe_violations(page) == []
