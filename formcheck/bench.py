"""Speed benchmark: the full pipeline against a bare decode + MediaPipe loop on the same clip.

``process_benchmark`` (what ``formcheck bench`` prints) times whole processes, start-up included: a
``formcheck analyze -e`` process against a bare script that decodes with OpenCV and runs MediaPipe on
every frame, alternated, optionally also against another checkout's ``formcheck`` (the code before a
change). ``decode_benchmark`` times decoding alone, OpenCV against PyAV. ``benchmark`` (``--inside``)
gives the per-stage figures from inside one process.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from formcheck import native
from formcheck.models import resolve_model
from formcheck.pipeline import run
from formcheck.pose import MediaPipePose
from formcheck.spec import ExerciseConfig
from formcheck.video.files import MODEL_SIDE_PX, VideoFileSource


@dataclass
class BenchFigures:
    frames: int
    bare_fps: float
    bare_decode_ms: float
    bare_pose_ms: float
    model_fps: float
    full_fps: float
    full_wait_ms: float
    full_pose_ms: float
    full_others_ms: float
    full_check_ms: float
    auto_fps: float = 0.0  # the pipeline with the live recogniser (the window's auto mode)
    auto_recognise_ms: float = 0.0

    @property
    def auto_vs_full(self) -> float:
        return self.auto_fps / self.full_fps if self.full_fps else 0.0

    @property
    def full_vs_bare(self) -> float:
        return self.full_fps / self.bare_fps

    @property
    def full_vs_model(self) -> float:
        return self.full_fps / self.model_fps


def _new_pose():  # type: ignore[no-untyped-def]
    import mediapipe as mp

    model = resolve_model()
    with native.quiet_stderr():
        pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=model.model_complexity)
        pose.process(np.zeros((64, 64, 3), np.uint8))  # the same warm-up the pipeline's estimator does
    return pose


def bare_loop(video: Path) -> tuple[int, float, float, float]:
    """Decode, convert, MediaPipe: nothing else. Returns frames, wall s, decode s, pose s."""
    pose = _new_pose()
    cap = cv2.VideoCapture(str(video))
    frames, decode_s, pose_s = 0, 0.0, 0.0
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        ok, image = cap.read()
        if not ok:
            break
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        t1 = time.perf_counter()
        pose.process(rgb)
        t2 = time.perf_counter()
        decode_s += t1 - t0
        pose_s += t2 - t1
        frames += 1
    wall = time.perf_counter() - started
    cap.release()
    pose.close()
    return frames, wall, decode_s, pose_s


def model_only(video: Path, chunk: int = 150) -> tuple[int, float]:
    """MediaPipe alone on every frame, decoded beforehand in untimed chunks: the model's own rate."""
    cap = cv2.VideoCapture(str(video))
    pose = _new_pose()
    frames, model_s = 0, 0.0
    while True:
        images: list[np.ndarray] = []
        while len(images) < chunk:
            ok, image = cap.read()
            if not ok:
                break
            images.append(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        if not images:
            break
        started = time.perf_counter()
        for rgb in images:
            pose.process(rgb)
        model_s += time.perf_counter() - started
        frames += len(images)
    cap.release()
    pose.close()
    return frames, model_s


def full_pipeline(
    video: Path, config: ExerciseConfig, recognise: bool = False
) -> tuple[int, float, float, float, float, float, float]:
    """The pipeline as ``analyze -e`` runs it, or (``recognise``) with the live recogniser as a sink,
    as the window runs it in auto mode. The last figure is the recogniser's own time."""
    from formcheck.recognize import RecognitionSink

    with native.quiet_stderr():
        estimator = MediaPipePose()
    sink = RecognitionSink() if recognise else None
    source = VideoFileSource(video, max_side_px=MODEL_SIDE_PX)
    result = run(source, estimator, config, sinks=(sink,) if sink else ())
    estimator.close()
    t = result.times
    busy = sink.busy_s if sink else 0.0
    return result.frames, t.wall_s, t.wait_for_frame_s, t.pose_s, estimator.others_check_s, t.check_s, busy


def benchmark(video: Path, config: ExerciseConfig, rounds: int = 2) -> BenchFigures:
    """Alternate the loops ``rounds`` times and keep each one's best run (least disturbed by others)."""
    bare, full, model, auto = [], [], [], []
    for _ in range(rounds):
        bare.append(bare_loop(video))
        full.append(full_pipeline(video, config))
        model.append(model_only(video))
        auto.append(full_pipeline(video, config, recognise=True))
    b = min(bare, key=lambda r: r[1])
    f = min(full, key=lambda r: r[1])
    m = min(model, key=lambda r: r[1])
    a = min(auto, key=lambda r: r[1])
    n = b[0]
    return BenchFigures(
        frames=n,
        bare_fps=n / b[1],
        bare_decode_ms=b[2] / n * 1000,
        bare_pose_ms=b[3] / n * 1000,
        model_fps=m[0] / m[1],
        full_fps=f[0] / f[1],
        full_wait_ms=f[2] / f[0] * 1000,
        full_pose_ms=(f[3] - f[4]) / f[0] * 1000,
        full_others_ms=f[4] / f[0] * 1000,
        full_check_ms=f[5] / f[0] * 1000,
        auto_fps=a[0] / a[1],
        auto_recognise_ms=a[6] / a[0] * 1000,
    )


def format_figures(video: Path, fig: BenchFigures) -> str:
    return "\n".join(
        [
            f"clip: {video.name}, {fig.frames} frames",
            f"  bare loop (decode + MediaPipe):     {fig.bare_fps:6.1f} fps  "
            f"(decode {fig.bare_decode_ms:.1f} ms, pose {fig.bare_pose_ms:.1f} ms per frame)",
            f"  model only (pre-decoded frames):    {fig.model_fps:6.1f} fps",
            f"  formcheck analyze pipeline:         {fig.full_fps:6.1f} fps",
            f"    per frame: waiting for decoder {fig.full_wait_ms:.2f} ms, pose {fig.full_pose_ms:.1f} ms, "
            f"second-person check {fig.full_others_ms:.2f} ms, "
            f"smoothing + checker {fig.full_check_ms:.2f} ms",
            f"  pipeline + live recogniser (auto): {fig.auto_fps:6.1f} fps  "
            f"(recognising {fig.auto_recognise_ms:.3f} ms per frame, on the checker's thread)",
            f"  ratio pipeline / bare loop:  {fig.full_vs_bare:.3f}  (goal >= 1.0)",
            f"  ratio pipeline / model only: {fig.full_vs_model:.3f}  (goal >= 0.90)",
            f"  ratio auto / pipeline:       {fig.auto_vs_full:.3f}  (goal >= 0.95: recognition adds < 5 %)",
        ]
    )


# The bare loop as anyone would write it: OpenCV decodes, one conversion to RGB, MediaPipe on every frame.
BARE_SCRIPT = """
import sys
import cv2
import mediapipe as mp
pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=int(sys.argv[2]))
cap = cv2.VideoCapture(sys.argv[1])
while True:
    ok, image = cap.read()
    if not ok:
        break
    pose.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
"""


@dataclass
class ProcessRuns:
    """Wall seconds of each whole-process run, in the order they ran (alternated)."""

    bare_s: list[float] = field(default_factory=list)
    analyze_s: list[float] = field(default_factory=list)
    before_s: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average before each round
    # CPU seconds (user + system, all threads) of the same runs: what the work costs, which a machine
    # shared with other jobs does not blur as it blurs wall time.
    bare_cpu_s: list[float] = field(default_factory=list)
    analyze_cpu_s: list[float] = field(default_factory=list)
    before_cpu_s: list[float] = field(default_factory=list)


def formcheck_command(python: str) -> list[str]:
    """The ``formcheck`` console script beside ``python`` (a checkout's own environment)."""
    script = Path(python).parent / "formcheck"
    if script.exists():
        return [str(script)]
    return [python, "-c", "import sys; from formcheck.cli import main; sys.exit(main())"]


def _timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one whole process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # warm caches count
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode not in (0, 1):  # 1: the analysis found problems with the form, which is fine
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.decode(errors='replace')[-400:]}")
    return wall, cpu


