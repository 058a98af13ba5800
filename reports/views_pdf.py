"""The PDF downloads. Each needs the export permission (``plans.roles.EXPORT``).

A PDF rendered in the background is offered through one page: while it is being prepared the
page says so (and a small script, where JavaScript runs, checks for it); when it is ready the same
address returns the PDF; when it failed or ran out of time the page says so and offers to try again.
Once a copy has been stored, a reader asking while a newer one is prepared is given that copy at
once, marked with the time its figures were read. Renders are asked for through
``reports.renders`` (one in hand per document, a limit per user, published copies first).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django.views.generic import UpdateView

from plans import roles
from plans.models import MonthClose, Plan
from plans.periods import Month
from plans.permissions import PlanMonthMixin, RoleRequiredMixin
from reports import documents, renders, versions
from reports.docx import cover_docx
from reports.forms_pdf import CoverSettingsForm, RerenderForm
from reports.models import Document
from reports.pdf import PDFRenderError, html_to_pdf


class ExportMixin(RoleRequiredMixin, PlanMonthMixin):
    """A document of a plan's month (``plan_month_or_404``), for those who may export."""

    permission_required = roles.EXPORT


def pdf_filename(plan: Plan, month: Month, kind: str) -> str:
    return f"{plan.slug}-{month}-{documents.kind_label(plan, kind).lower().replace(' ', '-')}.pdf"


def pdf_response(document: Document, plan: Plan) -> FileResponse:
    filename = pdf_filename(plan, Month.from_date(document.month), document.kind)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        # A newer copy was swapped in, and the old file deleted, since the row was read.
        document.refresh_from_db()
        handle = document.file.open("rb")
    return FileResponse(handle, content_type="application/pdf", filename=filename)


def refused(request, refusal: renders.RenderRefused, plan: Plan, month: Month, kind: str, url: str):
    """Nothing was rendered: 409 (nothing to try again, a published copy) or 429 (the user's limit)."""
    context = {
        "plan": plan,
        "month": month,
        "kind": documents.kind_label(plan, kind),
        "message": str(refusal),
        "url": url,
    }
    response = render(request, "pdf/refused.html", context, status=refusal.status)
    if isinstance(refusal, renders.RenderLimitReached):
        response["Retry-After"] = str(refusal.retry_after)
    return response


class BackgroundDocumentView(ExportMixin, View):
    """GET: the stored PDF when it is current, otherwise the page about its preparation (asking
    for a render when none is in hand). POST: "Try again", for a render that failed or stalled."""

    kind: str = ""
    url_name: str = ""
    state_url_name: str = ""
    published = False

    def get(self, request, *args, **kwargs):
        plan, month = self.plan_and_month
        return self.stored_or_queued(plan, month)

    def post(self, request, *args, **kwargs):
        plan, month = self.plan_and_month
        return self.try_again(plan, month, published=self.published)

    def try_again(self, plan: Plan, month: Month, *, published: bool):
        try:
            renders.try_again(
                plan=plan, month=month, kind=self.kind, user=self.request.user, published=published
            )
        except renders.RenderRefused as refusal:
            return self.refused(refusal, plan, month)
        return HttpResponseRedirect(self.url(plan, month), status=303)

    def stored_or_queued(self, plan: Plan, month: Month):
        document = documents.find_document(plan, month, self.kind)
        # (A closed month's appendix is its published copy, never a draft kept before the close.)
        if (
            document is not None
            and document.published == self.published
            and documents.is_current(document, plan)
        ):
            return pdf_response(document, plan)
        return self.queued(document, plan, month, published=self.published)

    def queued(self, document: Document | None, plan: Plan, month: Month, *, published: bool):
        """A copy that is not current: the render in hand is joined, or one is asked for, unless the
        last one failed (shown, with "Try again"). Meanwhile the stored copy, if there is one, is
        served, marked with the time of its figures; otherwise the page about its preparation."""
        failed = document is not None and document.published == published and documents.has_failed(document)
        if not failed:
            try:
                document = renders.request_render(
                    plan=plan, month=month, kind=self.kind, user=self.request.user, published=published
                )
            except renders.RenderRefused as refusal:
                return self.refused(refusal, plan, month)
        if not failed and document.file:
            return self.earlier_copy(document, plan)
        return self.state_page(document, plan, month)

    def earlier_copy(self, document: Document, plan: Plan) -> FileResponse:
        """The stored copy while a newer one is prepared. The PDF says when its figures were read
        ("Draft as at 14:32"); the headers say so too, and how many changes it does not show."""
        response = pdf_response(document, plan)
        if document.as_at is not None:
            response["X-Document-As-At"] = document.as_at.isoformat()
            response["X-Document-Changes-Since"] = str(documents.changes_since(document))
        return response

    def url(self, plan: Plan, month: Month) -> str:
        return reverse(self.url_name, kwargs={"slug": plan.slug, "month": str(month)})

    def refused(self, refusal: renders.RenderRefused, plan: Plan, month: Month):
        return refused(self.request, refusal, plan, month, self.kind, self.url(plan, month))

    def state_page(self, document: Document, plan: Plan, month: Month):
        failed = documents.has_failed(document)
        context = {
            "document": document,
            "plan": plan,
            "month": month,
            "failed": failed,
            "kind": documents.kind_label(plan, self.kind),
            "stalled": documents.is_stalled(document),
            "url": self.url(plan, month),
            "state_url": reverse(self.state_url_name, kwargs={"slug": plan.slug, "month": str(month)}),
        }
        return render(self.request, "pdf/document_state.html", context, status=200 if failed else 202)


