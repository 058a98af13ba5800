from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the record is evidence, so nobody edits or deletes it from the admin."""

    list_display = ["at", "kind", "username", "ip_address", "plan", "month"]
    list_filter = ["kind", "plan"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["plan"]
    readonly_fields = ["at", "kind", "user", "username", "ip_address", "plan", "month", "details"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
