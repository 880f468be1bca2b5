"""'formcheck doctor', the X11 libraries Qt needs, and quiet camera probing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from formcheck import doctor
from formcheck.doctor import Check

ROOT = Path(__file__).resolve().parent.parent


def test_missing_xcb_libraries_are_named_by_their_packages():
    absent = {"libxcb-cursor.so.0", "libxcb-keysyms.so.1"}
    missing = doctor.missing_xcb_packages(lambda soname: soname not in absent)
    assert missing == ["libxcb-cursor0", "libxcb-keysyms1"]
    sentence = doctor.xcb_sentence(missing)
    assert "libxcb-cursor0 and libxcb-keysyms1" in sentence
    assert "sudo apt install libxcb-cursor0 libxcb-keysyms1" in sentence and sentence.count(".") == 1


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DISPLAY": ":0"}, True),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
        ({"QT_QPA_PLATFORM": "xcb"}, True),
        ({}, False),
    ],
)
def test_qt_uses_xcb_only_for_an_x11_display(env, expected):
    assert doctor.qt_uses_xcb(env) is (expected and sys.platform.startswith("linux"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 libraries are a Linux matter")
def test_display_check_fails_with_an_x_display_but_without_the_libraries():
    check = doctor.check_display({"DISPLAY": ":0"}, present=lambda s: "icccm" not in s)
    assert not check.ok and check.needed and "libxcb-icccm4" in check.detail
    fine = doctor.check_display({"DISPLAY": ":0"}, present=lambda s: True)
    assert fine.ok
    none = doctor.check_display({}, present=lambda s: True)
    assert not none.ok and "no DISPLAY" in none.detail


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not doctor.missing_xcb_packages(),
    reason="this machine has every library Qt's X11 plugin needs",
)
def test_window_without_the_libraries_says_so_instead_of_aborting(tmp_path):
    # A real X display is not needed: formcheck must stop before Qt tries to open one.
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=":99", FORMCHECK_CONFIG_DIR=str(tmp_path), FORMCHECK_DATA_DIR=str(tmp_path / "data"))
    for args in ([], ["review"]):
        run = subprocess.run(
            [sys.executable, "-m", "formcheck.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
        assert run.returncode == 3, (args, run.returncode, run.stderr[-1000:])  # not -6 (SIGABRT)
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("formcheck: The window cannot open"), run.stderr
        assert all(p in lines[0] for p in doctor.missing_xcb_packages())


def test_data_folder_check_reports_space_and_unwritable_folders(tmp_path, monkeypatch):
    ok = doctor.check_data_folder(tmp_path)
    assert ok.ok and "writable" in ok.detail and "free" in ok.detail
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bad = doctor.check_data_folder(blocker / "data")  # a folder inside a file cannot be made
    assert not bad.ok and "not writable" in bad.detail

    class Usage:
        free = 20e6

    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda _p: Usage())
    full = doctor.check_data_folder(tmp_path)
    assert not full.ok and "only 20 MB free" in full.detail


def test_doctor_exits_non_zero_only_when_something_needed_is_missing(monkeypatch, capsys):
    from formcheck.cli import main

    monkeypatch.setattr(
        doctor,
        "run_checks",
        lambda camera=True: [
            Check("Python", True, "3.11"),
            Check("speech", False, "no engine", needed=False),
        ],
    )
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "note     speech: no engine" in out and "Everything formcheck needs is here." in out
    monkeypatch.setattr(
        doctor,
        "run_checks",
        lambda camera=True: [Check("camera", False, "none found (looked at cameras 0-4)")],
    )
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "MISSING  camera: none found" in out and "Missing: camera." in out


def test_packages_check_sees_two_opencv_distributions(monkeypatch):
    versions = {"opencv-contrib-python": "4.11.0", "opencv-python-headless": "4.11.0", "mediapipe": "0.10.21"}
    monkeypatch.setattr(doctor, "_version", lambda d: versions.get(d))
    opencv = next(c for c in doctor.check_packages() if c.name == "OpenCV")
    assert not opencv.ok and "2 distributions" in opencv.detail


def test_camera_probing_is_quiet_and_says_it_in_words():
    code = "from formcheck.video.sources import probe_cameras\nprint(len(probe_cameras()))\n"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "ERROR" not in run.stderr and "WARN" not in run.stderr, run.stderr
    if run.stdout.strip() == "0":  # no camera on this machine: doctor says so in words
        check = doctor.check_camera()
        assert not check.ok and "none found" in check.detail
