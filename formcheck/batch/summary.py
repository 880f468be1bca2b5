"""The summary table: a row per recording and exercise segment, what a therapist with thirty patients
scans first. Rows depend only on the recordings (never on how many workers ran them, or in which
order), so two runs over the same folder give the same table.

Faults and set-up problems are given in words with a count ("head lifted x2"); the per-recording JSON
reports keep the codes. Every cell goes through ``csv_cell``: a patient folder named '=HYPERLINK(...)'
is text in a spreadsheet, not a formula."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from formcheck.report import write_text_atomic
from formcheck.safe_text import csv_cell

COLUMNS = (
    "patient",
    "date",
    "file",
    "exercise",
    "variant",
    "start_s",
    "end_s",
    "reps",
    "reps_left",
    "reps_right",
    "good_reps",
    "hold_s_left",
    "hold_s_right",
    "hold_s_mean",
    "peak_deg_left",
    "peak_deg_right",
    "peak_deg_mean",
    "asymmetry_pct",
    "weaker_side",
    "faults",
    "setup_problems",
    "status",
    "reason",
)

# status: what became of the file
OK, NO_EXERCISE, CUT_SHORT, FAILED, REFUSED, DUPLICATE = (
    "ok",
    "no exercise",
    "cut short",
    "failed",
    "refused",
    "duplicate",
)
FAILING = (CUT_SHORT, FAILED)  # statuses that make the batch end with a non-zero exit code


def problem_words(code: str) -> str:
    from formcheck.sessions.analysis import fault_words

    return fault_words(code)


def _counted(intervals: list[dict[str, Any]]) -> str:
    counts = Counter(i["code"] for i in intervals)
    return "; ".join(
        f"{problem_words(code)}{'' if n == 1 else f' x{n}'}" for code, n in sorted(counts.items())
    )


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 2) if xs else None


def date_text(epoch_s: float | None) -> str:
    """Local date and time, as a spreadsheet reads it."""
    if epoch_s is None:
        return ""
    return datetime.fromtimestamp(epoch_s).strftime("%Y-%m-%d %H:%M:%S")


def segment_row(patient: str, file: str, began_s: float | None, seg: dict[str, Any]) -> dict[str, Any]:
    """One exercise segment (a report in the one-exercise schema) as a summary row."""
    s = seg["summary"]
    by_side = s["reps_by_side"]
    sided = "left" in by_side
    reps = seg["reps"]
    start_s = seg.get("start_s", 0.0) or 0.0
    return {
        "patient": patient,
        "date": date_text(None if began_s is None else began_s + start_s),
        "file": file,
        "exercise": seg["exercise"],
        "variant": seg["variant"],
        "start_s": round(float(start_s), 2),
        "end_s": round(float(seg.get("end_s", seg["duration_s"])), 2),
        "reps": len(reps),
        "reps_left": by_side.get("left") if sided else None,
        "reps_right": by_side.get("right") if sided else None,
        "good_reps": s["good_reps"],
        "hold_s_left": s["hold_s_by_side"].get("left") if sided else None,
        "hold_s_right": s["hold_s_by_side"].get("right") if sided else None,
        "hold_s_mean": _mean([r["hold_s"] for r in reps if r["hold_s"] is not None]),
        "peak_deg_left": s["peak_deg_by_side"].get("left") if sided else None,
        "peak_deg_right": s["peak_deg_by_side"].get("right") if sided else None,
        "peak_deg_mean": _mean([r["peak_deg"] for r in reps if r["peak_deg"] is not None]),
        "asymmetry_pct": s["asymmetry_index_pct"],
        "weaker_side": s["weaker_side"],
        "faults": _counted(seg["faults"]),
        "setup_problems": _counted(seg["setup"]),
        "status": OK,
        "reason": None,
    }


def recording_rows(
    patient: str, file: str, began_s: float | None, report: dict[str, Any], problem: str | None
) -> list[dict[str, Any]]:
    """The rows of one analysed recording: a row per exercise segment (or one for the whole file with
    -e), one row saying so when no exercise was found; a cut-short file's rows carry its sentence."""
    segments = report.get("segments", [report])
    rows = [segment_row(patient, file, began_s, seg) for seg in segments]
    if not rows:
        notes = report.get("notes") or ["No exercise recognised."]
        rows = [status_row(patient, file, NO_EXERCISE, notes[0], began_s)]
    if problem:
        for row in rows:
            row["status"], row["reason"] = CUT_SHORT, problem
    return rows


def status_row(
    patient: str | None, file: str, status: str, reason: str | None, began_s: float | None = None
) -> dict[str, Any]:
    """A row for a file with no results: failed, refused or a duplicate, with its one sentence."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(patient=patient or "", date=date_text(began_s), file=file, status=status, reason=reason)
    return row


def sort_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["patient"] or "", r["file"], r["start_s"] or 0.0))


def csv_text(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in sort_rows(rows):
        writer.writerow([csv_cell("" if row[c] is None else row[c]) for c in COLUMNS])
    return out.getvalue()


def write_summary(path: Path, rows: list[dict[str, Any]]) -> None:
    """summary.csv, written whole or not at all (a stopped run never leaves half a table)."""
    write_text_atomic(path, csv_text(rows), private=True, hint="choose another output folder with -o")


def read_summary(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
