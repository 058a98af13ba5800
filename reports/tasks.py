"""Background tasks (Django's tasks framework through the ``django-tasks`` backport, stored in
the database by ``django-tasks-db``: no extra server). Run the worker with
``python manage.py db_worker`` (``make run`` starts one beside the development server)."""

from __future__ import annotations

from django_tasks import task

from reports.models import Document


@task()
def render_document(document_id: int) -> int | None:
    """Render a stored PDF (``reports.documents``): the full plan, or the appendix and cover kept at
    a month's close. Returns the page count; a failure is recorded on the document and re-raised
    so the task is marked failed too."""
    from reports.documents import run_render

    document = Document.objects.select_related("plan").filter(pk=document_id).first()
    if document is None:
        # Discarded (the month was re-opened) before the worker got to it: nothing to do.
        return None
    return run_render(document).pages
