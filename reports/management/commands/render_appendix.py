from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from reports.documents import render_appendix
from reports.pdf import PDFRenderError
from reports.periods import Month


class Command(BaseCommand):
    help = "Write a month's Cabinet appendix (Appendix 1 of the exception report) as a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="The plan's slug, e.g. bromsgrove-2009-10")
        parser.add_argument("--month", required=True, help="The month, YYYY-MM")
        parser.add_argument("-o", "--output", required=True, help="The PDF file to write")
        parser.add_argument(
            "--time-limit", type=float, default=300, help="Seconds before the render is stopped (default 300)"
        )

    def handle(self, *args, plan, month, output, time_limit, **options):
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
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"No directory {str(target.parent)!r} to write {target.name!r} in.")
        try:
            rendered = render_appendix(found, when, seconds=time_limit)
        except PDFRenderError as error:
            raise CommandError(str(error)) from None
        target.write_bytes(rendered.content)
        self.stdout.write(
            f"{target}: {rendered.pages} pages, {len(rendered.content)} bytes, {rendered.seconds:.2f} s"
        )
