"""Local storage: one SQLite index (patients, prescriptions, sessions, reps, events) plus one folder per
session holding its journal (and its video, if the user turned video on).

The journals are the source of truth; the database is an index that can be rebuilt from them
(``SessionStore.rebuild``), so a damaged database loses nothing. Folders are 0700, files 0600, and
nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.events import Event, PainScore, Rep, RepCompleted
from formcheck.sessions.codec import event_from_dict, event_to_dict, rep_from_dict
from formcheck.sessions.journal import FORMAT_VERSION, FrameChunk, JournalContents, JournalError, read_journal

ENV_VAR = "FORMCHECK_DATA_DIR"
DB_NAME = "formcheck.db"
JOURNAL_NAME = "journal.fcj"
VIDEO_NAME = "video.mp4"
LOCK_NAME = "recording.lock"
RESERVE_NAME = "space.reserve"  # room a recorder holds back so a full disk can still be said and indexed
SCHEMA_VERSION = 1

STATUSES = ("recording", "complete", "interrupted", "disk_full", "error")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS patients (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS prescriptions (
    id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL REFERENCES patients(id),
    name TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, toml TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, patient_id INTEGER NOT NULL REFERENCES patients(id),
    prescription_id INTEGER REFERENCES prescriptions(id), routine_id TEXT, step_index INTEGER,
    set_index INTEGER, exercise TEXT NOT NULL, variant TEXT NOT NULL, kind TEXT NOT NULL,
    source TEXT NOT NULL, started_at TEXT NOT NULL, duration_s REAL, frames INTEGER,
    status TEXT NOT NULL, message TEXT, has_video INTEGER NOT NULL DEFAULT 0,
    settings TEXT NOT NULL, report TEXT, pain_before INTEGER, pain_after INTEGER);
CREATE INDEX IF NOT EXISTS sessions_by_patient ON sessions(patient_id, started_at);
CREATE TABLE IF NOT EXISTS reps (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    side TEXT, start_s REAL NOT NULL, peak_s REAL NOT NULL, end_s REAL, peak_deg REAL NOT NULL,
    hold_s REAL NOT NULL, complete INTEGER NOT NULL, result TEXT NOT NULL, faults TEXT NOT NULL,
    PRIMARY KEY (session_id, idx));
CREATE TABLE IF NOT EXISTS events (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
    t_s REAL NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (session_id, seq));
"""


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("formcheck", appauthor=False))


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where sessions live: ``--data-dir``, else $FORMCHECK_DATA_DIR, else the platform's user data folder."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return default_data_dir()


def _reason(exc: OSError | sqlite3.Error) -> str:
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "the disk is full"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "it is read-only or not yours"
        if exc.errno in (errno.ENOTDIR, errno.EEXIST):
            return "part of that path is a file, not a folder"
        return exc.strerror or str(exc)
    text = str(exc)
    if "full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "it is read-only"
    return text


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) with mode 0700, and tighten it if it already exists."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def done_at(started_at: str) -> float:
    """A session's ``started_at`` (ISO 8601, with its UTC offset; an old one without is local time) as
    seconds since the epoch, for ordering; an unreadable one sorts first."""
    try:
        return datetime.fromisoformat(started_at).timestamp()
    except ValueError:
        return float("-inf")


def new_session_id() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


