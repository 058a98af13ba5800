"""/healthz and the 503 page when the database cannot be reached."""

from unittest import mock

import pytest
from django.db import DatabaseError, OperationalError, connections
from django.test import Client

from improvement.health import database_unavailable


class FakePsycopgError(Exception):
    def __init__(self, sqlstate):
        self.sqlstate = sqlstate


def wrapped(sqlstate):
    error = OperationalError("boom")
    error.__cause__ = FakePsycopgError(sqlstate)
    return error


def database_down():
    """Every new query fails as psycopg fails when PostgreSQL is not listening."""
    return mock.patch.object(
        connections["default"],
        "ensure_connection",
        side_effect=OperationalError('connection failed: connection to server at "127.0.0.1" refused'),
    )


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(client, db):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
    assert client.get("/healthz").status_code == 200


def test_a_page_answers_the_503_page_while_the_database_is_down_and_recovers(client_as, demo):
    client = client_as("cmt")
    # The view's failure is answered by the middleware; the session middleware then fails too
    # (it saves every request) and handler500 answers: either way, the 503 page.
    client.raise_request_exception = False
    with database_down():
        response = client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    body = response.content.decode()
    assert "Sorry, the service is unavailable" in body
    assert "Traceback" not in body and "OperationalError" not in body
    # The database is back: the same client's next request works, nothing restarted.
    assert client.get("/").status_code == 200


def test_an_error_outside_a_view_also_answers_503(db):
    # The session is read by a middleware before any view runs when the database is down.
    client = Client(raise_request_exception=False)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        client.cookies["sessionid"] = "x" * 32
        response = client.get("/")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (wrapped(None), True),  # could not connect, or the connection dropped
        (wrapped("57P01"), True),  # terminating connection due to administrator command
        (wrapped("57P03"), True),  # the database system is starting up
        (wrapped("08006"), True),  # connection failure
        (wrapped("40P01"), False),  # deadlock: a real error, not an outage
        (DatabaseError("constraint"), False),
        (ValueError("not a database error"), False),
    ],
)
def test_which_errors_mean_the_database_is_unavailable(error, unavailable):
    assert database_unavailable(error) is unavailable
