"""How fast the PDFs are made: render time, pages and bytes for the demo July 2009 appendix and
cover and for full plans of several sizes, beside the same HTML rendered by bare WeasyPrint, so
that the product's own overhead is a ratio measured in one run. Also: the open-month appendix
delivered through its view, and a stored PDF served from storage.

    .venv/bin/python bench/pdf_bench.py [--sizes 100,500] [--repeat 1]

Runs in a throw-away SQLite database and media directory; nothing of the project's is touched.
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
WORK = Path(tempfile.mkdtemp(prefix="pdf-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvement.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from weasyprint import HTML  # noqa: E402

from plans.models import Action, Lead, Measure, MonthlyStatus, Organisation, Plan, PlannedMonth, Priority  # noqa: E402
from plans.periods import Month  # noqa: E402
from reports import documents, renders  # noqa: E402
from reports.models import Document, RenderRequest  # noqa: E402
from reports.pdf import PDF_VARIANT  # noqa: E402

JULY = Month(2009, 7)
STATIC = ROOT / "static"


def timed(fn, repeat: int):
    """Best of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def served_from_storage(client, url: str, times: int = 20) -> tuple[list[float], bytes]:
    """Milliseconds to fetch a stored PDF through its view, ``times`` times, and its bytes."""
    served = []
    for _ in range(times):
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content)
        served.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200 and body.startswith(b"%PDF"), response.status_code
    return served, body


def bare(html: str, *, variant: str | None) -> tuple[bytes, int]:
    """The same HTML through WeasyPrint with its own fetcher reading the static files directly."""
    html = html.replace('href="/static/', f'href="file://{STATIC}/')
    document = HTML(string=html, base_url=f"file://{STATIC}/").render(pdf_variant=variant)
    return document.write_pdf(pdf_variant=variant), len(document.pages)


