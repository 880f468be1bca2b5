"""Recordings as people bring them (issue 15), made with ffmpeg from one of our own sample clips: a phone
video stored sideways with a rotation tag, AV1 in .mp4 and .mkv, HEVC in .mov, VP9 in .webm, a variable
frame rate with dropped frames, a picture (and a picture renamed .mp4).

Fast tests check what the reader gives (upright size and picture, each frame's own timestamp, the codec
read, the picture refused); slow ones run the real pose model and check that ``analyze`` finds the same
reps, sides and holds as in the plain H.264 file each was made from.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck.errors import FormcheckError
from formcheck.video.files import VideoFileSource

ROOT = Path(__file__).resolve().parents[1]
# A short stretch of a sample clip: lying still, one left knee-to-chest rep held about 3.5 s, rest.
SOURCE_CLIP = ROOT / "sample_videos" / "k2c_single_good_male_left.mp4"
CUT_S = 10.5
SHORT_S = 3.0  # the fast tests' files: reading only, no model
FPS = 30


def kept(frames: int) -> list[int]:
    """The frames of the 30 fps clip the variable-frame-rate file keeps, at their own times: a phone in
    low light, down to 10 fps over the middle of the clip (where the rep is held), and a frame lost
    here and there elsewhere. Counting frames at the file's average rate puts the hold in the wrong
    place and makes it short."""
    lo, hi = int(0.45 * frames), int(0.9 * frames)
    return [n for n in range(frames) if (n % 3 == 0 if lo <= n < hi else n % 11 != 5)]


FFMPEG = shutil.which("ffmpeg")


def _ffmpeg(*args: str) -> None:
    assert FFMPEG is not None
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True, timeout=300)


def _ffmpeg_encoders() -> set[str]:
    if FFMPEG is None:
        return set()
    out = subprocess.run([FFMPEG, "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    return {line.split()[1] for line in out.splitlines() if line.startswith(" V")}


def _pyav_encode(src: Path, dst: Path, codec: str, options: dict[str, str]) -> None:
    """What ffmpeg would do, with PyAV's own encoders (a machine whose ffmpeg lacks one)."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = out.add_stream(codec, rate=FPS, options=options)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        for frame in inp.decode(video=0):
            frame.pict_type = av.video.frame.PictureType.NONE
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


class Files:
    def __init__(self, folder: Path, cut_s: float) -> None:
        self.folder = folder
        self.frames = round(cut_s * FPS)
        encoders = _ffmpeg_encoders()
        self.plain = folder / "plain.mp4"
        if FFMPEG is None:
            pytest.skip("no ffmpeg on this machine to make the test files with")
        _ffmpeg(
            "-i", str(SOURCE_CLIP), "-t", str(cut_s), "-an", "-c:v", "libx264", "-crf", "18", str(self.plain)
        )

        # A phone stored sideways: the picture turned a quarter clockwise, a tag saying "turn it back".
        sideways = folder / "sideways.mp4"
        _ffmpeg(
            "-i", str(self.plain), "-vf", "transpose=clock", "-c:v", "libx264", "-crf", "18", str(sideways)
        )
        self.rotated = folder / "phone_rotated.mp4"
        _ffmpeg("-i", str(sideways), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(self.rotated))
        sideways_ccw = folder / "sideways_ccw.mp4"
        _ffmpeg(
            "-i", str(self.plain), "-t", "1", "-vf", "transpose=cclock", "-c:v", "libx264", str(sideways_ccw)
        )
        self.rotated_270 = folder / "phone_rotated_270.mov"
        _ffmpeg("-i", str(sideways_ccw), "-c", "copy", "-metadata:s:v:0", "rotate=270", str(self.rotated_270))

        self.coded: dict[str, Path] = {}
        made = [
            ("av1.mp4", "libsvtav1", ["-preset", "12", "-crf", "35"], "libaom-av1"),
            (
                "hevc.mov",
                "libx265",
                ["-preset", "ultrafast", "-tag:v", "hvc1", "-x265-params", "log-level=0"],
                "hevc",
            ),
            (
                "vp9.webm",
                "libvpx-vp9",
                ["-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M"],
                "libvpx-vp9",
            ),
            ("vp8.webm", "libvpx", ["-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M"], "libvpx"),
            ("h264.avi", "libx264", ["-crf", "18"], "libx264"),
        ]
        for name, encoder, options, fallback in made:
            path = folder / name
            if encoder in encoders:
                _ffmpeg("-i", str(self.plain), "-c:v", encoder, *options, str(path))
            else:
                _pyav_encode(self.plain, path, fallback, {})
            self.coded[name] = path
        self.coded["av1.mkv"] = folder / "av1.mkv"  # the same AV1 stream in Matroska
        _ffmpeg("-i", str(self.coded["av1.mp4"]), "-c", "copy", str(self.coded["av1.mkv"]))

        # Variable frame rate: frames dropped irregularly, the others keep their own times.
        self.vfr = folder / "vfr.mp4"
        lo, hi = int(0.45 * self.frames), int(0.9 * self.frames)
        keep = f"if(between(n,{lo},{hi - 1}),eq(mod(n,3),0),not(eq(mod(n,11),5)))"
        _ffmpeg(
            "-i", str(self.plain), "-vf", f"select='{keep}'", "-fps_mode", "vfr",
            "-c:v", "libx264", "-crf", "18", str(self.vfr),
        )  # fmt: skip

        self.png = folder / "still.png"
        _ffmpeg("-ss", "2", "-i", str(self.plain), "-frames:v", "1", str(self.png))
        self.jpeg = folder / "still.jpg"
        _ffmpeg("-ss", "2", "-i", str(self.plain), "-frames:v", "1", str(self.jpeg))
        self.png_as_mp4 = folder / "holiday.mp4"
        shutil.copyfile(self.png, self.png_as_mp4)


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    """3 s files for reading tests."""
    return Files(tmp_path_factory.mktemp("short_recordings"), SHORT_S)


