"""CPU per request of the month-end mix that ``bench/load.py`` sends, page by page, and the CPU a
second that mix asks of the server: the load plan (``--officers`` × ``--actions-each`` actions live
in August 2009) and the demo, in a throwaway SQLite database, through Django's test client.

    .venv/bin/python bench/month_end_cpu.py [--officers 150] [--readers 60] [--think 5] [--runs 5]

Each virtual user of ``bench/load.py`` sends one request and pauses ``--think`` seconds on
average, so the server is asked for about (officers + readers) / think requests a second: an
officer's are half "My actions" and half its save; a reader's are the dashboard, the load plan's
report, the demo's July 2009 report and the summary JSON in turn. The product of those rates and
the CPU each request takes here is the CPU a second the pages need (without gunicorn, HTTP and
PostgreSQL's own share, and without the log-ins): above the machine's cores, the server saturates.
The load plan's report and JSON are timed with the kept copies dropped before each request, as the
JSON is in that mix (every save moves the plan's data version on); their cached cost is printed
after. For the report that is an upper bound: while officers save, each server process builds the
draft again at most every ``REPORT_DRAFT_REFRESH`` seconds (``reports.versions``) and serves the
kept one meanwhile.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=150)
    parser.add_argument("--actions-each", type=int, default=6)
    parser.add_argument("--readers", type=int, default=60)
    parser.add_argument("--think", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page (median reported)")
    args = parser.parse_args()

    from page_cpu import demo_database  # bench/page_cpu.py

    demo_database("month-end-cpu-")
    import load  # bench/load.py: the same load plan and pages
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Action, MonthlyStatus
    from reports import versions

    load.set_up_data(args.officers, args.actions_each, args.readers)
    # August as it stands late in the load: every action has a status, about a third behind.
    MonthlyStatus.objects.bulk_create(
        MonthlyStatus(
            action=a, month=f"{load.MONTH}-01", status=random.choice(["GREEN"] * 2 + ["AMBER", "RED"])
        )
        for a in Action.objects.filter(plan__slug=load.PLAN_SLUG)
    )
    reader, officer = Client(), Client()
    reader.force_login(User.objects.get(username="load-cmt-00"))
    officer.force_login(User.objects.get(username="load-officer-00"))
    my_actions = f"/plans/{load.PLAN_SLUG}/my/{load.MONTH}/"

    def save_body() -> dict:
        content = officer.get(my_actions).content
        body = {"csrfmiddlewaretoken": "", "action": []}
        versions = {int(a): v.decode() for a, v in load.VERSION.findall(content)}
        for pk in (int(a) for a in load.ACTION.findall(content)):
            body["action"].append(str(pk))
            body.update({f"a{pk}-version": versions[pk], f"a{pk}-status": random.choice(["GREEN", "AMBER"]),
                         f"a{pk}-corrective_action": "Load test", f"a{pk}-note": "load",
                         f"a{pk}-revised_target": "", f"a{pk}-completed": ""})  # fmt: skip
        return body

    def cpu(request, cold: bool = False) -> float:
        """Median CPU ms of ``request``; ``cold``: with the kept copies dropped before each (not timed),
        as the load plan's report and JSON are while officers save (each save moves the plan's
        data version on, ``reports.versions``)."""
        request()  # warm up
        times = []
        for _ in range(args.runs):
            if cold:
                versions.forget()
            started = time.process_time()
            request()
            times.append((time.process_time() - started) * 1000)
        return statistics.median(times)

    def save():
        body = save_body()  # not timed: the page read before the save
        started = time.process_time()
        response = officer.post(my_actions, body)
        assert response.status_code == 302, response.status_code
        return (time.process_time() - started) * 1000

    save()
    save_ms = statistics.median(save() for _ in range(args.runs))
    officer_rate = args.officers / args.think / 2  # each of GET and save
    reader_rate = args.readers / args.think / 4  # each of the four pages
    pages = [
        ("my actions (GET)", cpu(lambda: officer.get(my_actions)), officer_rate),
        ("my actions (save)", save_ms, officer_rate),
        ("home page", cpu(lambda: reader.get("/")), reader_rate),
        (
            "report (load plan)",
            cpu(lambda: reader.get(f"/reports/{load.PLAN_SLUG}/{load.MONTH}/"), cold=True),
            reader_rate,
        ),
        ("report (demo July 2009)", cpu(lambda: reader.get(load.DEMO_REPORT)), reader_rate),
        (
            "summary JSON",
            cpu(lambda: reader.get(f"/reports/{load.PLAN_SLUG}/{load.MONTH}/summary.json"), cold=True),
            reader_rate,
        ),
    ]
    # Not in the mix: the same two from the cache, as between saves.
    unchanged = [
        ("report (load plan), cached", cpu(lambda: reader.get(f"/reports/{load.PLAN_SLUG}/{load.MONTH}/"))),
        ("summary JSON, cached", cpu(lambda: reader.get(f"/reports/{load.PLAN_SLUG}/{load.MONTH}/summary.json"))),
    ]  # fmt: skip
    load_average = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"{args.officers} officers × {args.actions_each} actions, {args.readers} readers, think {args.think} s; "
          f"load average {load_average}")  # fmt: skip
    print(f"{'page':<26}{'CPU ms':>8}{'req/s':>8}{'CPU s/s':>9}")
    total = 0.0
    for name, ms, rate in pages:
        total += ms * rate / 1000
        print(f"{name:<26}{ms:>8.1f}{rate:>8.1f}{ms * rate / 1000:>9.2f}")
    print(
        f"{'all':<26}{'':>8}{officer_rate * 2 + reader_rate * 4:>8.1f}{total:>9.2f}  (cores: {os.cpu_count()})"
    )
    for name, ms in unchanged:
        print(f"{name:<26}{ms:>8.1f}  (not in the mix: no save since the last read)")


if __name__ == "__main__":
    main()
