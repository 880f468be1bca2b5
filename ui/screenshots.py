"""Save screenshots of the coaching window for docs/screenshots/ (each exercise, a chosen moment).

    uv run python -m ui.screenshots [--out docs/screenshots] [--only EXERCISE] [--clip SAMPLE_CLIP]
    uv run python -m ui.screenshots --sizes   # the coaching window at 1280x720, 1366x768, 1920x1080

For each exercise it replays a sample clip from sample_videos/ (real frames, real MediaPipe) up to a
moment in the middle of a hold and saves the window there. An exercise without a sample clip yet is
shown on synthetic poses instead (a stick figure), and the file name says so. ``--sizes`` saves the
window at three screen sizes (the type is sized for 2.5 m, so the layout must hold at each), the live
layout, and the home screen with its demonstration.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"
MAX_BYTES = 300_000
SCREEN_SIZES = ((1280, 720), (1366, 768), (1920, 1080))
DEMO_AT_S = 4.0  # the moment of the demonstration loop in pictures: mid-hold


def pick_clip(exercise: str) -> tuple[Path, dict] | None:
    """The sample clip of this exercise with the most good reps in its truth file, and its truth."""
    best: tuple[int, Path, dict] | None = None
    for truth_path in sorted(SAMPLES.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        video = truth_path.with_name(truth_path.name.replace(".truth.json", ".mp4"))
        if truth.get("exercise") != exercise or not video.exists() or video.stat().st_size < 10_000:
            continue
        good = int(truth.get("summary", {}).get("good_reps", 0))
        if best is None or good > best[0]:
            best = (good, video, truth)
    return None if best is None else (best[1], best[2])


def mid_hold_frame(truth: dict, fps: float) -> int:
    """A frame in the middle of the first rep's hold (or its peak)."""
    reps = truth.get("reps") or []
    if not reps:
        return int(fps * 3)
    rep = reps[0]
    t = rep["peak_s"] if rep.get("peak_s") is not None else rep["start_s"]
    return int(round((t + 0.5 * (rep.get("hold_s") or 0.0)) * fps))


