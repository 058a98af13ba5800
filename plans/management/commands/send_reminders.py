from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.notifications import long_date, plural, send_due_reminders
from plans.tasks import schedule_reminder_runs


def initials(leads) -> str:
    return ", ".join(lead.initials for lead in leads)


class Command(BaseCommand):
    help = (
        "Email each lead the actions they still have to update, for every plan whose deadline for a "
        "month's updates is near (the plan's reminder settings). Safe to run again: nobody is reminded "
        "twice for the same month and deadline. Run it daily from cron, or use --schedule once for "
        "the background worker's daily run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="on", type=date.fromisoformat, help="Act as on this day (YYYY-MM-DD)"
        )
        parser.add_argument("--dry-run", action="store_true", help="Say who would be reminded; send nothing")
        parser.add_argument(
            "--schedule", action="store_true", help="Queue the worker's daily run (unless one is waiting)"
        )

    def handle(self, *args, on: date | None, dry_run: bool, schedule: bool, **options):
        if schedule:
            try:
                when, queued = schedule_reminder_runs()
            except RuntimeError as error:
                raise CommandError(str(error)) from None
            verb = "queued for" if queued else "already queued for"
            self.stdout.write(
                f"The worker's daily reminder run is {verb} {timezone.localtime(when):%Y-%m-%d %H:%M %Z}."
            )
            return
        runs = send_due_reminders(today=on, dry_run=dry_run)
        if not runs:
            self.stdout.write("No reminders are due today.")
        failed = []
        for run in runs:
            self.stdout.write(
                f"{run.plan.title}, {run.month.name} (updates due by {long_date(run.deadline)}):"
            )
            verb = "would remind" if dry_run else "reminded"
            self.stdout.write(
                f"  {verb} {plural(len(run.sent), 'lead')}{': ' if run.sent else ''}{initials(run.sent)}"
            )
            if run.already:
                self.stdout.write(f"  already reminded: {initials(run.already)}")
            if run.unreachable:
                self.stdout.write(f"  no email address: {initials(run.unreachable)}")
            failed += run.failed
        if dry_run:
            self.stdout.write("Dry run: nothing was sent.")
        if failed:
            # Exit 1 so cron reports it; they are tried again at the next run.
            raise CommandError(f"Not sent (see the log; tried again at the next run): {initials(failed)}")
