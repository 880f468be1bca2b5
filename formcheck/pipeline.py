"""The pipeline: frame source -> pose -> smoothing -> checker -> sinks. The same code runs live, on
files and in tests; only the source and the sinks change."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from formcheck.baseline import find_rest_window
from formcheck.checker import ExerciseChecker
from formcheck.errors import FormcheckError
from formcheck.events import (
    BaselineCaptured,
    Event,
    FaultEnded,
    FaultStarted,
    FrameUpdate,
    HoldCompleted,
    HoldStarted,
    Interval,
    Rep,
    RepCompleted,
)
from formcheck.filters import OneEuroFilter
from formcheck.measurements import Baseline, make_baseline
from formcheck.pose import PoseEstimator
from formcheck.pose_frame import PoseFrame
from formcheck.spec import ExerciseConfig
from formcheck.video.frames import Frame, FrameSource
from formcheck.video.prefetch import PrefetchingSource

# Events of a measurement made again from a better start that still matter once their moment has
# passed (cues and phase changes of the past do not).
_HISTORY = (BaselineCaptured, RepCompleted, HoldStarted, HoldCompleted, FaultStarted, FaultEnded)

# Poses kept for measuring again from a better start: 20 minutes at 60 fps (about 150 MB at most).
MAX_KEPT_POSES = 72_000

NO_BASELINE_NOTE = (
    "I never saw you keep still in the start position, so nothing could be counted: start by lying "
    "(or standing) still in the start position for a second."
)

# A trimmed clip that starts mid-rep, or someone already at the top: said, never silently dropped.
MID_REP_NOTE = (
    "At {t:.1f} s you were already at the top of a movement I had not seen start, so it is not "
    "counted as a rep: begin each one from the start position."
)


class Pipeline:
    """Smoothing and checking for one exercise: poses in, ``FrameUpdate`` out. Knows no pixels.

    People and trimmed clips often start moving at once, so the smoothed poses are kept: when the start
    position is first seen after a movement, or only at the end of a recording, or nearer the start
    position later than where the baseline was first taken, everything is measured again from there
    and the reps of the past are reported then, never dropped.
    """

    def __init__(self, config: ExerciseConfig, min_cutoff_hz: float = 1.5, beta: float = 0.02) -> None:
        self.config = config
        self.checker = ExerciseChecker(config)
        self._filter = OneEuroFilter(min_cutoff_hz=min_cutoff_hz, beta=beta)
        self._vis = config.params["visibility_min"]
        # Faintly seen points are smoothed too (the checker reads a faint far leg); it gates on its own.
        self._smooth_vis = min(self._vis, config.params["far_visibility_min"])
        self._poses: list[PoseFrame] = []
        self._scores: list[float] = []
        self._usable: list[bool] = []
        self._moved_before_baseline = False
        self.notes: list[str] = []  # what the person or therapist must know about the whole run
        self.series: list[Mapping[str, float]] | None = None  # measurements per frame, when measured again

    def step(self, pose: PoseFrame) -> FrameUpdate:
        if pose.person_found:
            # Unseen landmarks go in as NaN so the filter holds them instead of smoothing toward a guess.
            raw = np.where((pose.visibility >= self._smooth_vis)[:, None], pose.xy_px, np.nan)
            smoothed = self._filter(raw, pose.t_s)
            pose = pose.with_xy(np.where(np.isnan(smoothed), pose.xy_px, smoothed))
        had_baseline = self.checker.baseline is not None
        update = self.checker.update(pose)
        if len(self._poses) < MAX_KEPT_POSES:
            self._poses.append(pose)
            self._scores.append(self.checker.rest_score_deg)
            self._usable.append(self.checker.frame_usable)
        if not had_baseline:
            score = self.checker.rest_score_deg
            self._moved_before_baseline |= score > self.config.params["rest_max_deg"]
            if self.checker.baseline is not None and self._moved_before_baseline:
                update = self._measure_again(self.checker.baseline, self.checker.baseline_score_deg)
        return update

    def _measure_again(self, baseline: Baseline, score_deg: float) -> FrameUpdate:
        """Run every kept pose through a fresh checker that starts with ``baseline``; returns the last
        frame's update carrying the events of the past that still matter."""
        checker = ExerciseChecker(self.config, baseline, score_deg)
        history: list[Event] = []
        series = []
        update: FrameUpdate | None = None
        for pose in self._poses:
            update = checker.update(pose)
            series.append(update.state.measurements)
            history.extend(e for e in update.events if isinstance(e, _HISTORY))
        assert update is not None
        self.checker = checker
        self.series = series
        current = [e for e in update.events if not isinstance(e, _HISTORY)]
        return replace(update, events=tuple(history + current))

    def finish(self, t_s: float | None = None) -> list[Event]:
        """Close the run. A recording with no baseline yet, or with a rest moment clearly nearer the
        start position than the baseline's, is measured again from its quietest rest moment."""
        events: list[Event] = []
        p = self.config.params
        if len(self._poses) < MAX_KEPT_POSES and self._poses:
            window = find_rest_window(
                self._poses, self._scores, self._usable, p["baseline_s"], p["still_frac"], p["rest_max_deg"]
            )
            current = self.checker.baseline_score_deg
            better = window is not None and (
                self.checker.baseline is None
                or (self.checker.signal_needs_baseline and window.score_deg < current - p["rebaseline_deg"])
            )
            if window is not None and better:
                frames = self._poses[window.first : window.last + 1]
                baseline = make_baseline(frames, self.config.spec.posture, self._vis)
                if baseline is not None:
                    kept = (self.checker, self.series)
                    again = self._measure_again(baseline, window.score_deg)
                    if kept[0].baseline is not None and _counted(self.checker) < _counted(kept[0]):
                        # A later rest nearer the start position by its score, that the reps did not
                        # start from (ready on the hands before a cobra, lying relaxed after it: both
                        # are lying, REAL_WORLD.md): measured from it they would be lost, so the start
                        # they were measured from stands.
                        self.checker, self.series = kept
                    else:
                        events.extend(again.events)
        if self.checker.baseline is None and self.checker.frames_with_pose:
            self.notes.append(NO_BASELINE_NOTE)
        elif self.checker.up_before_rest_s is not None:
            self.notes.append(MID_REP_NOTE.format(t=self.checker.up_before_rest_s))
        return events + self.checker.finish(t_s)


