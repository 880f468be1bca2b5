"""Recording and storage: round trip, crash recovery (a real SIGKILL), damaged database, read-only
folder, full disk, permissions."""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from test_sessions_support import run_synthetic

from formcheck.errors import FormcheckError
from formcheck.events import PainScore, PainStop, RepCompleted
from formcheck.report import build_report, side_keys, summarize
from formcheck.sessions.codec import event_from_dict, event_to_dict
from formcheck.sessions.journal import MAGIC, read_journal
from formcheck.sessions.recorder import Recorder
from formcheck.sessions.storage import DB_NAME, ENV_VAR, SessionStore, data_dir, rebuild_index
from formcheck.spec import load_exercise

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def config(**settings: float):
    return load_exercise("knee_to_chest", "single", settings or {"hold_s": 3.0})


def record(store: SessionStore, patient: str = "Ann", world: bool = False, **kw):
    rec = Recorder(store, config(), source_name="synthetic", fps=30.0, kind="replay", patient=patient, **kw)
    rec.on_event(PainScore(0.0, "before", 3))
    result = run_synthetic([rec], world=world)
    rec.on_event(PainScore(result.duration_s, "after", 2))
    return rec, result


def test_recorded_session_reopens_with_the_same_reps_events_and_summary(tmp_path):
    store = SessionStore(tmp_path / "data")
    rec, result = record(store, world=True)
    data = SessionStore(tmp_path / "data").load(rec.session_id)
    assert data.row.status == "complete"
    assert data.reps == result.reps and len(result.reps) == 2
    assert data.row.report == build_report(result)
    assert summarize(data.reps, side_keys("either"), 15.0) == build_report(result)["summary"]
    checker_events = [e for e in data.events if not isinstance(e, PainScore)]
    assert checker_events == result.events
    assert data.row.pain_before == 3
    assert len(data.frames) == result.frames
    assert data.frames.t_s.tolist() == result.series_t_s
    assert data.frames.world is not None and data.frames.world.shape == (result.frames, 33, 3)
    for j, name in enumerate(data.frames.signal_names):
        assert data.frames.measurements[:, j] == pytest.approx(result.series[name], nan_ok=True, rel=1e-6)


def test_pain_score_after_closing_is_kept_only_if_given_before_close(tmp_path):
    store = SessionStore(tmp_path)
    rec = Recorder(store, config(), source_name="s", fps=30.0)
    rec.on_event(PainScore(0.0, "before", 4))
    result = run_synthetic([rec])
    row = store.get_row(rec.session_id)
    assert (row.pain_before, row.pain_after) == (4, None)
    assert row.report["reps"] == build_report(result)["reps"]


def test_events_round_trip_through_json():
    result = run_synthetic()
    for e in [*result.events, PainStop(3.0, 7, "sharp"), PainScore(1.0, "after", 5)]:
        assert event_from_dict(json.loads(json.dumps(event_to_dict(e)))) == e


