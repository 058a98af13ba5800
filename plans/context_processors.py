"""What every page's navigation shows beyond its links: the count of requests waiting."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from plans import roles
from plans.selectors import approvals_waiting


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(roles.APPROVE_CHANGE):
        return {}
    # Lazy: read (one query) only when a page's navigation prints it, never for an error page
    # or a PDF, and never for a role that does not approve.
    return {"approvals_waiting": SimpleLazyObject(lambda: approvals_waiting(user))}
