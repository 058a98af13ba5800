"""The improvement plan: priorities, measures of success, actions, and each action's monthly status.

Names follow the council's papers (shared/DOMAIN.md). Months are stored as the first day of the
month; ``plans.periods.Month`` is the value type everywhere else.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from plans.periods import (
    Month,
    month_range,
    plan_year_label,
    reporting_months,
    target_months,
    to_month,
    update_deadline,
)
from plans.status import (
    COUNTED,
    FIGURE_DIGITS,
    FIGURE_PLACES,
    MEANINGS,
    Approval,
    Polarity,
    Status,
    Suggestion,
    Unit,
    approval_covering,
    effective_target,
    indicator_rag,
    is_live,
    number_text,
    suggest,
    value_text,
)

CORRECTIVE_ACTION_MAX = 4000
# Every month has a 28th; reminding more than 20 days ahead would run into the month before's.
UPDATES_DUE_DAY_MAX = 28
REMINDER_DAYS_BEFORE_MAX = 20
RECORDED = object()  # "the value recorded on the action", where None is a value of its own


def first_of_month(field: str) -> Q:
    return Q(**{f"{field}__day": 1})


class ReportLayout(models.TextChoices):
    # Bromsgrove: the AMBER and RED actions and the table of counts (seed 000). Rotherham: every key
    # action by section, in its own words, with the period's counts beside the previous period's
    # (seed 004).
    EXCEPTION = "exception", "Exception report"
    PROGRESS = "progress", "Progress report"


class OrganisationQuerySet(models.QuerySet):
    def sole_or_new(self, name: str = "") -> Organisation | None:
        """The organisation a plan goes into when nobody said which: the only one there is, a new one
        named ``name`` on an empty installation, else None (the caller must ask)."""
        organisations = list(self.all()[:2])
        if len(organisations) == 1:
            return organisations[0]
        if organisations:
            return None
        name = name.strip() or "Council"
        return self.create(name=name, slug=slugify(name)[:60] or "council")

    def of(self, user) -> models.QuerySet:
        """The organisations whose data ``user`` may see: those they hold a role in (a site
        administrator, every one)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(memberships__user=user)


class Organisation(models.Model):
    """A council (or a shared service) using the installation: its plans, leads and people are its
    own, and nobody outside it learns that they exist."""

    name = models.CharField(
        max_length=200, help_text="As printed on its reports, e.g. 'Bromsgrove District Council'."
    )
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in one organisation: the same person may be an officer of one council and
    nobody at another (``plans.roles`` names the roles; the role is one of their groups)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey("auth.Group", on_delete=models.PROTECT, related_name="memberships")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_one_role_per_organisation"
            )
        ]
        permissions = [("manage_people", "Can add people to their organisation and change their roles")]

    def __str__(self) -> str:
        return f"{self.user} – {self.role} at {self.organisation}"


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The plans ``user`` may know exist: their organisations' (every one for a site
        administrator). A plan outside is "not found", never "forbidden"."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(organisation__memberships__user=user)

    def with_previous(self):
        return self.select_related("previous_plan", "organisation")


