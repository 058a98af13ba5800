"""The Django admin, so the performance team can fix anything by hand.

Changes made here go through the same history as every other screen (``ActionChange``, source
"admin").
"""

from django.contrib import admin

from plans import services
from plans.models import (
    Action,
    ActionChange,
    ChangeRequest,
    Lead,
    Measure,
    MeasureProgress,
    MonthlyStatus,
    Plan,
    PlannedMonth,
    Priority,
    StatusTerm,
)
from plans.periods import Month


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
    search_fields = ["title", "slug", "organisation"]
    list_filter = ["organisation", "reporting_interval"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PriorityInline, StatusTermInline]
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


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["position", "ref", "description", "original_target", "revised_target", "completed_month"]
    show_change_link = True


class MeasureProgressInline(admin.TabularInline):
    model = MeasureProgress
    extra = 0
    fields = ["month", "text", "updated_by", "updated_at"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["ref", "title", "priority", "lead", "timescales"]
    list_filter = ["priority__plan", "priority"]
    search_fields = ["ref", "title", "actions_required", "lead"]
    list_select_related = ["priority__plan"]
    inlines = [ActionInline, MeasureProgressInline]

    def save_formset(self, request, form, formset, change):
        # An action added here belongs to its measure's plan.
        for instance in formset.save(commit=False):
            if isinstance(instance, Action) and not instance.plan_id:
                instance.plan = form.instance.priority.plan
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()
        formset.save_m2m()


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["initials", "name", "email", "user"]
    search_fields = ["initials", "name", "email", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


class MonthlyStatusInline(admin.TabularInline):
    model = MonthlyStatus
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

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            before = services.snapshot(Action.objects.get(pk=obj.pk), services.TRACKED_ACTION_FIELDS)
            obj.version += 1
        super().save_model(request, obj, form, change)
        services.record_changes(
            action=obj,
            before=before,
            after=services.snapshot(obj, services.TRACKED_ACTION_FIELDS),
            user=request.user,
            source=ActionChange.Source.ADMIN,
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not MonthlyStatus:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # validates and collects deletions; statuses are written below
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            if data.get("DELETE"):
                continue
            services.set_status(
                action=form.instance,
                month=Month.from_date(data["month"]),
                status=data["status"],
                word=data.get("word", ""),
                corrective_action=data.get("corrective_action", ""),
                note=data.get("note", ""),
                user=request.user,
                source=ActionChange.Source.ADMIN,
            )
        # Deleting a status is the one thing the admin may do that an update never does; it is
        # still recorded in the action's history.
        for record in formset.deleted_objects:
            services.delete_status(record=record, user=request.user, source=ActionChange.Source.ADMIN)


@admin.register(MonthlyStatus)
class MonthlyStatusAdmin(admin.ModelAdmin):
    list_display = ["action", "month", "status", "set_by", "set_at"]
    list_filter = ["status", "month", "action__plan"]
    search_fields = ["action__ref", "action__description", "corrective_action"]
    list_select_related = ["action", "set_by"]
    raw_id_fields = ["action"]
    date_hierarchy = "month"

    def save_model(self, request, obj, form, change):
        services.set_status(
            action=obj.action,
            month=Month.from_date(obj.month),
            status=obj.status,
            word=obj.word,
            corrective_action=obj.corrective_action,
            note=obj.note,
            user=request.user,
            source=ActionChange.Source.ADMIN,
        )


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["action", "kind", "month", "new_target", "state", "requested_by", "decided_by"]
    list_filter = ["state", "kind", "action__plan"]
    search_fields = ["action__ref", "reason", "decision_comment"]
    raw_id_fields = ["action"]


@admin.register(ActionChange)
class ActionChangeAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(MeasureProgress)
class MeasureProgressAdmin(admin.ModelAdmin):
    list_display = ["measure", "month", "updated_by", "updated_at"]
    list_filter = ["month", "measure__priority__plan"]
    search_fields = ["measure__ref", "text"]
    raw_id_fields = ["measure"]
