"""Whole recordings without ``-e``: which exercises were done, when, and each one analysed as usual.

One pass of the pose model over the recording keeps every pose (33 points a frame: small); the
recogniser (``formcheck.recognize``) finds the episodes, spans where the person holds one start position
and moves from it; each episode that is an exercise is then checked from its own start with the same
pipeline as ``formcheck analyze -e``, on the poses already found, so the model runs once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formcheck import landmarks as lm
from formcheck import native
from formcheck.errors import FormcheckError
from formcheck.measurements import hip_mid, mid_or_one
from formcheck.pipeline import AnalysisResult, run
from formcheck.pose import PoseEstimator
from formcheck.pose_frame import PoseFrame
from formcheck.setup_check import torso_from_vertical_deg
from formcheck.spec import ExerciseConfig
from formcheck.video.files import MODEL_SIDE_PX, VideoFileSource
from formcheck.video.frames import Frame
from formcheck.video.prefetch import PrefetchingSource

# An episode is checked from a little before its first still moment (a rep that starts at once is not
# cut) to the end of its last one: every rep ends before that still moment, and what starts after it is
# the person leaving (a bend to pick up the camera is no rep). The time between episodes is nobody's.
LEAD_S = 1.0
TAIL_S = 0.0
# A recording that starts moving at once has reps before the first still moment the recogniser needs:
# the check then reaches back over the time the person was already in the episode's position (lying
# along the floor, or standing), within what the episode may claim; a disagreeing moment up to
# POSITION_GAP_S long (a tracking blink) does not end it.
POSITION_GAP_S = 0.5
# Set-up problems that stop counting: a segment with no rep but one of these for a while is still an
# exercise segment (the person is told what to change), not "another movement".
BLOCKING_SETUP = ("wrong_view", "wrong_posture", "body_out_of_frame")
BLOCKING_MIN_S = 2.0
# After the last rep, the rest that still belongs to the exercise: the person's own rest between reps
# in this segment (their rhythm), within these bounds; lying or standing still longer is a pause.
REST_AFTER_S = (1.5, 5.0)
REST_AFTER_ONE_REP_S = 3.0  # a single rep: no rhythm of their own to go by
_TINY = np.zeros((2, 2, 3), np.uint8)


@dataclass
class PoseTrack:
    """Every pose of a recording, on the recording's own clock."""

    name: str
    fps: float
    width: int
    height: int
    poses: list[PoseFrame]
    truncated: bool = False
    error: FormcheckError | None = None
    pose_s: float = 0.0  # time spent in the pose model

    @property
    def frames(self) -> int:
        return len(self.poses)

    @property
    def duration_s(self) -> float:
        """To the moment the last frame stops being shown, on the recording's own clock."""
        if not self.poses:
            return 0.0
        step_s = self.poses[-1].t_s - self.poses[-2].t_s if len(self.poses) > 1 else 1.0 / self.fps
        return self.poses[-1].t_s + step_s


# A batch worker lends its one pose graph to every ``track_poses`` of the files it analyses
# (formcheck.batch.worker), so the model is loaded once per worker, not once per file.
lent_pose_graph: ContextVar[PoseEstimator | None] = ContextVar("lent_pose_graph", default=None)


def track_poses(
    video: str | Path,
    model: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    estimator: PoseEstimator | None = None,
) -> PoseTrack:
    """Run the pose model over every frame of ``video`` (decoding on its own thread) and keep the poses.

    ``estimator`` (or one lent through ``lent_pose_graph``) is used and left open; else one is made."""
    from formcheck.pose import create_estimator

    source = VideoFileSource(video, max_side_px=MODEL_SIDE_PX)
    estimator = estimator or (lent_pose_graph.get() if model is None else None)
    own = estimator is None
    if estimator is None:
        with native.quiet_stderr():
            estimator = create_estimator(model)
    feed = PrefetchingSource(source)
    poses: list[PoseFrame] = []
    error: FormcheckError | None = None
    pose_s = 0.0
    try:
        while True:
            try:
                frame = feed.read()
            except FormcheckError as exc:
                error = exc
                break
            if frame is None:
                break
            t0 = time.perf_counter()
            poses.append(estimator.estimate(frame))
            pose_s += time.perf_counter() - t0
            if progress is not None:
                progress(len(poses), source.frame_count)
    finally:
        truncated = bool(getattr(feed, "truncated", False))
        feed.close()
        if own:
            estimator.close()
    return PoseTrack(source.name, source.fps, source.width, source.height, poses, truncated, error, pose_s)


