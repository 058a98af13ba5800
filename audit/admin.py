from django.contrib import admin

from audit.models import AuditEvent
from plans.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the record is evidence, so nobody edits or deletes it from the admin."""

    list_display = ["at", "kind", "username", "ip_address", "plan", "month"]
    list_filter = ["kind", "plan"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["plan"]
    readonly_fields = ["at", "kind", "user", "username", "ip_address", "plan", "month", "details"]