class Plan(models.Model):
    """One plan year of a council's improvement plan."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="plans")
    first_month = models.DateField(help_text="The first day of the plan's first month (Bromsgrove: July).")
    months = models.PositiveSmallIntegerField(default=12, help_text="How many months the plan year covers.")
    reporting_interval = models.PositiveSmallIntegerField(
        default=1, help_text="Report every N months: 1 for monthly (Bromsgrove), 2 for Rotherham."
    )
    previous_plan = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_plans",
        help_text="The previous plan year, shown beside this one in the progress table.",
    )
    # The cover report's "Responsible ..." lines and contact officer, edited by the performance team.
    portfolio_holder = models.CharField(max_length=200, blank=True)
    responsible_officer = models.CharField(max_length=200, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=50, blank=True)
    # Scheduled reminders: a month's updates are due on this day of the following month (none: no
    # scheduled reminder), and leads with actions still without a status are emailed this many
    # days before (``plans.notifications``).
    updates_due_day = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The day of the following month by which a month's updates are due.",
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        default=3, help_text="How many days before the deadline leads are reminded."
    )
    report_layout = models.CharField(
        max_length=20,
        choices=ReportLayout.choices,
        default=ReportLayout.EXCEPTION,
        help_text="How the plan's monthly report is laid out.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-first_month", "title"]
        constraints = [
            models.CheckConstraint(condition=first_of_month("first_month"), name="plan_first_month_is_1st"),
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=36), name="plan_months_1_to_36"),
            models.CheckConstraint(
                condition=Q(reporting_interval__gte=1, reporting_interval__lte=12),
                name="plan_reporting_interval_1_to_12",
            ),
            models.CheckConstraint(
                condition=Q(updates_due_day__isnull=True)
                | Q(updates_due_day__gte=1, updates_due_day__lte=UPDATES_DUE_DAY_MAX),
                name="plan_updates_due_day_1_to_28",
            ),
            models.CheckConstraint(
                condition=Q(reminder_days_before__lte=REMINDER_DAYS_BEFORE_MAX),
                name="plan_reminder_days_before_0_to_20",
            ),
        ]
        permissions = [
            ("update_own_actions", "Can update the status of actions they lead"),
            ("update_any_action", "Can update the status of any action"),
            ("request_change", "Can request a re-programme or suspension"),
            ("approve_change", "Can approve or reject re-programmes and suspensions"),
            ("close_month", "Can close and re-open a month"),
            ("export_reports", "Can export reports and plans as PDF and Excel"),
            ("chase_updates", "Can see the chase list and send reminders"),
            ("unlock_accounts", "Can unlock a log-in locked after failed attempts"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", kwargs={"slug": self.slug})

    @property
    def start(self) -> Month:
        return Month.from_date(self.first_month)

    @property
    def end(self) -> Month:
        return self.start + (self.months - 1)

    @property
    def month_list(self) -> list[Month]:
        return month_range(self.start, self.months)

    @property
    def reporting_month_list(self) -> list[Month]:
        return reporting_months(self.start, self.months, self.reporting_interval)

    @property
    def target_month_list(self) -> list[Month]:
        """The months a revised or re-programmed target may be set in: the plan's and, for an
        action moved past the year end, ``periods.TARGET_MONTHS_AFTER_PLAN`` more."""
        return target_months(self.start, self.months)

    @property
    def year_label(self) -> str:
        return plan_year_label(self.start, self.months)

    def contains(self, month: Month) -> bool:
        return self.start <= month <= self.end

    def update_deadline(self, month: Month) -> date | None:
        """The day ``month``'s updates are due, or None when the plan sets no deadline."""
        return update_deadline(month, self.updates_due_day) if self.updates_due_day else None

    def reminder_date(self, month: Month) -> date | None:
        deadline = self.update_deadline(month)
        return deadline - timedelta(days=self.reminder_days_before) if deadline else None

    def word_of(self, record) -> str:
        """A recorded status in the word it was entered in, else the plan's own word for it
        (prefetch ``status_terms`` to keep this query-free); blank for no status."""
        if record is None or not record.status:
            return ""
        return record.word or self.status_word(Status(record.status))

    def status_word(self, status: Status) -> str:
        """The plan's own word for a counted status (its vocabulary), or the standard one."""
        terms = getattr(self, "_terms_cache", None)
        # An empty cache is a plan without its own words: no query for it either.
        for term in self.status_terms.all() if terms is None else terms:
            if term.status == status and term.is_default:
                return term.word
        return Status(status).label


def with_words(plans: list[Plan]) -> list[Plan]:
    """The plans' own status words (``Plan.status_word``) read in one plain query, as a
    ``prefetch_related("status_terms")`` would without its per-plan querysets."""
    by_plan: dict[int, list[StatusTerm]] = {plan.pk: [] for plan in plans}
    if by_plan:
        for term in StatusTerm.objects.filter(plan_id__in=by_plan).order_by():
            by_plan[term.plan_id].append(term)
    for plan in plans:
        plan._terms_cache = by_plan[plan.pk]
    return plans


class StatusTerm(models.Model):
    """A word in a plan's own status vocabulary and the counted status it maps to.

    Rotherham writes "On track", "Some slippage reported", "Slipped"; each counts as one of the
    five statuses of the progress table. The term marked default is the one shown for the status.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="status_terms")
    word = models.CharField(max_length=60)
    status = models.CharField(max_length=5, choices=Status.choices)
    is_default = models.BooleanField(default=False)
    meaning = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "status", "word"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "word"], name="status_term_unique_word"),
            models.UniqueConstraint(
                fields=["plan", "status"], condition=Q(is_default=True), name="status_term_one_default"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in COUNTED]), name="status_term_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.word} = {self.status}"

    @property
    def meaning_text(self) -> str:
        return self.meaning or MEANINGS[Status(self.status)]


class Priority(models.Model):
    """A council priority or enabler (``CP1 Town Centre``, ``HR & OD1 Learning & Development``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    code = models.CharField(max_length=30, help_text="As written, e.g. 'HR & OD1'. Unique within one plan.")
    title = models.CharField(max_length=200, blank=True)
    section = models.CharField(
        max_length=200,
        blank=True,
        help_text="The section of the plan it is under, where the plan has them (Rotherham: 'Ambitions').",
    )
    expected_outcome = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name_plural = "priorities"
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="priority_code_unique_in_plan")]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}" if self.title else self.code


