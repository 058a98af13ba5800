"""Sessions end after a working day without a request (``SESSION_COOKIE_AGE``).

Saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``) would push the expiry on
but costs a database write per page at month end; instead a logged-in session is saved (and so
its expiry moved on) at most every ``REFRESH_EVERY``: the inactivity limit holds to within that.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse

REFRESH_EVERY = 5 * 60
STAMP = "_refreshed_at"


def stamp(request: HttpRequest) -> None:
    request.session[STAMP] = int(time.time())


def stamp_on_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the log-in itself saves the session with a fresh expiry."""
    if request is not None and hasattr(request, "session"):
        stamp(request)


class SlidingSessionMiddleware:
    """After ``SessionMiddleware``: refreshes a logged-in session that was last saved more than
    ``REFRESH_EVERY`` ago. Anonymous visitors without a session cost nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.session_key or response.status_code >= 500:
            return response
        if "_auth_user_id" in session and int(time.time()) - session.get(STAMP, 0) >= REFRESH_EVERY:
            stamp(request)
        return response
