"""The batch benchmark: recordings per minute with one worker and with every core, their ratio, the
peak memory of each worker, and whether the two runs give the same rows.

``formcheck bench --batch FOLDER`` (or ``python -m formcheck.batch.bench FOLDER``). Each run is a
whole ``formcheck batch`` into its own empty output and session folders, so it measures what a user
waits for: hashing, starting the workers, the pose model, the checks and recording the sessions. The
one-worker run is the baseline, measured in the same process just before; the machine's load average
is printed with both, because a shared machine moves these figures more than any code change. The
workers' CPU time per recording does not depend on the load: the same in both runs means the work
divides without overhead, and CPU time over wall time shows how many cores one worker already keeps
busy (MediaPipe runs some threads of its own).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from formcheck.batch.state import STATE_DIR
from formcheck.pose import default_inference_threads, usable_cores


@dataclass
class BatchRun:
    jobs: int
    pose_threads: int  # each worker's pose model
    recordings: int
    video_s: float
    wall_s: float
    startup_s: float
    peak_rss_mb: dict[str, float]  # per worker process
    worker_cpu_s: float  # CPU time the workers spent on the files (all their threads)
    rows: list[dict[str, str]]
    load_before: float
    load_after: float

    @property
    def per_minute(self) -> float:
        return 60.0 * self.recordings / self.wall_s if self.wall_s else 0.0


def run_batch(folder: Path, jobs: int, workdir: Path, pose_threads: int | None = None) -> BatchRun:
    from formcheck.batch.commands import Batch
    from formcheck.batch.summary import read_summary
    from formcheck.errors import FormcheckError

    name = f"{jobs}" if pose_threads is None else f"{jobs}x{pose_threads}"
    out, data = workdir / f"out-{name}", workdir / f"data-{name}"
    args = argparse.Namespace(
        folder=str(folder),
        output=str(out),
        jobs=jobs,
        pose_threads=pose_threads,
        cluster=None,
        patient=None,
        exercise=None,
        variant=None,
        data_dir=str(data),
    )
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    batch = Batch(args)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(FormcheckError):
        batch.run()  # a failing file is part of the figures, not the end of the benchmark
    wall_s = time.perf_counter() - started
    records = [json.loads(p.read_text()) for p in (out / STATE_DIR).glob("*.json")]
    rss: dict[str, float] = {}
    for r in records:
        rss[r["worker"]] = max(rss.get(r["worker"], 0.0), r.get("peak_rss_mb", 0.0))
    return BatchRun(
        jobs=jobs,
        pose_threads=pose_threads or default_inference_threads(processes=jobs),
        recordings=len(records),
        video_s=sum(r.get("duration_s") or 0.0 for r in records),
        wall_s=wall_s,
        startup_s=batch.startup_s,
        peak_rss_mb=rss,
        worker_cpu_s=sum(r.get("cpu_s", 0.0) for r in records),
        rows=read_summary(out / "summary.csv"),
        load_before=load_before,
        load_after=os.getloadavg()[0],
    )


def format_run(run: BatchRun) -> str:
    rss = ", ".join(f"{v:.0f}" for v in sorted(run.peak_rss_mb.values())) or "-"
    return (
        f"{run.jobs} worker{'s' if run.jobs > 1 else ' '} x {run.pose_threads} model thread"
        f"{'s' if run.pose_threads > 1 else ' '}: {run.per_minute:6.2f} recordings/min "
        f"({run.recordings} in {run.wall_s:.1f} s, {run.startup_s:.1f} s of it starting the workers; "
        f"{run.video_s / max(run.wall_s, 1e-9):.2f} s of video per s); "
        f"worker CPU {run.worker_cpu_s / max(run.recordings, 1):.1f} s per recording; "
        f"peak RSS per worker {rss} MB; "
        f"load average {run.load_before:.1f} -> {run.load_after:.1f}"
    )


def bench_batch(folder: Path, jobs: int | None = None, keep: Path | None = None) -> str:
    """Run the folder with one worker on one core, then one worker whose model has every core's thread,
    then ``jobs`` workers (every core by default, the batch's default); the figures. The scaling ratio is
    against the first: whether the work divides among processes without overhead. ``keep``: leave the
    runs' outputs and session folders there (out-N, data-N)."""
    cores = usable_cores()
    many = jobs or cores
    with tempfile.TemporaryDirectory(prefix="formcheck-bench-") as tmp:
        workdir = Path(keep) if keep else Path(tmp)
        one = run_batch(folder, 1, workdir, pose_threads=1)
        threaded = run_batch(folder, 1, workdir) if cores > 1 else None
        all_cores = run_batch(folder, many, workdir)
    ratio = all_cores.per_minute / one.per_minute if one.per_minute else float("nan")
    same = one.rows == all_cores.rows and (threaded is None or threaded.rows == one.rows)
    lines = [
        f"batch benchmark: {folder}, {one.recordings} recording(s), {one.video_s:.0f} s of video; "
        f"this machine has {cores} usable core(s)",
        format_run(one),
        *([format_run(threaded)] if threaded else []),
        format_run(all_cores),
        f"ratio {many} workers / 1 worker on one core: {ratio:.2f}x (goal: at least 1.6x with two cores)",
    ]
    if threaded is not None and threaded.per_minute:
        lines.append(
            f"ratio {many} workers / 1 worker with {threaded.pose_threads} model threads: "
            f"{all_cores.per_minute / threaded.per_minute:.2f}x"
        )
    lines.append(f"rows identical: {'yes' if same else 'NO'} ({len(one.rows)} rows)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m formcheck.batch.bench", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--jobs", type=int, default=None, help="workers of the second run (default: cores)")
    parser.add_argument("--keep", metavar="DIR", help="keep both runs' outputs in DIR (out-N, data-N)")
    args = parser.parse_args(argv)
    print(bench_batch(Path(args.folder), args.jobs, Path(args.keep) if args.keep else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
