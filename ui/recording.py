"""What the window records: one ``Recorder`` (one session) per pipeline run, in a ``SessionStore``.

The window asks ``SessionRecording.recorder`` for a new recorder each time a run starts (on the
pipeline thread, once the source is open and its frame rate is known). Qt-free, so it is easy to test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from formcheck.sessions.recorder import Recorder, done_at_iso, new_sitting_id, recording_began
from formcheck.sessions.routine import Routine, Step
from formcheck.sessions.storage import SessionStore
from formcheck.spec import ExerciseConfig

VIDEO_NOTE = "Video of you exercising is private health data: it stays on this computer."


def recovered_notice(store: SessionStore) -> str | None:
    """One calm line about sessions recovered after a crash, or None."""
    n = len(store.recovered)
    if not n:
        return None
    which = "1 session" if n == 1 else f"{n} sessions"
    return (
        f"ℹ {which} cut short last time (the program or computer stopped) "
        f"{'was' if n == 1 else 'were'} recovered and kept for your therapist."
    )


@dataclass
class SessionRecording:
    """Where and how the window records: the store, whose sessions, live or replay, video or not.

    ``recorder_options`` go to every ``Recorder`` (tests pass ``open_journal`` to fill the disk).
    """

    store: SessionStore
    patient: str | None = None
    video: bool = False
    kind: str = "live"
    recorder_options: dict[str, Any] = field(default_factory=dict)
    recorders: list[Recorder] = field(default_factory=list)

    def recorder(
        self,
        config: ExerciseConfig,
        source: Any,
        on_problem: Callable[[str], None],
        routine: Routine | None = None,
        step: Step | None = None,
        routine_id: str | None = None,
    ) -> Recorder:
        """A new recorder for one run (raises FormcheckError if the data folder cannot be written)."""
        prescription = routine.prescription if routine is not None else None
        options = dict(self.recorder_options)
        path = getattr(source, "path", None)
        if self.kind != "live" and path is not None and "started_at" not in options:
            # A replayed file was done when it was recorded, like 'analyze --record' (docs/sessions.md).
            length_s = (getattr(source, "frame_count", None) or 0) / (source.fps or 30.0)
            options["started_at"] = done_at_iso(recording_began(path, length_s), 0.0)
        rec = Recorder(
            self.store,
            config,
            source_name=source.name,
            fps=source.fps,
            kind=self.kind,
            patient=prescription.patient if prescription is not None else self.patient,
            video=self.video,
            prescription_name=prescription.name if prescription is not None else None,
            prescription_toml=prescription.text if prescription is not None else None,
            routine_id=routine_id,
            step_index=step.item.position if step is not None else None,
            set_index=step.set_index if step is not None else None,
            on_problem=on_problem,
            **options,
        )
        self.recorders.append(rec)
        return rec


def new_routine_id() -> str:
    return new_sitting_id()
