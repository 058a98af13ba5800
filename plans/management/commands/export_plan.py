from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from plans.workbook.writer import export_plan


class Command(BaseCommand):
    help = "Write a plan to a workbook (.xlsx): the import format, with the month grid's status words and colours."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="The plan's slug, e.g. bromsgrove-2009-10")
        parser.add_argument("-o", "--output", required=True, type=Path, help="The .xlsx file to write")

    def handle(self, *args, plan: str, output: Path, **options):
        found = Plan.objects.filter(slug=plan).first()
        if found is None:
            raise CommandError(f"No plan with slug {plan!r}.")
        output.write_bytes(export_plan(found))
        self.stdout.write(f"Wrote {found.title} to {output}")
