from django.core.management.base import BaseCommand, CommandError

import audit
from archive.services import ArchiveError, import_archive


class Command(BaseCommand):
    help = "Restore an archive made by export_archive into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive to restore")

    def handle(self, *args, file, **options):
        try:
            summary = import_archive(file)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        audit.record("archive-import", filename=str(file), rows=summary.total, files=summary.files)
        self.stdout.write(f"Restored {file}: {summary.total} rows, {summary.files} stored files.")
        for label, n in summary.counts.items():
            self.stdout.write(f"  {label:<28}{n:>8}")