def save_small_png(window, path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Save the window; scale it down until the PNG is under MAX_BYTES."""
    from PyQt6.QtCore import QBuffer, QIODevice, Qt

    pixmap = window.grab()
    width = pixmap.width()
    while True:
        scaled = (
            pixmap
            if width == pixmap.width()
            else pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        )
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        scaled.save(buffer, "PNG", 9)
        data = bytes(buffer.data())
        if len(data) <= MAX_BYTES or width < 600:
            path.write_bytes(data)
            return path
        width = int(width * 0.85)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", action="append", help="exercise name (repeatable)")
    parser.add_argument(
        "--clip", action="append", help="sample clip name (repeatable): only these, as <clip>.png"
    )
    parser.add_argument("--sizes", action="store_true", help="the window at three screen sizes, live, home")
    args = parser.parse_args(argv)
    from ui.settings import has_display

    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["FORMCHECK_CONFIG_DIR"] = tempfile.mkdtemp(prefix="formcheck-shots-")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from ui.qt_app import estimator_factory, make_app

    app = make_app()

    from formcheck.spec import available_exercises, load_exercise
    from formcheck.video.sources import VideoFileSource
    from ui.testing import ScriptedEstimator, ScriptedSource, synthetic_poses

    if args.sizes:
        for path in size_screens(app, out):
            print(f"{path} ({path.stat().st_size // 1000} KB)")
        return 0
    shots: list[tuple[str, tuple[Path, dict] | None, str]] = []
    for name in args.clip or []:
        truth = json.loads((SAMPLES / f"{name}.truth.json").read_text(encoding="utf-8"))
        shots.append((truth["exercise"], (SAMPLES / f"{name}.mp4", truth), f"{name}.png"))
    if not args.clip:
        for exercise in [e for e in args.only or list(available_exercises()) if e != "routine"]:
            shots.append((exercise, pick_clip(exercise), f"{exercise}.png"))
    for exercise, clip, shot_name in shots:
        if clip is not None:
            video, truth = clip
            config = load_exercise(exercise, truth.get("variant"), truth.get("settings", {}))
            source = VideoFileSource(video)
            fps = source.fps
            source.close()
            factory = estimator_factory(None)
            make_source = lambda v=video: VideoFileSource(v)  # noqa: E731
            target = mid_hold_frame(truth, fps)
            name = shot_name
        else:
            config, poses, target = synthetic_poses(exercise)
            factory = lambda p=poses: ScriptedEstimator(p)  # noqa: E731
            make_source = lambda p=poses: ScriptedSource(p)  # noqa: E731
            name = f"{exercise}_synthetic.png"
        window = replay_window_at(app, config, factory, make_source, name, target, (1440, 900))
        path = save_small_png(window, out / name)
        print(f"{path} ({path.stat().st_size // 1000} KB, frame {window.position})")
        window.close()
    if not args.only and not args.clip:
        for path in extra_screens(app, out):
            print(f"{path} ({path.stat().st_size // 1000} KB)")
    if not args.clip and (not args.only or "routine" in args.only):
        for path in routine_screens(app, out):
            print(f"{path} ({path.stat().st_size // 1000} KB)")
    return 0


def replay_window_at(app, config, factory, make_source, name: str, target: int, size: tuple[int, int]):  # type: ignore[no-untyped-def]
    """A coaching window replaying a clip, paused at frame ``target``, ready to be saved."""
    from PyQt6.QtCore import QTimer

    from ui.audio import AudioCues
    from ui.settings import open_settings
    from ui.window import CoachWindow

    window = CoachWindow(config, factory, open_settings(), audio=AudioCues(output=False))
    window.resize(*size)
    window.show()
    window.video.demo_frozen_at_s = DEMO_AT_S
    window.start_replay(make_source, name, None)
    window.set_speed(None)
    window._paused = True
    window._restart_at(target, paused=True)
    while not (window.position >= target and window.video.painted_frames and window._pending is None):
        app.processEvents()
        if window.ended and window.position < target:
            break
    QTimer.singleShot(300, app.quit)
    app.exec()
    window.video.set_overlay(None)  # a screenshot of the exercise, not of the pause tag
    window.video.repaint()
    return window


def size_screens(app, out: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    """The coaching window at each screen size on a real clip (knee-to-chest mid-hold; side bends at
    1366x768, where the cue used to cover the feet), a live session with a set-up problem, and the
    home screen with a demonstration."""
    from formcheck.spec import load_exercise
    from formcheck.video.sources import VideoFileSource
    from ui.audio import AudioCues
    from ui.home import HomeWindow
    from ui.qt_app import estimator_factory
    from ui.settings import open_settings
    from ui.testing import ScriptedEstimator, ScriptedSource, synthetic_poses
    from ui.window import CoachWindow

    saved = []
    shots = [("knee_to_chest", size, f"coach_{size[0]}x{size[1]}.png") for size in SCREEN_SIZES]
    shots.append(("side_bend", (1366, 768), "side_bend_1366x768.png"))
    for exercise, size, name in shots:
        clip = pick_clip(exercise)
        if clip is None:
            continue
        video, truth = clip
        config = load_exercise(exercise, truth.get("variant"), truth.get("settings", {}))
        source = VideoFileSource(video)
        fps = source.fps
        source.close()
        make_source = lambda v=video: VideoFileSource(v)  # noqa: E731
        window = replay_window_at(
            app, config, estimator_factory(None), make_source, video.name, mid_hold_frame(truth, fps), size
        )
        saved.append(save_small_png(window, out / name))
        window.close()
    # Live, as a patient sees it (no replay bar, no keys), the camera in the wrong place.
    _, poses, _ = synthetic_poses("side_bend")  # standing, seen from the front: wrong for knee-to-chest
    window = CoachWindow(
        load_exercise("knee_to_chest"),
        lambda: ScriptedEstimator(poses),
        open_settings(),
        audio=AudioCues(output=False),
    )
    window.full_screen_live = False
    window.resize(1366, 768)
    window.show()
    window.video.demo_frozen_at_s = DEMO_AT_S
    # Five seconds in: the checker has said what to change (the cue) after the first impression.
    window.start_live(lambda: _StillAfter(ScriptedSource(poses, live=True), 150), "camera 0")
    while window.position < 149:
        app.processEvents()
    for _ in range(50):
        app.processEvents()
    saved.append(save_small_png(window, out / "live_setup_1366x768.png"))
    window.close()
    # The home screen at its default size, an exercise chosen: its demonstration and steps.
    home = HomeWindow(open_settings(), lambda: None, probe=lambda: [0], check_system=False)
    home.exercise_box.setCurrentIndex(home.exercise_box.findData("knee_to_chest"))
    home.demo_view.frozen_at_s = DEMO_AT_S
    home.show()
    for _ in range(50):
        app.processEvents()
    saved.append(save_small_png(home, out / "home.png"))
    home.close()
    return saved


ROUTINE_TOML = """
patient = "Ann Example"
notes = "Stop if the pain spreads down the leg."

[[exercise]]
name = "knee_to_chest"
variant = "single"
sides = ["left", "right"]
sets = 2
reps = 2
hold_s = 5
rest_s = 45
notes = "Hands behind the thigh."

[[exercise]]
name = "prone_extension"
sets = 1
reps = 5
"""


class _StillAfter:
    """A scripted live camera that stops sending new frames after ``frames`` (the moment to show)."""

    def __init__(self, source, frames: int) -> None:  # type: ignore[no-untyped-def]
        self.source, self.frames = source, frames
        for name in ("name", "live", "fps", "width", "height", "frame_count"):
            setattr(self, name, getattr(source, name))
        self.closed = False

    def read(self):  # type: ignore[no-untyped-def]
        import time

        while self.source._index >= self.frames and not self.closed:
            time.sleep(0.02)
        return None if self.closed else self.source.read()

    def close(self) -> None:
        self.closed = True


def routine_screens(app, out: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    """A prescription's routine in progress: mid-set (routine.png) and resting (routine_rest.png)."""
    import sys as _sys

    _sys.path.insert(0, str(ROOT / "tests"))
    from synthetic import Script, frames, keyframes

    from formcheck.sessions.prescriptions import parse_prescription
    from formcheck.sessions.routine import Routine
    from ui.audio import AudioCues
    from ui.settings import open_settings
    from ui.testing import ScriptedEstimator, ScriptedSource
    from ui.window import CoachWindow

    left = keyframes([(0, 0), (2, 0), (4, 120), (10, 120), (12, 0), (14, 0), (16, 120), (26, 120), (28, 0)])
    right = keyframes([(0, 0), (29, 0), (31, 110), (37, 110), (39, 0)])
    poses = frames(Script("supine", 60, {"left_flex": left, "right_flex": right}, jitter_px=1.0))
    saved = []
    # Mid-set: one left rep done, the second one holding. Resting: set 1 (one rep per side) done.
    for name, text, stop_s in (
        ("routine.png", ROUTINE_TOML, 19.0),
        ("routine_rest.png", ROUTINE_TOML.replace("reps = 2", "reps = 1"), 41.0),
    ):
        routine = Routine(parse_prescription(text, "ann.toml"))
        window = CoachWindow(
            routine.steps[0].config,
            lambda: ScriptedEstimator(poses),
            open_settings(),
            audio=AudioCues(output=False),
            pain_before=3,
        )
        window.full_screen_live = False
        window.resize(1440, 900)
        window.show()
        stop = int(stop_s * 30)
        camera = lambda s=stop: _StillAfter(ScriptedSource(poses, live=True), s)  # noqa: E731
        window.start_routine(routine, camera, "camera 0")
        while window.position < stop - 1 and routine.state != "rest":
            app.processEvents()
        for _ in range(50):
            app.processEvents()
        saved.append(save_small_png(window, out / name))
        window.close()
    return saved


def extra_screens(app, out: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    """The camera-lost message, the pain-score dialog and the safety screen (synthetic poses)."""
    from ui.audio import AudioCues
    from ui.dialogs import SafetyDialog
    from ui.settings import open_settings
    from ui.testing import ScriptedEstimator, ScriptedSource, synthetic_poses
    from ui.window import CoachWindow

    config, poses, _ = synthetic_poses("knee_to_chest")
    saved = []
    window = CoachWindow(
        config, lambda: ScriptedEstimator(poses), open_settings(), audio=AudioCues(output=False)
    )
    window.camera_probe = lambda: []
    window.full_screen_live = False
    window.resize(1440, 900)
    window.show()
    window.start_live(lambda: ScriptedSource(poses, live=True, lost_after=200, realtime=True), "camera 0")
    while (
        window.problem is None
        or window.camera_box.currentData() is None
        and "no camera" not in (window.camera_box.currentText())
    ):
        app.processEvents()
    saved.append(save_small_png(window, out / "camera_lost.png"))
    window.pain_stop()
    dialog = window.pain_dialog
    dialog.set_score(4)
    dialog.note_edit.setText("pulling in the back of the left thigh")
    app.processEvents()
    saved.append(save_small_png(dialog, out / "pain_stop.png"))
    dialog.accept()
    window.close()
    safety = SafetyDialog(open_settings())
    safety.show()
    app.processEvents()
    saved.append(save_small_png(safety, out / "safety_screen.png"))
    safety.close()
    return saved


if __name__ == "__main__":
    sys.exit(main())
