"""Session reports: CSV (one row per rep) and HTML. The HTML names its plots by file name; the Qt side
(``ui/review_report.py``) draws them and embeds them, and renders the same HTML to PDF."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from formcheck.palette import PAPER
from formcheck.safe_text import csv_cell, printable
from formcheck.sessions.analysis import (
    RESULT_WORDS,
    comparison,
    fault_words,
    length_words,
    pain_scores,
    prescribed_item,
)
from formcheck.sessions.storage import SessionData

PLOTS = ("timeline", "sides", "progress")
CSV_COLUMNS = (
    "session",
    "patient",
    "date",
    "exercise",
    "variant",
    "rep",
    "side",
    "start_s",
    "peak_s",
    "end_s",
    "peak_deg",
    "hold_s",
    "complete",
    "result",
    "faults",
    "prescribed_target_deg",
    "prescribed_hold_s",
    "limit_deg",
    "past_limit",
)
DISCLAIMER = "formcheck is an exercise aid, not a diagnosis. Angles are estimated from a single camera."


def _f(x: float | None, digits: int = 1) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def report_csv(data: SessionData) -> str:
    item = prescribed_item(data)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    row = data.row
    for r in data.reps:
        cells = [
            row.id,
            row.patient,
            row.started_at,
            row.exercise,
            row.variant,
            r.index,
            r.side or "",
            _f(r.start_s, 2),
            _f(r.peak_s, 2),
            _f(r.end_s, 2),
            _f(r.peak_deg),
            _f(r.hold_s, 2),
            int(r.complete),
            r.result,
            ";".join(r.faults),
            _f(item.config.params["target_deg"]) if item else "",
            _f(item.config.params["hold_s"]) if item else "",
            _f(item.limit_deg) if item and item.limit_deg is not None else "",
            int(r.peak_deg > item.limit_deg) if item and item.limit_deg is not None else "",
        ]
        # The patient's name and every other text came from a file (an imported session): a spreadsheet
        # must show them, never run them.
        w.writerow([csv_cell(c) for c in cells])
    return out.getvalue()


def report_csv_many(datas: list[SessionData]) -> str:
    """Several sessions (a sitting) in one table: one header, every session's reps in time order."""
    parts = [report_csv(d) for d in datas]
    return parts[0] + "".join(p.split("\n", 1)[1] for p in parts[1:])


def sitting_of(store: Any, session_id: str) -> list[str]:
    """The sessions of the sitting ``session_id`` belongs to (auto mode, or a prescription's routine),
    in the order they were done; just that session when it belongs to none."""
    rows = store.list_sessions()
    mine = next(r for r in rows if r.id == session_id)
    if not mine.routine_id:
        return [session_id]
    together = [r for r in rows if r.routine_id == mine.routine_id]
    return [r.id for r in sorted(together, key=lambda r: r.started_at)]


def exercise_title(name: str) -> str:
    from formcheck.spec import available_exercises, load_spec

    path = available_exercises().get(name)
    try:
        return load_spec(path).title if path else name.replace("_", " ")
    except Exception:  # noqa: BLE001 - a title is not worth failing a report for
        return name.replace("_", " ")


def escape(x: object) -> str:
    """Text for HTML: markup escaped, control characters (which may come from a file) removed."""
    return html.escape(printable(str(x)))


_e = escape  # short, for the many places below

STATUS_WORDS = {
    "complete": "complete",
    "interrupted": "interrupted (the program stopped; kept up to the cut)",
    "disk_full": "stopped early: the disk was full",
    "recording": "still recording",
    "error": "stopped early by an error",
}

STYLE = f"""
body {{ font-family: sans-serif; font-size: 10pt; color: {PAPER.ink}; }}
h1 {{ font-size: 16pt; margin-bottom: 2px; }} h2 {{ font-size: 12pt; margin-top: 14px; margin-bottom: 4px; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #bbb; padding: 2px 6px; }}
th {{ background: #eee; text-align: left; }} .ok {{ color: {PAPER.good}; }}
.no {{ color: {PAPER.bad}; font-weight: bold; }} .short {{ color: {PAPER.warn}; font-weight: bold; }}
.note {{ color: {PAPER.muted}; }} .warn {{ color: {PAPER.bad}; }}
.left {{ color: {PAPER.left}; font-weight: bold; }} .right {{ color: {PAPER.right}; font-weight: bold; }}
"""
# The colours of formcheck.palette's paper surface: the same meanings as the review window's.
RESULT_CLASS = {"good": "ok", "short_hold": "short", "incomplete": "short", "faulty": "no"}
SIDE_WORDS = {"all": "all reps", "both": "both sides"}


