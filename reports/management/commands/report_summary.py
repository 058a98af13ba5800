import json

from django.core.management.base import BaseCommand

from plans.status import COUNTED, percent_text
from reports.exception_report import exception_report
from reports.management.plan_month import add_plan_month_arguments, plan_and_month


class Command(BaseCommand):
    help = "Print a month's figures: counts and percentages of each status, and exceptions by priority."

    def add_arguments(self, parser):
        add_plan_month_arguments(parser)
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, plan, month, format, **options):
        found, when = plan_and_month(plan, month)
        # The one report object the page, the PDFs and summary.json show: a closed month's
        # published figures, never a recount.
        report = exception_report(found, when)
        if format == "json":
            self.stdout.write(json.dumps(report.as_json()))
            return
        figures = report.figures
        self.stdout.write(f"{found.title}, {when.name}: {figures.total} actions")
        for status in COUNTED:
            self.stdout.write(
                f"  {status.value:<6}{figures.count(status):>5}  {percent_text(figures.percent(status))}%"
            )
        if report.state.is_closed:
            self.stdout.write(f"  Published; {report.state.changes_since_total} change(s) since.")
        if report.exceptions_by_priority:
            self.stdout.write("Exceptions by priority:")
            for row in report.exceptions_by_priority:
                self.stdout.write(f"  {row.code:<10}{row.title:<45} AMBER {row.amber:>3}  RED {row.red:>3}")
        if report.indicators:
            counts, travel = report.indicator_counts, report.direction_of_travel
            self.stdout.write(
                f"Indicators: {len(report.indicators)} "
                f"(GREEN {counts['GREEN']}, AMBER {counts['AMBER']}, RED {counts['RED']}); "
                f"improving against a year before: {travel.improving} of {travel.compared} "
                f"({percent_text(travel.percent_improving)}%)"
            )