@pytest.fixture(scope="session")
def long_files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    """10.5 s files, a whole rep, for the analysis."""
    return Files(tmp_path_factory.mktemp("recordings"), CUT_S)


def read_all(path: Path, max_side_px: int | None = None) -> tuple[VideoFileSource, list]:
    source = VideoFileSource(path, max_side_px=max_side_px)
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    source.close()
    return source, frames


def first_picture(path: Path) -> np.ndarray:
    source = VideoFileSource(path)
    frame = source.read()
    source.close()
    assert frame is not None
    return frame.rgb().astype(np.int16)


def differs(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean())


# --- fast: what the reader gives ------------------------------------------------------------------------


def test_a_phone_video_stored_sideways_is_read_upright(files):
    plain = first_picture(files.plain)
    for path in (files.rotated, files.rotated_270):
        source = VideoFileSource(path)
        assert (source.width, source.height) == (640, 480), path.name  # stored 480 wide, 640 high
        source.close()
        upright = first_picture(path)
        assert upright.shape == plain.shape
        # The same picture as the plain file (only coding noise), not a turned or mirrored one.
        assert differs(upright, plain) < 3.0, path.name
        assert differs(upright, plain[::-1, ::-1]) > 3 * differs(upright, plain)


@pytest.mark.parametrize(
    "name,codec",
    [
        ("av1.mp4", "av1"),
        ("av1.mkv", "av1"),
        ("hevc.mov", "hevc"),
        ("vp9.webm", "vp9"),
        ("vp8.webm", "vp8"),
        ("h264.avi", "h264"),
    ],
)
def test_every_codec_and_container_is_read_whole_with_the_source_timing(files, name, codec):
    source, frames = read_all(files.coded[name])
    assert codec in source.codec  # libdav1d for AV1, libvpx or vp9 for VP9
    assert not source.truncated
    assert len(frames) == files.frames
    assert [f.index for f in frames] == list(range(files.frames))
    assert np.allclose([f.t_s for f in frames], np.arange(files.frames) / FPS, atol=0.002)
    assert frames[0].rgb().shape == (480, 640, 3)
    plain = first_picture(files.plain)
    assert differs(frames[60].rgb().astype(np.int16), plain) < 40  # a picture, the same scene
    _, plain_frames = read_all(files.plain)
    assert differs(frames[60].rgb().astype(np.int16), plain_frames[60].rgb().astype(np.int16)) < 6.0


def test_variable_frame_rate_gives_each_frame_its_own_time(files):
    source, frames = read_all(files.vfr)
    assert len(frames) == len(kept(files.frames))
    times = np.array([f.t_s for f in frames])
    assert np.all(np.diff(times) > 0)
    # Each kept frame at the time it had in the 30 fps clip, not its count over a nominal rate.
    assert np.allclose(times, np.array(kept(files.frames)) / FPS, atol=0.002)
    assert not source.truncated  # a third of the frames missing is not a damaged file
    # The window's "0:12 / 0:30" uses the container's duration: the clip's length, not frames over fps.
    assert source.duration_s == pytest.approx(times[-1] + 1 / FPS, abs=0.05)


def test_frames_scaled_for_the_model_keep_the_recording_s_coordinates(files, tmp_path):
    stored = tmp_path / "big_sideways.mp4"
    big = tmp_path / "big_rotated.mp4"
    # 1440x1080 stored sideways (1080 wide, 1440 high), then the tag, as in the phone file.
    _ffmpeg(
        "-i",
        str(files.plain),
        "-t",
        "1",
        "-vf",
        "scale=1440:1080,transpose=clock",
        "-c:v",
        "libx264",
        str(stored),
    )
    _ffmpeg("-i", str(stored), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(big))
    source, frames = read_all(big, max_side_px=640)
    assert (source.width, source.height) == (1440, 1080)
    assert frames[0].rgb().shape == (480, 640, 3)  # decoded small, upright
    assert frames[0].size_px == (1440, 1080)  # positions are given in the recording's pixels
    full, full_frames = read_all(big)
    assert full_frames[0].rgb().shape == (1080, 1440, 3) and full_frames[0].size_px == (1440, 1080)


