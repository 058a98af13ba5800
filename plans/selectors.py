"""Reads that several pages share: the reporting calendar of a plan, what waits for whom, the
plan page's grid and the indicators' figures of a month.

A plan's *current month* is its earliest reporting month that has begun and is not closed: the
month officers are asked to update, the month the dashboard shows. When every month that has begun
is closed, the plan's last closed month stands for it (its report is the latest published).

The home page and the navigation ask what waits for a person (actions to update, requests to
decide, months to close); each read here is a fixed number of queries whatever the plan's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from plans import roles
from plans.models import (
    Action,
    ChangeRequest,
    Indicator,
    Lead,
    MeasureProgress,
    MonthClose,
    MonthlyStatus,
    Plan,
    PlannedMonth,
)
from plans.periods import Month
from plans.status import (
    EXCEPTIONS,
    INDICATOR_MEANINGS,
    TREND_SYMBOLS,
    Polarity,
    Status,
    Trend,
    Unit,
    number_text,
    trend,
    value_text,
)


@dataclass(frozen=True)
class CalendarPosition:
    """Where a plan stands in its reporting calendar today."""

    month: Month | None  # None: the plan year has not begun
    closed: bool  # the month shown is a published (closed) one


def today_month() -> Month:
    return Month.from_date(timezone.localdate())


def calendar_position(plan: Plan, closed: set[Month], today: Month) -> CalendarPosition:
    """Pure: the plan's current month given its closed months."""
    begun = [m for m in plan.reporting_month_list if m <= today]
    for month in begun:
        if month not in closed:
            return CalendarPosition(month, closed=False)
    if begun:
        return CalendarPosition(begun[-1], closed=True)
    return CalendarPosition(None, closed=False)


def calendar_positions(plans: Iterable[Plan], today: Month | None = None) -> dict[int, CalendarPosition]:
    """Every plan's position in one query (their closed months)."""
    plans = list(plans)
    today = today or today_month()
    closed = closed_months(plans)
    return {plan.pk: calendar_position(plan, closed[plan.pk], today) for plan in plans}


def current_month(plan: Plan, today: Month | None = None) -> Month:
    """The month an officer is asked to update: the current month; the plan's last reporting
    month once every month is closed; its first before it begins."""
    position = calendar_positions([plan], today)[plan.pk]
    if position.month is None:
        return plan.reporting_month_list[0]
    if position.closed:
        return (
            plan.reporting_month_list[-1]
            if position.month >= plan.reporting_month_list[-1]
            else position.month
        )
    return position.month


# --- Indicators' figures for a month (issue 17) ---------------------------------------------------


@dataclass(frozen=True)
class IndicatorPoint:
    """One month of an indicator's chart: its actual (None: none entered, or not yet reported) and
    its target that month."""

    month: Month
    actual: Decimal | None
    target: Decimal | None


