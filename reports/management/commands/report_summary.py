import json

from django.core.management.base import BaseCommand

from reports.builders import month_summary
from reports.management.plan_month import add_plan_month_arguments, plan_and_month
from reports.status import COUNTED, percent_text


class Command(BaseCommand):
    help = "Print a month's figures: counts and percentages of each status, and exceptions by priority."

    def add_arguments(self, parser):
        add_plan_month_arguments(parser)
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, plan, month, format, **options):
        found, when = plan_and_month(plan, month)
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
