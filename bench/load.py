"""Month-end load test: officers updating their month while CMT readers open reports and PDFs.

Runs against gunicorn and PostgreSQL on 127.0.0.1, as the README's production set-up (DEBUG
off, hashed static files, the requests arriving as nginx would send them, with
``X-Forwarded-Proto: https``). It

1. sets up a load plan in the database of ``DATABASE_URL``: ``--officers`` officers leading
   ``--actions-each`` actions live in August 2009, ``--readers`` CMT readers (password hashing is
   the real one, so each log-in costs what it costs in production);
2. with ``--serve``, starts gunicorn (``gunicorn.conf.py``) and the task worker itself on
   ``--port`` and stops them at the end (otherwise it uses the server already at ``--base``);
3. runs every virtual user in its own thread for ``--seconds`` or until ``--max-requests``:
   an officer opens "My actions" and saves a status, corrective action and note for each of
   their actions; a reader opens the dashboard, the load plan's and the demo's July 2009 report,
   the month's summary JSON and, every few rounds, the full-plan or appendix PDF (202 while the
   first copy renders; once one is stored, that copy while a newer one renders);
4. prints throughput, p50/p95/p99 per page, how many PDF requests got a PDF (and how many of
   those the stored copy while a newer one was prepared), 202 or an error, and every error;
5. checks that every update the server acknowledged (a 302 after the save) is in the database
   exactly as sent, and that the report's figures equal a recount of the raw statuses.

Exit status 0 when there were no errors, no lost update and the figures agree.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/issue8_load \\
        .venv/bin/python bench/load.py --serve --port 8108 --seconds 120
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLAN_SLUG = "load-2009-10"
MONTH = "2009-08"
PASSWORD = "load-test-password-not-for-production"
DEMO_REPORT = "/reports/bromsgrove-2009-10/2009-07/"

# --- Set-up and checks (Django in this process, the same database as the server) -------------


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvement.settings")
    import django

    django.setup()


def set_up_data(officers: int, actions_each: int, readers: int) -> None:
    from axes.models import AccessAttempt
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import transaction

    from audit.models import AuditEvent
    from plans import roles
    from plans.models import (
        Action,
        Lead,
        Measure,
        Membership,
        MonthlyStatus,
        Organisation,
        Plan,
        PlannedMonth,
        Priority,
    )
    from plans.periods import Month

    call_command("migrate", "--noinput", verbosity=0)
    if not Plan.objects.filter(slug="bromsgrove-2009-10").exists():
        call_command("load_demo", "--force", verbosity=0)
        # The demo publishes 2008/09 and queues its 24 PDFs: rendered now, not by the worker
        # while the load runs.
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    with transaction.atomic():
        Plan.objects.filter(slug=PLAN_SLUG).delete()
        User.objects.filter(username__startswith="load-").delete()
        Lead.objects.filter(initials__startswith="LD").delete()
        AccessAttempt.objects.all().delete()
        AuditEvent.objects.filter(username__startswith="load-").delete()

        start = Month.parse("2009-07")
        month = Month.parse(MONTH)
        # The load plan is the demo council's: its people see it beside the demo's plans.
        organisation = Organisation.objects.get(slug="bromsgrove")
        plan = Plan.objects.create(
            slug=PLAN_SLUG,
            title="Load test plan 2009/10",
            first_month=start.first_day,
            months=12,
            organisation=organisation,
        )
        priorities = Priority.objects.bulk_create(
            Priority(plan=plan, code=f"LP{p + 1}", title=f"Load priority {p + 1}", position=p)
            for p in range(10)
        )
        measures = Measure.objects.bulk_create(
            Measure(priority=pr, ref=f"{p + 1}.1", title=f"Measure {p + 1}.1", position=0)
            for p, pr in enumerate(priorities)
        )
        password = make_password(PASSWORD)
        officer_group = Group.objects.get(name=roles.OFFICER)
        cmt_group = Group.objects.get(name=roles.CMT)
        officer_users = User.objects.bulk_create(
            User(username=f"load-officer-{n:02d}", password=password) for n in range(officers)
        )
        reader_users = User.objects.bulk_create(
            User(username=f"load-cmt-{n:02d}", password=password) for n in range(readers)
        )
        # Roles are held per council (plans.backends): memberships of the demo council.
        Membership.objects.bulk_create(
            [Membership(user=u, organisation=organisation, role=officer_group) for u in officer_users]
            + [Membership(user=u, organisation=organisation, role=cmt_group) for u in reader_users]
        )
        leads = Lead.objects.bulk_create(
            Lead(organisation=organisation, initials=f"LD{n:02d}", name=f"Load officer {n}", user=u)
            for n, u in enumerate(officer_users)
        )
        actions = Action.objects.bulk_create(
            Action(
                plan=plan,
                measure=measures[i % len(measures)],
                ref=f"{measures[i % len(measures)].ref}.{i // len(measures) + 1}",
                description=f"Load action {i + 1}",
                position=i + 1,
                original_target=month.first_day,
            )
            for i in range(officers * actions_each)
        )
        Action.leads.through.objects.bulk_create(
            Action.leads.through(action_id=a.pk, lead_id=leads[i // actions_each].pk)
            for i, a in enumerate(actions)
        )
        PlannedMonth.objects.bulk_create(PlannedMonth(action=a, month=month.first_day) for a in actions)
        # July's statuses, so August's report has a previous month; August starts empty.
        MonthlyStatus.objects.bulk_create(
            MonthlyStatus(action=a, month=start.first_day, status="GREEN", corrective_action="On track")
            for a in actions
        )


def raw_counts() -> dict[str, int]:
    """August's statuses of the load plan counted straight from the table, in SQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT s.status, COUNT(*) FROM plans_monthlystatus s
               JOIN plans_action a ON a.id = s.action_id JOIN plans_plan p ON p.id = a.plan_id
               WHERE p.slug = %s AND s.month = %s GROUP BY s.status""",
            [PLAN_SLUG, f"{MONTH}-01"],
        )
        return dict(cursor.fetchall())


def stored_updates() -> dict[int, tuple[str, str, str]]:
    from plans.models import MonthlyStatus

    rows = MonthlyStatus.objects.filter(action__plan__slug=PLAN_SLUG, month=f"{MONTH}-01")
    return {r.action_id: (r.status, r.corrective_action, r.note) for r in rows}


# --- The HTTP client: one keep-alive connection and cookie jar per virtual user ----------------


class Session:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def request(self, method: str, path: str, body: dict | list | None = None) -> tuple[int, dict, bytes]:
        headers = {
            "Host": f"{self.host}:{self.port}",
            # What nginx adds: the app then treats the request as https (secure cookies, HSTS).
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}:{self.port}"
            headers["Referer"] = f"https://{self.host}:{self.port}{path}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed (worker recycled): reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                if val in ('""', ""):
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = val
        return response.status, dict(response.getheaders()), content


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
ACTION = re.compile(rb'name="action" value="(\d+)"')
VERSION = re.compile(rb'name="a(\d+)-version" value="(\d+)"')


# --- Measurements -------------------------------------------------------------------------------


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: list[str] = field(default_factory=list)
    acknowledged: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    # Values sent since an action's last acknowledged save, whose answer was not a 302 (e.g. a
    # 503 when the database went down after the commit): stored or not, neither is a lost update.
    unacknowledged: dict[int, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    acknowledged_saves: int = 0
    refused_saves: int = 0
    requests: int = 0
    # The log-in storm (every user logs in within --ramp seconds, each a deliberately slow password
    # hash) holds both cores for a while; the pages are also timed from when the last user is in.
    users: int = 0
    logged_in: int = 0
    storm_over_at: float | None = None
    started: float = field(default_factory=time.perf_counter)
    steady: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # Per PDF: what readers got ("PDF", "earlier copy" - a PDF too -, "202", "error").
    pdf_answers: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def add(self, page: str, seconds: float, status: int, started: float | None = None) -> None:
        with self.lock:
            self.timings[page].append(seconds)
            self.statuses[page][status] += 1
            self.requests += 1
            if started is not None and self.storm_over_at is not None and started >= self.storm_over_at:
                self.steady[page].append(seconds)

    def pdf_answer(self, page: str, status: int, headers: dict[str, str]) -> None:
        headers = {name.lower(): value for name, value in headers.items()}
        if status == 200 and headers.get("content-type") == "application/pdf":
            # The server marks the stored copy it gives while a newer one is prepared.
            answer = "earlier copy" if "x-document-as-at" in headers else "PDF"
        elif status == 202:
            answer = "202"
        else:
            answer = "error"
            if status == 200:  # the page saying the render failed (other statuses are errors already)
                self.error(f"{page}: the render failed ({status}, {headers.get('content-type')})")
        with self.lock:
            self.pdf_answers[page][answer] += 1

    def user_logged_in(self) -> None:
        with self.lock:
            self.logged_in += 1
            if self.logged_in == self.users:
                self.storm_over_at = time.perf_counter()

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Budget:
    """Bounded in time and in requests: every virtual user stops at whichever comes first."""

    def __init__(self, seconds: float, max_requests: int):
        self.deadline = time.monotonic() + seconds
        self.left = max_requests
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


def timed(results: Results, session: Session, page: str, method: str, path: str, body=None, ok=(200,)):
    started = time.perf_counter()
    try:
        status, headers, content = session.request(method, path, body)
    except Exception as error:  # noqa: BLE001 - every failure is counted and reported
        results.add(page, time.perf_counter() - started, 0)
        results.error(f"{page}: {type(error).__name__}: {error}")
        return 0, {}, b""
    results.add(page, time.perf_counter() - started, status, started)
    if status not in ok:
        results.error(f"{page}: HTTP {status} for {method} {path}")
    return status, headers, content


def log_in(results: Results, session: Session, username: str) -> bool:
    status, _, content = timed(results, session, "login form", "GET", "/accounts/login/")
    token = CSRF.search(content)
    if not token:
        results.error(f"login form for {username}: no CSRF token")
        return False
    status, headers, _ = timed(
        results,
        session,
        "log in",
        "POST",
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()},
        ok=(302,),
    )
    return status == 302


def logged_in(results: Results, session: Session, username: str, budget: Budget, args) -> bool:
    """Log in, trying again after a pause when the server could not (a 503 in an outage)."""
    while budget.take():
        if log_in(results, session, username):
            results.user_logged_in()
            return True
        think(args.think)
    return False


def think(mean: float) -> None:
    if mean > 0:
        time.sleep(random.uniform(0.5 * mean, 1.5 * mean))


def officer(n: int, args, results: Results, budget: Budget) -> None:
    session = Session(args.host, args.port)
    time.sleep(random.uniform(0, args.ramp))
    if not logged_in(results, session, f"load-officer-{n:02d}", budget, args):
        return
    page = f"/plans/{PLAN_SLUG}/my/{MONTH}/"
    round_ = 0
    while budget.take():
        status, _, content = timed(results, session, "my actions (GET)", "GET", page)
        if status != 200:
            think(args.think)
            continue
        token = CSRF.search(content)
        actions = [int(a) for a in ACTION.findall(content)]
        versions = {int(a): v.decode() for a, v in VERSION.findall(content)}
        if not token or len(actions) != args.actions_each:
            results.error(
                f"officer {n}: my actions page shows {len(actions)} actions, expected {args.actions_each}"
            )
            return
        think(args.think)
        if not budget.take():
            return
        round_ += 1
        body: list[tuple[str, str]] = [("csrfmiddlewaretoken", token.group(1).decode())]
        sent: dict[int, tuple[str, str, str]] = {}
        for pk in actions:
            status_ = random.choice(["GREEN", "GREEN", "GREEN", "AMBER", "RED"])
            corrective = f"Officer {n} round {round_}: {status_.lower()} because of the load test"
            note = f"load o{n} r{round_} a{pk}"
            sent[pk] = (status_, corrective, note)
            body += [
                ("action", str(pk)),
                (f"a{pk}-version", versions[pk]),
                (f"a{pk}-status", status_),
                (f"a{pk}-corrective_action", corrective),
                (f"a{pk}-note", note),
                (f"a{pk}-revised_target", ""),
                (f"a{pk}-completed", ""),
            ]
        status, headers, content = timed(results, session, "my actions (save)", "POST", page, body, ok=(302,))
        with results.lock:
            if status == 302:
                results.acknowledged.update(sent)
                results.acknowledged_saves += 1
                for pk in sent:
                    results.unacknowledged.pop(pk, None)
            else:
                results.refused_saves += 1
                for pk, values in sent.items():
                    results.unacknowledged[pk].append(values)
        think(args.think)


def reader(n: int, args, results: Results, budget: Budget) -> None:
    session = Session(args.host, args.port)
    time.sleep(random.uniform(0, args.ramp))
    if not logged_in(results, session, f"load-cmt-{n:02d}", budget, args):
        return
    pages = [
        ("home page", "/"),
        ("report (load plan)", f"/reports/{PLAN_SLUG}/{MONTH}/"),
        ("report (demo July 2009)", DEMO_REPORT),
        ("summary JSON", f"/reports/{PLAN_SLUG}/{MONTH}/summary.json"),
    ]
    round_ = 0
    while True:
        for name, path in pages:
            if not budget.take():
                return
            timed(results, session, name, "GET", path)
            think(args.think)
        round_ += 1
        if args.pdf and round_ % 5 == n % 5:
            if not budget.take():
                return
            # Rendered in the background by the task worker: 202 "being prepared", then the PDF.
            name, path = random.choice(
                [
                    ("plan PDF", f"/reports/{PLAN_SLUG}/plan-{MONTH}.pdf"),
                    ("appendix PDF", f"/reports/{PLAN_SLUG}/{MONTH}/appendix.pdf"),
                ]
            )
            status, headers, _ = timed(results, session, name, "GET", path, ok=(200, 202))
            results.pdf_answer(name, status, headers)
            think(args.think)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def timing_columns(values: list[float]) -> str:
    """n, p50, p95, p99 and max in milliseconds, as the report's columns."""
    ms = [percentile(values, p) * 1000 for p in (50, 95, 99)] + [max(values) * 1000]
    return f"{len(values):>7}" + "".join(f"{v:>9.0f}" for v in ms)


