"""The plan workbook on the web: upload, preview, confirm; download a plan or the blank template.

An upload is checked and read in full before anything is saved (``plans.workbook``), once: the
file and that reading of it (JSON, with the SHA-256 of the file) wait in Django's default storage,
named by a random token held in the uploader's session, while the performance team looks at the
preview. Confirming imports the same reading in one transaction, once the file still hashes to
the digest the session holds; the workbook is not read again.

A workbook in a council's own one-table layout (``plans.workbook.one_table``, found by its
headings) does not say its calendar or which month its On Target column reports, and may have
columns the reader does not know: its preview asks for them (``OneTableSettingsForm``), keeps the
answers in the session beside the pending upload, and reads the kept file again with them (after
the same SHA-256 check) for the preview and for the confirmation, which imports that reading and
keeps the column mapping for the organisation's next import.
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
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from plans import roles
from plans.models import Organisation, Plan, TableField
from plans.periods import Month
from plans.permissions import RoleRequiredMixin, organisations_where
from plans.status import COUNTED
from plans.views import form_errors
from plans.workbook.importer import RESERVED_SLUGS, ImportRefused, import_plan, plan_slug
from plans.workbook.one_table import (
    COLUMNS,
    Calendar,
    CalendarInvalid,
    OneTable,
    calendar_of,
    is_one_table,
    read_one_table,
    saved_mapping,
)
from plans.workbook.reader import ParsedPlan, parse_month, parsed_as_json, parsed_from_json, read_workbook
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
ONE_TABLE = "one-table"


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
        help_text="An Excel workbook in the plan format or in your council's own one-table layout, up to 10 MB.",
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
        self.user = user
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
        plan = cleaned.get("plan")
        try:
            data = read_upload(upload, size=upload.size)
            if is_one_table(data):
                organisation = plan.organisation if plan else cleaned.get("organisation")
                table = read_one_table(data, plan=plan, mapping=saved_mapping(organisation))
                cleaned["layout"], cleaned["table"] = ONE_TABLE, table
                parsed = ParsedPlan(title=table.title, first_month=Month(2000, 1))  # for its slug only
            else:
                parsed = read_workbook(data, plan=plan)
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
        one_table = form.cleaned_data.get("layout") == ONE_TABLE
        default_storage.save(pending_name(token), ContentFile(data))
        if not one_table:
            # A one-table upload is read again with the settings its preview asks for.
            reading = {"sha256": digest, "parsed": parsed_as_json(form.cleaned_data["parsed"])}
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
        if one_table:
            pending[token].update(layout=ONE_TABLE, settings=None, mapping={})
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
        kept = pending_name(token, "xlsx" if self.one_table else "json")
        if self.pending is None or not default_storage.exists(kept):
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

    @property
    def one_table(self) -> bool:
        return bool(self.pending) and self.pending.get("layout") == ONE_TABLE

    def _forget(self) -> None:
        default_storage.delete(self.path)
        # (a one-table upload has no kept reading: deleting a missing name is nothing)
        default_storage.delete(pending_name(self.token, "json"))
        pending = self.request.session.get(SESSION_KEY, {})
        pending.pop(self.token, None)
        self.request.session[SESSION_KEY] = pending

    def get(self, request, *args, token: str, **kwargs):
        self._load(token)
        if self.one_table:
            return self._one_table_page()
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
        self._data()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(pending=self.pending, plan=self.plan, statuses=COUNTED)
        try:
            parsed = self._parsed()
            # As the user who will confirm it: setting up indicators and their actuals asks for permissions.
            outcome = self._run(parsed, dry_run=True)
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
        if self.one_table:
            if request.POST.get("action") == "settings":
                return self._save_settings()
            return self._import_one_table()
        try:
            result = self._run(self._parsed(), dry_run=False)
        except (WorkbookInvalid, ImportRefused, PermissionDenied):
            # Something changed since the preview (a slug taken meanwhile): show the preview again.
            return self.get(request, *args, token=token, **kwargs)
        self._forget()
        for line in result.lines():
            messages.success(request, line)
        return redirect(result.plan.get_absolute_url())

    # --- A council's one-table layout -------------------------------------------------------------
    def _data(self) -> bytes:
        """The kept upload, once it still hashes to what was previewed."""
        if not default_storage.exists(self.path):
            raise Http404(EXPIRED)
        with default_storage.open(self.path, "rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != self.pending.get("sha256"):
            raise Http404(EXPIRED)
        return data

    def _read(self, mapping: dict[str, str]) -> OneTable:
        known = saved_mapping(self.organisation)
        return read_one_table(self._data(), plan=self.plan, mapping={**known, **mapping})

    def _calendar(self) -> Calendar | None:
        settings = self.pending.get("settings")
        if not settings:
            return None
        status_month = Month.parse(settings["status_month"]) if settings["status_month"] else None
        if self.plan is not None:
            return calendar_of(self.plan, status_month)
        return Calendar(
            Month.parse(settings["first_month"]), settings["months"], settings["every"], status_month
        )

    def _run(self, parsed: ParsedPlan, *, dry_run: bool, mapping: dict | None = None):
        """The import (or its dry run) into the council chosen on upload (checked again in ``_load``)."""
        with transaction.atomic():
            result = import_plan(
                parsed, plan=self.plan, slug=self.pending["slug"], user=self.request.user, dry_run=dry_run,
                filename=self.pending["name"], organisation=self.organisation, column_mapping=mapping,
            )  # fmt: skip
            if dry_run:
                transaction.set_rollback(True)
        return result

    def _one_table_page(self, form: OneTableSettingsForm | None = None, problems: list | None = None):
        context = {"view": self, "pending": self.pending, "plan": self.plan, "statuses": COUNTED}
        try:
            table = self._read(self.pending.get("mapping", {}))
        except WorkbookInvalid as invalid:
            context["problems"] = invalid.errors
            return self.render_to_response(context)
        if form is None:
            form = OneTableSettingsForm(table=table, plan=self.plan, initial=self._initial(table))
        context.update(
            table=table, form=form, errors=form_errors(form), problems=problems or [],
            organisation=self.organisation, calendar=self._calendar(),
        )  # fmt: skip
        calendar = self._calendar()
        if calendar is not None and not form.is_bound and not problems:
            try:
                parsed = table.plan(calendar)
                outcome = self._run(parsed, dry_run=True)
            except (WorkbookInvalid, ImportRefused, PermissionDenied, CalendarInvalid) as problem:
                context["problems"] = getattr(problem, "errors", [str(problem)])
            else:
                context.update(parsed=parsed, outcome=outcome.lines(done=False), ready=True,
                               counts=parsed.month_counts())  # fmt: skip
        return self.render_to_response(context)

    def get_template_names(self):
        if self.one_table:
            return ["plans/workbook/preview_one_table.html"]
        return super().get_template_names()

    def _initial(self, table: OneTable) -> dict:
        settings = self.pending.get("settings") or {}
        initial = {
            name: Month.parse(settings[name]).name if settings.get(name) else None
            for name in ("first_month", "status_month")
        }
        initial.update(months=settings.get("months"), every=settings.get("every") or None)
        initial.update({form_field(c.letter): c.field for c in table.mappable if c.field})
        return initial

    def _save_settings(self):
        table = self._read(self.pending.get("mapping", {}))
        form = OneTableSettingsForm(self.request.POST, table=table, plan=self.plan)
        if not form.is_valid():
            return self._one_table_page(form)
        mapping = form.mapping()
        try:
            reread = self._read(mapping)
            reread.plan(form.calendar(self.plan))
        except WorkbookInvalid as invalid:
            return self._one_table_page(form, problems=invalid.errors)
        except CalendarInvalid as invalid:
            form.add_error(invalid.field if invalid.field in form.fields else None, invalid.message)
            return self._one_table_page(form)
        self.pending.update(settings=form.settings(), mapping=mapping)
        sessions = self.request.session.get(SESSION_KEY, {})
        sessions[self.token] = self.pending
        self.request.session[SESSION_KEY] = sessions
        return redirect("plans:import-preview", token=self.token)

    def _import_one_table(self):
        calendar = self._calendar()
        if calendar is None:
            return redirect("plans:import-preview", token=self.token)
        mapping = self.pending.get("mapping", {})
        try:
            parsed = self._read(mapping).plan(calendar)
            result = self._run(parsed, dry_run=False, mapping=mapping)
        except (WorkbookInvalid, ImportRefused, PermissionDenied, CalendarInvalid):
            # Something changed since the preview (a slug taken meanwhile): show the preview again.
            return self._one_table_page()
        self._forget()
        for line in result.lines():
            messages.success(self.request, line)
        return redirect(result.plan.get_absolute_url())


def form_field(letter: str) -> str:
    return f"column_{letter}"


class MonthField(forms.CharField):
    """A month with its year, as a person writes it: "April 2007", "Apr 07" or "2007-04"."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text, [])
        if month is None:
            raise forms.ValidationError(f"Enter a month with its year, like April 2007 (not “{text[:40]}”).")
        return month


