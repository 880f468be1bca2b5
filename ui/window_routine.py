"""The coaching window walking through a therapist's prescription: pain before, each set as its own run
and session, rests, pain after (a part of ``CoachWindow``). The routine (``formcheck.sessions.routine``)
decides; the window shows and records.
"""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import QTimer

from formcheck.events import Event, PainScore
from formcheck.sessions.routine import Routine, Step
from ui.recording import new_routine_id
from ui.worker import PipelineWorker, SourceFactory

ROUTINE_HELP = "Space pain stop · N skip · M sound · F full screen · R try again · Q quit"


class RoutineSteps:
    """Mixed into ``CoachWindow`` (ui/window.py), whose state it uses."""

    def start_routine(self, routine: Routine, source_factory: SourceFactory, name: str) -> None:
        """Walk through a prescription live: pain before, each set as its own run and session, rests,
        pain after. The routine (``formcheck.sessions.routine``) decides; the window shows and records."""
        self.routine = routine
        self._routine_id = new_routine_id()
        self.auto = False  # the prescription says which exercise comes
        self._auto_note(None)
        self.exercise_box.hide()
        self.mode = "live"
        self.speed = None
        self._source_factory = source_factory
        self.source_name = name
        self.replay_bar.hide()
        self.end_button.hide()
        self.keys_label.setText(ROUTINE_HELP)
        self.routine_panel.show()
        self._live_layout()  # type: ignore[attr-defined]  # full screen, the keys on H
        self._routine_timer.start()
        self._routine_advance()

    def _routine_holds_sinks(self) -> bool:
        # A finished set's recorder stays open through the rest (and the pain-after question), so a
        # pain stop or score given then is recorded with that set.
        return self.routine is not None and self.routine.state in ("rest", "pain_after", "stopped")

    def _routine_advance(self) -> None:
        """Do what the routine's state asks for now."""
        routine = self.routine
        if routine is None:
            return
        state = routine.state
        if state == "pain_before":
            self._refresh_routine_panel()
            if self.ask_pain:
                self.video.set_overlay("Before you start: how much pain do you have now?")
                self._ask_pain("before", self._routine_pain_before)
            else:
                self._routine_pain_before(self.preset_pain_before)
        elif state == "exercise":
            step = routine.current
            assert step is not None
            if self._step_started != step.number:
                self._start_step_run(step)
            self._refresh_routine_panel()
        elif state == "rest":
            self._refresh_routine_panel()
        elif state == "pain_after":
            self._refresh_routine_panel()
            if self.ask_pain:
                self.video.set_overlay("All sets done. How much pain do you have now?")
                self._ask_pain("after", self._routine_pain_after)
            else:
                self._routine_pain_after(None)
        else:  # done (after a pain stop too)
            self._routine_timer.stop()
            self._pending = None
            if self._worker is not None:
                self._worker.stop()
                self._worker.wait(5.0)
            self._close_run_sinks()
            self._refresh_routine_panel()
            self.video.set_overlay(routine.message)

    def _routine_pain_before(self, score: int | None) -> None:
        assert self.routine is not None
        self._note_pain_before(score)
        if score is None:
            self.routine.skip()
        else:
            self.routine.set_pain_before(score)
        self._routine_advance()

    def _routine_pain_after(self, score: int | None) -> None:
        assert self.routine is not None
        if score is None:
            if self._worker is not None:
                self._worker.wait(5.0)
            self.routine.skip()
        else:
            self.pain_scores["after"] = score
            t_s = self.last_state.t_s if self.last_state is not None else 0.0
            self._send_to_run(PainScore(t_s, "after", score))  # to the last set's session
            self.routine.set_pain_after(score)
        self._routine_advance()

    def _start_step_run(self, step: Step) -> None:
        self._step_started = step.number
        self._apply_config(step.config)
        self.counters.set_target(step.reps_target)
        self.counters.set_counts(dict.fromkeys(step.sides, 0), 0)
        self.asymmetry.set_summary({}, None)
        self._earlier_reps = []
        self.routine_note = None
        self._pain_t_s = None
        self._paused = False
        self._restart_at(0, paused=False)

    def _feed_routine(
        self, worker: PipelineWorker, events: Sequence[Event]
    ) -> tuple[dict[str, int], int] | None:
        """Give the routine this step's events; returns the counts to show (None: no routine)."""
        routine = self.routine
        if routine is None:
            return None
        if routine.state == "exercise" and getattr(worker, "step_number", None) == routine.index:
            for event in events:
                note = routine.on_event(event)
                if note and note != routine.message:
                    self.routine_note = note
                if routine.state != "exercise":  # the set is done
                    worker.stop()
                    QTimer.singleShot(0, self._routine_advance)
                    break
            self._refresh_routine_panel()
        result = routine.results[-1] if routine.results else None
        if result is None:
            return None
        return dict(result.counted), sum(r.result == "good" for r in result.reps)

    def _routine_tick(self) -> None:
        routine = self.routine
        if routine is None or routine.state != "rest":
            return
        if routine.tick():
            self._routine_advance()
        else:
            self._refresh_routine_panel()

    def skip_step(self) -> None:
        """Skip (N): end the rest now, or move past this set when it cannot be finished."""
        routine = self.routine
        if routine is None or self.pain_dialog is not None or routine.state not in ("exercise", "rest"):
            return
        was = routine.state
        routine.skip()
        if was == "exercise" and self._worker is not None:
            self._worker.stop()
        self._routine_advance()

    def _refresh_routine_panel(self) -> None:
        routine = self.routine
        if routine is None:
            return
        self.routine_panel.show_routine(routine, self.routine_note)
        if routine.state == "rest":
            if self.video.update_shown is not None:  # no stale skeleton, cue or hold ring while resting
                self.video.update_shown = None
                self.video.update()
            self.video.set_overlay(f"Rest {routine.rest_remaining_s():.0f} s\nN: skip the rest")
