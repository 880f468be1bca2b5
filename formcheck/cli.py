"""The ``formcheck`` command line. User errors print one sentence and exit non-zero, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck import native  # noqa: F401  (sets native log levels before mediapipe loads)
from formcheck.errors import FormcheckError

if TYPE_CHECKING:
    from formcheck.pipeline import AnalysisResult, Sink
    from formcheck.sources import FrameSource
    from formcheck.spec import ExerciseConfig

EXTENSION_MODULES = ("formcheck.commands_eval", "formcheck.sessions.commands", "ui.commands")
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_videos"
DEMO_CLIP = "k2c_single_good_male_left"


def _progress_printer(name: str):  # type: ignore[no-untyped-def]
    last = [-1]

    def progress(done: int, total: int | None) -> None:
        if total:
            pct = min(100, done * 100 // total)
            if pct != last[0]:
                last[0] = pct
                bar = "#" * (pct // 4)
                sys.stderr.write(f"\r{name} [{bar:<25}] {pct:3d}% ({done}/{total} frames)")
                if pct == 100:
                    sys.stderr.write("\n")
                sys.stderr.flush()

    return progress


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically: a full disk or a crash never leaves a half-written report in place."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise FormcheckError(
            f"Cannot write {path}: {reason}; free some space or choose another path."
        ) from exc


def analyze_file(
    video: str | Path,
    exercise: str,
    variant: str | None = None,
    settings: dict[str, float] | None = None,
    model: str | None = None,
    progress: bool = False,
    *,
    config: ExerciseConfig | None = None,
    make_sinks: Callable[[ExerciseConfig, FrameSource], tuple[Sink, ...]] | None = None,
) -> tuple[dict[str, Any], AnalysisResult]:
    """Analyze one video file; returns (JSON report, AnalysisResult).

    ``config`` replaces exercise/variant/settings when the caller has resolved it (a prescription);
    ``make_sinks`` adds observers such as the session recorder once the source is open.
    """
    from formcheck.pipeline import run
    from formcheck.pose import create_estimator
    from formcheck.report import build_report
    from formcheck.sources import VideoFileSource
    from formcheck.spec import load_exercise

    config = config or load_exercise(exercise, variant, settings)
    source = VideoFileSource(video)
    with native.quiet_stderr():
        estimator = create_estimator(model)
    sinks = make_sinks(config, source) if make_sinks else ()
    try:
        result = run(
            source,
            estimator,
            config,
            sinks=sinks,
            progress=_progress_printer(source.name) if progress else None,
        )
    except BaseException:
        for sink in sinks:
            abort = getattr(sink, "abort", None)
            if abort is not None:
                abort("The analysis stopped with an error")
        raise
    finally:
        estimator.close()
    return build_report(result), result


def cmd_analyze(args: argparse.Namespace) -> int:
    from formcheck.report import format_text
    from formcheck.spec import parse_settings

    if args.record:
        # Recording is analysis plus the session recorder: the same code as 'formcheck sessions record'.
        from formcheck.sessions.commands import cmd_sessions_record

        return cmd_sessions_record(args)
    if args.exercise is None:
        raise FormcheckError(
            "Give --exercise so formcheck knows what to look for (see 'formcheck exercises')."
        )
    settings = parse_settings(args.set)
    report, result = analyze_file(
        args.video, args.exercise, args.variant, settings, args.model, progress=sys.stderr.isatty()
    )
    if args.json:
        write_json(Path(args.json), report)
    print(format_text(report))
    raise_if_cut_short(args.video, result)
    return 0


def raise_if_cut_short(video: str | Path, result: AnalysisResult) -> None:
    """After the report is out: say so if the video ended early or the source failed part-way."""
    if result.truncated:
        raise FormcheckError(
            f"{video} ends early (damaged or still being copied); the results cover the "
            f"{result.frames} frames that could be read.",
            exit_code=3,
        )
    if result.error is not None:
        raise result.error


def cmd_exercises(args: argparse.Namespace) -> int:
    from formcheck.spec import available_exercises, load_spec

    for name, path in available_exercises().items():
        spec = load_spec(path)
        print(f"{name}  ({spec.title}, {spec.view} view): {spec.description}")
        for v in spec.variants.values():
            print(f"    --variant {v.name:<13} {v.description}")
    return 0


def demo_clip() -> tuple[Path, str, str | None, dict[str, float]]:
    """The bundled sample clip the demo replays, with its exercise, variant and settings."""
    truth = SAMPLE_DIR / f"{DEMO_CLIP}.truth.json"
    video = SAMPLE_DIR / f"{DEMO_CLIP}.mp4"
    if not video.exists() or not truth.exists():
        clips = sorted(SAMPLE_DIR.glob("*.truth.json"))
        if not clips:
            raise FormcheckError("No sample clips found in sample_videos/; restore them from the project.")
        truth = clips[0]
        video = truth.with_name(truth.name.replace(".truth.json", ".mp4"))
    data = json.loads(truth.read_text(encoding="utf-8"))
    return video, data["exercise"], data.get("variant"), data.get("settings", {})


def cmd_demo(args: argparse.Namespace) -> int:
    from formcheck.report import format_text

    video, exercise, variant, settings = demo_clip()
    print(f"No camera needed: analysing the bundled sample clip {video.name} ({exercise}, {variant}).")
    report, _ = analyze_file(video, exercise, variant, settings, progress=sys.stderr.isatty())
    print(format_text(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="formcheck",
        description="Watches home exercises for low-back pain and sciatica and checks form. "
        "An exercise aid, not a diagnosis.",
    )
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("analyze", help="analyse a recorded video and print a per-rep report")
    p.add_argument("video", help="video file (mp4, avi, mov)")
    p.add_argument("--exercise", "-e", help="exercise name (see 'formcheck exercises')")
    p.add_argument("--variant", "-v", help="exercise variant (default: the exercise's first)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a setting, e.g. hold_s=20")
    p.add_argument("--json", metavar="PATH", help="also write the JSON report here")
    p.add_argument("--model", help="pose model from models/registry.toml (default: blazepose_full)")
    rec = p.add_argument_group("recording (see docs/sessions.md)")
    rec.add_argument(
        "--record", action="store_true", help="record the run as a session in the local database"
    )
    rec.add_argument("--patient", help="whose session this is (with --record)")
    rec.add_argument(
        "--prescription", metavar="FILE", help="record against this prescription (with --record)"
    )
    rec.add_argument(
        "--step", type=int, metavar="N", help="the prescription's exercise number (with --record)"
    )
    rec.add_argument(
        "--keep-video", action="store_true", help="also store the video (off by default: private)"
    )
    rec.add_argument(
        "--data-dir", help="where sessions are kept (default: FORMCHECK_DATA_DIR or the user data folder)"
    )
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("exercises", help="list exercises and their variants")
    p.set_defaults(func=cmd_exercises)

    p = sub.add_parser("demo", help="show what formcheck does on a bundled sample clip")
    p.set_defaults(func=cmd_demo)

    # Other parts of the program add their own commands (and may replace 'demo' with the window).
    # Each module has register(subparsers, parent_parser) and imports Qt only when a command runs.
    for module_name in EXTENSION_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that part is not built (yet)
            raise
        module.register(sub, parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except FormcheckError as exc:
        sys.stderr.write(f"formcheck: {exc.message}\n")
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (e.g. piped into head): nothing more to say.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("formcheck: stopped.\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
