from django.contrib import admin

from plans.admin import ReadOnlyAdmin
from reports.models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Stored PDFs are what Cabinet received: rendered and replaced by the services, never by hand."""

    list_display = ["plan", "month", "kind", "state", "published", "pages", "as_at", "finished_at"]
    list_filter = ["kind", "state", "published", "plan"]
