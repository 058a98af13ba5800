"""export_archive / import_archive: a complete archive restores into an empty database with
identical reports; anything else is refused with a clear message and changes nothing."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from cabinet.models import CorporateRisk
from plans.models import (
    ActionChange,
    Lead,
    MonthClose,
    MonthlyStatus,
    Organisation,
    Plan,
    Recommendation,
    RecommendationLink,
)
from reports.exception_report import build_exception_report, exception_report
from reports.models import Document

ROOT = Path(__file__).resolve().parents[2]

SUMMARIES = """
import json, django
django.setup()
from plans.models import Plan
from reports.exception_report import exception_report
print(json.dumps({plan.slug: [exception_report(plan, m).as_json() for m in plan.month_list]
                  for plan in Plan.objects.order_by("slug")}))
"""


def summaries() -> dict:
    return {
        plan.slug: [exception_report(plan, month).as_json() for month in plan.month_list]
        for plan in Plan.objects.order_by("slug")
    }


@pytest.fixture
def archived(demo, tmp_path, settings):
    """The demo plus a closed month, a stored PDF and an audit event, exported to a zip."""
    settings.MEDIA_ROOT = tmp_path / "media"
    plan = demo["2009"]
    july = build_exception_report(plan, plan.start)
    MonthClose.objects.create(
        plan=plan,
        month=plan.first_month,
        snapshot=july.as_snapshot(),
        history_mark=ActionChange.objects.order_by("-id").values_list("id", flat=True).first(),
    )
    document = Document(plan=plan, month=plan.first_month, kind="APPENDIX", state="READY", published=True)
    document.file.save("appendix-july-2009.pdf", ContentFile(b"%PDF-1.7 the published appendix"))
    AuditEvent.objects.record("month-close", user=User.objects.get(username="performance"), plan=plan)
    path = tmp_path / "archive.zip"
    call_command("export_archive", str(path), stdout=io.StringIO())
    return path


def test_an_archive_restores_into_an_empty_sqlite_database_with_identical_reports(archived, tmp_path):
    before = summaries()
    july = before["bromsgrove-2009-10"][0]
    assert july["month"] == "2009-07"
    assert july["counts"] == {"RED": 0, "AMBER": 11, "GREEN": 67, "REPRO": 0, "SUSP": 5}
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
    }

    def run(*args):
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )

    run("manage.py", "migrate", "--noinput", "-v0")
    restored = run("manage.py", "import_archive", str(archived))
    assert "plans.MonthlyStatus" in restored.stdout
    assert json.loads(run("-c", SUMMARIES).stdout) == before
    stored = tmp_path / "restored-media" / Document.objects.get().file.name
    assert stored.read_bytes() == b"%PDF-1.7 the published appendix"
    # Restoring twice is refused: the database is no longer empty.
    again = subprocess.run(
        [sys.executable, "manage.py", "import_archive", str(archived)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 1
    assert "The database is not empty" in again.stderr


def test_an_archive_restores_in_place_after_everything_is_deleted(archived):
    before = summaries()
    users = {
        u.username: (u.password, sorted(u.memberships.values_list("organisation__slug", "role__name")))
        for u in User.objects.all()
    }
    statuses = MonthlyStatus.objects.count()
    history = ActionChange.objects.count()
    AuditEvent.objects.all().delete()
    CorporateRisk.objects.filter(merged_into__isnull=False).delete()
    CorporateRisk.objects.all().delete()
    Plan.objects.all().delete()
    Lead.objects.all().delete()
    Recommendation.objects.all().delete()  # an inspection's, not a plan's: not deleted with them
    Organisation.objects.all().delete()
    User.objects.all().delete()
    assert summaries() == {}

    call_command("import_archive", str(archived), stdout=io.StringIO())

    assert summaries() == before
    assert MonthlyStatus.objects.count() == statuses == 1500  # Bromsgrove 1471, Rotherham 29
    assert ActionChange.objects.count() == history
    assert MonthClose.objects.get(plan__slug="bromsgrove-2009-10").snapshot["figures"]["AMBER"] == 11
    # The corporate risk register, its merge and its links to the plan come back too.
    assert CorporateRisk.objects.get(code="KO18").merged_into.code == "KO5"
    assert sorted(CorporateRisk.objects.get(code="KO20").priorities.values_list("code", flat=True)) == [
        "CP3",
        "PR1",
    ]
    assert {
        u.username: (u.password, sorted(u.memberships.values_list("organisation__slug", "role__name")))
        for u in User.objects.all()
    } == users
    assert Lead.objects.get(initials="PS").user.username == "officer"
    assert AuditEvent.objects.filter(kind="month-close", user__username="performance").count() == 1
    assert AuditEvent.objects.filter(kind="archive-import").count() == 1
    assert list(
        Recommendation.objects.tracked(Organisation.objects.get(slug="bromsgrove")).values_list(
            "code", flat=True
        )
    ) == [f"R{n}" for n in range(1, 8)]
    assert RecommendationLink.objects.count() == 18
    # The id sequences moved past the restored rows: new rows can be added.
    plan = Plan.objects.get(slug="bromsgrove-2009-10")
    MonthClose.objects.create(plan=plan, month=plan.first_month.replace(month=8))


def test_a_non_empty_database_is_refused_and_left_alone(archived):
    statuses = MonthlyStatus.objects.count()
    with pytest.raises(CommandError, match="The database is not empty .*plans.Plan 3"):
        call_command("import_archive", str(archived))
    assert MonthlyStatus.objects.count() == statuses


def rewrite_manifest(source: Path, target: Path, **changes) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            content = old.read(item)
            if item.filename == "manifest.json":
                content = json.dumps({**json.loads(content), **changes})
            new.writestr(item, content)
    return target


def test_an_unknown_format_version_is_refused(archived, tmp_path):
    future = rewrite_manifest(archived, tmp_path / "v2.zip", version=2)
    with pytest.raises(CommandError, match="format version 2; this software reads version 1 only"):
        call_command("import_archive", str(future))


def test_an_archive_from_newer_software_is_refused(archived, tmp_path):
    newer = rewrite_manifest(archived, tmp_path / "newer.zip", migrations={"plans": ["0099_from_the_future"]})
    with pytest.raises(CommandError, match="newer version of the software.*plans.0099_from_the_future"):
        call_command("import_archive", str(newer))


def test_a_file_that_is_not_an_archive_is_refused(tmp_path, db):
    not_zip = tmp_path / "plan.xlsx.txt"
    not_zip.write_text("hello")
    with pytest.raises(CommandError, match="Cannot read the archive"):
        call_command("import_archive", str(not_zip))
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hi")
    with pytest.raises(CommandError, match="not an improvement-plan archive"):
        call_command("import_archive", str(other_zip))


def test_the_manifest_says_what_the_archive_holds(archived):
    with zipfile.ZipFile(archived) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert archive.read("files/" + manifest["files"][0]) == b"%PDF-1.7 the published appendix"
    assert manifest["format"] == "improvement-plan-archive"
    assert manifest["version"] == 1
    assert manifest["counts"]["plans.Plan"] == 3  # Bromsgrove's two years and Rotherham's plan
    assert manifest["counts"]["plans.MonthlyStatus"] == 1500
    # the demo publishes every month of 2008/09, and Rotherham's May and July 2007 (nothing reported)
    assert manifest["counts"]["plans.MonthClose"] == 15
    assert "0002_roles" in manifest["migrations"]["plans"]