def test_folders_are_0700_and_files_0600(tmp_path):
    store = SessionStore(tmp_path / "data")
    rec, _ = record(store)
    for path in (store.root, store.sessions_dir, rec.folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in (store.db_path, rec.journal_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_data_dir_comes_from_flag_then_environment_then_platform(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert data_dir() == tmp_path / "env"
    monkeypatch.delenv(ENV_VAR)
    assert "formcheck" in str(data_dir())


def test_recording_overhead_is_a_few_microseconds_per_frame(tmp_path):
    rec, result = record(SessionStore(tmp_path))
    per_frame_us = 1e6 * rec.on_frame_s / rec.frames_recorded
    assert per_frame_us < 200, per_frame_us  # generous: shared CI cores


def test_a_cut_short_journal_reads_up_to_its_last_intact_record(tmp_path):
    store = SessionStore(tmp_path)
    rec, result = record(store)
    data = rec.journal_path.read_bytes()
    full = read_journal(rec.journal_path)
    assert full.ended and full.clean
    cut = tmp_path / "cut.fcj"
    cut.write_bytes(data[: len(data) - 40])
    partial = read_journal(cut)
    assert not partial.ended and not partial.clean and partial.summary is None
    assert sum(len(c) for c in partial.chunks) == result.frames  # only the summary record was cut
    garbage = tmp_path / "garbage.fcj"
    garbage.write_bytes(data[:2000] + b"\xff" * 50 + data[2050:])
    assert sum(len(c) for c in read_journal(garbage).chunks) < result.frames


CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {tests!r})
    from test_sessions_support import run_synthetic, knee_script
    from formcheck.sessions.recorder import Recorder
    from formcheck.sessions.storage import SessionStore
    from formcheck.spec import load_exercise

    class Announce:
        def on_frame(self, frame, update):
            now = time.monotonic()
            for e in update.events:
                print("EVENT", now, type(e).__name__, repr(e.t_s), flush=True)
            print("FRAME", now, repr(update.pose.t_s), flush=True)
        def on_event(self, event): pass
        def close(self, result): pass

    store = SessionStore({data!r})
    rec = Recorder(store, load_exercise("knee_to_chest", "single", {{"hold_s": 3.0}}),
                   source_name="synthetic", fps=30.0, kind="live", patient="Ann")
    print("SESSION", rec.session_id, flush=True)
    run_synthetic([rec, Announce()], script=knee_script(40.0), pace=8.0)
    """
)


def test_sigkill_mid_session_is_recovered_up_to_the_last_second(tmp_path):
    data = tmp_path / "data"
    script = CHILD.format(tests=str(TESTS), data=str(data))
    child = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    lines: list[str] = []
    session_id = None
    assert child.stdout is not None
    while True:
        line = child.stdout.readline()
        assert line, "the recording child ended early"
        lines.append(line)
        if line.startswith("SESSION"):
            session_id = line.split()[1]
        if (
            line.startswith("EVENT")
            and "RepCompleted" in line
            and sum("RepCompleted" in x for x in lines) == 2
        ):
            break  # two reps done; kill in the middle of the next stretch
    time.sleep(0.7)
    os.kill(child.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    child.wait()
    lines += child.stdout.read().splitlines()

    # The dead child's lock is gone with it: opening the store recovers the session.
    store = SessionStore(data)
    assert session_id in store.recovered
    got = store.load(session_id)
    assert got.row.status == "interrupted"
    assert "cut off" in (got.row.message or "")
    announced = [ln.split() for ln in lines if ln.startswith("EVENT")]
    before_last_second = [(name, float(t)) for _, w, name, t in announced if float(w) <= killed_at - 1.0]
    recovered = [(type(e).__name__, e.t_s) for e in got.events]
    assert len(before_last_second) >= 5
    assert recovered[: len(before_last_second)] == before_last_second
    frames_before = [
        float(ln.split()[2])
        for ln in lines
        if ln.startswith("FRAME") and float(ln.split()[1]) <= killed_at - 1.0
    ]
    assert got.frames.t_s[-1] >= frames_before[-1]
    assert [r.index for r in got.reps] == [1, 2]
    assert got.row.report is not None and len(got.row.report["reps"]) == 2
    # A second start finds nothing more to recover and keeps the session as it is.
    assert SessionStore(data).recovered == []


def test_a_session_still_recording_in_another_process_is_not_recovered(tmp_path):
    store = SessionStore(tmp_path)
    rec = Recorder(store, config(), source_name="s", fps=30.0)
    assert SessionStore(tmp_path).recovered == []
    assert store.get_row(rec.session_id).status == "recording"
    rec.abort("Stopped by the test")
    row = store.get_row(rec.session_id)
    assert row.status == "interrupted" and "Stopped by the test" in row.message


def test_damaged_database_gives_one_sentence_and_rebuild_loses_nothing(tmp_path):
    store = SessionStore(tmp_path)
    rec, result = record(store)
    original = store.db_path.read_bytes()
    store.db_path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(FormcheckError, match="damaged.*sessions rebuild") as info:
        SessionStore(tmp_path)
    assert "\n" not in info.value.message
    assert store.db_path.read_bytes() == b"this is not a database" * 100  # left untouched
    assert original  # (the original was a real database)
    moved, count = rebuild_index(tmp_path)
    assert moved is not None and moved.exists() and count == 1
    again = SessionStore(tmp_path).load(rec.session_id)
    assert again.reps == result.reps and again.row.status == "complete"
    assert again.row.report == build_report(result)


def test_read_only_data_folder_gives_one_clear_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(FormcheckError, match="Cannot use the data folder .*--data-dir") as info:
        SessionStore(blocker / "data")
    assert "\n" not in info.value.message
    # A folder the database cannot be created in (its name is taken by a folder).
    root = tmp_path / "data"
    (root / DB_NAME).mkdir(parents=True)
    with pytest.raises(FormcheckError, match="session database"):
        SessionStore(root)


class FullDisk(io.RawIOBase):
    """A journal file that takes ``room`` bytes and then fails as a full disk does."""

    def __init__(self, path: Path, room: int) -> None:
        self._f = open(path, "wb", buffering=0)  # noqa: SIM115
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = min(len(data), self.room)
        self._f.write(bytes(data[:n]))
        self.room -= n
        return n

    def fileno(self) -> int:
        return self._f.fileno()

    def close(self) -> None:
        self._f.close()
        super().close()


def test_full_disk_stops_recording_cleanly_and_keeps_what_was_written(tmp_path):
    store = SessionStore(tmp_path)
    problems: list[str] = []
    rec = Recorder(
        store,
        config(),
        source_name="s",
        fps=30.0,
        on_problem=problems.append,
        open_journal=lambda path: FullDisk(path, 200_000),
        flush_interval_s=0.01,
    )
    result = run_synthetic([rec])  # the pipeline itself runs to the end
    assert result.frames == 630 and len(result.reps) == 2
    assert problems and problems[0].startswith("Recording stopped because the disk is full")
    assert problems[0].count(".") == 2  # one sentence ("12.3 s.")
    row = store.get_row(rec.session_id)
    assert row.status == "disk_full" and row.message == problems[0]
    kept = read_journal(rec.journal_path)
    assert kept.meta["session_id"] == rec.session_id
    n_kept = sum(len(c) for c in kept.chunks)
    assert 0 < n_kept < result.frames and row.frames == n_kept


def test_journal_file_starts_with_magic(tmp_path):
    rec, _ = record(SessionStore(tmp_path))
    assert rec.journal_path.read_bytes().startswith(MAGIC)


def test_rep_events_in_journal_match_reps(tmp_path):
    rec, result = record(SessionStore(tmp_path))
    contents = read_journal(rec.journal_path)
    reps = [e.rep for e in map(event_from_dict, contents.events) if isinstance(e, RepCompleted)]
    assert reps == result.reps


# Only clips whose truth file is written: the renderer writes it after the video is complete.
SAMPLES = sorted(
    p.with_name(p.name.replace(".truth.json", ".mp4"))
    for p in (ROOT / "sample_videos").glob("k2c_*.truth.json")
)


@pytest.mark.slow
@pytest.mark.skipif(not SAMPLES, reason="no knee-to-chest sample clip rendered yet")
def test_recording_a_real_clip_reopens_with_the_live_result(tmp_path):
    """Real MediaPipe on a sample clip, recorded with video, reopened from the database."""
    from formcheck.sessions.commands import record_file

    clip = SAMPLES[0]
    truth = json.loads(clip.with_name(clip.stem + ".truth.json").read_text())
    store = SessionStore(tmp_path / "data")
    sid, result = record_file(
        store,
        clip,
        truth["exercise"],
        truth.get("variant"),
        truth.get("settings"),
        keep_video=True,
        patient="Sample",
    )
    data = SessionStore(tmp_path / "data").load(sid)
    assert data.row.status == "complete" and data.row.kind == "analyze"
    assert data.reps == result.reps
    assert data.row.report == build_report(result)
    assert data.events == result.events
    assert len(data.frames) == result.frames
    assert data.video_path is not None and (data.frames.video_index >= 0).all()
    assert data.frames.world is not None  # MediaPipe's world landmarks are kept too


class _GreySource:
    """Synthetic poses at their own (uneven) times, each frame a flat grey of its own level."""

    live = False

    def __init__(self, poses):
        self.poses, self.fps, self.name = poses, 30.0, "vfr"
        self.width, self.height, self.frame_count = 64, 48, len(poses)
        self._i = 0

    def read(self):
        import numpy as np

        from formcheck.video.sources import Frame

        if self._i >= len(self.poses):
            return None
        p = self.poses[self._i]
        self._i += 1
        return Frame(p.index, p.t_s, np.full((48, 64, 3), 20 + 12 * (p.index % 18), np.uint8))

    def close(self):
        pass


def test_a_variable_frame_rate_session_video_plays_at_its_own_speed(tmp_path):
    """A phone's frames, a third of them dropped for 4 s (low light): the session's video keeps the
    recording's time (the gaps hold the picture before them), and each frame's video_index finds its
    own picture in it."""
    import cv2
    import numpy as np
    from synthetic import frames
    from test_sessions_support import ListEstimator, knee_script

    from formcheck.pipeline import run

    poses = [p for p in frames(knee_script()) if not (60 <= p.index < 180 and p.index % 3 != 0)]
    assert len(poses) < 0.9 * (poses[-1].index + 1)  # the source really is variable
    store = SessionStore(tmp_path / "data")
    rec = Recorder(store, config(), source_name="vfr", fps=30.0, kind="replay", video=True)
    result = run(_GreySource(poses), ListEstimator(poses), config(), sinks=(rec,), prefetch=False)
    data = SessionStore(tmp_path / "data").load(rec.session_id)
    assert data.video_path is not None and len(data.frames) == result.frames == len(poses)
    cap = cv2.VideoCapture(str(data.video_path))
    pictures = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        pictures.append(float(image.mean()))
    cap.release()
    # As long as the recording: one picture per 1/30 s, not one per frame kept.
    assert len(pictures) == round((poses[-1].t_s - poses[0].t_s) * 30) + 1
    for i, pose in enumerate(poses):
        vi = int(data.frames.video_index[i])
        assert vi == round((pose.t_s - poses[0].t_s) * 30)
        assert abs(pictures[vi] - (20 + 12 * (pose.index % 18))) < 6, (i, vi)
    # A gap shows the picture before it.
    gap = int(data.frames.video_index[list(p.index for p in poses).index(63)]) - 1
    assert abs(pictures[gap] - (20 + 12 * (60 % 18))) < 6
    assert np.diff(data.frames.video_index).min() >= 1
