"""Auto mode of the coaching window: it recognises the exercise as the person gets into the start
position, says it, shows it, and switches when they change exercise (a part of ``CoachWindow``).

The recogniser (``formcheck.recognize.LiveRecogniser``) runs on the pipeline's thread as a sink, a few
tens of microseconds a frame; the window reads its newest guess with each frame it shows. The exercise
box (or the X key) overrides it: choosing an exercise there turns auto mode off, "Recognise it for me"
turns it back on.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PyQt6.QtWidgets import QComboBox

from formcheck.events import FrameUpdate
from formcheck.recognize import EXERCISE_OF_POSTURE, Recognition, RecognitionSink, read_pose
from formcheck.spec import available_exercises, load_exercise, load_spec

AUTO = "auto"
FIT_AGAIN_S = 0.33  # after a frame in another exercise's position, this long in a fitting one shows coaching
WAITING_TEXT = (
    "Get into the start position and keep still for a moment: I will recognise the exercise "
    "(lie on your back, on your stomach, or stand facing the camera)."
)
UNKNOWN_TEXT = (
    "I can't tell which exercise this is. Lie on your back for knee-to-chest, on your stomach for "
    "prone extension, or stand facing the camera for side bends."
)
# The variant in words, for the sentence said when an exercise is recognised.
VARIANT_WORDS = {
    ("knee_to_chest", "single"): "one leg at a time",
    ("knee_to_chest", "double"): "both knees together",
    ("prone_extension", "arms-forward"): "arms forward",
    ("prone_extension", "press-up"): "press-up",
    ("prone_extension", "superman"): "superman",
    ("side_bend", "standing"): "standing",
}
SHORT_TITLES = {
    "knee_to_chest": "Knee-to-chest",
    "prone_extension": "Prone extension",
    "side_bend": "Side bends",
}


def announcement(exercise: str, variant: str | None) -> str:
    """What is said and shown on recognising: "Knee-to-chest, one leg at a time. Ready when you are." """
    words = VARIANT_WORDS.get((exercise, variant or ""))
    title = SHORT_TITLES.get(exercise, exercise.replace("_", " ").capitalize())
    return f"{title}{', ' + words if words else ''}. Ready when you are."


def neutral_update(update: FrameUpdate) -> FrameUpdate:
    """The frame as a plain skeleton: no cue, no angle against a target, no tick, no hold ring, no
    fault colours. Shown while the exercise is stopped (pain stop) or while the checker's exercise is
    not the one the person is in (recognition undecided, or they changed position)."""
    state = dataclasses.replace(
        update.state,
        cue=None,
        measurements={},
        active_faults=(),
        fault_segments=frozenset(),
        hold_s=0.0,
        hold_target_s=0.0,
    )
    return dataclasses.replace(update, state=state, events=())


def exercise_choices() -> list[tuple[str, str]]:
    """(label, data) for the exercise box: auto first, then every exercise and variant."""
    choices = [("Recognise it for me", AUTO)]
    for name, path in available_exercises().items():
        spec = load_spec(path)
        for v in spec.variants.values():
            choices.append((f"{spec.title} ({v.name})", f"{name}/{v.name}"))
    return choices


class AutoExercise:
    """Mixed into ``CoachWindow`` (ui/window.py), whose state it uses."""

    auto: bool
    recognition: Recognition | None
    recognised: list[tuple[float, str, str | None]]  # (time in the run, exercise, variant) per switch
    _auto_sink: RecognitionSink | None
    _auto_seen: int
    _auto_after_s: float  # guesses about time before this are old (a replay catching up after a switch)

    def _init_auto(self, auto: bool) -> None:
        self.auto = auto
        self.recognition = None
        self.recognised = []
        self._auto_sink = None
        self._auto_seen = 0
        self._auto_after_s = -1.0
        self._auto_keep_sink = False
        self._auto_start_s = 0.0  # where the exercise switched to began (the recogniser's start position)
        self._other_posture_t_s = -1e9  # when a frame last read as another exercise's position

    def _build_exercise_box(self) -> QComboBox:
        box = QComboBox()
        for label, data in exercise_choices():
            box.addItem(label, data)
        box.setCurrentIndex(0 if self.auto else max(0, box.findData(self._exercise_key())))
        box.activated.connect(lambda i: self.choose_exercise(box.itemData(i)))
        self.exercise_box = box
        return box

    def _exercise_key(self) -> str:
        config: Any = self.config  # type: ignore[attr-defined]
        return f"{config.spec.name}/{config.variant.name}"

    def _new_auto_sink(self) -> RecognitionSink | None:
        if self._auto_keep_sink and self.auto and self._auto_sink is not None:
            # A switch of exercise mid-replay: the recogniser goes on from where it was (it skips the
            # frames the new run checks again), so it neither recognises the past again nor forgets it.
            self._auto_keep_sink = False
            return self._auto_sink
        self._auto_keep_sink = False
        self._auto_sink = RecognitionSink() if self.auto else None
        self._auto_seen = 0
        return self._auto_sink

    def choose_exercise(self, data: str) -> None:
        """The override: an exercise chosen by hand (auto off), or auto mode back on."""
        if data == AUTO:
            self.auto = True
            self.recognition = None
            self._auto_note(WAITING_TEXT)
            self._restart_for_exercise()
            return
        self.auto = False
        name, _, variant = data.partition("/")
        self._switch_to(name, variant or None, said=False)

    def next_exercise_choice(self) -> None:
        """The X key: the next entry of the exercise box."""
        box = self.exercise_box
        box.setCurrentIndex((box.currentIndex() + 1) % box.count())
        self.choose_exercise(box.currentData())

    def _auto_check(self, t_s: float) -> None:
        """With each frame shown: act on a new guess of the recogniser."""
        sink = self._auto_sink
        if not self.auto or sink is None:
            return
        changes, guess = sink.latest
        if changes == self._auto_seen or guess is None:
            return
        self._auto_seen = changes
        if guess.since_s < self._auto_after_s:
            return  # an earlier exercise of this recording, passed again while catching up
        self.recognition = guess
        if guess.exercise is None:
            self._auto_note(UNKNOWN_TEXT)
            return
        if (guess.exercise, guess.variant) == tuple(self._exercise_key().split("/")):
            if not self.recognised:  # the first guess agrees with the exercise shown: say it anyway
                self.recognised.append((t_s, guess.exercise, guess.variant))
                self._announce(guess.exercise, guess.variant)
            return
        self._auto_after_s = guess.since_s
        self._auto_start_s = guess.since_s
        self._auto_keep_sink = True
        self.recognised.append((t_s, guess.exercise, guess.variant))
        self._switch_to(guess.exercise, guess.variant, said=True)

    def _switch_to(self, exercise: str, variant: str | None, said: bool) -> None:
        sources: Any = self.sources  # type: ignore[attr-defined]
        config = load_exercise(exercise, variant, sources.for_exercise(exercise))
        self._apply_config(config)  # type: ignore[attr-defined]
        if said:
            self._announce(exercise, variant)
        else:
            self._auto_note(None)
        box = self.exercise_box
        box.setCurrentIndex(0 if self.auto else max(0, box.findData(self._exercise_key())))
        self._restart_for_exercise()

    def _announce(self, exercise: str, variant: str | None) -> None:
        text = announcement(exercise, variant)
        self._auto_note(f"{text}  (X: choose another exercise)")
        self.audio.say(text)  # type: ignore[attr-defined]

    def _auto_note(self, text: str | None) -> None:
        label = self.auto_label  # type: ignore[attr-defined]
        label.setText(text or "")
        label.setVisible(bool(text))

    def _restart_for_exercise(self) -> None:
        """A new exercise starts from its own start: live, a new run from now; a replay, from here."""
        if getattr(self, "_source_factory", None) is None:
            self._auto_keep_sink = False
            return
        if self.mode == "live":  # type: ignore[attr-defined]
            self._auto_keep_sink = False
            self._auto_after_s = -1.0  # the new run's clock starts again
            # The run so far was getting into position under a first guess: with no rep in it, it is
            # not kept as a session of that exercise.
            no_reps = not self._run_reps  # type: ignore[attr-defined]
            self._restart_at(0, paused=False, discard_old=no_reps)  # type: ignore[attr-defined]
        else:
            # A replay goes on from the frame after the one shown, so its clock never goes back; the
            # new exercise is checked from where the person got into its start position (by hand: from
            # the clip's start). Those frames' poses are remembered, so that takes a moment, not a
            # second pass over the clip.
            window: Any = self
            fps = window.fps
            last = (window.frame_count or window.position + 2) - 1
            start = int(round(self._auto_start_s * fps)) if self._auto_keep_sink else 0
            self._auto_start_s = 0.0
            window._restart_at(
                min(last, window.position + 1),
                paused=window._paused,
                discard_old=not window._run_reps,
                start=start,
            )

    def _coaching_fits(self, update: FrameUpdate) -> bool:
        """Whether the checker's cue, measure and tick may be drawn on this frame (auto mode): not while
        the exercise is undecided or in doubt (the picture changed since the person was last still in
        its start position), nor once the person is in another exercise's position (from the
        moment one frame reads so, until a third of a second reads otherwise: a misread frame costs a
        short blank, never a wrong cue). A position that is no exercise's (getting up, a raised trunk)
        is left to the checker. With an exercise chosen by hand the checker's own set-up cues guide."""
        if not self.auto:
            return True
        config: Any = self.config  # type: ignore[attr-defined]
        guess = self.recognition
        if guess is None or guess.exercise != config.spec.name:
            return False
        sink = self._auto_sink
        if sink is not None and sink.recogniser.in_doubt:
            return False  # the person left the position, or the camera moved: wait for the next one
        posture = None
        if update.pose.person_found:
            reading = read_pose(update.pose.xy_px, update.pose.visibility)
            posture = reading.posture if reading is not None else None
        t_s = update.state.t_s
        if EXERCISE_OF_POSTURE.get(posture or "", config.spec.name) != config.spec.name:
            self._other_posture_t_s = t_s
        return not 0 <= t_s - self._other_posture_t_s < FIT_AGAIN_S
