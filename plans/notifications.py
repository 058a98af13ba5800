"""Email to the people who do the work: the decision on their request, and reminders of the
month's updates; and the leads' names and addresses those emails go to.

Every message goes through Django's email backends (``EMAIL_BACKEND``: SMTP, or a provider's
through django-anymail), and never inside a plan's lock: a decision's emails are sent once the
decision has committed (``transaction.on_commit`` in ``services.decide_request``), and a failure
to send is logged, never undoing the decision. Reminders are plain reads of the plan plus a
``Reminder`` row per email: a scheduled one is claimed (its unique row written) before it is
sent, so the command run by cron and the worker's daily run may overlap or repeat without
anybody hearing twice about the same month and deadline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

import audit

# ``services`` imports this module for the decision emails; the cycle is safe because each side
# only looks the other up when a function runs.
from plans import services
from plans.models import ChangeRequest, Lead, MonthClose, Organisation, Plan, Reminder
from plans.periods import Month
from plans.status import Status

logger = logging.getLogger(__name__)

SIGN_OFF = "The performance team"


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 action", "7 actions"."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def long_date(day: date) -> str:
    """ "Monday 10 August 2009", as a letter gives a deadline."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def absolute_url(path: str) -> str:
    """A link for an email sent without a request to take the site's address from (a decision
    committed, the cron job, the worker): ``SITE_URL``."""
    return settings.SITE_URL.rstrip("/") + path


def my_month_link(plan: Plan, month: Month) -> str:
    return absolute_url(reverse("plans:my-month", kwargs={"slug": plan.slug, "month": str(month)}))


def person_name(user) -> str:
    """A login as a letter names them: their full name, their lead's name, else their username."""
    if user is None:
        return "someone"
    lead = getattr(user, "lead", None)
    return user.get_full_name() or (lead.name if lead and lead.name else "") or user.get_username()


# --- Leads' names and addresses, kept by the performance team --------------------------------------


UNCHANGED = object()


def _may_keep_leads(user, organisation_id: int) -> None:
    # The views check this too; asserted again where a mistake would change another council's lead.
    if user is None or not user.has_perm("plans.chase_updates", Organisation(pk=organisation_id)):
        raise PermissionDenied("Only the organisation's performance team keeps its leads.")


def _check_login(lead: Lead, login) -> None:
    """A lead's login must be a person of the lead's organisation, and not another lead's."""
    if login is None:
        return
    if not login.memberships.filter(organisation=lead.organisation_id).exists():
        raise ValidationError({"user": "Choose a person of the organisation"})
    other = Lead.objects.filter(user=login).exclude(pk=lead.pk).first()
    if other is not None:
        raise ValidationError(
            {"user": f"{login.get_username()} is already linked to the lead {other.initials}"}
        )


def _clean_lead(lead: Lead) -> None:
    lead.full_clean(exclude=["user", "organisation"], validate_unique=False)
    clash = Lead.objects.filter(organisation=lead.organisation_id, initials__iexact=lead.initials)
    if clash.exclude(pk=lead.pk).exists():
        raise ValidationError(
            {"initials": "Another lead of the organisation is known by these initials or title"}
        )


