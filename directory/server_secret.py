"""The server secret that signs CSRF tokens: configured, or made once and kept.

``DEKAT_SECRET_KEY`` wins. Without it a random 256-bit key is written once to
``<media_dir>/.secret_key`` (mode 0600, created atomically so that workers starting
together agree on one) and read back by every later start, so tokens survive restarts.
Several app hosts must share one key: set ``DEKAT_SECRET_KEY`` on each, or share
the media folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Final

from starlette.datastructures import State

from directory.settings import Settings

FILE_NAME: Final = ".secret_key"


def _read(path: Path) -> bytes | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return text.encode() if len(text) >= 32 else None


def server_secret(settings: Settings) -> bytes:
    """The key for signing: the setting, else the persisted one (made when missing)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.media_dir / FILE_NAME
    found = _read(path)
    if found is not None:
        return found
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{FILE_NAME}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(32) + "\n")
    try:
        os.link(tmp, path)  # fails if another worker made it first: then use theirs
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    secret = _read(path)
    if secret is None:
        raise RuntimeError(f"could not read the server secret at {path}")
    return secret


def app_secret(state: State) -> bytes:
    """The app's secret, loaded on first use (building an app touches no file)."""
    secret: bytes | None = getattr(state, "secret", None)
    if secret is None:
        secret = server_secret(state.settings)
        state.secret = secret
    return secret
