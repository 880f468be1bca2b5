"""Accuracy evaluation: analyse every sample clip that has a ground-truth file and compare.

A clip passes when its rep counts per side are exact, every matched rep's hold and peak angle are
within tolerance, every true fault and set-up problem is reported within 1 s of its true interval,
and nothing is reported that is not there. A routine clip (several exercises in one recording) is
judged the same way segment by segment: each true segment against the recognised segment it overlaps
most, as ``formcheck analyze`` without ``-e`` reports it.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError

DEFAULT_TOLERANCES = {
    "hold_s": 0.5,
    "peak_deg_front": 3.0,
    "peak_deg_side": 10.0,
    "interval_s": 1.0,
}


BOUNDARY_TOL_S = 2.0  # a recognised segment's start and end against the truth's


@dataclass
class RecognitionScore:
    """How well ``formcheck analyze`` without ``-e`` found the exercises of one clip."""

    clip: str
    segments_true: int
    segments_found: int
    found: list[str]  # "exercise/variant" of each recognised segment
    boundary_err_s: float | None
    pairs: list[tuple[str, str]]  # (true, recognised) exercise per segment, "none" where one is missing
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class ClipScore:
    clip: str
    reps_true: dict[str, int]
    reps_found: dict[str, int]
    hold_err_s: float | None
    peak_err_deg: float | None
    faults_true: int
    faults_found: int
    faults_matched_true: int
    faults_matched_found: int
    setup_true: int
    setup_caught: int
    problems: list[str] = field(default_factory=list)
    exercise: str = ""
    hold_errs_s: list[float] = field(default_factory=list)  # per matched rep; hold_err_s is the worst
    peak_errs_deg: list[float] = field(default_factory=list)  # per matched rep; peak_err_deg is the worst
    segment: int | None = None  # a routine clip's segment (1, 2, ...); None for a one-exercise clip

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        """The clip, and for a routine the segment: "routine_x #2"."""
        return self.clip if self.segment is None else f"{self.clip} #{self.segment}"

    @property
    def precision(self) -> float | None:
        return self.faults_matched_found / self.faults_found if self.faults_found else None

    @property
    def recall(self) -> float | None:
        return self.faults_matched_true / self.faults_true if self.faults_true else None


def _count_by_side(reps: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(r["side"] or "all" for r in reps))


def _overlaps(a: dict[str, Any], b: dict[str, Any], slack_s: float, end_s: float) -> bool:
    a_end = a["end_s"] if a["end_s"] is not None else end_s
    b_end = b["end_s"] if b["end_s"] is not None else end_s
    return a["start_s"] <= b_end + slack_s and b["start_s"] <= a_end + slack_s


def _unmatched(these: list[dict], others: list[dict], slack_s: float, end_s: float) -> list[str]:
    """Codes of the intervals in ``these`` that no interval of the same code in ``others`` overlaps."""
    return [
        a["code"]
        for a in these
        if not any(b["code"] == a["code"] and _overlaps(a, b, slack_s, end_s) for b in others)
    ]


def _match_reps(true: list[dict], found: list[dict]) -> list[tuple[dict, dict]]:
    """Pair reps of the same side by time overlap, in order."""
    pairs = []
    used: set[int] = set()
    for t in true:
        for i, f in enumerate(found):
            if i in used or f["side"] != t["side"]:
                continue
            if _overlaps(t, f, 0.5, math.inf):
                pairs.append((t, f))
                used.add(i)
                break
    return pairs


def score_clip(
    truth: dict[str, Any],
    report: dict[str, Any],
    view: str,
    end_s: float | None = None,
    segment: int | None = None,
) -> ClipScore:
    """One clip's report (or one routine segment's: ``segment``, ending at ``end_s`` on the
    recording's clock) against its truth: reps per side, each matched rep's result, hold and peak,
    faults and set-up problems."""
    tol = dict(DEFAULT_TOLERANCES)
    tol.update(truth.get("tolerances", {}))
    peak_tol = tol.get("peak_deg", tol["peak_deg_front"] if view == "front" else tol["peak_deg_side"])
    if end_s is None:
        end_s = float(report.get("duration_s") or truth.get("duration_s") or 0.0)
    problems: list[str] = []

    reps_true, reps_found = _count_by_side(truth["reps"]), _count_by_side(report["reps"])
    if reps_true != reps_found:
        problems.append(f"reps per side {reps_found} != true {reps_true}")
    pairs = _match_reps(truth["reps"], report["reps"])
    hold_errs = [abs(f["hold_s"] - t["hold_s"]) for t, f in pairs]
    peak_errs = [abs(f["peak_deg"] - t["peak_deg"]) for t, f in pairs]
    for t, f in pairs:
        if t["result"] != f["result"]:
            problems.append(f"rep at {t['start_s']:.1f} s is '{f['result']}', truly '{t['result']}'")
    hold_err = max(hold_errs) if hold_errs else None
    peak_err = max(peak_errs) if peak_errs else None
    if hold_err is not None and hold_err > tol["hold_s"]:
        problems.append(f"hold error {hold_err:.2f} s > {tol['hold_s']} s")
    if peak_err is not None and peak_err > peak_tol:
        problems.append(f"peak-angle error {peak_err:.1f} deg > {peak_tol} deg")

    slack = tol["interval_s"]
    missed = _unmatched(truth["faults"], report["faults"], slack, end_s)
    extra = _unmatched(report["faults"], truth["faults"], slack, end_s)
    if missed:
        problems.append(f"missed faults: {', '.join(missed)}")
    if extra:
        problems.append(f"faults not in the truth: {', '.join(extra)}")
    setup_missed = _unmatched(truth["setup"], report["setup"], slack, end_s)
    if setup_missed:
        problems.append(f"set-up problems not caught: {', '.join(setup_missed)}")

    return ClipScore(
        clip=truth.get("clip", ""),
        reps_true=reps_true,
        reps_found=reps_found,
        hold_err_s=hold_err,
        peak_err_deg=peak_err,
        faults_true=len(truth["faults"]),
        faults_found=len(report["faults"]),
        faults_matched_true=len(truth["faults"]) - len(missed),
        faults_matched_found=len(report["faults"]) - len(extra),
        setup_true=len(truth["setup"]),
        setup_caught=len(truth["setup"]) - len(setup_missed),
        problems=problems,
        exercise=truth.get("exercise", ""),
        hold_errs_s=hold_errs,
        peak_errs_deg=peak_errs,
        segment=segment,
    )


def score_routine(truth: dict[str, Any], recording: dict[str, Any]) -> list[tuple[ClipScore, dict | None]]:
    """Each true segment of a routine judged per rep like a one-exercise clip, against the recognised
    segment paired with it (see ``pair_segments``); a true segment nothing was recognised in has
    every rep missed. Returns (score, the recognised segment's report or None) per true segment."""
    from formcheck.spec import available_exercises, load_spec

    end = float(recording.get("duration_s") or truth.get("duration_s") or 0.0)
    out: list[tuple[ClipScore, dict | None]] = []
    for n, (t, f) in enumerate(pair_segments(truth, recording), 1):
        seg_truth = {
            **t,
            "clip": truth.get("clip", ""),
            "tolerances": {**truth.get("tolerances", {}), **t.get("tolerances", {})},
        }
        view = load_spec(available_exercises()[t["exercise"]]).view
        found = f if f is not None else {"reps": [], "faults": [], "setup": []}
        seg_end = _span(f, end)[1] if f is not None else _span(t, end)[1]
        score = score_clip(seg_truth, found, view, end_s=seg_end, segment=n)
        if f is None:
            score.problems.insert(0, f"{_name(t)} not recognised")
        elif _name(f) != _name(t):
            score.problems.insert(0, f"recognised as {_name(f)}")
        out.append((score, f))
    return out


def truth_files(directory: Path, routines: bool = False) -> list[Path]:
    """The clips of one exercise each (``routines=False``) or the routine clips, whose truth is a list of
    ``segments`` (several exercises in one recording, scored by exercise recognition)."""
    if not directory.is_dir():
        raise FormcheckError(f"{directory} is not a folder of sample clips.")
    files = sorted(directory.glob("*.truth.json"))
    if not files:
        raise FormcheckError(f"No *.truth.json files in {directory}: nothing to evaluate.")
    return [f for f in files if _is_routine(f) == routines]


def _is_routine(path: Path) -> bool:
    try:
        return "segments" in json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # load_truth says what is wrong with it


def load_truth(path: Path) -> dict[str, Any]:
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
        for key in ("exercise", "reps", "faults", "setup"):
            truth[key]
    except (OSError, ValueError, KeyError) as exc:
        raise FormcheckError(f"Truth file {path.name} is unreadable or incomplete ({exc}).") from exc
    truth.setdefault("clip", path.name.removesuffix(".truth.json"))
    return truth


Scored = list[tuple[ClipScore, dict[str, Any] | None]]


def evaluate_clip(truth_path: Path) -> tuple[Scored, RecognitionScore, dict[str, Any]]:
    """Score one clip. The pose model runs once; its poses are checked twice: as the exercise the truth
    names (``analyze -e``, a clip of one exercise) and as recognised (``analyze`` without ``-e``).

    Returns (the per-rep scores, each with the report it judged: one for a one-exercise clip, one per
    true segment for a routine clip; the recognition score; the clip's report)."""
    from formcheck.report import build_report
    from formcheck.segments import analyze_track, build_recording_report, check_poses, track_poses
    from formcheck.spec import load_exercise

    video = truth_path.with_name(truth_path.name.replace(".truth.json", ".mp4"))
    if _is_routine(truth_path):
        routine = load_routine_truth(truth_path)
        track = track_poses(video)
        per_exercise = {s["exercise"]: s.get("settings", {}) for s in routine["segments"]}
        recording = build_recording_report(analyze_track(track, exercise_settings=per_exercise))
        return score_routine(routine, recording), score_recognition(routine, recording), recording
    truth = load_truth(truth_path)
    config = load_exercise(truth["exercise"], truth.get("variant"), truth.get("settings", {}))
    track = track_poses(video)
    report = build_report(check_poses(track, config))
    recording = build_recording_report(analyze_track(track, truth.get("settings", {})))
    report["recognised"] = {"segments": recording["segments"], "other": recording["other"]}
    score = score_clip(truth, report, config.spec.view)
    return [(score, report)], score_recognition(single_as_routine(truth, report), recording), report


def load_routine_truth(path: Path) -> dict[str, Any]:
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
        for seg in truth["segments"]:
            for key in ("exercise", "variant", "start_s", "end_s", "reps", "faults", "setup"):
                seg[key]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FormcheckError(f"Truth file {path.name} is unreadable or incomplete ({exc}).") from exc
    truth.setdefault("clip", path.name.removesuffix(".truth.json"))
    return truth


def single_as_routine(truth: dict[str, Any], forced: dict[str, Any]) -> dict[str, Any]:
    """A one-exercise clip seen as a routine of one segment (none when nobody is in it): recognition
    must find that exercise and variant, and the same reps per side as ``-e`` found."""
    if not truth.get("frames_with_pose", 1):
        segments = []
    else:
        segments = [
            {
                "exercise": truth["exercise"],
                "variant": truth.get("variant"),
                "start_s": None,
                "end_s": None,
                "reps": forced["reps"],
            }
        ]
    return {"clip": truth.get("clip", ""), "segments": segments}


def _span(seg: dict[str, Any], end: float) -> tuple[float, float]:
    lo = seg.get("start_s")
    hi = seg.get("end_s")
    return (0.0 if lo is None else float(lo), end if hi is None else float(hi))


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def _name(seg: dict[str, Any]) -> str:
    return f"{seg['exercise']}/{seg.get('variant')}"


def pair_segments(truth: dict[str, Any], recording: dict[str, Any]) -> list[tuple[dict, dict | None]]:
    """Each true segment with the recognised one it overlaps most (in the truth's order, each
    recognised segment used once), or None when no unused one overlaps it."""
    end = float(recording.get("duration_s") or 0.0)
    found = list(recording["segments"])
    used: set[int] = set()
    pairs: list[tuple[dict, dict | None]] = []
    for t in truth["segments"]:
        t_span = _span(t, end)
        best = max(
            (i for i in range(len(found)) if i not in used),
            key=lambda i: _overlap(t_span, _span(found[i], end)),
            default=None,
        )
        if best is None or _overlap(t_span, _span(found[best], end)) <= 0:
            pairs.append((t, None))
            continue
        used.add(best)
        pairs.append((t, found[best]))
    return pairs


def score_recognition(truth: dict[str, Any], recording: dict[str, Any]) -> RecognitionScore:
    """Segments recognised against the true ones: matched by time overlap, then each must have the
    exercise and variant right, boundaries within ``BOUNDARY_TOL_S`` (where the truth gives them) and
    the reps per side exact. A recognised segment with no true one, or the reverse, is a problem."""
    end = float(recording.get("duration_s") or 0.0)
    found = list(recording["segments"])
    problems: list[str] = []
    pairs: list[tuple[str, str]] = []
    boundary_errs: list[float] = []
    matched: list[int] = []
    for t, f in pair_segments(truth, recording):
        t_span = _span(t, end)
        if f is None:
            problems.append(f"{_name(t)} at {t_span[0]:.0f}-{t_span[1]:.0f} s not recognised")
            pairs.append((t["exercise"], "none"))
            continue
        matched.append(id(f))
        pairs.append((t["exercise"], f["exercise"]))
        if _name(f) != _name(t):
            problems.append(f"{_name(t)} at {t_span[0]:.0f} s recognised as {_name(f)}")
        for which, true_s, found_s in (
            ("start", t.get("start_s"), f["start_s"]),
            ("end", t.get("end_s"), f["end_s"]),
        ):
            if true_s is None:
                continue
            err = abs(float(found_s) - float(true_s))
            boundary_errs.append(err)
            if err > BOUNDARY_TOL_S:
                problems.append(f"{_name(t)} {which} at {found_s:.1f} s, truly {true_s:.1f} s")
        reps_true, reps_found = _count_by_side(t["reps"]), _count_by_side(f["reps"])
        if reps_true != reps_found:
            problems.append(f"{_name(t)} reps per side {reps_found} != {reps_true}")
    if not truth["segments"] and not found:
        pairs.append(("none", "none"))  # nothing to find, nothing found: a right answer too
    for f in found:
        if id(f) not in matched:
            problems.append(f"{_name(f)} at {f['start_s']:.0f}-{f['end_s']:.0f} s is no true segment")
            pairs.append(("none", f["exercise"]))
    return RecognitionScore(
        clip=truth.get("clip", ""),
        segments_true=len(truth["segments"]),
        segments_found=len(found),
        found=[_name(f) for f in found],
        boundary_err_s=max(boundary_errs) if boundary_errs else None,
        pairs=pairs,
        problems=problems,
    )


EXERCISE_ORDER = ("knee_to_chest", "prone_extension", "side_bend", "none")


def format_recognition(scores: list[RecognitionScore]) -> str:
    """Per clip: segments found/true, the worst boundary error, what was recognised; then the confusion
    table of recognised against true exercise over all clips."""
    lines = _listing(
        f"{'clip':<34} {'segments':>9} {'bound err':>9}  recognised",
        scores,
        lambda s: (
            f"{s.clip[:34]:<34} {f'{s.segments_found}/{s.segments_true}':>9} "
            f"{_fmt(s.boundary_err_s, '.1f'):>8}s  {', '.join(s.found) or '-'}{'' if s.passed else '  NO'}"
        ),
        "recognised right",
    )
    lines.append("")
    counts = Counter(p for s in scores for p in s.pairs)
    short = {"knee_to_chest": "knee", "prone_extension": "prone", "side_bend": "side", "none": "none"}
    lines.append("true \\ recognised " + " ".join(f"{short[e]:>6}" for e in EXERCISE_ORDER))
    for t in EXERCISE_ORDER:
        lines.append(f"{short[t]:<19}" + " ".join(f"{counts.get((t, f), 0):>6}" for f in EXERCISE_ORDER))
    return "\n".join(lines)


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


CLIP_W = 38  # a routine's name and its segment number: "routine_sb_hook_superman_older_male #2"


def format_table(scores: list[ClipScore]) -> str:
    def sides(d: dict[str, int]) -> str:
        return " ".join(f"{k[0].upper()}{v}" for k, v in sorted(d.items())) or "0"

    def row(s: ClipScore) -> str:
        pr = f"{_fmt(s.precision, '.2f')}/{_fmt(s.recall, '.2f')}"
        return (
            f"{s.label[:CLIP_W]:<{CLIP_W}} {sides(s.reps_found) + ' / ' + sides(s.reps_true):<17} "
            f"{_fmt(s.hold_err_s, '.2f'):>7}s {_fmt(s.peak_err_deg, '.1f'):>7}° {pr:>11} "
            f"{s.setup_caught}/{s.setup_true:<4}  {'yes' if s.passed else 'NO'}"
        )

    header = (
        f"{'clip':<{CLIP_W}} {'reps found/true':<17} {'hold err':>8} {'peak err':>8} "
        f"{'faults P/R':>11} {'setup':>6}  ok"
    )
    return "\n".join(_listing(header, scores, row, "within tolerance"))


def _listing(header: str, scores: Sequence[Any], row: Callable[[Any], str], passed_words: str) -> list[str]:
    """A table of clips, each clip's problems under its row, and how many passed."""
    lines = [header, "-" * len(header)]
    for s in scores:
        lines.append(row(s))
        lines.extend(f"    - {p}" for p in s.problems)
    lines.append(f"{sum(s.passed for s in scores)} of {len(scores)} clips {passed_words}.")
    return lines


@dataclass(frozen=True)
class ExerciseSummary:
    """One exercise's accuracy over its clips: per-rep errors pooled, faults pooled, counts per clip."""

    exercise: str
    clips: int
    passed: int
    reps_exact: float  # share of clips whose rep counts per side are all exact
    hold_err_mean_s: float | None
    hold_err_max_s: float | None
    peak_err_mean_deg: float | None
    peak_err_max_deg: float | None
    fault_precision: float | None  # reported faults that are in the truth, over all reported
    fault_recall: float | None  # true faults that were reported, over all true
    setup_true: int
    setup_caught: int


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def summarize(scores: list[ClipScore], label: str = "") -> ExerciseSummary:
    """Pool ``scores`` (normally one exercise's clips) into mean and worst errors and fault P/R."""
    holds = [e for s in scores for e in s.hold_errs_s]
    peaks = [e for s in scores for e in s.peak_errs_deg]
    found = sum(s.faults_found for s in scores)
    true = sum(s.faults_true for s in scores)
    return ExerciseSummary(
        exercise=label,
        clips=len(scores),
        passed=sum(s.passed for s in scores),
        reps_exact=sum(s.reps_found == s.reps_true for s in scores) / len(scores) if scores else 0.0,
        hold_err_mean_s=_mean(holds),
        hold_err_max_s=max(holds) if holds else None,
        peak_err_mean_deg=_mean(peaks),
        peak_err_max_deg=max(peaks) if peaks else None,
        fault_precision=sum(s.faults_matched_found for s in scores) / found if found else None,
        fault_recall=sum(s.faults_matched_true for s in scores) / true if true else None,
        setup_true=sum(s.setup_true for s in scores),
        setup_caught=sum(s.setup_caught for s in scores),
    )


def summarize_by_exercise(scores: list[ClipScore]) -> list[ExerciseSummary]:
    """One summary per exercise, by name (routine segments pooled with the clips of their exercise),
    then one over the routine segments alone ("routines", when there are any), then one over all."""
    exercises = sorted({s.exercise for s in scores})
    rows = [summarize([s for s in scores if s.exercise == e], e or "?") for e in exercises]
    in_routines = [s for s in scores if s.segment is not None]
    if in_routines:
        rows.append(summarize(in_routines, "routines"))
    return [*rows, summarize(scores, "all")]


def format_summary(summaries: list[ExerciseSummary]) -> str:
    header = (
        f"{'exercise':<17} {'clips ok':>8} {'reps exact':>10} {'hold err mean/max':>18} "
        f"{'peak err mean/max':>18} {'faults P/R':>11} {'setup':>6}"
    )
    lines = [header, "-" * len(header)]
    for x in summaries:
        hold = f"{_fmt(x.hold_err_mean_s, '.2f')}/{_fmt(x.hold_err_max_s, '.2f')} s"
        peak = f"{_fmt(x.peak_err_mean_deg, '.1f')}/{_fmt(x.peak_err_max_deg, '.1f')}°"
        pr = f"{_fmt(x.fault_precision, '.2f')}/{_fmt(x.fault_recall, '.2f')}"
        lines.append(
            f"{x.exercise[:17]:<17} {f'{x.passed}/{x.clips}':>8} {x.reps_exact:>10.0%} {hold:>18} "
            f"{peak:>18} {pr:>11} {f'{x.setup_caught}/{x.setup_true}':>6}"
        )
    return "\n".join(lines)
