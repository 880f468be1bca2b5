"""The window's commands: ``formcheck`` (home screen), ``live``, ``replay`` and ``demo``.

Qt is imported only inside the command functions, so ``formcheck analyze`` and friends never load it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from ui.qt_app import NO_DISPLAY, estimator_factory, make_app, require_display, require_qt_libraries

SPEED_CHOICES = {"0.5": 0.5, "0.5x": 0.5, "1": 1.0, "1x": 1.0, "2": 2.0, "2x": 2.0, "max": None}


def _window_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reps", type=int, default=10, metavar="N", help="reps to aim for per side (default 10)")
    p.add_argument("--model", help="pose model from models/registry.toml (default: blazepose_full)")
    p.add_argument("--mute", action="store_true", help="start with sound off (M toggles it)")
    p.add_argument("--exit-after", type=float, metavar="SECONDS", help="close the window after this long")
    p.add_argument("--screenshot", metavar="PATH", help="save the window as PNG just before exiting")
    p.add_argument("--stats", action="store_true", help="show and print display fps and latency")
    rec = p.add_argument_group("recording (see docs/sessions.md)")
    rec.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where sessions are kept (default: $FORMCHECK_DATA_DIR or your user data folder)",
    )
    rec.add_argument("--patient", help="whose session this is (default: me)")
    rec.add_argument(
        "--keep-video", action="store_true", help="also keep the video (off by default: private health data)"
    )
    rec.add_argument(
        "--pain-before", type=_pain_score, metavar="N", help="pain score 0-10 before (then it is not asked)"
    )


def _pain_score(text: str) -> int:
    try:
        score = int(text)
    except ValueError:
        score = -1
    if not 0 <= score <= 10:
        raise argparse.ArgumentTypeError(f"a pain score is a whole number from 0 to 10, not {text!r}")
    return score


def _record_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--record", action="store_true", help="record the replay as a session (live sessions always are)"
    )


def register(subparsers: Any, parser: argparse.ArgumentParser) -> None:
    from formcheck.doctor import register_check
    from ui.audio import sound_check, speech_check

    register_check("speech", speech_check)
    register_check("sound", sound_check)

    p = subparsers.add_parser("live", help="coach an exercise live from a webcam (opens the window)")
    p.add_argument(
        "--exercise", "-e", help="exercise name (see 'formcheck exercises'); without it: recognised"
    )
    p.add_argument(
        "--prescription", metavar="FILE", help="walk through a therapist's prescription (instead of -e)"
    )
    p.add_argument("--variant", "-v", help="exercise variant (default: the exercise's first)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a setting, e.g. hold_s=20")
    p.add_argument(
        "--camera", type=int, default=None, metavar="N", help="camera index (default: last used, or 0)"
    )
    _window_options(p)
    p.set_defaults(func=cmd_live)

    p = subparsers.add_parser("replay", help="replay a recorded video in the coaching window")
    p.add_argument("video", help="video file (mp4, avi, mov)")
    p.add_argument(
        "--exercise", "-e", help="exercise name (see 'formcheck exercises'); without it: recognised"
    )
    p.add_argument("--variant", "-v", help="exercise variant (default: the exercise's first)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a setting, e.g. hold_s=20")
    p.add_argument("--speed", choices=["0.5", "1", "2", "max"], default="1", help="replay speed (default 1)")
    _window_options(p)
    _record_option(p)
    p.set_defaults(func=cmd_replay)

    demo = subparsers.choices.get("demo")
    if demo is not None:
        _window_options(demo)
        _record_option(demo)
        demo.add_argument("--speed", choices=["0.5", "1", "2", "max"], default="1", help="replay speed")
        demo.add_argument(
            "--sample", action="store_true", help="replay the bundled sample clip even when a camera is there"
        )
        demo.set_defaults(func=cmd_demo_window)

    p = subparsers.add_parser(
        "install-desktop", help="add formcheck to your desktop's application menu (Linux, no root needed)"
    )
    p.add_argument("--remove", action="store_true", help="take the menu entry away again")
    p.set_defaults(func=cmd_install_desktop)

    # No command at all opens the home screen (the core's parser has command=None there).
    parser.set_defaults(command="home", func=lambda args: cmd_home(args, parser))


# --- shared ------------------------------------------------------------------------------------


def _load_config(exercise: str, variant: str | None, settings: dict[str, float]) -> Any:
    from formcheck.spec import load_exercise

    return load_exercise(exercise, variant, settings)


def _check_video(path: str | Path) -> None:
    from formcheck.video.sources import VideoFileSource

    VideoFileSource(path).close()


def open_recording(args: argparse.Namespace, mode: str) -> tuple[Any, str | None]:
    """(SessionRecording or None, the recovered-sessions notice): live runs always record, replays
    only with --record. Opening the store also recovers sessions cut short by a crash."""
    if mode != "live" and not getattr(args, "record", False):
        return None, None
    from formcheck.sessions.storage import SessionStore
    from ui.recording import SessionRecording, recovered_notice

    store = SessionStore.open(getattr(args, "data_dir", None))
    recording = SessionRecording(
        store,
        patient=getattr(args, "patient", None),
        video=bool(getattr(args, "keep_video", False)),
        kind=mode,
    )
    return recording, recovered_notice(store)


def run_window(
    args: argparse.Namespace,
    config: Any,
    mode: str,
    source: Any,
    banner: bool,
    routine: Any = None,
    auto: bool = False,
    sources: Any = None,
) -> int:
    """Open the coaching window on ``source`` (a video path or a camera index) and run the event loop."""
    app = make_app()
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QDialog

    from formcheck.video.sources import CameraSource, VideoFileSource
    from ui.audio import AudioCues
    from ui.dialogs import SafetyDialog, safety_accepted
    from ui.settings import open_settings
    from ui.window import CoachWindow

    settings = open_settings()
    automated = args.exit_after is not None or bool(args.screenshot)
    banner = banner or automated
    if (
        not banner
        and not safety_accepted(settings)
        and SafetyDialog(settings).exec() != QDialog.DialogCode.Accepted
    ):
        print("Stopped before starting: nothing was recorded.")
        return 0
    recording, notice = open_recording(args, mode)
    audio = AudioCues(output=True)
    if args.mute or str(settings.value("audio/muted", "false")).lower() == "true":
        audio.muted = True
    window = CoachWindow(
        config,
        estimator_factory(args.model),
        settings,
        audio=audio,
        reps_target=args.reps,
        safety_banner=banner,
        show_stats=args.stats,
        recording=recording,
        ask_pain=mode == "live" and not automated,  # scripted runs never wait for an answer
        pain_before=args.pain_before,
        notice=notice,
        auto=auto,
        sources=sources,
    )
    if mode == "live":
        settings.setValue("choice/camera", source)
        if routine is not None:
            window.start_routine(routine, lambda: CameraSource(int(source)), f"camera {source}")
        else:
            window.start_live(lambda: CameraSource(int(source)), f"camera {source}")
    else:
        speed = SPEED_CHOICES[getattr(args, "speed", "1") or "1"]
        window.start_replay(lambda: VideoFileSource(source), Path(source).name, speed)
    window.show()
    problems: list[FormcheckError] = []

    def finish() -> None:
        if args.screenshot:
            try:
                path = window.save_screenshot(args.screenshot)
                print(f"Saved a screenshot of the window to {path}.")
            except FormcheckError as exc:
                problems.append(exc)
        window.close()

    if args.exit_after is not None:
        QTimer.singleShot(int(max(0.0, args.exit_after) * 1000), finish)
    elif args.screenshot:
        window.run_finished.connect(lambda _result: QTimer.singleShot(300, finish))
    app.exec()
    if args.stats:
        s = window.display_stats()
        print(
            f"display: {s.get('fps', 0.0):.1f} fps (source {window.fps:.1f} fps), frame-to-screen latency "
            f"p50 {s.get('latency_p50_ms', 0.0):.1f} ms, p95 {s.get('latency_p95_ms', 0.0):.1f} ms, "
            f"{int(s['painted'])} frames painted, {int(s['dropped'])} display frames dropped"
        )
    if recording is not None:
        for message in window.recording_problems:
            print(f"formcheck: {message}", file=sys.stderr)
        ids = [r.session_id for r in recording.recorders if r.folder.exists()]
        if ids:
            print(f"Recorded {len(ids)} session(s) in {recording.store.root}: {', '.join(ids)}.")
    if problems:
        raise problems[0]
    return 0


# --- the commands ------------------------------------------------------------------------------


def cmd_live(args: argparse.Namespace) -> int:
    from formcheck.spec import parse_settings

    routine = None
    if args.prescription:
        from formcheck.sessions.prescriptions import load_prescription
        from formcheck.sessions.routine import Routine

        routine = Routine(load_prescription(args.prescription))
        config = routine.steps[0].config
    elif args.exercise:
        config = _load_config(args.exercise, args.variant, parse_settings(args.set))
    else:  # auto mode: the window recognises the exercise (a first guess is shown until then)
        config = _load_config(AUTO_FIRST_GUESS, None, {})
    require_display("live")
    camera = args.camera
    if camera is None:
        from ui.settings import open_settings

        camera = int(open_settings().value("choice/camera", 0) or 0)
    auto = routine is None and not args.exercise
    return run_window(args, config, "live", camera, banner=False, routine=routine, auto=auto)


def cmd_replay(args: argparse.Namespace) -> int:
    from formcheck.clip_settings import SettingsSources, clip_prescription, settings_line
    from formcheck.spec import parse_settings

    auto = not args.exercise
    # The clip's own prescription (a sample clip's), then --set: the same settings as 'analyze' uses.
    sources = SettingsSources(clip_prescription(args.video), parse_settings(args.set))
    exercise = args.exercise or AUTO_FIRST_GUESS
    config = _load_config(exercise, args.variant, sources.for_exercise(exercise))
    _check_video(args.video)
    require_display("replay")
    if args.exercise:
        print(settings_line(sources, exercise, args.variant))
    return run_window(args, config, "replay", args.video, banner=False, auto=auto, sources=sources)


DEMO_LIVE_EXERCISE = "side_bend"
AUTO_FIRST_GUESS = "knee_to_chest"  # shown until the person is recognised


def cmd_demo_window(args: argparse.Namespace) -> int:
    from ui.settings import has_display

    if not has_display():
        from formcheck.cli import cmd_demo

        print(f"{NO_DISPLAY}: showing the text analysis of the sample clip instead of the window.")
        return cmd_demo(args)
    try:
        require_qt_libraries()
    except FormcheckError as exc:
        from formcheck.cli import cmd_demo

        print(f"{exc.message} Showing the text analysis of the sample clip instead.")
        return cmd_demo(args)
    from formcheck.clip_settings import demo_clip

    if not args.sample and args.exit_after is None:
        from ui.cameras import probe_cameras

        cameras = probe_cameras(range(1))
        if cameras:
            # The main job, live. Standing side bends suit a camera on a desk: face it, whole body in view.
            print("Camera found: coaching standing side bends live (--sample replays the sample clip).")
            config = _load_config(DEMO_LIVE_EXERCISE, None, {})
            return run_window(args, config, "live", cameras[0], banner=True)
    from formcheck.clip_settings import SettingsSources, clip_prescription, settings_line

    video, exercise, variant, _ = demo_clip()
    sources = SettingsSources(clip_prescription(video))
    config = _load_config(exercise, variant, sources.for_exercise(exercise))
    print(f"No camera found: replaying the bundled sample clip {video.name} ({exercise}, {variant}).")
    print(settings_line(sources, exercise, variant))
    return run_window(args, config, "replay", str(video), banner=True, sources=sources)


def cmd_install_desktop(args: argparse.Namespace) -> int:
    from ui import desktop

    if args.remove:
        gone = desktop.remove()
        print("Removed " + ", ".join(map(str, gone)) + "." if gone else "There was no formcheck menu entry.")
        return 0
    try:
        entry, icon = desktop.install()
    except OSError as exc:
        raise FormcheckError(f"Cannot write the menu entry: {exc.strerror or exc}.") from exc
    print(f"Added formcheck to the application menu ({entry}, icon {icon}).")
    return 0


def cmd_home(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ui.settings import has_display

    if not has_display():
        parser.print_help()
        print(f"\n{NO_DISPLAY}, so no home screen; use one of the commands above.")
        return 0
    app = make_app()
    from ui.home import HomeWindow
    from ui.settings import open_settings

    home = HomeWindow(open_settings(), estimator_factory(None))
    home.show()
    app.exec()
    return 0