@dataclass
class SessionRow:
    id: str
    patient: str
    exercise: str
    variant: str
    kind: str
    source: str
    started_at: str
    duration_s: float | None
    frames: int | None
    status: str
    message: str | None
    has_video: bool
    settings: dict[str, float]
    report: dict[str, Any] | None
    pain_before: int | None
    pain_after: int | None
    prescription_id: int | None
    routine_id: str | None
    step_index: int | None
    set_index: int | None

    def as_json(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["reps"] = len(self.report["reps"]) if self.report else None
        out["good_reps"] = self.report["summary"]["good_reps"] if self.report else None
        return out


@dataclass
class SessionData:
    """A session read back for review: the index row, reps, events, frames and the journal's metadata."""

    row: SessionRow
    reps: list[Rep]
    events: list[Event]
    frames: FrameChunk
    meta: dict[str, Any]
    folder: Path
    prescription_toml: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def video_path(self) -> Path | None:
        p = self.folder / VIDEO_NAME
        return p if self.row.has_video and p.exists() else None


class SessionStore:
    """The data folder: open it (creating it, checking the database, recovering crashed sessions)."""

    def __init__(self, root: str | os.PathLike[str], recover: bool = True, init_db: bool = True) -> None:
        root = Path(root)
        self.root = root
        self.db_path = root / DB_NAME
        self.sessions_dir = root / "sessions"
        try:
            make_private_dir(root)
            make_private_dir(self.sessions_dir)
        except OSError as exc:
            raise FormcheckError(
                f"Cannot use the data folder {root}: {_reason(exc)}; choose another with --data-dir "
                f"or {ENV_VAR}."
            ) from exc
        self.recovered: list[str] = []
        if not init_db:
            return
        with self._db() as db:
            db.executescript(_SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        if self.db_path.stat().st_mode & 0o077:
            self.db_path.chmod(0o600)
        if recover:
            self.recovered = self.recover()

    @classmethod
    def open(cls, override: str | os.PathLike[str] | None = None, recover: bool = True) -> SessionStore:
        return cls(data_dir(override), recover=recover)

    # --- the database -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection in one transaction; every failure becomes one clear sentence."""
        db: sqlite3.Connection | None = None
        try:
            fresh = not self.db_path.exists()
            db = sqlite3.connect(self.db_path, timeout=10.0)
            if fresh:
                self.db_path.chmod(0o600)
            db.execute("PRAGMA foreign_keys = ON")
            with db:
                yield db
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "not a database" in text or "malformed" in text or "corrupt" in text:
                raise FormcheckError(
                    f"The session database {self.db_path} is damaged; formcheck left it untouched: run "
                    f"'formcheck sessions rebuild' to set it aside and rebuild it from the session files."
                ) from exc
            raise FormcheckError(
                f"Cannot write the session database {self.db_path}: {_reason(exc)}; choose another data "
                f"folder with --data-dir or {ENV_VAR}."
            ) from exc
        except OSError as exc:
            raise FormcheckError(
                f"Cannot use the session database {self.db_path}: {_reason(exc)}; choose another data "
                f"folder with --data-dir or {ENV_VAR}."
            ) from exc
        finally:
            if db is not None:
                db.close()

    def _patient_id(self, db: sqlite3.Connection, name: str) -> int:
        db.execute("INSERT OR IGNORE INTO patients (name, created_at) VALUES (?, ?)", (name, now_iso()))
        return int(db.execute("SELECT id FROM patients WHERE name = ?", (name,)).fetchone()[0])

    def add_prescription(self, patient: str, name: str, toml_text: str) -> int:
        import hashlib

        digest = hashlib.sha256(toml_text.encode("utf-8")).hexdigest()
        with self._db() as db:
            pid = self._patient_id(db, patient)
            db.execute(
                "INSERT OR IGNORE INTO prescriptions (patient_id, name, sha256, toml, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (pid, name, digest, toml_text, now_iso()),
            )
            return int(db.execute("SELECT id FROM prescriptions WHERE sha256 = ?", (digest,)).fetchone()[0])

    def prescription_toml(self, prescription_id: int) -> str | None:
        with self._db() as db:
            row = db.execute("SELECT toml FROM prescriptions WHERE id = ?", (prescription_id,)).fetchone()
        return None if row is None else str(row[0])

    def patients(self) -> list[str]:
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT name FROM patients ORDER BY name")]

    def insert_session(self, meta: dict[str, Any]) -> None:
        """The row a recording starts with (status 'recording'); ``meta`` is the journal's M record."""
        with self._db() as db:
            pid = self._patient_id(db, meta["patient"])
            prescription_id = None
            if meta.get("prescription_toml"):
                import hashlib

                digest = hashlib.sha256(meta["prescription_toml"].encode("utf-8")).hexdigest()
                db.execute(
                    "INSERT OR IGNORE INTO prescriptions (patient_id, name, sha256, toml, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        pid,
                        meta.get("prescription_name") or "prescription",
                        digest,
                        meta["prescription_toml"],
                        now_iso(),
                    ),
                )
                prescription_id = db.execute(
                    "SELECT id FROM prescriptions WHERE sha256 = ?", (digest,)
                ).fetchone()[0]
            db.execute(
                "INSERT OR REPLACE INTO sessions (id, patient_id, prescription_id, routine_id, step_index, "
                "set_index, exercise, variant, kind, source, started_at, status, has_video, settings) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'recording', ?, ?)",
                (
                    meta["session_id"],
                    pid,
                    prescription_id,
                    meta.get("routine_id"),
                    meta.get("step_index"),
                    meta.get("set_index"),
                    meta["exercise"],
                    meta["variant"],
                    meta["kind"],
                    meta["source"],
                    meta["started_at"],
                    int(bool(meta.get("video"))),
                    json.dumps(meta["settings"]),
                ),
            )

    def finish_session(
        self,
        session_id: str,
        status: str,
        report: dict[str, Any] | None,
        reps: list[Rep],
        events: list[Event],
        duration_s: float,
        frames: int,
        message: str | None = None,
        has_video: bool | None = None,
    ) -> None:
        before = next((e.score for e in events if isinstance(e, PainScore) and e.when == "before"), None)
        after = next(
            (e.score for e in reversed(events) if isinstance(e, PainScore) and e.when != "before"), None
        )
        with self._db() as db:
            db.execute("DELETE FROM reps WHERE session_id = ?", (session_id,))
            db.execute("DELETE FROM events WHERE session_id = ?", (session_id,))
            db.executemany(
                "INSERT INTO reps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        session_id,
                        r.index,
                        r.side,
                        r.start_s,
                        r.peak_s,
                        r.end_s,
                        r.peak_deg,
                        r.hold_s,
                        int(r.complete),
                        r.result,
                        json.dumps(list(r.faults)),
                    )
                    for r in reps
                ],
            )
            db.executemany(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                [
                    (session_id, i, e.t_s, type(e).__name__, json.dumps(event_to_dict(e)))
                    for i, e in enumerate(events)
                ],
            )
            db.execute(
                "UPDATE sessions SET status = ?, report = ?, duration_s = ?, frames = ?, message = ?, "
                "pain_before = ?, pain_after = ?, has_video = COALESCE(?, has_video) WHERE id = ?",
                (
                    status,
                    None if report is None else json.dumps(report),
                    duration_s,
                    frames,
                    message,
                    before,
                    after,
                    None if has_video is None else int(has_video),
                    session_id,
                ),
            )

    def _row(self, r: sqlite3.Row | tuple[Any, ...]) -> SessionRow:
        (
            sid,
            patient,
            exercise,
            variant,
            kind,
            source,
            started,
            duration,
            frames,
            status,
            message,
            video,
            settings,
            report,
            before,
            after,
            prescription_id,
            routine_id,
            step,
            set_index,
        ) = r
        return SessionRow(
            id=sid,
            patient=patient,
            exercise=exercise,
            variant=variant,
            kind=kind,
            source=source,
            started_at=started,
            duration_s=duration,
            frames=frames,
            status=status,
            message=message,
            has_video=bool(video),
            settings=json.loads(settings),
            report=None if report is None else json.loads(report),
            pain_before=before,
            pain_after=after,
            prescription_id=prescription_id,
            routine_id=routine_id,
            step_index=step,
            set_index=set_index,
        )

    _SELECT = (
        "SELECT s.id, p.name, s.exercise, s.variant, s.kind, s.source, s.started_at, s.duration_s, s.frames, "
        "s.status, s.message, s.has_video, s.settings, s.report, s.pain_before, s.pain_after, "
        "s.prescription_id, s.routine_id, s.step_index, s.set_index "
        "FROM sessions s JOIN patients p ON p.id = s.patient_id"
    )

    def list_sessions(self, patient: str | None = None, exercise: str | None = None) -> list[SessionRow]:
        where, args = [], []
        if patient is not None:
            where.append("p.name = ?")
            args.append(patient)
        if exercise is not None:
            where.append("s.exercise = ?")
            args.append(exercise)
        sql = self._SELECT + (" WHERE " + " AND ".join(where) if where else "")
        with self._db() as db:
            rows = [self._row(r) for r in db.execute(sql, args)]
        # In the order they were done. Sorted on the instant, not the text: times carry their UTC offset
        # (a laptop that travelled, summer time) and text order would put 09:00+02:00 after 08:30+00:00.
        return sorted(rows, key=lambda r: (done_at(r.started_at), r.id))

    def last_recorded(self) -> str | None:
        """The session recorded most recently (not the one done last: an old file analysed today)."""
        with self._db() as db:
            got = db.execute("SELECT id FROM sessions ORDER BY rowid DESC LIMIT 1").fetchone()
        return None if got is None else str(got[0])

    def get_row(self, session_id: str) -> SessionRow:
        with self._db() as db:
            rows = db.execute(self._SELECT + " WHERE s.id = ?", (session_id,)).fetchall()
            if not rows:
                rows = db.execute(
                    self._SELECT + " WHERE s.id LIKE ? ORDER BY s.id", (session_id + "%",)
                ).fetchall()
        if len(rows) != 1:
            what = "No session" if not rows else f"{len(rows)} sessions"
            raise FormcheckError(
                f"{what} matches '{session_id}'; see 'formcheck sessions list' for the session ids."
            )
        return self._row(rows[0])

    def _indexed(self, row: SessionRow) -> tuple[list[Rep], list[Event], str | None]:
        """A session's reps, events and prescription as the database holds them."""
        with self._db() as db:
            reps = [
                Rep(i, side, a, b, c, d, e, bool(f), g, tuple(json.loads(h)))
                for (i, side, a, b, c, d, e, f, g, h) in db.execute(
                    "SELECT idx, side, start_s, peak_s, end_s, peak_deg, hold_s, complete, result, faults "
                    "FROM reps WHERE session_id = ? ORDER BY idx",
                    (row.id,),
                )
            ]
            events = [
                event_from_dict(json.loads(d))
                for (d,) in db.execute("SELECT data FROM events WHERE session_id = ? ORDER BY seq", (row.id,))
            ]
            toml = None
            if row.prescription_id is not None:
                r = db.execute(
                    "SELECT toml FROM prescriptions WHERE id = ?", (row.prescription_id,)
                ).fetchone()
                toml = r[0] if r else None
        return reps, events, toml

    def load(self, session_id: str) -> SessionData:
        row = self.get_row(session_id)
        reps, events, toml = self._indexed(row)
        folder = self.sessions_dir / row.id
        meta: dict[str, Any] = {}
        names: tuple[str, ...] = ()
        try:
            contents = read_journal(folder / JOURNAL_NAME)
            meta = contents.meta
            names = tuple(meta.get("signal_names", ()))
            frames = FrameChunk.concat(contents.chunks, names)
        except JournalError:
            frames = FrameChunk.empty(0, names)
        return SessionData(
            row=row, reps=reps, events=events, frames=frames, meta=meta, folder=folder, prescription_toml=toml
        )

    def delete_row(self, session_id: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    # --- recovery ---------------------------------------------------------------------------------

    def session_locked(self, folder: Path) -> bool:
        """True while a live recorder holds the session's lock (a crashed one holds nothing)."""
        lock = folder / LOCK_NAME
        if not lock.exists():
            return False
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)
        return False

    def recover(self) -> list[str]:
        """Index every session folder whose recording ended without closing (killed, power loss).

        The journal is read up to its last intact record; the session is marked 'interrupted' (or
        'complete' when only the database update was lost). Returns the recovered session ids.
        """
        with self._db() as db:
            known = {sid: status for sid, status in db.execute("SELECT id, status FROM sessions")}
        self.clean_staging()
        done = []
        for folder in self.session_folders():
            sid = folder.name
            if known.get(sid, "recording") != "recording" or self.session_locked(folder):
                continue
            if not (folder / JOURNAL_NAME).exists():
                continue
            try:
                self.index_journal(folder, interrupted_status="interrupted")
            except (JournalError, FormcheckError, KeyError, ValueError):
                continue  # unreadable: left in place for a person to look at, never deleted
            (folder / LOCK_NAME).unlink(missing_ok=True)
            done.append(sid)
        return done

    def index_journal(self, folder: Path, interrupted_status: str = "interrupted") -> str:
        """(Re)build a session's database rows from its journal; returns its status."""
        from formcheck.sessions.summary import report_from_journal

        contents: JournalContents = read_journal(folder / JOURNAL_NAME)
        meta = contents.meta
        if not meta.get("session_id"):
            raise JournalError("the journal has no session header")
        fmt = meta.get("format", 1)
        if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
            raise JournalError(
                f"the journal is format {fmt}, newer than the {FORMAT_VERSION} this formcheck reads"
            )
        meta = dict(meta, session_id=folder.name)
        events = [event_from_dict(d) for d in contents.events]
        reps = [e.rep for e in events if isinstance(e, RepCompleted)]
        frames = FrameChunk.concat(contents.chunks, tuple(meta.get("signal_names", ())))
        n = len(frames)
        if contents.summary is not None:
            report = contents.summary.get("report")
            status = contents.summary.get("status", "complete")
            message = contents.summary.get("message")
            duration = float(contents.summary.get("duration_s") or 0.0)
            reps = [rep_from_dict(d) for d in contents.summary.get("reps", [])] or reps
        else:
            report = report_from_journal(meta, reps, events, frames)
            status = interrupted_status
            last = float(frames.t_s[-1]) if n else 0.0
            duration = last + (1.0 / float(meta.get("fps") or 30.0) if n else 0.0)
            message = f"The recording was cut off at {last:.1f} s (the program stopped); kept up to there."
        self.insert_session(meta)
        self.finish_session(
            folder.name,
            status,
            report,
            reps,
            events,
            duration,
            n,
            message,
            has_video=(folder / VIDEO_NAME).exists(),
        )
        return status

    def rebuild(self) -> tuple[Path | None, int]:
        """Set the database aside (never deleted) and index every session folder anew."""
        moved = None
        old = self._salvage()
        if self.db_path.exists():
            moved = self.db_path.with_name(f"{DB_NAME}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            os.replace(self.db_path, moved)
        for suffix in ("-journal", "-wal", "-shm"):
            side = self.db_path.with_name(DB_NAME + suffix)
            if side.exists():
                os.replace(side, side.with_name(side.name + ".damaged"))
        with self._db() as db:
            db.executescript(_SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        self.clean_staging()
        count = 0
        for folder in self.session_folders():
            if (folder / JOURNAL_NAME).exists() and not self.session_locked(folder):
                try:
                    kept = old.get(folder.name)
                    contents = read_journal(folder / JOURNAL_NAME)
                    if kept is not None and contents.summary is None and kept[0].status != "interrupted":
                        # The journal lost its end (damaged), the old database still has the whole
                        # session: keep that record rather than make it a shorter, interrupted one.
                        self._restore(*kept)
                    else:
                        self.index_journal(folder)
                    count += 1
                except (JournalError, FormcheckError, KeyError, ValueError):
                    continue
        return moved, count

    def _salvage(self) -> dict[str, tuple[SessionRow, list[Rep], list[Event], str | None]]:
        """What the database holds of every finished session, read before it is set aside (nothing
        when it cannot be read: a damaged database is what a rebuild is usually for)."""
        out: dict[str, tuple[SessionRow, list[Rep], list[Event], str | None]] = {}
        if not self.db_path.exists():
            return out
        try:
            for row in self.list_sessions():
                if row.status != "recording":
                    out[row.id] = (row, *self._indexed(row))
        except (FormcheckError, sqlite3.Error, ValueError, KeyError, TypeError):
            return {}
        return out

    def _restore(self, row: SessionRow, reps: list[Rep], events: list[Event], toml: str | None) -> None:
        meta = {
            "session_id": row.id,
            "patient": row.patient,
            "exercise": row.exercise,
            "variant": row.variant,
            "kind": row.kind,
            "source": row.source,
            "started_at": row.started_at,
            "settings": row.settings,
            "video": row.has_video,
            "prescription_toml": toml,
            "routine_id": row.routine_id,
            "step_index": row.step_index,
            "set_index": row.set_index,
        }
        self.insert_session(meta)
        self.finish_session(
            row.id,
            row.status,
            row.report,
            reps,
            events,
            row.duration_s or 0.0,
            row.frames or 0,
            row.message,
            has_video=row.has_video,
        )
        with self._db() as db:
            db.execute(
                "UPDATE sessions SET pain_before = ?, pain_after = ? WHERE id = ?",
                (row.pain_before, row.pain_after, row.id),
            )

    def session_folders(self) -> list[Path]:
        """The session folders, never an import's staging folder or a replaced session set aside."""
        return sorted(p for p in self.sessions_dir.iterdir() if p.is_dir() and not p.name.startswith("."))

    def clean_staging(self) -> None:
        """Undo what an import stopped part-way left (killed before its last rename): a staging folder
        of a process that is gone is removed (the zip still holds it all); a session set aside by
        --replace whose new copy never arrived is put back."""
        live: set[str] = set()
        for p in self.sessions_dir.glob(".import-*"):
            sid, _, pid = p.name.removeprefix(".import-").rpartition("-")
            if pid.isdigit() and _alive(int(pid)):
                live.add(sid)
            else:
                shutil.rmtree(p, ignore_errors=True)
        for p in self.sessions_dir.glob(".replaced-*"):
            sid = p.name.removeprefix(".replaced-")
            if sid in live:
                continue  # an import is between its renames right now
            target = self.sessions_dir / sid
            if target.exists():
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.replace(p, target)

    def remove_session_files(self, session_id: str) -> None:
        shutil.rmtree(self.sessions_dir / session_id, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def rebuild_index(root: Path) -> tuple[Path | None, int]:
    """Set a (damaged) database aside and rebuild it from the session folders, without opening it first."""
    return SessionStore(root, recover=False, init_db=False).rebuild()
