"""Browser tests: real Chromium (Debian's package) driven by Playwright, axe-core for WCAG 2.2 AA.

Without Chromium the tests are skipped with a plain message; under CI=true a missing Chromium
fails the run instead.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the live server's database calls
# happen in Django's own threads, so allowing "async-unsafe" calls here is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if CHROMIUM or not browser_items:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError("Chromium is not installed, and CI=true needs the browser tests to run.")
    skip = pytest.mark.skip(
        reason="Chromium is not installed (apt-get install chromium): browser tests skipped"
    )
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def demo_site(live_server, transactional_db):
    """The live server with the demo plans and logins loaded."""
    from django.apps import apps

    from plans.roles import sync_groups
    from tests.factories import load_demo

    # A transactional test's flush empties every table, the role groups made by the migration
    # included; put them back before loading the demo.
    sync_groups(apps)
    load_demo()
    return live_server


def log_in(page, base_url: str, username: str, password: str = "demo") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    page.wait_for_load_state("networkidle")


def sideways(page) -> int:
    """How far the page scrolls sideways (0 or less: it does not)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page for WCAG 2.0/2.1/2.2 A and AA; return the violations."""
    # Served as a same-origin script: the site's Content-Security-Policy refuses inline scripts,
    # and the browser tests run with that policy on so an inline script in a page fails here.
    origin = page.evaluate("() => location.origin")
    axe_url = f"{origin}/__test__/axe.min.js"
    page.route(
        axe_url,
        lambda route: route.fulfill(body=AXE.read_text(), content_type="application/javascript"),
    )
    page.add_script_tag(url=axe_url)
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
