"""A complete, versioned archive of a council's plans: restorable into an empty database.

The archive is a zip file:

- ``manifest.json``: ``{"format": "improvement-plan-archive", "version": 1, ...}``, the migrations
  the data was written under, and the row count of every model;
- ``data.json``: every row of the archived models, in Django's JSON serialisation;
- ``files/<name>``: the stored PDFs (``reports.Document.file``), read through Django's storage API.

Users and groups refer to each other by name (natural keys), and to permissions by app and
codename, so an archive restores into a database whose migrations gave other ids to groups and
permissions; every other row keeps its id, so links between rows survive unchanged. It works
between SQLite and PostgreSQL in either direction.

Not archived: sessions, log-in throttling counters, background task results, the content types
and permissions (made by ``migrate``). The archive holds password hashes: keep it as safely as
the database.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "improvement-plan-archive"
VERSION = 1
# Apps whose every model is archived (a model a later issue adds is archived without a change here).
DATA_APPS = ["plans", "cabinet", "reports", "audit"]


class _ExactTimes(DjangoJSONEncoder):
    """Times to the microsecond. Django's encoder keeps milliseconds, and a restored report must
    show exactly the times it showed before (when a published month was closed)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class ArchiveError(Exception):
    """The archive cannot be read or restored here; the message says why, for the command line."""


@dataclass(frozen=True)
class ArchiveSummary:
    counts: dict[str, int]
    files: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def archived_models() -> list[type[models.Model]]:
    """Groups and users first: other rows name users by username, resolved as they are read."""
    data = [
        model
        for label in DATA_APPS
        for model in apps.get_app_config(label).get_models()
        # Bookkeeping rebuilt as the data is written (reports.DataVersion), not data of its own.
        if getattr(model, "archived", True)
    ]
    return [Group, User, *data]


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _rows(models_: Iterable[type[models.Model]]):
    for model in models_:
        yield from model._default_manager.order_by("pk").iterator(chunk_size=2000)


def _stored_files() -> list[str]:
    from reports.models import Document

    names = Document.objects.exclude(file="").values_list("file", flat=True)
    return sorted({name for name in names if default_storage.exists(name)})


@contextlib.contextmanager
def _writable(target: str | Path | io.BufferedIOBase) -> Iterator[io.BufferedIOBase]:
    """A file object as it is; a path as a new file that only its owner may read or write from
    the moment it exists (``mkstemp`` creates it 0600, whatever the umask: the archive holds
    password hashes), moved into place once written whole, so a failed export leaves neither
    half an archive nor a spoilt earlier one of the same name."""
    if not isinstance(target, str | Path):
        yield target
        return
    path = Path(target)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def export_archive(target: str | Path | io.BufferedIOBase) -> ArchiveSummary:
    # One repeatable-read snapshot on PostgreSQL: a backup taken while officers update is consistent.
    # (Inside a caller's transaction, that transaction's view is the snapshot.)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        models_ = archived_models()
        counts = {model._meta.label: model._default_manager.count() for model in models_}
        data = serializers.serialize(
            "json",
            _rows(models_),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
            cls=_ExactTimes,
        )
        files = _stored_files()
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "migrations": _migrations(),
            "counts": counts,
            "files": files,
        }
        with (
            _writable(target) as out,
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            archive.writestr("data.json", data)
            for name in files:
                with default_storage.open(name, "rb") as stored:
                    archive.writestr(f"files/{name}", stored.read())
    return ArchiveSummary(counts=counts, files=len(files))


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except KeyError:
        raise ArchiveError("This is not an improvement-plan archive: it has no manifest.json.") from None
    except ValueError as error:
        raise ArchiveError(f"The archive's manifest.json is not valid JSON: {error}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"This is not an improvement-plan archive (format is not {FORMAT!r}).")
    if manifest.get("version") != VERSION:
        raise ArchiveError(
            f"The archive is format version {manifest.get('version')!r}; this software reads "
            f"version {VERSION} only. Restore it with the version of the software that made it."
        )
    applied = _migrations()
    unknown = [
        f"{app}.{name}"
        for app, names in manifest.get("migrations", {}).items()
        for name in names
        if name not in applied.get(app, [])
    ]
    if unknown:
        raise ArchiveError(
            "The archive was made by a newer version of the software (its database had migrations "
            f"this one has not: {', '.join(unknown[:5])}). Upgrade and run migrate first."
        )
    return manifest


def database_rows() -> dict[str, int]:
    """Rows already here that a restore would write to. Groups are made by ``migrate`` itself
    (the roles), so they do not count: the archive's groups are matched to them by name."""
    counts = {model._meta.label: model._default_manager.count() for model in archived_models()}
    counts.pop(Group._meta.label)
    return {label: n for label, n in counts.items() if n}


def import_archive(source: str | Path | io.BufferedIOBase) -> ArchiveSummary:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"Cannot read the archive: {error}.") from None
    with archive:
        manifest = read_manifest(archive)
        occupied = database_rows()
        if occupied:
            listed = ", ".join(f"{label} {n}" for label, n in sorted(occupied.items()))
            raise ArchiveError(
                f"The database is not empty ({listed}): an archive is restored only into an empty "
                "database (create one and run migrate), so nothing here is overwritten."
            )
        try:
            data = archive.read("data.json")
        except KeyError:
            raise ArchiveError("The archive has no data.json.") from None
        files = {name: archive.read(f"files/{name}") for name in manifest.get("files", [])}
        counts = _load(data)
    expected = manifest.get("counts", {})
    if counts != {label: n for label, n in expected.items() if n}:
        # Cannot happen with an intact archive; a truncated or edited one must not half-restore.
        raise ArchiveError(f"The archive's rows do not match its manifest: {counts} != {expected}.")
    for name, content in files.items():
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))
    return ArchiveSummary(counts=counts, files=len(files))


def _load(data: bytes) -> dict[str, int]:
    counts: dict[str, int] = {}
    loaded_models: set[type[models.Model]] = set()
    try:
        with transaction.atomic():
            # As loaddata does: rows may refer to rows later in the file (a plan to its previous
            # plan), so constraints are checked once everything is in.
            with connection.constraint_checks_disabled():
                for obj in serializers.deserialize("json", data, handle_forward_references=True):
                    obj.save()
                    model = type(obj.object)
                    loaded_models.add(model)
                    counts[model._meta.label] = counts.get(model._meta.label, 0) + 1
            connection.check_constraints(table_names=[m._meta.db_table for m in loaded_models])
            _reset_sequences(loaded_models)
    except serializers.base.DeserializationError as error:
        raise ArchiveError(f"The archive's data could not be read: {error}") from None
    return counts


def _reset_sequences(loaded: set[type[models.Model]]) -> None:
    """Rows were written with their ids: move PostgreSQL's id sequences past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(loaded))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def default_filename() -> str:
    return f"improvement-archive-{datetime.datetime.now():%Y%m%d-%H%M}.zip"