class Measure(models.Model):
    """A measure of success under a priority, with the actions required to meet it."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="measures")
    ref = models.CharField(max_length=40, help_text="As written, e.g. '1.1' or '2.1, 2.2, 2.3,'.")
    title = models.TextField(help_text="The measure of success.")
    actions_required = models.TextField(blank=True)
    timescales = models.CharField(max_length=200, blank=True)
    lead = models.CharField(max_length=100, blank=True, help_text="The lead as written in the plan.")
    resources = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["priority__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "ref"], name="measure_ref_unique_in_priority")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class MeasureProgress(models.Model):
    """The progress update text of a measure for one month."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="progress")
    month = models.DateField()
    text = models.TextField(max_length=CORRECTIVE_ACTION_MAX)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measure", "month"]
        verbose_name_plural = "measure progress updates"
        constraints = [
            models.UniqueConstraint(fields=["measure", "month"], name="measure_progress_unique_month"),
            models.CheckConstraint(condition=first_of_month("month"), name="measure_progress_month_is_1st"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.ref} {Month.from_date(self.month)}"

    @property
    def as_month(self) -> Month:
        return Month.from_date(self.month)


class LeadQuerySet(models.QuerySet):
    def as_written(self):
        """An action's leads in the order the plan writes them ("Strategic Director Finance /
        Assistant Chief Executive", "PS /PM"): the order their links were made. Only for the leads
        of actions (a prefetch of ``Action.leads``), whose query joins the link table."""
        return self.extra(order_by=[f"{Action.leads.through._meta.db_table}.id"])


class Lead(models.Model):
    """An officer who leads actions, known in the plan by initials (``PS``, ``HB``) or by job title
    ("Assistant Chief Executive"): ``initials`` is the name the plan prints, unique in the council."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="leads")
    initials = models.CharField(max_length=120)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="lead"
    )

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["initials"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "initials"], name="lead_unique_in_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.initials} ({self.name})" if self.name else self.initials

    @staticmethod
    def joined(initials) -> str:
        """Several leads as the plan prints them: "PS /PM"."""
        return " /".join(initials)

    @property
    def display_name(self) -> str:
        """How a letter to the lead opens: their name, else their login's full name, else the
        initials the plan knows them by."""
        if self.name:
            return self.name
        full_name = self.user.get_full_name() if self.user_id else ""
        return full_name or self.initials

    @property
    def address(self) -> str:
        """Where their email goes: the lead's own address, else their login's."""
        return self.email or (self.user.email if self.user_id else "")


class ActionQuerySet(models.QuerySet):
    def in_plan_order(self):
        return self.order_by("position", "id")

    def led_by(self, user):
        return self.filter(leads__user=user).distinct()

    def live_in(self, month: Month):
        """Actions that need a status for ``month``: planned in it, covered by an approved
        re-programme or suspension, or due by then and not completed before it began.
        ``plans.status.is_live`` in SQL (tests/plans/test_live_rule.py holds the two together)."""
        day = month.first_day
        target_passed = Q(reprogrammed=True, revised_target__isnull=False, revised_target__lte=day) | (
            ~Q(reprogrammed=True, revised_target__isnull=False) & Q(original_target__lte=day)
        )
        not_done = Q(completed_month__isnull=True) | Q(completed_month__gte=day)
        covered = Q(
            pk__in=ChangeRequest.objects.filter(state=ChangeRequest.State.APPROVED, month__lte=day)
            .filter(Q(kind=ChangeRequest.Kind.SUSPENSION) | Q(new_target__gt=day))
            .values("action_id")
        )
        return self.filter(Q(planned__month=day) | covered | (target_passed & not_done)).distinct()

    def live_or_recorded_in(self, month: Month):
        """Live in ``month`` or already holding a status for it (a status recorded before the
        action's dates changed is still the action's)."""
        return self.filter(
            Q(pk__in=self.live_in(month).values("pk")) | Q(statuses__month=month.first_day)
        ).distinct()

    def with_approvals(self):
        approved = ChangeRequest.objects.filter(state=ChangeRequest.State.APPROVED)
        return self.prefetch_related(
            models.Prefetch("change_requests", queryset=approved, to_attr="approved_requests")
        )

    def with_grid(self):
        """Everything a plan row needs, fetched in a fixed number of queries."""
        return self.select_related("measure__priority").prefetch_related(
            models.Prefetch("leads", queryset=Lead.objects.as_written()), "planned", "statuses"
        )

    def on_month_page(self, month: Month, previous: Month | None = None) -> list[Action]:
        """Those of the actions live in ``month`` or already holding a status for it (what
        ``live_or_recorded_in`` selects), with what the month page shows of each
        (``attach_month_page``): three queries, and no related manager or prefetch per action.
        The page reads each action's statuses and requests anyway, so the rule is applied to
        them in Python (``Action.is_live_in``, ``plans.status.is_live``) rather than as
        subqueries over the plan."""
        day = month.first_day
        actions = list(
            self.select_related("measure__priority").annotate(
                planned_in_month=models.Exists(
                    PlannedMonth.objects.filter(action=models.OuterRef("pk"), month=day)
                )
            )
        )
        attach_month_page(actions, month, previous)
        return [
            action for action in actions if action.status_for(month) is not None or action.is_live_in(month)
        ]


def attach_month_page(actions: list[Action], month: Month, previous: Month | None = None) -> list[Action]:
    """What the month page shows of each of ``actions``: its statuses of ``month`` and the period
    before (``previous``, the month before unless the plan reports less often; ``status_for`` of
    another month is None on these) and its approved and pending requests (``open_requests``),
    in two plain queries. Prefetching the same costs a related manager and a queryset per action,
    more than the queries themselves on a page of a few actions."""
    days = [(previous or month - 1).first_day, month.first_day]
    by_pk = {action.pk: action for action in actions}
    for action in actions:
        action.month_statuses = {}
        action.open_requests = []
    if not by_pk:
        return actions
    for status in MonthlyStatus.objects.filter(action_id__in=by_pk, month__in=days).order_by():
        by_pk[status.action_id].month_statuses[status.month] = status
    requests = (
        ChangeRequest.objects.filter(action_id__in=by_pk)
        .exclude(state=ChangeRequest.State.REJECTED)
        .order_by("requested_at", "pk")
    )
    for request in requests:
        by_pk[request.action_id].open_requests.append(request)
    return actions


class Action(models.Model):
    """An action under a measure of success, with its lead(s) and its month grid."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="actions")
    ref = models.CharField(max_length=40, blank=True, help_text="Kept exactly as written in the plan.")
    description = models.TextField(blank=True)
    leads = models.ManyToManyField(Lead, blank=True, related_name="actions")
    position = models.PositiveIntegerField(help_text="Order in the plan; refs are too irregular to sort by.")
    original_target = models.DateField(
        null=True, blank=True, help_text="Original date of the planned action."
    )
    # Rotherham writes its dates as text ("December annually", "July 2007 (revise to October
    # 2007)"): kept as written, with the month read from it in the date fields where there is one.
    target_date_text = models.CharField(max_length=300, blank=True, help_text="The target date as written.")
    progress_measure = models.TextField(blank=True, help_text="How progress is measured.")
    progress_update = models.TextField(blank=True, help_text="The latest update on progress.")
    revised_target = models.DateField(null=True, blank=True, help_text="Revised or re-programmed date.")
    reprogrammed = models.BooleanField(
        default=False, help_text="An approved re-programme moved the target to the revised date."
    )
    completed_month = models.DateField(null=True, blank=True)
    corrective_action = models.TextField(blank=True, max_length=CORRECTIVE_ACTION_MAX)
    carried_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
        help_text="The action of the previous plan year this one was carried from at the roll-over.",
    )
    # Optimistic locking: a save carries the version it was read at, and is refused if it moved.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="action_position_unique_in_plan"),
            models.CheckConstraint(
                condition=Q(original_target__isnull=True) | first_of_month("original_target"),
                name="action_original_target_is_1st",
            ),
            models.CheckConstraint(
                condition=Q(revised_target__isnull=True) | first_of_month("revised_target"),
                name="action_revised_target_is_1st",
            ),
            models.CheckConstraint(
                condition=Q(completed_month__isnull=True) | first_of_month("completed_month"),
                name="action_completed_month_is_1st",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.description[:60]}".strip()

    def get_absolute_url(self) -> str:
        return reverse("plans:action", kwargs={"slug": self.plan.slug, "pk": self.pk})

    @property
    def short_name(self) -> str:
        """How a list names the action: its ref, else the start of its description (Rotherham's
        key actions have no refs)."""
        if self.ref:
            return self.ref
        words = self.description.split()
        return " ".join(words[:8]) + ("…" if len(words) > 8 else "") if words else "An action"

    @property
    def lead_initials(self) -> str:
        """ "PS /PM" style, as the plan prints two leads."""
        return Lead.joined(lead.initials for lead in self.leads.all())

    @property
    def planned_month_list(self) -> list[Month]:
        return sorted(Month.from_date(p.month) for p in self.planned.all())

    @property
    def target(self) -> Month | None:
        return effective_target(
            original=to_month(self.original_target),
            revised=to_month(self.revised_target),
            reprogramme_approved=self.reprogrammed,
        )

    def approved(self) -> list[ChangeRequest]:
        """Its approved requests: prefetched by ``with_approvals``, or read with ``on_month_page`` (no query
        per row), else read."""
        requests = getattr(self, "approved_requests", None)
        if requests is None and hasattr(self, "open_requests"):
            requests = self.approved_requests = [
                r for r in self.open_requests if r.state == ChangeRequest.State.APPROVED
            ]
        if requests is None:
            requests = list(self.change_requests.filter(state=ChangeRequest.State.APPROVED))
        return requests

    def approval_in(self, month: Month) -> Approval | None:
        """The approved re-programme or suspension covering ``month`` (``plans.status.approval_covering``)."""
        return approval_covering(month, [request.approval for request in self.approved()])

    def approved_status_in(self, month: Month) -> Status | None:
        """REPRO or SUSP when an approved request covers ``month``, else None."""
        approval = self.approval_in(month)
        return approval.status if approval else None

    def suggestion(self, month: Month, completed: Month | None | object = RECORDED) -> Suggestion:
        """The status the dates suggest for ``month`` and why (``plans.status.suggest``);
        ``completed`` is the month a form says (None: not completed), else the recorded one."""
        return suggest(
            month=month,
            original=to_month(self.original_target),
            revised=to_month(self.revised_target),
            reprogrammed=self.reprogrammed,
            completed=to_month(self.completed_month) if completed is RECORDED else completed,
            approval=self.approval_in(month),
        )

    def is_live_in(self, month: Month) -> bool:
        """``plans.status.is_live`` for the action; ``planned_in_month`` (``on_month_page``) says
        whether it is planned in ``month``, else its planned months are read."""
        planned_now = getattr(self, "planned_in_month", None)
        return is_live(
            month=month,
            planned=([month] if planned_now else []) if planned_now is not None else self.planned_month_list,
            target=self.target,
            completed=to_month(self.completed_month),
            approved=self.approved_status_in(month),
        )

    @property
    def pending_requests(self) -> list[ChangeRequest]:
        """The request waiting for a decision (at most one), read with ``on_month_page``."""
        return [r for r in self.open_requests if r.state == ChangeRequest.State.PENDING]

    def status_for(self, month: Month) -> MonthlyStatus | None:
        """From the statuses read with the action (``month_statuses``, by ``attach_month_page``; or
        prefetched, see ``ActionQuerySet.with_grid``): no query per cell."""
        day = month.first_day
        by_month = getattr(self, "month_statuses", None)
        if by_month is not None:
            return by_month.get(day)
        for status in self.statuses.all():
            if status.month == day:
                return status
        return None


