import json

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from reports.builders import month_summary
from reports.periods import Month
from reports.status import COUNTED, percent_text


class Command(BaseCommand):
    help = "Print a month's figures: counts and percentages of each status, and exceptions by priority."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="The plan's slug, e.g. bromsgrove-2009-10")
        parser.add_argument("--month", required=True, help="The month, YYYY-MM")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, plan, month, format, **options):
        try:
            when = Month.parse(month)
        except ValueError as error:
            raise CommandError(str(error)) from None
        found = Plan.objects.filter(slug=plan).first()
        if found is None:
            raise CommandError(f"No plan with slug {plan!r}.")
        if not found.contains(when):
            raise CommandError(
                f"{when.name} is not in {found.title} ({found.start.name} – {found.end.name})."
            )
        summary = month_summary(found, when)
        if format == "json":
            self.stdout.write(json.dumps(summary.as_json()))
            return
        figures = summary.figures
        self.stdout.write(f"{found.title}, {when.name}: {figures.total} actions")
        for status in COUNTED:
            self.stdout.write(
                f"  {status.value:<6}{figures.count(status):>5}  {percent_text(figures.percent(status))}%"
            )
        if summary.exceptions_by_priority:
            self.stdout.write("Exceptions by priority:")
            for row in summary.exceptions_by_priority:
                self.stdout.write(f"  {row.code:<10}{row.title:<45} AMBER {row.amber:>3}  RED {row.red:>3}")
