"""The home screen: exercise and variant choice, camera probe, remembered choices, bad files."""

from __future__ import annotations

import pytest
from PyQt6.QtWidgets import QLabel

from ui.home import HomeWindow
from ui.settings import open_settings


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CONFIG_DIR", str(tmp_path / "config"))


def make_home(qtbot, cameras):
    home = HomeWindow(open_settings(), lambda: None, probe=lambda: cameras, check_system=False)
    qtbot.addWidget(home)
    return home


def test_no_camera_found_offers_the_file_and_the_demo(qtbot):
    home = make_home(qtbot, [])
    qtbot.waitUntil(lambda: "no camera found" in home.camera_box.currentText(), timeout=3000)
    assert not home.camera_button.isEnabled()
    assert home.file_button.isEnabled() and home.demo_button.isEnabled()


def test_cameras_found_are_listed_and_the_last_one_is_chosen(qtbot):
    open_settings().setValue("choice/camera", 2)
    home = make_home(qtbot, [0, 2])
    qtbot.waitUntil(home.camera_button.isEnabled, timeout=3000)
    assert home.camera_box.currentData() == 2


def test_variants_follow_the_exercise_and_choices_are_remembered(qtbot):
    home = make_home(qtbot, [])
    home.exercise_box.setCurrentIndex(home.exercise_box.findData("prone_extension"))
    variants = [home.variant_box.itemData(i) for i in range(home.variant_box.count())]
    assert variants == ["arms-forward", "press-up", "superman"]
    home.variant_box.setCurrentIndex(1)
    assert "press-up" in home.variant_help.text().lower()
    config = home._config()
    assert (config.spec.name, config.variant.name) == ("prone_extension", "press-up")
    again = make_home(qtbot, [])
    assert again.exercise_box.currentData() == "prone_extension"
    assert again.variant_box.currentData() == "press-up"


def test_a_bad_video_file_is_one_sentence_on_the_screen(qtbot, tmp_path):
    home = make_home(qtbot, [])
    home.open_file(str(tmp_path / "missing.mp4"))
    assert "No such video file" in home.message.text()
    assert home.coach is None


ROUTINE = """
patient = "Ann Example"

[[exercise]]
name = "knee_to_chest"
sides = ["left"]
sets = 2
reps = 3
"""


def test_todays_routine_is_remembered_and_camera_sessions_are_recorded_without_video(
    qtbot, tmp_path, monkeypatch
):
    from ui.dialogs import accept_safety

    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path / "data"))
    accept_safety(open_settings())
    prescription = tmp_path / "ann.toml"
    prescription.write_text(ROUTINE, encoding="utf-8")
    home = make_home(qtbot, [0])
    qtbot.waitUntil(home.camera_button.isEnabled, timeout=3000)
    assert home.routine_button.text() == "Today's routine…"
    assert not home.video_box.isChecked()
    assert any("private health data" in label.text() for label in home.findChildren(QLabel))
    home.start_routine(path=str(prescription))
    coach = home.coach
    qtbot.addWidget(coach)
    assert coach.routine is not None and coach.routine.prescription.patient == "Ann Example"
    assert coach.recording is not None and coach.recording.video is False and coach.ask_pain
    assert coach.pain_dialog is not None and coach.pain_dialog.when == "before"
    coach.pain_dialog.reject()
    coach.close()
    again = make_home(qtbot, [0])
    assert again.routine_button.text() == "Today's routine (ann.toml)"
    again.video_box.setChecked(True)
    recording, _ = again._recording()
    assert recording.video is True and recording.store.root == tmp_path / "data"


def test_home_screen_shows_the_doctor_checks_in_one_line(qtbot):
    from formcheck.doctor import Check
    from ui.system_check import SystemCheckPanel

    panel = SystemCheckPanel()
    qtbot.addWidget(panel)
    assert panel.text().startswith("Checking")
    panel._background_done([Check("Python", True, "3.11.7"), Check("display", True, "offscreen display")])
    panel.set_cameras([])
    assert panel.text().startswith("Set-up: camera: none found")
    assert "MISSING  camera" in panel.toolTip() and "ok       Python: 3.11.7" in panel.toolTip()
    assert "speech" in panel.toolTip()  # the window's own check is in the same list
    panel.set_cameras([0, 2])
    assert panel.text().startswith("Set-up checked: everything formcheck needs is here")
    assert "camera 0 and 1 more" in panel.toolTip()
