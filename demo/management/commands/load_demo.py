from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.load import load_demo, read_demo


class Command(BaseCommand):
    help = (
        "Load the demo plans (Bromsgrove 2008/09 and 2009/10, Rotherham 2007-10) and the demo logins "
        "(password 'demo')."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument("--reset", action="store_true", help="Replace the demo plans if they exist.")

    def handle(self, *args, force, reset, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Demo logins have the password 'demo'; "
                               "use --force if you really mean it.")  # fmt: skip
        for slug, outcome in load_demo(reset=reset):
            self.stdout.write(f"{slug}: {outcome}")
        self.stdout.write("Demo logins (password 'demo'): " + ", ".join(read_demo()["logins"]))
