from django.contrib import admin

from reports.models import Document, MonthClose, MonthEvent


@admin.register(MonthClose)
class MonthCloseAdmin(admin.ModelAdmin):
    list_display = ["plan", "month", "state", "closed_by", "closed_at", "reopened_by", "reopened_at"]
    list_filter = ["state", "plan"]
    readonly_fields = ["snapshot"]


@admin.register(MonthEvent)
class MonthEventAdmin(admin.ModelAdmin):
    list_display = ["plan", "month", "kind", "by", "at", "reason"]
    list_filter = ["kind", "plan"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["plan", "month", "kind", "state", "published", "pages", "as_at", "finished_at"]
    list_filter = ["kind", "state", "published", "plan"]
