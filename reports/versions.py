"""Versions of the data the exception report shows, so that a cached report is never stale.

Every write to what a plan's report shows bumps a counter (``DataVersion``) in the writing
transaction: the plan's own (``plan:<id>``), or ``all`` for what any plan's report may show (a
plan's own fields, which the next year's report shows as its previous year; leads; people's
names). ``services.lock_plan``, which every service write takes first, bumps its plan's (through
the ``plan_locked`` signal: plans never imports reports), and an officer's save under the shared
lock (``services.sharing_plan``) bumps it once its writes are done; the signals below catch a save or
delete made without it (the admin, a shell), and writes in bulk (``bulk_create``,
``QuerySet.update``), which send no signal, are made under the plan lock. A reader reads the
versions in one query before reading the data: a write that commits in between only makes the
kept copy newer than its key, never older.

Each key is bumped at most once a transaction (``_Bumped``), so a save of twenty actions costs
one update, not one per row. The cache is read and filled only outside a transaction (the report
pages, in autocommit): inside one, the data read may be the transaction's own and never commit.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

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


def bump_plan(plan_id: int) -> None:
    bump(plan_key(plan_id))


def _number(key) -> Subquery:
    return Subquery(DataVersion.objects.filter(key=key).values("number")[:1])


def with_report_versions(plans: QuerySet) -> QuerySet:
    """``plans`` read with the versions their reports' cached copies are kept under, in the same
    query (``report_version`` reads them otherwise)."""
    return plans.annotate(
        report_version_all=_number(ALL),
        report_version_plan=_number(Concat(Value("plan:"), Cast(OuterRef("pk"), CharField()))),
        report_version_previous=_number(
            Concat(Value("plan:"), Cast(OuterRef("previous_plan_id"), CharField()))
        ),
    )


def report_version(plan: Plan) -> str:
    """The version of everything ``plan``'s report shows (what every report may show, its own
    data, its previous plan's): as read with the plan (``with_report_versions``), else in one
    query."""
    if hasattr(plan, "report_version_all"):
        numbers = (plan.report_version_all, plan.report_version_plan, plan.report_version_previous)
    else:
        keys = [ALL, plan_key(plan.pk), plan_key(plan.previous_plan_id)]
        found = dict(DataVersion.objects.filter(key__in=keys).values_list("key", "number"))
        numbers = tuple(found.get(key) for key in keys)
    return "-".join(str(n or 0) for n in numbers)


# The kept copies, in this process (each server process keeps its own, as Django's local-memory
# cache would, but without pickling a report of hundreds of actions at every read and write):
# key -> (version, value), least recently used first.
_kept: OrderedDict[str, tuple[str, object]] = OrderedDict()
_kept_lock = threading.Lock()
KEPT_MAX = 24  # about 8 reports with their page and JSON


def cached(plan: Plan, month: Month, part: str, build: Callable[[], T]) -> T:
    """``build()``'s value for ``plan``'s report of ``month``, kept while the data has not changed
    since it was built. One entry per plan, month and ``part``, replaced when the version moves
    on, and at most ``KEPT_MAX`` entries. The value is shared, never copied: keep only values
    nobody changes (frozen dataclasses, strings, bytes)."""
    if transaction.get_connection().in_atomic_block:
        # Inside a transaction (a test, a write that reads its report) the data may be this
        # transaction's own, not yet committed and perhaps never: built, not kept.
        return build()
    key = f"{part}:{plan.pk}:{month}"
    version = report_version(plan)
    with _kept_lock:
        entry = _kept.get(key)
        if entry is not None and entry[0] == version:
            _kept.move_to_end(key)
            return entry[1]
    value = build()
    with _kept_lock:
        _kept[key] = (version, value)
        _kept.move_to_end(key)
        while len(_kept) > KEPT_MAX:
            _kept.popitem(last=False)
    return value


def forget() -> None:
    """Drop every kept copy (tests, benchmarks)."""
    with _kept_lock:
        _kept.clear()


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
    bump(_key_of(instance))


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