class PlannedMonth(models.Model):
    """A month in which an action is planned (a ■ in the council's grid)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="planned")
    month = models.DateField()

    class Meta:
        ordering = ["action", "month"]
        constraints = [
            models.UniqueConstraint(fields=["action", "month"], name="planned_month_unique"),
            models.CheckConstraint(condition=first_of_month("month"), name="planned_month_is_1st"),
        ]

    def __str__(self) -> str:
        return str(Month.from_date(self.month))


class MonthlyStatusQuerySet(models.QuerySet):
    def in_plan(self, plan: Plan):
        return self.filter(action__plan=plan)

    def in_month(self, month: Month):
        return self.filter(month=month.first_day)


class MonthlyStatus(models.Model):
    """An action's status for one month: the figures of the exception report are counts of these."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="statuses")
    month = models.DateField()
    status = models.CharField(max_length=5, choices=Status.choices)
    word = models.CharField(
        max_length=60, blank=True, help_text="The plan's own status word as entered, when it has one."
    )
    corrective_action = models.TextField(
        blank=True, max_length=CORRECTIVE_ACTION_MAX, help_text="The corrective action reported this month."
    )
    note = models.TextField(blank=True, max_length=CORRECTIVE_ACTION_MAX, help_text="Progress note.")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    set_at = models.DateTimeField(default=timezone.now)

    objects = MonthlyStatusQuerySet.as_manager()

    class Meta:
        ordering = ["action", "month"]
        verbose_name_plural = "monthly statuses"
        constraints = [
            models.UniqueConstraint(fields=["action", "month"], name="one_status_per_action_and_month"),
            models.CheckConstraint(condition=first_of_month("month"), name="monthly_status_month_is_1st"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in COUNTED]), name="monthly_status_is_counted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action.ref} {Month.from_date(self.month)} {self.status}"

    @property
    def as_month(self) -> Month:
        return Month.from_date(self.month)


