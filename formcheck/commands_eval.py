"""`formcheck eval` (accuracy on the sample clips) and `formcheck bench` (speed)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.evaluation import RecognitionScore, Scored


def _evaluate_all(
    files: list[Path], jobs: int, cluster: str | None
) -> list[tuple[Scored, RecognitionScore, dict]]:
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
    scores = [score for r in results for score, _ in r[0]]
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
                        "label": s.label,
                        "passed": s.passed,
                        "precision": s.precision,
                        "recall": s.recall,
                        "report": rep,
                    }
                    for scored, _, _ in results
                    for s, rep in scored
                ],
                "recognition": [
                    {**asdict(r), "passed": r.passed, "report": rep if "segments" in rep else None}
                    for _, r, rep in results
                ],
            },
        )
    failed = [s.label for s in scores if not s.passed]
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
    from formcheck import bench
    from formcheck.clip_settings import demo_clip
    from formcheck.spec import load_exercise
    from formcheck.video.files import VideoFileSource

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
    if args.inside:
        print(bench.format_figures(video, bench.benchmark(video, config, rounds=args.rounds)))
        return 0
    source = VideoFileSource(video)
    size, frames = (source.width, source.height), source.frame_count or 0
    source.close()
    before = None
    if args.before:
        before = str(Path(args.before) / ".venv" / "bin" / "python")
        if not Path(before).exists():
            raise FormcheckError(f"{args.before} has no .venv: run 'uv sync' there first.")
    runs = bench.process_benchmark(video, config.spec.name, config.variant.name, args.rounds, before)
    print(bench.format_process_runs(video, frames, size, runs))
    decode = bench.decode_benchmark(video)
    figures = ", ".join(f"{k} {wall:.2f}/{cpu:.2f}" for k, (wall, cpu) in decode.items())
    print(f"  decoding alone, ms per frame, wall/CPU (best of 3): {figures}")
    return 0


def register(sub: argparse._SubParsersAction, parser: argparse.ArgumentParser) -> None:
    p = sub.add_parser("eval", help="analyse every sample clip with a truth file and compare")
    p.add_argument("dir", nargs="?", default=None, help="folder of clips (default: sample_videos/)")
    p.add_argument("--only", action="append", help="only clips whose name contains this text")
    p.add_argument("--jobs", "-j", type=int, default=1, help="clips analysed in parallel (batch workers)")
    p.add_argument("--cluster", metavar="ADDRESS", help="run on an existing Dask scheduler (tcp://HOST:PORT)")
    p.add_argument("--json", metavar="PATH", help="also write scores and reports as JSON")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "bench", help="speed of a whole 'formcheck analyze' process against a bare decode + MediaPipe loop"
    )
    p.add_argument("video", nargs="?", help="clip to run on (default: the demo clip)")
    p.add_argument("--exercise", "-e")
    p.add_argument("--variant", "-v")
    p.add_argument("--rounds", type=int, default=3, help="alternations of the runs (each run is reported)")
    p.add_argument("--before", metavar="CHECKOUT", help="also time this checkout's formcheck (uv synced)")
    p.add_argument("--inside", action="store_true", help="per-stage figures from inside one process")
    p.add_argument(
        "--batch",
        metavar="FOLDER",
        help="benchmark 'formcheck batch' on FOLDER: 1 worker (its model on 1 thread, then on every core) "
        "against a worker per core",
    )
    p.add_argument("--jobs", type=int, default=None, help="workers of the --batch run (default: every core)")
    p.set_defaults(func=cmd_bench)
