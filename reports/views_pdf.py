"""The PDF downloads. Each needs the export permission (``plans.roles.EXPORT``).

A PDF rendered in the background is offered through one page: while it is being prepared the
page says so (and a small script, where JavaScript runs, checks for it); when it is ready the same
address returns the PDF; when it failed or ran out of time the page says so and offers to try again.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import UpdateView

from plans import roles
from plans.models import MonthClose, Plan
from plans.periods import Month, to_month
from plans.views import RoleRequiredMixin
from reports import documents
from reports.forms_pdf import CoverSettingsForm
from reports.models import Document
from reports.pdf import PDFRenderError, html_to_pdf


class PlanMonthMixin(RoleRequiredMixin):
    permission_required = roles.EXPORT

    def plan_and_month(self) -> tuple[Plan, Month]:
        plan = get_object_or_404(Plan, slug=self.kwargs["slug"])
        try:
            month = to_month(self.kwargs["month"])
        except ValueError as error:
            raise Http404("No such month") from error
        if not plan.contains(month):
            raise Http404("The month is not in this plan's year")
        return plan, month


def pdf_filename(plan: Plan, month: Month, kind: str) -> str:
    return f"{plan.slug}-{month}-{Document.Kind(kind).label.lower().replace(' ', '-')}.pdf"


def pdf_response(document: Document, plan: Plan) -> FileResponse:
    filename = pdf_filename(plan, Month.from_date(document.month), document.kind)
    return FileResponse(document.file.open("rb"), content_type="application/pdf", filename=filename)


class BackgroundDocumentView(PlanMonthMixin, View):
    """GET: the stored PDF when it is current, otherwise the page about its preparation (asking
    for a render when there is none). POST: ask for a fresh render (the "Try again" button)."""

    kind: str = ""
    url_name: str = ""
    state_url_name: str = ""
    published = False

    def get(self, request, *args, **kwargs):
        plan, month = self.plan_and_month()
        return self.stored_or_queued(plan, month)

    def post(self, request, *args, **kwargs):
        plan, month = self.plan_and_month()
        documents.request_render(
            plan=plan, month=month, kind=self.kind, user=request.user, published=self.published
        )
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
        """The page about a render: asked for now unless one is already waiting, running or failed
        (a failure is shown with "Try again")."""
        if document is None or document.state == Document.State.READY:
            document = documents.request_render(
                plan=plan, month=month, kind=self.kind, user=self.request.user, published=published
            )
        return self.state_page(document, plan, month)

    def url(self, plan: Plan, month: Month) -> str:
        return reverse(self.url_name, kwargs={"slug": plan.slug, "month": str(month)})

    def state_page(self, document: Document, plan: Plan, month: Month):
        failed = document.state == Document.State.FAILED or documents.is_stalled(document)
        context = {
            "document": document,
            "plan": plan,
            "month": month,
            "failed": failed,
            "stalled": documents.is_stalled(document),
            "url": self.url(plan, month),
            "state_url": reverse(self.state_url_name, kwargs={"slug": plan.slug, "month": str(month)}),
        }
        return render(self.request, "pdf/document_state.html", context, status=200 if failed else 202)


class DocumentStateView(PlanMonthMixin, View):
    """The state of a background render as JSON, for the page's poll."""

    kind: str = ""

    def get(self, request, *args, **kwargs):
        plan, month = self.plan_and_month()
        document = documents.find_document(plan, month, self.kind)
        if document is None:
            raise Http404("Nothing has been asked for")
        if document.state == Document.State.READY:
            state = "ready"
        elif document.state == Document.State.FAILED or documents.is_stalled(document):
            state = "failed"
        else:
            state = "preparing"
        return JsonResponse({"state": state, "pages": document.pages})


class FullPlanPDFView(BackgroundDocumentView):
    """The whole plan with each action's month strip as at a month (the Members' Room copy)."""

    kind = Document.Kind.PLAN
    url_name = "plans:plan-pdf"
    state_url_name = "plans:plan-pdf-state"


class FullPlanStateView(DocumentStateView):
    kind = Document.Kind.PLAN


class PublishedDocumentView(BackgroundDocumentView):
    """The appendix and cover. A closed month's were rendered once at its close and are served
    from storage. An open month's draft is laid out from the report as it stands: served from
    storage while nothing it shows has changed, otherwise rendered in the request when it is
    short, or by the background worker when it is not (``documents.REQUEST_RENDER_MAX_BLOCKS``)."""

    published = True

    def get(self, request, *args, **kwargs):
        plan, month = self.plan_and_month()
        if MonthClose.objects.is_closed(plan, month):
            return self.stored_or_queued(plan, month)
        source = documents.SOURCES[self.kind](plan, month)
        document = documents.find_document(plan, month, self.kind)
        if documents.is_current_draft(document, source):
            return pdf_response(document, plan)
        if not source.fits_in_a_request:
            return self.queued(document, plan, month, published=False)
        try:
            rendered = html_to_pdf(source.html, seconds=documents.REQUEST_TIME_LIMIT)
        except PDFRenderError as error:
            return render(
                request,
                "pdf/render_failed.html",
                {
                    "plan": plan,
                    "month": month,
                    "kind": Document.Kind(self.kind).label,
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
        """ "Try again": a closed month's published copy, or a long draft, is rendered afresh by
        the worker; a short draft is simply downloaded again."""
        plan, month = self.plan_and_month()
        closed = MonthClose.objects.is_closed(plan, month)
        if closed or not documents.SOURCES[self.kind](plan, month).fits_in_a_request:
            documents.request_render(
                plan=plan, month=month, kind=self.kind, user=request.user, published=closed
            )
        return HttpResponseRedirect(self.url(plan, month), status=303)


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


class CoverSettingsView(RoleRequiredMixin, UpdateView):
    """The cover report's responsible portfolio holder, officer and contact: settings of the plan
    that the performance team keeps (they change with the council's cabinet, not with the month)."""

    permission_required = roles.EDIT_STRUCTURE
    model = Plan
    form_class = CoverSettingsForm
    template_name = "pdf/cover_settings.html"
    context_object_name = "plan"

    def form_valid(self, form):
        messages.success(self.request, "The cover report settings are saved.")
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return reverse("reports:cover-settings", kwargs={"slug": self.object.slug})