class ChangeRequest(models.Model):
    """An officer's request to re-programme or suspend an action, approved or rejected by the
    performance team or CMT. Until approved the action counts AMBER or RED by its dates."""

    class Kind(models.TextChoices):
        REPROGRAMME = "REPROGRAMME", "Re-programme"
        SUSPENSION = "SUSPENSION", "Suspension"

    class State(models.TextChoices):
        PENDING = "PENDING", "Pending"
        APPROVED = "APPROVED", "Approved"
        REJECTED = "REJECTED", "Rejected"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    month = models.DateField(help_text="The month from which the re-programme or suspension applies.")
    new_target = models.DateField(null=True, blank=True, help_text="The new target month of a re-programme.")
    reason = models.TextField(max_length=CORRECTIVE_ACTION_MAX)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=first_of_month("month"), name="change_request_month_is_1st"),
            models.CheckConstraint(
                condition=~Q(kind="REPROGRAMME") | Q(new_target__isnull=False),
                name="reprogramme_has_new_target",
            ),
            models.UniqueConstraint(
                fields=["action"], condition=Q(state="PENDING"), name="one_pending_request_per_action"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.action.ref} ({self.get_state_display()})"

    @property
    def as_month(self) -> Month:
        return Month.from_date(self.month)

    @property
    def approval(self) -> Approval | None:
        """What an approved request makes the action in the months it covers."""
        if self.state != self.State.APPROVED:
            return None
        if self.kind == self.Kind.REPROGRAMME:
            return Approval(Status.REPRO, Month.from_date(self.month), to_month(self.new_target))
        return Approval(Status.SUSP, Month.from_date(self.month))


