from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from plans.status import COUNTED
from plans.workbook.importer import ImportRefused, import_plan, plan_slug
from plans.workbook.reader import read_workbook
from plans.workbook.safety import WorkbookInvalid, read_upload


class Command(BaseCommand):
    help = (
        "Import a plan workbook (.xlsx, the format in the README). With --slug of an existing plan, "
        "update that plan; otherwise create a new one. Any error saves nothing: each is listed, exit status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The workbook, e.g. fixtures/bromsgrove-2007-08.xlsx")
        parser.add_argument("--slug", default="", help="The plan to update, or the slug of the new plan")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; save nothing")

    def handle(self, *args, file: Path, slug: str, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        plan = Plan.objects.filter(slug=slug).first() if slug else None
        try:
            with file.open("rb") as stream:
                data = read_upload(stream, size=file.stat().st_size)
            parsed = read_workbook(data, plan=plan)
            if plan is None and not slug and Plan.objects.filter(slug=plan_slug(parsed)).exists():
                raise ImportRefused(
                    f"A plan with the slug “{plan_slug(parsed)}” already exists: pass --slug {plan_slug(parsed)} "
                    "to update it, or another --slug for a new plan."
                )
            result = import_plan(
                parsed, plan=plan, slug=slug, dry_run=dry_run, filename=file.name, from_command_line=True
            )
        except WorkbookInvalid as invalid:
            lines = "\n".join(f"  {error}" for error in invalid.errors)
            raise CommandError(
                f"{file}: {len(invalid.errors)} problem(s); nothing was saved.\n{lines}"
            ) from None
        except ImportRefused as refused:
            raise CommandError(f"{refused} Nothing was saved.") from None
        self.stdout.write(
            f"{len(parsed.priorities)} priorities, {len(parsed.measures)} measures, {len(parsed.actions)} actions"
            + (f", {len(parsed.indicators)} indicators." if parsed.indicators else ".")
        )
        for month, counts, planned in parsed.month_counts():
            if counts.total or planned:
                figures = "  ".join(f"{s.value} {counts.count(s)}" for s in COUNTED)
                self.stdout.write(f"  {month.name:<15} {figures}  planned {planned}")
        for line in result.lines(done=not dry_run):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
