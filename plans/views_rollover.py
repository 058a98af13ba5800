"""The yearly roll-over page (performance team): choose, preview, then confirm."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from plans import roles, rollover
from plans.forms import CodeFormSet, RollOverForm
from plans.models import Plan, Priority
from plans.permissions import RoleRequiredMixin
from plans.views import form_errors


def preview_digest(arguments: dict) -> str:
    """What the preview showed, so a confirmation creates exactly that (check your answers)."""
    data = {
        **{k: str(v) for k, v in arguments.items() if k != "codes"},
        "codes": [[c.old_code, c.new_code, c.new_title] for c in arguments["codes"]],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class RollOverView(RoleRequiredMixin, TemplateView):
    """GET: the form, with the old year's codes as they are. POST: the preview (check your answers),
    and with ``confirm`` the roll-over itself."""

    permission_required = roles.IMPORT_PLAN
    template_name = "plans/roll_over.html"

    @cached_property
    def plan(self) -> Plan:
        return self.plan_or_404(self.kwargs["slug"])

    def initial(self) -> tuple[RollOverForm, CodeFormSet]:
        first = rollover.default_first_month(self.plan)
        form = RollOverForm(
            plan=self.plan,
            initial={
                "first_month": str(first),
                "title": rollover.default_title(self.plan, first),
                "slug": rollover.default_slug(self.plan, first),
            },
        )
        priorities = Priority.objects.filter(plan=self.plan).order_by("position", "id")
        codes = CodeFormSet(
            prefix="codes",
            initial=[{"old_code": p.code, "new_code": p.code, "new_title": p.title} for p in priorities],
        )
        return form, codes

    def get(self, request, *args, **kwargs):
        form, codes = self.initial()
        return self.render_to_response(self.get_context_data(form=form, codes=codes))

    def post(self, request, *args, **kwargs):
        form = RollOverForm(request.POST, plan=self.plan)
        codes = CodeFormSet(request.POST, prefix="codes")
        if not (form.is_valid() and codes.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, codes=codes))
        mapping = [
            rollover.CodeMapping(row["old_code"], row.get("new_code", ""), row.get("new_title", ""))
            for row in codes.cleaned_data
            if row
        ]
        data = form.cleaned_data
        arguments = {
            "first_month": data["first_month"],
            "slug": data["slug"],
            "title": data["title"],
            "codes": mapping,
        }
        preview = rollover.preview_roll_over(plan=self.plan, **arguments)
        checked = request.POST.get("checked") == preview_digest(arguments)
        if "confirm" in request.POST and preview.ok and not checked:
            # The answers changed after the preview: show the preview of what would now be done.
            messages.warning(
                request, "You changed something after the preview: check it again before creating."
            )
        elif "confirm" in request.POST and preview.ok:
            try:
                result = rollover.roll_over(user=request.user, plan=self.plan, **arguments)
            except rollover.RollOverError as error:
                preview = replace(preview, problems=tuple(error.problems))
            else:
                messages.success(
                    request,
                    f"{result.plan.title} is created: {result.carried} action{'s' if result.carried != 1 else ''} "
                    f"carried from {self.plan.title}, {result.left} completed and left behind.",
                )
                return redirect(result.plan.get_absolute_url())
        return self.render_to_response(
            self.get_context_data(form=form, codes=codes, preview=preview, checked=preview_digest(arguments))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(plan=self.plan, **kwargs)
        errors = form_errors(kwargs["form"])
        for index, code_form in enumerate(kwargs["codes"].forms):
            errors += [
                (anchor, f"{code_form.initial.get('old_code') or index + 1}: {message}")
                for anchor, message in form_errors(code_form)
            ]
        preview = kwargs.get("preview")
        if preview is not None:
            errors += [("#codes", problem) for problem in preview.problems]
        context["errors"] = errors
        return context
