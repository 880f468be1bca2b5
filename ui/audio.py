"""Audio cues: tones at hold start and end and at each rep, spoken cues where the platform has speech.

The decision "this would sound now" is separate from the sound itself: every decision lands in
``played`` (tests and the measurement script read it), and the sound is attempted only when there is an
output device. With no device (CI, a server) everything degrades silently.
"""

from __future__ import annotations

import math
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.events import CueGiven, Event, HoldCompleted, HoldStarted, RepCompleted

SAMPLE_RATE = 44100

# Tone name -> (frequency Hz, duration s) notes played one after the other.
TONES: dict[str, tuple[tuple[float, float], ...]] = {
    "hold_start": ((660.0, 0.12), (880.0, 0.18)),  # rising: "hold now"
    "hold_end": ((880.0, 0.12), (660.0, 0.12), (990.0, 0.25)),  # a little fanfare: "done, lower"
    "rep": ((1046.0, 0.15),),  # a short blip per counted rep
}


def tone_samples(notes: tuple[tuple[float, float], ...], volume: float = 0.5) -> np.ndarray:
    """16-bit mono samples for a sequence of sine notes, each faded in and out (no clicks)."""
    parts = []
    for freq, dur in notes:
        n = int(SAMPLE_RATE * dur)
        t = np.arange(n) / SAMPLE_RATE
        fade = np.minimum(1.0, np.minimum(t, dur - t) / 0.01)
        parts.append(np.sin(2 * math.pi * freq * t) * fade)
    data = np.concatenate(parts) * volume * 32767
    return data.astype(np.int16)


def write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.tobytes())
    return path


@dataclass(frozen=True)
class Played:
    kind: str  # "tone" | "speech"
    what: str  # tone name or the sentence
    t_s: float  # the frame time that caused it


class AudioCues:
    """Turns checker events into tones and speech. ``output=False`` decides without making sound."""

    def __init__(self, output: bool = True, speech: bool = True) -> None:
        self.muted = False
        self.played: list[Played] = []
        self._effects: dict[str, object] = {}
        self._speech = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if output:
            self._effects = self._load_effects()
            if speech:
                self._speech = self._load_speech()

    @property
    def has_sound(self) -> bool:
        return bool(self._effects)

    @property
    def has_speech(self) -> bool:
        return self._speech is not None

    def _load_effects(self) -> dict[str, object]:
        try:
            from PyQt6.QtCore import QUrl
            from PyQt6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError:
            return {}
        if not QMediaDevices.audioOutputs():
            return {}
        self._tmp = tempfile.TemporaryDirectory(prefix="formcheck-tones-")
        effects = {}
        for name, notes in TONES.items():
            path = write_wav(Path(self._tmp.name) / f"{name}.wav", tone_samples(notes))
            effect = QSoundEffect()
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effects[name] = effect
        return effects

    @staticmethod
    def _load_speech():  # type: ignore[no-untyped-def]
        try:
            from PyQt6.QtTextToSpeech import QTextToSpeech
        except ImportError:
            return None
        engines = [e for e in QTextToSpeech.availableEngines() if e != "mock"]
        if not engines:
            return None
        speech = QTextToSpeech(engines[0])
        if speech.state() == QTextToSpeech.State.Error:
            return None
        return speech

    def toggle_mute(self) -> bool:
        self.muted = not self.muted
        if self.muted and self._speech is not None:
            self._speech.stop()
        return self.muted

    def hush(self) -> None:
        """Stop any sentence being spoken (a pain stop must not be talked over)."""
        if self._speech is not None:
            self._speech.stop()

    def tone(self, name: str, t_s: float = 0.0) -> None:
        if self.muted:
            return
        self.played.append(Played("tone", name, t_s))
        effect = self._effects.get(name)
        if effect is not None:
            effect.play()  # type: ignore[attr-defined]

    def say(self, text: str, t_s: float = 0.0) -> None:
        if self.muted:
            return
        self.played.append(Played("speech", text, t_s))
        if self._speech is not None:
            self._speech.stop()  # one cue at a time: the newest replaces an unfinished one
            self._speech.say(text)

    def on_events(self, events: list[Event] | tuple[Event, ...]) -> None:
        """React to the events of one or more frames, in order."""
        for event in events:
            if isinstance(event, HoldStarted):
                self.tone("hold_start", event.t_s)
            elif isinstance(event, HoldCompleted):
                self.tone("hold_end", event.t_s)
            elif isinstance(event, RepCompleted) and event.rep.complete:
                self.tone("rep", event.t_s)
            elif isinstance(event, CueGiven):
                self.say(event.text, event.t_s)

    def close(self) -> None:
        if self._speech is not None:
            self._speech.stop()
        self._effects.clear()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def speech_check():  # type: ignore[no-untyped-def]
    """For 'formcheck doctor' and the home screen: can cues be spoken here?"""
    from formcheck.doctor import Check
    from ui.qt_app import quiet_qt_logging

    quiet_qt_logging()
    try:
        from PyQt6.QtTextToSpeech import QTextToSpeech
    except ImportError:
        return Check(
            "speech", False, "Qt's speech module is missing; cues are shown and toned only", needed=False
        )
    engines = [e for e in QTextToSpeech.availableEngines() if e != "mock"]
    if not engines:
        return Check(
            "speech",
            False,
            "no speech engine; cues are shown and toned only (Linux: install speech-dispatcher, espeak-ng)",
            needed=False,
        )
    return Check("speech", True, f"spoken cues through {', '.join(engines)}")
