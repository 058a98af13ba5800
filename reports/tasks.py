"""Background tasks (Django's tasks framework through the ``django-tasks`` backport, stored in
the database by ``django-tasks-db``: no extra server). Run the worker with
``python manage.py db_worker`` (``make run`` starts one beside the development server).

Renders are asked for by ``reports.renders``, which queues this task; the task does the work in
``reports.documents``. This module imports ``documents`` and is imported by ``renders``, never
the other way round."""

from __future__ import annotations

from django_tasks import TaskContext, task

from reports import documents
from reports.models import Document


@task(takes_context=True)
def render_document(context: TaskContext, document_id: int) -> int | None:
    """Render a stored PDF (``reports.documents.run_render``): the full plan, a long draft, or the
    appendix and cover kept at a month's close. Returns the page count; a failure is recorded on
    the document and re-raised so the task is marked failed too."""
    document = Document.objects.select_related("plan").filter(pk=document_id).first()
    if document is None:
        # Discarded (the month was re-opened) before the worker got to it: nothing to do.
        return None
    if document.task_id != str(context.task_result.id):
        # Asked for afresh after this render stalled: the newer task renders it, once.
        return None
    return documents.run_render(document).pages
