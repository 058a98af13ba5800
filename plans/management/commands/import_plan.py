from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Organisation, Plan
from plans.periods import Month
from plans.status import COUNTED
from plans.workbook.importer import ImportRefused, import_plan, plan_slug
from plans.workbook.one_table import (
    Calendar,
    CalendarInvalid,
    calendar_of,
    is_one_table,
    read_one_table,
    saved_mapping,
)
from plans.workbook.reader import read_workbook
from plans.workbook.safety import WorkbookInvalid, read_upload

# The option naming each calendar setting, for its error.
OPTIONS = {
    "first_month": "--first-month",
    "months": "--months",
    "every": "--every",
    "status_month": "--status-month",
}


def month_option(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a month in the form YYYY-MM") from None


month_option.__name__ = "month (YYYY-MM)"  # argparse names the type in its error


class Command(BaseCommand):
    help = (
        "Import a plan workbook (.xlsx): the plan format in the README, or a council's one-table layout "
        "(Objective | Key Actions | Target Date | Progress Measure | On Target | Accountability | Update), "
        "found by its headings. With --slug of an existing plan, update that plan; otherwise create a new "
        "one. Any error saves nothing: each is listed, exit status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The workbook, e.g. fixtures/bromsgrove-2007-08.xlsx")
        parser.add_argument("--slug", default="", help="The plan to update, or the slug of the new plan")
        parser.add_argument(
            "--organisation",
            default="",
            metavar="SLUG",
            help="The organisation (its slug) a new plan goes into, and the one a plan updated must be in",
        )
        parser.add_argument(
            "--first-month",
            type=month_option,
            metavar="YYYY-MM",
            help="One-table layout: a new plan's first month",
        )
        parser.add_argument("--months", type=int, help="One-table layout: how many months a new plan covers")
        parser.add_argument(
            "--every", type=int, metavar="N", help="Report every N months (a new plan; 1 if left out)"
        )
        parser.add_argument(
            "--status-month",
            type=month_option,
            metavar="YYYY-MM",
            help="One-table layout: the reporting month that the On Target column reports",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report; save nothing")

    def handle(self, *args, file: Path, slug: str, organisation: str, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        into = None
        if organisation:
            into = Organisation.objects.filter(slug=organisation).first()
            if into is None:
                raise CommandError(f"No organisation “{organisation}”. Nothing was saved.")
        plan = Plan.objects.filter(slug=slug).select_related("organisation").first() if slug else None
        if plan is not None and into is not None and plan.organisation_id != into.pk:
            # Another organisation's plan is not disclosed: as if there were none.
            raise CommandError(f"No plan “{slug}” in {into.name}. Nothing was saved.")
        try:
            with file.open("rb") as stream:
                data = read_upload(stream, size=file.stat().st_size)
            if is_one_table(data):
                parsed, unplaced = self._one_table(data, plan, into, options)
            else:
                parsed, unplaced = self._plan_format(data, plan, options), []
            if plan is None and not slug and Plan.objects.filter(slug=plan_slug(parsed)).exists():
                raise ImportRefused(
                    f"A plan with the slug “{plan_slug(parsed)}” already exists: pass --slug {plan_slug(parsed)} "
                    "to update it, or another --slug for a new plan."
                )
            result = import_plan(
                parsed, plan=plan, slug=slug, dry_run=dry_run, filename=file.name, from_command_line=True,
                organisation=into,
            )  # fmt: skip
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
        for column in unplaced:
            self.stdout.write(
                f"Column {column.letter} “{column.heading}” was not imported: the importer does not know the "
                "heading (map it on the import page to keep it for the next import)."
            )
        for line in result.lines(done=not dry_run):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")

    def _plan_format(self, data: bytes, plan: Plan | None, options: dict):
        given = [OPTIONS[name] for name in ("first_month", "months", "status_month") if options.get(name)]
        if given:
            raise CommandError(
                f"{', '.join(given)}: for a workbook in a one-table layout; this one is in the plan format, "
                "whose Plan sheet gives the first month and months. Nothing was saved."
            )
        parsed = read_workbook(data, plan=plan)
        if options.get("every"):
            if plan is not None:
                raise CommandError("--every sets a new plan's reporting interval. Nothing was saved.")
            parsed.reporting_interval = options["every"]
            self._check(Calendar(parsed.first_month, parsed.months, parsed.reporting_interval))
        return parsed

    def _one_table(self, data: bytes, plan: Plan | None, into: Organisation | None, options: dict):
        table = read_one_table(data, plan=plan, mapping=saved_mapping(plan.organisation if plan else into))
        if plan is not None:
            calendar = calendar_of(plan, options.get("status_month"))
            for name, value in (("first_month", calendar.first_month), ("months", calendar.months),
                                ("every", calendar.every)):  # fmt: skip
                if options.get(name) is not None and options[name] != value:
                    raise CommandError(
                        f"{OPTIONS[name]}: the plan “{plan.slug}” has its own calendar ({plan.start.name}, "
                        f"{plan.months} months, every {plan.reporting_interval}). Nothing was saved."
                    )
        else:
            missing = [OPTIONS[name] for name in ("first_month", "months") if options.get(name) is None]
            if missing:
                raise CommandError(
                    f"A new plan in a one-table layout needs {' and '.join(missing)} (its calendar is not in "
                    "the workbook). Nothing was saved."
                )
            calendar = Calendar(
                options["first_month"],
                options["months"],
                options.get("every") or 1,
                options.get("status_month"),
            )
        return self._check(calendar, table), table.unplaced

    def _check(self, calendar: Calendar, table=None):
        try:
            return table.plan(calendar) if table is not None else calendar.check()
        except CalendarInvalid as invalid:
            raise CommandError(f"{OPTIONS[invalid.field]}: {invalid.message} Nothing was saved.") from None
