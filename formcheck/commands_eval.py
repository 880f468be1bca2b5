"""`formcheck eval` (accuracy on the sample clips) and `formcheck bench` (speed)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.evaluation import ClipScore, RecognitionScore


def _evaluate_all(
    files: list[Path], jobs: int, cluster: str | None
) -> list[tuple[ClipScore | None, RecognitionScore, dict]]:
    """Every clip on the batch workers (formcheck.batch): one in this process after another with one
    job, else on a local Dask cluster of ``jobs`` processes or on ``cluster``; results in file order."""
    from formcheck.batch.engine import Engine
    from formcheck.batch.worker import evaluate_in_worker

    done = {}

    def show(path: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"evaluating {Path(path).name}\n")

    with Engine(jobs, cluster, in_process=jobs == 1) as engine:
        for path, result, error in engine.run(evaluate_in_worker, [str(f) for f in files], on_start=show):
            if error is not None:
                raise error
            done[path] = result
    return [done[str(f)] for f in files]


def cmd_eval(args: argparse.Namespace) -> int:
    from formcheck.evaluation import (
        format_recognition,
        format_summary,
        format_table,
        summarize_by_exercise,
        truth_files,
    )
    from formcheck.report import write_json
    from formcheck.resources import samples_dir

    folder = Path(args.dir) if args.dir else samples_dir()
    files = truth_files(folder) + truth_files(folder, routines=True)
    if args.only:
        files = [f for f in files if any(o in f.name for o in args.only)]
        if not files:
            raise FormcheckError(f"No clip in {folder} matches {', '.join(args.only)}.")
    results = _evaluate_all(files, args.jobs, getattr(args, "cluster", None))
    scores = [r[0] for r in results if r[0] is not None]
    recognition = [r[1] for r in results]
    summaries = summarize_by_exercise(scores)
    if scores:
        print(format_table(scores))
        print()
        print(format_summary(summaries))
        print()
    print("Exercise recognition ('formcheck analyze' without -e):")
    print(format_recognition(recognition))
    if args.json:
        write_json(
            Path(args.json),
            {
                "by_exercise": [asdict(x) for x in summaries],
                "clips": [
                    {
                        **s.__dict__,
                        "passed": s.passed,
                        "precision": s.precision,
                        "recall": s.recall,
                        "report": rep,
                    }
                    for s, _, rep in results
                    if s is not None
                ],
                "recognition": [
                    {**asdict(r), "passed": r.passed, "report": rep if s is None else None}
                    for s, r, rep in results
                ],
            },
        )
    failed = [s.clip for s in scores if not s.passed]
    unrecognised = [r.clip for r in recognition if not r.passed]
    if failed or unrecognised:
        parts = []
        if failed:
            parts.append(f"{len(failed)} clip(s) outside tolerance: {', '.join(failed)}")
        if unrecognised:
            parts.append(f"{len(unrecognised)} clip(s) not recognised right: {', '.join(unrecognised)}")
        raise FormcheckError("; ".join(parts) + ".", exit_code=1)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from formcheck.bench import benchmark, format_figures
    from formcheck.resources import demo_clip
    from formcheck.spec import load_exercise

    if args.batch:
        from formcheck.batch.bench import bench_batch

        print(bench_batch(Path(args.batch), args.jobs))
        return 0
    if args.video:
        settings: dict[str, float] = {}
        video, exercise, variant = Path(args.video), args.exercise, args.variant
        if not exercise:
            raise FormcheckError("Give --exercise with a video of your own, e.g. --exercise side_bend.")
    else:
        video, exercise, variant, settings = demo_clip()
    config = load_exercise(exercise, variant, settings)
    print(format_figures(video, benchmark(video, config, rounds=args.rounds)))
    return 0


def register(sub: argparse._SubParsersAction, parser: argparse.ArgumentParser) -> None:
    p = sub.add_parser("eval", help="analyse every sample clip with a truth file and compare")
    p.add_argument("dir", nargs="?", default=None, help="folder of clips (default: sample_videos/)")
    p.add_argument("--only", action="append", help="only clips whose name contains this text")
    p.add_argument("--jobs", "-j", type=int, default=1, help="clips analysed in parallel (batch workers)")
    p.add_argument("--cluster", metavar="ADDRESS", help="run on an existing Dask scheduler (tcp://HOST:PORT)")
    p.add_argument("--json", metavar="PATH", help="also write scores and reports as JSON")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="speed of the pipeline against a bare MediaPipe loop")
    p.add_argument("video", nargs="?", help="clip to run on (default: the demo clip)")
    p.add_argument("--exercise", "-e")
    p.add_argument("--variant", "-v")
    p.add_argument(
        "--rounds", type=int, default=2, help="alternations of the loops; the best of each is kept"
    )
    p.add_argument(
        "--batch", metavar="FOLDER", help="benchmark 'formcheck batch' on FOLDER: 1 worker against every core"
    )
    p.add_argument("--jobs", type=int, default=None, help="workers of the --batch run (default: every core)")
    p.set_defaults(func=cmd_bench)
