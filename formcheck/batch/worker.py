"""What a worker process does with one recording: the pose model over every frame (one pose graph per
worker, reused from file to file), then recognition and the exercise checks. It returns everything the
parent needs to write the sessions and the summary, and never touches the session store (the parent is
its one writer). ``formcheck eval`` runs its clips through the same workers (``evaluate_in_worker``)."""

from __future__ import annotations

import contextlib
import os
import resource
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from formcheck import native
from formcheck.errors import FormcheckError

_local = threading.local()

# Threads for each worker's pose model. A local cluster sets this to the machine's usable cores shared
# among its workers (two workers on two cores: one each, so they do not crowd each other). A worker of a
# cluster started by hand runs one unless its environment says more (such clusters run one worker per
# core); the parent process, running files itself, uses every usable core.
POSE_THREADS_ENV = "FORMCHECK_POSE_THREADS"


def pose_threads() -> int:
    """This process's thread count for its pose model (see POSE_THREADS_ENV)."""
    from formcheck.pose import MAX_INFERENCE_THREADS, default_inference_threads

    value = os.environ.get(POSE_THREADS_ENV, "").strip()
    if value.isdigit() and int(value) > 0:
        return min(int(value), MAX_INFERENCE_THREADS)
    return 1 if _in_dask_worker() else default_inference_threads()


def _in_dask_worker() -> bool:
    import sys

    if "distributed" not in sys.modules:
        return False
    from distributed import get_worker

    try:
        get_worker()
    except ValueError:
        return False
    return True


def worker_pose_graph() -> Any:
    """This worker's pose estimator, made on first use and reset (a fresh tracker, the model kept
    loaded) each time it is handed out: a file's poses do not depend on which files came before."""
    graph = getattr(_local, "graph", None)
    if graph is None:
        from formcheck.pose import create_estimator

        with native.quiet_stderr():
            graph = create_estimator(None, threads=pose_threads())
        _local.graph = graph
        _local.files = 0
    elif hasattr(graph, "reset"):
        graph.reset()
    else:  # an estimator that cannot start afresh (a tasks-API model): a new one per file
        graph.close()
        _local.graph = None
        return worker_pose_graph()
    _local.files += 1
    return graph


def drop_pose_graph() -> None:
    """Close this worker's estimator (after an unexpected error its state is unknown)."""
    graph = getattr(_local, "graph", None)
    _local.graph = None
    if graph is not None:
        with contextlib.suppress(Exception):  # it is being thrown away
            graph.close()


def peak_rss_mb() -> float:
    """The largest resident memory this process has had, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass(frozen=True)
class RecordingTask:
    path: str
    relative: str
    exercise: str | None = None  # -e: check the whole recording as this exercise
    variant: str | None = None


@dataclass(frozen=True)
class SegmentPlan:
    """How one exercise segment was checked, so the parent can record it as a session."""

    exercise: str
    variant: str
    start_s: float | None  # the span of kept poses checked (None: from the start / to the end)
    end_s: float | None
    began_s: float  # when the exercise began, on the recording's clock


@dataclass
class RecordingOutcome:
    """A worker's answer for one file: the report, the poses and the plans, or the reason it failed."""

    task: RecordingTask
    report: dict[str, Any] | None = None
    track: Any = None  # formcheck.segments.PoseTrack
    plans: list[SegmentPlan] = field(default_factory=list)
    recorded_at_s: float | None = None  # when the recording began (epoch seconds)
    problem: str | None = None  # one sentence: why it failed, or why the results are partial
    failed: bool = False  # no results at all
    seconds: float = 0.0
    cpu_s: float = 0.0  # CPU time of this worker process (all its threads) on the file
    worker: str = ""
    peak_rss_mb: float = 0.0


def recording_began_s(path: Path, duration_s: float) -> float:
    """When the recording began: the container's creation time when it has one (cameras and phones
    write it; a copy keeps it), else the file's modification time less its length."""
    try:
        import av

        with av.open(str(path)) as container:
            tag = container.metadata.get("creation_time")
        if tag:
            when = datetime.fromisoformat(tag.replace("Z", "+00:00"))
            if when.year >= 2000:  # 1904/1970: a camera that never set its clock
                return when.timestamp()
    except Exception:  # noqa: BLE001 (any container problem: fall back to the file's time)
        pass
    return path.stat().st_mtime - duration_s


def _relative_sentence(message: str, task: RecordingTask) -> str:
    """The error's sentence naming the file as the summary does (its place in the folder)."""
    return message.replace(task.path, task.relative)


def analyse_recording(task: RecordingTask) -> RecordingOutcome:
    """Analyse one recording on this worker. Never raises for a bad file: the outcome says why."""
    from formcheck.report import build_report
    from formcheck.segments import (
        RecordingAnalysis,
        SegmentCheck,
        build_recording_report,
        check_poses,
        exercise_segments,
        track_poses,
    )
    from formcheck.spec import load_exercise

    started, cpu_started = time.perf_counter(), time.process_time()
    out = RecordingOutcome(task, worker=f"{os.uname().nodename}:{os.getpid()}")
    try:
        from formcheck.video.sources import VideoFileSource

        VideoFileSource(task.path).close()  # a file that is no video fails before the model is loaded
        track = track_poses(task.path, estimator=worker_pose_graph())
        out.recorded_at_s = recording_began_s(Path(task.path), track.duration_s)
        if task.exercise is not None:
            config = load_exercise(task.exercise, task.variant)
            out.report = build_report(check_poses(track, config))
            out.plans = [SegmentPlan(config.spec.name, config.variant.name, None, None, 0.0)]
        else:
            analysis = RecordingAnalysis(track)
            checks = []
            for item in exercise_segments(track):
                if isinstance(item, SegmentCheck):
                    checks.append(item)
                    analysis.segments.append((item.episode, item.result))
                else:
                    analysis.other.append(item)
            out.report = build_recording_report(analysis)
            out.plans = [
                SegmentPlan(c.config.spec.name, c.config.variant.name, c.start_s, c.end_s, seg["start_s"])
                for c, seg in zip(checks, out.report["segments"], strict=True)
            ]
        out.track = track
        if track.truncated:
            out.problem = (
                f"{task.relative} ends early (damaged or still being copied); the results cover the "
                f"{track.frames} frames that could be read."
            )
        elif track.error is not None:
            out.problem = _relative_sentence(track.error.message, task)
    except FormcheckError as exc:
        out.failed, out.problem = True, _relative_sentence(exc.message, task)
    except Exception as exc:  # noqa: BLE001 (one bad file must not stop a clinic's batch)
        drop_pose_graph()
        out.failed = True
        out.problem = f"{task.relative} could not be analysed ({type(exc).__name__}: {exc})."
    out.seconds = time.perf_counter() - started
    out.cpu_s = time.process_time() - cpu_started
    out.peak_rss_mb = peak_rss_mb()
    return out


def evaluate_in_worker(truth_path: str) -> Any:
    """``formcheck eval``'s work for one clip, on a batch worker with its reused pose graph."""
    from formcheck.evaluation import evaluate_clip
    from formcheck.segments import lent_pose_graph

    token = lent_pose_graph.set(worker_pose_graph())
    try:
        return evaluate_clip(Path(truth_path))
    except FormcheckError:
        raise
    except Exception:
        drop_pose_graph()
        raise
    finally:
        lent_pose_graph.reset(token)
