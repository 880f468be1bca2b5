"""Export a session to a zip, and import one, validating everything: names (no path traversal), sizes
(declared and actual, against zip bombs), checksums, the journal's schema, and no silent overwrite."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.sessions.codec import event_from_dict, rep_from_dict
from formcheck.sessions.journal import JournalError, read_journal
from formcheck.sessions.storage import JOURNAL_NAME, VIDEO_NAME, SessionStore, make_private_dir
from formcheck.spec import load_exercise

FORMAT = "formcheck-session"
MANIFEST = "manifest.json"
LIMITS = {MANIFEST: 64 * 1024, JOURNAL_NAME: 1024 * 1024 * 1024, VIDEO_NAME: 4 * 1024 * 1024 * 1024}
MAX_RATIO = 200  # uncompressed / compressed beyond this is a zip bomb, not a session
SESSION_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
META_TYPES: dict[str, type | tuple[type, ...]] = {
    "session_id": str,
    "patient": str,
    "exercise": str,
    "variant": str,
    "sides": str,
    "settings": dict,
    "kind": str,
    "source": str,
    "fps": (int, float),
    "started_at": str,
    "signal_names": list,
}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def export_session(store: SessionStore, session_id: str, out: str | os.PathLike[str]) -> Path:
    row = store.get_row(session_id)
    folder = store.sessions_dir / row.id
    files = [n for n in (JOURNAL_NAME, VIDEO_NAME) if (folder / n).is_file()]
    if JOURNAL_NAME not in files:
        raise FormcheckError(f"Session {row.id} has no journal file in {folder}; there is nothing to export.")
    manifest = {
        "format": FORMAT,
        "version": 1,
        "session_id": row.id,
        "patient": row.patient,
        "files": {n: {"size": (folder / n).stat().st_size, "sha256": _sha256(folder / n)} for n in files},
    }
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, json.dumps(manifest, indent=2))
            for n in files:
                z.write(
                    folder / n,
                    n,
                    compress_type=zipfile.ZIP_STORED if n == VIDEO_NAME else zipfile.ZIP_DEFLATED,
                )
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise FormcheckError(f"Cannot write {out}: {reason}; choose another path with -o.") from exc
    return out


def _bad(zip_name: str, what: str) -> FormcheckError:
    return FormcheckError(f"{zip_name} was not imported: {what}.")


def _check_members(z: zipfile.ZipFile, name: str) -> dict[str, zipfile.ZipInfo]:
    members: dict[str, zipfile.ZipInfo] = {}
    for info in z.infolist():
        n = info.filename
        if n.startswith(("/", "\\")) or ".." in Path(n.replace("\\", "/")).parts or ":" in n:
            raise _bad(
                name, f"it contains a file that points outside its folder ('{n}'), which a session never does"
            )
        if info.is_dir() or n not in LIMITS:
            raise _bad(name, f"it contains '{n}', which is not part of a formcheck session")
        if n in members:
            raise _bad(name, f"it contains '{n}' twice")
        if info.flag_bits & 0x1:
            raise _bad(name, "it is encrypted")
        if info.file_size > LIMITS[n]:
            raise _bad(name, f"'{n}' is {info.file_size / 1e6:.0f} MB, more than a session file may be")
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
            and info.file_size > 1_000_000
        ):
            raise _bad(
                name,
                f"'{n}' expands {info.file_size // info.compress_size} times, which looks like a zip bomb",
            )
        members[n] = info
    for required in (MANIFEST, JOURNAL_NAME):
        if required not in members:
            raise _bad(name, f"it has no {required}, so it is not a formcheck session export")
    return members


def _extract(z: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, name: str) -> None:
    """Copy one member, never writing more than the size its header declared (or the limit)."""
    limit = min(info.file_size, LIMITS[info.filename])
    written = 0
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, z.open(info) as src:
        while block := src.read(1 << 20):
            written += len(block)
            if written > limit:
                raise _bad(name, f"'{info.filename}' is larger than its header says")
            out.write(block)


def _validate_journal(path: Path, session_id: str, name: str) -> dict[str, Any]:
    try:
        contents = read_journal(path)
    except JournalError as exc:
        raise _bad(name, f"its journal is not readable ({exc})") from None
    meta = contents.meta
    for key, kind in META_TYPES.items():
        if not isinstance(meta.get(key), kind) or isinstance(meta.get(key), bool):
            raise _bad(name, f"its journal's header has a missing or wrong '{key}'")
    if meta["session_id"] != session_id:
        raise _bad(name, "its journal belongs to a different session than its manifest says")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in meta["settings"].values()):
        raise _bad(name, "its journal's settings are not all numbers")
    try:
        load_exercise(meta["exercise"], meta["variant"])
    except FormcheckError as exc:
        raise _bad(
            name, f"it records an exercise this formcheck does not know ({exc.message.rstrip('.')})"
        ) from None
    try:
        for d in contents.events:
            event_from_dict(d)
        if contents.summary is not None:
            for d in contents.summary.get("reps", []):
                rep_from_dict(d)
            report = contents.summary.get("report")
            if (
                not isinstance(report, dict)
                or not isinstance(report.get("reps"), list)
                or "summary" not in report
            ):
                raise ValueError("summary report malformed")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _bad(name, f"its journal holds malformed events or summary ({exc})") from None
    if not contents.clean:
        raise _bad(name, "its journal is damaged part-way (a corrupt record)")
    return meta


def import_session(store: SessionStore, zip_path: str | os.PathLike[str], replace: bool = False) -> str:
    """Validate and import; returns the session id. Nothing existing is touched unless ``replace``."""
    zip_path = Path(zip_path)
    name = zip_path.name
    if not zip_path.is_file():
        raise FormcheckError(f"No such file: {zip_path}. Check the path and try again.")
    try:
        z = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _bad(name, f"it is not a zip file ({exc})") from None
    staging: Path | None = None
    with z:
        members = _check_members(z, name)
        try:
            manifest = json.loads(z.read(members[MANIFEST]))
        except (ValueError, UnicodeDecodeError):
            raise _bad(name, "its manifest is not valid JSON") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise _bad(name, "its manifest does not describe a formcheck session")
        session_id = manifest.get("session_id")
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            raise _bad(name, "its session id is malformed")
        files = manifest.get("files")
        if not isinstance(files, dict) or set(files) != set(members) - {MANIFEST}:
            raise _bad(name, "its manifest does not list exactly the files it contains")
        target = store.sessions_dir / session_id
        existed = target.exists()
        if existed and not replace:
            raise FormcheckError(
                f"Session {session_id} already exists in {store.sessions_dir}; nothing was changed "
                f"(add --replace to overwrite it with the one in {name})."
            )
        try:
            staging = store.sessions_dir / f".import-{session_id}-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            make_private_dir(staging)
            for n, info in members.items():
                if n == MANIFEST:
                    continue
                entry = files[n]
                if not isinstance(entry, dict) or entry.get("size") != info.file_size:
                    raise _bad(name, f"'{n}' does not have the size its manifest says")
                _extract(z, info, staging / n, name)
                if _sha256(staging / n) != entry.get("sha256"):
                    raise _bad(name, f"'{n}' does not match its checksum (damaged or altered)")
            _validate_journal(staging / JOURNAL_NAME, session_id, name)
            if existed:
                aside = target.with_name(f".replaced-{session_id}")
                shutil.rmtree(aside, ignore_errors=True)
                os.replace(target, aside)
                os.replace(staging, target)
                shutil.rmtree(aside, ignore_errors=True)
            else:
                os.replace(staging, target)
            staging = None
        except OSError as exc:
            reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
            raise FormcheckError(f"Cannot import {name} into {store.sessions_dir}: {reason}.") from exc
        finally:
            if staging is not None:
                with contextlib.suppress(OSError):
                    shutil.rmtree(staging)
    store.index_journal(target)
    return session_id
