"""The session recorder: a pipeline ``Sink`` that writes every frame's landmarks and every event to the
session's journal as they happen, and indexes the session in the database when it ends.

``on_frame`` runs on the pipeline thread, so it only copies a few small arrays into a preallocated
chunk. A background thread writes what has accumulated every ``flush_interval_s`` (default 0.25 s)
and fsyncs at least every ``sync_interval_s`` (1 s): a killed program loses at most the last
fraction of a second. If the disk fills up, recording stops cleanly, ``problem`` says so in one
sentence, and everything already written is kept.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import queue
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.events import Event, FrameUpdate, RepCompleted
from formcheck.measurements import SIGNAL_NAMES
from formcheck.sessions.codec import event_from_dict, event_to_dict, rep_to_dict
from formcheck.sessions.journal import (
    FORMAT_VERSION,
    LANDMARKS,
    FrameChunk,
    JournalError,
    JournalWriter,
    encode_json,
    encode_record,
    read_journal,
)
from formcheck.sessions.storage import (
    JOURNAL_NAME,
    LOCK_NAME,
    RESERVE_NAME,
    VIDEO_NAME,
    SessionStore,
    _reason,
    make_private_dir,
    new_session_id,
    now_iso,
)
from formcheck.spec import ExerciseConfig
from formcheck.video.sources import Frame

CHUNK_FRAMES = 32
# Held back on the disk while recording and let go when it fills, so that what happened can still be
# written: the journal's closing summary (status disk_full) and the database's row.
RESERVE_BYTES = 1 << 20
VIDEO_QUEUE_FRAMES = 90
# The longest gap between pictures filled with copies of the one before (longer: the video runs short).
MAX_VIDEO_FILL_S = 5.0
DEFAULT_PATIENT = "me"


def _write_reserve(path: Path) -> None:
    """Take RESERVE_BYTES of real disk (allocated, not a sparse hole) for the moment the disk fills."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            os.posix_fallocate(fd, 0, RESERVE_BYTES)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                raise
            left = memoryview(b"\0" * RESERVE_BYTES)  # a file system without fallocate: write it
            while left:
                n = os.write(fd, left)
                if n <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)) from None
                left = left[n:]
    except OSError:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def recording_began(video: str | Path, duration_s: float) -> datetime:
    """When a video file's recording began, the clock its frame times count from.

    The rule: the container's ``creation_time`` (what cameras and phones write when they start
    recording) if it has one and it reads as a time; else the file's modification time less its
    length (a recorder writes the file until the recording ends); else now less its length. Local time,
    with its UTC offset."""
    import av

    with contextlib.suppress(Exception):  # no metadata, unreadable container, odd text: the next rule
        with av.open(str(video)) as container:
            text = str(container.metadata.get("creation_time", "")).strip()
        if text:
            began = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if began.tzinfo is None:
                began = began.replace(tzinfo=UTC)  # MP4 creation times are UTC
            if began.year > 1970:  # 0 in the header (1904/1970) means "not set"
                return began.astimezone()
    try:
        end = os.stat(video).st_mtime
    except OSError:
        end = time.time()
    return datetime.fromtimestamp(end - duration_s).astimezone()


def done_at_iso(began: datetime, t_s: float) -> str:
    """``started_at`` of what was done ``t_s`` into a recording that began at ``began``."""
    return (began + timedelta(seconds=max(0.0, t_s))).isoformat(timespec="seconds")


def new_sitting_id() -> str:
    """The id the sessions of one sitting share (a prescription's routine, an auto-mode window, one
    recording of several exercises); stored as ``routine_id``."""
    return "routine-" + secrets.token_hex(4)


