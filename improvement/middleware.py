"""Site-wide middleware of the production set-up (see ``improvement.health`` for the 503 rules)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from improvement.health import database_unavailable, unavailable_response

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.CONTENT_SECURITY_POLICY`` on every response (Django 5.2 has no CSP of its
    own). Sent under DEBUG too, so an inline script fails in development, not first in production."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class PrivateCacheMiddleware:
    """After ``AuthenticationMiddleware``: what a logged-in person is sent (pages, CSV and Excel
    exports, JSON, PDFs) is marked ``Cache-Control: private``, so a shared proxy at the council
    or on the way never keeps one person's plan to hand to the next. A response already marked
    ``private`` or ``no-store`` is left as it is; ``public`` gives way to ``private``. Static
    files never get here (whitenoise answers them first), nor do anonymous visitors' pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The header is read first: a response that already says no-store (the 503 page,
        # /healthz) is left without loading the user, which may need the database.
        directives = response.get("Cache-Control", "").lower()
        if "private" in directives or "no-store" in directives:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers the 503 page, not a 500 traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        logger.warning("Database unavailable: %s %s answered 503", request.method, request.path)
        return unavailable_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for login throttling. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies
    the client is that many entries from the right of X-Forwarded-For (entries further left are
    whatever the client sent, so never trusted)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
