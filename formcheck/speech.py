"""Spoken cues without anything from the system: eSpeak NG as the ``espeakng-loader`` wheel ships it.

The wheel carries ``libespeak-ng.so`` (it needs only the C and C++ runtimes: ``ldd`` shows libstdc++,
libm, libgcc_s and libc) and its ``espeak-ng-data`` folder. We call the library through ctypes in
retrieval mode: it hands us 16-bit mono samples through a callback, and playing them is the window's
job (ui/audio.py, through Qt Multimedia). No Qt here, so ``formcheck doctor`` can check speech by
actually synthesising a phrase.

eSpeak NG keeps global state (one voice, one callback per process), so every call goes through one lock,
and the library is initialised once per library path.
"""

from __future__ import annotations

import ctypes
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.errors import FormcheckError

# espeak_AUDIO_OUTPUT: samples come back through the callback, the call returns when they all have.
AUDIO_OUTPUT_SYNCHRONOUS = 2
# Initialise options: without this flag a missing data folder makes the library call exit().
ESPEAK_INITIALIZE_DONT_EXIT = 0x8000
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
ESPEAK_RATE = 1  # espeak_PARAMETER: words per minute
EE_OK = 0

VOICE = "en"
# Slower than eSpeak's 175 wpm default: the listener is older, in pain and two metres away.
RATE_WPM = 150
CHECK_PHRASE = "Hold it there."

# int callback(short *wav, int numsamples, espeak_EVENT *events): return 0 to go on.
SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class SpeechUnavailable(FormcheckError):
    """eSpeak NG could not be loaded or could not synthesise (a broken install)."""


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # int16, mono
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


def espeak_paths() -> tuple[str, str]:
    """(library, data folder) of the eSpeak NG the ``espeakng-loader`` wheel installed."""
    try:
        import espeakng_loader
    except ImportError as exc:
        raise SpeechUnavailable(
            "eSpeak NG (the espeakng-loader package) is missing; reinstall formcheck."
        ) from exc
    try:
        return espeakng_loader.get_library_path(), espeakng_loader.get_data_path()
    except RuntimeError as exc:  # its data folder is gone
        raise SpeechUnavailable(f"eSpeak NG's data is missing ({exc}); reinstall formcheck.") from exc


class ESpeak:
    """One loaded eSpeak NG library. Use ``synthesizer()`` to share one per process."""

    def __init__(self, library_path: str, data_path: str, voice: str = VOICE, rate_wpm: int = RATE_WPM):
        if not Path(library_path).is_file():
            raise SpeechUnavailable(f"eSpeak NG's library is missing ({library_path}); reinstall formcheck.")
        if not Path(data_path).is_dir():
            raise SpeechUnavailable(f"eSpeak NG's data is missing ({data_path}); reinstall formcheck.")
        try:
            lib = ctypes.CDLL(library_path)
        except OSError as exc:
            raise SpeechUnavailable(
                f"eSpeak NG's library does not load ({exc}); reinstall formcheck."
            ) from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [SYNTH_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.POINTER(ctypes.c_uint),
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        rate = lib.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), ESPEAK_INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise SpeechUnavailable(
                f"eSpeak NG does not start (its data in {data_path}); reinstall formcheck."
            )
        self.sample_rate = int(rate)
        self._lib = lib
        self._chunks: list[np.ndarray] = []
        self._callback = SYNTH_CALLBACK(self._collect)  # kept: the library holds a pointer to it
        lib.espeak_SetSynthCallback(self._callback)
        if lib.espeak_SetVoiceByName(voice.encode()) != EE_OK:
            raise SpeechUnavailable(f"eSpeak NG has no voice {voice!r}; reinstall formcheck.")
        lib.espeak_SetParameter(ESPEAK_RATE, rate_wpm, 0)
        self._lock = threading.Lock()

    def _collect(self, wav, count, _events):  # type: ignore[no-untyped-def]
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).astype(np.int16, copy=True))
        return 0

    def synthesize(self, text: str) -> Speech:
        """The sentence as 16-bit mono samples at ``sample_rate``. Takes tens of milliseconds."""
        data = text.encode("utf-8") + b"\0"
        buffer = ctypes.create_string_buffer(data)
        with self._lock:
            self._chunks = []
            error = self._lib.espeak_Synth(
                buffer, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None
            )
            chunks, self._chunks = self._chunks, []
        if error != EE_OK:
            raise SpeechUnavailable(f"eSpeak NG could not speak {text!r} (error {error}).")
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        return Speech(samples, self.sample_rate)


_SYNTHESIZERS: dict[str, ESpeak] = {}
_SYNTHESIZERS_LOCK = threading.Lock()


def synthesizer(library_path: str | None = None, data_path: str | None = None) -> ESpeak:
    """The process's eSpeak NG (loaded on first use); raises SpeechUnavailable with the reason."""
    if library_path is None or data_path is None:
        default_library, default_data = espeak_paths()
        library_path = library_path or default_library
        data_path = data_path or default_data
    with _SYNTHESIZERS_LOCK:
        engine = _SYNTHESIZERS.get(library_path)
        if engine is None:
            engine = ESpeak(library_path, data_path)
            _SYNTHESIZERS[library_path] = engine
        return engine


def synthesize(text: str) -> Speech:
    return synthesizer().synthesize(text)


@dataclass(frozen=True)
class SpeechCheck:
    ok: bool
    detail: str


def check_speech(library_path: str | None = None, data_path: str | None = None) -> SpeechCheck:
    """Synthesise a real phrase and judge the sound: long enough for the words, and not silence."""
    try:
        t0 = time.perf_counter()
        speech = synthesizer(library_path, data_path).synthesize(CHECK_PHRASE)
        took_s = time.perf_counter() - t0
    except SpeechUnavailable as exc:
        return SpeechCheck(False, exc.message)
    problem = speech_problem(speech, CHECK_PHRASE)
    if problem:
        return SpeechCheck(False, f"eSpeak NG {problem}; reinstall formcheck")
    return SpeechCheck(
        True,
        f"eSpeak NG said {CHECK_PHRASE!r} ({speech.duration_s:.1f} s of sound, made in "
        f"{1000 * took_s:.0f} ms)",
    )


def speech_problem(speech: Speech, text: str) -> str | None:
    """Why these samples are not the sentence spoken, or None. Speech runs at about 2-6 syllables a
    second; a word is at least one, so a sentence of n words lasts more than n/8 s and less than n s
    plus pauses; and it is loud (RMS well above a quiet room's hiss) for much of that."""
    words = max(1, len(text.split()))
    if speech.duration_s < words / 8:
        return f"made {speech.duration_s:.2f} s of sound for {words} words"
    if speech.duration_s > 1.5 * words + 1.0:
        return f"made {speech.duration_s:.1f} s of sound for {words} words"
    x = speech.samples.astype(np.float64) / 32768
    frame = max(1, speech.sample_rate // 50)  # 20 ms frames
    n = len(x) // frame
    rms = np.sqrt((x[: n * frame].reshape(n, frame) ** 2).mean(axis=1)) if n else np.zeros(1)
    voiced = float((rms > 0.02).mean())
    if voiced < 0.3:
        return f"made near silence (only {100 * voiced:.0f}% of it audible)"
    return None
