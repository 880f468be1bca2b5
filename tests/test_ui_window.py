"""The coaching window on synthetic poses (no model, no video): counters, hold ring, cues, audio,
pain stop, mute, replay controls, camera failures, safety screen. Runs in seconds."""

from __future__ import annotations

import cv2
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import QLabel
from synthetic import Script, frames, keyframes

from formcheck.events import PainScore, PainStop
from formcheck.spec import load_exercise
from formcheck.video.sources import CameraLostError, CameraSource
from ui.dialogs import SafetyDialog, safety_accepted
from ui.settings import open_settings
from ui.testing import RecordingSink, ScriptedEstimator, ScriptedSource, draw_figure
from ui.window import CoachWindow

LEFT = keyframes([(0, 0), (3, 0), (6, 120), (12, 120), (15, 0)])
RIGHT = keyframes([(0, 0), (16, 0), (19, 105), (25, 105), (28, 0)])


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "config"


@pytest.fixture(scope="module")
def k2c_poses():
    return frames(Script("supine", 30, {"left_flex": LEFT, "right_flex": RIGHT}, jitter_px=1.0))


def make_window(qtbot, poses, exercise="knee_to_chest", variant="single", sinks=(), **settings):
    config = load_exercise(exercise, variant, settings or {"hold_s": 5})
    window = CoachWindow(config, lambda: ScriptedEstimator(poses), open_settings(), extra_sinks=sinks)
    window.camera_probe = lambda: []
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


def wait_finished(qtbot, window, timeout_ms=20000):
    qtbot.waitUntil(lambda: window.ended, timeout=timeout_ms)


def test_replay_shows_true_reps_holds_cues_and_tones(qtbot, k2c_poses, tmp_path):
    window = make_window(qtbot, k2c_poses)
    window.start_replay(lambda: ScriptedSource(k2c_poses), "synthetic", speed=None)
    wait_finished(qtbot, window)
    assert window.counters.counts == {"left": 1, "right": 1}
    assert window.counters.good == 2
    sides = [side for side, _ in window.hold_peaks]
    assert sides == ["left", "right"]
    # The ring reached the time actually held at the target (LEFT is above 100 deg for ~7.5 s).
    assert window.hold_peaks[0][1] == pytest.approx(7.5, abs=0.4)
    assert window.hold_peaks[1][1] == pytest.approx(6.8, abs=0.5)
    assert "Good. Now lower slowly." in window.cues_shown
    assert window.last_state.cue == "Well done. Rest, then change legs."
    tones = [p.what for p in window.audio.played if p.kind == "tone"]
    assert tones == ["hold_start", "hold_end", "rep", "hold_start", "hold_end", "rep"]
    assert window.asymmetry.peaks["left"] == pytest.approx(120, abs=3)
    # A screenshot of the window: the right size, not blank.
    path = window.save_screenshot(tmp_path / "shot.png")
    image = QImage(str(path))
    assert (image.width(), image.height()) == (window.width(), window.height())
    colors = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(colors) > 20