def process_benchmark(
    video: Path, exercise: str, variant: str | None, rounds: int = 3, before_python: str | None = None
) -> ProcessRuns:
    """Alternate: bare loop, ``formcheck analyze`` (this code), and the ``before`` checkout's if given."""
    complexity = resolve_model().model_complexity
    bare = [sys.executable, "-c", BARE_SCRIPT, str(video), str(complexity)]
    args = ["analyze", str(video), "-e", exercise] + (["-v", variant] if variant else [])
    analyze = formcheck_command(sys.executable) + args
    before = formcheck_command(before_python) + args if before_python else None
    runs = ProcessRuns()
    _timed(bare)  # one untimed run of each: caches warm, bytecode written
    _timed(analyze)
    if before:
        _timed(before)
    for _ in range(rounds):
        runs.load.append(os.getloadavg()[0])
        for command, walls, cpus in (
            (bare, runs.bare_s, runs.bare_cpu_s),
            (analyze, runs.analyze_s, runs.analyze_cpu_s),
            (before, runs.before_s, runs.before_cpu_s),
        ):
            if command:
                wall, cpu = _timed(command)
                walls.append(wall)
                cpus.append(cpu)
    return runs


def format_process_runs(video: Path, frames: int, size: tuple[int, int], runs: ProcessRuns) -> str:
    def line(name: str, walls: list[float], cpus: list[float]) -> str:
        ratios = [b / w for b, w in zip(runs.bare_s, walls, strict=True)]
        cpu_ratios = [b / c for b, c in zip(runs.bare_cpu_s, cpus, strict=True)]
        return (
            f"  {name:<28} wall {' '.join(f'{w:6.2f}' for w in walls)} s, bare/this "
            f"{' '.join(f'{r:.3f}' for r in ratios)} (median {statistics.median(ratios):.3f}); "
            f"CPU {' '.join(f'{c:6.2f}' for c in cpus)} s, "
            f"bare/this {' '.join(f'{r:.3f}' for r in cpu_ratios)}"
        )

    out = [
        f"clip: {video.name}, {frames} frames, {size[0]}x{size[1]}; whole processes, alternated; "
        f"load average {' '.join(f'{x:.1f}' for x in runs.load)}",
        f"  {'bare loop (OpenCV + MediaPipe)':<28} wall {' '.join(f'{w:6.2f}' for w in runs.bare_s)} s; "
        f"CPU {' '.join(f'{c:6.2f}' for c in runs.bare_cpu_s)} s",
        line("formcheck analyze", runs.analyze_s, runs.analyze_cpu_s),
    ]
    if runs.before_s:
        out.append(line("formcheck analyze (before)", runs.before_s, runs.before_cpu_s))
    out.append("  ratio = bare loop wall / analyze wall (> 1: analyze is faster than the bare loop)")
    return "\n".join(out)


