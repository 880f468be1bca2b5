"""Sessions through the real coaching window (synthetic poses, no model): a live session is recorded and
reopened from a real SQLite store with the reps the window showed and the pain scores; a prescription's
routine walks through sets and rest to the end; a full disk shows a banner while the exercise goes on;
sessions recovered after a crash are mentioned in one calm line."""

from __future__ import annotations

import shutil
import time

import pytest
from PyQt6.QtCore import Qt
from synthetic import Script, frames, keyframes
from test_sessions import FullDisk

from formcheck.events import PainScore, PainStop
from formcheck.sessions.prescriptions import parse_prescription
from formcheck.sessions.routine import Routine
from formcheck.sessions.storage import JOURNAL_NAME, SessionStore
from formcheck.spec import load_exercise
from ui.recording import SessionRecording, recovered_notice
from ui.settings import open_settings
from ui.testing import ScriptedEstimator, ScriptedSource
from ui.window import CoachWindow

LEFT = keyframes([(0, 0), (2, 0), (4, 120), (8, 120), (10, 0)])
RIGHT = keyframes([(0, 0), (11, 0), (13, 105), (17, 105), (19, 0)])
SHORT_LEFT = keyframes([(0, 0), (1.5, 0), (3, 120), (5.5, 120), (7, 0)])


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CONFIG_DIR", str(tmp_path / "config"))


class Camera(ScriptedSource):
    """A live camera: the scripted poses as fast as they can be drawn, then the person lies still, in
    real time, so the session only ends when the window ends it."""

    def __init__(self, poses, fast_frames: int) -> None:
        super().__init__(poses, live=True)
        self.fast_frames = fast_frames

    def read(self):
        if self._index >= self.fast_frames:
            time.sleep(1.0 / self.fps)
        return super().read()


@pytest.fixture(scope="module")
def session_poses():
    # Two reps in 20 s, then 40 s of lying still.
    return frames(Script("supine", 60, {"left_flex": LEFT, "right_flex": RIGHT}, jitter_px=1.0))


def make_window(qtbot, poses, recording, config=None, **kw):
    config = config or load_exercise("knee_to_chest", "single", {"hold_s": 3.0})
    window = CoachWindow(config, lambda: ScriptedEstimator(poses), open_settings(), recording=recording, **kw)
    window.camera_probe = lambda: []
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def press(qtbot, window, key):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, key)


def answer(qtbot, window, when, score):
    qtbot.waitUntil(lambda: window.pain_dialog is not None, timeout=10000)
    dialog = window.pain_dialog
    assert dialog.when == when
    if score is None:
        dialog.reject()
    else:
        dialog.set_score(score)
        dialog.accept()


def test_a_live_session_is_recorded_with_the_reps_shown_and_pain_before_and_after(
    qtbot, tmp_path, session_poses
):
    recording = SessionRecording(SessionStore(tmp_path / "data"), patient="Ann")
    window = make_window(qtbot, session_poses, recording, ask_pain=True)
    window.start_live(lambda: Camera(session_poses, fast_frames=21 * 30), "camera 0")
    assert window._worker is None  # nothing runs until the pain question is answered (or skipped)
    answer(qtbot, window, "before", 3)
    qtbot.waitUntil(lambda: window.counters.counts == {"left": 1, "right": 1}, timeout=20000)
    assert window.record_label.text().startswith("● Recording this session (movements only")
    press(qtbot, window, Qt.Key.Key_E)  # I'm done
    answer(qtbot, window, "after", 5)
    qtbot.waitUntil(lambda: window.ended, timeout=5000)
    assert "higher than before" in window.video.overlay_text

    store = SessionStore(tmp_path / "data")  # reopened from disk
    (row,) = store.list_sessions()
    assert (row.patient, row.kind, row.status, row.has_video) == ("Ann", "live", "complete", False)
    assert (row.pain_before, row.pain_after) == (3, 5)
    data = store.load(row.id)
    assert data.reps == window.last_result.reps
    shown = {side: sum(r.side == side for r in data.reps if r.complete) for side in ("left", "right")}
    assert shown == window.counters.counts
    assert sum(r.result == "good" for r in data.reps) == window.counters.good
    assert len(data.frames) == window.last_result.frames
    assert not (data.folder / "video.mp4").exists()