def update_lead(
    *, user, lead: Lead, name: str, email: str, initials: str | None = None, login=UNCHANGED
) -> list[str]:
    """Change a lead's name and email address (and, when given, the initials or job title the
    plans know them by and the login linked to them), audited. Returns the names of the fields
    that changed (none: nothing written). Raises ``ValidationError`` for what is not allowed."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        _may_keep_leads(user, lead.organisation_id)
        before = {"name": lead.name, "email": lead.email, "initials": lead.initials, "user": lead.user_id}
        lead.name, lead.email = name.strip(), email.strip()
        if initials is not None:
            lead.initials = initials.strip()
        if login is not UNCHANGED:
            _check_login(lead, login)
            lead.user = login
        _clean_lead(lead)
        changed = [
            key for key, old in before.items() if getattr(lead, key if key != "user" else "user_id") != old
        ]
        if not changed:
            return []
        lead.save(update_fields=changed)
        audit.record(
            "lead-contact",
            user=user,
            lead=lead.initials,
            lead_id=lead.pk,
            changes={
                key: [before[key], getattr(lead, key if key != "user" else "user_id")] for key in changed
            },
        )
    return changed


def add_lead(*, user, organisation: Organisation, initials: str, name: str, email: str, login=None) -> Lead:
    """A new lead of ``organisation``, known by ``initials`` (or a job title), audited."""
    with transaction.atomic():
        _may_keep_leads(user, organisation.pk)
        lead = Lead(
            organisation=organisation, initials=initials.strip(), name=name.strip(), email=email.strip()
        )
        _check_login(lead, login)
        lead.user = login
        _clean_lead(lead)
        lead.save()
        audit.record(
            "lead-add",
            user=user,
            organisation=organisation.slug,
            lead=lead.initials,
            lead_id=lead.pk,
            login=login.get_username() if login else "",
        )
    return lead


def set_reminder_settings(
    *, user, plan: Plan, updates_due_day: int | None, reminder_days_before: int
) -> bool:
    """The plan's deadline for a month's updates and how long before it leads are reminded,
    audited. Returns whether anything changed."""
    with transaction.atomic():
        plan = services.lock_plan(plan)
        before = {"updates_due_day": plan.updates_due_day, "reminder_days_before": plan.reminder_days_before}
        plan.updates_due_day, plan.reminder_days_before = updates_due_day, reminder_days_before
        changed = [key for key, old in before.items() if getattr(plan, key) != old]
        if not changed:
            return False
        plan.full_clean(validate_unique=False)
        plan.save(update_fields=changed)
        audit.record(
            "reminder-settings",
            user=user,
            plan=plan,
            changes={key: [before[key], getattr(plan, key)] for key in changed},
        )
    return True


# --- The decision on a request -----------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str
    is_author: bool = False


def decision_recipients(request: ChangeRequest) -> list[Recipient]:
    """Who hears of a decision: the officer who asked, and the action's leads if they are others;
    each address once, people without one left out."""
    people = []
    author = request.requested_by
    if author is not None:
        lead = getattr(author, "lead", None)
        people.append(Recipient(person_name(author), (lead.address if lead else "") or author.email, True))
    people += [Recipient(lead.display_name, lead.address) for lead in request.action.leads.all()]
    seen, recipients = set(), []
    for person in people:
        key = person.address.strip().lower()
        if key and key not in seen:
            seen.add(key)
            recipients.append(person)
    return recipients


def decision_email(request: ChangeRequest, recipient: Recipient) -> EmailMessage:
    action = request.action
    plan = action.plan
    month = Month.from_date(request.month)
    approved = request.state == ChangeRequest.State.APPROVED
    decision = "approved" if approved else "rejected"
    ref = action.ref or "(no ref)"
    if request.kind == ChangeRequest.Kind.REPROGRAMME:
        target = Month.from_date(request.new_target)
        asked = f"to re-programme action {ref} from {month.name} to {target.name}"
        noun = "Re-programme"
        meaning = (
            f"the action is reported as {plan.status_word(Status.REPRO)} from {month.name} until its "
            f"new target, {target.name}."
        )
    else:
        asked = f"to suspend action {ref} from {month.name}"
        noun = "Suspension"
        meaning = (
            f"the action is reported as {plan.status_word(Status.SUSP)} from {month.name} to the end "
            f"of the plan ({plan.end.name})."
        )
    if not approved:
        meaning = (
            f"nothing changes: the action still counts by its dates, {plan.status_word(Status.AMBER)} "
            f"when one month behind and {plan.status_word(Status.RED)} when more, until it is done "
            "or another request is approved."
        )
    whose = "Your request" if recipient.is_author else f"The request by {person_name(request.requested_by)}"
    decided_on = timezone.localtime(request.decided_at).date()
    note = request.decision_comment.strip()
    body = "\n".join(
        [
            f"Dear {recipient.name},",
            "",
            f"{whose} {asked} was {decision} by {person_name(request.decided_by)} on {long_date(decided_on)}.",
            "",
            f"{ref} {action.description}".strip(),
            f"Plan: {plan.title}",
            "",
            f"What it means: {meaning}",
            "",
            f"Note with the decision: \u201c{note}\u201d" if note else "No note was given with the decision.",
            "",
            f"See the action: {absolute_url(action.get_absolute_url())}",
            "",
            SIGN_OFF,
            "",
        ]
    )
    subject = f"{plan.title}: {noun} of {ref} {decision}"
    return EmailMessage(subject, body, to=[recipient.address])


def send_decision_emails(request_id: int) -> int:
    """Email the decision on a request to the officer who asked and the action's leads. Run once
    the decision has committed; never raises: a failure is logged and the decision stands.
    Returns the number of emails sent."""
    try:
        request = (
            ChangeRequest.objects.select_related("action__plan", "requested_by__lead", "decided_by__lead")
            .prefetch_related("action__leads__user")
            .get(pk=request_id)
        )
        messages = [decision_email(request, person) for person in decision_recipients(request)]
        if not messages:
            logger.warning("Nobody to email about the decision on request %s: no address known.", request_id)
            return 0
        return get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception(
            "The email about the decision on request %s was not sent; the decision stands.", request_id
        )
        return 0


# --- Reminders of the month's updates ----------------------------------------------------------------


def reminder_email(
    *, plan: Plan, month: Month, lead: Lead, actions, link: str, deadline: date | None = None
) -> EmailMessage:
    count = len(actions)
    due = (
        f"The updates of {plan.title} for {month.name} are due by {long_date(deadline)}."
        if deadline
        else f"The updates of {plan.title} for {month.name} are waiting for yours."
    )
    which = "This action you lead has" if count == 1 else f"These {count} actions you lead have"
    lines = [f"- {action.ref or '(no ref)'} {action.description}".rstrip() for action in actions]
    body = "\n".join(
        [
            f"Dear {lead.display_name},",
            "",
            due,
            f"{which} no status for {month.name} yet:",
            "",
            *lines,
            "",
            f"Please update {'it' if count == 1 else 'them'} here: {link}",
            "",
            SIGN_OFF,
            "",
        ]
    )
    subject = f"{plan.title}: {plural(count, 'action')} to update for {month.name}"
    if deadline:
        subject += f" by {deadline.day} {deadline:%B}"
    return EmailMessage(subject, body, to=[lead.address])


@dataclass
class ReminderRun:
    """What reminding the leads of one plan's month did."""

    plan: Plan
    month: Month
    deadline: date | None = None
    sent: list[Lead] = field(default_factory=list)
    already: list[Lead] = field(default_factory=list)  # a scheduled reminder for this deadline went
    unreachable: list[Lead] = field(default_factory=list)  # no email address
    failed: list[Lead] = field(default_factory=list)  # the email backend refused it (logged)