class DocumentStateView(ExportMixin, View):
    """The state of a background render as JSON, for the page's poll: "ready" when the address
    gives a PDF (the stored copy, current or not), "failed" when it gives the failure."""

    kind: str = ""

    def get(self, request, *args, **kwargs):
        plan, month = self.plan_and_month
        document = documents.find_document(plan, month, self.kind)
        if document is None:
            raise Http404("Nothing has been asked for")
        if document.file and (document.published or not documents.has_failed(document)):
            state = "ready"
        elif documents.has_failed(document):
            state = "failed"
        else:
            state = "preparing"
        return JsonResponse({"state": state, "pages": document.pages})


class FullPlanPDFView(BackgroundDocumentView):
    """The whole plan with each action's month strip as at a month (the Members' Room copy)."""

    kind = Document.Kind.PLAN
    url_name = "reports:plan-pdf"
    state_url_name = "reports:plan-pdf-state"


class FullPlanStateView(DocumentStateView):
    kind = Document.Kind.PLAN


class PublishedDocumentView(BackgroundDocumentView):
    """The appendix and cover. A closed month's were rendered once at its close and are served
    from storage. An open month's draft is laid out from the report as it stands: served from
    storage while nothing it shows has changed, otherwise rendered in the request when it is
    short, or by the background worker when it is not (``documents.REQUEST_RENDER_MAX_BLOCKS``)."""

    published = True

    def get(self, request, *args, **kwargs):
        plan, month = self.plan_and_month
        if MonthClose.objects.is_closed(plan, month):
            return self.stored_or_queued(plan, month)
        return self.draft(request, plan, month)

    def draft(self, request, plan: Plan, month: Month):
        """The document laid out from the figures as they stand (a stored copy of the same HTML is
        served as it is)."""
        source = documents.SOURCES[self.kind](plan, month, wrote_at=versions.last_write(request))
        document = documents.find_document(plan, month, self.kind)
        if documents.is_current_draft(document, source):
            return pdf_response(document, plan)
        if not source.fits_in_a_request:
            return self.queued(document, plan, month, published=False)
        try:
            renders.count_render(request.user)
            rendered = html_to_pdf(source.html, seconds=documents.REQUEST_TIME_LIMIT)
        except renders.RenderRefused as refusal:
            return self.refused(refusal, plan, month)
        except PDFRenderError as error:
            return render(
                request,
                "pdf/render_failed.html",
                {
                    "plan": plan,
                    "month": month,
                    "kind": documents.kind_label(plan, self.kind),
                    "error": error,
                    "url": self.url(plan, month),
                },
                status=503,
            )
        documents.keep_draft(plan, month, self.kind, source, rendered)
        response = HttpResponse(rendered.content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{pdf_filename(plan, month, self.kind)}"'
        return response

    def post(self, request, *args, **kwargs):
        """ "Try again", for a render the worker failed (or never did). A closed month's stored
        published copy is rendered again only by the performance team (``PublishedCopiesView``)."""
        plan, month = self.plan_and_month
        return self.try_again(plan, month, published=MonthClose.objects.is_closed(plan, month))


class AppendixPDFView(PublishedDocumentView):
    """Appendix 1 of the Cabinet report: progress table, legend, exception pages."""

    kind = Document.Kind.APPENDIX
    url_name = "reports:appendix-pdf"
    state_url_name = "reports:appendix-pdf-state"


class AppendixStateView(DocumentStateView):
    kind = Document.Kind.APPENDIX


class CoverPDFView(PublishedDocumentView):
    """The report to Cabinet (seed 000 sections 1-3)."""

    kind = Document.Kind.COVER
    url_name = "reports:cover-pdf"
    state_url_name = "reports:cover-pdf-state"


class CoverStateView(DocumentStateView):
    kind = Document.Kind.COVER


class CoverDocxView(ExportMixin, View):
    """The report to the committee as a Word document, built in the request (a few pages of text)
    from the same object as the PDF cover: a closed month's from its published snapshot."""

    def get(self, request, *args, **kwargs):
        plan, month = self.plan_and_month
        content = cover_docx(documents.build_cover(plan, month))
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        filename = pdf_filename(plan, month, Document.Kind.COVER).removesuffix(".pdf") + ".docx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class RecommendationsPDFView(PublishedDocumentView):
    """The inspection recommendations tracker: never published with a month (its links can change
    after the close), so always laid out from the links and statuses as they stand; a closed
    month's statuses cannot change, and a copy is kept only while the month is open."""

    kind = Document.Kind.RECOMMENDATIONS
    url_name = "reports:recommendations-pdf"
    state_url_name = "reports:recommendations-pdf-state"

    def get(self, request, *args, **kwargs):
        plan, month = self.plan_and_month
        return self.draft(request, plan, month)

    def post(self, request, *args, **kwargs):
        plan, month = self.plan_and_month
        return self.try_again(plan, month, published=False)


class RecommendationsStateView(DocumentStateView):
    kind = Document.Kind.RECOMMENDATIONS


class PublishedCopiesView(ExportMixin, View):
    """A closed month's published appendix and cover, for the performance team: what is stored,
    any render of them in hand, and "Render the published copy again" - from the published report,
    into a new file that replaces the stored one once it is stored (readers are served the stored
    copy until then)."""

    permission_required = roles.CLOSE_MONTH
    urls = {Document.Kind.APPENDIX: AppendixPDFView.url_name, Document.Kind.COVER: CoverPDFView.url_name}

    def get(self, request, *args, **kwargs):
        plan, month = self.plan_and_month
        return self.page(plan, month)

    def post(self, request, *args, **kwargs):
        plan, month = self.plan_and_month
        form = RerenderForm(request.POST)
        if not form.is_valid():
            return self.page(plan, month, status=400)
        kind = form.cleaned_data["kind"]
        try:
            renders.rerender_published(plan=plan, month=month, kind=kind, user=request.user)
        except renders.RenderRefused as refusal:
            url = reverse(self.urls[kind], kwargs={"slug": plan.slug, "month": str(month)})
            return refused(request, refusal, plan, month, kind, url)
        messages.success(
            request,
            f"{documents.kind_label(plan, kind)}: the published copy is being rendered again. Readers are "
            "given the stored copy until the new one is stored.",
        )
        here = reverse("reports:published-copies", kwargs={"slug": plan.slug, "month": str(month)})
        return HttpResponseRedirect(here, status=303)

    def page(self, plan: Plan, month: Month, status: int = 200):
        stored = {
            d.kind: d for d in Document.objects.filter(plan=plan, month=month.first_day, published=True)
        }
        copies = [
            {
                "kind": kind,
                "label": documents.kind_label(plan, kind),
                "document": stored.get(kind),
                "in_hand": kind in stored and documents.in_hand(stored[kind]),
                "failed": kind in stored and documents.has_failed(stored[kind]),
                "stalled": kind in stored and documents.is_stalled(stored[kind]),
                "url": reverse(self.urls[kind], kwargs={"slug": plan.slug, "month": str(month)}),
            }
            for kind in documents.published_kinds(plan)
        ]
        context = {
            "plan": plan,
            "month": month,
            "closed": MonthClose.objects.is_closed(plan, month),
            "copies": copies,
            "report_url": reverse("reports:month", kwargs={"slug": plan.slug, "month": str(month)}),
        }
        return render(self.request, "pdf/published_copies.html", context, status=status)


class CoverSettingsView(RoleRequiredMixin, UpdateView):
    """The cover report's responsible portfolio holder, officer and contact: settings of the plan
    that the performance team keeps (they change with the council's cabinet, not with the month)."""

    permission_required = roles.EDIT_STRUCTURE
    model = Plan
    form_class = CoverSettingsForm
    template_name = "pdf/cover_settings.html"
    context_object_name = "plan"

    def get_object(self, queryset=None):
        return self.plan_or_404(self.kwargs["slug"])

    def form_valid(self, form):
        messages.success(self.request, "The cover report settings are saved.")
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return reverse("reports:cover-settings", kwargs={"slug": self.object.slug})
