"""The session report (the same JSON as ``formcheck.report.build_report``) rebuilt from a journal, for a
session that was cut off before it could write its own summary."""

from __future__ import annotations

from typing import Any

from formcheck.events import (
    Event,
    FaultEnded,
    FaultStarted,
    Interval,
    Rep,
    SetupProblemEnded,
    SetupProblemStarted,
)
from formcheck.report import (
    SCHEMA_VERSION,
    _r,
    asymmetry_sentence,
    interval_json,
    rep_json,
    side_keys,
    summarize,
)
from formcheck.sessions.journal import FrameChunk


def intervals_from_events(events: list[Event], end_s: float) -> tuple[list[Interval], list[Interval]]:
    """Fault and set-up intervals from their start/end events; ones still open close at ``end_s``."""
    faults: list[Interval] = []
    setup: list[Interval] = []
    open_f: dict[str, float] = {}
    open_s: dict[str, float] = {}
    for e in events:
        if isinstance(e, FaultStarted):
            open_f[e.code] = e.t_s
        elif isinstance(e, FaultEnded) and e.code in open_f:
            faults.append(Interval(e.code, open_f.pop(e.code), e.t_s))
        elif isinstance(e, SetupProblemStarted):
            open_s[e.code] = e.t_s
        elif isinstance(e, SetupProblemEnded) and e.code in open_s:
            setup.append(Interval(e.code, open_s.pop(e.code), e.t_s))
    faults += [Interval(c, t, end_s) for c, t in open_f.items()]
    setup += [Interval(c, t, end_s) for c, t in open_s.items()]
    key = lambda i: (i.start_s, i.code)  # noqa: E731
    return sorted(faults, key=key), sorted(setup, key=key)


def report_from_journal(
    meta: dict[str, Any], reps: list[Rep], events: list[Event], frames: FrameChunk
) -> dict[str, Any]:
    n = len(frames)
    fps = float(meta.get("fps") or 30.0)
    end_s = float(frames.t_s[-1]) + 1.0 / fps if n else 0.0
    faults, setup = intervals_from_events(events, end_s)
    settings = meta["settings"]
    summary = summarize(reps, side_keys(meta["sides"]), settings.get("asymmetry_flag_pct", 15.0))
    return {
        "schema": SCHEMA_VERSION,
        "source": meta["source"],
        "exercise": meta["exercise"],
        "variant": meta["variant"],
        "settings": {k: settings[k] for k in sorted(settings)},
        "fps": _r(fps, 3),
        "frames": n,
        "frames_with_pose": int(frames.found.sum()) if n else 0,
        "duration_s": _r(end_s),  # from the frames' own times (a variable frame rate too)
        "truncated": True,
        "reps": [rep_json(r) for r in reps],
        "faults": [interval_json(i) for i in faults],
        "setup": [interval_json(i) for i in setup],
        "summary": summary,
        "asymmetry_text": asymmetry_sentence(summary, meta["exercise"]),
    }