def report(results: Results, elapsed: float) -> None:
    print(f"\n{results.requests} requests in {elapsed:.1f} s: {results.requests / elapsed:.1f} requests/s")
    print(f"{'page':<26}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses")
    for page in sorted(results.timings):
        values = results.timings[page]
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(results.statuses[page].items()))
        print(f"{page:<26}{timing_columns(values)}  {codes}")
    if results.storm_over_at is not None and results.steady:
        print(f"after the last log-in ({results.storm_over_at - results.started:.1f} s in):")
        for page in sorted(results.steady):
            print(f"  {page:<24}{timing_columns(results.steady[page])}")
    if results.pdf_answers:
        print(f"{'PDF requests':<26}{'n':>7}{'PDF':>7}  {'of which earlier copy':>21}{'202':>7}{'errors':>8}")
        for page in sorted(results.pdf_answers):
            answers = results.pdf_answers[page]
            pdfs = answers["PDF"] + answers["earlier copy"]
            print(
                f"  {page:<24}{sum(answers.values()):>7}{pdfs:>7}  {answers['earlier copy']:>21}"
                f"{answers['202']:>7}{answers['error']:>8}"
            )
    print(f"saves acknowledged: {results.acknowledged_saves}, refused: {results.refused_saves}")
    print(f"errors: {len(results.errors)}")
    for text in results.errors[:20]:
        print(f"  {text}")


