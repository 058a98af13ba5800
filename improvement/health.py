"""Is the database there? ``/healthz`` for load balancers, and a clear 503 page when it is not.

PostgreSQL restarts (upgrades, fail-over, a full disk) must not show a council officer a
traceback: while the database is unreachable every page answers 503 "try again in a minute", and
because connections are persistent *and health-checked* (``CONN_HEALTH_CHECKS``) the first
request after PostgreSQL is back reconnects by itself, without restarting gunicorn.
"""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot be reached (rather than refusing one query).

    psycopg gives no SQLSTATE when it cannot connect or the connection dropped; PostgreSQL's own
    "connection exception" (08…) and "operator intervention" (57P…: shutting down, starting up)
    classes mean the same. Other errors (a deadlock 40P01, a constraint) are real 500s.
    """
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(("08", "57P"))


def unavailable_response(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """``handler500``: exceptions raised outside a view (a session saved after the view, the
    lazy user loaded in a middleware) reach here rather than the middleware."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return django_server_error(request, template_name)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers a query, 503 when it does not. Public on purpose: a load
    balancer calls it without logging in, and it says nothing but "ok" or "unavailable"."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unavailable", exc_info=True)
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
