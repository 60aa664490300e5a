"""``dekat media migrate``: file store → S3 and back, resuming, skipping, failing loudly."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import directory.cli.media_commands  # noqa: F401  (registers the command)
from directory.cli import console
from directory.cli.main import app
from directory.media_locations import FileLocation
from directory.photos.media_migrate import migrate_media
from directory.photos.storage import FileStore, PhotoStore, open_store
from directory.settings import get_settings
from tests.moderation_helpers import image_bytes
from tests.s3server import S3Server

BAR_CHARS = ("━", "╸")


def _names(n: int) -> list[str]:
    names = []
    for _ in range(n):
        stem = secrets.token_hex(16)
        names += [f"{stem}.jpg", f"{stem}_t.jpg"]
    return names


@pytest.fixture
def source(tmp_path: Path) -> tuple[FileStore, dict[str, bytes]]:
    """A file store with three photos and their thumbnails, and a stray file."""
    store = FileStore(tmp_path / "media")
    stored = {}
    for i, name in enumerate(_names(3)):
        data = image_bytes(size=(40 + i, 30))
        store.put(name, data, "image/jpeg")
        stored[name] = data
    (store.folder / "notes.txt").write_text("not a photo")
    return store, stored


@pytest.fixture
def cli_env(
    source: tuple[FileStore, dict[str, bytes]],
    s3_server: S3Server,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    monkeypatch.delenv("DEKAT_MEDIA_URL", raising=False)
    monkeypatch.setenv("DEKAT_MEDIA_DIR", str(source[0].root))
    for key, value in s3_server.env().items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def dekat(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _object(s3: S3Server, bucket: str, key: str) -> bytes:
    return bytes(s3.client().get_object(Bucket=bucket, Key=key)["Body"].read())


@pytest.mark.usefixtures("cli_env")
def test_migrate_to_s3_then_resume(
    source: tuple[FileStore, dict[str, bytes]], s3_server: S3Server
) -> None:
    _, stored = source
    bucket = s3_server.new_bucket()
    first = dekat("media", "migrate", "--to", f"s3://{bucket}/prod")
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "copied 6, skipped 0, failed 0"
    assert not any(c in first.stderr for c in BAR_CHARS)  # not a terminal: no bar
    assert s3_server.keys(bucket) == sorted(f"prod/photos/{n}" for n in stored)
    for name, data in stored.items():
        assert _object(s3_server, bucket, f"prod/photos/{name}") == data

    again = dekat("media", "migrate", "--to", f"s3://{bucket}/prod")
    assert again.exit_code == 0
    assert again.stdout.strip() == "copied 0, skipped 6, failed 0"

    # An interrupted or damaged copy: one object missing, one with other bytes.
    gone, damaged = sorted(stored)[:2]
    client = s3_server.client()
    client.delete_object(Bucket=bucket, Key=f"prod/photos/{gone}")
    client.put_object(Bucket=bucket, Key=f"prod/photos/{damaged}", Body=b"half a file")
    resumed = dekat("media", "migrate", "--to", f"s3://{bucket}/prod")
    assert resumed.exit_code == 0
    assert resumed.stdout.strip() == "copied 2, skipped 4, failed 0"
    assert _object(s3_server, bucket, f"prod/photos/{damaged}") == stored[damaged]


@pytest.mark.usefixtures("cli_env")
def test_migrate_back_from_s3_to_a_folder(
    source: tuple[FileStore, dict[str, bytes]], s3_server: S3Server, tmp_path: Path
) -> None:
    _, stored = source
    bucket = s3_server.new_bucket()
    assert dekat("media", "migrate", "--to", f"s3://{bucket}").exit_code == 0
    back = tmp_path / "back"
    result = dekat("media", "migrate", "--from", f"s3://{bucket}", "--to", back.as_uri())
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "copied 6, skipped 0, failed 0"
    assert {p.name: p.read_bytes() for p in (back / "photos").iterdir()} == stored


@pytest.mark.usefixtures("cli_env")
def test_failures_are_counted_and_exit_non_zero(s3_server: S3Server) -> None:
    missing_bucket = f"dekat-missing-{secrets.token_hex(4)}"
    result = dekat("media", "migrate", "--to", f"s3://{missing_bucket}")
    assert result.exit_code == 1
    assert result.stdout.strip() == "copied 0, skipped 0, failed 6"
    failed_lines = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed_lines) == 6
    assert all("NoSuchBucket" in line for line in failed_lines), result.stderr


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "ftp://host/x"], "unsupported media URL scheme"),
        (["--to", "s3://NO"], "not a bucket name"),
        (["--from", "file:relative", "--to", "s3://bucket"], "absolute path"),
    ],
)
def test_bad_urls_are_one_line_errors(args: list[str], message: str) -> None:
    result = dekat("media", "migrate", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.usefixtures("cli_env")
def test_the_same_store_is_refused(source: tuple[FileStore, dict[str, bytes]]) -> None:
    result = dekat("media", "migrate", "--to", source[0].root.as_uri())
    assert result.exit_code == 2
    assert "the source and the target are the same store" in result.stderr


@pytest.mark.usefixtures("cli_env")
def test_a_terminal_sees_a_progress_bar(
    s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "is_tty", lambda: True)
    result = dekat("media", "migrate", "--to", f"s3://{s3_server.new_bucket()}")
    assert result.exit_code == 0
    assert any(c in result.stderr for c in BAR_CHARS)
    assert "6/6" in result.stderr


class _FlakyTarget(FileStore):
    """A folder that refuses one object, as a store with a bad disk sector would."""

    def __init__(self, root: Path, refuse: str) -> None:
        super().__init__(root)
        self.refuse = refuse

    def put(self, name: str, data: bytes, content_type: str) -> None:
        if name == self.refuse:
            raise OSError("No space left on device")
        super().put(name, data, content_type)


def test_one_failure_does_not_stop_the_rest(
    source: tuple[FileStore, dict[str, bytes]], tmp_path: Path
) -> None:
    store, stored = source
    refuse = sorted(stored)[0]
    target = _FlakyTarget(tmp_path / "target", refuse)
    report = migrate_media(store, target, workers=3)
    assert (report.copied, report.skipped, report.failed) == (5, 0, 1)
    assert report.failures == [(refuse, "OSError: No space left on device")]
    healed: PhotoStore = open_store(FileLocation(tmp_path / "target"))
    again = migrate_media(store, healed)
    assert (again.copied, again.skipped, again.failed) == (1, 5, 0)