# --- Serving (with --serve) ---------------------------------------------------------------------


def production_env(args) -> dict[str, str]:
    static = Path(tempfile.gettempdir()) / f"improvement-load-static-{args.port}"
    return {
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static),
        "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / f"improvement-load-media-{args.port}"),
        "BIND": f"127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": str(args.workers),
        "LOG_LEVEL": "WARNING",
    }


class Servers:
    def __init__(self, args, env: dict[str, str]):
        self.env = {**os.environ, **env}
        self.args = args
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True
        )
        log = open(Path(tempfile.gettempdir()) / f"improvement-load-{self.args.port}.log", "ab")  # noqa: SIM115
        self.processes.append(
            subprocess.Popen(
                [
                    str(Path(python).parent / "gunicorn"),
                    "--config",
                    "gunicorn.conf.py",
                    "improvement.wsgi:application",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        )
        if self.args.pdf:
            worker = subprocess.Popen(
                # as deploy/serve and the README's systemd unit run it: at a lower priority
                ["nice", "-n", "10", python, "manage.py", "db_worker", "--no-reload"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
            self.processes.append(worker)
            # A new session is a scheduling group of its own (Linux autogroup), in which nice alone
            # changes nothing relative to gunicorn's group: lower the group's weight as well.
            with contextlib.suppress(OSError):
                Path(f"/proc/{worker.pid}/autogroup").write_text("10")
        for _ in range(60):
            try:
                conn = http.client.HTTPConnection(self.args.host, self.args.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit("gunicorn did not answer /healthz within 30 s")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def run_load(args) -> Results:
    results = Results(users=args.officers + args.readers)
    budget = Budget(args.seconds, args.max_requests)
    threads = [
        threading.Thread(target=officer, args=(n, args, results, budget)) for n in range(args.officers)
    ]
    threads += [threading.Thread(target=reader, args=(n, args, results, budget)) for n in range(args.readers)]
    random.shuffle(threads)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def check(results: Results, args) -> list[str]:
    """Every acknowledged update is in the database exactly as sent; the report equals a recount."""
    from django.db import connection

    # A fresh connection: the one of the set-up may have been cut (bench/faults.py restarts PostgreSQL).
    connection.close()
    problems = []
    stored = stored_updates()
    lost = [
        pk
        for pk, sent in results.acknowledged.items()
        if stored.get(pk) != sent and stored.get(pk) not in results.unacknowledged.get(pk, [])
    ]
    unknown = [
        pk
        for pk, attempts in results.unacknowledged.items()
        if pk not in results.acknowledged and pk in stored and stored[pk] not in attempts
    ]
    print(
        f"\nacknowledged action updates: {len(results.acknowledged)} (last of each action), "
        f"lost or altered: {len(lost)}; stored values nobody sent: {len(unknown)}"
    )
    problems += [f"action {pk}: stored {stored[pk]}, never sent" for pk in unknown[:10]]
    for pk in lost[:10]:
        problems.append(f"action {pk}: sent {results.acknowledged[pk]}, stored {stored.get(pk)}")
    raw = raw_counts()
    # A reader who has not written is served a draft up to REPORT_DRAFT_REFRESH seconds old
    # (reports.versions): wait that long, so the figures read are those after the last save.
    from django.conf import settings

    time.sleep(settings.REPORT_DRAFT_REFRESH)
    session = Session(args.host, args.port)
    log_in(Results(), session, "load-cmt-00")
    status, _, content = session.request("GET", f"/reports/{PLAN_SLUG}/{MONTH}/summary.json")
    if status != 200:
        problems.append(f"summary JSON answered {status}")
        return problems
    summary = json.loads(content)
    reported = {k: v for k, v in summary["counts"].items() if v}
    expected = defaultdict(int)
    for status_, _, _ in results.acknowledged.values():
        expected[status_] += 1
    print(f"report figures for {MONTH}: {summary['counts']} (total {summary['total']})")
    print(f"recount of raw statuses:  {raw}")
    print(f"from acknowledged saves:  {dict(expected)}")
    if reported != raw:
        problems.append(f"report {reported} != recount {raw}")
    if dict(expected) != raw and not results.unacknowledged:
        problems.append(f"acknowledged {dict(expected)} != stored {raw}")
    if summary["total"] != sum(raw.values()):
        problems.append(f"report total {summary['total']} != {sum(raw.values())}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8108)
    parser.add_argument("--serve", action="store_true", help="start (and stop) gunicorn and the worker")
    parser.add_argument(
        "--workers",
        type=int,
        default=(os.cpu_count() or 1) * 2 + 1,
        help="WEB_CONCURRENCY for --serve (default: gunicorn.conf.py's, 2 × cores + 1)",
    )
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--actions-each", type=int, default=6)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--max-requests", type=int, default=30_000)
    # Someone reading a page or typing a corrective action: seconds, not milliseconds.
    parser.add_argument("--think", type=float, default=5.0, help="mean pause between a user's requests (s)")
    parser.add_argument("--ramp", type=float, default=15.0, help="users log in over this many seconds")
    parser.add_argument("--no-pdf", dest="pdf", action="store_false", help="readers do not ask for PDFs")
    parser.add_argument("--skip-setup", action="store_true")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database of your own (it is written to).", file=sys.stderr)
        return 2
    env = production_env(args)
    django_setup(env)
    if not args.skip_setup:
        started = time.perf_counter()
        set_up_data(args.officers, args.actions_each, args.readers)
        print(f"set up {args.officers} officers × {args.actions_each} actions, {args.readers} readers "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    servers = Servers(args, env) if args.serve else None
    try:
        if servers:
            servers.start()
        print(f"load: {args.officers} officers, {args.readers} readers, {args.seconds:.0f} s or "
              f"{args.max_requests} requests, think {args.think} s, ramp {args.ramp} s, "
              f"PDFs {'on' if args.pdf else 'off'}, {args.workers if args.serve else '?'} gunicorn workers")  # fmt: skip
        started = time.perf_counter()
        results = run_load(args)
        elapsed = time.perf_counter() - started
        report(results, elapsed)
        problems = check(results, args)
    finally:
        if servers:
            servers.stop()
    for problem in problems:
        print(f"PROBLEM: {problem}")
    ok = not results.errors and not problems
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
