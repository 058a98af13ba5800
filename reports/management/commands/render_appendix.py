from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.documents import render_appendix
from reports.management.plan_month import add_plan_month_arguments, plan_and_month
from reports.pdf import PDFRenderError


class Command(BaseCommand):
    help = "Write a month's Cabinet appendix (Appendix 1 of the exception report) as a PDF file."

    def add_arguments(self, parser):
        add_plan_month_arguments(parser)
        parser.add_argument("-o", "--output", required=True, help="The PDF file to write")
        parser.add_argument(
            "--time-limit", type=float, default=300, help="Seconds before the render is stopped (default 300)"
        )

    def handle(self, *args, plan, month, output, time_limit, **options):
        found, when = plan_and_month(plan, month)
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
