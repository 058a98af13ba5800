"""The Django admin, so the performance team can fix anything by hand.

Every change made here goes through ``plans.services`` (the same lock, closed-month rule and
history as every other screen, source "admin"); published months, their events and the history
are read-only.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from plans import notifications, recommendations, services
from plans.models import (
    Action,
    ActionChange,
    ChangeRequest,
    Indicator,
    IndicatorActual,
    IndicatorChange,
    Lead,
    Measure,
    MeasureChange,
    MeasureProgress,
    MonthClose,
    MonthEvent,
    MonthlyStatus,
    Plan,
    PlannedMonth,
    Priority,
    Recommendation,
    StatusTerm,
)
from plans.periods import Month
from plans.status import number_text


class ReadOnlyAdmin(admin.ModelAdmin):
    """What is evidence or published record: shown to read, never added, edited or deleted by hand
    (history, published months, stored PDFs, the audit record)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusTermInline(admin.TabularInline):
    model = StatusTerm
    extra = 0


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0
    fields = ["position", "code", "title"]
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "slug",
        "organisation",
        "first_month",
        "months",
        "reporting_interval",
        "previous_plan",
    ]
    search_fields = ["title", "slug", "organisation__name"]
    list_filter = ["organisation", "reporting_interval"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PriorityInline, StatusTermInline]
    actions = None  # no bulk delete: see has_delete_permission

    def has_delete_permission(self, request, obj=None):
        # A plan with a published month holds what Cabinet saw: it is never deleted by hand.
        if obj is not None and MonthClose.objects.filter(plan=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    fieldsets = [
        (None, {"fields": ["title", "slug", "organisation", "previous_plan"]}),
        ("Plan year", {"fields": ["first_month", "months", "reporting_interval"]}),
        (
            "Cover report",
            {
                "fields": [
                    "portfolio_holder",
                    "responsible_officer",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                ]
            },
        ),
    ]


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    fields = ["position", "ref", "title", "lead", "timescales"]
    show_change_link = True


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "plan", "position"]
    list_filter = ["plan"]
    search_fields = ["code", "title", "expected_outcome"]
    inlines = [MeasureInline]


class ReadOnlyInline(admin.TabularInline):
    """Rows shown to read under their parent, each changed on its own page, where the change goes
    through its service and into its history."""

    extra = 0
    show_change_link = True
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class ActionInline(ReadOnlyInline):
    """The measure's actions: an action's dates and texts change on its own page."""

    model = Action
    fields = ["position", "ref", "description", "original_target", "revised_target", "completed_month"]


