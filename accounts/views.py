"""The lockout page."""

from __future__ import annotations

import datetime
import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.lockouts import lock_ends_for


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the lockout page, with the time left until this username may
    try again from here (rounded up: "1 minute" never means "not yet") and ``Retry-After``."""
    now = timezone.now()
    ends = lock_ends_for(request, credentials)
    if ends is None or ends <= now:
        # django-axes has just refused the attempt, so the lock held a moment ago; its rows can
        # only have gone since through an unlock at that very moment: a minute covers it.
        ends = now + datetime.timedelta(minutes=1)
    seconds = math.ceil((ends - now).total_seconds())
    context = {"minutes_left": math.ceil(seconds / 60), "until": ends}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
