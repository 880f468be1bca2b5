"""Spoken cues with nothing from the system: eSpeak NG from its wheel, synthesised to samples, and the
doctor's speech line, which synthesises a phrase and fails when that fails."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import numpy as np
import pytest

from formcheck import speech
from formcheck.speech import Speech, SpeechUnavailable, speech_problem

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="checked on Linux")


def _speechd_installed() -> bool:
    try:
        ctypes.CDLL("libspeechd.so.2")
    except OSError:
        return False
    return True


def _loaded_libraries() -> str:
    return Path("/proc/self/maps").read_text()


def _rms_frames(s: Speech, frame_s: float = 0.02) -> np.ndarray:
    x = s.samples.astype(np.float64) / 32768
    n = int(s.sample_rate * frame_s)
    k = len(x) // n
    return np.sqrt((x[: k * n].reshape(k, n) ** 2).mean(axis=1))


def test_espeak_ng_speaks_a_sentence_to_samples_without_speech_dispatcher():
    sentence = "Keep your legs resting on the floor."  # seven words, ten syllables
    said = speech.synthesize(sentence)
    assert said.samples.dtype == np.int16 and said.sample_rate in (16000, 22050, 44100)
    # Ten syllables at a calm 150 words a minute: about 2-3 s (3-6 syllables a second), not a blip.
    assert 1.5 < said.duration_s < 4.0
    rms = _rms_frames(said)
    loud = rms > 0.02  # louder than a quiet room's hiss in 20 ms frames
    assert 0.5 < loud.mean() < 1.0  # mostly voiced, with the short gaps between words
    assert 0.05 < float(np.sqrt((said.samples.astype(np.float64) / 32768) ** 2).mean()) < 0.5
    # Speech has its energy at voice frequencies (mostly 100-4000 Hz), unlike a click or noise.
    x = said.samples.astype(np.float64)
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / said.sample_rate)
    assert spectrum[(freqs > 100) & (freqs < 4000)].sum() > 0.8 * spectrum.sum()
    # A longer sentence takes longer: the samples follow the text.
    short = speech.synthesize("Stop.")
    assert short.duration_s < 0.5 * said.duration_s
    assert speech_problem(said, sentence) is None
    # None of it went through speech-dispatcher: its library is not loaded in this process.
    assert "libspeechd" not in _loaded_libraries()
    assert "libespeak-ng" in _loaded_libraries()
    if _speechd_installed():
        pytest.skip("speech-dispatcher is installed here; synthesis was checked without using it")


def test_the_speech_judge_rejects_silence_and_a_blip():
    rate = 22050
    silence = Speech(np.zeros(rate * 2, np.int16), rate)
    assert "silence" in (speech_problem(silence, "Hold it there.") or "")
    blip = Speech((np.sin(np.arange(rate // 20) / 5) * 10000).astype(np.int16), rate)
    assert "0.05 s" in (speech_problem(blip, "Keep your legs resting on the floor.") or "")


def test_a_broken_library_path_is_one_clear_sentence(tmp_path):
    with pytest.raises(SpeechUnavailable, match="library is missing"):
        speech.ESpeak(str(tmp_path / "libespeak-ng.so"), str(tmp_path))
    not_a_library = tmp_path / "libespeak-ng.so"
    not_a_library.write_bytes(b"not an ELF file")
    check = speech.check_speech(str(not_a_library), str(tmp_path))
    assert not check.ok and "does not load" in check.detail


def test_doctor_speech_line_fails_when_synthesis_fails(monkeypatch, capsys, tmp_path):
    import espeakng_loader

    from formcheck import doctor
    from formcheck.cli import main

    monkeypatch.setattr(doctor, "check_model", lambda: doctor.Check("pose model", True, "skipped here"))
    monkeypatch.setattr(doctor, "check_display", lambda: doctor.Check("display", True, "skipped here"))
    main(["doctor", "--no-camera"])
    out = capsys.readouterr().out
    assert "ok       speech: spoken cues through" in out and "'Hold it there.'" in out
    if not _speechd_installed():  # Qt lists its speechd plugin here all the same: it must not be named
        line = next(line for line in out.splitlines() if " speech:" in line)
        assert "through eSpeak NG" in line and "speechd" not in line

    monkeypatch.setattr(espeakng_loader, "get_library_path", lambda: str(tmp_path / "gone.so"))
    assert main(["doctor", "--no-camera"]) == 1
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if " speech:" in line)
    assert line.startswith("  MISSING  speech:") and "library is missing" in line
    assert "Missing: speech." in out


def test_window_audio_without_a_sound_device_decides_quietly(qtbot):
    from PyQt6.QtMultimedia import QMediaDevices

    from ui.audio import AudioCues

    audio = AudioCues(output=True)
    if not QMediaDevices.defaultAudioOutput().isNull():
        pytest.skip("this machine has a sound output")
    assert not audio.has_speech and audio.speech_name is None
    audio.say("Hold it there.", 1.0)
    audio.hush()
    assert [p.what for p in audio.played] == ["Hold it there."]
    audio.close()


def test_espeak_voice_synthesises_off_the_gui_thread_and_drops_a_stopped_sentence(qtbot):
    import threading

    from PyQt6.QtMultimedia import QAudioDevice

    from ui.speech_playback import ESpeakVoice

    voice = ESpeakVoice(QAudioDevice())
    threads: list[str] = []
    original = voice.samples

    def samples(text: str) -> Speech:
        threads.append(threading.current_thread().name)
        return original(text)

    voice.samples = samples  # type: ignore[method-assign]
    arrived: list[object] = []
    voice._ready.connect(lambda generation, item: arrived.append((generation, item[0])))
    voice.say("Lower slowly.")
    qtbot.waitUntil(lambda: bool(arrived), timeout=5000)
    assert threads and threads[0].startswith("formcheck-speech")
    assert original("Lower slowly.") is original("Lower slowly.")  # cues repeat: synthesised once
    voice.say("Hold it there.")
    voice.stop()  # a pain stop right after: the sentence must not start
    qtbot.waitUntil(lambda: len(arrived) == 2, timeout=5000)
    qtbot.wait(50)
    assert "Hold it there." not in voice.spoken
    voice.close()


def test_samples_are_converted_to_a_device_s_own_format(qtbot):
    from PyQt6.QtMultimedia import QAudioFormat

    from ui.speech_playback import convert_samples

    said = speech.synthesize("Lower slowly.")
    fmt = QAudioFormat()
    fmt.setSampleRate(48000)
    fmt.setChannelCount(2)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Float)
    out = convert_samples(said.samples, said.sample_rate, fmt)
    assert out is not None and out.dtype == np.float32
    stereo = out.reshape(-1, 2)
    assert np.array_equal(stereo[:, 0], stereo[:, 1])
    assert len(stereo) / 48000 == pytest.approx(said.duration_s, abs=0.01)  # same length in time
    rms_in = np.sqrt(np.mean((said.samples / 32768.0) ** 2))
    assert np.sqrt(np.mean(stereo[:, 0] ** 2)) == pytest.approx(rms_in, rel=0.1)  # same loudness
    fmt.setSampleFormat(QAudioFormat.SampleFormat.UInt8)
    assert convert_samples(said.samples, said.sample_rate, fmt) is None
