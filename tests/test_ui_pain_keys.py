"""The pain stop from the floor: the cue goes when it opens, and the 0-10 score and Enter work from
the keyboard (QTest key clicks on the real dialog, offscreen)."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import Qt
from synthetic import Script, frames, keyframes

from formcheck.events import PainScore, PainStop
from formcheck.spec import load_exercise
from ui.dialogs import TEN_WINDOW_S, PainDialog
from ui.settings import open_settings
from ui.testing import RecordingSink, ScriptedEstimator, ScriptedSource
from ui.window import CoachWindow

# The left knee comes up at 3 s and is held at 120 deg from 6 s to 12 s: "Hold it there." meanwhile.
LEFT = keyframes([(0, 0), (3, 0), (6, 120), (12, 120), (15, 0)])


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture(scope="module")
def holding_poses():
    return frames(Script("supine", 16, {"left_flex": LEFT}, jitter_px=1.0))


def open_dialog(qtbot) -> PainDialog:
    dialog = PainDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


@pytest.mark.parametrize("digit", range(10))
def test_each_digit_key_picks_its_score(qtbot, digit):
    dialog = open_dialog(qtbot)
    qtbot.keyClick(dialog, getattr(Qt.Key, f"Key_{digit}"))
    assert dialog.score == digit


def test_one_then_zero_is_ten_and_enter_saves(qtbot):
    dialog = open_dialog(qtbot)
    qtbot.keyClick(dialog, Qt.Key.Key_1)
    qtbot.keyClick(dialog, Qt.Key.Key_0)
    assert dialog.score == 10
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert finished.args == [PainDialog.DialogCode.Accepted.value] and dialog.score == 10


def test_a_zero_long_after_a_one_is_zero(qtbot):
    dialog = open_dialog(qtbot)
    now = [100.0]
    dialog.clock = lambda: now[0]
    qtbot.keyClick(dialog, Qt.Key.Key_1)
    now[0] += TEN_WINDOW_S + 0.5
    qtbot.keyClick(dialog, Qt.Key.Key_0)
    assert dialog.score == 0
    qtbot.keyClick(dialog, Qt.Key.Key_7)  # and a 7 then 0 is 0, not 70
    qtbot.keyClick(dialog, Qt.Key.Key_0)
    assert dialog.score == 0


def test_enter_saves_even_after_a_score_was_clicked(qtbot):
    # A clicked score button must not become the dialog's default: Enter saves, it does not re-click.
    dialog = open_dialog(qtbot)
    qtbot.mouseClick(dialog.buttons[4], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.keyClick(dialog, Qt.Key.Key_Enter)
    assert finished.args == [PainDialog.DialogCode.Accepted.value] and dialog.score == 4


def test_digits_typed_in_the_note_stay_in_the_note(qtbot):
    dialog = open_dialog(qtbot)
    qtbot.keyClick(dialog, Qt.Key.Key_3)
    dialog.note_edit.setFocus()
    qtbot.keyClicks(dialog.note_edit, "2 days")
    assert dialog.score == 3 and dialog.note == "2 days"


def test_pain_stop_takes_the_cue_down_and_works_from_the_keyboard(qtbot, holding_poses):
    config = load_exercise("knee_to_chest", "single", {"hold_s": 5})
    sink = RecordingSink()
    window = CoachWindow(
        config, lambda: ScriptedEstimator(holding_poses), open_settings(), extra_sinks=[sink]
    )
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.start_replay(lambda: ScriptedSource(holding_poses), "synthetic", speed=2.0)
    shown = window.video
    qtbot.waitUntil(
        lambda: shown.update_shown is not None and shown.update_shown.state.cue == "Hold it there.",
        timeout=15000,
    )
    assert shown.update_shown.state.hold_target_s > 0  # the hold ring is up, too
    qtbot.keyClick(window, Qt.Key.Key_Space)
    dialog = window.pain_dialog
    assert dialog is not None
    assert shown.update_shown.state.cue is None  # at once, not only once a late frame comes in
    qtbot.waitUntil(lambda: window.ended, timeout=5000)
    qtbot.wait(100)  # any frame still on its way must not bring the cue back
    state = shown.update_shown.state
    assert state.cue is None and state.hold_target_s == 0 and not state.measurements
    assert shown.overlay_text == "Stopped for pain."
    qtbot.keyClick(dialog, Qt.Key.Key_1)
    qtbot.keyClick(dialog, Qt.Key.Key_0)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert window.pain_dialog is None
    stop, score = sink.events
    assert isinstance(stop, PainStop) and stop.score == 10
    assert isinstance(score, PainScore) and score.score == 10
    assert "Pain score 10 saved" in shown.overlay_text
    assert shown.update_shown.state.cue is None
