"""Reading PDFs in tests: text per page (pypdf), page size, metadata, a clock for the time a
draft prints, and a local HTTP listener that records whether anything tried to fetch from it."""

from __future__ import annotations

import io
import re
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock

from django.core.management import call_command
from pypdf import PdfReader


def run_worker():
    """What ``manage.py db_worker`` does in production: run every waiting task, then stop.

    The worker calls ``close_old_connections()`` between tasks. Inside a test's transaction that
    closes the connection (its autocommit differs from the settings'), which on PostgreSQL throws the
    test's data away, so here it is a no-op."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def read_pdf(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF-"), content[:80]
    return PdfReader(io.BytesIO(content))


def page_texts(content: bytes) -> list[str]:
    """Each page's text with whitespace runs made single spaces. Layout mode, because the plain
    mode leaves out the running header and footer (margin boxes are tagged as artifacts)."""
    return [" ".join(page.extract_text(extraction_mode="layout").split()) for page in read_pdf(content).pages]


def all_text(content: bytes) -> str:
    return "\n".join(page_texts(content))


def loosely(text: str) -> str:
    """Text with its spaces removed, for comparing table rows: layout extraction sometimes joins a
    narrow cell to its neighbour (and where depends on what else is on the page)."""
    return text.replace(" ", "")


class Clock:
    """``timezone.now()`` at a time the test chooses, moved on by hand, so the time a draft prints
    ("Draft as at 14:32") is a literal. Model fields with ``default=timezone.now`` keep the real
    clock: set the time later than the rows the test has made."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Listener:
    """An HTTP server on a free local port that answers every request and remembers it."""

    def __init__(self):
        self.requests: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                listener.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"LISTENER-SECRET")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def layout_pages(content: bytes) -> list[str]:
    """Each page's text laid out as on the page (pypdf's layout mode keeps columns apart)."""
    return [page.extract_text(extraction_mode="layout") for page in read_pdf(content).pages]


STRIP_HEADING = re.compile(r"\bLead\s+(July\s.*June)\b")
BLOCK_HEADING = re.compile(r"^\s*Ref\s+\S+ \d{4} Action\b")


def strip_marks(page: str, ref: str) -> dict[str, str]:
    """What the month strip of ``ref``'s plan row prints under each month heading of a page laid
    out by ``layout_pages``: {"July": "A■O", "Sep.": "+"}. Each mark is given to the month heading
    whose centre is nearest (the row's status line and the line below it, where marks wrap)."""
    lines = page.splitlines()
    heading = None
    for i, line in enumerate(lines):
        if BLOCK_HEADING.match(line):
            heading = None  # an exception block's own table: its row is not the plan row
        elif found := STRIP_HEADING.search(line):
            heading = found
        elif heading and re.match(rf"\s*{re.escape(ref)}\s", line):
            months = [
                (m.group(), heading.start(1) + m.start()) for m in re.finditer(r"\S+", heading.group(1))
            ]
            first, last = months[0][1] - 2, months[-1][1] + len(months[-1][0]) + 2
            marks: dict[str, str] = {}
            for text in lines[i : i + 2]:
                for mark in re.finditer(r"\S+", text[first:last]):
                    centre = first + mark.start() + len(mark.group()) / 2
                    label = min(months, key=lambda m: abs(m[1] + len(m[0]) / 2 - centre))[0]
                    marks[label] = marks.get(label, "") + mark.group()
            return marks
    raise AssertionError(f"No plan row of {ref} on this page")