def make_plan(actions: int) -> Plan:
    """A plan of ``actions`` actions: 5 per measure, 4 measures per priority, each action planned in
    two months with a July status and a corrective action of a few lines."""
    organisation, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench Council"})
    plan = Plan.objects.create(
        slug=f"bench-{actions}",
        title=f"Bench plan of {actions} actions",
        first_month=JULY.first_day,
        organisation=organisation,
    )
    lead, _ = Lead.objects.get_or_create(organisation=organisation, initials="PS")
    position = 0
    statuses = ["GREEN"] * 8 + ["AMBER", "RED"]
    for p in range((actions + 19) // 20):
        priority = Priority.objects.create(
            plan=plan, code=f"CP{p + 1}", title=f"Priority {p + 1}", position=p
        )
        for m in range(4):
            measure = Measure.objects.create(
                priority=priority,
                ref=f"{p + 1}.{m + 1}",
                title=f"Measure of success {p + 1}.{m + 1}",
                position=m,
            )
            for a in range(5):
                if position >= actions:
                    break
                position += 1
                action = Action.objects.create(
                    plan=plan,
                    measure=measure,
                    ref=f"{p + 1}.{m + 1}.{a + 1}",
                    description="Agree and publicise the partnership's twelve-month action plan " * 2,
                    position=position,
                    original_target=JULY.first_day,
                    corrective_action="Meeting planned for September to start this work. " * 3,
                )
                action.leads.add(lead)
                PlannedMonth.objects.bulk_create(
                    [
                        PlannedMonth(action=action, month=JULY.first_day),
                        PlannedMonth(action=action, month=(JULY + 3).first_day),
                    ]
                )
                MonthlyStatus.objects.create(
                    action=action, month=JULY.first_day, status=statuses[position % 10]
                )
    return plan


def row(name: str, seconds: float, pages: int, size: int, bare_seconds: float, bare_ua: float, build: float):
    print(
        f"{name:<30}{seconds:7.2f} s{pages:6d}{size:9d}  {build:6.3f} s  {bare_seconds:6.2f} s  {bare_ua:6.2f} s"
        f"  {seconds / bare_ua:5.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,500", help="full plan sizes in actions (default 100,500)")
    parser.add_argument("--repeat", type=int, default=1, help="renders per figure; the median is printed")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--force", verbosity=0)
    demo = Plan.objects.get(slug="bromsgrove-2009-10")

    print(f"WeasyPrint, {os.cpu_count()} CPUs; work directory {WORK}")
    print(
        f"{'document':<30}{'product':>9}{'pages':>6}{'bytes':>9}  {'build':>8}  {'bare':>8}  {'bare UA':>8}  overhead"
    )
    cases = [
        ("July 2009 appendix (demo)", "pdf/appendix.html", documents.build_appendix, demo),
        ("July 2009 cover (demo)", "pdf/cover.html", documents.build_cover, demo),
        ("full plan, demo (94 actions)", "pdf/full_plan.html", documents.build_full_plan, demo),
    ]
    for size in [int(s) for s in args.sizes.split(",") if s]:
        cases.append(
            (f"full plan, {size} actions", "pdf/full_plan.html", documents.build_full_plan, make_plan(size))
        )

    # One untimed render first: fonts, templates and imports are loaded once per process.
    documents.render_appendix(demo, JULY, seconds=None)
    cover = documents.build_cover(demo, JULY)
    bare(render_to_string("pdf/cover.html", {"doc": cover, "report": cover.report}), variant=None)
    for name, template, build, plan in cases:
        renderer = {
            "pdf/appendix.html": documents.render_appendix,
            "pdf/cover.html": documents.render_cover,
            "pdf/full_plan.html": documents.render_full_plan,
        }[template]
        # Big renders take half a minute each: once is enough to see them.
        repeat = args.repeat if plan.actions.count() < 300 else 1
        build_seconds, doc = timed(lambda b=build, p=plan: b(p, JULY), repeat)
        html = render_to_string(template, {"doc": doc, "report": getattr(doc, "report", None)})
        # Interleaved, best of ``repeat``: other work on the machine slows single runs, never speeds them.
        product_times, bare_times, ua_times = [], [], []
        for _ in range(repeat):
            seconds, rendered = timed(lambda r=renderer, p=plan: r(p, JULY, seconds=None), 1)
            product_times.append(seconds)
            bare_times.append(timed(lambda h=html: bare(h, variant=None), 1)[0])
            ua_times.append(timed(lambda h=html: bare(h, variant=PDF_VARIANT), 1)[0])
        seconds, bare_seconds, bare_ua = min(product_times), min(bare_times), min(ua_times)
        row(name, seconds, rendered.pages, len(rendered.content), bare_seconds, bare_ua, build_seconds)

    # Through the views, as a clerk's browser gets them.
    setup_test_environment()
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.get(username="clerk"))
    url = f"/reports/{demo.slug}/{JULY}/appendix.pdf"

    def laid_out():
        # Without the draft kept by the last request, as after any change to the figures. (The
        # limit on renders is for people: the benchmark's repeats are not counted against it.)
        documents.discard(demo, JULY, [Document.Kind.APPENDIX])
        RenderRequest.objects.all().delete()
        return client.get(url)

    seconds, response = timed(laid_out, args.repeat)
    assert response.status_code == 200 and not response.streaming, response.status_code
    print(f"\nopen-month appendix through its view: best {seconds:.2f} s ({len(response.content)} bytes)")
    served_ms, body = served_from_storage(client, url)
    print(
        f"the same draft again, nothing changed (the kept copy): median {statistics.median(served_ms):.1f} ms "
        f"(max {max(served_ms):.1f} ms)"
    )

    document = renders.request_render(plan=demo, month=JULY, kind=Document.Kind.PLAN)
    documents.run_render(document)
    served_ms, body = served_from_storage(client, f"/plans/{demo.slug}/plan-{JULY}.pdf")
    print(
        f"stored full plan served from storage: median {statistics.median(served_ms):.1f} ms "
        f"(max {max(served_ms):.1f} ms, {len(body)} bytes)"
    )
    print("\nproduct = build the report objects (build) + template + WeasyPrint with the static-only")
    print("fetcher, PDF/UA-1; bare = the same HTML through WeasyPrint with its own fetcher; bare UA = bare")
    print(
        "with PDF/UA-1 as the product makes it. overhead = product / bare UA (best of --repeat, interleaved)."
    )


if __name__ == "__main__":
    main()
