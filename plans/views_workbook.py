"""The plan workbook on the web: upload, preview, confirm; download a plan or the blank template.

An upload is checked and read in full before anything is saved (``plans.workbook``), once: the
file and that reading of it (JSON, with the SHA-256 of the file) wait in Django's default storage,
named by a random token held in the uploader's session, while the performance team looks at the
preview. Confirming imports the same reading in one transaction, once the file still hashes to
the digest the session holds; the workbook is not read again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from plans import roles
from plans.models import Organisation, Plan
from plans.permissions import RoleRequiredMixin, organisations_where
from plans.status import COUNTED
from plans.workbook.importer import RESERVED_SLUGS, ImportRefused, import_plan, plan_slug
from plans.workbook.reader import ParsedPlan, parsed_as_json, parsed_from_json, read_workbook
from plans.workbook.safety import MAX_UPLOAD_BYTES, WorkbookInvalid, read_upload
from plans.workbook.writer import blank_template, export_plan, workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "workbook_imports"
# An upload waits for its confirmation in Django's default storage (like the stored PDFs: a shared
# mount or object storage when there are several app servers), under a random token kept in the
# uploader's session. MEDIA is never served by URL.
PENDING_DIR = "workbook-imports"
PENDING_HOURS = 24
EXPIRED = "This upload has expired or was already imported."


def pending_name(token: str, kind: str = "xlsx") -> str:
    """The pending upload (``xlsx``) or its reading (``json``)."""
    return f"{PENDING_DIR}/{token}.{kind}"


def _download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Plan workbook (.xlsx)",
        help_text="An Excel workbook in the plan format, up to 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Council",
        help_text="The council whose plan this is.",
    )
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        required=False,
        empty_label="A new plan",
        label="Import into",
        help_text="Choose a plan to update it from the workbook; its statuses and their history are kept.",
    )
    slug = forms.SlugField(
        required=False,
        max_length=80,
        label="Short name of a new plan (optional)",
        help_text="Used in the plan's web address; made from the title when left blank.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the councils where this person may import, and their plans; with one council there
        # is nothing to choose.
        organisations = organisations_where(user, roles.IMPORT_PLAN)
        self.fields["organisation"].queryset = organisations
        self.fields["plan"].queryset = Plan.objects.filter(organisation__in=organisations)
        self.sole = organisations[0] if len(organisations) == 1 else None
        if self.sole is not None:
            del self.fields["organisation"]

    def clean(self):
        cleaned = super().clean()
        plan = cleaned.get("plan")
        if plan is not None:
            cleaned["organisation"] = plan.organisation
        elif self.sole is not None:
            cleaned["organisation"] = self.sole
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        self.problems: list = []
        try:
            data = read_upload(upload, size=upload.size)
            parsed = read_workbook(data, plan=cleaned.get("plan"))
        except WorkbookInvalid as invalid:
            self.problems = invalid.errors
            count = len(invalid.errors)
            self.add_error(
                "file", f"The workbook has {count} problem{'s' if count != 1 else ''}; nothing was saved."
            )
            return cleaned
        if cleaned.get("plan") is None:
            slug = cleaned.get("slug") or plan_slug(parsed)
            if slug in RESERVED_SLUGS:
                self.add_error("slug", f"“{slug}” is a page of the site; give the plan another short name.")
            elif Plan.objects.filter(slug=slug).exists():
                self.add_error(
                    "slug",
                    f"A plan called “{slug}” already exists: choose it under “Import into”, or give another.",
                )
            cleaned["slug"] = slug
        cleaned["data"], cleaned["parsed"] = data, parsed
        return cleaned


class ImportUploadView(RoleRequiredMixin, FormView):
    permission_required = roles.IMPORT_PLAN
    template_name = "plans/workbook/upload.html"
    form_class = UploadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        token = secrets.token_urlsafe(24)
        _clear_stale()
        data = form.cleaned_data["data"]
        digest = hashlib.sha256(data).hexdigest()
        reading = {"sha256": digest, "parsed": parsed_as_json(form.cleaned_data["parsed"])}
        default_storage.save(pending_name(token), ContentFile(data))
        default_storage.save(pending_name(token, "json"), ContentFile(json.dumps(reading).encode()))
        pending = self.request.session.get(SESSION_KEY, {})
        plan = form.cleaned_data.get("plan")
        pending[token] = {
            "name": form.cleaned_data["file"].name[:200],
            "plan": plan.pk if plan else None,
            "organisation": form.cleaned_data["organisation"].pk,  # checked again on confirming
            "slug": "" if plan else form.cleaned_data["slug"],
            "sha256": digest,
        }
        self.request.session[SESSION_KEY] = pending
        return redirect("plans:import-preview", token=token)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["problems"] = getattr(context["form"], "problems", [])
        context["max_mb"] = MAX_UPLOAD_BYTES // (1024 * 1024)
        return context


def _clear_stale() -> None:
    if not default_storage.exists(PENDING_DIR):
        return
    cutoff = timezone.now() - timedelta(hours=PENDING_HOURS)
    for name in default_storage.listdir(PENDING_DIR)[1]:
        path = f"{PENDING_DIR}/{name}"
        if name.endswith((".xlsx", ".json")) and default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)


class ImportPreviewView(RoleRequiredMixin, TemplateView):
    """What the workbook holds and what importing it would do; nothing is saved until confirmed."""

    permission_required = roles.IMPORT_PLAN
    template_name = "plans/workbook/preview.html"

    def _load(self, token: str) -> None:
        self.token = token
        self.pending = self.request.session.get(SESSION_KEY, {}).get(token)
        self.path = pending_name(token)
        if self.pending is None or not default_storage.exists(pending_name(token, "json")):
            raise Http404(EXPIRED)
        # Checked again: the person's role may have changed since the upload.
        organisations = organisations_where(self.request.user, roles.IMPORT_PLAN)
        self.organisation = organisations.filter(pk=self.pending.get("organisation")).first()
        if self.organisation is None:
            raise Http404(EXPIRED)
        self.plan = (
            Plan.objects.filter(organisation=self.organisation, pk=self.pending["plan"]).first()
            if self.pending["plan"]
            else None
        )

    def _forget(self) -> None:
        default_storage.delete(self.path)
        default_storage.delete(pending_name(self.token, "json"))
        pending = self.request.session.get(SESSION_KEY, {})
        pending.pop(self.token, None)
        self.request.session[SESSION_KEY] = pending

    def get(self, request, *args, token: str, **kwargs):
        self._load(token)
        return super().get(request, *args, token=token, **kwargs)

    def _parsed(self) -> ParsedPlan:
        """The upload as it was read for the preview: the workbook is not read again."""
        with default_storage.open(pending_name(self.token, "json"), "rb") as handle:
            reading = json.load(handle)
        if reading.get("sha256") != self.pending.get("sha256"):
            raise Http404(EXPIRED)
        try:
            return parsed_from_json(reading["parsed"])
        except ValueError as exc:  # kept by an earlier version of the site
            raise Http404(EXPIRED) from exc

    def _check_upload(self) -> None:
        """The file waiting is the one read for the preview (by its SHA-256)."""
        if not default_storage.exists(self.path):
            raise Http404(EXPIRED)
        with default_storage.open(self.path, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() != self.pending.get("sha256"):
                raise Http404(EXPIRED)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(pending=self.pending, plan=self.plan, statuses=COUNTED)
        try:
            parsed = self._parsed()
            # As the user who will confirm it: setting up indicators and their actuals asks for permissions.
            outcome = import_plan(
                parsed,
                plan=self.plan,
                slug=self.pending["slug"],
                user=self.request.user,
                dry_run=True,
                organisation=self.organisation,
            )
        except (WorkbookInvalid, ImportRefused, PermissionDenied) as problem:
            context["problems"] = getattr(problem, "errors", [str(problem)])
            return context
        actions_by_priority: dict[str, list] = {}
        for action in parsed.actions:
            actions_by_priority.setdefault(action.priority, []).append(action)
        context.update(
            parsed=parsed,
            outcome=outcome.lines(done=False),
            priorities=[
                (
                    p,
                    sum(1 for m in parsed.measures if m.priority == p.code),
                    actions_by_priority.get(p.code, []),
                )
                for p in parsed.priorities
            ],
            months=parsed.month_counts(),
        )
        return context

    def post(self, request, *args, token: str, **kwargs):
        self._load(token)
        self._check_upload()
        try:
            result = import_plan(
                self._parsed(), plan=self.plan, slug=self.pending["slug"], user=request.user,
                filename=self.pending["name"], organisation=self.organisation,
            )  # fmt: skip
        except (WorkbookInvalid, ImportRefused, PermissionDenied):
            # Something changed since the preview (a slug taken meanwhile): show the preview again.
            return self.get(request, *args, token=token, **kwargs)
        self._forget()
        for line in result.lines():
            messages.success(request, line)
        return redirect(result.plan.get_absolute_url())


class ImportCancelView(ImportPreviewView):
    http_method_names = ["post"]

    def post(self, request, *args, token: str, **kwargs):
        self._load(token)
        self._forget()
        messages.info(request, "The import was cancelled; nothing was saved.")
        return redirect(reverse("plans:import"))


class PlanWorkbookView(RoleRequiredMixin, View):
    """The plan as an Excel workbook, in the import format."""

    permission_required = roles.EXPORT

    def get(self, request, slug: str):
        plan = self.plan_or_404(slug)
        return _download(export_plan(plan), f"{plan.slug}.xlsx")


class BlankWorkbookView(RoleRequiredMixin, View):
    """An empty plan workbook with every sheet and heading, to fill in and upload."""

    permission_required = roles.IMPORT_PLAN

    def get(self, request):
        return _download(workbook_bytes(blank_template()), "plan-workbook-template.xlsx")
