"""HTML to PDF with WeasyPrint: the one place a PDF is made.

WeasyPrint renders only what the project gives it. Its URL fetcher is replaced by one that serves
the project's own static files (the print stylesheet, its fonts and images) and refuses every
other URL: ``file://``, ``http(s)://``, ``data:`` and anything that tries to climb out of the
static directories. User text reaches the template escaped by Django, so it can never become a
tag; the fetcher is the second wall should a template ever forget. ``presentational_hints`` stays
off so HTML attributes (``width``, ``bgcolor``...) cannot style the page either.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in the PDF templates are resolved against this origin, which the fetcher alone
# answers; ".invalid" is reserved (RFC 2606) so the name can never reach a real host.
PDF_BASE_URL = "https://pdf.invalid/"
_ORIGIN = urlsplit(PDF_BASE_URL)

# What a PDF may load from the static files: the print stylesheet, its fonts and images.
ALLOWED_PREFIXES = ("css/print", "fonts/", "img/")
ALLOWED_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}

# A request should answer well inside this; background renders get longer (reports.tasks).
DEFAULT_TIME_LIMIT = 60
PDF_VARIANT = "pdf/ua-1"


class RefusedURL(ValueError):
    """The PDF asked for something outside the project's own static files."""


class PDFRenderError(Exception):
    """A render failed; the message is fit to show to the user."""


class RenderTimeout(PDFRenderError):
    """A render ran past its time limit."""


def static_name_for(url: str) -> str:
    """The static file name (``css/print.css``) a PDF URL stands for, or RefusedURL.

    Only URLs on the PDF origin under STATIC_URL are static files; a name must be in the allowed
    set, of an allowed type, and have no ``..``, ``.``, empty or backslashed segment (checked after
    percent-decoding, so ``%2e%2e`` is refused too).
    """
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (_ORIGIN.scheme, _ORIGIN.netloc):
        raise RefusedURL(f"Only the project's own static files can be used in a PDF, not {url[:80]!r}")
    if parts.query:
        raise RefusedURL(f"A static file URL has no query: {url[:80]!r}")
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(static_prefix):
        raise RefusedURL(f"Not a static file: {url[:80]!r}")
    name = path[len(static_prefix) :]
    segments = name.split("/")
    if any(seg in ("", ".", "..") or "\\" in seg or "\x00" in seg for seg in segments):
        raise RefusedURL(f"Not a plain static file name: {url[:80]!r}")
    if not name.startswith(ALLOWED_PREFIXES):
        raise RefusedURL(f"{name!r} is not among the files a PDF may use")
    if PurePosixPath(name).suffix.lower() not in ALLOWED_TYPES:
        raise RefusedURL(f"{name!r} is not a type a PDF may use")
    return name


def _read_static(name: str) -> bytes:
    """The file's bytes from the static source directories (``finders.find`` joins safely), or,
    after collectstatic with hashed names, from the static storage."""
    found = finders.find(name)
    if found:
        return Path(found).read_bytes()
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as handle:
            return handle.read()
    raise RefusedURL(f"No static file {name!r}")


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher, answering only from the project's static files."""

    def fetch(self, url, headers=None):
        name = static_name_for(url)
        body = _read_static(name)
        content_type = ALLOWED_TYPES[PurePosixPath(name).suffix.lower()]
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


@dataclass(frozen=True)
class RenderedPDF:
    content: bytes
    pages: int
    seconds: float


@contextmanager
def time_limit(seconds: float | None):
    """Stop a render that runs past ``seconds``.

    A signal timer can only interrupt the main thread: the background worker runs renders there.
    In a request thread no timer is set; requests only render PDFs small enough to be quick and
    send the rest to the worker (``reports.documents``).
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise RenderTimeout(f"The PDF took longer than {seconds:g} seconds to prepare.")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def html_to_pdf(html: str, *, seconds: float | None = DEFAULT_TIME_LIMIT) -> RenderedPDF:
    """Lay out ``html`` (a full document with ``<title>`` and ``<html lang>``, which become the
    PDF's title and language) as a tagged PDF/UA document with its fonts embedded."""
    started = time.perf_counter()
    try:
        with time_limit(seconds):
            document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher()).render(
                presentational_hints=False, pdf_variant=PDF_VARIANT
            )
            content = document.write_pdf(pdf_variant=PDF_VARIANT)
    except PDFRenderError:
        raise
    except Exception as error:
        raise PDFRenderError("The PDF could not be prepared.") from error
    return RenderedPDF(content=content, pages=len(document.pages), seconds=time.perf_counter() - started)
