"""What the checker says, as frozen dataclasses: discrete events and the per-frame state snapshot.

Sinks (the Qt window, the recorder, reports, audio) only observe these; none of them computes angles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from formcheck.pose_frame import PoseFrame


@dataclass(frozen=True, slots=True)
class Rep:
    index: int
    side: str | None  # "left" | "right" | "both" | None
    start_s: float
    peak_s: float
    end_s: float | None
    peak_deg: float
    hold_s: float
    complete: bool
    result: str  # "good" | "short_hold" | "faulty" | "incomplete"
    faults: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Interval:
    code: str
    start_s: float
    end_s: float | None


@dataclass(frozen=True, slots=True)
class Event:
    t_s: float


@dataclass(frozen=True, slots=True)
class BaselineCaptured(Event):
    pass


@dataclass(frozen=True, slots=True)
class SetupProblemStarted(Event):
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class SetupProblemEnded(Event):
    code: str


@dataclass(frozen=True, slots=True)
class PhaseChanged(Event):
    phase: str
    side: str | None


@dataclass(frozen=True, slots=True)
class HoldStarted(Event):
    side: str | None
    target_s: float


@dataclass(frozen=True, slots=True)
class HoldCompleted(Event):
    side: str | None
    held_s: float


@dataclass(frozen=True, slots=True)
class RepCompleted(Event):
    rep: Rep


@dataclass(frozen=True, slots=True)
class FaultStarted(Event):
    code: str
    cue: str


@dataclass(frozen=True, slots=True)
class FaultEnded(Event):
    code: str


@dataclass(frozen=True, slots=True)
class CueGiven(Event):
    text: str
    kind: str  # "setup" | "fault" | "phase"
    priority: int


@dataclass(frozen=True, slots=True)
class PainStop(Event):
    """The person pressed the pain stop: the exercise stops here; the score may follow."""

    score: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class PainScore(Event):
    """A 0-10 pain score, given before or after a session (or after a pain stop)."""

    when: str = "before"  # "before" | "after" | "pain_stop"
    score: int = 0


@dataclass(frozen=True, slots=True)
class CheckerState:
    """Everything a live view needs for one frame, already decided."""

    t_s: float
    ready: bool
    phase: str
    side: str | None
    signal_deg: float
    target_deg: float
    release_deg: float
    hold_s: float
    hold_target_s: float
    reps_by_side: Mapping[str, int]
    good_reps: int
    active_faults: tuple[str, ...]
    setup_problems: Mapping[str, str]
    cue: str | None
    fault_segments: frozenset[tuple[int, int]]
    measurements: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class FrameUpdate:
    """One frame's result: the (smoothed) pose, the state and the events it produced."""

    pose: PoseFrame
    state: CheckerState
    events: tuple[Event, ...] = field(default_factory=tuple)
