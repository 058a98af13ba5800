"""The lockout page, the performance team's list of locked-out log-ins, and the password-reset
form with its hourly limits."""

from __future__ import annotations

import datetime
import math

from django.contrib import messages
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import TemplateView

from accounts import services
from accounts.forms import UnlockForm
from accounts.lockouts import lock_ends_for, locked_out_users
from improvement.middleware import client_ip
from plans import roles
from plans.permissions import RoleRequiredMixin


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the lockout page, with the time left until this username may
    try again from here (rounded up: "1 minute" never means "not yet") and ``Retry-After``."""
    now = timezone.now()
    ends = lock_ends_for(request, credentials)
    if ends is None or ends <= now:
        # django-axes has just refused the attempt, so the lock held a moment ago; its rows can
        # only have gone since through an unlock at that very moment: a minute covers it.
        ends = now + datetime.timedelta(minutes=1)
    seconds = math.ceil((ends - now).total_seconds())
    context = {"minutes_left": math.ceil(seconds / 60), "until": ends}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


class LockedOutView(RoleRequiredMixin, TemplateView):
    """For the performance team: who cannot log in after too many failed attempts, and a button
    to let each log in again at once (a colleague who has rung to say it was them)."""

    permission_required = roles.UNLOCK_ACCOUNTS
    template_name = "accounts/locked_out_users.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "locked_out": services.unlockable_by(self.request.user, locked_out_users()),
        }

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = UnlockForm(request.POST)
        if not form.is_valid():
            return HttpResponseRedirect(request.path)
        username = form.cleaned_data["username"]
        if services.unlock(username=username, by=request.user, ip_address=client_ip(request)):
            messages.success(request, f"{username} is unlocked and can log in again now.")
        else:
            messages.info(
                request, f"{username} is not locked out: the lock has ended or someone has unlocked it."
            )
        return HttpResponseRedirect(request.path)


class LimitedPasswordResetView(PasswordResetView):
    """Django's password reset, with an hourly limit per email address and per client address.
    Over the limit the answer is the same "check your email" page, so the form still says
    nothing about which addresses have accounts; only the email is not sent."""

    def form_valid(self, form):
        within = services.record_password_reset_request(
            email=form.cleaned_data["email"], ip_address=client_ip(self.request)
        )
        if not within:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
