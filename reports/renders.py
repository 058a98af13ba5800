"""Asking for a document to be rendered, within bounds.

A document that takes too long for a request (the full plan, the copies kept at a month's close,
a long draft) is rendered by the background task ``reports.tasks.render_document``; short drafts
are laid out in the request (``reports.views_pdf``). Every render is asked for here:

- **One render in hand per document**: a request for a document whose render is queued or running
  joins it; nothing more is queued.
- **A limit per user** (``RENDER_LIMIT``) on the renders each person starts; a request that joins a
  render in hand starts none and is not counted. The copies a close queues are not counted.
- **Published copies first**: the copies a month's close queues go ahead of drafts and full plans
  (django-tasks-db runs the highest priority first).
- **"Try again" only for a render that failed or stalled**. A closed month's published copy is
  never discarded at a reader's request: only the performance team renders it again
  (``rerender_published``), from the published report, into a new file swapped in once stored.

Each function that asks for a render runs in one transaction with the document's row locked, so
two requests at once queue one render.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from plans import roles
from plans.models import MonthClose, Plan
from plans.periods import Month
from reports import documents
from reports.models import Document, RenderRequest
from reports.tasks import render_document


@dataclass(frozen=True)
class RenderLimit:
    renders: int
    window: timedelta

    @property
    def minutes(self) -> int:
        return int(self.window.total_seconds() // 60)


# A person reading reports asks for a few documents at a time (a Cabinet pack is three), so ten
# renders in ten minutes never stops them; it stops one user, or a script using their session,
# from filling the worker's queue. Documents already stored, or being rendered, are not counted.
RENDER_LIMIT = RenderLimit(renders=10, window=timedelta(minutes=10))

# The appendix and cover a close queues are what Cabinet receives: they must not wait behind the
# drafts and full plans readers ask for at month end.
PUBLISHED_PRIORITY = 10
DRAFT_PRIORITY = 0

# What the user is told when nothing is rendered.
NOTHING_ASKED = (
    "Nothing has been asked for yet, so there is nothing to try again: the PDF's link asks for it."
)
BEING_PREPARED = (
    "The PDF is being prepared and has not failed, so there is nothing to try again: "
    "the same link gives it once it is ready."
)
NOT_FAILED = "The PDF has not failed, so there is nothing to try again: the same link gives it."
PUBLISHED_KEPT = (
    "This is the published copy of a closed month, kept as it was published. "
    "Only the performance team can render it again."
)
NOT_CLOSED = "{month} is not closed, so it has no published copy to render again."


class RenderRefused(Exception):
    """Nothing was rendered; the message says why, for the user."""

    status = 409


class RenderLimitReached(RenderRefused):
    """The user has started as many renders as ``RENDER_LIMIT`` allows for now."""

    status = 429

    def __init__(self, asked: int, retry_in: timedelta):
        self.asked = asked
        self.retry_after = max(1, math.ceil(retry_in.total_seconds()))
        minutes = math.ceil(self.retry_after / 60)
        super().__init__(
            f"You have asked for {asked} documents in the last {RENDER_LIMIT.minutes} minutes; "
            f"try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )


@transaction.atomic
def publish(*, plan: Plan, month: Month, user=None) -> list[Document]:
    """At a month's close: queue the appendix and cover for rendering once and keeping, ahead of
    every draft (a draft kept before the close is never served as the published copy)."""
    return [
        _start(_locked(plan, month, kind)[0], user=user, published=True, counted=False)
        for kind in documents.published_kinds(plan)
    ]


def unpublish(*, plan: Plan, month: Month) -> int:
    """At a month's re-opening: the kept copies go; the month renders on request again."""
    return documents.discard(plan, month, list(documents.PUBLISHED_KINDS))


@transaction.atomic
def request_render(*, plan: Plan, month: Month, kind: str, user=None, published: bool = False) -> Document:
    """Ask the background worker for a fresh copy of a document: the request joins the render in
    hand, if there is one; otherwise it starts one, counted against the user's limit. The stored
    copy stays, and is served, until the new one is stored."""
    document, created = _locked(plan, month, kind)
    if not created and document.published == published:
        if documents.in_hand(document):
            return document
        if published and document.file:
            return document  # a stored published copy is rendered again only by rerender_published
    return _start(document, user=user, published=published)


@transaction.atomic
def try_again(*, plan: Plan, month: Month, kind: str, user, published: bool = False) -> Document:
    """The "Try again" button: a render that failed or stalled is asked for afresh. Refused for any
    other (nothing is rendered), and for a stored published copy, which is the performance team's."""
    document = (
        Document.objects.select_for_update().filter(plan=plan, month=month.first_day, kind=kind).first()
    )
    if document is None:
        raise RenderRefused(NOTHING_ASKED)
    if document.published and document.file:
        raise RenderRefused(PUBLISHED_KEPT)
    if not documents.has_failed(document):
        raise RenderRefused(BEING_PREPARED if documents.in_hand(document) else NOT_FAILED)
    return _start(document, user=user, published=published)


@transaction.atomic
def rerender_published(*, plan: Plan, month: Month, kind: str, user) -> Document:
    """Render a closed month's published copy again (the performance team's explicit action), from
    the published snapshot, so its text is the same. The copy in store is served until the new
    one is stored, then swapped for it; the old file goes only when that swap commits."""
    # The view checks this too; a service that replaces what Cabinet was sent checks again.
    if user is None or not user.has_perm(roles.CLOSE_MONTH, plan):
        raise PermissionDenied("Only the performance team can render a published copy again.")
    if not MonthClose.objects.is_closed(plan, month):
        raise RenderRefused(NOT_CLOSED.format(month=month.name))
    document, created = _locked(plan, month, kind)
    if not created and document.published and documents.in_hand(document):
        return document
    return _start(document, user=user, published=True)


def count_render(user) -> None:
    """A render in the request (a short draft) counts against the user's limit like the worker's;
    raises ``RenderLimitReached`` when the limit is reached."""
    _count(user, None)


def _locked(plan: Plan, month: Month, kind: str) -> tuple[Document, bool]:
    """The document's row, locked (created if new: then no render is in hand yet)."""
    return Document.objects.select_for_update().get_or_create(plan=plan, month=month.first_day, kind=kind)


def _start(document: Document, *, user, published: bool, counted: bool = True) -> Document:
    """Queue a render of the (locked) document. Its stored copy is kept and served meanwhile."""
    if counted and user is not None:
        _count(user, document)
    if document.published != published:
        # A copy of the other kind (a draft kept before the close) is never served as this one.
        documents.discard_file(document)
        document.pages, document.as_at, document.source_digest = None, None, ""
    document.published = published
    document.state = Document.State.PENDING
    document.error = ""
    document.requested_by = user if user is not None and user.is_authenticated else None
    document.requested_at = timezone.now()
    priority = PUBLISHED_PRIORITY if published else DRAFT_PRIORITY
    result = render_document.using(priority=priority).enqueue(document.pk)
    document.task_id = str(result.id)
    document.save()
    return document


def _count(user, document: Document | None) -> None:
    now = timezone.now()
    since = now - RENDER_LIMIT.window
    recent = RenderRequest.objects.filter(requested_by=user, requested_at__gt=since)
    asked = recent.count()
    if asked >= RENDER_LIMIT.renders:
        oldest = recent.order_by("requested_at").values_list("requested_at", flat=True).first()
        raise RenderLimitReached(asked, oldest + RENDER_LIMIT.window - now)
    RenderRequest.objects.filter(requested_by=user, requested_at__lte=since).delete()
    RenderRequest.objects.create(requested_by=user, requested_at=now, document=document)
