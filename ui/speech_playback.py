"""eSpeak NG's samples played through Qt Multimedia (QAudioSink), off the GUI thread, one cue at a time.

Kept apart from ui/audio.py, which the command line imports without Qt.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from formcheck.speech import Speech

log = logging.getLogger(__name__)


class ESpeakVoice(QObject):
    """eSpeak NG (formcheck.speech) played through Qt Multimedia's QAudioSink.

    Synthesis (a few milliseconds a sentence) runs on one background thread and each sentence's samples
    are kept, since cues repeat; the samples come back to the GUI thread through a queued signal, which
    starts the sink. ``stop`` makes any sentence still being synthesised stale.
    """

    name = "eSpeak NG"
    _ready = pyqtSignal(int, object)  # (generation, Speech)

    def __init__(self, device) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        from formcheck.speech import synthesizer

        self._engine = synthesizer()  # raises SpeechUnavailable: then there is no eSpeak voice
        self._device = device
        self._cache: dict[str, Speech] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="formcheck-speech")
        self._generation = 0
        self._sink: Any = None  # QAudioSink while a sentence plays
        self._buffer: Any = None  # its QBuffer
        self._ready.connect(self._play)
        self.spoken: list[str] = []  # sentences whose samples reached the sink

    def samples(self, text: str) -> Speech:
        """The sentence's samples (cached); callable from any thread."""
        with self._lock:
            cached = self._cache.get(text)
        if cached is None:
            cached = self._engine.synthesize(text)
            with self._lock:
                self._cache[text] = cached
        return cached

    def say(self, text: str) -> None:
        self.stop()
        generation = self._generation
        self._pool.submit(self._synthesize, generation, text)

    def _synthesize(self, generation: int, text: str) -> None:
        try:
            speech = self.samples(text)
        except Exception:  # noqa: BLE001 - a sentence that cannot be said is left unsaid, quietly
            log.exception("eSpeak NG could not say %r", text)
            return
        self._ready.emit(generation, (text, speech))

    def _play(self, generation: int, item: object) -> None:
        if generation != self._generation:
            return  # stopped (a newer cue, a pain stop, mute) while it was being synthesised
        text, speech = cast(tuple[str, Speech], item)
        from PyQt6.QtCore import QBuffer, QByteArray, QIODevice
        from PyQt6.QtMultimedia import QAudioFormat, QAudioSink

        fmt = QAudioFormat()
        fmt.setSampleRate(speech.sample_rate)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        data = speech.samples
        if not self._device.isFormatSupported(fmt):  # play it at the device's own rate, in stereo
            fmt = self._device.preferredFormat()
            converted = convert_samples(data, speech.sample_rate, fmt)
            if converted is None:
                return
            data = converted
        self._stop_sink()
        self._buffer = QBuffer()
        self._buffer.setData(QByteArray(data.tobytes()))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._sink = QAudioSink(self._device, fmt)
        self._sink.start(self._buffer)
        self.spoken.append(text)

    def _stop_sink(self) -> None:
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
            self._sink = None
        if self._buffer is not None:
            self._buffer.close()
            self._buffer = None

    def stop(self) -> None:
        self._generation += 1
        self._stop_sink()

    def close(self) -> None:
        self.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)


def convert_samples(samples: np.ndarray, rate: int, fmt) -> np.ndarray | None:  # type: ignore[no-untyped-def]
    """Mono int16 at ``rate`` -> what a device's preferred QAudioFormat wants (its rate, channels and
    16-bit or float samples), or None for a sample format we do not write."""
    from PyQt6.QtMultimedia import QAudioFormat

    out_rate, channels = fmt.sampleRate(), max(1, fmt.channelCount())
    x = samples.astype(np.float32) / 32768
    if out_rate != rate and len(x):
        t_out = np.arange(int(len(x) * out_rate / rate)) / out_rate
        x = np.interp(t_out, np.arange(len(x)) / rate, x).astype(np.float32)
    x = np.repeat(x[:, None], channels, axis=1).reshape(-1)
    if fmt.sampleFormat() == QAudioFormat.SampleFormat.Int16:
        return (x * 32767).astype(np.int16)
    if fmt.sampleFormat() == QAudioFormat.SampleFormat.Float:
        return x.astype(np.float32)
    return None
