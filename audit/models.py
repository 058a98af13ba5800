"""One row per audited event. Rows are only ever added: the admin shows them read-only."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from plans.periods import Month


class AuditEventQuerySet(models.QuerySet):
    def record(self, kind: str, *, user=None, plan=None, month=None, **details) -> AuditEvent:
        if kind not in AuditEvent.Kind.values:
            raise ValueError(f"Unknown audit kind {kind!r}: add it to AuditEvent.Kind.")
        if isinstance(month, Month):
            month = month.first_day
        elif isinstance(month, datetime.date):
            month = month.replace(day=1)
        if user is not None and not user.is_authenticated:
            user = None
        username = details.pop("username", None) or (user.get_username() if user else "")
        ip_address = details.pop("ip_address", None)
        return self.create(
            kind=kind,
            user=user,
            username=username[:150],
            ip_address=ip_address,
            plan=plan,
            month=month,
            details=details,
        )


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login-failed", "Failed log-in"
        LOGOUT = "logout", "Logged out"
        LOCKOUT = "lockout", "Locked out after failed log-ins"
        APPROVAL = "approval", "Re-programme or suspension decided"
        MONTH_CLOSE = "month-close", "Month closed"
        MONTH_REOPEN = "month-reopen", "Month re-opened"
        IMPORT = "import", "Workbook imported"
        ARCHIVE_EXPORT = "archive-export", "Archive exported"
        ARCHIVE_IMPORT = "archive-import", "Archive restored"
        UNLOCK = "unlock", "Locked-out log-in unlocked"
        RESET_THROTTLED = "reset-throttled", "Password reset refused: too many requests"
        ROLL_OVER = "roll-over", "Plan rolled over into the next year"
        LEAD_CONTACT = "lead-contact", "Lead's name or email address changed"
        REMINDER_SETTINGS = "reminder-settings", "Update deadline or reminders changed"
        ORGANISATION_ADD = "organisation-add", "Organisation created"
        PERSON_ADD = "person-add", "Person added to an organisation"
        ROLE_CHANGE = "role-change", "Person's role changed"
        PERSON_REMOVE = "person-remove", "Person removed from an organisation"
        LEAD_ADD = "lead-add", "Lead added"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as typed: a failed log-in has no user, and a deleted user's events keep their name.
    username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    month = models.DateField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        who = self.username or "unknown user"
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} ({who})"