@dataclass(frozen=True)
class IndicatorFigures:
    """An indicator as a month's report, the month page and the indicator list show it: plain
    values only (no model rows), so that the report can keep it in a closed month's snapshot."""

    indicator_id: int
    code: str
    title: str
    priority_code: str
    priority_title: str
    measure_ref: str
    lead: str  # initials, "" for none
    unit: str  # a ``Unit`` value
    polarity: str  # a ``Polarity`` value
    tolerance: Decimal
    month: Month
    target: Decimal | None
    actual: Decimal | None
    note: str
    rag: str  # GREEN, AMBER, RED, or "" with no actual or no target
    previous_month: Month | None  # the latest earlier month with an actual, this year or last
    previous_actual: Decimal | None
    trend: str  # a ``Trend`` value against ``previous_month``, or ""
    last_year_actual: Decimal | None  # the same month of the previous plan year
    trend_year: str  # a ``Trend`` value against the same month last year, or ""
    this_year: tuple[IndicatorPoint, ...]  # every month of the plan year (no actual after ``month``)
    last_year: tuple[IndicatorPoint, ...]  # every month of the previous plan year

    @property
    def is_exception(self) -> bool:
        return self.rag in EXCEPTIONS

    @property
    def rag_word(self) -> str:
        return Status(self.rag).label if self.rag else "No RAG"

    @property
    def rag_meaning(self) -> str:
        if not self.rag:
            return "No actual entered" if self.actual is None else "No target set"
        return INDICATOR_MEANINGS[Status(self.rag)]

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label

    @property
    def polarity_label(self) -> str:
        return Polarity(self.polarity).label

    def text(self, value: Decimal | None) -> str:
        return value_text(value, self.unit)

    @property
    def actual_text(self) -> str:
        return self.text(self.actual) or "Not entered"

    @property
    def target_text(self) -> str:
        return self.text(self.target) or "No target"

    @property
    def previous_actual_text(self) -> str:
        return self.text(self.previous_actual)

    @property
    def last_year_actual_text(self) -> str:
        return self.text(self.last_year_actual)

    @property
    def tolerance_text(self) -> str:
        return f"{number_text(self.tolerance)}%"

    @property
    def trend_text(self) -> str:
        """ "Improving since June 2009 (81%)"; a sentence even without a trend."""
        if not self.trend:
            return "No earlier actual to compare with" if self.actual is not None else ""
        return (
            f"{Trend(self.trend).label} since {self.previous_month.name} ({self.text(self.previous_actual)})"
        )

    @property
    def trend_year_text(self) -> str:
        if not self.trend_year:
            return "No actual for the same month last year" if self.actual is not None else ""
        last_year = self.month - 12
        return f"{Trend(self.trend_year).label} on {last_year.name} ({self.text(self.last_year_actual)})"

    @property
    def trend_symbol(self) -> str:
        return TREND_SYMBOLS[Trend(self.trend)] if self.trend else ""

    @property
    def trend_year_symbol(self) -> str:
        return TREND_SYMBOLS[Trend(self.trend_year)] if self.trend_year else ""

    # -- a closed month's snapshot keeps these as published ----------------------------------

    def as_dict(self) -> dict:
        return {
            **{name: getattr(self, name) for name in _PLAIN},
            **{name: _figure(getattr(self, name)) for name in _FIGURES},
            "month": str(self.month),
            "previous_month": str(self.previous_month) if self.previous_month else None,
            "this_year": [_point_json(p) for p in self.this_year],
            "last_year": [_point_json(p) for p in self.last_year],
        }

    @classmethod
    def from_dict(cls, data: dict) -> IndicatorFigures:
        return cls(
            **{name: data[name] for name in _PLAIN},
            **{name: _decimal(data[name]) for name in _FIGURES},
            month=Month.parse(data["month"]),
            previous_month=Month.parse(data["previous_month"]) if data["previous_month"] else None,
            this_year=tuple(_point_from_json(p) for p in data["this_year"]),
            last_year=tuple(_point_from_json(p) for p in data["last_year"]),
        )


_PLAIN = (
    "indicator_id",
    "code",
    "title",
    "priority_code",
    "priority_title",
    "measure_ref",
    "lead",
    "unit",
    "polarity",
    "note",
    "rag",
    "trend",
    "trend_year",
)
_FIGURES = ("tolerance", "target", "actual", "previous_actual", "last_year_actual")


