"""Versions of the data the exception report shows, so that a kept report is served only while
it is current, or, for a draft while officers save, a few seconds longer.

Every write to what a plan's report shows bumps a counter (``DataVersion``) in the writing
transaction: the plan's own (``plan:<id>``, and ``months:<id>`` too for a close or re-open), or
``all`` for what any plan's report may show (a plan's own fields, which the next year's report
shows as its previous year; leads; people's names). ``services.lock_plan``, which every service
write takes first, bumps its plan's (through the ``plan_locked`` signal: plans never imports
reports), and an officer's save under the shared lock (``services.sharing_plan``) bumps it once
its writes are done; the signals below catch a save or delete made without them (the admin, a
shell), and writes in bulk (``bulk_create``, ``QuerySet.update``), which send no signal, are made
under the plan lock. A reader reads the versions in one query before reading the data: a write
that commits in between only makes the kept copy newer than its key, never older.

A kept report is served again while its version has not moved. A draft (a month still open) is
also served for ``REPORT_DRAFT_REFRESH`` seconds after it was read while only the plan's statuses
and actions have moved, to readers who have not written since (``_still_served``): at month end a
hundred officers move the version many times a second, and the page says when its figures were
read. A close, a re-open, or a change to names or the plan is shown at once.

Each key is bumped at most once a transaction (``_Bumped``), so a save of twenty actions costs
one update, not one per row. The cache is read and filled only outside a transaction (the report
pages, in autocommit): inside one, the data read may be the transaction's own and never commit.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.db.models.signals import m2m_changed, post_delete, post_save

from plans import services
from plans.models import (
    Action,
    ActionChange,
    ChangeRequest,
    Indicator,
    IndicatorActual,
    IndicatorMonth,
    IndicatorTarget,
    Lead,
    Measure,
    MeasureProgress,
    MonthClose,
    MonthEvent,
    MonthlyStatus,
    Plan,
    PlannedMonth,
    Priority,
    StatusTerm,
)
from plans.periods import Month
from reports.models import DataVersion

ALL = "all"
T = TypeVar("T")


def plan_key(plan_id: int) -> str:
    return f"plan:{plan_id}"


def months_key(plan_id: int) -> str:
    """Bumped with the plan's own when one of its months is closed or re-opened."""
    return f"months:{plan_id}"


class _Bumped:
    """An on-commit callback that does nothing: while it waits in the connection's list, this
    transaction has bumped ``key``. Django drops it when the transaction commits or rolls back,
    or the savepoint it was made in rolls back (undoing the bump with it)."""

    __slots__ = ("key",)

    def __init__(self, key: str):
        self.key = key

    def __call__(self) -> None:
        pass


def _bumped_in_transaction(connection) -> set[str]:
    if not connection.in_atomic_block:
        return set()
    return {entry[1].key for entry in connection.run_on_commit if isinstance(entry[1], _Bumped)}


def _deferred(connection) -> set[str]:
    """Keys whose bump this connection's transaction makes when its writes are done
    (``services.sharing_plan``), not at each write."""
    if not connection.in_atomic_block:
        return set()
    return getattr(connection, "report_versions_deferred", set())


def bump(*keys: str, now: bool = False) -> None:
    """Count a write to the data of ``keys`` (``plan_key(id)`` or ``ALL``), in the current
    transaction: at once, or, for a key deferred by ``sharing_plan`` (and not ``now``), when its
    writes are done."""
    connection = transaction.get_connection()
    done = _bumped_in_transaction(connection)
    deferred = set() if now else _deferred(connection)
    for key in dict.fromkeys(keys):
        if key in done or key in deferred:
            continue
        if not DataVersion.objects.filter(key=key).update(number=F("number") + 1):
            try:
                with transaction.atomic():
                    # A random start: a database rolled back (a test) or restored never hands out
                    # again a number that a cached copy of other data was kept under.
                    DataVersion.objects.create(key=key, number=secrets.randbits(62))
            except IntegrityError:  # created meanwhile by another writer
                DataVersion.objects.filter(key=key).update(number=F("number") + 1)
        if connection.in_atomic_block:
            transaction.on_commit(_Bumped(key))


def _number(key) -> Subquery:
    return Subquery(DataVersion.objects.filter(key=key).values("number")[:1])


def _key_of_plan(prefix: str, field: str):
    return Concat(Value(prefix), Cast(OuterRef(field), CharField()))


def with_report_versions(plans: QuerySet) -> QuerySet:
    """``plans`` read with the versions their reports' cached copies are kept under, in the same
    query (``report_version`` reads them otherwise)."""
    return plans.annotate(
        report_version_all=_number(ALL),
        report_version_plan=_number(_key_of_plan("plan:", "pk")),
        report_version_previous=_number(_key_of_plan("plan:", "previous_plan_id")),
        report_version_months=_number(_key_of_plan("months:", "pk")),
    )


