"""The command line as a user meets it: real processes, one-sentence errors, exit codes."""

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest


def formcheck(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "formcheck.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["analyze", "nowhere.mp4", "-e", "side_bend"], "No such video file"),
        (["analyze", "pyproject.toml", "-e", "side_bend"], "cannot be read as a video"),
        (["analyze", "pyproject.toml", "-e", "pilates"], "Unknown exercise 'pilates'"),
        (["analyze", "pyproject.toml", "-e", "side_bend", "-v", "seated"], "no variant 'seated'"),
        (["analyze", "pyproject.toml", "-e", "side_bend", "--set", "hold_s"], "must look like key=value"),
        (["eval", "/nonexistent"], "is not a folder"),
    ],
)
def test_bad_input_is_one_sentence_and_a_non_zero_exit(args, fragment):
    result = formcheck(*args)
    assert result.returncode != 0
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_exercises_lists_every_variant():
    out = formcheck("exercises").stdout
    for variant in ("single", "double", "arms-forward", "press-up", "superman", "standing"):
        assert f"--variant {variant}" in out


def test_empty_room_video_reports_no_person_and_writes_json(tmp_path):
    video = tmp_path / "room.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (320, 240))
    rng = np.random.default_rng(1)
    for _ in range(45):
        writer.write((rng.random((240, 320, 3)) * 40 + 90).astype(np.uint8))
    writer.release()
    out = tmp_path / "r" / "report.json"
    result = formcheck("analyze", str(video), "-e", "knee_to_chest", "--json", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["frames"] == 45 and report["frames_with_pose"] == 0 and report["reps"] == []
    assert [s["code"] for s in report["setup"]] == ["no_person"]
    assert "No reps found." in result.stdout


def test_unwritable_report_path_is_one_sentence(tmp_path):
    video = tmp_path / "room.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (160, 120))
    for _ in range(5):
        writer.write(np.zeros((120, 160, 3), np.uint8))
    writer.release()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = formcheck("analyze", str(video), "-e", "side_bend", "--json", str(blocker / "r.json"))
    assert result.returncode != 0 and "Cannot write" in result.stderr and "Traceback" not in result.stderr


def test_truncated_video_keeps_the_report_and_says_so(tmp_path):
    video = tmp_path / "whole.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (160, 120))
    for i in range(60):
        writer.write(np.full((120, 160, 3), i * 3, np.uint8))
    writer.release()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(video.read_bytes()[: video.stat().st_size // 2])
    out = tmp_path / "report.json"
    result = formcheck("analyze", str(cut), "-e", "side_bend", "--json", str(out))
    assert result.returncode == 3
    assert "ends early" in result.stderr and "Traceback" not in result.stderr
    report = json.loads(out.read_text())
    assert report["truncated"] is True and 0 < report["frames"] < 60
