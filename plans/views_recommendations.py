"""The performance team's page for linking a plan's actions to an inspection recommendation
(``plans.recommendations``); the tracker itself is a report (``reports.views.TrackerView``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from plans import roles
from plans.models import Action, Plan, Recommendation
from plans.permissions import RoleRequiredMixin
from plans.recommendations import RecommendationError, save_recommendation, set_linked_actions
from plans.selectors import current_month
from plans.views import form_errors


class LinkedActionsForm(forms.Form):
    actions = forms.ModelMultipleChoiceField(
        label="Actions answering this recommendation",
        queryset=Action.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Choose actions of this plan only."},
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = Action.objects.filter(plan=plan)


class RecommendationLinksView(RoleRequiredMixin, TemplateView):
    """Tick the actions of a plan that answer a recommendation; one save changes the links."""

    permission_required = roles.MANAGE_RECOMMENDATIONS
    template_name = "plans/recommendation_links.html"

    @cached_property
    def plan(self) -> Plan:
        return self.plan_or_404(self.kwargs["slug"])

    @cached_property
    def recommendation(self) -> Recommendation:
        return get_object_or_404(
            Recommendation.objects.tracked(self.plan.organisation_id), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or LinkedActionsForm(plan=self.plan)
        if form.is_bound:
            chosen = {str(value) for value in form.data.getlist("actions")}
        else:
            chosen = {
                str(pk)
                for pk in self.recommendation.links.filter(action__plan=self.plan).values_list(
                    "action_id", flat=True
                )
            }
        priorities: dict[int, tuple] = {}
        for action in (
            Action.objects.filter(plan=self.plan).in_plan_order().select_related("measure__priority")
        ):
            priority = action.measure.priority
            priorities.setdefault(priority.pk, (priority, []))[1].append((action, str(action.pk) in chosen))
        errors = [("#actions-heading", message) for message in form.errors.get("actions", [])]
        errors += [("#main", message) for message in form.non_field_errors()]
        context.update(
            plan=self.plan,
            recommendation=self.recommendation,
            form=form,
            errors=errors,
            priorities=list(priorities.values()),
            tracker_url=reverse(
                "reports:recommendations",
                kwargs={"slug": self.plan.slug, "month": str(current_month(self.plan))},
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = LinkedActionsForm(request.POST, plan=self.plan)
        if form.is_valid():
            try:
                change = set_linked_actions(
                    user=request.user,
                    recommendation=self.recommendation,
                    plan=self.plan,
                    actions=form.cleaned_data["actions"],
                )
            except RecommendationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{self.recommendation.code}: {change.message}")
                return HttpResponseRedirect(request.path, status=303)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RecommendationForm(forms.Form):
    source = forms.CharField(
        label="Inspection and report",
        max_length=Recommendation._meta.get_field("source").max_length,
        help_text="For example, Audit Commission CPA report (March 2009).",
        error_messages={"required": "Enter the inspection and its report"},
    )
    code = forms.CharField(
        label="Number",
        max_length=Recommendation._meta.get_field("code").max_length,
        help_text="As the report numbers it, for example R1.",
        error_messages={"required": "Enter the recommendation's number as the report gives it"},
    )
    text = forms.CharField(
        label="Recommendation",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=Recommendation._meta.get_field("text").max_length,
        help_text="Word for word, as the report writes it.",
        error_messages={"required": "Enter the recommendation as the report writes it"},
    )


class RecommendationEditView(RoleRequiredMixin, TemplateView):
    """Add an inspection's recommendation for the plan's council, or change one's wording
    (``recommendations.save_recommendation``); then tick the actions answering it."""

    permission_required = roles.MANAGE_RECOMMENDATIONS
    template_name = "plans/recommendation_form.html"

    @cached_property
    def plan(self) -> Plan:
        return self.plan_or_404(self.kwargs["slug"])

    @cached_property
    def recommendation(self) -> Recommendation | None:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            Recommendation.objects.tracked(self.plan.organisation_id), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        recommendation = self.recommendation
        initial = (
            {"source": recommendation.source, "code": recommendation.code, "text": recommendation.text}
            if recommendation
            else {}
        )
        form = kwargs.get("form") or RecommendationForm(initial=initial)
        context.update(
            plan=self.plan,
            recommendation=recommendation,
            form=form,
            errors=form_errors(form),
            tracker_url=reverse(
                "reports:recommendations",
                kwargs={"slug": self.plan.slug, "month": str(current_month(self.plan))},
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = RecommendationForm(request.POST)
        if form.is_valid():
            existing = self.recommendation
            try:
                saved = save_recommendation(
                    user=request.user,
                    organisation=self.plan.organisation,
                    recommendation=existing,
                    position=existing.position
                    if existing
                    else Recommendation.objects.filter(organisation=self.plan.organisation).count(),
                    **form.cleaned_data,
                )
            except RecommendationError as error:
                form.add_error("code", str(error))
            else:
                messages.success(request, f"{saved.code} {'changed' if existing else 'added'}.")
                url = reverse("plans:recommendation-links", kwargs={"slug": self.plan.slug, "pk": saved.pk})
                return HttpResponseRedirect(url, status=303)
        return self.render_to_response(self.get_context_data(form=form), status=400)