class _Replay:
    """The kept poses as a frame source and a pose estimator at once (the pipeline asks for both)."""

    live = False

    def __init__(self, track: PoseTrack, poses: Sequence[PoseFrame]) -> None:
        self.name = track.name
        self.fps = track.fps
        self.width, self.height = track.width, track.height
        self.frame_count = len(poses)
        self._poses = {p.index: p for p in poses}
        self._order = [p.index for p in poses]
        self._i = 0

    def read(self) -> Frame | None:
        if self._i >= len(self._order):
            return None
        pose = self._poses[self._order[self._i]]
        self._i += 1
        return Frame(pose.index, pose.t_s, _TINY, _TINY)

    def estimate(self, frame: Frame) -> PoseFrame:
        return self._poses[frame.index]

    def close(self) -> None:
        pass


def check_poses(
    track: PoseTrack,
    config: ExerciseConfig,
    start_s: float | None = None,
    end_s: float | None = None,
    sinks: tuple[Any, ...] = (),
) -> AnalysisResult:
    """The exercise checker over the kept poses between ``start_s`` and ``end_s`` (all by default)."""
    lo = -np.inf if start_s is None else start_s
    hi = np.inf if end_s is None else end_s
    poses = [p for p in track.poses if lo <= p.t_s <= hi]
    replay = _Replay(track, poses)
    result = run(replay, replay, config, sinks=sinks, prefetch=False)  # type: ignore[arg-type]
    result.truncated = track.truncated
    return result


@dataclass
class RecordingAnalysis:
    """The analysis of a whole recording: the exercise segments and what was no exercise."""

    track: PoseTrack
    segments: list[tuple[Any, AnalysisResult]] = field(default_factory=list)  # (episode, result)
    other: list[Any] = field(default_factory=list)  # episodes that are no exercise


def is_exercise_segment(result: AnalysisResult) -> bool:
    if result.reps:
        return True
    blocked = sum(
        (i.end_s if i.end_s is not None else result.duration_s) - i.start_s
        for i in result.setup
        if i.code in BLOCKING_SETUP
    )
    return blocked >= BLOCKING_MIN_S


def analyze_track(
    track: PoseTrack,
    settings: dict[str, float] | None = None,
    exercise_settings: dict[str, dict[str, float]] | None = None,
) -> RecordingAnalysis:
    """Recognise the episodes of ``track`` and check each exercise one from its own start.

    ``settings`` (``--set``) apply to every exercise that has them; ``exercise_settings`` per exercise."""
    out = RecordingAnalysis(track)
    for item in exercise_segments(track, settings, exercise_settings):
        if isinstance(item, SegmentCheck):
            out.segments.append((item.episode, item.result))
        else:
            out.other.append(item)
    return out


@dataclass
class SegmentCheck:
    """One exercise segment of a recording: its episode, how it was checked (the config, over
    ``start_s``-``end_s`` of the kept poses) and the result; what a session of it is recorded from."""

    episode: Any
    config: ExerciseConfig
    start_s: float
    end_s: float
    result: AnalysisResult


def exercise_segments(
    track: PoseTrack,
    settings: dict[str, float] | None = None,
    exercise_settings: dict[str, dict[str, float]] | None = None,
) -> list[Any]:
    """The episodes of ``track`` in order: a ``SegmentCheck`` for each exercise segment, the episode
    itself for each that is no exercise."""
    from formcheck.recognize import recognise
    from formcheck.spec import load_exercise

    out: list[Any] = []
    episodes = recognise(track.poses)
    for i, ep in enumerate(episodes):
        if ep.exercise is None:
            out.append(ep)
            continue
        own = {**settings_for(settings, ep.exercise), **(exercise_settings or {}).get(ep.exercise, {})}
        config = load_exercise(ep.exercise, ep.variant, own)
        lo, hi = check_span(episodes, i, track.poses)
        result = check_poses(track, config, lo, hi)
        out.append(SegmentCheck(ep, config, lo, hi, result) if is_exercise_segment(result) else ep)
    return out


def check_span(episodes: Sequence[Any], i: int, poses: Sequence[PoseFrame] = ()) -> tuple[float, float]:
    """Where episode ``i`` is checked: a little around it, never into its neighbours; with the
    recording's ``poses``, back over the time the person was already in its position."""
    ep = episodes[i]
    floor = episodes[i - 1].end_s if i else -np.inf
    lo = max(ep.start_s - LEAD_S, floor)
    if poses:
        lo = min(lo, in_position_since(poses, ep, max(floor, ep.span_start_s)))
    hi = min(ep.end_s + TAIL_S, episodes[i + 1].start_s if i + 1 < len(episodes) else np.inf)
    return lo, hi


