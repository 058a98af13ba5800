"""The audit record: who logged in (or failed to), who approved, closed a month or imported.

Call ``audit.record(kind, user=..., plan=..., month=..., **details)`` from the service that makes
the change, inside its transaction, so the record and the change commit or roll back together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from audit.models import AuditEvent


def record(kind: str, user=None, plan=None, month=None, **details: Any) -> AuditEvent:
    # Imported here: ``audit`` is imported by other apps' services before the app registry is ready.
    from audit.models import AuditEvent

    return AuditEvent.objects.record(kind, user=user, plan=plan, month=month, **details)
