"""Writes about log-ins: unlocking a colleague."""

from __future__ import annotations

from axes.utils import reset as reset_axes_attempts
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

import audit
from accounts.lockouts import locked_out_users
from audit.models import AuditEvent
from plans import roles


@transaction.atomic
def unlock(*, username: str, by: User, ip_address: str | None = None) -> bool:
    """Let ``username`` log in again from every address it is locked out from. False (and nothing
    recorded) if it is not locked out now: someone else unlocked it, or the lock ran out."""
    if not by.has_perm(roles.UNLOCK_ACCOUNTS):
        raise PermissionDenied
    locked = next((lock for lock in locked_out_users() if lock.username == username), None)
    if locked is None:
        return False
    # Through django-axes, so its own record is what changes; the count starts again from nothing.
    reset_axes_attempts(username=username)
    audit.record(
        AuditEvent.Kind.UNLOCK,
        user=by,
        ip_address=ip_address,
        unlocked=username,
        addresses=list(locked.addresses),
    )
    return True