@pytest.mark.parametrize("attr", ["png", "jpeg", "png_as_mp4"])
def test_a_picture_is_refused_in_one_sentence(files, attr):
    path = getattr(files, attr)
    with pytest.raises(FormcheckError) as info:
        VideoFileSource(path)
    assert "is a picture, not a video" in info.value.message


@pytest.mark.parametrize("args", [["-e", "knee_to_chest"], []])
def test_the_command_line_refuses_a_picture_with_a_non_zero_exit(files, args):
    for path in (files.png, files.png_as_mp4):
        done = subprocess.run(
            [sys.executable, "-m", "formcheck.cli", "analyze", str(path), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode != 0
        assert "is a picture, not a video" in done.stderr
        assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_a_one_frame_video_is_not_called_a_picture(files, tmp_path):
    """The picture rule is about stills, not about short videos: one H.264 frame is still a video."""
    one = tmp_path / "one.mp4"
    _ffmpeg("-i", str(files.plain), "-frames:v", "1", "-c:v", "libx264", str(one))
    source, frames = read_all(one)
    assert len(frames) == 1 and frames[0].t_s == 0.0


def test_the_timestamps_are_the_file_s_own_time_base(files):
    """The first frame is time 0 and times are exact fractions of the stream's time base."""
    with av.open(str(files.vfr)) as container:
        stream = container.streams.video[0]
        pts = [f.pts for f in container.decode(stream)]
        base = stream.time_base
    _, frames = read_all(files.vfr)
    expected = [float((p - pts[0]) * Fraction(base)) for p in pts]
    assert [f.t_s for f in frames] == expected


# --- slow: the same analysis as the plain file -----------------------------------------------------------

SETTINGS = {"hold_s": 2.5}  # the sample clip's prescription (its truth file)


def _analyze(path: Path) -> dict:
    from formcheck.analyze import analyze_file

    report, _ = analyze_file(path, "knee_to_chest", "single", SETTINGS)
    return report


@pytest.fixture(scope="session")
def plain_report(long_files) -> dict:
    return _analyze(long_files.plain)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["rotated", "av1.mkv", "hevc.mov", "vp9.webm", "vfr"])
def test_analyze_finds_the_same_reps_sides_and_holds_as_the_plain_file(long_files, plain_report, name):
    path = getattr(long_files, name) if name in ("rotated", "vfr") else long_files.coded[name]
    report = _analyze(path)
    want, got = plain_report["reps"], report["reps"]
    assert len(want) >= 1  # the clip has its rep
    assert [r["side"] for r in got] == [r["side"] for r in want]
    for a, b in zip(got, want, strict=True):
        assert a["hold_s"] == pytest.approx(b["hold_s"], abs=0.5)
        assert a["start_s"] == pytest.approx(b["start_s"], abs=0.5)
        assert a["peak_deg"] == pytest.approx(b["peak_deg"], abs=8.0)
    assert report["duration_s"] == pytest.approx(plain_report["duration_s"], abs=0.1)


@pytest.mark.slow
def test_recognition_reads_the_rotated_phone_file_as_the_plain_one(long_files, tmp_path):
    """Without -e: the person lying on their back is recognised as such, not as lying on the stomach."""
    out = {}
    for name in ("plain", "rotated"):
        json_path = tmp_path / f"{name}.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "formcheck.cli",
                "analyze",
                str(getattr(long_files, name)),
                "--json",
                str(json_path),
            ],
            capture_output=True,
            timeout=600,
        )
        out[name] = json.loads(json_path.read_text())
    segments = {
        name: [(s["exercise"], s["variant"], [r["side"] for r in s["reps"]]) for s in report["segments"]]
        for name, report in out.items()
    }
    assert segments["plain"] and segments["rotated"] == segments["plain"]


@pytest.mark.slow
def test_landmarks_from_a_picture_scaled_for_the_model_are_in_the_recording_s_pixels(files, tmp_path):
    """720p decoded at 640x360 for the model: the landmarks land where they do on the full picture."""
    from formcheck.pose import MediaPipePose

    hd = tmp_path / "hd.mp4"
    _ffmpeg(
        "-i", str(files.plain), "-t", "1", "-vf", "scale=1280:720", "-c:v", "libx264", "-crf", "16", str(hd)
    )
    found = {}
    for side in (None, 640):
        estimator = MediaPipePose(check_others=False)
        _, frames = read_all(hd, max_side_px=side)
        poses = [estimator.estimate(f) for f in frames[:20]]
        estimator.close()
        assert all(p.width_px == 1280 and p.height_px == 720 for p in poses)
        found[side] = poses[-1]
    full, small = found[None], found[640]
    seen = (full.visibility > 0.8) & (small.visibility > 0.8)
    assert seen.sum() >= 10
    gap_px = np.linalg.norm(full.xy_px[seen] - small.xy_px[seen], axis=1)
    assert np.median(gap_px) < 0.01 * 1280  # within about 13 px of 1280, not at half the coordinates
