"""Keeping an upload between an import's preview and its confirmation.

The uploaded file is kept server-side, never round-tripped through the
browser; the session only holds a random token tied to the user, the team and
the kind of import. The file is re-read and re-validated on confirmation,
because the database may have changed in between.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import HttpRequest

SESSION_KEY = "pending_imports"
# A preview older than this is not confirmed: the secretary uploads again.
STAGING_MAX_AGE_SECONDS = 2 * 60 * 60
# One session keeps at most this many pending imports (older ones are dropped).
MAX_PENDING_PER_SESSION = 4


def staging_storage() -> FileSystemStorage:
    """Where uploads wait for confirmation: outside the project and MEDIA_ROOT.

    ``IMPORT_STAGING_DIR`` may point it elsewhere (a folder shared by all web
    hosts when there are several). Files are readable by the site's user only.
    """
    location = getattr(settings, "IMPORT_STAGING_DIR", None) or (
        Path(tempfile.gettempdir()) / "volunteer-site-imports"
    )
    return FileSystemStorage(
        location=str(location), file_permissions_mode=0o600, directory_permissions_mode=0o700
    )


@dataclass
class StagedUpload:
    token: str
    kind: str
    team_id: int
    filename: str
    data: bytes
    digest: str


def stage_upload(request: HttpRequest, *, kind: str, team, filename: str, data: bytes) -> str:
    """Keep ``data`` for a later confirmation by this user on this team; returns the token."""
    storage = staging_storage()
    _purge_stale(storage)
    pending = dict(request.session.get(SESSION_KEY, {}))
    # A new upload of the same kind for the same team replaces the previous one.
    for token, entry in list(pending.items()):
        if entry["kind"] == kind and entry["team"] == team.pk:
            _delete_quietly(storage, token)
            del pending[token]
    while len(pending) >= MAX_PENDING_PER_SESSION:
        oldest = min(pending, key=lambda token: pending[token]["at"])
        _delete_quietly(storage, oldest)
        del pending[oldest]
    token = secrets.token_urlsafe(24)
    storage.save(_staged_name(token), ContentFile(data))
    pending[token] = {
        "kind": kind,
        "team": team.pk,
        "user": request.user.pk,
        "name": filename[:200],
        "at": time.time(),
        "digest": "",
    }
    request.session[SESSION_KEY] = pending
    return token


def load_staged(request: HttpRequest, *, kind: str, team, token: str) -> StagedUpload | None:
    """The staged upload, if ``token`` is this user's pending import of ``kind`` for ``team``."""
    entry = request.session.get(SESSION_KEY, {}).get(token or "")
    if (
        entry is None
        or entry["kind"] != kind
        or entry["team"] != team.pk
        or entry["user"] != request.user.pk
        or time.time() - entry["at"] > STAGING_MAX_AGE_SECONDS
    ):
        return None
    storage = staging_storage()
    try:
        with storage.open(_staged_name(token), "rb") as staged:
            data = staged.read()
    except (FileNotFoundError, OSError):
        return None
    return StagedUpload(
        token=token,
        kind=kind,
        team_id=team.pk,
        filename=entry["name"],
        data=data,
        digest=entry.get("digest", ""),
    )


def remember_preview(request: HttpRequest, token: str, digest: str) -> None:
    """Note what the user was shown, so a confirmation can tell whether it still holds."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    if token in pending:
        pending[token] = {**pending[token], "digest": digest}
        request.session[SESSION_KEY] = pending


def discard_staged(request: HttpRequest, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    _delete_quietly(staging_storage(), token)


def _staged_name(token: str) -> str:
    # The token is URL-safe base64 from ``secrets``; checked anyway, as it comes from a form.
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):
        raise ValueError("bad import token")
    return f"{token}.upload"


def _delete_quietly(storage: FileSystemStorage, token: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        storage.delete(_staged_name(token))


def _purge_stale(storage: FileSystemStorage) -> None:
    """Delete abandoned uploads (they hold personal data) older than the staging age."""
    try:
        _folders, files = storage.listdir("")
    except FileNotFoundError:
        return
    cutoff = time.time() - STAGING_MAX_AGE_SECONDS
    for name in files:
        if not name.endswith(".upload"):
            continue
        try:
            if Path(storage.path(name)).stat().st_mtime < cutoff:
                storage.delete(name)
        except OSError:
            continue
