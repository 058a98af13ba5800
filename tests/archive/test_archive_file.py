"""The archive holds password hashes: its file is readable and writable by its owner only, from
the moment it exists."""

import io
import os
import stat
import zipfile

import pytest
from django.core.management import call_command

from tests.factories import make_plan, make_user


@pytest.fixture
def open_umask():
    """The most permissive umask, so nothing but the export itself can make the file private."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def data(db):
    # Named apart from the demo, which other tests may have loaded for the whole session.
    make_user("test-archivist")
    make_plan(slug="archive-file-test")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_archive_file_is_0600_even_under_an_open_umask(data, tmp_path, open_umask):
    path = tmp_path / "improvement.zip"
    call_command("export_archive", str(path), stdout=io.StringIO())
    assert mode(path) == 0o600
    assert zipfile.ZipFile(path).namelist()[:2] == ["manifest.json", "data.json"]


def test_the_file_is_0600_while_it_is_being_written(data, tmp_path, open_umask, monkeypatch):
    seen = []
    writestr = zipfile.ZipFile.writestr

    def watching(archive, name, *args, **kwargs):
        seen.append(mode(archive.fp.fileno()))
        return writestr(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", watching)
    call_command("export_archive", str(tmp_path / "improvement.zip"), stdout=io.StringIO())
    assert seen and set(seen) == {0o600}


def test_an_earlier_world_readable_archive_of_the_same_name_is_replaced_by_a_private_one(
    data, tmp_path, open_umask
):
    path = tmp_path / "improvement.zip"
    path.write_bytes(b"an old archive")
    path.chmod(0o644)
    call_command("export_archive", str(path), stdout=io.StringIO())
    assert mode(path) == 0o600
    assert zipfile.is_zipfile(path)


def test_a_failed_export_leaves_the_earlier_archive_and_no_part_file(data, tmp_path, monkeypatch):
    path = tmp_path / "improvement.zip"
    path.write_bytes(b"yesterday's archive")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", full_disk)
    with pytest.raises(OSError, match="No space left"):
        call_command("export_archive", str(path), stdout=io.StringIO())
    assert path.read_bytes() == b"yesterday's archive"
    assert os.listdir(tmp_path) == ["improvement.zip"]