def _send(message: EmailMessage, connection) -> bool:
    try:
        connection.send_messages([message])
    except Exception:
        logger.exception("A reminder to %s was not sent.", ", ".join(message.to))
        return False
    return True


def send_chase_reminders(*, plan: Plan, month: Month, link: str, user) -> ReminderRun:
    """The chase list's button: email every lead with actions still without a status for
    ``month`` their list, whatever was sent before (the performance team chose to), and record
    each one sent."""
    run = ReminderRun(plan, month)
    connection = get_connection()
    for group in services.outstanding_by_lead(plan=plan, month=month):
        lead = group.lead
        if lead is None:
            continue
        if not lead.address:
            run.unreachable.append(lead)
            continue
        message = reminder_email(plan=plan, month=month, lead=lead, actions=group.actions, link=link)
        if not _send(message, connection):
            run.failed.append(lead)
            continue
        Reminder.objects.create(
            plan=plan,
            month=month.first_day,
            lead=lead,
            kind=Reminder.Kind.CHASE,
            address=lead.address,
            actions=len(group.actions),
            sent_by=user,
        )
        run.sent.append(lead)
    return run


def reminder_due(plan: Plan, month: Month, today: date) -> bool:
    """Pure: whether ``today`` falls from the month's reminder day to its deadline (a run missed
    on the reminder day, the worker down or the server off, still reminds before the deadline)."""
    deadline = plan.update_deadline(month)
    return deadline is not None and plan.reminder_date(month) <= today <= deadline


def months_due(today: date, plans=None) -> list[tuple[Plan, Month]]:
    """Every plan's reporting months whose reminders are due ``today`` and that are not closed
    (their report is published: nothing to update)."""
    plans = list(Plan.objects.filter(updates_due_day__isnull=False) if plans is None else plans)
    closed = {
        (plan_id, day)
        for plan_id, day in MonthClose.objects.closed().filter(plan__in=plans).values_list("plan_id", "month")
    }
    return [
        (plan, month)
        for plan in plans
        for month in plan.reporting_month_list
        if reminder_due(plan, month, today) and (plan.pk, month.first_day) not in closed
    ]


def send_due_reminders(*, today: date | None = None, dry_run: bool = False) -> list[ReminderRun]:
    """The scheduled reminders: for each plan and month due today, email each lead with actions
    still without a status their own list, once per month and deadline. With ``dry_run``, say
    who would be reminded and send and record nothing."""
    today = today or timezone.localdate()
    runs = []
    connection = get_connection()
    for plan, month in months_due(today):
        deadline = plan.update_deadline(month)
        run = ReminderRun(plan, month, deadline)
        runs.append(run)
        reminded = set(
            Reminder.objects.filter(
                plan=plan, month=month.first_day, deadline=deadline, kind=Reminder.Kind.SCHEDULED
            ).values_list("lead_id", flat=True)
        )
        link = my_month_link(plan, month)
        for group in services.outstanding_by_lead(plan=plan, month=month):
            lead = group.lead
            if lead is None:
                continue
            if lead.pk in reminded:
                run.already.append(lead)
                continue
            if not lead.address:
                run.unreachable.append(lead)
                continue
            if dry_run:
                run.sent.append(lead)
                continue
            try:
                # Claimed before it is sent: a second run at the same time finds the row and skips.
                with transaction.atomic():
                    claim = Reminder.objects.create(
                        plan=plan,
                        month=month.first_day,
                        lead=lead,
                        kind=Reminder.Kind.SCHEDULED,
                        deadline=deadline,
                        address=lead.address,
                        actions=len(group.actions),
                    )
            except IntegrityError:
                run.already.append(lead)
                continue
            message = reminder_email(
                plan=plan, month=month, lead=lead, actions=group.actions, link=link, deadline=deadline
            )
            if _send(message, connection):
                run.sent.append(lead)
            else:
                claim.delete()  # not sent, so not reminded: the next run tries again
                run.failed.append(lead)
    return runs
