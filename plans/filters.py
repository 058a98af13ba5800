"""The plan page's filters: priority, lead, status in a month, and text (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from plans.models import Action, Lead, Plan, Priority
from plans.periods import Month
from plans.status import Status


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Text", method="search", help_text="Ref, action or corrective action")
    priority = django_filters.ModelChoiceFilter(
        field_name="measure__priority", queryset=Priority.objects.none(), label="Priority", empty_label="Any"
    )
    lead = django_filters.ModelChoiceFilter(
        field_name="leads", queryset=Lead.objects.none(), label="Lead", empty_label="Any", distinct=True
    )
    status = django_filters.ChoiceFilter(
        choices=Status.choices, label="Status", empty_label="Any", method="status_in_month"
    )
    month = django_filters.ChoiceFilter(label="in month", empty_label="Any month", method="status_in_month")

    class Meta:
        model = Action
        fields = ["q", "priority", "lead", "status", "month"]

    def __init__(self, data=None, queryset=None, *, plan: Plan, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.plan = plan
        self.filters["priority"].queryset = plan.priorities.all()
        self.filters["lead"].queryset = Lead.objects.filter(actions__plan=plan).distinct()
        self.filters["month"].extra["choices"] = [(str(m), m.name) for m in plan.month_list]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(ref__icontains=value) | Q(description__icontains=value) | Q(corrective_action__icontains=value)
        )

    def status_in_month(self, queryset, name, value):
        # Status and month act together; the work is done once, in filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = self.form.cleaned_data.get("status")
        month = self.form.cleaned_data.get("month")
        if status or month:
            conditions = {}
            if status:
                conditions["statuses__status"] = status
            if month:
                conditions["statuses__month"] = Month.parse(month).first_day
            queryset = queryset.filter(**conditions).distinct()
        return queryset
