"""``formcheck batch FOLDER``: a clinic's folder of recordings in one command (docs/batch.md)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from formcheck.batch.files import FolderEntry, content_hash, scan_folder
from formcheck.batch.progress import BatchProgress
from formcheck.batch.state import BatchState
from formcheck.batch.summary import (
    DUPLICATE,
    FAILED,
    FAILING,
    REFUSED,
    recording_rows,
    status_row,
    write_summary,
)
from formcheck.batch.worker import RecordingOutcome, RecordingTask, analyse_recording
from formcheck.errors import FormcheckError
from formcheck.safe_text import printable

DEFAULT_OUTDIR = "formcheck-batch"
SUMMARY_NAME = "summary.csv"
FAILURES_NAME = "failures.txt"
REPORTS_DIR = "reports"


def worker_lost_sentence(file: str, exc: BaseException) -> str:
    """Why a file has no result when its worker, not the file, failed."""
    if type(exc).__name__ == "KilledWorker":
        return (
            f"The worker analysing {file} stopped (out of memory, or a crash in the pose model); "
            f"run the batch again to retry it."
        )
    if isinstance(exc, FormcheckError):
        return exc.message
    return f"{file} could not be analysed ({type(exc).__name__}: {exc})."


def report_path(outdir: Path, relative: str) -> Path:
    return outdir / REPORTS_DIR / (relative + ".json")


class Batch:
    """One run over a folder: what is found, what is already finished, the rows so far."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.folder = Path(args.folder)
        if not self.folder.is_dir():
            raise FormcheckError(f"{args.folder} is not a folder; give the folder that holds the recordings.")
        self.outdir = Path(args.output or DEFAULT_OUTDIR)
        self.exercise: str | None = args.exercise
        self.variant: str | None = args.variant
        if self.exercise is not None:
            from formcheck.spec import load_exercise

            load_exercise(self.exercise, self.variant)  # an unknown exercise is said before any work
        self.args = args
        self.state = BatchState(self.outdir)
        self.rows: list[dict[str, Any]] = []
        self.entries: dict[str, FolderEntry] = {}  # by relative path
        self.hashes: dict[str, str] = {}  # relative path -> sha256
        self.analysed = self.skipped = 0
        self.startup_s = 0.0  # starting the workers (for the benchmark)

    def run(self) -> int:
        from formcheck.batch.engine import Engine
        from formcheck.sessions.commands import open_store

        found = scan_folder(self.folder, self.args.patient, skip=self.outdir)
        recordings = [e for e in found if e.reason is None]
        for e in found:
            if e.reason is not None:
                self.rows.append(status_row(e.patient, e.relative, REFUSED, e.reason))
        if not recordings and not self.rows:
            raise FormcheckError(
                f"No recordings in {self.folder} (.mp4, .mov, .mkv, .webm or .avi, in sub-folders named for "
                f"each patient)."
            )
        store = open_store(self.args)
        todo = self._not_finished(recordings)
        progress = BatchProgress(len(recordings), sum(e.size_bytes for e in recordings))
        for e in recordings:
            if e.relative not in todo:
                progress.skipped(e.relative, e.size_bytes, self._skip_why(e))
        tasks = [RecordingTask(str(e.path), e.relative, self.exercise, self.variant) for e in todo.values()]
        if tasks:
            started = time.perf_counter()
            threads = getattr(self.args, "pose_threads", None)
            with Engine(self.args.jobs, self.args.cluster, pose_threads=threads) as engine:
                self.startup_s = time.perf_counter() - started
                sys.stderr.write(f"batch: {len(tasks)} recording(s) on {engine.description}\n")
                for task, outcome, error in engine.run(
                    analyse_recording,
                    tasks,
                    on_start=lambda t: progress.started(t.relative, self.entries[t.relative].size_bytes),
                ):
                    problem = self._finish(store, task, outcome, error)
                    progress.finished(task.relative, outcome.seconds if outcome else 0.0, problem)
                    self._write_tables()
        progress.close()
        self._write_tables()
        return self._conclude(store, len(recordings))

    def _skip_why(self, e: FolderEntry) -> str:
        status = next((r["status"] for r in self.rows if r["file"] == e.relative), None)
        if status == DUPLICATE:
            return "the same recording as another, analysed once"
        if status == FAILED:
            return "it cannot be read"
        return "already analysed"

    def _not_finished(self, recordings: list[FolderEntry]) -> dict[str, FolderEntry]:
        """Hash every recording; keep the rows of those finished before; the rest is the work."""
        todo: dict[str, FolderEntry] = {}
        first_of: dict[str, str] = {}
        for e in recordings:
            self.entries[e.relative] = e
            try:
                sha = content_hash(e.path)
            except OSError as exc:
                why = exc.strerror or exc
                reason = f"{e.relative} cannot be read ({why}); check it is not open elsewhere."
                self.rows.append(status_row(e.patient, e.relative, FAILED, reason))
                continue
            self.hashes[e.relative] = sha
            if sha in first_of:
                reason = f"The same recording as {first_of[sha]}; analysed once."
                self.rows.append(status_row(e.patient, e.relative, DUPLICATE, reason))
                continue
            first_of[sha] = e.relative
            record = self.state.finished(sha, e.patient or "")
            if record is None:
                todo[e.relative] = e
                continue
            self.skipped += 1
            for row in record["rows"]:
                row["file"] = e.relative  # moved or renamed since: the same recording
                self.rows.append(row)
        return todo

    def _finish(
        self, store: Any, task: RecordingTask, outcome: RecordingOutcome | None, error: BaseException | None
    ) -> str | None:
        """Record one file's results (sessions, report, rows, state); returns its problem sentence."""
        from formcheck.batch.record import iso_local, record_sessions
        from formcheck.report import write_text_atomic

        entry = self.entries[task.relative]
        patient = entry.patient or ""
        if outcome is None or outcome.failed:
            if outcome is None:
                reason = worker_lost_sentence(task.relative, error or RuntimeError("no result"))
            else:
                reason = outcome.problem or f"{task.relative} could not be analysed."
            self.rows.append(status_row(patient, task.relative, FAILED, reason))
            return reason
        assert outcome.report is not None
        try:
            sessions = record_sessions(store, outcome, patient)
        except FormcheckError as exc:
            self.rows.append(status_row(patient, task.relative, FAILED, exc.message))
            return exc.message
        sha = self.hashes[task.relative]
        report = {
            **outcome.report,
            "batch": {
                "file": task.relative,
                "patient": patient,
                "sha256": sha,
                "recorded_at": iso_local(outcome.recorded_at_s) if outcome.recorded_at_s else None,
                "sessions": sessions,
                "problem": outcome.problem,
            },
        }
        # A report holds health data: readable by its owner only, as the session store is.
        write_text_atomic(
            report_path(self.outdir, task.relative),
            json.dumps(report, indent=2) + "\n",
            private=True,
            hint="choose another output folder with -o",
        )
        rows = recording_rows(patient, task.relative, outcome.recorded_at_s, outcome.report, outcome.problem)
        self.rows.extend(rows)
        self.state.mark_finished(
            sha,
            {
                "file": task.relative,
                "patient": patient,
                "rows": rows,
                "sessions": sessions,
                "problem": outcome.problem,
                "seconds": round(outcome.seconds, 2),
                "worker": outcome.worker,
                "peak_rss_mb": round(outcome.peak_rss_mb, 1),
                "cpu_s": round(outcome.cpu_s, 2),
                "duration_s": outcome.report.get("duration_s"),
            },
        )
        self.analysed += 1
        return outcome.problem

    def _write_tables(self) -> None:
        write_summary(self.outdir / SUMMARY_NAME, self.rows)
        listed = self._listed_problems()
        path = self.outdir / FAILURES_NAME
        if listed:
            from formcheck.report import write_text_atomic

            write_text_atomic(path, "".join(f"{f}: {why}\n" for f, why in listed), private=True)
        else:
            path.unlink(missing_ok=True)

    def _listed_problems(self) -> list[tuple[str, str]]:
        """(file, sentence) for every file that failed, was cut short or was refused, once each."""
        seen: dict[str, str] = {}
        for row in sorted(self.rows, key=lambda r: r["file"]):
            if row["status"] in (*FAILING, REFUSED) and row["file"] not in seen:
                seen[row["file"]] = row["reason"] or ""
        return list(seen.items())

    def _conclude(self, store: Any, recordings: int) -> int:
        failing = sorted({r["file"] for r in self.rows if r["status"] in FAILING})
        patients = sorted({r["patient"] for r in self.rows if r["patient"]})
        print(
            f"{recordings} recording(s) of {len(patients)} patient(s): {self.analysed} analysed now, "
            f"{self.skipped} finished before; {len(self.rows)} row(s) in {self.outdir / SUMMARY_NAME}; "
            f"sessions in {store.root}."
        )
        for file, why in self._listed_problems():
            print(printable(f"  {file}: {why}"))
        if failing:
            raise FormcheckError(
                f"{len(failing)} of {recordings} recording(s) failed or were cut short; they are listed in "
                f"{self.outdir / FAILURES_NAME} and in the summary's reason column.",
                exit_code=1,
            )
        return 0