class OneTableSettingsForm(forms.Form):
    """What a one-table workbook does not say: its calendar (a new plan's), the month its On
    Target column reports, and what each column with a heading the reader does not know holds."""

    first_month = MonthField(
        label="First month of the plan",
        help_text="For example, April 2007.",
        error_messages={"required": "Enter the plan's first month, like April 2007."},
    )
    months = forms.IntegerField(
        label="How many months the plan covers",
        min_value=1,
        max_value=36,
        help_text="From 1 to 36.",
        error_messages={
            "required": "Enter how many months the plan covers, from 1 to 36.",
            "invalid": "Enter how many months the plan covers as a number, from 1 to 36.",
            "min_value": "A plan covers at least 1 month.",
            "max_value": "A plan covers at most 36 months.",
        },
    )
    every = forms.IntegerField(
        label="Reported every how many months",
        min_value=1,
        max_value=12,
        help_text="1 for every month; 2 for every other month.",
        error_messages={
            "required": "Enter every how many months the plan is reported: 1 for every month, 2 for every other.",
            "invalid": "Enter every how many months the plan is reported as a number, from 1 to 12.",
            "min_value": "A plan is reported at least every month (1).",
            "max_value": "A plan is reported at least once a year (every 12 months at most).",
        },
    )
    status_month = MonthField(
        label="The month the On Target column reports",
        required=False,
        help_text="A reporting month of the plan, for example September 2007.",
    )

    def __init__(self, *args, table: OneTable, plan: Plan | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.table, self.plan = table, plan
        if plan is not None:
            # A re-import keeps the plan's calendar.
            for name in ("first_month", "months", "every"):
                del self.fields[name]
            self.fields[
                "status_month"
            ].help_text = f"A reporting month of {plan.title}: {', '.join(m.name for m in plan.reporting_month_list[:3])} …"
        if table.reports_statuses:
            self.fields["status_month"].required = True
            self.fields["status_month"].error_messages["required"] = (
                "Enter the month the On Target column reports, like September 2007."
            )
        choices = [("", "Choose what it holds"), *TableField.choices]
        for column in table.mappable:
            self.fields[form_field(column.letter)] = forms.ChoiceField(
                label=f"Column {column.letter}: “{column.heading}”",
                choices=choices,
                error_messages={
                    "required": f"Choose what column {column.letter} holds, or not to import it."
                },
            )

    def mapping_fields(self):
        return [self[form_field(c.letter)] for c in self.table.mappable]

    def clean(self):
        cleaned = super().clean()
        held = {c.field: c.letter for c in self.table.columns if c.field and not c.mapped}
        for column in self.table.mappable:
            chosen = cleaned.get(form_field(column.letter))
            if not chosen or chosen == TableField.IGNORE:
                continue
            if chosen in held:
                self.add_error(
                    form_field(column.letter),
                    f"Column {held[chosen]} already holds the {COLUMNS[chosen][0]}: choose another, or not to "
                    "import it.",
                )
            else:
                held[chosen] = column.letter
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {c.heading: self.cleaned_data[form_field(c.letter)] for c in self.table.mappable}

    def calendar(self, plan: Plan | None) -> Calendar:
        status_month = self.cleaned_data.get("status_month")
        if plan is not None:
            return calendar_of(plan, status_month)
        data = self.cleaned_data
        return Calendar(data["first_month"], data["months"], data["every"], status_month)

    def settings(self) -> dict:
        data = self.cleaned_data
        return {
            "first_month": str(data["first_month"]) if data.get("first_month") else None,
            "months": data.get("months"),
            "every": data.get("every"),
            "status_month": str(data["status_month"]) if data.get("status_month") else None,
        }


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
