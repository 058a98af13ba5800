"""The plan page's filters: priority, lead, status in a month, and text; the indicators list's:
priority, lead, RAG in a month (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from plans.models import Action, Indicator, Lead, Plan, Priority
from plans.periods import Month
from plans.status import INDICATOR_RAGS, Status


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
        self.filters["lead"].queryset = Lead.objects.filter(
            organisation=plan.organisation_id, actions__plan=plan
        ).distinct()
        # Statuses in the plan's own words, and only the months it reports on.
        self.filters["status"].extra["choices"] = [(s.value, plan.status_word(s)) for s in Status]
        self.filters["month"].extra["choices"] = [(str(m), m.name) for m in plan.reporting_month_list]

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


class IndicatorFilter(django_filters.FilterSet):
    """The plan's indicators list: by priority and lead (in the database), and by RAG in a month
    (worked out from the figures of that month: ``IndicatorListView``)."""

    NO_RAG = "NONE"

    priority = django_filters.ModelChoiceFilter(
        queryset=Priority.objects.none(), label="Priority", empty_label="Any"
    )
    lead = django_filters.ModelChoiceFilter(queryset=Lead.objects.none(), label="Lead", empty_label="Any")
    rag = django_filters.ChoiceFilter(
        choices=[*((s.value, s.label) for s in INDICATOR_RAGS), (NO_RAG, "No RAG")],
        label="RAG",
        empty_label="Any",
        method="figures_of_the_month",
    )
    month = django_filters.ChoiceFilter(label="in month", empty_label=None, method="figures_of_the_month")

    class Meta:
        model = Indicator
        fields = ["priority", "lead", "rag", "month"]

    def __init__(self, data=None, queryset=None, *, plan: Plan, month: Month, **kwargs):
        if data is not None and not data.get("month"):
            data = data.copy()
            data["month"] = str(month)
        super().__init__(data, queryset, **kwargs)
        self.filters["priority"].queryset = plan.priorities.all()
        self.filters["lead"].queryset = Lead.objects.filter(
            organisation=plan.organisation_id, indicators__plan=plan
        ).distinct()
        self.filters["month"].extra["choices"] = [(str(m), m.name) for m in plan.reporting_month_list]
        self.form.fields["month"].initial = str(month)

    def figures_of_the_month(self, queryset, name, value):
        # A RAG is worked out from a month's figures, not stored: the view filters the figures.
        return queryset

    @property
    def chosen_month(self) -> Month:
        return Month.parse(self.form.cleaned_data["month"])

    def keeps(self, rag: str) -> bool:
        """Whether an indicator of this RAG ("" for none) passes the RAG filter."""
        wanted = self.form.cleaned_data.get("rag")
        return not wanted or wanted == (rag or self.NO_RAG)
