"""The ``formcheck`` command line. User errors print one sentence and exit non-zero, never a traceback."""

from __future__ import annotations

import argparse
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

from formcheck import native  # noqa: F401  (sets native log levels before mediapipe loads)
from formcheck.analyze import analyze_file, raise_if_cut_short
from formcheck.clip_settings import SettingsSources, clip_prescription, demo_clip, settings_line
from formcheck.errors import FormcheckError
from formcheck.extensions import command_registrars
from formcheck.report import write_json
from formcheck.safe_text import printable


def version() -> str:
    try:
        return metadata.version("formcheck")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def cmd_analyze(args: argparse.Namespace) -> int:
    from formcheck.report import format_text
    from formcheck.spec import check_settings_without_exercise, parse_settings

    if args.record:
        # Recording is analysis plus the session recorder: the same code as 'formcheck sessions record'.
        from formcheck.sessions.commands import cmd_sessions_record

        return cmd_sessions_record(args)
    sources = SettingsSources(clip_prescription(args.video), parse_settings(args.set))
    if args.exercise is None:
        check_settings_without_exercise(sources.user, args.variant)
        return _analyze_recording(args, sources)
    report, result = analyze_file(
        args.video,
        args.exercise,
        args.variant,
        sources.for_exercise(args.exercise),
        args.model,
        progress=sys.stderr.isatty(),
    )
    if args.json:
        write_json(Path(args.json), report)
    print(settings_line(sources, args.exercise, args.variant))
    print(format_text(report))
    raise_if_cut_short(args.video, result)
    return 0


def _analyze_recording(args: argparse.Namespace, sources: SettingsSources) -> int:
    """No -e: recognise which exercises the recording holds, when, and analyse each (issue 9)."""
    from formcheck.analyze import progress_printer
    from formcheck.segments import analyze_track, build_recording_report, format_recording_text, track_poses

    track = track_poses(
        args.video,
        args.model,
        progress=progress_printer(Path(args.video).name) if sys.stderr.isatty() else None,
    )
    clip = sources.clip.settings if sources.clip is not None else {}
    report = build_recording_report(
        analyze_track(track, dict(sources.user), {e: sources.for_exercise(e) for e in clip})
    )
    if args.json:
        write_json(Path(args.json), report)
    for exercise in clip:
        print(f"{exercise}: {settings_line(sources, exercise, sources.clip.variants.get(exercise))}")  # type: ignore[union-attr]
    print(format_recording_text(report))
    raise_if_cut_short(args.video, track)
    return 0


def cmd_exercises(args: argparse.Namespace) -> int:
    from formcheck.spec import COMMON_PARAMS, COMMON_RANGES, available_exercises, load_spec

    def settings(values: Any, ranges: Any, keys: list[str], indent: str) -> str:
        text = ", ".join(f"{k} {values[k]:g} ({ranges[k][0]:g} to {ranges[k][1]:g})" for k in keys)
        return textwrap.fill(text, 104, initial_indent=indent, subsequent_indent=indent)

    for name, path in available_exercises().items():
        spec = load_spec(path)
        print(f"{name}  ({spec.title}, {spec.view} view): {spec.description}")
        for v in spec.variants.values():
            print(f"    --variant {v.name:<13} {v.description}")
        # Its own settings, and the common ones it sets or bounds differently.
        own = [
            k
            for k in spec.params
            if spec.params[k] != COMMON_PARAMS.get(k) or spec.ranges[k] != COMMON_RANGES.get(k)
        ]
        print("    settings: default (range allowed with --set and in prescriptions)")
        print(settings(spec.params, spec.ranges, own, " " * 6))
    print("Settings every exercise has: default (range)")
    print(settings(COMMON_PARAMS, COMMON_RANGES, list(COMMON_PARAMS), " " * 4))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from formcheck.report import format_text

    video, exercise, variant, _ = demo_clip()
    sources = SettingsSources(clip_prescription(video))
    print(f"No camera needed: analysing the bundled sample clip {video.name} ({exercise}, {variant}).")
    print(settings_line(sources, exercise, variant))
    report, _ = analyze_file(
        video, exercise, variant, sources.for_exercise(exercise), progress=sys.stderr.isatty()
    )
    print(format_text(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="formcheck",
        description="Watches home exercises for low-back pain and sciatica and checks form. "
        "An exercise aid, not a diagnosis.",
    )
    parser.add_argument("--version", action="version", version=f"formcheck {version()}")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("analyze", help="analyse a recorded video and print a per-rep report")
    p.add_argument("video", help="video file (mp4, avi, mov)")
    p.add_argument(
        "--exercise",
        "-e",
        help="exercise name (see 'formcheck exercises'); without it formcheck recognises which exercises "
        "the recording holds and analyses each",
    )
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

    # Other parts of the program add their own commands (the window replaces 'demo' with its own).
    # Each has register(subparsers, parent_parser) and imports Qt only when a command runs.
    for register in command_registrars():
        register(sub, parser)
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
        # A message may quote a file (a name in an imported session): no terminal escapes get through.
        sys.stderr.write(f"formcheck: {printable(exc.message)}\n")
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