class MeasureProgressInline(ReadOnlyInline):
    """The measure's progress updates: each is written on its own page or an officer's month page."""

    model = MeasureProgress
    fields = ["month", "text", "updated_by", "updated_at"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["ref", "title", "priority", "lead", "timescales"]
    list_filter = ["priority__plan", "priority"]
    search_fields = ["ref", "title", "actions_required", "lead"]
    list_select_related = ["priority__plan"]
    inlines = [ActionInline, MeasureProgressInline]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """A lead's name and address change through ``notifications.update_lead`` (audited), as on
    the leads' page; the initials and log-in are saved as they are."""

    list_display = ["initials", "name", "email", "user", "organisation"]
    search_fields = ["initials", "name", "email", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        contact = {"name": obj.name, "email": obj.email}
        stored = Lead.objects.get(pk=obj.pk)
        obj.name, obj.email = stored.name, stored.email
        super().save_model(request, obj, form, change)
        notifications.update_lead(user=request.user, lead=obj, **contact)


class StatusAdminForm(forms.ModelForm):
    """A status as the admin edits it: refused, beside the month, when the month is closed or is
    not one the plan reports on; the service checks again under the plan's lock."""

    class Meta:
        model = MonthlyStatus
        fields = ["action", "month", "status", "word", "corrective_action", "note"]

    def clean(self):
        data = super().clean()
        action = data.get("action") or getattr(self.instance, "action", None)
        day = data.get("month")
        if action is None or day is None:
            return data
        months = [Month.from_date(day)]
        if self.instance.pk:
            months.append(
                Month.from_date(
                    MonthlyStatus.objects.values_list("month", flat=True).get(pk=self.instance.pk)
                )
            )
        closed = MonthClose.objects.closed_months(action.plan) & set(months)
        if closed:
            raise forms.ValidationError(
                f"{min(closed).name} is closed: its report is published and its statuses cannot be changed."
            )
        if months[0] not in action.plan.reporting_month_list:
            self.add_error("month", f"{months[0].name} is not a reporting month of {action.plan.title}.")
        return data


def save_status_through_service(request, form, action: Action) -> None:
    """A status saved in the admin: written, or moved to another month, by the services."""
    data = form.cleaned_data
    month = Month.from_date(data["month"])
    record = form.instance
    if record.pk and MonthlyStatus.objects.filter(pk=record.pk).exclude(month=data["month"]).exists():
        # The move writes the form's values into the new month: nothing is left to set.
        services.move_status(record=record, month=month, user=request.user, source=ActionChange.Source.ADMIN)
        return
    services.set_status(
        action=action,
        month=month,
        status=data["status"],
        word=data.get("word", ""),
        corrective_action=data.get("corrective_action", ""),
        note=data.get("note", ""),
        user=request.user,
        source=ActionChange.Source.ADMIN,
    )


class MonthlyStatusInline(admin.TabularInline):
    model = MonthlyStatus
    form = StatusAdminForm
    extra = 0
    fields = ["month", "status", "word", "corrective_action", "note", "set_by", "set_at"]
    readonly_fields = ["set_by", "set_at"]


class PlannedMonthInline(admin.TabularInline):
    model = PlannedMonth
    extra = 0


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = [
        "ref",
        "description",
        "measure",
        "plan",
        "original_target",
        "revised_target",
        "completed_month",
    ]
    list_filter = ["plan", "measure__priority", "leads", "reprogrammed"]
    search_fields = ["ref", "description", "corrective_action", "leads__initials"]
    list_select_related = ["plan", "measure"]
    autocomplete_fields = ["leads"]
    raw_id_fields = ["measure"]
    readonly_fields = ["version", "updated_at"]
    inlines = [PlannedMonthInline, MonthlyStatusInline]
    actions = None  # no bulk delete: see has_delete_permission

    def has_delete_permission(self, request, obj=None):
        # An action with a status in a published month is part of the published record.
        if (
            obj is not None
            and obj.statuses.filter(
                month__in=MonthClose.objects.closed().filter(plan_id=obj.plan_id).values("month")
            ).exists()
        ):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # An action's statuses and history belong to its plan year: it never moves to another plan.
        return [*self.readonly_fields, "plan"] if obj is not None else self.readonly_fields

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if not change:
            # A new action is structure, not a change to a reported figure: it has no history yet.
            return super().save_model(request, obj, form, change)
        services.lock_plan(obj.plan_id)
        stored = Action.objects.get(pk=obj.pk)
        values = {name: getattr(obj, name) for name in services.TRACKED_ACTION_FIELDS}
        structure = {
            name: form.cleaned_data[name] for name in ("measure", "position") if name in form.cleaned_data
        }
        for name, value in structure.items():
            setattr(stored, name, value)
        if structure:
            stored.save(update_fields=[f"{name}_id" if name == "measure" else name for name in structure])
        services.update_action(action=stored, user=request.user, source=ActionChange.Source.ADMIN, **values)
        obj.version, obj.updated_at = stored.version, stored.updated_at

    def save_formset(self, request, form, formset, change):
        if formset.model is not MonthlyStatus:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # validates and collects deletions; statuses are written below
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            if inline_form.cleaned_data.get("DELETE"):
                continue
            save_status_through_service(request, inline_form, form.instance)
        # Deleting a status is the one thing the admin may do that an update never does; it is
        # still recorded in the action's history, and refused in a closed month.
        for record in formset.deleted_objects:
            services.delete_status(record=record, user=request.user, source=ActionChange.Source.ADMIN)


@admin.register(MonthlyStatus)
class MonthlyStatusAdmin(admin.ModelAdmin):
    form = StatusAdminForm
    list_display = ["action", "month", "status", "set_by", "set_at"]
    list_filter = ["status", "month", "action__plan"]
    search_fields = ["action__ref", "action__description", "corrective_action"]
    list_select_related = ["action", "set_by"]
    raw_id_fields = ["action"]
    date_hierarchy = "month"
    actions = None  # no bulk delete: each removal goes through the service, one by one

    def save_model(self, request, obj, form, change):
        save_status_through_service(request, form, obj.action)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and MonthClose.objects.is_closed(obj.action.plan, obj.as_month):
            return False  # published: the delete page is refused rather than failing in the service
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.delete_status(record=obj, user=request.user, source=ActionChange.Source.ADMIN)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """Requests are decided through ``decide_request`` (the actions below), which records the
    status, the history and the audit row; the state itself is never edited by hand."""

    list_display = ["action", "kind", "month", "new_target", "state", "requested_by", "decided_by"]
    list_filter = ["state", "kind", "action__plan"]
    search_fields = ["action__ref", "reason", "decision_comment"]
    raw_id_fields = ["action"]
    readonly_fields = [
        "state",
        "decided_by",
        "decided_at",
        "decision_comment",
        "requested_by",
        "requested_at",
    ]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False  # an officer asks from their month page, for a month

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != ChangeRequest.State.PENDING:
            return [f.name for f in ChangeRequest._meta.fields]
        return self.readonly_fields

    def _decide(self, request, queryset, approve: bool) -> None:
        verb = "approved" if approve else "rejected"
        for change in queryset.select_related("action"):
            try:
                services.decide_request(
                    user=request.user,
                    request=change,
                    approve=approve,
                    comment=f"{verb.capitalize()} in the admin.",
                )
            except (ValidationError, PermissionDenied, services.MonthClosedError) as error:
                text = error.messages[0] if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"{change.action.ref}: {text}", messages.ERROR)
            else:
                self.message_user(request, f"{change} {verb}.", messages.SUCCESS)

    @admin.action(description="Approve the selected requests", permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Reject the selected requests", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)


@admin.register(ActionChange)
class ActionChangeAdmin(ReadOnlyAdmin):
    """History is read-only: nothing is ever deleted or rewritten."""

    list_display = [
        "action",
        "month",
        "field",
        "old_value",
        "new_value",
        "changed_by",
        "changed_at",
        "source",
    ]
    list_filter = ["source", "field", "action__plan"]
    search_fields = ["action__ref", "old_value", "new_value"]
    list_select_related = ["action", "changed_by"]


@admin.register(StatusTerm)
class StatusTermAdmin(admin.ModelAdmin):
    list_display = ["word", "status", "plan", "is_default"]
    list_filter = ["plan", "status"]
    search_fields = ["word"]


@admin.register(PlannedMonth)
class PlannedMonthAdmin(admin.ModelAdmin):
    list_display = ["action", "month"]
    list_filter = ["month", "action__plan"]
    raw_id_fields = ["action"]


class MeasureProgressAdminForm(forms.ModelForm):
    """Refused beside the month when it is closed or not one the plan reports on; the service
    checks again under the plan's lock."""

    class Meta:
        model = MeasureProgress
        fields = ["measure", "month", "text"]

    def clean(self):
        data = super().clean()
        measure = data.get("measure") or getattr(self.instance, "measure", None)
        day = data.get("month") or self.instance.month
        if measure is None or day is None:
            return data
        plan, month = measure.priority.plan, Month.from_date(day)
        if MonthClose.objects.is_closed(plan, month):
            raise forms.ValidationError(
                f"{month.name} is closed: its report is published and takes no more updates."
            )
        if month not in plan.reporting_month_list:
            self.add_error("month", f"{month.name} is not a reporting month of {plan.title}.")
        return data


@admin.register(MeasureProgress)
class MeasureProgressAdmin(admin.ModelAdmin):
    form = MeasureProgressAdminForm
    list_display = ["measure", "month", "updated_by", "updated_at"]
    list_filter = ["month", "measure__priority__plan"]
    search_fields = ["measure__ref", "text"]
    raw_id_fields = ["measure"]
    readonly_fields = ["updated_by", "updated_at"]
    actions = None  # no bulk delete: each removal goes through the service, one by one

    def get_readonly_fields(self, request, obj=None):
        # Another month's or measure's update is a new one: its history stays with its own.
        return [*self.readonly_fields, "measure", "month"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        stored = self._write(request, obj, obj.text)
        obj.pk, obj.updated_by, obj.updated_at = stored.pk, stored.updated_by, stored.updated_at

    def has_delete_permission(self, request, obj=None):
        if obj is not None and MonthClose.objects.is_closed(obj.measure.priority.plan, obj.as_month):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        self._write(request, obj, "")

    @staticmethod
    def _write(request, obj, text: str) -> MeasureProgress | None:
        return services.update_measure_progress(
            user=request.user,
            plan=obj.measure.priority.plan_id,
            month=obj.as_month,
            measure=obj.measure,
            text=text,
            source=ActionChange.Source.ADMIN,
        )


@admin.register(MeasureChange)
class MeasureChangeAdmin(ReadOnlyAdmin):
    """A measure's progress-update history is read-only, like an action's."""

    list_display = ["measure", "month", "old_text", "new_text", "changed_by", "changed_at", "source"]
    list_filter = ["source", "measure__priority__plan"]
    search_fields = ["measure__ref", "old_text", "new_text"]
    list_select_related = ["measure", "changed_by"]


@admin.register(MonthClose)
class MonthCloseAdmin(ReadOnlyAdmin):
    list_display = ["plan", "month", "state", "closed_by", "closed_at", "reopened_by", "reopened_at"]
    list_filter = ["state", "plan"]


@admin.register(MonthEvent)
class MonthEventAdmin(ReadOnlyAdmin):
    list_display = ["plan", "month", "kind", "by", "at", "reason"]
    list_filter = ["kind", "plan"]


# --- Indicators (issue 17) ----------------------------------------------------------------------


def _parse_months(text: str) -> list[Month]:
    """ "2009-09, 2009-12" as months; a month that cannot be read is an error naming it."""
    months = []
    for token in re.split(r"[\s,;]+", text.strip()):
        if token:
            try:
                months.append(Month.parse(token))
            except ValueError:
                raise forms.ValidationError(f"“{token}” is not a month: write it as 2009-07.") from None
    return months


def _parse_targets(text: str) -> dict[Month, Decimal]:
    """One month target a line: "2009-07 20" (the month, then the target)."""
    targets = {}
    for number, line in enumerate(text.strip().splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2:
            raise forms.ValidationError(f"Line {number}: write a month and its target, e.g. 2009-07 20.")
        [month] = _parse_months(parts[0])
        try:
            targets[month] = Decimal(parts[1].replace(",", ""))
        except InvalidOperation:
            raise forms.ValidationError(f"Line {number}: “{parts[1]}” is not a number.") from None
        if not targets[month].is_finite():
            raise forms.ValidationError(f"Line {number}: “{parts[1]}” is not a number.")
    return targets


class IndicatorAdminForm(forms.ModelForm):
    """An indicator's definition, checked by ``services.check_indicator`` (beside the form) and
    saved by ``services.save_indicator`` under the plan's lock."""

    months_collected = forms.CharField(
        required=False,
        label="Months collected",
        help_text="The months it is collected in, e.g. “2009-09, 2009-12, 2010-03, 2010-06”; "
        "blank for every reporting month of the plan.",
    )
    month_targets = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Month targets",
        help_text="A year-to-date profile, one month a line: “2009-07 20”. A month without one is "
        "measured against the year's target.",
    )

    class Meta:
        model = Indicator
        fields = [
            "plan",
            "priority",
            "measure",
            "code",
            "title",
            "unit",
            "polarity",
            "target",
            "tolerance",
            "lead",
            "position",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["months_collected"].initial = ", ".join(
                str(Month.from_date(row.month)) for row in self.instance.collected.all()
            )
            self.fields["month_targets"].initial = "\n".join(
                f"{Month.from_date(row.month)} {number_text(row.value).replace(',', '')}"
                for row in self.instance.month_targets.all()
            )

    def clean_months_collected(self):
        return _parse_months(self.cleaned_data["months_collected"])

    def clean_month_targets(self):
        return _parse_targets(self.cleaned_data["month_targets"])

    def clean(self):
        data = super().clean()
        plan = data.get("plan") or getattr(self.instance, "plan", None)
        if self.errors or plan is None or data.get("priority") is None:
            return data
        self.definition = services.IndicatorDefinition(
            code=data["code"],
            title=data["title"],
            priority=data["priority"],
            measure=data.get("measure"),
            unit=data["unit"],
            polarity=data["polarity"],
            target=data.get("target"),
            tolerance=data["tolerance"],
            lead=data.get("lead"),
            months=tuple(data["months_collected"]),
            month_targets=data["month_targets"],
            position=data.get("position"),
        )
        try:
            services.check_indicator(
                plan=plan, definition=self.definition, indicator=self.instance if self.instance.pk else None
            )
        except services.MonthClosedError as error:
            raise forms.ValidationError(str(error)) from None
        return data


class IndicatorActualInline(ReadOnlyInline):
    """The indicator's actuals: each is entered on its own page or the lead's month page."""

    model = IndicatorActual
    fields = ["month", "value", "note", "entered_by", "entered_at"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorAdminForm
    list_display = ["code", "title", "priority", "measure", "unit", "polarity", "target", "tolerance", "lead"]
    list_filter = ["plan", "priority", "unit", "polarity"]
    search_fields = ["code", "title", "lead__initials"]
    list_select_related = ["priority", "measure", "lead"]
    raw_id_fields = ["priority", "measure"]
    inlines = [IndicatorActualInline]
    actions = None  # no bulk delete: see has_delete_permission

    def get_readonly_fields(self, request, obj=None):
        # An indicator's actuals and history belong to its plan year: it never moves to another plan.
        return ["plan"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # An indicator with an actual in a published month is part of the published record.
        if (
            obj is not None
            and obj.actuals.filter(
                month__in=MonthClose.objects.closed().filter(plan_id=obj.plan_id).values("month")
            ).exists()
        ):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = services.save_indicator(
            user=request.user,
            plan=form.cleaned_data.get("plan") or obj.plan,
            definition=form.definition,
            indicator=obj if change else None,
            source=ActionChange.Source.ADMIN,
        )
        obj.pk, obj.position = saved.pk, saved.position
        obj._state.adding = False


class IndicatorActualAdminForm(forms.ModelForm):
    """Refused beside the month when it is closed or not one the indicator is collected in; the
    service checks again under the plan's lock."""

    class Meta:
        model = IndicatorActual
        fields = ["indicator", "month", "value", "note"]

    def clean(self):
        data = super().clean()
        indicator = data.get("indicator") or getattr(self.instance, "indicator", None)
        day = data.get("month") or self.instance.month
        if indicator is None or day is None:
            return data
        month = Month.from_date(day)
        if MonthClose.objects.is_closed(indicator.plan, month):
            raise forms.ValidationError(
                f"{month.name} is closed: its report is published and takes no more updates."
            )
        if not indicator.is_collected_in(month):
            self.add_error("month", f"{indicator.code} is not collected in {month.name}.")
        elif not self.instance.pk and IndicatorActual.objects.filter(indicator=indicator, month=day).exists():
            self.add_error(
                "month", f"{indicator.code} already has an actual for {month.name}: change that one."
            )
        return data


@admin.register(IndicatorActual)
class IndicatorActualAdmin(admin.ModelAdmin):
    form = IndicatorActualAdminForm
    list_display = ["indicator", "month", "value", "entered_by", "entered_at"]
    list_filter = ["month", "indicator__plan"]
    search_fields = ["indicator__code", "indicator__title", "note"]
    list_select_related = ["indicator", "entered_by"]
    raw_id_fields = ["indicator"]
    readonly_fields = ["entered_by", "entered_at"]
    actions = None  # no bulk delete: each removal goes through the service, one by one

    def _closed(self, obj) -> bool:
        return obj is not None and MonthClose.objects.is_closed(obj.indicator.plan, obj.as_month)

    def get_readonly_fields(self, request, obj=None):
        # Another month's or indicator's actual is a new one: its history stays with its own.
        return [*self.readonly_fields, "indicator", "month"] if obj is not None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return not self._closed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._closed(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        stored = self._write(request, obj, obj.value, obj.note)
        obj.pk, obj.entered_by, obj.entered_at = stored.pk, stored.entered_by, stored.entered_at

    def delete_model(self, request, obj):
        self._write(request, obj, None, "")

    @staticmethod
    def _write(request, obj, value, note) -> IndicatorActual | None:
        return services.set_actual(
            user=request.user,
            indicator=obj.indicator,
            month=obj.as_month,
            value=value,
            note=note,
            source=ActionChange.Source.ADMIN,
        )


@admin.register(IndicatorChange)
class IndicatorChangeAdmin(ReadOnlyAdmin):
    """An indicator's history is read-only, like an action's."""

    list_display = ["indicator", "sentence", "changed_by", "changed_at", "source"]
    list_filter = ["source", "field", "indicator__plan"]
    search_fields = ["indicator__code", "old_value", "new_value"]
    list_select_related = ["indicator", "changed_by"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    """An inspection's recommendations as written; the actions answering each are linked on the
    performance team's page (the tracker's "Change the actions answering ..."), not here."""

    list_display = ("code", "source", "text")
    list_filter = ("source",)
    fields = ("organisation", "source", "code", "text", "position")

    def save_model(self, request, obj, form, change):
        # The form has checked the fields and that the code is new to its source, as the service does.
        data = form.cleaned_data
        recommendations.save_recommendation(
            user=request.user,
            organisation=data["organisation"],
            source=data["source"],
            code=data["code"],
            text=data["text"],
            position=data.get("position") or 0,
            recommendation=obj,
        )
