"""What the review and the reports show, computed headless from a stored session: the timeline (key
angles, phases, reps, faults, pain stops), per-side figures, achieved vs prescribed, and progress
across sessions. The Qt code only draws these."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from formcheck import words as _words
from formcheck.events import FaultEnded, FaultStarted, PainScore, PainStop, PhaseChanged
from formcheck.sessions.prescriptions import PrescribedExercise, parse_prescription
from formcheck.sessions.storage import SessionData, SessionRow, SessionStore

SIGNAL_LABELS = {
    "hip_flexion_left_deg": "left hip flexion",
    "hip_flexion_right_deg": "right hip flexion",
    "trunk_elevation_deg": "trunk elevation",
    "lateral_tilt_deg": "side bend (+ left)",
}
# The words live in one table for the whole program (formcheck.words); these names stay for callers.
FAULT_WORDS = _words.FAULT_WORDS
RESULT_WORDS = _words.RESULT_WORDS


def fault_words(code: str) -> str:
    return _words.word(code)


@dataclass
class Span:
    label: str
    start_s: float
    end_s: float


@dataclass
class Timeline:
    t_s: np.ndarray
    signals: dict[str, np.ndarray]  # label -> values (NaN where missing)
    phases: list[Span]
    faults: list[Span]
    reps: list[dict[str, Any]]
    pain_stops: list[float]
    target_deg: float
    release_deg: float
    limit_deg: float | None
    start_s: float  # the span the session covers, on the recording's clock: a routine file's later
    end_s: float  # exercises start well after 0 (their frames, reps and faults keep the file's times)

    # One exercise of a recording: the segment's own span; the time before or after it in the session
    # (getting into position, between exercises) is drawn set apart.
    exercise_span: tuple[float, float] | None = None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class Comparison:
    """Achieved against prescribed, one line per measure."""

    item: PrescribedExercise
    rows: list[tuple[str, str, str, bool]] = field(default_factory=list)  # measure, prescribed, achieved, met


@dataclass
class ProgressPoint:
    session_id: str
    date: str
    peak_deg: float | None
    hold_s: float | None
    good_reps: int
    reps: int
    adherence: float | None
    pain_before: int | None
    pain_after: int | None


def timeline(data: SessionData) -> Timeline:
    f = data.frames
    signals: dict[str, np.ndarray] = {}
    names = list(f.signal_names)
    for j, name in enumerate(names):
        signals[SIGNAL_LABELS.get(name, name.removesuffix("_deg").replace("_", " "))] = f.measurements[
            :, j
        ].astype(float)
    # The session's own span: from its first frame (0 for a live session, the segment's start in a
    # routine file) to its last, widened to any rep or event that lies outside (a cut-off journal).
    times = [float(f.t_s[0]), float(f.t_s[-1])] if len(f) else []
    times += [t for r in data.reps for t in (r.start_s, r.end_s) if t is not None]
    times += [e.t_s for e in data.events if not isinstance(e, PainScore)]
    start = min(times, default=0.0)
    end = max(times, default=0.0)
    if not len(f) and data.row.duration_s:
        end = max(end, start + float(data.row.duration_s))
    duration = end
    phases: list[Span] = []
    open_phase: tuple[str, float] | None = None
    faults: list[Span] = []
    open_faults: dict[str, float] = {}
    pain_stops = []
    for e in data.events:
        if isinstance(e, PhaseChanged):
            if open_phase is not None and open_phase[0] != "start":
                phases.append(Span(open_phase[0], open_phase[1], e.t_s))
            open_phase = (e.phase, e.t_s)
        elif isinstance(e, FaultStarted):
            open_faults[e.code] = e.t_s
        elif isinstance(e, FaultEnded) and e.code in open_faults:
            faults.append(Span(fault_words(e.code), open_faults.pop(e.code), e.t_s))
        elif isinstance(e, PainStop):
            pain_stops.append(e.t_s)
    if open_phase is not None and open_phase[0] != "start":
        phases.append(Span(open_phase[0], open_phase[1], duration))
    faults += [Span(fault_words(c), t, duration) for c, t in open_faults.items()]
    settings = data.row.settings
    item = prescribed_item(data)
    return Timeline(
        t_s=f.t_s.astype(float),
        signals=signals,
        phases=phases,
        faults=sorted(faults, key=lambda s: s.start_s),
        reps=[
            {
                "index": r.index,
                "side": r.side,
                "start_s": r.start_s,
                "peak_s": r.peak_s,
                "end_s": r.end_s,
                "peak_deg": r.peak_deg,
                "result": r.result,
            }
            for r in data.reps
        ],
        pain_stops=pain_stops,
        target_deg=float(settings.get("target_deg", math.nan)),
        release_deg=float(settings.get("release_deg", math.nan)),
        limit_deg=item.limit_deg if item else None,
        start_s=start,
        end_s=max(end, start + 1e-3),
        exercise_span=_exercise_span(data),
    )


def _exercise_span(data: SessionData) -> tuple[float, float] | None:
    report = data.row.report or {}
    if report.get("start_s") is None or report.get("end_s") is None:
        return None
    return float(report["start_s"]), float(report["end_s"])


def length_words(data: SessionData) -> str:
    """How long the session was, one figure, and where it lies in its file when it is one exercise of a
    recording ("20 s, 27.4-47.1 s into routine.mp4"); a session that starts at 0 needs no place."""
    report = data.row.report or {}
    if report.get("start_s") is not None and report.get("end_s") is not None:
        # One exercise of a recording: the segment's span, the same figure as the recording's text.
        start, end = float(report["start_s"]), float(report["end_s"])
        return f"{end - start:.1f} s, {start:.1f}-{end:.1f} s into {data.row.source}"
    f = data.frames
    if not len(f):
        return f"{(data.row.duration_s or 0):.0f} s"
    start, end = float(f.t_s[0]), float(f.t_s[-1])
    length = f"{end - start:.0f} s"
    if start > 1.0:
        return f"{length}, {start:.1f}-{end:.1f} s into {data.row.source}"
    return length


def prescribed_item(data: SessionData) -> PrescribedExercise | None:
    """The prescription entry this session was recorded against, if any."""
    if not data.prescription_toml:
        return None
    try:
        p = parse_prescription(data.prescription_toml, "stored prescription")
    except Exception:  # noqa: BLE001 - an old prescription that no longer validates is simply not shown
        return None
    wanted = data.meta.get("step_index") if data.meta else data.row.step_index
    for item in p.exercises:
        if wanted is not None and item.position == wanted:
            return item
    return next((i for i in p.exercises if i.exercise == data.row.exercise), None)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def comparison(data: SessionData) -> Comparison | None:
    item = prescribed_item(data)
    if item is None:
        return None
    out = Comparison(item)
    for side in item.sides:
        done = [r for r in data.reps if r.complete and (side in ("both", "all") or r.side == side)]
        label = "reps" if side in ("both", "all") else f"reps, {side}"
        out.rows.append((label, str(item.reps), str(len(done)), len(done) >= item.reps))
    hold = item.config.params["hold_s"]
    holds = [r.hold_s for r in data.reps if r.complete]
    if hold > 0:
        mean_hold = _mean(holds)
        out.rows.append(
            (
                "mean hold",
                f"{hold:g} s",
                "-" if mean_hold is None else f"{mean_hold:.1f} s",
                mean_hold is not None and mean_hold + 1e-6 >= hold,
            )
        )
    target = item.config.params["target_deg"]
    peaks = [r.peak_deg for r in data.reps if r.complete]
    mean_peak = _mean(peaks)
    out.rows.append(
        (
            "mean peak angle",
            f"{target:g} deg",
            "-" if mean_peak is None else f"{mean_peak:.0f} deg",
            mean_peak is not None and mean_peak >= target,
        )
    )
    if item.limit_deg is not None:
        over = sum(p > item.limit_deg for p in peaks)
        out.rows.append(("reps past the limit", f"none past {item.limit_deg:g} deg", str(over), over == 0))
    return out


def adherence(row: SessionRow, data_toml: str | None) -> float | None:
    if not data_toml or row.report is None:
        return None
    try:
        p = parse_prescription(data_toml, "stored prescription")
    except Exception:  # noqa: BLE001
        return None
    item = next((i for i in p.exercises if i.position == row.step_index), None) or next(
        (i for i in p.exercises if i.exercise == row.exercise), None
    )
    if item is None:
        return None
    prescribed = item.reps * len(item.sides)
    done = 0
    for side in item.sides:
        n = sum(
            1 for r in row.report["reps"] if r["complete"] and (side in ("both", "all") or r["side"] == side)
        )
        done += min(n, item.reps)
    return done / prescribed


def progress(store: SessionStore, patient: str, exercise: str) -> list[ProgressPoint]:
    points = []
    for row in store.list_sessions(patient=patient, exercise=exercise):
        if row.report is None:
            continue
        reps = [r for r in row.report["reps"] if r["complete"]]
        peaks = [r["peak_deg"] for r in reps if r["peak_deg"] is not None]
        holds = [r["hold_s"] for r in reps if r["hold_s"] is not None]
        toml = store.prescription_toml(row.prescription_id) if row.prescription_id is not None else None
        points.append(
            ProgressPoint(
                session_id=row.id,
                date=row.started_at[:10],
                peak_deg=_mean(peaks),
                hold_s=_mean(holds),
                good_reps=row.report["summary"]["good_reps"],
                reps=len(row.report["reps"]),
                adherence=adherence(row, toml),
                pain_before=row.pain_before,
                pain_after=row.pain_after,
            )
        )
    return points


def pain_scores(data: SessionData) -> list[tuple[str, int]]:
    return [(e.when, e.score) for e in data.events if isinstance(e, PainScore)]
