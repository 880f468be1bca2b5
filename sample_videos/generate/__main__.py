"""Render the sample clips: `uv run --group generate python -m sample_videos.generate [--only NAME]`."""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
import tomllib

from .render import render_clip, write_truth
from .routine import is_routine, render_routine
from .routine import write_truth as write_routine_truth

HERE = pathlib.Path(__file__).resolve().parent


def load_clips(path: pathlib.Path = HERE / "clips.toml") -> list[dict]:
    with open(path, "rb") as f:
        return tomllib.load(f)["clip"]


def _reps(doc: dict) -> str:
    if "segments" in doc:
        counts = ", ".join(f"{s['exercise']}/{s['variant']} {len(s['reps'])}" for s in doc["segments"])
        return f"{len(doc['segments'])} segments ({counts or 'none'}), {len(doc['other'])} other spans"
    return f"{len(doc['reps'])} reps"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="render only this clip (repeatable)")
    parser.add_argument("--out", type=pathlib.Path, default=HERE.parent, help="output folder")
    parser.add_argument("--max-frames", type=int, default=None, help="render only the first N frames")
    parser.add_argument("--list", action="store_true", help="list the clip names and exit")
    parser.add_argument(
        "--truth-only", action="store_true", help="rewrite the truth files only (the videos are unchanged)"
    )
    args = parser.parse_args(argv)
    clips = load_clips()
    if args.list:
        print("\n".join(c["name"] for c in clips))
        return 0
    if args.only:
        unknown = set(args.only) - {c["name"] for c in clips}
        if unknown:
            print(f"unknown clip(s): {', '.join(sorted(unknown))}; see --list", file=sys.stderr)
            return 2
        clips = [c for c in clips if c["name"] in args.only]
    if args.truth_only:
        for clip in clips:
            doc = (write_routine_truth if is_routine(clip) else write_truth)(clip, args.out)
            print(f"{clip['name']}: truth rewritten, {_reps(doc)}", flush=True)
        return 0
    for clip in clips:
        t0 = time.time()
        doc = (render_routine if is_routine(clip) else render_clip)(clip, args.out, args.max_frames)
        size = (args.out / f"{clip['name']}.mp4").stat().st_size / 1e6
        print(
            f"{clip['name']}: {doc['frames']} frames, {_reps(doc)}, {size:.2f} MB, {time.time() - t0:.0f} s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
