"""Analysing one video file from start to end: the pose model on every frame, the exercise checker,
the report. Shared by ``formcheck analyze``, session recording, ``formcheck eval`` and the demo."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck import native
from formcheck.errors import FormcheckError

if TYPE_CHECKING:
    from formcheck.pipeline import AnalysisResult, Sink
    from formcheck.segments import PoseTrack
    from formcheck.spec import ExerciseConfig
    from formcheck.video.frames import FrameSource


def progress_printer(name: str):  # type: ignore[no-untyped-def]
    last = [-1]

    def progress(done: int, total: int | None) -> None:
        if total:
            pct = min(100, done * 100 // total)
            if pct != last[0]:
                last[0] = pct
                bar = "#" * (pct // 4)
                sys.stderr.write(f"\r{name} [{bar:<25}] {pct:3d}% ({done}/{total} frames)")
                if pct == 100:
                    sys.stderr.write("\n")
                sys.stderr.flush()

    return progress


class _PoseKeeper:
    """A sink that keeps the poses of a file's analysis; when the run ends it marks the stretches in
    another exercise's position (``formcheck.segments.mark_elsewhere``): one exercise asked for with
    ``-e`` on a recording of a whole routine."""

    def __init__(self) -> None:
        self.poses: list[Any] = []

    def on_frame(self, frame: Any, update: Any) -> None:
        self.poses.append(update.pose)

    def on_event(self, event: Any) -> None:
        pass

    def close(self, result: AnalysisResult) -> None:
        from formcheck.segments import mark_elsewhere

        mark_elsewhere(result, self.poses)


def analyze_file(
    video: str | Path,
    exercise: str,
    variant: str | None = None,
    settings: dict[str, float] | None = None,
    model: str | None = None,
    progress: bool = False,
    *,
    config: ExerciseConfig | None = None,
    make_sinks: Callable[[ExerciseConfig, FrameSource], tuple[Sink, ...]] | None = None,
    full_picture: bool = False,
) -> tuple[dict[str, Any], AnalysisResult]:
    """Analyze one video file; returns (JSON report, AnalysisResult).

    ``config`` replaces exercise/variant/settings when the caller has resolved it (a prescription);
    ``make_sinks`` adds observers such as the session recorder once the source is open.
    Frames are scaled down while decoding to what the pose model needs, unless ``full_picture`` (a
    session that keeps the video keeps it at the recording's own size).
    """
    from formcheck.pipeline import run
    from formcheck.pose import create_estimator
    from formcheck.report import build_report
    from formcheck.spec import load_exercise
    from formcheck.video.files import MODEL_SIDE_PX, VideoFileSource

    config = config or load_exercise(exercise, variant, settings)
    source = VideoFileSource(video, max_side_px=None if full_picture else MODEL_SIDE_PX)
    with native.quiet_stderr():
        estimator = create_estimator(model)
    # First, so the result it corrects is what the other sinks (the recorder) keep.
    keeper = _PoseKeeper()
    sinks = (keeper, *(make_sinks(config, source) if make_sinks else ()))
    try:
        result = run(
            source,
            estimator,
            config,
            sinks=sinks,
            progress=progress_printer(source.name) if progress else None,
        )
    except BaseException:
        for sink in sinks:
            abort = getattr(sink, "abort", None)
            if abort is not None:
                abort("The analysis stopped with an error")
        raise
    finally:
        estimator.close()
    return build_report(result), result


def raise_if_cut_short(video: str | Path, result: AnalysisResult | PoseTrack) -> None:
    """After the report is out: say so if the video ended early or the source failed part-way."""
    if result.truncated:
        raise FormcheckError(
            f"{video} ends early (damaged or still being copied); the results cover the "
            f"{result.frames} frames that could be read.",
            exit_code=3,
        )
    if result.error is not None:
        raise result.error