def _side_cell(side: str | None) -> str:
    """A side in its own colour (the same in every session and in the plots), in words."""
    if side in ("left", "right"):
        return f"<span class='{side}'>{side}</span>"
    return _e(SIDE_WORDS.get(side or "", side or "-"))


def report_html(
    data: SessionData,
    image_src: Callable[[str], str | None] = lambda name: None,
    progress_rows: list[list[str]] | None = None,
) -> str:
    """The full report. ``image_src(name)`` gives each plot's ``src`` (data: URI, resource name) or None."""
    row, rep_list = data.row, data.reps
    report = row.report or {}
    summary = report.get("summary", {})
    title = exercise_title(row.exercise)
    parts = [
        f"<html><head><meta charset='utf-8'>"
        f"<title>formcheck: {_e(row.patient)}, {_e(row.started_at[:10])}</title>"
        f"<style>{STYLE}</style></head><body>"
    ]
    parts.append(f"<h1>{_e(row.patient)}: {_e(title)} ({_e(row.variant)})</h1>")
    pains = pain_scores(data)
    before = next((s for w, s in pains if w == "before"), None)
    after = next((s for w, s in reversed(pains) if w != "before"), None)
    pain = "not asked"
    if before is not None or after is not None:
        pain = f"{'-' if before is None else before} before, {'-' if after is None else after} after (0-10)"
        if before is not None and after is not None and after > before:
            pain += " <span class='warn'>(pain rose during the session)</span>"
    parts.append(
        f"<p>Date: {_e(row.started_at.replace('T', ' ')[:16])} &middot; "
        f"length {_e(length_words(data))} &middot; "
        f"session {_e(row.id)} &middot; {_e(STATUS_WORDS.get(row.status, row.status))}<br>"
        f"Pain: {pain}</p>"
    )
    if row.message:
        parts.append(f"<p class='note'>{_e(row.message)}</p>")
    stops = [e for e in data.events if type(e).__name__ == "PainStop"]
    if stops:
        parts.append(
            "<p class='warn'>Pain stop pressed at " + ", ".join(f"{e.t_s:.1f} s" for e in stops) + ".</p>"
        )

    good = summary.get("good_reps", 0)
    parts.append(f"<h2>Summary</h2><p>Good reps: {good} of {len(rep_list)}.")
    if report.get("asymmetry_text"):
        parts.append(f" <b>{_e(report['asymmetry_text'])}</b>")
    parts.append("</p>")
    sides = summary.get("reps_by_side", {})
    if sides:
        parts.append(
            "<table><tr><th>side</th><th>reps</th><th>mean peak</th><th>best peak</th><th>mean hold</th></tr>"
        )
        for side, n in sides.items():
            parts.append(
                f"<tr><td>{_side_cell(side)}</td><td>{n}</td>"
                f"<td>{_f(summary['peak_deg_by_side'].get(side))} deg</td>"
                f"<td>{_f(summary['best_peak_deg_by_side'].get(side))} deg</td>"
                f"<td>{_f(summary['hold_s_by_side'].get(side))} s</td></tr>"
            )
        parts.append("</table>")
        if summary.get("asymmetry_index_pct") is not None:
            parts.append(
                f"<p>Asymmetry index (peak angle): {summary['asymmetry_index_pct']:.1f} % "
                f"(flagged above {row.settings.get('asymmetry_flag_pct', 15):g} %).</p>"
            )
    src = image_src("sides")
    if src:
        parts.append(f"<p><img src='{_e(src)}' width='520'></p>")

    comp = comparison(data)
    if comp is not None:
        parts.append(
            f"<h2>Achieved vs prescribed</h2><p>{_e(comp.item.describe())}"
            + (f"<br><i>Note: {_e(comp.item.notes)}</i>" if comp.item.notes else "")
            + "</p>"
        )
        parts.append("<table><tr><th>measure</th><th>prescribed</th><th>achieved</th><th></th></tr>")
        for measure, want, got, met in comp.rows:
            mark = "<span class='ok'>met</span>" if met else "<span class='no'>not met</span>"
            parts.append(
                f"<tr><td>{_e(measure)}</td><td>{_e(want)}</td><td>{_e(got)}</td><td>{mark}</td></tr>"
            )
        parts.append("</table>")

    parts.append("<h2>Timeline</h2>")
    src = image_src("timeline")
    if src:
        parts.append(f"<p><img src='{_e(src)}' width='680'></p>")
    parts.append(
        "<p class='note'>Shaded: raising / hold / lowering. Numbered marks: reps at their peak. "
        "Red bars: form faults. Dashed lines: target and release angles.</p>"
    )

    parts.append("<h2>Reps</h2>")
    if rep_list:
        parts.append(
            "<table><tr><th>rep</th><th>side</th><th>start</th><th>end</th><th>peak</th>"
            "<th>hold</th><th>result</th><th>form faults</th></tr>"
        )
        for r in rep_list:
            end = "-" if r.end_s is None else f"{r.end_s:.1f} s"
            cls = RESULT_CLASS.get(r.result, "no")
            parts.append(
                f"<tr><td>{r.index}</td><td>{_side_cell(r.side)}</td><td>{r.start_s:.1f} s</td><td>{end}</td>"
                f"<td>{r.peak_deg:.0f} deg</td><td>{r.hold_s:.1f} s</td>"
                f"<td class='{cls}'>{_e(RESULT_WORDS.get(r.result, r.result))}</td>"
                f"<td>{_e(', '.join(fault_words(c) for c in r.faults) or '-')}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No reps were recorded.</p>")
    faults = report.get("faults", [])
    if faults:
        parts.append(
            "<p>Form faults: "
            + "; ".join(
                f"{_e(fault_words(i['code']))} {i['start_s']:.1f}-{(i['end_s'] or 0):.1f} s" for i in faults
            )
            + ".</p>"
        )
    setup = report.get("setup", [])
    if setup:
        parts.append(
            "<p class='note'>Set-up problems (nothing counted meanwhile): "
            + "; ".join(
                f"{_e(fault_words(i['code']))} {i['start_s']:.1f}-{(i['end_s'] or 0):.1f} s" for i in setup
            )
            + ".</p>"
        )

    if progress_rows:
        parts.append("<h2>Progress across sessions</h2>")
        src = image_src("progress")
        if src:
            parts.append(f"<p><img src='{_e(src)}' width='680'></p>")
        parts.append(
            "<table><tr><th>date</th><th>mean peak</th><th>mean hold</th><th>good / reps</th>"
            "<th>adherence</th><th>pain before / after</th></tr>"
        )
        for cells in progress_rows:
            parts.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
        parts.append("</table>")
    parts.append(f"<p class='note'>{DISCLAIMER}</p></body></html>")
    return "".join(parts)


def _dash(x: object) -> str:
    return "-" if x is None else str(x)


def progress_table(points: list) -> list[list[str]]:  # list[ProgressPoint]
    rows = []
    for p in points:
        rows.append(
            [
                p.date,
                "-" if p.peak_deg is None else f"{p.peak_deg:.0f} deg",
                "-" if p.hold_s is None else f"{p.hold_s:.1f} s",
                f"{p.good_reps} / {p.reps}",
                "-" if p.adherence is None else f"{100 * p.adherence:.0f} %",
                f"{_dash(p.pain_before)} / {_dash(p.pain_after)}",
            ]
        )
    return rows


# Report formats that need drawing (HTML with plots, PDF) are provided by the window part (ui/), which
# registers them here; the core writes CSV itself. fmt -> write(store, sessions, path): one session, or
# the sessions of a sitting one after the other.
WRITERS: dict[str, Callable[[Any, list[SessionData], Path], None]] = {}


def register_writer(fmt: str, write: Callable[[Any, list[SessionData], Path], None]) -> None:
    WRITERS[fmt] = write