def in_position(pose: PoseFrame, posture: str, vis: float = 0.5) -> bool:
    """Whether ``pose`` is in ``posture``'s position, at any point of the movement: lying on the back,
    the trunk along the floor; on the stomach, the legs along it (a press-up lifts the trunk to 70 deg);
    standing, trunk and legs upright."""
    if not pose.person_found:
        return False
    trunk = torso_from_vertical_deg(pose, vis)  # 0 upright, 90 lying
    if posture == "supine":
        return trunk >= 50.0
    hips = hip_mid(pose, vis)
    feet = mid_or_one(pose, lm.LEFT_ANKLE, lm.RIGHT_ANKLE, vis)
    if feet is None:
        feet = mid_or_one(pose, lm.LEFT_KNEE, lm.RIGHT_KNEE, vis)
    if hips is None or feet is None:
        return False
    down = feet - hips
    legs = float(np.degrees(np.arctan2(abs(down[0]), down[1])))  # 0 straight down (standing), 90 lying
    if posture == "prone":
        return legs >= 50.0
    if posture == "standing":
        return trunk <= 40.0 and legs <= 30.0
    return False


def in_position_since(poses: Sequence[PoseFrame], ep: Any, floor_s: float) -> float:
    """The earliest time, back from ``ep``'s start but not before ``floor_s``, since which the person
    has been in ``ep``'s position (moments out of it up to POSITION_GAP_S long do not count)."""
    i = max((k for k, p in enumerate(poses) if p.t_s <= ep.start_s), default=-1)
    since = float(ep.start_s)
    out_since: float | None = None
    while i >= 0 and poses[i].t_s >= floor_s:
        p = poses[i]
        if in_position(p, ep.posture):
            since, out_since = p.t_s, None
        elif out_since is None:
            out_since = p.t_s
        elif out_since - p.t_s > POSITION_GAP_S:
            break
        i -= 1
    return since


def segment_end(ep: Any, result: AnalysisResult) -> float:
    """Where a segment ends: its episode's end (the last still moment before the person left the start
    position), or earlier, the rest after the last rep, when they stayed (paused, fidgeted) in place."""
    ends = [(r.start_s, r.end_s) for r in result.reps if r.end_s is not None]
    if not ends:
        return float(ep.end_s)
    gaps = [b[0] - a[1] for a, b in zip(ends, ends[1:], strict=False)]
    rest = max(gaps) if gaps else REST_AFTER_ONE_REP_S
    rest = min(max(rest, REST_AFTER_S[0]), REST_AFTER_S[1])
    return float(min(ep.end_s, ends[-1][1] + rest))


# A stretch in another exercise's position shorter than this is a fidget or a roll, not a change of
# exercise (the recogniser's episodes need a still moment, so they are seconds long anyway).
ELSEWHERE_MIN_S = 2.0


def mark_elsewhere(result: AnalysisResult, poses: Sequence[PoseFrame]) -> list[tuple[float, float, str]]:
    """With ``-e`` on a recording of several exercises: the stretches where the person was in another
    exercise's position (lying on the stomach during a knee-to-chest check) are not this exercise. Its
    faults there are dropped (a head "lifted" in a prone press-up is no head lift), each stretch becomes
    a ``not_in_position`` set-up interval, and a note says so in words. Returns (start_s, end_s,
    posture) per stretch. Changes ``result`` in place."""
    from formcheck.events import Interval
    from formcheck.recognize import EXERCISE_OF_POSTURE, POSTURE_TEXT, recognise

    own = next((k for k, v in EXERCISE_OF_POSTURE.items() if v == result.config.spec.name), None)
    if own is None or not poses:
        return []
    stretches: list[tuple[float, float, str]] = []
    for ep in recognise(poses):
        if ep.posture in EXERCISE_OF_POSTURE and ep.posture != own:
            lo, hi = float(ep.span_start_s), float(ep.span_end_s)
            if hi - lo >= ELSEWHERE_MIN_S:
                stretches.append((lo, hi, ep.posture))
    if not stretches:
        return []

    def elsewhere(start_s: float) -> bool:
        return any(lo <= start_s <= hi for lo, hi, _ in stretches)

    result.faults = [i for i in result.faults if not elsewhere(i.start_s)]
    result.setup = sorted(
        [*result.setup, *(Interval("not_in_position", lo, hi) for lo, hi, _ in stretches)],
        key=lambda i: (i.start_s, i.code),
    )
    title = result.config.spec.title
    for lo, hi, posture in stretches:
        other = EXERCISE_OF_POSTURE[posture].replace("_", " ")
        result.notes.append(
            f"From {lo:.1f} to {hi:.1f} s you were {POSTURE_TEXT[posture]} ({other}), not in the position "
            f"of {title[0].lower()}{title[1:]} ({POSTURE_TEXT[own]}): nothing was checked then."
        )
    return stretches


def segment_span(ep: Any, result: AnalysisResult) -> tuple[float, float]:
    """A segment's start and end on the recording's clock: from its episode's first still moment, or
    its first rep when that came before; to ``segment_end``."""
    return min([float(ep.start_s)] + [r.start_s for r in result.reps]), segment_end(ep, result)