def cmd_batch(args: argparse.Namespace) -> int:
    return Batch(args).run()


def register(sub: argparse._SubParsersAction, parser: argparse.ArgumentParser) -> None:
    from formcheck.sessions.commands import data_dir_arg

    p = sub.add_parser(
        "batch",
        help="analyse every recording in a folder tree, record the sessions, write reports and a summary",
        description="Analyse every recording under FOLDER (one sub-folder per patient), record each as "
        "sessions, and write a JSON report per recording and summary.csv to OUTDIR. A run that is "
        "stopped starts again where it left off. Exits 1 if any recording failed. See docs/batch.md.",
    )
    p.add_argument("folder", metavar="FOLDER", help="folder of recordings, one sub-folder per patient")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUTDIR",
        help=f"where reports and summary.csv go (default: ./{DEFAULT_OUTDIR})",
    )
    p.add_argument(
        "--jobs", "-j", type=int, default=None, help="worker processes (default: every core of this machine)"
    )
    p.add_argument(
        "--pose-threads",
        type=int,
        default=None,
        metavar="N",
        help="threads for each local worker's pose model (default: the cores shared out among the workers)",
    )
    p.add_argument(
        "--cluster", metavar="ADDRESS", help="run on an existing Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    p.add_argument("--patient", help="whose recordings these all are (default: the first sub-folder's name)")
    p.add_argument(
        "--exercise", "-e", help="check every recording as this exercise (default: recognise the exercises)"
    )
    p.add_argument("--variant", "-v", help="the exercise's variant (with -e)")
    data_dir_arg(p)
    p.set_defaults(func=cmd_batch)