def test_a_pain_stop_in_a_live_session_is_recorded_with_its_score_and_note(qtbot, tmp_path, session_poses):
    recording = SessionRecording(SessionStore(tmp_path / "data"))
    window = make_window(qtbot, session_poses, recording, pain_before=2)  # --pain-before: not asked
    window.start_live(lambda: Camera(session_poses, fast_frames=12 * 30), "camera 0")
    qtbot.waitUntil(lambda: window.counters.counts.get("left") == 1, timeout=20000)
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.ended, timeout=5000)
    window.pain_dialog.set_score(7)
    window.pain_dialog.note_edit.setText("pulling down the left leg")
    window.pain_dialog.accept()

    store = SessionStore(tmp_path / "data")
    (row,) = store.list_sessions()
    assert (row.pain_before, row.pain_after, row.status) == (2, 7, "complete")
    data = store.load(row.id)
    stops = [e for e in data.events if isinstance(e, PainStop)]
    assert len(stops) == 1 and stops[0].score == 7 and stops[0].note == "pulling down the left leg"
    assert [e.when for e in data.events if isinstance(e, PainScore)] == ["before", "pain_stop"]
    assert data.reps == window.last_result.reps and len(data.frames) == window.last_result.frames


ROUTINE = """
patient = "Ann Example"

[[exercise]]
name = "knee_to_chest"
variant = "single"
sides = ["left"]
sets = 2
reps = 1
hold_s = 2
rest_s = 1
notes = "Hands behind the thigh."
"""


def test_a_routine_walks_through_sets_and_rest_to_done_and_records_each_set(qtbot, tmp_path):
    poses = frames(Script("supine", 12, {"left_flex": SHORT_LEFT}, jitter_px=1.0))
    routine = Routine(parse_prescription(ROUTINE, "ann.toml"))
    recording = SessionRecording(SessionStore(tmp_path / "data"))
    step = routine.steps[0]
    window = make_window(qtbot, poses, recording, config=step.config, ask_pain=True)
    window.start_routine(routine, lambda: Camera(poses, fast_frames=9 * 30), "camera 0")
    assert "2 sets" in window.routine_panel.where_label.text()
    answer(qtbot, window, "before", 2)
    qtbot.waitUntil(lambda: routine.state == "exercise" and window.position > 0, timeout=5000)
    assert window.routine_panel.where_label.text() == "Exercise 1 of 1<br>Set 1 of 2"
    assert window.counters.target == 1
    qtbot.waitUntil(lambda: routine.state == "rest", timeout=20000)
    assert window.routine_panel.rest_label.isVisible()
    assert window.routine_panel.rest_label.text() in ("1 s", "0 s")
    assert window.video.overlay_text.startswith("Rest")
    assert window.counters.counts == {"left": 1}
    qtbot.waitUntil(lambda: routine.state == "exercise", timeout=5000)  # the rest timer ran out
    qtbot.waitUntil(lambda: "Set 2 of 2" in window.routine_panel.where_label.text(), timeout=5000)
    answer(qtbot, window, "after", 1)
    qtbot.waitUntil(lambda: routine.state == "done", timeout=5000)
    assert routine.adherence() == 1.0
    assert window.routine_panel.where_label.text() == "Routine done: 100 % of the reps"
    assert not window.routine_panel.skip_button.isVisible()

    store = SessionStore(tmp_path / "data")
    rows = sorted(store.list_sessions(), key=lambda r: r.set_index)
    assert [(r.step_index, r.set_index, r.status) for r in rows] == [(1, 1, "complete"), (1, 2, "complete")]
    assert len({r.routine_id for r in rows}) == 1 and rows[0].routine_id
    assert rows[0].patient == "Ann Example" and rows[0].prescription_id is not None
    assert (rows[0].pain_before, rows[1].pain_after) == (2, 1)
    assert rows[0].settings["hold_s"] == 2.0
    assert [len(store.load(r.id).reps) for r in rows] == [1, 1]


def set_running(window, number: int) -> bool:
    worker = window._worker
    return (
        getattr(worker, "step_number", None) == number and worker.sink is not None and worker.sink.frames > 5
    )


