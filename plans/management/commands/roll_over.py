"""``manage.py roll_over --plan OLD --first-month YYYY-MM --slug NEW [--title TITLE] [--codes FILE.csv] [--dry-run]``"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from plans import rollover
from plans.models import Plan
from plans.periods import Month
from plans.roles import IMPORT_PLAN


class Command(BaseCommand):
    help = "Roll a plan into the next plan year: carry its unfinished actions, with its codes mapped."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="The old plan's slug, e.g. bromsgrove-2009-10")
        parser.add_argument("--first-month", required=True, help="The new year's first month, YYYY-MM")
        parser.add_argument("--slug", required=True, help="The new plan's slug, e.g. bromsgrove-2010-11")
        parser.add_argument(
            "--title", help="The new plan's title (default: the old title, its year moved on)"
        )
        parser.add_argument(
            "--codes", help="CSV with the header old_code,new_code,new_title (blank new_code drops)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be carried; save nothing"
        )
        parser.add_argument("--user", help="Username recorded as doing it (default: the first superuser)")

    def handle(self, *args, plan, first_month, slug, title, codes, dry_run, user, **options):
        old = Plan.objects.filter(slug=plan).first()
        if old is None:
            raise CommandError(f"No plan with slug {plan!r}.")
        try:
            first = Month.parse(first_month)
        except ValueError as error:
            raise CommandError(str(error)) from None
        mapping = None
        if codes:
            try:
                mapping = rollover.read_codes_csv(Path(codes).read_text(encoding="utf-8-sig"))
            except OSError as error:
                raise CommandError(f"{codes}: {error.strerror}.") from None
            except rollover.RollOverError as error:
                raise CommandError(f"{codes}: {error}") from None
        title = title or rollover.default_title(old, first)
        preview = rollover.preview_roll_over(
            plan=old, first_month=first, slug=slug, title=title, codes=mapping
        )
        if not preview.ok:
            raise CommandError(" ".join(preview.problems))
        if dry_run:
            self.print_preview(preview)
            self.stdout.write("Dry run: nothing was saved.")
            return
        result = rollover.roll_over(
            user=self.actor(user),
            plan=old,
            first_month=first,
            slug=slug,
            title=title,
            codes=mapping,
            from_command_line=True,
        )
        self.stdout.write(
            f"Created {result.plan.title} ({result.plan.slug}), {result.plan.start.name} – {result.plan.end.name}: "
            f"{result.carried} action(s) carried, {result.left} completed and left in {old.title}."
        )

    def actor(self, username):
        """Whom the history and audit record name: --user (who must be able to roll over), else
        the first superuser, else nobody (recorded as the command line)."""
        users = get_user_model().objects
        if not username:
            return users.filter(is_superuser=True).order_by("pk").first()
        found = users.filter(username=username).first()
        if found is None or not found.has_perm(IMPORT_PLAN):
            raise CommandError(
                f"{username!r} is not a login that may roll a plan over (the performance team)."
            )
        return found

    def print_preview(self, preview: rollover.RollOverPlan) -> None:
        self.stdout.write(
            f"{preview.plan.title} -> {preview.title} ({preview.slug}), "
            f"{preview.first_month.name} – {preview.last_month.name}"
        )
        self.stdout.write("Codes:")
        for row in preview.codes:
            becomes = "dropped" if row.dropped else f"{row.new_code} {row.new_title}".strip()
            self.stdout.write(f"  {row.old_code:<10} -> {becomes}  ({row.carried} carried)")
        self.stdout.write(f"Carried ({len(preview.carried)}):")
        for item in preview.carried:
            planned = f", planned {item.planned.name}" if item.planned else ""
            self.stdout.write(
                f"  {item.new_code:<10} {item.action.ref:<10} {item.action.description[:70]}{planned}"
            )
        self.stdout.write(f"Not carried, completed ({len(preview.left)}):")
        for action in preview.left:
            self.stdout.write(f"  {action.ref:<10} {action.description[:70]}")
