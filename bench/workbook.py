"""Benchmark of the plan workbook: read, import, re-import and export, for the 2007/08 plan of
seed 001 (291 actions) and for a plan ten times its size (2,910 actions, every month a status).

    .venv/bin/python bench/workbook.py

Runs in a throw-away SQLite database in a temporary folder; prints seconds and query counts.
"""

import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="bench-workbook-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvement.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from plans.status import COUNTED  # noqa: E402
from plans.workbook.importer import import_plan  # noqa: E402
from plans.workbook.reader import Cell, ParsedPlan, read_workbook  # noqa: E402
from plans.workbook.writer import export_plan, workbook_bytes, write_workbook  # noqa: E402

FIXTURE = ROOT / "fixtures" / "bromsgrove-2007-08.xlsx"


def timed(label: str, work):
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    print(f"  {label:<32}{seconds:>8.2f} s{len(queries):>8} queries")
    return result


def tenfold(parsed: ParsedPlan) -> ParsedPlan:
    """Ten copies of every priority (codes suffixed), each action with a status in every month."""
    big = ParsedPlan(title="Ten times 2007/08", first_month=parsed.first_month)
    for n in range(10):
        big.priorities += [replace(p, code=f"{p.code}-{n}") for p in parsed.priorities]
        big.measures += [replace(m, priority=f"{m.priority}-{n}") for m in parsed.measures]
        big.actions += [
            replace(
                a,
                priority=f"{a.priority}-{n}",
                grid={
                    m: Cell(COUNTED[(i + n) % 5], "", m in a.grid) for i, m in enumerate(parsed.month_list)
                },
            )
            for a in parsed.actions
        ]
    return big


def run(label: str, data: bytes, slug: str) -> None:
    print(f"{label}: {len(data) / 1024:.0f} KB")
    parsed = timed("read (checks + openpyxl)", lambda: read_workbook(data))
    plan = timed("import as a new plan", lambda: import_plan(parsed, slug=slug)).plan
    again = read_workbook(data, plan=plan)
    timed("re-import, nothing changed", lambda: import_plan(again, plan=plan))
    timed("export", lambda: export_plan(plan))


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    data = FIXTURE.read_bytes()
    run("Bromsgrove 2007/08 (291 actions)", data, "bench-2007-08")
    big = workbook_bytes(write_workbook(tenfold(read_workbook(data))))
    run("Ten times the plan (2,910 actions, 36,960 statuses)", big, "bench-tenfold")
