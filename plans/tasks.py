"""The worker's daily run of the scheduled reminders.

django-tasks has no scheduler, so the run schedules itself: each run first queues the next for
``REMINDER_HOUR`` o'clock the following day (``run_after``, which the database backend honours),
then sends what is due. ``schedule_reminder_runs`` starts the chain and is safe to call at every
start of the site (``deploy/serve`` and ``make run`` do): it queues nothing while a run is
waiting. A run that finds the worker stopped at its hour runs when the worker is back, and
reminders missed on their day still go before the deadline (``notifications.reminder_due``); a
reminder already sent for the month and deadline is never sent again, so cron and the worker
may both be set up.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from plans import notifications


def next_run_time(now: datetime) -> datetime:
    """The next ``REMINDER_HOUR`` o'clock, local time, after ``now``."""
    local = timezone.localtime(now)
    day = local.date() if local.hour < settings.REMINDER_HOUR else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(settings.REMINDER_HOUR)))


def waiting_run() -> datetime | None:
    """When the queued run will start, if one is queued (the database backend only: others
    cannot be asked)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(send_due_reminders.get_backend(), DatabaseBackend):
        return None
    waiting = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=send_due_reminders.module_path)
        .order_by("run_after")
        .first()
    )
    return waiting.run_after if waiting else None


def schedule_reminder_runs(now: datetime | None = None) -> tuple[datetime, bool]:
    """Queue the next daily run unless one is waiting. Returns (when it runs, whether it was queued
    now). Raises ``RuntimeError`` when the task backend cannot run a task later."""
    if not send_due_reminders.get_backend().supports_defer:
        raise RuntimeError(
            "The task backend cannot run a task at a later time: run `manage.py send_reminders` from cron."
        )
    waiting = waiting_run()
    if waiting is not None:
        return waiting, False
    when = next_run_time(now or timezone.now())
    send_due_reminders.using(run_after=when).enqueue()
    return when, True


@task()
def send_due_reminders() -> int:
    """Send the reminders due today; returns how many were sent."""
    # Queued first, so a failure below does not end the daily runs.
    schedule_reminder_runs()
    return sum(len(run.sent) for run in notifications.send_due_reminders())
