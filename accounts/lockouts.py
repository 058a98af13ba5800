"""Who is locked out of logging in, and until when, read from django-axes's own record.

django-axes keeps one ``AccessAttempt`` row per username, address and browser, with the number of
failures and the time of the latest. A username and address are locked out while the failures of
their rows from the last cool-off add up to ``AXES_FAILURE_LIMIT`` (``AXES_LOCKOUT_PARAMETERS``
locks the pair, not the username everywhere). So the lock ends when enough of those rows have
aged past the cool-off that the rest add up to less than the limit.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.http import HttpRequest
from django.utils import timezone


@dataclass(frozen=True)
class LockedOutUser:
    username: str
    addresses: tuple[str, ...]
    until: datetime.datetime


def lock_ends(
    attempts: Iterable[tuple[datetime.datetime, int]], *, limit: int, cool_off: datetime.timedelta
) -> datetime.datetime | None:
    """When the lock of one username and address ends, from its rows' (latest failure, failures);
    None if the failures never reach the limit. The end may be in the past."""
    total = 0
    for at, failures in sorted(attempts, reverse=True):
        total += failures
        if total >= limit:
            # Until this row ages out, the newer rows and this one still reach the limit.
            return at + cool_off
    return None


def lock_ends_for(request: HttpRequest, credentials: dict | None) -> datetime.datetime | None:
    """When the lockout of this log-in attempt ends, from the rows django-axes itself consulted
    to refuse it (the attempt has already been recorded)."""
    cool_off = get_cool_off(request)
    limit = get_failure_limit(request, credentials)
    handler = AxesProxyHandler.get_implementation()
    ends = [
        lock_ends(
            attempts.values_list("attempt_time", "failures_since_start"), limit=limit, cool_off=cool_off
        )
        for attempts in handler.get_user_attempts(request, credentials)
    ]
    return max((end for end in ends if end is not None), default=None)


def locked_out_users(*, now: datetime.datetime | None = None) -> list[LockedOutUser]:
    """Every username locked out now, from any address, in name order."""
    now = now or timezone.now()
    cool_off = get_cool_off()
    limit = get_failure_limit(None, None)
    rows = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off, username__isnull=False)
    by_pair: dict[tuple[str, str | None], list[tuple[datetime.datetime, int]]] = defaultdict(list)
    for username, address, at, failures in rows.values_list(
        "username", "ip_address", "attempt_time", "failures_since_start"
    ):
        by_pair[username, address].append((at, failures))

    locks: dict[str, list[tuple[str | None, datetime.datetime]]] = defaultdict(list)
    for (username, address), attempts in by_pair.items():
        end = lock_ends(attempts, limit=limit, cool_off=cool_off)
        if end is not None and end > now:
            locks[username].append((address, end))
    return [
        LockedOutUser(
            username=username,
            addresses=tuple(sorted(address or "unknown address" for address, _ in pairs)),
            until=max(end for _, end in pairs),
        )
        for username, pairs in sorted(locks.items())
    ]