def test_pain_stop_stops_asks_for_a_score_and_keeps_everything(qtbot, k2c_poses):
    sink = RecordingSink()
    window = make_window(qtbot, k2c_poses, sinks=[sink])
    window.start_replay(lambda: ScriptedSource(k2c_poses), "synthetic", speed=2.0)
    qtbot.waitUntil(lambda: window.position > 60, timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.pain_dialog is not None
    qtbot.waitUntil(lambda: window.ended, timeout=5000)
    assert sink.closed_with is None  # the recorder stays open until the score is in
    window.pain_dialog.set_score(6)
    window.pain_dialog.note_edit.setText("sharp pain in the left leg")
    window.pain_dialog.accept()
    stop, score = sink.events
    assert isinstance(stop, PainStop) and stop.score == 6 and stop.note == "sharp pain in the left leg"
    assert isinstance(score, PainScore) and score.when == "pain_stop" and score.score == 6
    assert sink.closed_with is not None and sink.closed_with.frames == sink.frames > 60
    assert sink.frames < len(k2c_poses)  # it really stopped
    assert window.pain_dialog is None
    assert "Pain score 6 saved" in window.video.overlay_text


def test_pain_stop_without_a_score_still_records_the_stop(qtbot, k2c_poses):
    sink = RecordingSink()
    window = make_window(qtbot, k2c_poses, sinks=[sink])
    window.start_replay(lambda: ScriptedSource(k2c_poses), "synthetic", speed=2.0)
    qtbot.waitUntil(lambda: window.position > 10, timeout=10000)
    window.pain_button.click()
    window.pain_dialog.reject()
    assert [type(e) for e in sink.events] == [PainStop]
    assert sink.events[0].score is None
    assert sink.closed_with is not None


def test_mute_silences_tones_and_speech_and_is_remembered(qtbot, k2c_poses):
    window = make_window(qtbot, k2c_poses)
    qtbot.keyClick(window, Qt.Key.Key_M)
    assert window.audio.muted
    assert "OFF" in window.sound_label.text()
    window.start_replay(lambda: ScriptedSource(k2c_poses[:450]), "synthetic", speed=None)
    wait_finished(qtbot, window)
    assert window.audio.played == []
    assert str(open_settings().value("audio/muted")).lower() == "true"
    qtbot.keyClick(window, Qt.Key.Key_M)
    assert not window.audio.muted


def test_pause_step_and_seek_restart_the_pipeline_and_fast_forward(qtbot, k2c_poses):
    window = make_window(qtbot, k2c_poses)
    window.start_replay(lambda: ScriptedSource(k2c_poses), "synthetic", speed=1.0)
    qtbot.waitUntil(lambda: window.position >= 5, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_P)
    qtbot.wait(300)
    paused_at = window.position
    qtbot.wait(300)
    assert window.position <= paused_at + 4  # frames already decoded may still arrive
    held = window.position
    qtbot.keyClick(window, Qt.Key.Key_Period)
    qtbot.waitUntil(lambda: window.position == held + 1, timeout=3000)
    # Seek past the first rep: the checker fast-forwards through it, so it is counted, silently.
    window.seek(480)
    qtbot.waitUntil(lambda: window.position == 480, timeout=10000)
    assert window.counters.counts["left"] == 1
    assert [p for p in window.audio.played if p.t_s < 15.0 and p.kind == "tone" and p.what == "rep"] == [
        p for p in window.audio.played if p.what == "rep" and p.t_s < 5.0
    ]
    assert window.video.overlay_text.startswith("❚❚ Paused")
    window.set_speed(None)
    qtbot.keyClick(window, Qt.Key.Key_P)
    wait_finished(qtbot, window)
    assert window.counters.counts == {"left": 1, "right": 1}


def test_camera_lost_mid_session_keeps_the_reps_and_offers_a_way_on(qtbot, k2c_poses):
    window = make_window(qtbot, k2c_poses)
    window.start_live(lambda: ScriptedSource(k2c_poses, live=True, lost_after=500), "camera 0")
    qtbot.waitUntil(lambda: window.problem is not None, timeout=10000)
    assert "stopped sending pictures" in window.problem
    assert window.problem_frame.isVisible() and window.retry_button.isVisible()
    assert window.camera_box.isVisible() and window.sample_button.isVisible()
    assert window.last_result.error is not None and len(window.last_result.reps) == 1
    assert window.counters.counts["left"] == 1
    qtbot.waitUntil(lambda: window.camera_box.currentText() == "no camera found", timeout=3000)
    # Try again on a working camera: the earlier rep still counts.
    window._source_factory = lambda: ScriptedSource(k2c_poses[:450], live=True)
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert not window.problem_frame.isVisible()
    wait_finished(qtbot, window)
    assert window.counters.counts == {"left": 2, "right": 0}


def test_no_camera_shows_a_clear_message(qtbot, k2c_poses, tmp_path):
    window = make_window(qtbot, k2c_poses)
    window.start_live(lambda: CameraSource(str(tmp_path / "no-such-camera")), "camera 7")
    qtbot.waitUntil(lambda: window.problem is not None, timeout=5000)
    assert "is not available" in window.problem
    assert window.problem_frame.isVisible()


def test_camera_code_runs_on_a_video_path(qtbot, k2c_poses, tmp_path):
    path = tmp_path / "cam.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (640, 480))
    for pose in k2c_poses[:45]:
        writer.write(draw_figure(pose))
    writer.release()
    window = make_window(qtbot, k2c_poses)
    window.start_live(lambda: CameraSource(str(path)), "camera file")
    wait_finished(qtbot, window)
    assert window.video.painted_frames > 0
    # A live source keeps only the newest frame, so a few may be skipped; the file's end looks like an
    # unplugged camera, which the window reports with a way on.
    assert 0 < window.last_result.frames <= 45
    assert isinstance(window.last_result.error, CameraLostError)
    assert window.problem_frame.isVisible()


def test_side_bend_shows_no_hold_ring_and_marks_faulty_segments(qtbot):
    from formcheck.events import FrameUpdate
    from ui.annotators import AMBER, RED, fault_colors

    config = load_exercise("side_bend")
    colors = fault_colors(config, ("trunk_rotation", "forward_lean"))
    assert colors[(11, 12)] in (AMBER, RED)
    poses = frames(Script("standing", 4, {"tilt": keyframes([(0, 0), (2, 0), (3, 25)])}))
    window = make_window(qtbot, poses, "side_bend", None)
    window.start_replay(lambda: ScriptedSource(poses), "synthetic", speed=None)
    wait_finished(qtbot, window)
    assert isinstance(window.video.update_shown, FrameUpdate)
    assert window.balance_wanted  # the balance bar shows in a replay once both sides have a rep


def test_setup_checklist_says_what_to_change(qtbot):
    poses = frames(Script("supine", 3, {}, no_person=[(0, 3)]))
    window = make_window(qtbot, poses)
    window.start_replay(lambda: ScriptedSource(poses), "synthetic", speed=None)
    wait_finished(qtbot, window)
    rows = {label: (ok, message) for label, ok, message in window.checklist.rows}
    assert rows["In frame"][0] is False and "I can't see anyone" in rows["In frame"][1]
    assert rows["One person"][0] is True


def test_safety_screen_is_shown_once_then_remembered(qtbot, config_dir):
    settings = open_settings()
    assert not safety_accepted(settings)
    dialog = SafetyDialog(settings)
    qtbot.addWidget(dialog)
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    for flag in (
        "bladder or bowels",
        "saddle area",
        "weakness in both legs",
        "sciatica in both legs",
        "fever",
        "injury",
        "not a diagnosis",
        "see a doctor today",
    ):
        assert flag.lower() in text.lower()
    dialog.ok_button.click()
    assert safety_accepted(open_settings())
    assert (config_dir / "formcheck-ui.ini").exists()
    config = load_exercise("knee_to_chest")
    window = CoachWindow(config, lambda: None, open_settings(), safety_banner=True)
    qtbot.addWidget(window)
    assert not window.safety_banner.isVisibleTo(window)


def test_safety_banner_replaces_the_screen_for_scripted_runs(qtbot):
    config = load_exercise("knee_to_chest")
    window = CoachWindow(config, lambda: None, open_settings(), safety_banner=True)
    qtbot.addWidget(window)
    assert window.safety_banner.isVisibleTo(window)
    window.safety_banner.accept()
    assert safety_accepted(open_settings())
