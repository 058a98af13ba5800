"""Writes about log-ins: unlocking a colleague, and counting password-reset requests."""

from __future__ import annotations

import datetime
import logging

from axes.utils import reset as reset_axes_attempts
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

import audit
from accounts.lockouts import locked_out_users
from accounts.models import PasswordResetRequest
from audit.models import AuditEvent
from plans import roles

logger = logging.getLogger(__name__)

RESET_WINDOW = datetime.timedelta(hours=1)


def unlockable_by(user, locks: list) -> list:
    """The locked-out logins ``user`` may see and unlock: people of the organisations where their
    role unlocks accounts (a site administrator: every one, a name that is nobody's too)."""
    if user.is_superuser:
        return locks
    from plans.permissions import organisations_where

    names = set(
        User.objects.filter(
            username__in=[lock.username for lock in locks],
            memberships__organisation__in=organisations_where(user, roles.UNLOCK_ACCOUNTS),
        ).values_list("username", flat=True)
    )
    return [lock for lock in locks if lock.username in names]


@transaction.atomic
def unlock(*, username: str, by: User, ip_address: str | None = None) -> bool:
    """Let ``username`` log in again from every address it is locked out from. False (and nothing
    recorded) if it is not locked out now: someone else unlocked it, or the lock ran out."""
    if not by.has_perm(roles.UNLOCK_ACCOUNTS):
        raise PermissionDenied
    locked = next((lock for lock in unlockable_by(by, locked_out_users()) if lock.username == username), None)
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


def _email_digest(email: str) -> str:
    return salted_hmac("accounts.password-reset", email.strip().lower(), algorithm="sha256").hexdigest()


def record_password_reset_request(*, email: str, ip_address: str | None) -> bool:
    """Count a request of the password-reset form; True if it is within the hour's limits for
    the address typed and for the client's address (settings ``PASSWORD_RESETS_PER_EMAIL`` and
    ``PASSWORD_RESETS_PER_ADDRESS``). A refused request is logged and audited.

    The counts are rows in the database, not Django's cache: gunicorn runs several processes
    (and a council may run several servers), and a per-process cache would let each of them
    allow the limit again. The request is written (and committed) before it is counted, so
    requests arriving together in different processes count each other; each counts only the
    rows written before its own, so the first of them is not refused because of the second.
    """
    now = timezone.now()
    since = now - RESET_WINDOW
    PasswordResetRequest.objects.filter(at__lt=since).delete()
    mine = PasswordResetRequest.objects.create(
        at=now, email_digest=_email_digest(email), ip_address=ip_address
    )
    counts = PasswordResetRequest.objects.filter(at__gte=since, pk__lte=mine.pk).aggregate(
        email=Count("pk", filter=Q(email_digest=mine.email_digest)),
        address=Count("pk", filter=Q(ip_address=ip_address)),
    )
    within = (
        counts["email"] <= settings.PASSWORD_RESETS_PER_EMAIL
        and counts["address"] <= settings.PASSWORD_RESETS_PER_ADDRESS
    )
    if not within:
        logger.warning(
            "Password reset refused: %s requests for this email and %s from %s in the last hour",
            counts["email"],
            counts["address"],
            ip_address,
        )
        audit.record(
            AuditEvent.Kind.RESET_THROTTLED,
            ip_address=ip_address,
            email=email,
            requests_for_email=counts["email"],
            requests_from_address=counts["address"],
        )
    return within
