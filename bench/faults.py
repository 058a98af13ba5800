"""Fault check: PostgreSQL goes down under load; the app answers 503 and recovers by itself.

On a private PostgreSQL cluster of its own (initdb in a temporary directory, port ``--pg-port``,
removed afterwards; the machine's shared PostgreSQL is never touched), it starts gunicorn and
officers and readers as ``bench/load.py`` does, and while they work:

1. stops PostgreSQL (``pg_ctl stop -m fast``: open connections are cut, as in a restart or a
   fail-over), keeps it down for ``--outage`` seconds, then starts it again;
2. a prober asks for ``/healthz`` and the dashboard every 0.1 s throughout.

It passes when: no response is a 500 (or any status but 200/302/202/503); every 503 during the
outage is the "service is unavailable" page (no traceback); ``/healthz`` and the pages answer 200
again within ``--recover-within`` seconds of PostgreSQL being back, with the **same gunicorn
master process** (nothing restarted); and every save acknowledged before, during or after the
outage is in the database exactly as sent.

    .venv/bin/python bench/faults.py --port 8118 --pg-port 5488
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402  (bench/load.py: the same virtual users and checks)

PG_BIN = Path("/usr/lib/postgresql") / (sorted(os.listdir("/usr/lib/postgresql"))[-1]) / "bin"


class PrivateCluster:
    """A throw-away PostgreSQL in a temporary directory (run as the postgres user: initdb refuses
    root)."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix=f"improvement-faults-pg-{port}-"))
        self.data = self.dir / "data"
        self.socket = self.dir / "socket"

    def _as_postgres(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def create(self) -> None:
        self.socket.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.socket, "postgres")
        self._as_postgres(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        self._as_postgres(
            PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "improvement"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.data, "-o", options, "-w", "-l", self.dir / "log", "start"
        )

    def stop(self) -> None:
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/improvement"


class Prober(threading.Thread):
    """Every 0.1 s: /healthz and the dashboard as a logged-in reader; each answer with its time."""

    def __init__(self, args):
        super().__init__(daemon=True)
        self.args = args
        self.samples: list[tuple[float, str, int, bool]] = []  # (time, page, status, clear 503 page)
        self.stop_event = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        session = load.Session(self.args.host, self.args.port)
        while not load.log_in(load.Results(), session, "load-cmt-00"):
            time.sleep(0.5)
        self.ready.set()
        while not self.stop_event.is_set():
            for page in ("/healthz", "/"):
                try:
                    status, _, body = session.request("GET", page)
                except OSError:
                    status, body = 0, b""
                    session.conn.close()
                    session.conn = http.client.HTTPConnection(self.args.host, self.args.port, timeout=60)
                clear = b"Sorry, the service is unavailable" in body or b'"unavailable"' in body
                clear = clear and b"Traceback" not in body
                self.samples.append((time.monotonic(), page, status, clear))
            time.sleep(0.1)


def gunicorn_master(port: int) -> int | None:
    """The pid of the gunicorn master listening on ``port`` (the process whose parent is not gunicorn)."""
    result = subprocess.run(
        ["pgrep", "-f", "gunicorn --config gunicorn.conf.py"], capture_output=True, text=True
    )
    pids = [int(p) for p in result.stdout.split()]
    for pid in pids:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            parent = int(Path(f"/proc/{pid}/stat").read_text().split()[3])
        except OSError:
            continue
        if f"BIND=127.0.0.1:{port}".encode() in environ and parent not in pids:
            return pid
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8118)
    parser.add_argument("--pg-port", type=int, default=5488)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--officers", type=int, default=10)
    parser.add_argument("--actions-each", type=int, default=6)
    parser.add_argument("--readers", type=int, default=5)
    parser.add_argument("--before", type=float, default=10, help="seconds of load before the outage")
    parser.add_argument("--outage", type=float, default=4, help="seconds PostgreSQL stays down")
    parser.add_argument("--after", type=float, default=12, help="seconds of load after it is back")
    parser.add_argument("--recover-within", type=float, default=5)
    parser.add_argument("--think", type=float, default=0.5)
    parser.add_argument("--ramp", type=float, default=2.0)
    args = parser.parse_args(argv)
    args.seconds = args.before + args.outage + args.after
    args.max_requests = 1_000_000
    args.pdf = False

    cluster = PrivateCluster(args.pg_port)
    servers = None
    problems: list[str] = []
    try:
        cluster.create()
        env = {**load.production_env(args), "DATABASE_URL": cluster.url}
        load.django_setup(env)
        load.set_up_data(args.officers, args.actions_each, args.readers)
        servers = load.Servers(args, env)
        servers.start()
        master = gunicorn_master(args.port)
        prober = Prober(args)
        prober.start()
        results = load.Results()
        budget = load.Budget(args.seconds, args.max_requests)
        users = [
            threading.Thread(target=load.officer, args=(n, args, results, budget))
            for n in range(args.officers)
        ] + [
            threading.Thread(target=load.reader, args=(n, args, results, budget)) for n in range(args.readers)
        ]
        for user in users:
            user.start()
        if not prober.ready.wait(60):
            raise SystemExit("the prober could not log in")
        time.sleep(args.before)
        down_at = time.monotonic()
        cluster.stop()
        stopped_at = time.monotonic()
        print(f"PostgreSQL stopped ({stopped_at - down_at:.1f} s to stop) under load")
        time.sleep(args.outage)
        cluster.start()
        up_at = time.monotonic()
        print(f"PostgreSQL started again after {up_at - down_at:.1f} s down")
        for user in users:
            user.join()
        time.sleep(1)
        prober.stop_event.set()
        prober.join()
        same_master = gunicorn_master(args.port) == master and master is not None

        load.report(results, args.seconds)
        # Errors the load script counts are expected during the outage: only 200/302/202/503 are fine.
        unexpected = Counter(
            status
            for page_statuses in results.statuses.values()
            for status, n in page_statuses.items()
            for _ in range(n)
            if status not in (200, 202, 302, 503)
        )
        during = [s for s in prober.samples if stopped_at <= s[0] < up_at]
        after = [s for s in prober.samples if s[0] >= up_at]
        first_ok = next((s[0] for s in after if s[2] == 200 and s[1] == "/healthz"), None)
        first_page_ok = next((s[0] for s in after if s[2] == 200 and s[1] == "/"), None)
        last_bad = max((s[0] for s in after if s[2] != 200), default=None)
        print("\nprobe answers during the outage:", dict(Counter((s[1], s[2]) for s in during)))
        print("probe answers after PostgreSQL is back:", dict(Counter((s[1], s[2]) for s in after)))
        if first_ok is not None:
            print(f"/healthz 200 again {first_ok - up_at:.2f} s after PostgreSQL was back")
        if first_page_ok is not None:
            print(f"dashboard 200 again {first_page_ok - up_at:.2f} s after PostgreSQL was back")
        if last_bad is not None:
            print(f"last non-200 probe {last_bad - up_at:.2f} s after PostgreSQL was back")
        print(f"gunicorn master unchanged (no restart): {same_master}")

        all_statuses = Counter(s[2] for s in prober.samples) + unexpected
        if any(status not in (200, 202, 302, 503) for status in all_statuses):
            problems.append(f"unexpected statuses (a 500 or a dropped connection): {dict(all_statuses)}")
        if not during or any(s[2] != 503 or not s[3] for s in during):
            problems.append("during the outage not every probe got the clear 503 answer")
        if first_ok is None or first_ok - up_at > args.recover_within:
            problems.append(f"/healthz did not recover within {args.recover_within} s")
        if first_page_ok is None or first_page_ok - up_at > args.recover_within:
            problems.append(f"the dashboard did not recover within {args.recover_within} s")
        if not same_master:
            problems.append("gunicorn's master process changed")
        problems += load.check(results, args)
    finally:
        if servers:
            servers.stop()
        cluster.remove()
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("PASS" if not problems else "FAIL")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