def _counted(checker: ExerciseChecker) -> int:
    """Reps that reached the target and came back."""
    return sum(r.complete and r.result != "incomplete" for r in checker.reps)


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
    notes: list[str] = field(default_factory=list)  # sentences about the whole run (no baseline, ...)


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


class _CheckStage(threading.Thread):
    """Smoothing, checking and the sinks, frame by frame in order, on a thread of their own.

    Pose inference releases the GIL while the model runs, so this Python work overlaps it on the
    other core instead of adding to every frame's time.
    """

    def __init__(
        self, pipeline: Pipeline, sinks: tuple[Sink, ...], progress: Progress | None, total: int | None
    ):
        super().__init__(name="checker", daemon=True)
        self.pipeline = pipeline
        self.sinks = sinks
        self.progress = progress
        self.total = total
        self.queue: queue.Queue[tuple[Frame, PoseFrame] | None] = queue.Queue(maxsize=16)
        self.error: BaseException | None = None
        self.check_s = 0.0
        self.sinks_s = 0.0
        self.frames = 0
        self.last_t = 0.0
        self.frame_step_s = 0.0  # the last gap between frames: how long the last frame stays shown
        self.events: list[Event] = []
        self.series_t: list[float] = []
        self.names = list(dict.fromkeys(pipeline.checker.signal_names))
        self.series: dict[str, list[float]] = {n: [] for n in self.names}

    def run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue  # keep draining so the producer never blocks
            try:
                self._step(*item)
            except BaseException as exc:  # re-raised on the caller's thread by run()
                self.error = exc

    def _step(self, frame: Frame, pose: PoseFrame) -> None:
        t0 = time.perf_counter()
        update = self.pipeline.step(pose)
        t1 = time.perf_counter()
        for sink in self.sinks:
            sink.on_frame(frame, update)
        self.check_s += t1 - t0
        self.sinks_s += time.perf_counter() - t1
        if self.frames:
            self.frame_step_s = frame.t_s - self.last_t
        self.frames += 1
        self.last_t = frame.t_s
        self.events.extend(update.events)
        self.series_t.append(frame.t_s)
        for n in self.names:
            self.series[n].append(update.state.measurements.get(n, float("nan")))
        if self.progress is not None:
            self.progress(self.frames, self.total)


def _columns(rows: list[Mapping[str, float]], names: list[str]) -> dict[str, list[float]]:
    return {n: [row.get(n, float("nan")) for row in rows] for n in names}


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

    Three threads in a row: decoding (prefetch), pose inference (this thread) and smoothing + checker
    + sinks, so decoding and our own work overlap the model instead of adding to it. Frames keep
    their order through every stage, so the result is the same as a single-threaded run.
    ``pace`` replays a file in real time at that speed (1.0 = as recorded); None runs flat out.
    ``stop`` is polled before every frame (a pain stop, a closed window).
    A source that fails part-way (camera unplugged) ends the run early: the result keeps everything
    up to that point and carries the error for the caller to report.
    """
    pipeline = Pipeline(config)
    feed = PrefetchingSource(source) if prefetch else source
    stage = _CheckStage(pipeline, sinks, progress, source.frame_count)
    stage.start()
    times = StageTimes()
    error: FormcheckError | None = None
    started = time.perf_counter()
    try:
        while (stop is None or not stop()) and stage.error is None:
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
            stage.queue.put((frame, pose))
            times.wait_for_frame_s += t1 - t0
            times.pose_s += t2 - t1
    finally:
        stage.queue.put(None)
        stage.join()
        truncated = bool(getattr(feed, "truncated", False))
        feed.close()
    if stage.error is not None:
        raise stage.error
    frames = stage.frames
    events = stage.events
    # The recording ends when its last frame stops being shown: one frame step after its timestamp (the
    # last gap between frames, as a variable frame rate has it; the nominal rate for a single frame).
    end_s = stage.last_t + (stage.frame_step_s or 1.0 / source.fps) if frames else 0.0
    events.extend(pipeline.finish(end_s))
    times.wall_s = time.perf_counter() - started
    times.check_s, times.sinks_s = stage.check_s, stage.sinks_s
    checker = pipeline.checker
    result = AnalysisResult(
        config=config,
        source_name=source.name,
        fps=source.fps,
        frames=checker.frames,
        frames_with_pose=checker.frames_with_pose,
        duration_s=end_s,
        reps=list(checker.reps),
        faults=sorted(checker.fault_intervals, key=lambda i: (i.start_s, i.code)),
        setup=sorted(checker.setup_intervals, key=lambda i: (i.start_s, i.code)),
        truncated=truncated,
        times=times,
        error=error,
        series_t_s=stage.series_t,
        series=stage.series if pipeline.series is None else _columns(pipeline.series, stage.names),
        events=events,
        notes=list(pipeline.notes),
    )
    for sink in sinks:
        sink.close(result)
    return result
