"""The pipeline: frame source -> pose -> smoothing -> checker -> sinks. The same code runs live, on
files and in tests; only the source and the sinks change."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from formcheck.checker import ExerciseChecker
from formcheck.errors import FormcheckError
from formcheck.events import Event, FrameUpdate, Interval, Rep
from formcheck.filters import OneEuroFilter
from formcheck.pose import PoseEstimator
from formcheck.pose_frame import PoseFrame
from formcheck.sources import Frame, FrameSource, PrefetchingSource
from formcheck.spec import ExerciseConfig


class Pipeline:
    """Smoothing and checking for one exercise: poses in, ``FrameUpdate`` out. Knows no pixels."""

    def __init__(self, config: ExerciseConfig, min_cutoff_hz: float = 1.5, beta: float = 0.02) -> None:
        self.config = config
        self.checker = ExerciseChecker(config)
        self._filter = OneEuroFilter(min_cutoff_hz=min_cutoff_hz, beta=beta)
        self._vis = config.params["visibility_min"]

    def step(self, pose: PoseFrame) -> FrameUpdate:
        if pose.person_found:
            # Unseen landmarks go in as NaN so the filter holds them instead of smoothing toward a guess.
            raw = np.where((pose.visibility >= self._vis)[:, None], pose.xy_px, np.nan)
            smoothed = self._filter(raw, pose.t_s)
            pose = pose.with_xy(np.where(np.isnan(smoothed), pose.xy_px, smoothed))
        return self.checker.update(pose)

    def finish(self, t_s: float | None = None) -> list[Event]:
        return self.checker.finish(t_s)


@dataclass
class StageTimes:
    """Seconds spent per stage in the consumer thread (decoding overlaps on its own thread)."""

    wait_for_frame_s: float = 0.0
    pose_s: float = 0.0
    check_s: float = 0.0
    sinks_s: float = 0.0
    wall_s: float = 0.0


@dataclass
class AnalysisResult:
    config: ExerciseConfig
    source_name: str
    fps: float
    frames: int
    frames_with_pose: int
    duration_s: float
    reps: list[Rep]
    faults: list[Interval]
    setup: list[Interval]
    truncated: bool
    times: StageTimes
    error: FormcheckError | None = None
    series_t_s: list[float] = field(default_factory=list)
    series: dict[str, list[float]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)


class Sink(Protocol):
    """Something that observes a run: the live view, the session recorder, audio cues.

    ``on_frame`` runs on the pipeline's thread for every frame and must be quick (hand work to another
    thread if it is not). ``on_event`` receives events that come from the user rather than the frames
    (pain stop, pain scores). ``close`` is called once when the run ends, also after an error.
    """

    def on_frame(self, frame: Frame, update: FrameUpdate) -> None: ...

    def on_event(self, event: Event) -> None: ...

    def close(self, result: AnalysisResult) -> None: ...


Progress = Callable[[int, int | None], None]


def run(
    source: FrameSource,
    estimator: PoseEstimator,
    config: ExerciseConfig,
    sinks: tuple[Sink, ...] = (),
    progress: Progress | None = None,
    prefetch: bool = True,
    stop: Callable[[], bool] | None = None,
    pace: float | None = None,
) -> AnalysisResult:
    """Run every frame of ``source`` through the pipeline and collect the result.

    Decoding runs on a background thread (prefetch) so it costs nothing on top of pose inference.
    ``pace`` replays a file in real time at that speed (1.0 = as recorded); None runs flat out.
    ``stop`` is polled before every frame (a pain stop, a closed window).
    A source that fails part-way (camera unplugged) ends the run early: the result keeps everything
    up to that point and carries the error for the caller to report.
    """
    pipeline = Pipeline(config)
    feed = PrefetchingSource(source) if prefetch else source
    times = StageTimes()
    series_t: list[float] = []
    names = list(dict.fromkeys(pipeline.checker.signal_names))
    series: dict[str, list[float]] = {n: [] for n in names}
    all_events: list[Event] = []
    last_t = 0.0
    frames = 0
    error: FormcheckError | None = None
    started = time.perf_counter()
    try:
        while stop is None or not stop():
            t0 = time.perf_counter()
            try:
                frame = feed.read()
            except FormcheckError as exc:
                error = exc
                break
            t1 = time.perf_counter()
            if frame is None:
                break
            if pace:
                # Real-time replay: wait until this frame's moment, measured on the source's own clock.
                due = started + frame.t_s / pace
                if due > t1:
                    time.sleep(due - t1)
                t1 = time.perf_counter()
            pose = estimator.estimate(frame)
            t2 = time.perf_counter()
            update = pipeline.step(pose)
            t3 = time.perf_counter()
            for sink in sinks:
                sink.on_frame(frame, update)
            t4 = time.perf_counter()
            times.wait_for_frame_s += t1 - t0
            times.pose_s += t2 - t1
            times.check_s += t3 - t2
            times.sinks_s += t4 - t3
            frames += 1
            last_t = frame.t_s
            all_events.extend(update.events)
            series_t.append(frame.t_s)
            for n in names:
                series[n].append(update.state.measurements.get(n, float("nan")))
            if progress is not None:
                progress(frames, source.frame_count)
    finally:
        all_events.extend(pipeline.finish(last_t + 1.0 / source.fps if frames else 0.0))
        times.wall_s = time.perf_counter() - started
        truncated = bool(getattr(feed, "truncated", False))
        feed.close()
    checker = pipeline.checker
    result = AnalysisResult(
        config=config,
        source_name=source.name,
        fps=source.fps,
        frames=checker.frames,
        frames_with_pose=checker.frames_with_pose,
        duration_s=frames / source.fps if frames else 0.0,
        reps=list(checker.reps),
        faults=sorted(checker.fault_intervals, key=lambda i: (i.start_s, i.code)),
        setup=sorted(checker.setup_intervals, key=lambda i: (i.start_s, i.code)),
        truncated=truncated,
        times=times,
        error=error,
        series_t_s=series_t,
        series=series,
        events=all_events,
    )
    for sink in sinks:
        sink.close(result)
    return result
