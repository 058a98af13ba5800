"""The pages of issue 8 in Chromium with the Content-Security-Policy on: the lockout page and the
503 page pass axe-core, and the browser reports no policy violation."""

from unittest import mock

import pytest
from django.db import OperationalError

from tests.browser.conftest import axe_violations, log_in
from tests.factories import make_user


@pytest.fixture
def officer(transactional_db):
    user = make_user("j.smith")
    user.set_password("correct horse battery staple")
    user.save()
    return user


def watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    return violations


def test_the_lockout_page_after_five_failed_log_ins(live_server, page, officer):
    csp = watch_csp(page)
    for _ in range(5):
        log_in(page, live_server.url, "j.smith", "a wrong guess")
    log_in(page, live_server.url, "j.smith", "correct horse battery staple")
    assert page.locator("h1").inner_text() == "Too many failed log-ins"
    assert axe_violations(page) == []
    assert csp == []


def test_the_503_page_while_the_database_is_unreachable(live_server, page, officer):
    csp = watch_csp(page)
    log_in(page, live_server.url, "j.smith", "correct horse battery staple")
    # Every session read fails, in the live server's thread too, as when PostgreSQL is down.
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = page.goto(f"{live_server.url}/")
        assert response.status == 503
        assert page.locator("h1").inner_text() == "Sorry, the service is unavailable"
        assert "Traceback" not in page.content()
        assert axe_violations(page) == []
    assert csp == []