@dataclass(frozen=True)
class Version:
    """The counters of everything a plan's report shows, read before its data: what every
    report may show, the plan's own data, its previous plan's, and its months' closes."""

    all: int
    plan: int
    previous: int
    months: int

    def only_the_plans_data_moved_since(self, earlier: Version) -> bool:
        """Statuses and actions saved since ``earlier``, and nothing else (no close or re-open,
        no change to names, the plan itself or its previous year)."""
        return (self.all, self.previous, self.months) == (earlier.all, earlier.previous, earlier.months)


def report_version(plan: Plan) -> Version:
    """The version of everything ``plan``'s report shows: as read with the plan
    (``with_report_versions``), else in one query."""
    if hasattr(plan, "report_version_all"):
        numbers = (
            plan.report_version_all,
            plan.report_version_plan,
            plan.report_version_previous,
            plan.report_version_months,
        )
    else:
        keys = [ALL, plan_key(plan.pk), plan_key(plan.previous_plan_id), months_key(plan.pk)]
        found = dict(DataVersion.objects.filter(key__in=keys).values_list("key", "number"))
        numbers = tuple(found.get(key) for key in keys)
    return Version(*(n or 0 for n in numbers))


def draft_refresh() -> float:
    """Seconds a draft report is served as built while officers go on saving (``REPORT_DRAFT_REFRESH``)."""
    return float(getattr(settings, "REPORT_DRAFT_REFRESH", 5))


@dataclass
class _Kept:
    version: Version
    started: float  # time.monotonic() when the build began to read the data
    read_at: float  # time.time() then: a write acknowledged before it is in the report
    value: object
    live: bool  # built from the live data (a draft), not from a published snapshot
    renderings: dict[str, object] = field(default_factory=dict)


# The kept reports, in this process (each server process keeps its own, as Django's local-memory
# cache would, but without pickling a report of hundreds of actions at every read and write):
# (plan id, month) -> _Kept, least recently used first.
_kept: OrderedDict[tuple[int, Month], _Kept] = OrderedDict()
_kept_lock = threading.Lock()
KEPT_MAX = 8


def _keep(store: OrderedDict, key, entry) -> None:
    """Put ``entry`` last in ``store`` (an LRU), dropping the least recently used beyond
    ``KEPT_MAX``. The caller holds ``_kept_lock``."""
    store[key] = entry
    store.move_to_end(key)
    while len(store) > KEPT_MAX:
        store.popitem(last=False)


def _still_served(kept: _Kept, version: Version, wrote_at: float) -> bool:
    if kept.version == version:
        return True
    # At month end officers save the plan many times a second, each save moving its version on,
    # and a report of hundreds of actions costs a tenth of a second to build: a draft is built
    # again at most every ``draft_refresh()`` seconds for readers who have not written since it
    # was read. Whoever wrote after that sees their write at once; a close, a re-open or a change
    # to anything else the report shows is seen by everyone at once.
    return (
        kept.live
        and version.only_the_plans_data_moved_since(kept.version)
        and time.monotonic() - kept.started < draft_refresh()
        and kept.read_at > wrote_at
    )


def cached_report(plan: Plan, month: Month, build: Callable[[], tuple[T, bool]], *, wrote_at: float = 0) -> T:
    """The report of ``plan``'s ``month``: ``build()`` gives it and whether it is a draft (built
    from the live data). Kept while the data has not changed since it was built, and a draft a
    few seconds longer while only statuses and actions are saved (``_still_served``); ``wrote_at``
    is when the reader last wrote (``last_write``). At most ``KEPT_MAX`` reports are kept. The
    value is shared, never copied: keep only values nobody changes (frozen dataclasses)."""
    if transaction.get_connection().in_atomic_block:
        # Inside a transaction (a test, a write that reads its report) the data may be this
        # transaction's own, not yet committed and perhaps never: built, not kept.
        return build()[0]
    key = (plan.pk, month)
    version = report_version(plan)  # before the data: a write in between only makes it newer
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None and _still_served(kept, version, wrote_at):
            _kept.move_to_end(key)
            return kept.value
    started, read_at = time.monotonic(), time.time()
    value, live = build()
    with _kept_lock:
        _keep(_kept, key, _Kept(version, started, read_at, value, live))
    return value


def rendering(plan: Plan, month: Month, report: object, part: str, render: Callable[[], T]) -> T:
    """``render()`` of ``report`` (the page's HTML, the draft appendix's source), kept with the
    report while the same report is served, so that readers share it."""
    key = (plan.pk, month)
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None and kept.value is report and part in kept.renderings:
            return kept.renderings[part]
    value = render()
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None and kept.value is report:
            kept.renderings[part] = value
    return value


