"""The parent's part: a worker's result recorded as sessions in the one session store.

The checker runs again here over the poses the worker found, with the session recorder as its sink
(the recorder journals every frame's measurements); the pose model, the costly part, is not run
again. A session already in the store for the same patient, file, exercise and start (a run stopped
between recording and noting the file finished) is not recorded twice."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from formcheck.batch.worker import RecordingOutcome


def _say(message: str) -> None:
    sys.stderr.write(f"formcheck: {message}\n")


def iso_local(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s).astimezone().isoformat(timespec="seconds")


def record_sessions(store: Any, outcome: RecordingOutcome, patient: str) -> list[str]:
    """Record each exercise segment of ``outcome`` as a session of ``patient``; returns their ids."""
    from formcheck.segments import check_poses
    from formcheck.sessions.recorder import Recorder, new_sitting_id
    from formcheck.spec import load_exercise

    track = outcome.track
    if track is None or not outcome.plans:
        return []
    began = outcome.recorded_at_s or 0.0
    # The segments of one recording are one sitting, as 'analyze --record' makes them.
    sitting = new_sitting_id() if outcome.task.exercise is None else None
    existing = {
        (r.source, r.exercise, r.variant, r.started_at): r.id
        for r in store.list_sessions(patient=patient)
        if r.status == "complete"
    }
    ids = []
    for plan in outcome.plans:
        started_at = iso_local(began + plan.began_s)
        key = (track.name, plan.exercise, plan.variant, started_at)
        if key in existing:
            ids.append(existing[key])
            continue
        config = load_exercise(plan.exercise, plan.variant)
        recorder = Recorder(
            store,
            config,
            source_name=track.name,
            fps=track.fps,
            kind="analyze",
            patient=patient,
            routine_id=sitting,
            started_at=started_at,
            on_problem=_say,
        )
        try:
            check_poses(track, config, plan.start_s, plan.end_s, sinks=(recorder,))
        except BaseException:
            recorder.abort("The batch stopped while recording this session")
            raise
        ids.append(recorder.session_id)
    return ids