def _overlaps(start_s: float, end_s: float | None, lo: float, hi: float) -> bool:
    return start_s <= hi and (end_s if end_s is not None else float("inf")) >= lo


class SegmentTrim:
    """A sink, before the session recorder, that makes a recorded segment's session hold what the
    recording report lists under that segment: its intervals that overlap the segment (what came before,
    while the person got into position, is the time between exercises), and the segment's span
    (``result.segment_span``, which the recorder writes into the session's report as start_s/end_s)."""

    def __init__(self, ep: Any) -> None:
        self.ep = ep

    def on_frame(self, frame: Any, update: Any) -> None:
        pass

    def on_event(self, event: Any) -> None:
        pass

    def close(self, result: AnalysisResult) -> None:
        lo, hi = segment_span(self.ep, result)
        result.faults = [i for i in result.faults if _overlaps(i.start_s, i.end_s, lo, hi)]
        result.setup = [i for i in result.setup if _overlaps(i.start_s, i.end_s, lo, hi)]
        result.segment_span = (lo, hi)  # type: ignore[attr-defined]


def settings_for(settings: dict[str, float] | None, exercise: str) -> dict[str, float]:
    """``--set`` values apply to every exercise that has that setting (``hold_s``, ``target_deg`` ...)."""
    from formcheck.spec import available_exercises, load_spec

    if not settings:
        return {}
    spec = load_spec(available_exercises()[exercise])
    known = set(spec.params)
    return {k: v for k, v in settings.items() if k in known}


def episode_json(ep: Any) -> dict[str, Any]:
    return {
        "start_s": round(float(ep.start_s), 2),
        "end_s": round(float(ep.end_s), 2),
        "posture": ep.posture,
        "view": ep.view,
        "movement": ep.movement,
        "why": ep.why,
    }


def build_recording_report(analysis: RecordingAnalysis) -> dict[str, Any]:
    """The JSON report of a whole recording: ``segments`` are reports in the one-exercise schema plus
    ``start_s``/``end_s`` (times on the recording's clock); ``other`` is the time that was no exercise."""
    from formcheck.report import SCHEMA_VERSION, build_report

    track = analysis.track
    segments = []
    between: list[dict[str, Any]] = []
    for ep, result in analysis.segments:
        seg = build_report(result)
        start_s, end_s = segment_span(ep, result)
        # An interval is listed under the segment it falls in: what ended before the segment's start
        # (getting into position) or began after its end (a pause, the camera being picked up) is the
        # time between exercises, listed as such; the rest is the segment's.
        for key in ("faults", "setup"):
            mine = []
            for i in seg[key]:
                if _overlaps(i["start_s"], i["end_s"], start_s, end_s):
                    mine.append(i)
                elif i["start_s"] < start_s:
                    between.append({**i, "kind": key})
            seg[key] = mine
        seg.update(start_s=round(start_s, 2), end_s=round(end_s, 2))
        seg["recognised"] = episode_json(ep)
        segments.append(seg)
    notes = []
    if not segments:
        notes.append(
            "No exercise recognised: formcheck knows supine knee-to-chest, prone trunk extension and "
            "standing side bends, each from a still start position (see 'formcheck exercises')."
        )
    return {
        "schema": SCHEMA_VERSION,
        "source": track.name,
        "exercise": None,
        "variant": None,
        "fps": round(track.fps, 3),
        "frames": len(track.poses),
        "frames_with_pose": sum(p.person_found for p in track.poses),
        "duration_s": round(track.duration_s, 2),
        "truncated": track.truncated,
        "segments": segments,
        "other": [episode_json(ep) for ep in analysis.other],
        "between": sorted(between, key=lambda i: i["start_s"]),
        "notes": notes,
    }


def format_recording_text(report: dict[str, Any]) -> str:
    """The whole recording in words: each segment under one heading that gives its span and length (the
    one figure for it), what was no exercise, and the problems met between exercises."""
    from formcheck.report import exercise_words, format_text, interval_text

    parts = []
    for n, seg in enumerate(report["segments"], 1):
        start_s, end_s = seg["start_s"], seg["end_s"]
        parts.append(
            f"== Segment {n}: {start_s:.1f}-{end_s:.1f} s ({end_s - start_s:.1f} s), {exercise_words(seg)}. "
            f"Recognised: {seg['recognised']['why']}"
        )
        parts.append(format_text(seg, segment=True))
    for ep in report["other"]:
        parts.append(f"-- {ep['start_s']:.1f}-{ep['end_s']:.1f} s: no exercise ({ep['why']}).")
    between = report.get("between", [])
    if between:
        parts.append(f"-- Between exercises (nothing counted): {interval_text(between)}.")
    parts.extend(report["notes"])
    return "\n".join(parts)
