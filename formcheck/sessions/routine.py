"""A routine: a prescription walked through step by step, headless (the live window only shows it).

States: ``pain_before`` (ask for a 0-10 score) -> ``exercise`` (a set of one exercise; reps counted
from the checker's ``RepCompleted`` events) -> ``rest`` (a timer) -> ``exercise`` ... -> ``pain_after``
-> ``done``. A pain stop goes to ``stopped``, which asks for a score and then ends the routine.

Each exercise step runs its own pipeline with ``step.config`` (the prescription's settings). The rest
timer reads an injectable clock; nothing in the checker depends on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from formcheck.errors import FormcheckError
from formcheck.events import Event, PainScore, PainStop, Rep, RepCompleted
from formcheck.safe_text import printable
from formcheck.sessions.prescriptions import PrescribedExercise, Prescription
from formcheck.spec import ExerciseConfig

STATES = ("pain_before", "exercise", "rest", "pain_after", "stopped", "done")


@dataclass(frozen=True)
class Step:
    number: int  # 0-based over the whole routine
    item: PrescribedExercise
    set_index: int  # 1-based
    rest_after_s: float

    @property
    def config(self) -> ExerciseConfig:
        return self.item.config

    @property
    def sets(self) -> int:
        return self.item.sets

    @property
    def reps_target(self) -> int:
        """Reps per side in this set."""
        return self.item.reps

    @property
    def sides(self) -> tuple[str, ...]:
        return self.item.sides

    def title(self) -> str:
        each = (
            " each side"
            if len(self.sides) > 1
            else (f" ({self.sides[0]})" if self.sides[0] in ("left", "right") else "")
        )
        reps = "1 rep" if self.reps_target == 1 else f"{self.reps_target} reps"
        return f"{self.item.title}, set {self.set_index} of {self.sets}: {reps}{each}"


@dataclass
class StepResult:
    step: Step
    reps: list[Rep] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    over_limit: int = 0

    def done(self) -> bool:
        return all(self.counted.get(s, 0) >= self.step.reps_target for s in self.step.sides)


def _side_key(rep: Rep, sides: tuple[str, ...]) -> str | None:
    if sides in (("both",), ("all",)):
        return sides[0]
    return rep.side if rep.side in sides else None


class Routine:
    def __init__(self, prescription: Prescription, clock: Callable[[], float] = time.monotonic) -> None:
        self.prescription = prescription
        self.clock = clock
        self.steps: list[Step] = []
        for item in prescription.exercises:
            for s in range(1, item.sets + 1):
                self.steps.append(Step(len(self.steps), item, s, item.rest_s))
        self.state = "pain_before"
        self.index = 0
        self.results: list[StepResult] = []
        self.pain_before: int | None = None
        self.pain_after: int | None = None
        self.pain_stop: PainStop | None = None
        self.message = "Before you start: how much pain do you have now, from 0 (none) to 10 (worst)?"
        self._rest_until: float | None = None

    # --- what the window shows -------------------------------------------------------------------

    @property
    def current(self) -> Step | None:
        return (
            self.steps[self.index]
            if self.state in ("exercise", "rest") and self.index < len(self.steps)
            else None
        )

    @property
    def current_result(self) -> StepResult | None:
        return self.results[-1] if self.results and self.state == "exercise" else None

    def rest_remaining_s(self) -> float:
        if self.state != "rest" or self._rest_until is None:
            return 0.0
        return max(0.0, self._rest_until - self.clock())

    def progress(self) -> str:
        step = self.current
        if step is None:
            return self.message
        if self.state == "rest":
            return f"Rest {self.rest_remaining_s():.0f} s. Next: {step.title()}."
        res = self.current_result
        counts = (
            ", ".join(
                f"{s} {res.counted.get(s, 0)}/{step.reps_target}"
                if s in ("left", "right")
                else f"{res.counted.get(s, 0)}/{step.reps_target}"
                for s in step.sides
            )
            if res
            else ""
        )
        return f"{step.title()}. Done: {counts}."

    # --- driving it ------------------------------------------------------------------------------

    def _require(self, *states: str) -> None:
        if self.state not in states:
            raise FormcheckError(
                f"The routine is at '{self.state}', not {' or '.join(states)}; this step does not apply now."
            )

    @staticmethod
    def _score(score: int) -> int:
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
            raise FormcheckError(f"A pain score is a whole number from 0 to 10, not {score!r}.")
        return score

    def set_pain_before(self, score: int) -> None:
        self._require("pain_before")
        self.pain_before = self._score(score)
        self._start_step()

    def _start_step(self) -> None:
        self.state = "exercise"
        step = self.steps[self.index]
        self.results.append(StepResult(step, counted=dict.fromkeys(step.sides, 0)))
        self._rest_until = None
        self.message = (
            step.title()
            + "."
            # (drawn over the picture: a note from the file loses any control characters)
            + (f" {printable(step.item.notes)}" if step.item.notes and step.set_index == 1 else "")
        )

    def on_event(self, event: Event) -> str | None:
        """Feed the step's events (from the pipeline or the person); returns a sentence to show, if any."""
        if isinstance(event, PainStop):
            if self.state in ("done", "stopped"):
                return None
            self.pain_stop = event
            self.state = "stopped"
            self.message = (
                "Stopped. How much pain do you have now, from 0 to 10? Tell your therapist about it."
            )
            return self.message
        if isinstance(event, PainScore):
            if event.when == "before" and self.state == "pain_before":
                self.set_pain_before(event.score)
            elif event.when != "before" and self.state in ("pain_after", "stopped"):
                self.set_pain_after(event.score)
            return None
        if not isinstance(event, RepCompleted) or self.state != "exercise" or not event.rep.complete:
            return None
        res = self.results[-1]
        step = res.step
        res.reps.append(event.rep)
        key = _side_key(event.rep, step.sides)
        note = None
        limit = step.item.limit_deg
        if limit is not None and event.rep.peak_deg > limit:
            res.over_limit += 1
            note = f"That went past the {limit:g} deg your therapist set; stay within it next time."
        if key is not None:
            res.counted[key] = res.counted.get(key, 0) + 1
        if res.done():
            self._finish_step()
            return note or self.message
        return note

    def _finish_step(self) -> None:
        step = self.steps[self.index]
        if self.index + 1 >= len(self.steps):
            self.state = "pain_after"
            self.message = "All done. How much pain do you have now, from 0 to 10?"
            return
        self.index += 1
        if step.rest_after_s > 0:
            self.state = "rest"
            self._rest_until = self.clock() + step.rest_after_s
            self.message = (
                f"Well done. Rest for {step.rest_after_s:g} s. Next: {self.steps[self.index].title()}."
            )
        else:
            self._start_step()

    def tick(self) -> bool:
        """Call regularly (every frame or timer tick): ends a rest when its time is up; True if it did."""
        if self.state == "rest" and self.clock() >= (self._rest_until or 0.0):
            self._start_step()
            return True
        return False

    def skip(self) -> None:
        """Move on without waiting: past a pain question nobody answered (the score stays None), the
        rest, or the current set (the person cannot do more without pain)."""
        if self.state in ("pain_before", "rest"):
            self._start_step()
        elif self.state == "exercise":
            self.results[-1].skipped = True
            self._finish_step()
        elif self.state in ("pain_after", "stopped"):
            self.state = "done"
            self.message = "Session saved. Thank you."

    @property
    def exercise_count(self) -> int:
        return len(self.prescription.exercises)

    def set_pain_after(self, score: int) -> None:
        self._require("pain_after", "stopped")
        self.pain_after = self._score(score)
        self.state = "done"
        self.message = "Session saved. " + (
            "Your pain is higher than before: tell your therapist."
            if self.pain_before is not None and self.pain_after > self.pain_before
            else "Thank you."
        )

    def adherence(self) -> float:
        """Share of prescribed reps done (0-1), counting each side's reps up to its target."""
        prescribed = sum(s.reps_target * len(s.sides) for s in self.steps)
        done = sum(
            min(r.counted.get(side, 0), r.step.reps_target) for r in self.results for side in r.step.sides
        )
        return done / prescribed if prescribed else 0.0