class ActionChange(models.Model):
    """History: one changed value of an action or of its status. Nothing is ever deleted by an update."""

    class Source(models.TextChoices):
        MY_MONTH = "my-month", "My actions"
        APPROVAL = "approval", "Approvals"
        ADMIN = "admin", "Admin"
        IMPORT = "import", "Workbook import"
        ROLL_OVER = "roll-over", "Roll-over to the next year"
        DEMO = "demo", "Demo data"
        OTHER = "other", "Other"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="changes")
    month = models.DateField(null=True, blank=True, help_text="The status month, for a status change.")
    field = models.CharField(max_length=60)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OTHER)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action.ref} {self.field}: {self.old_value!r} -> {self.new_value!r}"


class MeasureChange(models.Model):
    """History of a measure's progress update for a month: the text before and after a write (an
    empty text is no update). Nothing is ever deleted by an update."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="changes")
    month = models.DateField()
    old_text = models.TextField(blank=True)
    new_text = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(
        max_length=10, choices=ActionChange.Source.choices, default=ActionChange.Source.OTHER
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=first_of_month("month"), name="measure_change_month_is_1st"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.ref} {Month.from_date(self.month)} progress update"


# --- Indicators: measures of success that are numbers (issue 17) -----------------------------


# Up to 999,999,999,999.9999: a council's pounds and counts, and four places for the rates and
# percentages councils publish (BV 17a 2.8%, a tolerance band of 0.27).
INDICATOR_VALUE = {"max_digits": FIGURE_DIGITS, "decimal_places": FIGURE_PLACES}
INDICATOR_NOTE_MAX = CORRECTIVE_ACTION_MAX


class IndicatorQuerySet(models.QuerySet):
    def in_plan_order(self):
        return self.order_by("priority__position", "priority_id", "position", "id")

    def led_by(self, user):
        return self.filter(lead__user=user)

    def with_figures(self):
        """Everything a row of indicators needs (priority, measure, lead, collected months, month
        targets, actuals), in a fixed number of queries whatever the number of indicators."""
        return self.select_related("plan", "priority", "measure", "lead").prefetch_related(
            "collected", "month_targets", "actuals"
        )


class Indicator(models.Model):
    """A measure of success that is a number (``BV199a`` litter, ``BV8`` invoices paid in 30 days),
    under a measure of success or directly under a priority of one plan year.

    Each plan year holds its own indicators, as it holds its own priorities; last year's figures are
    those of the previous plan's indicator with the same code (national codes such as BV8 do not
    change between years, unlike priority codes).
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="indicators")
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(max_length=40, help_text="As written, e.g. 'BV199a'. Unique within one plan.")
    title = models.CharField(max_length=300)
    unit = models.CharField(max_length=7, choices=Unit.choices, default=Unit.NUMBER)
    polarity = models.CharField(max_length=6, choices=Polarity.choices, default=Polarity.HIGHER)
    target = models.DecimalField(
        **INDICATOR_VALUE, null=True, blank=True, help_text="The target for the plan year."
    )
    tolerance = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        help_text="How far worse than target (percent of the target) is still Amber rather than Red.",
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    position = models.PositiveIntegerField(default=0, help_text="Order under its priority.")

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "priority__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique_in_plan"),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0, tolerance__lte=100), name="indicator_tolerance_0_to_100"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=[u.value for u in Unit]), name="indicator_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(polarity__in=[p.value for p in Polarity]), name="indicator_polarity_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plans:indicator", kwargs={"slug": self.plan.slug, "pk": self.pk})

    @property
    def reporting_month_list(self) -> list[Month]:
        """The months the indicator is collected in: its own (quarterly, yearly), else every
        reporting month of its plan. From the prefetched months (``with_figures``) when fetched."""
        own = sorted(Month.from_date(row.month) for row in self.collected.all())
        return own or self.plan.reporting_month_list

    def is_collected_in(self, month: Month) -> bool:
        return month in self.reporting_month_list

    def target_for(self, month: Month) -> Decimal | None:
        """The month's own target (a year-to-date profile) if it has one, else the year's."""
        day = month.first_day
        for row in self.month_targets.all():
            if row.month == day:
                return row.value
        return self.target

    def actual_for(self, month: Month) -> IndicatorActual | None:
        day = month.first_day
        for row in self.actuals.all():
            if row.month == day:
                return row
        return None

    def rag_in(self, month: Month):
        """GREEN, AMBER or RED from the month's actual and target (``plans.status.indicator_rag``)."""
        actual = self.actual_for(month)
        return indicator_rag(
            actual=actual.value if actual else None,
            target=self.target_for(month),
            polarity=Polarity(self.polarity),
            tolerance=self.tolerance,
        )

    def text(self, value: Decimal | None) -> str:
        """A figure of this indicator with its unit ("83.5%", "£1,250.50", "12 days")."""
        return value_text(value, self.unit)

    @property
    def target_text(self) -> str:
        return self.text(self.target)

    @property
    def tolerance_text(self) -> str:
        return f"{number_text(self.tolerance)}%"


