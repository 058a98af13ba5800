"""Benchmark of issue 4's pages: queries and time of the plan page, the officer's month page and
the CSV export as the plan grows. Prints one line per page and size.

    .venv/bin/python bench/issue4_pages.py [sizes...]      # default 100 1000

Runs on a throw-away in-memory SQLite database (or DATABASE_URL if set to a scratch database: it
migrates it and adds a plan named bench-<size>).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvement.settings")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from plans.models import Action, Lead, Measure, MonthlyStatus, Plan, PlannedMonth, Priority  # noqa: E402
from plans.periods import Month  # noqa: E402
from tests.factories import default_organisation, make_user  # noqa: E402


def build(size: int, officer) -> Plan:
    organisation = default_organisation()
    plan = Plan.objects.create(
        slug=f"bench-{size}",
        title=f"Bench {size}",
        first_month=Month(2009, 7).first_day,
        organisation=organisation,
    )
    lead, _ = Lead.objects.get_or_create(organisation=organisation, initials="BN", defaults={"user": officer})
    months = plan.month_list
    actions = []
    for p in range(10):
        priority = Priority.objects.create(plan=plan, code=f"CP{p}", title=f"Priority {p}", position=p)
        measure = Measure.objects.create(priority=priority, ref=f"{p}.1", title="Measure", position=0)
        for n in range(size // 10):
            actions.append(
                Action(
                    plan=plan, measure=measure, ref=f"{p}.1.{n}", description=f"Action {n}",
                    position=len(actions) + 1, original_target=months[n % 12].first_day,
                )
            )  # fmt: skip
    Action.objects.bulk_create(actions)
    actions = list(plan.actions.all())
    Action.leads.through.objects.bulk_create(Action.leads.through(action=a, lead=lead) for a in actions)
    PlannedMonth.objects.bulk_create(PlannedMonth(action=a, month=months[0].first_day) for a in actions)
    MonthlyStatus.objects.bulk_create(
        MonthlyStatus(action=a, month=m.first_day, status="GREEN") for a in actions for m in months[:6]
    )
    return plan


def measure(client: Client, url: str) -> tuple[int, float, int]:
    client.get(url)  # warm the template cache
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), elapsed, len(response.content)


def main(sizes: list[int]) -> None:
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    officer = make_user("bench-officer", "Officer")
    client = Client()
    client.force_login(officer)
    print(f"{'page':<28}{'actions':>8}{'queries':>9}{'ms':>9}{'bytes':>10}")
    for size in sizes:
        plan = build(size, officer)
        for name, url in (
            ("plan page (100 a page)", f"/plans/{plan.slug}/"),
            ("my month July", f"/plans/{plan.slug}/my/2009-07/"),
            ("CSV export (all rows)", f"/plans/{plan.slug}/export.csv"),
        ):
            queries, elapsed, size_bytes = measure(client, url)
            print(f"{name:<28}{size:>8}{queries:>9}{elapsed:>9.0f}{size_bytes:>10}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000])
