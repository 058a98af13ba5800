"""CPU per request of the main pages on the demo data: the plan page, the month's report and the
dashboard (and a plan of 100 actions), each the median of repeated requests through Django's test
client, measured with ``time.process_time``.

    .venv/bin/python bench/page_cpu.py [--runs 20] [--as performance]

The client, Django and SQLite all run in this one process, so its CPU time is each request's own
cost even while other work shares the machine (wall-clock time is printed too, for comparison).
Runs in a throwaway SQLite database of its own, loaded with ``load_demo``; never the project's.

Each page is a function in ``PAGES`` returning (label, url): add a page by adding a function.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEMO = "bromsgrove-2009-10"


def plan_page() -> tuple[str, str]:
    return "plan page (demo, 94 actions)", f"/plans/{DEMO}/"


def plan_page_100() -> tuple[str, str]:
    from tests.factories import make_sized_plan

    plan = make_sized_plan(100)  # statuses in every month, 10 priorities of 10 measures
    return "plan page (100 actions)", f"/plans/{plan.slug}/"


def report_page() -> tuple[str, str]:
    return "report, July 2009 (draft)", f"/reports/{DEMO}/2009-07/"


def published_report_page() -> tuple[str, str]:
    return "report, June 2009 (published)", "/reports/bromsgrove-2008-09/2009-06/"


def dashboard() -> tuple[str, str]:
    return "dashboard", "/dashboard/"


def home_page() -> tuple[str, str]:
    return "home page", "/"


PAGES: list[Callable[[], tuple[str, str]]] = [
    plan_page,
    plan_page_100,
    report_page,
    published_report_page,
    dashboard,
    home_page,
]


def demo_database(prefix: str) -> None:
    """Django set up on a throwaway SQLite database of its own, migrated, with the demo loaded."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{workdir}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvement.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from demo.load import load_demo

    call_command("migrate", verbosity=0)
    load_demo()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (median reported)")
    parser.add_argument("--as", dest="login", default="performance", help="demo login to request as")
    args = parser.parse_args()

    demo_database("page-cpu-")
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(User.objects.get(username=args.login))

    print(
        f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}; {args.runs} runs each, as {args.login}"
    )
    print(f"{'page':<34}{'CPU ms':>8}{'wall ms':>9}{'queries':>9}{'bytes':>9}")
    for page in PAGES:
        label, url = page()
        response = client.get(url)  # warm up: templates compiled, caches filled
        assert response.status_code == 200, (url, response.status_code)
        cpu, wall = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
        print(
            f"{label:<34}{statistics.median(cpu):>8.1f}{statistics.median(wall):>9.1f}"
            f"{len(queries):>9}{len(response.content):>9}"
        )


if __name__ == "__main__":
    main()