class IndicatorMonth(models.Model):
    """A month an indicator is collected in, when it is not every reporting month of the plan."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="collected")
    month = models.DateField()

    class Meta:
        ordering = ["indicator", "month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="indicator_month_unique"),
            models.CheckConstraint(condition=first_of_month("month"), name="indicator_month_is_1st"),
        ]

    def __str__(self) -> str:
        return str(Month.from_date(self.month))


class IndicatorTarget(models.Model):
    """A month's own target (a year-to-date profile: 20% by July, 45% by October ...); a month
    without one is measured against the indicator's year target."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="month_targets")
    month = models.DateField()
    value = models.DecimalField(**INDICATOR_VALUE)

    class Meta:
        ordering = ["indicator", "month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="indicator_target_unique_month"),
            models.CheckConstraint(condition=first_of_month("month"), name="indicator_target_month_is_1st"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {Month.from_date(self.month)} target {self.value}"


class IndicatorActual(models.Model):
    """An indicator's actual for one month, with its lead's note: the RAG is worked out from it."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="actuals")
    month = models.DateField()
    value = models.DecimalField(**INDICATOR_VALUE)
    note = models.TextField(blank=True, max_length=INDICATOR_NOTE_MAX)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator", "month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="one_actual_per_indicator_and_month"),
            models.CheckConstraint(condition=first_of_month("month"), name="indicator_actual_month_is_1st"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {Month.from_date(self.month)}: {self.value}"

    @property
    def as_month(self) -> Month:
        return Month.from_date(self.month)


class IndicatorChange(models.Model):
    """History of an indicator: each changed actual, note, target or setting, the value before and
    after (as stored: "83.5", a lead's initials), who, when and which screen. Never deleted."""

    class Field(models.TextChoices):
        ACTUAL = "actual", "actual"
        CODE = "code", "code"
        NOTE = "note", "note"
        TARGET = "target", "target"
        TITLE = "title", "title"
        UNIT = "unit", "unit"
        POLARITY = "polarity", "which way is better"
        TOLERANCE = "tolerance", "tolerance"
        LEAD = "lead", "lead"
        PLACE = "place", "place in the plan"
        MONTHS = "months", "months collected"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="changes")
    month = models.DateField(null=True, blank=True, help_text="The month of an actual, note or month target.")
    field = models.CharField(max_length=10, choices=Field.choices)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(
        max_length=10, choices=ActionChange.Source.choices, default=ActionChange.Source.OTHER
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | first_of_month("month"),
                name="indicator_change_month_is_1st",
            ),
        ]

    def __str__(self) -> str:
        return self.sentence

    @property
    def sentence(self) -> str:
        """The change in plain English: "The actual for July 2009 was changed from 81.5% to 78%."."""
        figures = {self.Field.ACTUAL, self.Field.TARGET}
        what = self.get_field_display()
        if self.month:
            what = f"{what} for {Month.from_date(self.month).name}"
        if self.field in figures:
            old = value_text(Decimal(self.old_value), self.indicator.unit) if self.old_value else ""
            new = value_text(Decimal(self.new_value), self.indicator.unit) if self.new_value else ""
        elif self.field in (self.Field.UNIT, self.Field.POLARITY):
            choices = Unit if self.field == self.Field.UNIT else Polarity
            old = choices(self.old_value).label if self.old_value else ""
            new = choices(self.new_value).label if self.new_value else ""
        else:
            old, new = self.old_value, self.new_value
        if self.field == self.Field.NOTE:
            old, new = (f"“{old}”" if old else ""), (f"“{new}”" if new else "")
        if not old:
            return f"The {what} was set to {new}."
        if not new:
            return f"The {what} was removed (it was {old})."
        return f"The {what} was changed from {old} to {new}."


# --- The reporting calendar: which months are published ------------------------------------


class MonthCloseQuerySet(models.QuerySet):
    def closed(self):
        return self.filter(state=MonthClose.State.CLOSED)

    def is_closed(self, plan: Plan, month: Month) -> bool:
        """Whether the month's report is published: a closed month takes no more updates."""
        return self.closed().filter(plan=plan, month=month.first_day).exists()

    def closed_months(self, plan: Plan) -> set[Month]:
        return {
            Month.from_date(day) for day in self.closed().filter(plan=plan).values_list("month", flat=True)
        }


class MonthClose(models.Model):
    """A month of a plan closed by the performance team: its report is frozen as published.

    ``snapshot`` holds the report exactly as published (figures, exceptions, texts), so a closed
    month's report never changes when statuses are edited later. Re-opening keeps the row, records
    who and why, and the next close replaces the snapshot. Every close and re-open is also a
    ``MonthEvent``.
    """

    class State(models.TextChoices):
        CLOSED = "CLOSED", "Closed"
        REOPENED = "REOPENED", "Re-opened"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="month_closes")
    month = models.DateField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.CLOSED)
    snapshot = models.JSONField(default=dict, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(default=timezone.now)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    # The last history row written before the close. Every write and the close take the plan's
    # row lock, so a change with a higher id was made after the close committed: "changes since
    # closing" counts by id, which no clock skew or long transaction can reorder.
    history_mark = models.BigIntegerField(default=0)

    objects = MonthCloseQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "month"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="one_close_per_plan_month"),
            models.CheckConstraint(condition=first_of_month("month"), name="month_close_month_is_1st"),
            models.CheckConstraint(
                condition=~Q(state="REOPENED") | ~Q(reopen_reason=""), name="reopen_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.slug} {Month.from_date(self.month)} {self.get_state_display()}"

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED


class MonthEvent(models.Model):
    """The record of every close and re-open of a month."""

    class Kind(models.TextChoices):
        CLOSED = "CLOSED", "Closed"
        REOPENED = "REOPENED", "Re-opened"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="month_events")
    month = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "month", "at", "id"]

    def __str__(self) -> str:
        return f"{self.plan.slug} {Month.from_date(self.month)} {self.kind}"


