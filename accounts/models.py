"""Password-reset requests, kept for an hour to count against the limits (``accounts.services``)."""

from django.db import models
from django.utils import timezone


class PasswordResetRequest(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # A keyed digest of the address as typed: the count only needs to tell addresses apart, and
    # the table then holds no list of addresses people typed (a refused request's address is in
    # the audit record, where it is evidence).
    email_digest = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"Password reset asked for at {self.at:%Y-%m-%d %H:%M} from {self.ip_address or 'unknown'}"