def test_skip_and_a_pain_stop_end_a_routine(qtbot, tmp_path):
    poses = frames(Script("supine", 12, {"left_flex": SHORT_LEFT}, jitter_px=1.0))
    routine = Routine(parse_prescription(ROUTINE.replace("rest_s = 1", "rest_s = 60"), "ann.toml"))
    recording = SessionRecording(SessionStore(tmp_path / "data"))
    window = make_window(qtbot, poses, recording, config=routine.steps[0].config)
    window.start_routine(routine, lambda: Camera(poses, fast_frames=9 * 30), "camera 0")
    qtbot.waitUntil(lambda: routine.state == "rest", timeout=20000)  # pain before skipped (scripted)
    assert routine.pain_before is None
    press(qtbot, window, Qt.Key.Key_N)  # skip the 60 s rest
    qtbot.waitUntil(lambda: set_running(window, 1), timeout=5000)
    press(qtbot, window, Qt.Key.Key_Space)
    window.pain_dialog.set_score(6)
    window.pain_dialog.accept()
    assert routine.state == "done" and routine.pain_stop is not None and routine.pain_after == 6
    rows = sorted(SessionStore(tmp_path / "data").list_sessions(), key=lambda r: r.set_index)
    assert [r.set_index for r in rows] == [1, 2]
    assert rows[1].pain_after == 6 and rows[0].pain_after is None


def test_a_full_disk_shows_a_banner_and_the_exercise_goes_on(qtbot, tmp_path, session_poses):
    recording = SessionRecording(
        SessionStore(tmp_path / "data"),
        recorder_options={"open_journal": lambda path: FullDisk(path, 40_000), "flush_interval_s": 0.01},
    )
    poses = session_poses[: 21 * 30]
    window = make_window(qtbot, poses, recording)
    window.start_replay(lambda: ScriptedSource(poses), "synthetic", speed=None)
    qtbot.waitUntil(lambda: window.record_banner.isVisible(), timeout=20000)
    assert "disk is full" in window.record_banner.text()
    assert window.record_label.text().startswith("✕ Not recording")
    qtbot.waitUntil(lambda: window.ended, timeout=20000)
    assert window.counters.counts == {"left": 1, "right": 1}  # the exercise went on
    assert window.problem is None
    (row,) = SessionStore(tmp_path / "data").list_sessions()
    assert row.status == "disk_full" and 0 < row.frames < len(poses)


def test_sessions_recovered_after_a_crash_are_mentioned_calmly(qtbot, tmp_path, session_poses):
    data = tmp_path / "data"
    recording = SessionRecording(SessionStore(data))
    poses = session_poses[:300]
    window = make_window(qtbot, poses, recording)
    window.start_replay(lambda: ScriptedSource(poses), "synthetic", speed=None)
    qtbot.waitUntil(lambda: window.ended, timeout=20000)
    window.close()
    # A crash: a session folder whose journal stops part-way and which the index never heard of.
    (done,) = SessionStore(data).list_sessions()
    journal = (data / "sessions" / done.id / JOURNAL_NAME).read_bytes()
    crashed = data / "sessions" / "20200101-000000-abcdef"
    crashed.mkdir()
    (crashed / JOURNAL_NAME).write_bytes(journal[: len(journal) * 2 // 3])
    store = SessionStore(data)
    assert store.recovered == [crashed.name]
    notice = recovered_notice(store)
    assert notice is not None and notice.startswith("ℹ 1 session cut short last time")
    assert recovered_notice(SessionStore(data)) is None  # only once
    window = make_window(qtbot, poses, SessionRecording(store), notice=notice)
    assert window.notice_label.isVisible() and window.notice_label.text() == notice
    shutil.rmtree(crashed)


def test_a_seek_in_a_recorded_replay_keeps_one_whole_session(qtbot, tmp_path, session_poses):
    recording = SessionRecording(SessionStore(tmp_path / "data"), kind="replay")
    poses = session_poses[: 21 * 30]
    window = make_window(qtbot, poses, recording)
    window.start_replay(lambda: ScriptedSource(poses), "synthetic", speed=2.0)
    qtbot.waitUntil(lambda: window.position > 30, timeout=10000)
    window.set_speed(None)
    window.seek(400)
    qtbot.waitUntil(lambda: window.ended and window.position == len(poses) - 1, timeout=20000)
    qtbot.waitUntil(lambda: all(r._closed for r in recording.recorders), timeout=5000)
    (row,) = SessionStore(tmp_path / "data").list_sessions()
    assert row.frames == len(poses) and row.kind == "replay"
    assert len(recording.recorders) == 2 and not recording.recorders[0].folder.exists()
