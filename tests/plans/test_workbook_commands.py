"""``manage.py import_plan`` and ``export_plan``."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plans.models import Action, Plan
from plans.workbook.writer import parsed_from_plan
from tests.factories import default_organisation
from tests.plans.test_workbook_import import FIXTURE
from tests.plans.workbook_helpers import DAMAGED, action_row, damaged, workbook

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    """The command as a council runs it, naming its organisation (the test council) for imports."""
    from io import StringIO

    if args[0] == "import_plan" and "--organisation" not in args:
        args = (*args, "--organisation", default_organisation().slug)
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def from_the_shell(monkeypatch, capsys):
    """Run ``manage.py import_plan ...`` as a shell would: its exit status and what it wrote to
    stderr. The command closes the database connections as it ends, which would end the test's
    own transaction on PostgreSQL, so here it leaves them open."""
    from django.core.management import base, execute_from_command_line

    monkeypatch.setattr(base.connections, "close_all", lambda: None)

    def shell(*args: str) -> tuple[int, list[str]]:
        with pytest.raises(SystemExit) as caught:
            execute_from_command_line(["manage.py", *args])
        return caught.value.code, capsys.readouterr().err.splitlines()

    return shell


def test_import_the_bromsgrove_fixture():
    output = run("import_plan", str(FIXTURE), "--slug", "bromsgrove-2007-08")
    plan = Plan.objects.get(slug="bromsgrove-2007-08")
    assert plan.actions.count() == 291
    assert output.splitlines()[0] == "22 priorities, 67 measures, 291 actions."
    assert "  July 2007       RED 0  AMBER 0  GREEN 0  REPRO 0  SUSP 0  planned 8" in output.splitlines()
    assert "Added: 22 priorities, 67 measures, 291 actions, 0 statuses." in output


def test_import_without_a_slug_takes_it_from_the_title():
    run("import_plan", str(FIXTURE))
    assert Plan.objects.filter(slug="improvement-plan-200708").exists()


def test_dry_run_saves_nothing():
    output = run("import_plan", str(FIXTURE), "--dry-run")
    assert "Importing will create plan improvement-plan-200708 (Improvement Plan 2007/08)." in output
    assert "To add: 22 priorities, 67 measures, 291 actions, 0 statuses." in output
    assert "Created plan" not in output
    assert output.splitlines()[-1] == "Dry run: nothing was saved."
    assert not Plan.objects.filter(slug__in=["bad", "improvement-plan-200708"]).exists()


def test_errors_are_listed_and_nothing_is_saved(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(actions=[action_row(priority="XX1"), action_row(grid=["Purple"])]))
    with pytest.raises(CommandError) as caught:
        run("import_plan", str(path), "--slug", "bad")
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}: 2 problem(s); nothing was saved."
    assert (
        lines[1]
        == "  sheet Actions, row 2, column A: Unknown priority “XX1”: it is not on the Priorities sheet."
    )
    assert lines[2].startswith("  sheet Actions, row 3, column F: Cannot read the status “Purple”")
    assert not Plan.objects.filter(slug__in=["bad", "improvement-plan-200708"]).exists()


def test_errors_exit_with_status_1(tmp_path):
    from django.core.management import execute_from_command_line

    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(SystemExit) as caught:
        execute_from_command_line(["manage.py", "import_plan", str(path)])
    assert caught.value.code == 1


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_or_hostile_file_exits_1_with_one_line_and_no_traceback(tmp_path, from_the_shell, kind):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(damaged(kind))
    plans = Plan.objects.count()
    assert from_the_shell("import_plan", str(path)) == (
        1,
        [
            f"CommandError: {path}: 1 problem(s); nothing was saved.",
            "  The file is not an Excel workbook (.xlsx). Save it from Excel as “Excel Workbook (.xlsx)” and try again.",
        ],
    )
    assert Plan.objects.count() == plans


def test_a_title_slug_that_exists_is_not_overwritten_silently():
    run("import_plan", str(FIXTURE))
    with pytest.raises(CommandError) as caught:
        run("import_plan", str(FIXTURE))
    assert "pass --slug improvement-plan-200708 to update it" in str(caught.value)


def test_reimport_with_the_slug_updates_the_plan(tmp_path):
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    first.write_bytes(workbook(actions=[action_row(grid=["G"])]))
    second.write_bytes(workbook(actions=[action_row(grid=["", "A"]), action_row(ref="1.1.2")]))
    run("import_plan", str(first), "--slug", "p")
    output = run("import_plan", str(second), "--slug", "p")
    assert "Added: 0 priorities, 0 measures, 1 action, 1 status." in output
    assert [a.ref for a in Action.objects.filter(plan__slug="p").in_plan_order()] == ["1.1.1", "1.1.2"]


def test_export_then_import_gives_the_same_plan(tmp_path):
    run("import_plan", str(FIXTURE), "--slug", "original")
    path = tmp_path / "out.xlsx"
    assert (
        run("export_plan", "--plan", "original", "-o", str(path))
        == f"Wrote Improvement Plan 2007/08 to {path}\n"
    )
    run("import_plan", str(path), "--slug", "copy")
    original, copy = Plan.objects.get(slug="original"), Plan.objects.get(slug="copy")
    assert parsed_from_plan(copy) == parsed_from_plan(original)
    assert len(parsed_from_plan(copy).actions) == 291


def test_export_an_unknown_plan():
    with pytest.raises(CommandError, match="No plan with slug 'nope'"):
        run("export_plan", "--plan", "nope", "-o", "/tmp/never.xlsx")


def test_a_reimport_changing_a_closed_month_exits_1_and_saves_nothing(tmp_path, from_the_shell):
    from plans.models import MonthClose, MonthlyStatus

    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    first.write_bytes(workbook(actions=[action_row(grid=["G"])]))
    run("import_plan", str(first), "--slug", "p")
    MonthClose.objects.create(plan=Plan.objects.get(slug="p"), month=date(2008, 7, 1))
    second.write_bytes(workbook(actions=[action_row(grid=["R", "A"], text="Reworded")]))
    assert from_the_shell("import_plan", str(second), "--slug", "p") == (
        1,
        [
            f"CommandError: {second}: 1 problem(s); nothing was saved.",
            "  sheet Actions, row 2, column F: July 2008 is closed (published); its statuses cannot be changed "
            "by an import.",
        ],
    )
    assert [(s.month, s.status) for s in MonthlyStatus.objects.filter(action__plan__slug="p")] == [
        (date(2008, 7, 1), "GREEN")
    ]
    assert Action.objects.get(plan__slug="p").description == "An action"
