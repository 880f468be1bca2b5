"""Recognition in a replay never rewinds: when the window recognises that the person changed exercise,
the display goes on from where it was (the clock never goes back, no "Catching up"), the new exercise is
checked from its start position with poses already found (none estimated twice), and no exercise's cue,
angle, tick or hold ring is drawn on a person in another exercise's position.

The fast test runs a synthetic routine through the real window; the slow one replays a 75 s routine
sample clip with real MediaPipe and judges the display against the clip's truth segments."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from synthetic import Morph, Script, const, keyframes, mat_routine_scripts, sequence

from formcheck.events import FrameUpdate
from formcheck.spec import load_exercise
from ui.settings import open_settings
from ui.testing import ScriptedEstimator, ScriptedSource
from ui.window import CoachWindow

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
EARS = {"ears": const(1.0)}


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CONFIG_DIR", str(tmp_path / "config"))


@dataclass(frozen=True)
class Shown:
    t_s: float
    exercise: str  # the checker's exercise when the frame was drawn
    cue: str | None
    measures: bool  # an angle against its target is drawn (with its tick when reached)
    ring: bool  # the hold ring is drawn


def watch(window: CoachWindow) -> tuple[list[Shown], list[str], list[str]]:
    """Everything the window draws: each frame's coaching, the clock's texts and the overlay texts."""
    shown: list[Shown] = []
    clock: list[str] = []
    overlays: list[str] = []
    show_frame, set_clock, set_overlay = (
        window.video.show_frame,
        window.time_label.setText,
        window.video.set_overlay,
    )

    def on_frame(image, update: FrameUpdate, decoded_at):  # type: ignore[no-untyped-def]
        state = update.state
        shown.append(
            Shown(
                state.t_s,
                window.config.spec.name,
                state.cue,
                any(math.isfinite(v) for v in state.measurements.values()),
                state.hold_target_s > 0,
            )
        )
        show_frame(image, update, decoded_at)

    def on_clock(text: str) -> None:
        clock.append(text)
        set_clock(text)

    def on_overlay(text: str | None) -> None:
        if text:
            overlays.append(text)
        set_overlay(text)

    window.video.show_frame = on_frame  # type: ignore[method-assign]
    window.time_label.setText = on_clock  # type: ignore[method-assign]
    window.video.set_overlay = on_overlay  # type: ignore[method-assign]
    return shown, clock, overlays


def seconds(clock_text: str) -> int:
    minutes, _, secs = clock_text.split(" / ")[0].partition(":")
    return 60 * int(minutes) + int(secs)


def coaching(s: Shown) -> bool:
    return bool(s.cue) or s.measures or s.ring


class CountingEstimator(ScriptedEstimator):
    calls: Counter[int] = Counter()

    def estimate(self, frame):  # type: ignore[no-untyped-def]
        CountingEstimator.calls[frame.index] += 1
        return super().estimate(frame)


def _routine():
    """Knee-to-chest (0-16 s), roll over (16-19 s), prone lifts (19-33 s), get up (33-36 s), side bends
    (36-49 s)."""
    k2c, prone = mat_routine_scripts()
    standing = Script(
        "standing",
        13,
        {"tilt": keyframes([(0, 0), (2, 0), (4, 22), (5, 22), (7, 0), (9, -16), (10, -16), (12, 0)]), **EARS},
        jitter_px=0.5,
    )
    return sequence(k2c, Morph(3.0), prone, Morph(3.0), standing)


POSITIONS = [  # (from s, to s, the exercise whose position the person is in)
    (0.0, 16.0, "knee_to_chest"),
    (19.0, 33.0, "prone_extension"),
    (36.0, 49.0, "side_bend"),
]


def test_a_switch_of_exercise_goes_on_from_where_it_was(qtbot):
    poses = _routine()
    CountingEstimator.calls = Counter()
    window = CoachWindow(
        load_exercise("knee_to_chest"), lambda: CountingEstimator(poses), open_settings(), auto=True
    )
    window.camera_probe = lambda: []
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    shown, clock, overlays = watch(window)
    window.start_replay(lambda: ScriptedSource(poses), "synthetic", speed=None)
    qtbot.waitUntil(lambda: window.ended and len(window.recognised) >= 3, timeout=120_000)
    assert [e for _, e, _ in window.recognised] == ["knee_to_chest", "prone_extension", "side_bend"]
    # The clock never goes back, and nothing is caught up to.
    times = [seconds(c) for c in clock]
    assert times == sorted(times) and times[-1] >= 48
    assert [s.t_s for s in shown] == sorted(s.t_s for s in shown)
    assert not [o for o in overlays if "Catching up" in o]
    # Every frame was estimated once, though the new exercises were checked again from their starts.
    assert max(CountingEstimator.calls.values()) == 1 and len(CountingEstimator.calls) == len(poses)
    # No exercise's coaching on a person in another's position; and each exercise was coached.
    for start, end, exercise in POSITIONS:
        inside = [s for s in shown if start <= s.t_s <= end and coaching(s)]
        assert inside and all(s.exercise == exercise for s in inside), (
            exercise,
            {s.exercise for s in inside},
        )
    # Each exercise counted its own reps from its own start: the side bends' 2 (left, right).
    assert window.counters.counts == {"left": 1, "right": 1}


def test_nothing_is_coached_before_the_exercise_is_recognised(qtbot):
    poses = _routine()[: 30 * 4]  # lying still, then the left knee comes up at 3 s
    window = CoachWindow(
        load_exercise("prone_extension"), lambda: ScriptedEstimator(poses), open_settings(), auto=True
    )
    qtbot.addWidget(window)
    window.show()
    shown, _, _ = watch(window)
    window.start_replay(lambda: ScriptedSource(poses), "synthetic", speed=None)
    qtbot.waitUntil(lambda: window.ended, timeout=60_000)
    before = [s for s in shown if s.exercise == "prone_extension"]
    assert before and not any(coaching(s) for s in before)  # the first guess's checker stays unseen


@pytest.mark.slow
def test_routine_clip_replay_never_rewinds_nor_coaches_the_wrong_exercise(qtbot):
    from formcheck.video.sources import VideoFileSource
    from ui.qt_app import estimator_factory

    clip = "routine_k2c_prone_sb_male"
    video = SAMPLES / f"{clip}.mp4"
    truth = json.loads((SAMPLES / f"{clip}.truth.json").read_text())
    window = CoachWindow(load_exercise("knee_to_chest"), estimator_factory(None), open_settings(), auto=True)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    shown, clock, overlays = watch(window)
    window.start_replay(lambda: VideoFileSource(video), video.name, speed=None)
    qtbot.waitUntil(lambda: window.ended, timeout=900_000)
    assert [e for _, e, _ in window.recognised][-1] == "side_bend"
    times = [seconds(c) for c in clock]
    assert times == sorted(times) and times[-1] >= 75
    assert [s.t_s for s in shown] == sorted(s.t_s for s in shown)
    assert not [o for o in overlays if "Catching up" in o]
    memory = window._pose_memory
    assert memory is not None and memory.estimated <= truth["frames"]  # no frame estimated twice
    positions = [(s["start_s"], s["end_s"], s["exercise"]) for s in truth["segments"]]
    positions += [(o["start_s"], o["end_s"], "side_bend") for o in truth["other"] if o["movement"] == "walk"]
    for start, end, exercise in positions:
        wrong = [s for s in shown if start <= s.t_s <= end and coaching(s) and s.exercise != exercise]
        assert not wrong, f"{wrong[0].exercise} coached at {wrong[0].t_s:.1f} s, in {exercise}'s position"


def test_a_seek_back_checks_again_from_memory_without_the_model(qtbot):
    poses = _routine()[: 30 * 12]
    CountingEstimator.calls = Counter()
    window = CoachWindow(
        load_exercise("knee_to_chest", "single", {"hold_s": 2.5}),
        lambda: CountingEstimator(poses),
        open_settings(),
    )
    qtbot.addWidget(window)
    window.show()
    window.start_replay(lambda: ScriptedSource(poses), "synthetic", speed=None)
    qtbot.waitUntil(lambda: window.ended, timeout=60_000)
    reps = dict(window.counters.counts)
    window._paused = True  # as the step keys do: the seek shows its frame and stays there
    window.seek(30 * 8)  # back to 0:08: the checker starts again from the clip's start
    qtbot.waitUntil(lambda: window.position == 30 * 8 and window._pending is None, timeout=30_000)
    assert window.time_label.text().startswith("0:08")
    assert max(CountingEstimator.calls.values()) == 1  # every pose of the catch-up came from memory
    window.toggle_pause()
    qtbot.waitUntil(lambda: window.ended, timeout=60_000)
    assert window.counters.counts == reps  # the same verdict as the first pass
