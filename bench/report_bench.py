"""Benchmark of the exception report: plans of 100, 1,000 and 10,000 actions with two years of
statuses; prints, for each, the time of the report page, its JSON and the plan page, and their
queries.

    .venv/bin/python bench/report_bench.py [--sizes 100 1000 10000] [--runs 5]

Runs in a throwaway SQLite database of its own (or the database named by BENCH_DATABASE_URL, which
it fills and does not clean up), never the project's database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page (median reported)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="report-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvement.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from plans import roles
    from tests.factories import make_sized_plan

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench-cmt", password="bench-only")
    user.groups.add(Group.objects.get(name=roles.CMT))
    client = Client()
    client.force_login(user)

    def measure(url: str) -> tuple[float, float, int]:
        """Median wall-clock and CPU milliseconds, and queries. The web process and SQLite run in
        this one process, so CPU time is the request's own cost even when the machine is busy."""
        client.get(url)  # warm up: templates compiled, caches filled
        wall, cpu = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(wall), statistics.median(cpu), len(queries)

    print(
        f"database: {connection.vendor}; median of {args.runs} requests after one warm-up; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print("ms = wall clock / CPU time of this process (server and SQLite run in it); q = queries")
    print(
        f"{'actions':>8}  {'report ms':>13} {'q':>3}  {'json ms':>13} {'q':>3}  {'plan page ms':>13} {'q':>3}"
    )
    for size in args.sizes:
        started = time.perf_counter()
        previous = make_sized_plan(size, first_month="2008-07")
        plan = make_sized_plan(size, previous=previous)
        built = time.perf_counter() - started
        month = "2010-06"  # the last month of the second year: both years fully reported
        report = measure(f"/reports/{plan.slug}/{month}/")
        summary = measure(f"/reports/{plan.slug}/{month}/summary.json")
        plan_page = measure(f"/plans/{plan.slug}/")
        cells = "  ".join(
            f"{f'{wall:.0f} / {cpu:.0f}':>13} {queries:>3}"
            for wall, cpu, queries in (report, summary, plan_page)
        )
        print(f"{size:>8}  {cells}   (data built in {built:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
