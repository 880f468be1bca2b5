"""The analysis report: a JSON document (the contract testers, eval and review read) and a text table."""

from __future__ import annotations

import contextlib
import json
import math
import os
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.events import Interval, Rep
from formcheck.pipeline import AnalysisResult
from formcheck.words import result_word, word

SCHEMA_VERSION = 1


def _r(x: float | None, digits: int = 2) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), digits)


def rep_json(rep: Rep) -> dict[str, Any]:
    return {
        "index": rep.index,
        "side": rep.side,
        "start_s": _r(rep.start_s),
        "peak_s": _r(rep.peak_s),
        "end_s": _r(rep.end_s),
        "peak_deg": _r(rep.peak_deg, 1),
        "hold_s": _r(rep.hold_s),
        "complete": rep.complete,
        "result": rep.result,
        "faults": list(rep.faults),
    }


def interval_json(i: Interval) -> dict[str, Any]:
    return {"code": i.code, "start_s": _r(i.start_s), "end_s": _r(i.end_s)}


def asymmetry_index_pct(left: float | None, right: float | None) -> float | None:
    """|L - R| / ((L + R) / 2) * 100, the symmetry index used in gait analysis."""
    if left is None or right is None or left + right <= 0:
        return None
    return abs(left - right) / ((left + right) / 2.0) * 100.0


def summarize(reps: list[Rep], sides: tuple[str, ...], flag_pct: float) -> dict[str, Any]:
    """Per-side reps, mean peak and mean hold; the asymmetry index and the weaker side if flagged."""
    by_side: dict[str, list[Rep]] = {s: [] for s in sides}
    for r in reps:
        by_side.setdefault(r.side or "all", []).append(r)
    peaks = {s: (sum(r.peak_deg for r in rs) / len(rs) if rs else None) for s, rs in by_side.items()}
    holds = {s: (sum(r.hold_s for r in rs) / len(rs) if rs else None) for s, rs in by_side.items()}
    best = {s: (max(r.peak_deg for r in rs) if rs else None) for s, rs in by_side.items()}
    index = asymmetry_index_pct(peaks.get("left"), peaks.get("right")) if "left" in by_side else None
    weaker = None
    if index is not None and index > flag_pct:
        weaker = "left" if peaks["left"] < peaks["right"] else "right"  # type: ignore[operator]
    return {
        "reps_by_side": {s: len(rs) for s, rs in by_side.items()},
        "good_reps": sum(r.result == "good" for r in reps),
        "peak_deg_by_side": {s: _r(v, 1) for s, v in peaks.items()},
        "best_peak_deg_by_side": {s: _r(v, 1) for s, v in best.items()},
        "hold_s_by_side": {s: _r(v) for s, v in holds.items()},
        "asymmetry_index_pct": _r(index, 1),
        "weaker_side": weaker,
    }


def asymmetry_sentence(summary: dict[str, Any], exercise: str) -> str | None:
    """The asymmetry in words a patient understands, or None when it is within the normal range."""
    weaker = summary.get("weaker_side")
    if weaker is None:
        return None
    stronger = "right" if weaker == "left" else "left"
    peaks = summary["peak_deg_by_side"]
    diff = abs(peaks["left"] - peaks["right"])
    verb = "bends" if exercise == "side_bend" else "comes up"
    return f"Your {weaker} side {verb} {diff:.0f} deg less than your {stronger}."


def side_keys(sides_mode: str) -> tuple[str, ...]:
    return {"either": ("left", "right"), "signed": ("left", "right"), "both": ("both",), "none": ("all",)}[
        sides_mode
    ]


def build_report(result: AnalysisResult) -> dict[str, Any]:
    config = result.config
    summary = summarize(result.reps, side_keys(config.variant.sides), config.params["asymmetry_flag_pct"])
    return {
        "schema": SCHEMA_VERSION,
        "source": result.source_name,
        "exercise": config.spec.name,
        "variant": config.variant.name,
        "settings": {k: config.params[k] for k in sorted(config.params)},
        "fps": _r(result.fps, 3),
        "frames": result.frames,
        "frames_with_pose": result.frames_with_pose,
        "duration_s": _r(result.duration_s),
        "truncated": result.truncated,
        "reps": [rep_json(r) for r in result.reps],
        "faults": [interval_json(i) for i in result.faults],
        "setup": [interval_json(i) for i in result.setup],
        "summary": summary,
        "asymmetry_text": asymmetry_sentence(summary, config.spec.name),
        "notes": list(result.notes),
    }


