"""What the reports keep: the published (closed) months and the rendered documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from plans.models import Plan, first_of_month
from plans.periods import Month


class Document(models.Model):
    """A rendered PDF: the Cabinet appendix or cover report of a month, or the full plan as of a
    month. Published documents are rendered once at a month's close and served from storage;
    long renders run as background tasks and this row tracks them.

    The row holds two things: the stored copy (``file``, ``pages``, ``as_at``, ``source_digest``,
    ``finished_at``), which readers are served, and the latest render asked for (``state``,
    ``task_id``, ``requested_by``, ``requested_at``, ``error``). A new render is written to a new
    file and swapped in once stored, so the stored copy is served while it runs."""

    class Kind(models.TextChoices):
        APPENDIX = "APPENDIX", "Cabinet appendix"
        COVER = "COVER", "Cover report"
        PLAN = "PLAN", "Full plan"
        RECOMMENDATIONS = "RECS", "Recommendations tracker"

    class State(models.TextChoices):
        PENDING = "PENDING", "Waiting to be rendered"
        RUNNING = "RUNNING", "Being rendered"
        READY = "READY", "Ready"
        FAILED = "FAILED", "Failed"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="documents")
    month = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    state = models.CharField(max_length=7, choices=State.choices, default=State.PENDING)
    published = models.BooleanField(default=False, help_text="Rendered at the month's close and kept.")
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    as_at = models.DateTimeField(
        null=True, blank=True, help_text="When the stored copy's figures were read (a draft says so)."
    )
    source_digest = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of the HTML a draft appendix or cover was laid out from.",
    )
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "month", "kind"], name="one_document_per_plan_month_kind"
            ),
            models.CheckConstraint(condition=first_of_month("month"), name="document_month_is_1st"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.plan.slug} {Month.from_date(self.month)}"


class RenderRequest(models.Model):
    """A render someone started (a request that joined a render in hand started none): what the
    per-user limit of ``reports.renders`` counts. Rows older than the limit's window are pruned."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="render_requests"
    )

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["requested_by", "requested_at"], name="render_request_user_at")]

    def __str__(self) -> str:
        return f"{self.requested_by} at {self.requested_at:%Y-%m-%d %H:%M}"


class DataVersion(models.Model):
    """A counter of the writes to what the exception report shows: one row per plan
    (``plan:<id>``) and one for data every plan's report may show (``all``: leads, people's
    names, the plans themselves). Bumped in the writing transaction (``reports.versions``), so a
    report cached under a version is never served once the data it was built from has changed."""

    key = models.CharField(max_length=40, primary_key=True)
    number = models.BigIntegerField(default=0)

    archived = False  # not in an archive (archive.services): counters, not the council's data

    def __str__(self) -> str:
        return f"{self.key}: {self.number}"