def _figure(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _point_json(point: IndicatorPoint) -> list:
    return [str(point.month), _figure(point.actual), _figure(point.target)]


def _point_from_json(data: list) -> IndicatorPoint:
    month, actual, target = data
    return IndicatorPoint(Month.parse(month), _decimal(actual), _decimal(target))


def code_key(code: str) -> str:
    """Indicator codes matched across years ignoring case and spaces ("BV 8" is "BV8")."""
    return "".join(code.split()).lower()


def indicator_figures(plan: Plan, month: Month, indicators: QuerySet | None = None) -> list[IndicatorFigures]:
    """The figures of the plan's indicators collected in ``month`` (or of ``indicators``, a
    queryset of them), in plan order, with last year's from the previous plan's indicators of the
    same codes. This year's and last year's indicators are read together: four queries (one when
    there are none), whatever the number of indicators."""
    # The plan's own by its id rather than by a subquery of them: the report asks for them all.
    wanted = Q(plan_id=plan.pk) if indicators is None else Q(pk__in=indicators.values("pk"))
    if plan.previous_plan_id:
        wanted |= Q(plan_id=plan.previous_plan_id)
    both = list(Indicator.objects.filter(wanted).with_figures().in_plan_order())
    rows = [i for i in both if i.plan_id == plan.pk and i.is_collected_in(month)]
    previous = {code_key(i.code): i for i in both if i.plan_id != plan.pk}
    # The previous plan as its indicators brought it (select_related): no query of its own.
    previous_plan = next((i.plan for i in previous.values()), None)
    last_months = previous_plan.month_list if previous_plan else []
    return [_figures(i, month, previous.get(code_key(i.code)), last_months) for i in rows]


def _figures(
    indicator: Indicator, month: Month, last: Indicator | None, last_months: list[Month]
) -> IndicatorFigures:
    polarity = Polarity(indicator.polarity)
    actuals = {row.as_month: row for row in indicator.actuals.all()}
    earlier = {m: row.value for m, row in actuals.items() if m < month}
    if last is not None:
        earlier.update({row.as_month: row.value for row in last.actuals.all() if row.as_month < month})
    actual_row = actuals.get(month)
    actual = actual_row.value if actual_row else None
    previous_month = max(earlier) if earlier else None
    previous_actual = earlier.get(previous_month) if previous_month else None
    last_year_actual = earlier.get(month - 12) if last is not None else None
    return IndicatorFigures(
        indicator_id=indicator.pk,
        code=indicator.code,
        title=indicator.title,
        priority_code=indicator.priority.code,
        priority_title=indicator.priority.title,
        measure_ref=indicator.measure.ref if indicator.measure else "",
        lead=indicator.lead.initials if indicator.lead else "",
        unit=indicator.unit,
        polarity=indicator.polarity,
        tolerance=indicator.tolerance,
        month=month,
        target=indicator.target_for(month),
        actual=actual,
        note=actual_row.note if actual_row else "",
        rag=indicator.rag_in(month) or "",
        previous_month=previous_month,
        previous_actual=previous_actual,
        trend=trend(current=actual, previous=previous_actual, polarity=polarity) or "",
        last_year_actual=last_year_actual,
        trend_year=trend(current=actual, previous=last_year_actual, polarity=polarity) or "",
        this_year=tuple(
            IndicatorPoint(
                m, actuals[m].value if m in actuals and m <= month else None, indicator.target_for(m)
            )
            for m in indicator.plan.month_list
        ),
        last_year=tuple(_last_year_points(last, last_months)),
    )


def _last_year_points(last: Indicator | None, months: list[Month]) -> list[IndicatorPoint]:
    if last is None:
        return []
    actuals = {row.as_month: row.value for row in last.actuals.all()}
    return [IndicatorPoint(m, actuals.get(m), last.target_for(m)) for m in months]


def closed_months(plans: Iterable[Plan]) -> dict[int, set[Month]]:
    """Every plan's closed months, in one query."""
    plans = list(plans)
    closed: dict[int, set[Month]] = {plan.pk: set() for plan in plans}
    for plan_id, day in MonthClose.objects.closed().filter(plan__in=plans).values_list("plan_id", "month"):
        closed[plan_id].add(Month.from_date(day))
    return closed


# --- What waits for whom (the home page and the navigation) ----------------------------------


@dataclass(frozen=True)
class ApprovalsWaiting:
    """The navigation's "Approvals (3)": every request waiting for a decision, and the plan whose
    approvals page the link opens (the newest plan with one waiting, else the newest begun plan)."""

    count: int
    slug: str | None


def approvals_waiting(user, today: Month | None = None) -> ApprovalsWaiting:
    """The requests waiting in the plans where ``user``'s role approves them. One query,
    whatever the number of plans, actions or requests."""
    from plans.permissions import organisations_where

    approves = organisations_where(user, roles.APPROVE_CHANGE)
    today = today or today_month()
    waiting = (
        ChangeRequest.objects.filter(action__plan=OuterRef("pk"), state=ChangeRequest.State.PENDING)
        .order_by()
        .values("action__plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    plans = list(
        Plan.objects.filter(organisation__in=approves)
        .annotate(waiting=Coalesce(Subquery(waiting, output_field=IntegerField()), 0))
        .order_by("-first_month", "title")
        .values_list("slug", "first_month", "waiting")
    )
    return _approvals_waiting(plans, today)


def approvals_waiting_among(
    user, plans: list[Plan], pending: dict[int, dict[Month, int]], today: Month | None = None
) -> ApprovalsWaiting:
    """``approvals_waiting`` from what a page has read already, without a query: ``plans``, every
    plan ``user`` may see in the order ``Plan`` sorts them (newest first), and ``pending``, their
    requests waiting (``pending_requests_by_month``)."""
    from plans.permissions import organisation_ids_where

    approves = organisation_ids_where(user, roles.APPROVE_CHANGE)
    rows = [
        (plan.slug, plan.first_month, sum(pending[plan.pk].values()))
        for plan in plans
        if approves is None or plan.organisation_id in approves
    ]
    return _approvals_waiting(rows, today or today_month())


def _approvals_waiting(plans: list[tuple[str, date, int]], today: Month) -> ApprovalsWaiting:
    """From (slug, first month, requests waiting) of the plans, newest first."""
    with_requests = [slug for slug, _, n in plans if n]
    begun = [slug for slug, first, _ in plans if Month.from_date(first) <= today]
    slug = next(iter(with_requests or begun or [slug for slug, _, _ in plans]), None)
    return ApprovalsWaiting(count=sum(n for _, _, n in plans), slug=slug)


def pending_requests_by_month(plans: Iterable[Plan]) -> dict[int, dict[Month, int]]:
    """Requests waiting for a decision, counted by plan and by the month they are for (one query)."""
    counts: dict[int, dict[Month, int]] = {plan.pk: {} for plan in plans}
    for plan_id, day, n in (
        ChangeRequest.objects.filter(state=ChangeRequest.State.PENDING, action__plan__in=list(counts))
        .values_list("action__plan_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[plan_id][Month.from_date(day)] = n
    return counts


@dataclass(frozen=True)
class MonthToUpdate:
    """An officer's actions of a plan's current month: how many, and how many have a status."""

    plan: Plan
    month: Month
    actions: int
    updated: int

    @property
    def to_update(self) -> int:
        return self.actions - self.updated


def months_to_update(user, plans: list[Plan], positions: dict[int, CalendarPosition]) -> list[MonthToUpdate]:
    """For each plan whose current month is open and in which ``user`` leads an action, the
    actions of the user's month page (live in the month or already holding a status for it).
    One query, plus one per such plan (an officer leads actions in one or two plans)."""
    led = set(
        Action.objects.filter(plan__in=plans, leads__user=user)
        .order_by()
        .values_list("plan_id", flat=True)
        .distinct()
    )
    result = []
    for plan in plans:
        position = positions[plan.pk]
        if plan.pk not in led or position.month is None or position.closed:
            continue
        month = position.month
        mine = Action.objects.filter(plan=plan, leads__user=user).live_or_recorded_in(month).values("pk")
        counts = Action.objects.filter(pk__in=mine).aggregate(
            actions=Count("pk", distinct=True),
            updated=Count("pk", distinct=True, filter=Q(statuses__month=month.first_day)),
        )
        result.append(MonthToUpdate(plan, month, counts["actions"], counts["updated"]))
    return result


def requests_of(user) -> list[ChangeRequest]:
    """Requests waiting for a decision that ``user`` made, or on actions they lead (one query)."""
    return list(
        ChangeRequest.objects.filter(state=ChangeRequest.State.PENDING)
        .filter(action__plan__in=Plan.objects.visible_to(user))
        .filter(Q(requested_by=user) | Q(action__leads__user=user))
        .distinct()
        .select_related("action__plan")
        .order_by("requested_at", "pk")
    )


@dataclass(frozen=True)
class MonthToClose:
    """A month that has begun, is not closed and has statuses: the performance team may close it."""

    plan: Plan
    month: Month
    statuses: int
    pending: int  # requests for the month still waiting for a decision


def months_to_close(
    plans: list[Plan],
    closed: dict[int, set[Month]],
    pending: dict[int, dict[Month, int]],
    today: Month | None = None,
) -> list[MonthToClose]:
    """Begun reporting months not closed that hold statuses, oldest first (one query)."""
    today = today or today_month()
    candidates = {
        plan.pk: [m for m in plan.reporting_month_list if m <= today and m not in closed[plan.pk]]
        for plan in plans
    }
    wanted = Q(pk__in=[])
    for plan_id, months in candidates.items():
        if months:
            wanted |= Q(action__plan_id=plan_id, month__in=[m.first_day for m in months])
    counted: dict[tuple[int, Month], int] = {}
    if any(candidates.values()):
        for plan_id, day, n in (
            MonthlyStatus.objects.filter(wanted)
            .values_list("action__plan_id", "month")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counted[(plan_id, Month.from_date(day))] = n
    return [
        MonthToClose(plan, month, counted[(plan.pk, month)], pending[plan.pk].get(month, 0))
        for plan in plans
        for month in candidates[plan.pk]
        if (plan.pk, month) in counted
    ]


@dataclass(frozen=True)
class GridValues:
    """What the plan page prints for a page of actions besides the actions' own fields, read as
    plain values (one query each, whatever the number of rows) rather than as prefetched model
    instances: 1,200 status objects for 100 rows cost more than the rest of the page."""

    statuses: dict[int, dict[date, tuple[str, str]]]  # action id -> month's first day -> (status, word)
    planned: dict[int, set[date]]  # action id -> the first days of its planned months
    leads: dict[int, str]  # action id -> "PS /PM", as the plan prints two leads
    progress: dict[int, MeasureProgress]  # measure id -> its latest progress update


def leads_of(action_ids, *, as_written: bool) -> dict[int, str]:
    """Each of ``action_ids``' leads (a list or a subquery of ids) as the plan prints them
    ("PS /PM", ``Action.lead_initials``), in one query: in the order the plan writes them
    (``Lead.objects.as_written``), or by initials (the leads' own ordering, which the exception
    report has always printed). Actions without a lead are not in it."""
    links = Action.leads.through.objects.filter(action_id__in=action_ids)
    # By initials, the link's id settles a tie.
    links = links.order_by("id") if as_written else links.order_by("lead__initials", "id")
    initials: dict[int, list[str]] = {}
    for action_id, lead in links.values_list("action_id", "lead__initials"):
        initials.setdefault(action_id, []).append(lead)
    return {action_id: Lead.joined(names) for action_id, names in initials.items()}


def grid_values(actions: list[Action]) -> GridValues:
    ids = [action.pk for action in actions]
    statuses: dict[int, dict[date, tuple[str, str]]] = {pk: {} for pk in ids}
    for action_id, day, status, word in MonthlyStatus.objects.filter(action_id__in=ids).values_list(
        "action_id", "month", "status", "word"
    ):
        statuses[action_id][day] = (status, word)
    planned: dict[int, set[date]] = {pk: set() for pk in ids}
    for action_id, day in PlannedMonth.objects.filter(action_id__in=ids).values_list("action_id", "month"):
        planned[action_id].add(day)
    written = leads_of(ids, as_written=True)
    progress: dict[int, MeasureProgress] = {}
    measures = {action.measure_id for action in actions}
    for update in MeasureProgress.objects.filter(measure_id__in=measures).order_by("month"):
        progress[update.measure_id] = update  # the latest month last
    return GridValues(
        statuses=statuses,
        planned=planned,
        leads={pk: written.get(pk, "") for pk in ids},
        progress=progress,
    )