def _deg(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}°"


def _sec(x: float | None) -> str:
    return "end" if x is None else f"{x:.1f}"


def exercise_words(report: dict[str, Any]) -> str:
    """The exercise as a person reads it: its title and variant ("Supine knee-to-chest, single")."""
    from formcheck.spec import available_exercises, load_spec

    name = report.get("exercise") or ""
    title = name.replace("_", " ")
    path = available_exercises().get(name)
    if path is not None:
        with contextlib.suppress(FormcheckError, OSError):
            title = load_spec(path).title
    return f"{title} ({report['variant']})" if report.get("variant") else title


def interval_text(items: list[dict[str, Any]]) -> str:
    return "; ".join(f"{word(i['code'])} {i['start_s']:.1f}-{_sec(i['end_s'])} s" for i in items)


def format_text(report: dict[str, Any], segment: bool = False) -> str:
    """A readable per-rep table and summary for the terminal, in words (the JSON keeps the codes).

    ``segment``: one exercise of a whole recording, whose span the segment's own heading gives."""
    seen = f"pose found in {report['frames_with_pose']}/{report['frames']} frames"
    if segment:
        lines = [seen[0].upper() + seen[1:] + ".", ""]
    else:
        lines = [f"{report['source']}: {exercise_words(report)}, {report['duration_s']:.1f} s, {seen}", ""]
    reps = report["reps"]
    if reps:
        lines.append(
            f"{'rep':>3}  {'side':<5}  {'start':>6}  {'end':>6}  {'peak':>6}  {'hold':>5}  "
            f"{'result':<11}  form faults"
        )
        for r in reps:
            end = f"{r['end_s']:6.1f}" if r["end_s"] is not None else "     -"
            lines.append(
                f"{r['index']:>3}  {(r['side'] or '-'):<5}  {r['start_s']:6.1f}  {end}  {r['peak_deg']:5.1f}°"
                f"  {r['hold_s']:4.1f}s  {result_word(r['result']):<11}  "
                f"{', '.join(word(c) for c in r['faults']) or '-'}"
            )
    else:
        lines.append("No reps found.")
    lines.extend(report.get("notes", []))
    lines.append("")
    s = report["summary"]
    sides_words = {"all": "", "both": "both sides: "}  # an exercise without sides needs no side named
    per_side = ", ".join(
        f"{sides_words.get(side, side + ': ')}{n} rep{'' if n == 1 else 's'}, "
        f"mean peak {_deg(s['peak_deg_by_side'][side])}"
        for side, n in s["reps_by_side"].items()
    )
    lines.append(f"Good reps: {s['good_reps']} of {len(reps)}.  {per_side}")
    if s["asymmetry_index_pct"] is not None:
        lines.append(f"Asymmetry index: {s['asymmetry_index_pct']:.1f} %")
    if report.get("asymmetry_text"):
        lines.append(report["asymmetry_text"])
    for title, key in (("Form faults", "faults"), ("Set-up problems", "setup")):
        if report[key]:
            lines.append(f"{title}: {interval_text(report[key])}")
    return "\n".join(lines)


def write_text_atomic(
    path: Path, text: str, private: bool = False, hint: str = "choose another path"
) -> None:
    """Write a whole file or nothing: a full disk or a crash never leaves half a report in place.

    ``private`` files (session reports hold health data) are readable by their owner only."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise FormcheckError(f"Cannot write {path}: {reason}; free some space or {hint}.") from exc


def write_json(path: Path, data: dict[str, Any]) -> None:
    """A JSON report: private (0600) like every other report, it holds health data."""
    write_text_atomic(Path(path), json.dumps(data, indent=2) + "\n", private=True)
