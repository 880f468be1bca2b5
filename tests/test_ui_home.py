"""The home screen: exercise and variant choice, camera probe, remembered choices, bad files."""

from __future__ import annotations

import pytest

from ui.home import HomeWindow
from ui.settings import open_settings


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CONFIG_DIR", str(tmp_path / "config"))


def make_home(qtbot, cameras):
    home = HomeWindow(open_settings(), lambda: None, probe=lambda: cameras)
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
