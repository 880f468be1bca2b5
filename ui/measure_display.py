"""Measure the window's display rate and frame-to-screen latency on a clip replayed at 1x.

    uv run python -m ui.measure_display [VIDEO --exercise NAME [--variant V]] [--seconds S]

With no video it uses the demo clip. Latency runs from the moment a frame was decoded to the moment the
video widget finished painting it, so it includes pose estimation, checking and drawing. Runs offscreen
when there is no display.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("video", nargs="?")
    parser.add_argument("--exercise", "-e")
    parser.add_argument("--variant", "-v")
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, help="stop after this much wall time")
    parser.add_argument("--model")
    args = parser.parse_args(argv)

    from ui.settings import has_display

    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import tempfile

    os.environ.setdefault("FORMCHECK_CONFIG_DIR", tempfile.mkdtemp(prefix="formcheck-measure-"))
    from formcheck.clip_settings import demo_clip
    from formcheck.spec import load_exercise
    from formcheck.video.sources import VideoFileSource
    from ui.qt_app import estimator_factory, make_app

    if args.video:
        if not args.exercise:
            parser.error("--exercise is needed with a video")
        video, config = Path(args.video), load_exercise(args.exercise, args.variant)
    else:
        video, exercise, variant, settings = demo_clip()
        config = load_exercise(exercise, variant, settings)

    app = make_app()
    from PyQt6.QtCore import QTimer

    from ui.audio import AudioCues
    from ui.settings import open_settings
    from ui.window import CoachWindow

    window = CoachWindow(
        config, estimator_factory(args.model), open_settings(), audio=AudioCues(output=False)
    )
    window.resize(1440, 900)
    window.show()
    started = time.perf_counter()
    window.start_replay(lambda: VideoFileSource(video), video.name, args.speed)
    window.run_finished.connect(lambda _r: QTimer.singleShot(100, window.close))
    if args.seconds:
        QTimer.singleShot(int(args.seconds * 1000), window.close)
    app.exec()
    wall = time.perf_counter() - started
    s = window.display_stats()
    result = window.last_result
    print(f"clip: {video.name}, {window.fps:.2f} fps, replayed at {args.speed:g}x for {wall:.1f} s wall time")
    print(
        f"display: {s.get('fps', 0.0):.2f} fps over {int(s['painted'])} painted frames "
        f"({int(s['dropped'])} display frames dropped)"
    )
    print(
        f"frame-to-screen latency: p50 {s.get('latency_p50_ms', 0.0):.1f} ms, "
        f"p95 {s.get('latency_p95_ms', 0.0):.1f} ms"
    )
    if result is not None and result.frames:
        t = result.times
        per = 1000.0 / result.frames
        print(
            f"pipeline per frame: pose {t.pose_s * per:.1f} ms, check {t.check_s * per:.2f} ms, "
            f"sinks {t.sinks_s * per:.2f} ms; {result.frames} frames processed"
        )
    ok = s.get("fps", 0.0) >= 0.95 * window.fps * args.speed and s.get("latency_p95_ms", 1e9) < 50.0
    print("goal (display keeps the source rate, p95 < 50 ms): " + ("met" if ok else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