# Values kept under the exact version of the data (no draft refresh): the summary JSON, cheap to
# build from the month's counts. (part, plan id, month) -> (version, value).
_exact: OrderedDict[tuple[str, int, Month], tuple[Version, object]] = OrderedDict()


def cached(plan: Plan, month: Month, part: str, build: Callable[[], T]) -> T:
    """``build()``'s value for ``plan``'s ``month``, kept while the data has not changed since it
    was built (no draft refresh: always current). Shared, never copied: keep only values nobody
    changes (strings, bytes)."""
    if transaction.get_connection().in_atomic_block:
        return build()  # as in ``cached_report``
    key = (part, plan.pk, month)
    version = report_version(plan)
    with _kept_lock:
        kept = _exact.get(key)
        if kept is not None and kept[0] == version:
            _exact.move_to_end(key)
            return kept[1]
    value = build()
    with _kept_lock:
        _keep(_exact, key, (version, value))
    return value


LAST_WRITE_COOKIE = "last_write"


def last_write(request) -> float:
    """When this reader last wrote (``reports.middleware.LastWriteMiddleware``), 0 if never."""
    try:
        return float(request.COOKIES.get(LAST_WRITE_COOKIE, 0))
    except ValueError:
        return 0.0


def forget() -> None:
    """Drop every kept copy (tests, benchmarks)."""
    with _kept_lock:
        _kept.clear()
        _exact.clear()


# ---------------------------------------------------------------------------------------------
# Writes made without the plan lock


def _cached(instance, name: str):
    return instance._state.fields_cache.get(name)


def _key_of(instance) -> str:
    """The plan whose report ``instance`` feeds, from what the instance already holds (no query);
    ``ALL`` when that is not known or every report may show it."""
    if isinstance(instance, Plan):
        return ALL  # the next plan's report shows it as the previous year
    plan_id = getattr(instance, "plan_id", None)
    if plan_id is None:
        for name in ("action", "indicator", "priority"):
            related = _cached(instance, name)
            if related is not None:
                plan_id = related.plan_id
                break
    if plan_id is None and isinstance(instance, MeasureProgress):
        measure = _cached(instance, "measure")
        priority = _cached(measure, "priority") if measure is not None else None
        plan_id = priority.plan_id if priority is not None else None
    return plan_key(plan_id) if plan_id is not None else ALL


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures
    key = _key_of(instance)
    if isinstance(instance, (MonthClose, MonthEvent)) and key != ALL:
        bump(key, months_key(instance.plan_id))
    else:
        bump(key)


def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a log-in: no name changed
    bump(ALL)


def _leads_changed(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump(_key_of(instance) if isinstance(instance, Action) else ALL)


WATCHED = (
    Plan,
    StatusTerm,
    Priority,
    Measure,
    Action,
    Lead,
    PlannedMonth,
    MonthlyStatus,
    ChangeRequest,
    ActionChange,
    MeasureProgress,
    Indicator,
    IndicatorMonth,
    IndicatorTarget,
    IndicatorActual,
    MonthClose,
    MonthEvent,
)


def connect_signals() -> None:
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"report-version-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"report-version-delete-{model.__name__}")
    user = get_user_model()
    post_save.connect(_user_changed, sender=user, dispatch_uid="report-version-user-save")
    post_delete.connect(_changed, sender=user, dispatch_uid="report-version-user-delete")
    m2m_changed.connect(_leads_changed, sender=Action.leads.through, dispatch_uid="report-version-leads")
    services.plan_locked.connect(_plan_locked, dispatch_uid="report-version-plan-locked")
    services.plan_shared.connect(_plan_shared, dispatch_uid="report-version-plan-shared")
    services.plan_shared_done.connect(_plan_shared_done, dispatch_uid="report-version-plan-shared-done")


def _plan_locked(sender, plan_id: int, **kwargs) -> None:
    bump(plan_key(plan_id), now=True)


def _plan_shared(sender, plan_id: int, **kwargs) -> None:
    """A save under the shared lock: its bump waits until its writes are done, so that the
    version's row lock, which queues every other writer of the plan, is held only while it commits."""
    connection = transaction.get_connection()
    if not hasattr(connection, "report_versions_deferred"):
        connection.report_versions_deferred = set()
    connection.report_versions_deferred.add(plan_key(plan_id))


def _plan_shared_done(sender, plan_id: int, written: bool, **kwargs) -> None:
    transaction.get_connection().report_versions_deferred.discard(plan_key(plan_id))
    if written:
        bump(plan_key(plan_id))
