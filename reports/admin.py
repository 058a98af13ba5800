from django.contrib import admin

from reports.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["plan", "month", "kind", "state", "published", "pages", "as_at", "finished_at"]
    list_filter = ["kind", "state", "published", "plan"]

    # Stored PDFs are what Cabinet received: rendered and replaced by the services, never by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
