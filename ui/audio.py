"""Audio cues: tones at hold start and end and at each rep, and spoken cues.

Speech comes from Qt's system voice where one is present and works (it is the platform's own, usually
better voice), else from eSpeak NG, which formcheck's own dependencies bring (formcheck/speech.py), played
through Qt Multimedia; with neither, cues are toned and shown only.

The decision "this would sound now" is separate from the sound itself: every decision lands in
``played`` (tests and the measurement script read it), and the sound is attempted only when there is an
output device. With no device (CI, a server) everything degrades silently.
"""

from __future__ import annotations

import logging
import math
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.events import CueGiven, Event, HoldCompleted, HoldStarted, RepCompleted

log = logging.getLogger(__name__)

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


class SystemVoice:
    """Qt's system speech (speech-dispatcher on Linux, SAPI/WinRT on Windows, AVSpeech on macOS)."""

    name = "system voice"

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self._engine = engine
        self.name = f"the system voice ({engine.engine()})"

    def say(self, text: str) -> None:
        self._engine.stop()  # one cue at a time: the newest replaces an unfinished one
        self._engine.say(text)

    def stop(self) -> None:
        self._engine.stop()

    def close(self) -> None:
        self._engine.stop()


def system_voice():  # type: ignore[no-untyped-def]
    """Qt's speech engine if one is present and works (it starts without error and has a voice), else
    None. Qt lists its speech-dispatcher plugin even where libspeechd is missing; that one fails here,
    loudly (a failed plugin load and a null connect on stderr), so its messages are dropped meanwhile."""
    try:
        from PyQt6.QtCore import qInstallMessageHandler
        from PyQt6.QtTextToSpeech import QTextToSpeech
    except ImportError:
        return None
    previous = qInstallMessageHandler(lambda *_: None)
    try:
        for name in QTextToSpeech.availableEngines():
            if name == "mock":
                continue
            engine = QTextToSpeech(name)
            if engine.state() != QTextToSpeech.State.Error and engine.availableVoices():
                return SystemVoice(engine)
            engine.deleteLater()
    finally:
        qInstallMessageHandler(previous)
    return None


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
        effects: dict[str, object] = {}
        for name, notes in TONES.items():
            path = write_wav(Path(self._tmp.name) / f"{name}.wav", tone_samples(notes))
            effect = QSoundEffect()
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effects[name] = effect
        return effects

    @property
    def speech_name(self) -> str | None:
        """Whose voice speaks the cues ("eSpeak NG", "the system voice (…)"), or None."""
        return None if self._speech is None else self._speech.name

    @staticmethod
    def _load_speech():  # type: ignore[no-untyped-def]
        """The best voice that works here: the system's, else eSpeak NG; None without a sound device."""
        try:
            from PyQt6.QtMultimedia import QMediaDevices
        except ImportError:
            return None
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull():
            return None  # nothing to hear it on (CI, a server): cues are shown only
        voice = system_voice()
        if voice is not None:
            return voice
        from formcheck.speech import SpeechUnavailable
        from ui.speech_playback import ESpeakVoice

        try:
            return ESpeakVoice(device)
        except SpeechUnavailable as exc:
            log.warning("no spoken cues: %s", exc.message)
            return None

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
            self._speech.say(text)  # one cue at a time: the newest replaces an unfinished one

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
            self._speech.close()
        self._effects.clear()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def speech_check():  # type: ignore[no-untyped-def]
    """For 'formcheck doctor' and the home screen: can cues be spoken here? eSpeak NG is checked by
    synthesising a real phrase (it comes with formcheck, so its failure is a broken install); the
    system voice is named when it works, since the window prefers it."""
    from formcheck.doctor import Check
    from formcheck.speech import check_speech

    espeak = check_speech()
    if not espeak.ok:
        return Check("speech", False, f"{espeak.detail} Until then cues are shown and toned only")
    voice = _system_voice_name()
    if voice:
        return Check("speech", True, f"spoken cues through {voice}; {espeak.detail} as a fallback")
    return Check("speech", True, f"spoken cues through eSpeak NG: {espeak.detail.removeprefix('eSpeak NG ')}")


def _system_voice_name() -> str | None:
    from PyQt6.QtCore import QCoreApplication

    from ui.qt_app import quiet_qt_logging

    quiet_qt_logging()
    app = QCoreApplication.instance() or QCoreApplication([])  # QTextToSpeech needs an application
    try:
        voice = system_voice()
    except ImportError:
        return None
    del app
    return voice.name if voice is not None else None


def sound_check():  # type: ignore[no-untyped-def]
    """For 'formcheck doctor' and the home screen: is there a sound output to hear cues on?"""
    from formcheck.doctor import Check

    try:
        from PyQt6.QtMultimedia import QMediaDevices
    except ImportError:
        return Check("sound", False, "Qt Multimedia is missing: cues are shown only", needed=False)
    from formcheck.native import quiet_stderr

    with quiet_stderr():  # Qt's audio back end probing a missing sound server writes to stderr
        device = QMediaDevices.defaultAudioOutput()
    if device.isNull():
        return Check(
            "sound", False, "no sound output found: cues are shown only (plug in speakers?)", needed=False
        )
    return Check("sound", True, f"plays through {device.description()}")
