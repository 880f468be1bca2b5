"""Export a session to a zip, and import one, validating everything: names (no path traversal), sizes
(declared and actual, against zip bombs), checksums, format versions, the journal's schema (known
exercises only, settings in their ranges, a valid prescription), and no silent overwrite. Export
refuses what import would refuse, so a zip it writes is always one another formcheck takes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import struct
import types
import typing
import zipfile
import zlib
from pathlib import Path
from typing import Any

from formcheck import events as ev
from formcheck.errors import FormcheckError
from formcheck.sessions.codec import EVENT_TYPES, event_from_dict, rep_from_dict
from formcheck.sessions.journal import FORMAT_VERSION, JournalContents, JournalError, read_journal
from formcheck.sessions.storage import JOURNAL_NAME, VIDEO_NAME, SessionStore, make_private_dir
from formcheck.spec import available_exercises, load_exercise

FORMAT = "formcheck-session"
MANIFEST_VERSION = 1  # the newest manifest this program reads, and the one it writes
MANIFEST = "manifest.json"
MAX_TEXT_CHARS = 2000  # a patient's name, a source, a message: longer is not one
# What a damaged zip raises while it is read (a flipped byte, a size header that lies, a cut-off file).
ZIP_DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    OverflowError,
    ValueError,
    UnicodeDecodeError,
)
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
OPTIONAL_META_TYPES: dict[str, type | tuple[type, ...]] = {
    "format": int,
    "video": bool,
    "prescription_name": str,
    "prescription_toml": str,
    "routine_id": str,
    "step_index": int,
    "set_index": int,
}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def export_session(store: SessionStore, session_id: str, out: str | os.PathLike[str]) -> Path:
    """Write the session's zip. A journal cut short at its end (a killed recording) is exported up to
    its last intact record, which is all any formcheck reads of it; a journal that import would refuse
    is not exported at all (one sentence says why)."""
    row = store.get_row(session_id)
    folder = store.sessions_dir / row.id
    files = [n for n in (JOURNAL_NAME, VIDEO_NAME) if (folder / n).is_file()]
    if JOURNAL_NAME not in files:
        raise FormcheckError(f"Session {row.id} has no journal file in {folder}; there is nothing to export.")
    try:
        contents = read_journal(folder / JOURNAL_NAME)
        journal = (folder / JOURNAL_NAME).read_bytes()[: contents.good_bytes]
    except (JournalError, OSError) as exc:
        raise FormcheckError(
            f"Session {row.id} cannot be exported: its journal cannot be read ({exc})."
        ) from None
    if contents.summary is None and row.status == "complete":
        raise FormcheckError(
            f"Session {row.id} cannot be exported: its journal file is damaged part-way and lost the end "
            f"of the session that this database still holds (see 'formcheck report {row.id}'), so another "
            "formcheck would get less than you see."
        )
    problem = journal_problem(contents, row.id)
    if problem is not None:
        raise FormcheckError(f"Session {row.id} cannot be exported: {problem}.")
    sizes = {JOURNAL_NAME: len(journal)}
    digests = {JOURNAL_NAME: hashlib.sha256(journal).hexdigest()}
    if VIDEO_NAME in files:
        sizes[VIDEO_NAME] = (folder / VIDEO_NAME).stat().st_size
        digests[VIDEO_NAME] = _sha256(folder / VIDEO_NAME)
    manifest = {
        "format": FORMAT,
        "version": MANIFEST_VERSION,
        "session_id": row.id,
        "patient": row.patient,
        "files": {n: {"size": sizes[n], "sha256": digests[n]} for n in files},
    }
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, json.dumps(manifest, indent=2))
            z.writestr(JOURNAL_NAME, journal)
            if VIDEO_NAME in files:
                z.write(folder / VIDEO_NAME, VIDEO_NAME, compress_type=zipfile.ZIP_STORED)
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
    if written != info.file_size:
        raise _bad(name, f"'{info.filename}' is shorter than its header says")


def _is(value: Any, kind: Any) -> bool:
    """``value`` fits the annotation ``kind`` (float, int, str, bool, X | None, tuple[str, ...])."""
    if kind is typing.Any:
        return True
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return any(_is(value, k) for k in typing.get_args(kind))
    if kind is type(None):
        return value is None
    if origin is tuple:
        return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e12
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 1e12
    if kind is str:
        return isinstance(value, str) and len(value) <= MAX_TEXT_CHARS
    if isinstance(kind, type):
        return isinstance(value, kind)
    return False


def _check_fields(d: Any, cls: type, what: str) -> None:
    if not isinstance(d, dict):
        raise ValueError(f"{what} is not a table")
    hints = typing.get_type_hints(cls)
    for key, value in d.items():
        if key == "type":
            continue
        if key not in hints or not _is(value, hints[key]):
            raise ValueError(f"{what} has a wrong '{key}'")


def _check_report(report: Any) -> None:
    """The summary report has the shape the review and the reports read (the JSON report schema)."""
    if not isinstance(report, dict) or not isinstance(report.get("reps"), list):
        raise ValueError("summary report malformed")
    for r in report["reps"]:
        _check_fields(r, ev.Rep, "a rep of the report")
    summary = report.get("summary")
    if not isinstance(summary, dict) or not _is(summary.get("good_reps"), int):
        raise ValueError("summary report has no count of good reps")
    for key in ("reps_by_side", "peak_deg_by_side", "best_peak_deg_by_side", "hold_s_by_side"):
        table = summary.get(key, {})
        if not isinstance(table, dict) or not all(
            _is(k, str) and _is(v, float | None) for k, v in table.items()
        ):
            raise ValueError(f"summary report's '{key}' malformed")
    for key in ("asymmetry_index_pct",):
        if not _is(summary.get(key), float | None):
            raise ValueError(f"summary report's '{key}' malformed")
    for key in ("faults", "setup"):
        items = report.get(key, [])
        if not isinstance(items, list):
            raise ValueError(f"summary report's '{key}' malformed")
        for i in items:
            _check_fields(i, ev.Interval, f"an interval of '{key}'")
    if not _is(report.get("asymmetry_text"), str | None):
        raise ValueError("summary report's asymmetry text malformed")
    notes = report.get("notes", [])
    if not isinstance(notes, list) or not all(_is(n, str) for n in notes):
        raise ValueError("summary report's notes malformed")


def journal_problem(contents: JournalContents, session_id: str) -> str | None:
    """Why another formcheck would refuse this journal (import and export ask the same), or None."""
    from formcheck.sessions.prescriptions import parse_prescription

    meta = contents.meta
    fmt = meta.get("format", 1)
    if not _is(fmt, int):
        return "its journal's header has a wrong 'format'"
    if fmt > FORMAT_VERSION:
        return (
            f"its journal is format {fmt}, newer than the format {FORMAT_VERSION} this formcheck reads "
            "(update formcheck to import it)"
        )
    for key, kind in META_TYPES.items():
        value = meta.get(key)
        if (
            not isinstance(value, kind)
            or isinstance(value, bool)
            or (isinstance(value, str) and len(value) > MAX_TEXT_CHARS)
        ):
            return f"its journal's header has a missing or wrong '{key}'"
    for key, kind in OPTIONAL_META_TYPES.items():
        value = meta.get(key)
        if value is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
            return f"its journal's header has a wrong '{key}'"
    if meta["session_id"] != session_id:
        return "its journal belongs to a different session than its manifest says"
    if not meta["patient"].strip():
        return "its journal names no patient"
    if not all(isinstance(v, str) for v in meta["signal_names"]):
        return "its journal's signal names are not all text"
    settings = meta["settings"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in settings.values()):
        return "its journal's settings are not all numbers"
    if meta["exercise"] not in available_exercises():
        # Never a path: a name from a file someone else wrote must not make us read a file of theirs.
        return (
            f"it records exercise '{meta['exercise'][:80]}', which this formcheck does not have "
            f"(it has {', '.join(available_exercises())})"
        )
    try:
        config = load_exercise(meta["exercise"], meta["variant"], known_only=True)
        # The settings it was judged by, each in its range (those this version knows).
        config.with_overrides({k: v for k, v in settings.items() if k in config.params})
    except FormcheckError as exc:
        return f"it records settings this formcheck does not accept ({exc.message.rstrip('.')})"
    if meta.get("prescription_toml") is not None:
        try:
            parse_prescription(
                meta["prescription_toml"], str(meta.get("prescription_name") or "prescription")
            )
        except FormcheckError as exc:
            return f"the prescription it carries is not valid ({exc.message.rstrip('.')})"
    try:
        for d in contents.events:
            cls = EVENT_TYPES.get(str(d.get("type"))) if isinstance(d, dict) else None
            if cls is None:
                raise ValueError("an event of unknown type")
            if cls is ev.RepCompleted:
                _check_fields(d.get("rep"), ev.Rep, "a rep")
                _check_fields({k: v for k, v in d.items() if k != "rep"}, cls, "an event")
            else:
                _check_fields(d, cls, "an event")
            event_from_dict(d)
        if contents.summary is not None:
            summary = contents.summary
            if not isinstance(summary.get("reps", []), list):
                raise ValueError("summary reps malformed")
            for d in summary.get("reps", []):
                _check_fields(d, ev.Rep, "a rep of the summary")
                rep_from_dict(d)
            _check_report(summary.get("report"))
            if summary.get("status", "complete") not in ("complete", "interrupted", "disk_full", "error"):
                raise ValueError("summary status unknown")
            if not _is(summary.get("duration_s", 0.0), float | None) or not _is(
                summary.get("message"), str | None
            ):
                raise ValueError("summary duration or message malformed")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"its journal holds malformed events or summary ({exc})"
    return None


def _validate_journal(path: Path, session_id: str, name: str) -> dict[str, Any]:
    try:
        contents = read_journal(path)
    except JournalError as exc:
        raise _bad(name, f"its journal is not readable ({exc})") from None
    problem = journal_problem(contents, session_id)
    if problem is not None:
        raise _bad(name, problem)
    if not contents.clean:
        raise _bad(name, "its journal is damaged part-way (a corrupt record)")
    return contents.meta


def import_session(store: SessionStore, zip_path: str | os.PathLike[str], replace: bool = False) -> str:
    """Validate and import; returns the session id. Nothing existing is touched unless ``replace``."""
    zip_path = Path(zip_path)
    name = zip_path.name
    if not zip_path.is_file():
        raise FormcheckError(f"No such file: {zip_path}. Check the path and try again.")
    try:
        z = zipfile.ZipFile(zip_path)
    except (OSError, *ZIP_DAMAGE) as exc:
        raise _bad(name, f"it is not a zip file ({exc})") from None
    try:
        with z:
            return _import_from(store, z, name, replace)
    except ZIP_DAMAGE as exc:
        # One flipped byte (a bad CRC), a member shorter or longer than its header says, a cut-off file.
        raise _bad(name, f"it is damaged ({exc})") from None


def _import_from(store: SessionStore, z: zipfile.ZipFile, name: str, replace: bool) -> str:
    staging: Path | None = None
    members = _check_members(z, name)
    try:
        manifest = json.loads(z.read(members[MANIFEST]))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _bad(name, "its manifest is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(name, "its manifest does not describe a formcheck session")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _bad(name, "its manifest has no valid format version")
    if version > MANIFEST_VERSION:
        raise _bad(
            name,
            f"it was written in export format {version}, newer than the format {MANIFEST_VERSION} this "
            "formcheck reads (update formcheck to import it)",
        )
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
