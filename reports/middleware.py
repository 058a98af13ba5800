"""Read-your-writes for the kept draft reports (``reports.versions``)."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from reports.versions import LAST_WRITE_COOKIE


class LastWriteMiddleware:
    """After ``AuthenticationMiddleware``: a logged-in person's accepted write (any POST not
    refused) leaves the time in a cookie, so that the report pages build the draft again for them
    instead of serving one read before their write (``versions.cached_report``). The cookie holds
    only a time: set by hand, it costs its owner a fresh build, nothing more."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in ("GET", "HEAD", "OPTIONS") or response.status_code >= 400:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.set_cookie(
                LAST_WRITE_COOKIE,
                f"{time.time():.3f}",
                max_age=3600,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