def decode_benchmark(video: Path, rounds: int = 3) -> dict[str, tuple[float, float]]:
    """Milliseconds per frame to decode to an RGB picture, (wall, CPU of all threads): OpenCV (+
    conversion), PyAV full size and PyAV scaled for the model. Best of ``rounds`` each. Both decoders
    use threads of their own, so wall time alone flatters the one that spreads over more cores; in
    ``analyze`` decoding has its own thread beside the model, and its CPU is what it costs."""

    # Plain loops, each picture kept until the next one replaces it, as a reader holds frames: a read
    # wrapped in a function that drops its picture on return measured OpenCV 2.4x slower here.
    def opencv() -> tuple[int, float, float]:
        cap = cv2.VideoCapture(str(video))
        n, started, cpu = 0, time.perf_counter(), time.process_time()
        while True:
            ok, image = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            n += 1
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        cap.release()
        del rgb
        return n, wall, cpu

    def pyav(side: int | None) -> tuple[int, float, float]:
        source = VideoFileSource(video, max_side_px=side)
        n, started, cpu = 0, time.perf_counter(), time.process_time()
        while (frame := source.read()) is not None:
            n += 1
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        source.close()
        del frame
        return n, wall, cpu

    best: dict[str, tuple[float, float]] = {}
    for _ in range(rounds):
        for name, fn in (
            ("opencv_bgr_to_rgb", opencv),
            ("pyav_rgb_full", lambda: pyav(None)),
            (f"pyav_rgb_{MODEL_SIDE_PX}", lambda: pyav(MODEL_SIDE_PX)),
        ):
            n, wall, cpu = fn()
            ms = (wall / max(1, n) * 1000, cpu / max(1, n) * 1000)
            was = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(was[0], ms[0]), min(was[1], ms[1]))
    return best
