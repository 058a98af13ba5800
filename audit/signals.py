"""Log-ins, failed log-ins, log-outs and lockouts written to the audit record."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

import audit
from audit.models import AuditEvent
from improvement.middleware import client_ip


def _ip(request) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="audit-login")
def on_login(sender, request, user, **kwargs):
    audit.record(AuditEvent.Kind.LOGIN, user=user, ip_address=_ip(request))


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``; only the username is kept.
    audit.record(
        AuditEvent.Kind.LOGIN_FAILED,
        username=str(credentials.get("username", "")),
        ip_address=_ip(request),
    )


@receiver(user_logged_out, dispatch_uid="audit-logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditEvent.Kind.LOGOUT, user=user, ip_address=_ip(request))


@receiver(user_locked_out, dispatch_uid="audit-lockout")
def on_lockout(sender, request, username, ip_address, **kwargs):
    audit.record(AuditEvent.Kind.LOCKOUT, username=str(username or ""), ip_address=ip_address)
