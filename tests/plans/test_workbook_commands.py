"""``manage.py import_plan`` and ``export_plan``."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plans.models import Action, Plan
from plans.workbook import parsed_from_plan
from tests.plans.test_workbook_import import FIXTURE
from tests.plans.workbook_helpers import action_row, workbook

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


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
    assert "Added: 0 priorities, 0 measures, 1 actions, 1 statuses." in output
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
