"""The real window on a real sample clip (real frames, real MediaPipe), replayed as fast as possible:
the rep counters, the hold ring and the cues must reach the clip's true values. Slow (~20 s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PyQt6.QtGui import QImage

from formcheck.spec import load_exercise
from formcheck.video.sources import VideoFileSource
from ui.qt_app import estimator_factory
from ui.settings import open_settings
from ui.window import CoachWindow

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
PREFERRED = ("k2c_single_good_male_2m", "k2c_single_good_male_left", "k2c_double_good_female_right")


def pick_clip() -> Path | None:
    for name in PREFERRED:
        video = SAMPLES / f"{name}.mp4"
        if (SAMPLES / f"{name}.truth.json").exists() and video.exists() and video.stat().st_size > 10_000:
            return video
    return None


@pytest.mark.slow
def test_window_reaches_the_true_counts_holds_and_cues_on_a_sample_clip(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CONFIG_DIR", str(tmp_path / "config"))
    video = pick_clip()
    if video is None:
        pytest.skip("no rendered sample clip with a truth file yet")
    truth = json.loads(video.with_name(video.stem + ".truth.json").read_text(encoding="utf-8"))
    config = load_exercise(truth["exercise"], truth.get("variant"), truth.get("settings", {}))
    window = CoachWindow(config, estimator_factory(None), open_settings())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.start_replay(lambda: VideoFileSource(video), video.name, speed=None)
    qtbot.waitUntil(lambda: window.ended, timeout=240_000)

    assert window.last_result.error is None
    assert window.counters.counts == truth["summary"]["reps_by_side"]
    assert window.counters.good == truth["summary"]["good_reps"]
    true_holds = [(r["side"], r["hold_s"]) for r in truth["reps"] if r["complete"]]
    assert [side for side, _ in window.hold_peaks] == [side for side, _ in true_holds]
    for (_, shown), (_, held) in zip(window.hold_peaks, true_holds, strict=True):
        assert shown == pytest.approx(held, abs=0.5)
    if truth["summary"]["good_reps"]:
        assert config.spec.cues["hold_done"] in window.cues_shown
        assert config.spec.cues["rep_done"] in window.cues_shown
    assert window.last_state.cue in window.cues_shown
    path = window.save_screenshot(tmp_path / "clip.png")
    image = QImage(str(path))
    assert image.width() == window.width() and image.height() == window.height()
    assert path.stat().st_size > 20_000  # a real picture, not a blank window
