from django.core.management.base import BaseCommand

import audit
from archive.services import export_archive


class Command(BaseCommand):
    help = "Write a complete, versioned archive (zip) of plans, statuses, history, month closes and users."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive to write, e.g. improvement-2026-11-23.zip")

    def handle(self, *args, file, **options):
        summary = export_archive(file)
        audit.record("archive-export", filename=str(file), rows=summary.total, files=summary.files)
        self.stdout.write(f"Wrote {file}: {summary.total} rows, {summary.files} stored files.")
        for label, n in summary.counts.items():
            self.stdout.write(f"  {label:<28}{n:>8}")
