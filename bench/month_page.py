"""CPU per request of the officer's month page ("My actions"), and of the pages around it.

    .venv/bin/python bench/month_page.py [--runs 30]

In a throw-away in-memory SQLite database (the server and the database run in this process, so
the figure includes the queries): the demo's July 2009 month page as ``officer`` (10 actions),
a month page of 20 actions as their lead (5 measures, each action with a revised date, a
corrective action and last month's status) and the same page for the performance team through
the lead's page, the 20-action page's save (POST, redirect not followed), and the action page
with its history. Prints, per page, the median and best CPU time of ``--runs`` requests after
two warm-ups, the queries and the bytes. Target (issue 18): under 25 ms for the page of 20
actions.

The month page's figure is ``month_page_figures``; another page's figures go in a function of
their own beside it.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvement.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ.setdefault("MEDIA_ROOT", "/tmp/bench-month-page-media")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from plans import roles, services  # noqa: E402
from plans.models import Action, Organisation, Plan  # noqa: E402
from plans.periods import Month  # noqa: E402
from tests.factories import (  # noqa: E402
    load_demo,
    make_action,
    make_lead,
    make_measure,
    make_plan,
    make_priority,
    make_user,
)


def twenty_actions(officer: User) -> tuple[Plan, int]:
    """A plan whose officer leads 20 actions live in August 2009 under 5 measures, each with a
    revised date, a corrective action and a July status; returns the plan and the lead's id."""
    # The demo council's: its performance team opens the lead's page (another council's is 404).
    council = Organisation.objects.get(slug="bromsgrove")
    plan = make_plan(slug="bench-twenty", title="Bench plan of twenty", organisation=council)
    lead = make_lead("BT", user=officer, name="Bench Twenty", organisation=council)
    with_july = []
    for p in range(5):
        measure = make_measure(
            make_priority(plan, code=f"CP{p + 1}", title=f"Priority {p + 1}"), ref=f"{p + 1}.1"
        )
        for n in range(4):
            with_july.append(
                make_action(
                    measure,
                    ref=f"{p + 1}.1.{n + 1}",
                    description=f"Action {n + 1} of measure {p + 1}.1, described as a plan does",
                    leads=[lead],
                    original="2009-07" if n % 2 else "2009-08",
                    revised="2009-10",
                    planned=["2009-07", "2009-08"],
                    corrective_action="Meeting planned for September to start this work with the architects.",
                )
            )
    services.set_statuses(
        plan=plan,
        writes=[
            services.StatusWrite(
                a, Month(2009, 7), "AMBER", corrective_action="Behind: see the revised date."
            )
            for a in with_july
        ],
    )
    return plan, lead.pk


def cpu_per_request(
    client: Client, method: str, url: str, runs: int, form=None
) -> tuple[float, float, int, int]:
    """(median ms, best ms, queries, bytes) of ``runs`` requests after two warm-ups. A POST sends
    ``form(client, url)``, read before each request and not timed."""
    times = []
    for run in range(runs + 2):
        data = form(client, url) if form else None
        with CaptureQueriesContext(connection) as queries:
            start = time.process_time()
            response = client.post(url, data) if method == "post" else client.get(url)
            elapsed = (time.process_time() - start) * 1000
        assert response.status_code == (302 if method == "post" else 200), (url, response.status_code)
        if run >= 2:
            times.append(elapsed)
    return statistics.median(times), min(times), len(queries), len(response.content)


def month_page_figures(runs: int) -> list[tuple[str, tuple[float, float, int, int]]]:
    officer_client, twenty_client, performance_client = Client(), Client(), Client()
    officer_client.force_login(User.objects.get(username="officer"))
    performance_client.force_login(User.objects.get(username="performance"))
    twenty_officer = make_user(
        "bench-twenty", roles.OFFICER, organisation=Organisation.objects.get(slug="bromsgrove")
    )
    twenty_client.force_login(twenty_officer)
    plan, lead = twenty_actions(twenty_officer)
    demo = "/plans/bromsgrove-2009-10"
    page = f"/plans/{plan.slug}/my/2009-08/"
    first = Action.objects.get(plan__slug="bromsgrove-2009-10", ref="1.1.1").pk
    return [
        ("month page, demo July 2009 (10 actions)", cpu_per_request(officer_client, "get", f"{demo}/my/2009-07/", runs)),
        ("month page, 20 actions", cpu_per_request(twenty_client, "get", page, runs)),
        ("lead's month page, 20 actions", cpu_per_request(performance_client, "get", f"/plans/{plan.slug}/leads/{lead}/2009-08/", runs)),
        ("save of the 20, untouched", cpu_per_request(twenty_client, "post", page, runs, save_data)),
        ("action page 1.1.1 with history", cpu_per_request(officer_client, "get", f"{demo}/actions/{first}/", runs)),
    ]  # fmt: skip


def save_data(client: Client, url: str) -> dict:
    """The page's form as a browser would post it, untouched."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data: dict[str, list[str]] = {}
            self.select: str | None = None
            self.textarea: str | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and (a.get("type") not in ("radio",) or "checked" in a):
                self.data.setdefault(a["name"], []).append(a.get("value", ""))
            elif tag == "select":
                self.select = a["name"]
                self.data.setdefault(self.select, [""])
            elif tag == "option" and self.select and "selected" in a:
                self.data[self.select] = [a["value"]]
            elif tag == "textarea":
                self.textarea = a["name"]
                self.data[self.textarea] = [""]

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.data[self.textarea][0] += data.lstrip("\n")

    parser = Form()
    parser.feed(client.get(url).content.decode())
    return parser.data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    # As in production: templates without debug records. (Not ``setup_test_environment``, whose
    # instrumented template rendering sends a signal per template and doubles the figure.)
    settings.DEBUG = False
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per forced log-in otherwise
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    load_demo()
    print(f"CPU per request, median (best) of {args.runs}, SQLite in memory, this process only")
    print(f"{'page':<44}{'median ms':>10}{'best ms':>9}{'queries':>9}{'bytes':>9}")
    for name, (median, best, queries, size) in month_page_figures(args.runs):
        print(f"{name:<44}{median:>10.1f}{best:>9.1f}{queries:>9}{size:>9}")


if __name__ == "__main__":
    main()