# --- Reminders (issue 18) --------------------------------------------------------------------------


class Reminder(models.Model):
    """A reminder emailed to a lead about their actions still without a status for a month.

    Scheduled reminders are sent once per lead, month and deadline (the constraint below is what
    makes the command and the worker's daily run safe to repeat); those sent from the chase list
    are the performance team's own decision and are only recorded.
    """

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CHASE = "chase", "From the chase list"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reminders")
    month = models.DateField()
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    deadline = models.DateField(null=True, blank=True, help_text="The deadline a scheduled reminder was for.")
    address = models.EmailField()
    actions = models.PositiveIntegerField(help_text="How many actions the reminder listed.")
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=first_of_month("month"), name="reminder_month_is_1st"),
            models.UniqueConstraint(
                fields=["plan", "month", "lead", "deadline"],
                condition=Q(kind="scheduled"),
                name="one_scheduled_reminder_per_lead_month_and_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead.initials} {Month.from_date(self.month)} {self.get_kind_display()}"


# ---------------------------------------------------------------------------------------------
# Inspection recommendations (seed 002: the Audit Commission's recommendations R1-R7) and the
# actions that answer them.


class RecommendationQuerySet(models.QuerySet):
    def tracked(self, organisation):
        """The recommendations the tracker lists, in their order: those made to ``organisation``
        (an inspection reports on one council). Every page and document reads them through here."""
        return self.filter(organisation=organisation).order_by("position", "id")


class Recommendation(models.Model):
    """A recommendation an inspection made (source, code, its text as written), answered by
    actions of the plans: its progress is the progress of those actions."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="recommendations")
    source = models.CharField(
        max_length=200,
        help_text="The inspection and its report, e.g. 'Audit Commission CPA report (March 2009)'.",
    )
    code = models.CharField(max_length=20, help_text="As the report numbers it, e.g. 'R1'.")
    text = models.TextField(max_length=CORRECTIVE_ACTION_MAX)
    position = models.PositiveIntegerField(default=0)
    actions = models.ManyToManyField(Action, through="RecommendationLink", related_name="recommendations")

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "source", "code"], name="one_code_per_inspection")
        ]
        permissions = [("manage_recommendations", "Can link actions to inspection recommendations")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


class RecommendationLink(models.Model):
    """An action answering a recommendation: who linked it and when."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="links")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="recommendation_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "action"], name="one_link_per_recommendation_action"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation.code} → {self.action.ref}"


class TableField(models.TextChoices):
    """What a column of a council's one-table plan holds (``plans.workbook.one_table``)."""

    OBJECTIVE = "objective", "Objective"
    KEY_ACTION = "key_action", "Key action"
    TARGET_DATE = "target_date", "Target date"
    PROGRESS_MEASURE = "progress_measure", "Progress measure"
    ON_TARGET = "on_target", "On target (the status)"
    ACCOUNTABILITY = "accountability", "Accountability (who leads)"
    UPDATE = "update", "Update"
    IGNORE = "ignore", "Do not import this column"


class ColumnMapping(models.Model):
    """A column heading of an organisation's one-table plan that the importer does not know, and
    what the performance team said it holds: kept so that the next import of the same layout
    does not ask again. Matched ignoring case, spacing and punctuation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="column_mappings")
    heading = models.CharField(max_length=200, help_text="The column heading as written.")
    field = models.CharField(max_length=20, choices=TableField.choices)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "heading"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "heading"], name="column_mapping_one_per_heading")
        ]

    def __str__(self) -> str:
        return f"{self.heading} → {self.get_field_display()}"