class Recorder:
    """Records one pipeline run as one session. Use as a sink: ``run(..., sinks=(recorder,))``.

    ``open_journal`` lets a test open the journal file itself (for example one
    that raises ENOSPC). ``on_problem`` is called (from the writer thread) with one sentence when
    recording has to stop; the pipeline itself keeps running.
    """

    def __init__(
        self,
        store: SessionStore,
        config: ExerciseConfig,
        *,
        source_name: str,
        fps: float,
        kind: str = "live",
        patient: str | None = None,
        video: bool = False,
        prescription_name: str | None = None,
        prescription_toml: str | None = None,
        routine_id: str | None = None,
        step_index: int | None = None,
        set_index: int | None = None,
        flush_interval_s: float = 0.25,
        sync_interval_s: float = 1.0,
        open_journal: Callable[[Path], BinaryIO] | None = None,
        on_problem: Callable[[str], None] | None = None,
        started_at: str | None = None,
    ) -> None:
        """``started_at`` (ISO 8601) is when the exercise was done, if not now (a recording's segment)."""
        self.store = store
        self.config = config
        self.session_id = new_session_id()
        self.folder = store.sessions_dir / self.session_id
        self.signal_names = tuple(dict.fromkeys(SIGNAL_NAMES[config.spec.measurement]))
        self.video = video
        self._live = kind == "live"
        self.fps = fps
        self.problem: str | None = None
        self.disk_full = False
        self.on_problem = on_problem
        self.frames_recorded = 0
        self.on_frame_s = 0.0
        self._flush_interval_s = flush_interval_s
        self._sync_interval_s = sync_interval_s
        self._lock = threading.Lock()
        self._chunk = FrameChunk.empty(CHUNK_FRAMES, self.signal_names)
        self._n = 0
        self._events: list[Event] = []
        self._pending: list[tuple[bytes, Any]] = []
        self._all_events: list[Event] = []
        self._checker_events = 0
        self._stopped = False
        self._closed = False
        self._written_t_s = 0.0
        self._last_sync = time.monotonic()
        self._video_count = 0  # the video's frames so far, the copies that keep its time included
        self._video_t0: float | None = None
        self._video_queue: queue.Queue[tuple[np.ndarray, int] | None] | None = None
        self._video_thread: threading.Thread | None = None
        self._video_error: str | None = None
        self.meta: dict[str, Any] = {
            "session_id": self.session_id,
            "format": FORMAT_VERSION,
            "patient": (patient or DEFAULT_PATIENT).strip() or DEFAULT_PATIENT,
            "exercise": config.spec.name,
            "variant": config.variant.name,
            "sides": config.variant.sides,
            "settings": {k: float(config.params[k]) for k in sorted(config.params)},
            "kind": kind,
            "source": source_name,
            "fps": float(fps),
            "started_at": started_at or now_iso(),
            "signal_names": list(self.signal_names),
            "video": bool(video),
            "prescription_name": prescription_name,
            "prescription_toml": prescription_toml,
            "routine_id": routine_id,
            "step_index": step_index,
            "set_index": set_index,
        }
        self._lock_fd: int | None = None
        try:
            make_private_dir(self.folder)
            self._lock_fd = os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            _write_reserve(self.folder / RESERVE_NAME)
            path = self.folder / JOURNAL_NAME
            self._journal = JournalWriter(path, open_journal(path) if open_journal else None)
            self._journal.append(encode_json(b"M", self.meta))
            self._journal.sync()
        except OSError as exc:
            self._release_lock()
            (self.folder / RESERVE_NAME).unlink(missing_ok=True)
            raise FormcheckError(
                f"Cannot start recording in {self.folder}: {_reason(exc)}; free some space or choose another "
                f"data folder with --data-dir."
            ) from exc
        store.insert_session(self.meta)
        if video:
            self._video_queue = queue.Queue(maxsize=VIDEO_QUEUE_FRAMES)
            self._video_thread = threading.Thread(
                target=self._video_loop, name="formcheck-video", daemon=True
            )
            self._video_thread.start()
        self._wake = threading.Event()
        self._writer = threading.Thread(target=self._writer_loop, name="formcheck-recorder", daemon=True)
        self._writer.start()

    # --- the pipeline thread: cheap --------------------------------------------------------------

    def on_frame(self, frame: Frame, update: FrameUpdate) -> None:
        t0 = time.perf_counter()
        pose = update.pose
        video_i = -1
        if self._video_queue is not None and not self._stopped:
            slot = self._video_slot(pose.t_s)
            try:
                # Live: never hold up the camera (a dropped picture keeps its landmarks). Files: keep all.
                self._video_queue.put((frame.bgr(), slot), block=not self._live)
                video_i = slot
                self._video_count = slot + 1
            except queue.Full:
                pass
        with self._lock:
            if self._stopped:
                return
            c, i = self._chunk, self._n
            c.t_s[i] = pose.t_s
            c.index[i] = pose.index
            c.found[i] = pose.person_found
            c.signal[i] = update.state.signal_deg
            m = update.state.measurements
            for j, name in enumerate(self.signal_names):
                c.measurements[i, j] = m.get(name, np.nan)
            c.xy[i] = pose.xy_px
            c.vis[i] = pose.visibility
            if pose.world_m is not None:
                if c.world is None:
                    c.world = np.full((len(c.t_s), LANDMARKS, 3), np.nan, np.float32)
                c.world[i] = pose.world_m
            c.video_index[i] = video_i
            if update.events:
                self._events.extend(update.events)
                self._all_events.extend(update.events)
                self._checker_events += len(update.events)
            self._n += 1
            self.frames_recorded += 1
            if self._n == CHUNK_FRAMES:
                self._seal()
        self.on_frame_s += time.perf_counter() - t0

    def _video_slot(self, t_s: float) -> int:
        """Where this frame goes in the video: the frame of the video's constant rate nearest its own
        time, never before the next free one. A gap (a camera that slowed down in low light, a phone's
        dropped frames, a picture the queue had no room for) is filled with copies of the picture
        before it, up to MAX_VIDEO_FILL_S, so the video plays at the speed it was recorded everywhere,
        and the review's frame numbers still find each picture."""
        if self._video_t0 is None:
            self._video_t0 = t_s
        due = int(round((t_s - self._video_t0) * self.fps))
        return self._video_count + min(max(0, due - self._video_count), int(MAX_VIDEO_FILL_S * self.fps))

    def on_event(self, event: Event) -> None:
        """Events from the person (pain stop, pain scores), from any thread."""
        with self._lock:
            if self._stopped:
                return
            self._events.append(event)
            self._all_events.append(event)

    def _seal(self) -> None:
        """Move the current chunk and its events to the write queue. Caller holds the lock."""
        if self._n:
            self._pending.append((b"F", self._chunk.head(self._n)))
            self._chunk = FrameChunk.empty(CHUNK_FRAMES, self.signal_names)
            self._n = 0
        if self._events:
            self._pending.append((b"E", self._events))
            self._events = []

    # --- the writer thread -----------------------------------------------------------------------

    def _writer_loop(self) -> None:
        while not self._wake.wait(self._flush_interval_s):
            self._flush()
        self._flush()

    def _flush(self, force_sync: bool = False) -> None:
        with self._lock:
            if self._stopped:
                return
            self._seal()
            pending, self._pending = self._pending, []
        try:
            for kind, item in pending:
                if kind == b"F":
                    self._journal.append(encode_record(b"F", item.encode()))
                    self._written_t_s = float(item.t_s[-1])
                else:
                    self._journal.append(encode_json(b"E", [event_to_dict(e) for e in item]))
            now = time.monotonic()
            if force_sync or now - self._last_sync >= self._sync_interval_s:
                self._journal.sync()
                self._last_sync = now
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        with self._lock:
            self._stopped = True
            self._pending.clear()
        self.disk_full = exc.errno == errno.ENOSPC
        if self.disk_full:
            self.problem = (
                "Recording stopped because the disk is full; the session is kept up to "
                f"{self._written_t_s:.1f} s."
            )
        else:
            self.problem = (
                f"Recording stopped: cannot write {self.folder} ({_reason(exc)}); the session is kept up to "
                f"{self._written_t_s:.1f} s."
            )
        with contextlib.suppress(OSError):
            self._journal.close()
        if self.on_problem is not None:
            self.on_problem(self.problem)

    def _video_loop(self) -> None:
        import cv2

        assert self._video_queue is not None
        writer = None
        path = self.folder / VIDEO_NAME
        written, previous = 0, None
        while True:
            item = self._video_queue.get()
            if item is None:
                break
            if self._video_error:
                continue
            image, slot = item
            if writer is None:
                h, w = image.shape[:2]
                fourcc = cv2.VideoWriter_fourcc(*"mp4v")  # type: ignore[attr-defined]
                writer = cv2.VideoWriter(str(path), fourcc, self.fps, (w, h))
                if not writer.isOpened():
                    self._video_error = "the video could not be written (no mp4 encoder)"
                    continue
                with contextlib.suppress(OSError):
                    path.chmod(0o600)
            while previous is not None and written < slot:  # the time since the last picture
                writer.write(previous)
                written += 1
            writer.write(image)
            written, previous = written + 1, image
        if writer is not None:
            writer.release()

    # --- the end ---------------------------------------------------------------------------------

    def _stop_threads(self) -> None:
        self._wake.set()
        self._writer.join()
        if self._video_queue is not None and self._video_thread is not None:
            self._video_queue.put(None)
            self._video_thread.join()

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
            (self.folder / LOCK_NAME).unlink(missing_ok=True)

    def close(self, result: Any) -> None:
        """Write the tail events and the summary, then index the session. ``result``: AnalysisResult."""
        from formcheck.report import build_report

        if self._closed:
            return
        self._closed = True
        self._stop_threads()
        try:
            if self.problem is None:
                with self._lock:
                    tail = list(result.events[self._checker_events :])
                    self._events.extend(tail)
                    self._all_events.extend(tail)
                self._flush(force_sync=True)
            if self.problem is None:
                report = build_report(result)
                span = getattr(result, "segment_span", None)
                if span is not None:  # one exercise of a recording: its span there, as the text gives it
                    report.update(start_s=round(span[0], 2), end_s=round(span[1], 2))
                message = result.error.message if result.error is not None else None
                summary = {
                    "status": "complete",
                    "message": message,
                    "report": report,
                    "reps": [rep_to_dict(r) for r in result.reps],
                    "duration_s": result.duration_s,
                    "frames": result.frames,
                    "recorder_us_per_frame": 1e6 * self.on_frame_s / max(1, self.frames_recorded),
                    "video_problem": self._video_error,
                    "ended_at": now_iso(),
                }
                try:
                    self._journal.append(encode_json(b"S", summary))
                    self._journal.append(encode_record(b"Z", b""))
                    self._journal.sync()
                    self._journal.close()
                except OSError as exc:
                    self._fail(exc)
            if self.problem is None:
                self.store.finish_session(
                    self.session_id,
                    "complete",
                    report,
                    list(result.reps),
                    self._all_events,
                    result.duration_s,
                    result.frames,
                    message,
                    has_video=self._has_video(),
                )
            else:
                self._index_what_was_kept()
        finally:
            self._release_lock()
            (self.folder / RESERVE_NAME).unlink(missing_ok=True)

    def abort(self, reason: str = "The session ended unexpectedly") -> None:
        """End without a pipeline result (the pipeline raised): keep what was written, as 'interrupted'."""
        if self._closed:
            return
        self._closed = True
        self._stop_threads()
        try:
            self._flush(force_sync=True)
            if self.problem is None:
                with contextlib.suppress(OSError):
                    self._journal.close()
                self.problem = f"{reason}; the session is kept up to {self._written_t_s:.1f} s."
            self._index_what_was_kept(status="interrupted")
        finally:
            self._release_lock()
            (self.folder / RESERVE_NAME).unlink(missing_ok=True)

    def discard(self) -> None:
        """Throw the session away, files and index row (a replay restarted by a seek records anew)."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            self._stopped = True
        self._stop_threads()
        with contextlib.suppress(OSError):
            self._journal.close()
        self._release_lock()
        with contextlib.suppress(FormcheckError):
            self.store.delete_row(self.session_id)
        self.store.remove_session_files(self.session_id)

    def _index_what_was_kept(self, status: str = "disk_full") -> None:
        if self.disk_full:
            status = "disk_full"
        elif self.problem and status == "disk_full":
            status = "error"
        if self.disk_full:
            # Let go of the room held back, then close the journal with what happened: the status
            # survives in the source of truth even if the database cannot be written now.
            (self.folder / RESERVE_NAME).unlink(missing_ok=True)
            with contextlib.suppress(OSError, JournalError, ValueError, KeyError, TypeError):
                self._close_journal_after(status)
        with contextlib.suppress(FormcheckError, OSError, ValueError, KeyError):
            self.store.index_journal(self.folder, interrupted_status=status)
            with self.store._db() as db:
                db.execute("UPDATE sessions SET message = ? WHERE id = ?", (self.problem, self.session_id))
        # If even the database cannot be written (a full disk), the next start recovers the journal.

    def _close_journal_after(self, status: str) -> None:
        """Cut the torn last record off the journal and append a summary saying why it ends here."""
        from formcheck.sessions.summary import report_from_journal

        path = self.folder / JOURNAL_NAME
        contents = read_journal(path)
        os.truncate(path, contents.good_bytes)
        meta = contents.meta
        events = [event_from_dict(d) for d in contents.events]
        reps = [e.rep for e in events if isinstance(e, RepCompleted)]
        frames = FrameChunk.concat(contents.chunks, tuple(meta.get("signal_names", ())))
        n = len(frames)
        summary = {
            "status": status,
            "message": self.problem,
            "report": report_from_journal(meta, reps, events, frames),
            "reps": [rep_to_dict(r) for r in reps],
            "duration_s": (float(frames.t_s[-1]) + 1.0 / self.fps) if n else 0.0,
            "frames": n,
            "ended_at": now_iso(),
        }
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        with os.fdopen(fd, "wb", buffering=0) as f:
            f.write(encode_json(b"S", summary) + encode_record(b"Z", b""))
            os.fsync(f.fileno())

    def _has_video(self) -> bool:
        return self.video and self._video_error is None and (self.folder / VIDEO_NAME).exists()

    @property
    def journal_path(self) -> Path:
        return self.folder / JOURNAL_NAME

    @property
    def bytes_written(self) -> int:
        return self._journal.bytes_written
