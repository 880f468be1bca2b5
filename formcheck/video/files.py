"""Video files through PyAV (FFmpeg): any codec phones, browsers and screen recorders write, upright,
each frame at its own presentation time, scaled while decoding to what the pose model needs.

Why PyAV: OpenCV's bundled FFmpeg has no AV1 decoder, ignores the display-rotation tag (a phone video
stored sideways is read sideways) and gives no per-frame timestamps worth using (it counts frames at the
nominal rate, so variable frame rate comes out wrong). PyAV's wheel carries FFmpeg with dav1d and gives
every frame's pts and rotation; its scaler converts YUV straight to the RGB the model takes, at the
size the model needs, in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from formcheck import native  # noqa: F401  (quiets FFmpeg before cv2 loads)
from formcheck.errors import FormcheckError
from formcheck.video.frames import Frame

# A file whose decodable frames fall this far short of its header's count (or, without a count, whose
# last frame falls this far short of its duration) is called truncated.
TRUNCATION_TOLERANCE = 0.98
# The longest side a picture is scaled to for the pose model. BlazePose finds the person on a 224 px
# square and reads the landmarks from a 256 px crop around them, so a person filmed whole at 640 px
# already gives the model more pixels than it uses; decoding 720p or 1080p at full size only costs time.
MODEL_SIDE_PX = 640
# Demuxers that only ever read single pictures (image2 also reads numbered image sequences).
_PICTURE_FORMATS = {"image2", "image2pipe"}
# Codecs of still pictures: one frame of these is a photograph. An MJPEG .avi of many frames is a video.
# Frames looked at, on opening, to tell whether the file carries presentation times.
_CLOCK_PROBE_FRAMES = 16
_PICTURE_CODECS = {"png", "apng", "mjpeg", "jpegls", "jpeg2000", "bmp", "tiff", "webp", "gif", "qoi", "ppm"}


def _cannot_read(path: Path) -> FormcheckError:
    return FormcheckError(
        f"{path} cannot be read as a video (not a video file, or damaged or incomplete); "
        "use a video that plays in a video player (.mp4, .mov, .mkv, .webm or .avi)."
    )


def _picture(path: Path) -> FormcheckError:
    return FormcheckError(
        f"{path} is a picture, not a video: formcheck judges movement over time, so give it a video "
        "recording of the exercise (.mp4, .mov, .mkv, .webm or .avi)."
    )


class VideoFileSource:
    """A recorded video, every frame in order, upright, ``t_s`` from each frame's own timestamp.

    ``max_side_px`` scales frames down while decoding (never up) so their longest side is at most
    that; positions are still reported in the file's own upright pixels (``Frame.coords_px``).
    None keeps the full picture (the window shows it, a session may keep it).
    """

    live = False

    def __init__(self, path: str | Path, max_side_px: int | None = None) -> None:
        path = Path(path)
        if not path.exists():
            raise FormcheckError(f"No such video file: {path}. Check the path and try again.")
        if path.is_dir():
            raise FormcheckError(f"{path} is a folder, not a video file; give the path of a video.")
        try:
            self._container = av.open(str(path), metadata_errors="ignore")
        except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
            raise _cannot_read(path) from exc
        self.name = path.name
        self.path = path
        self.truncated = False
        try:
            self._open(path, max_side_px)
        except BaseException:
            self._container.close()
            raise

    def _open(self, path: Path, max_side_px: int | None) -> None:
        container = self._container
        if not container.streams.video:
            raise _cannot_read(path)
        if container.format.name in _PICTURE_FORMATS or container.format.name.endswith("_pipe"):
            raise _picture(path)
        stream = container.streams.video[0]
        # Frame threads and slice threads as the codec allows: decoding keeps ahead of the model.
        stream.thread_type = "AUTO"
        self._stream = stream
        self.codec = stream.codec_context.name
        self.container_format = container.format.name
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        self.fps = float(rate) if rate and 1.0 <= float(rate) <= 240.0 else 30.0
        self._time_base = stream.time_base or Fraction(1, 1000)
        self.frame_count: int | None = stream.frames or None
        duration = None
        if stream.duration is not None:
            duration = float(stream.duration * self._time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        self._duration_s = duration
        self.duration_s = duration  # from the container, None when it does not say (time labels only)
        if self.frame_count is None and duration:
            self.frame_count = max(1, round(duration * self.fps))  # for progress only: no truncation count
            self._count_from_header = False
        else:
            self._count_from_header = self.frame_count is not None
        self._decoded = self._decode()
        self._pending: list[av.VideoFrame] = []
        first = self._next_decoded()
        if first is None:
            raise FormcheckError(f"{path} holds no readable video frames; it may be damaged or not a video.")
        self._pending.append(first)
        if self.codec in _PICTURE_CODECS:
            second = self._next_decoded()
            if second is None:
                raise _picture(path)
            self._pending.append(second)
        while len(self._pending) < _CLOCK_PROBE_FRAMES and (more := self._next_decoded(fresh=True)):
            self._pending.append(more)
        self._stamp = self._clock(self._pending)
        # The display-rotation tag (a display matrix, as phones write it): degrees counter-clockwise.
        self.rotation_deg = int(round((first.rotation or 0) / 90.0)) % 4 * 90
        self._quarter_turns = self.rotation_deg // 90
        coded_w, coded_h = first.width, first.height
        self._scale = 1.0
        if max_side_px and max(coded_w, coded_h) > max_side_px:
            self._scale = max_side_px / max(coded_w, coded_h)
        # Even sizes, so 4:2:0 pictures scale plane by plane (see _scaled_rgb).
        self._decode_size = (
            max(2, round(coded_w * self._scale / 2) * 2),
            max(2, round(coded_h * self._scale / 2) * 2),
        )
        upright = (coded_h, coded_w) if self._quarter_turns % 2 else (coded_w, coded_h)
        self.width, self.height = upright
        self._t0_pts: int | None = None
        self._last_t_s = -1.0
        self._index = 0

    def _decode(self) -> Iterator[av.VideoFrame]:
        """Every decodable frame; a packet that fails to decode is skipped, a read error ends the file."""
        try:
            for packet in self._container.demux(self._stream):
                try:
                    yield from packet.decode()  # type: ignore[misc]
                except av.FFmpegError:
                    self.truncated = True  # damaged data in the middle: what decodes is still read
        except av.FFmpegError:
            self.truncated = True

    def _next_decoded(self, fresh: bool = False) -> av.VideoFrame | None:
        if self._pending and not fresh:
            return self._pending.pop(0)
        return next(self._decoded, None)

    def read(self) -> Frame | None:
        decoded = self._next_decoded()
        if decoded is None:
            self._check_complete()
            return None
        image: np.ndarray
        if self._scale < 1.0:
            image = _scaled_rgb(decoded, *self._decode_size)
        else:
            image = decoded.to_ndarray(format="rgb24")
        if self._quarter_turns:
            image = np.ascontiguousarray(np.rot90(image, self._quarter_turns))
        frame = Frame(
            self._index,
            self._timestamp(decoded),
            image_rgb=image,
            coords_px=(self.width, self.height) if self._scale < 1.0 else None,
        )
        self._index += 1
        return frame

    @staticmethod
    def _clock(first: list[av.VideoFrame]) -> str:
        """Which stamp gives each frame's time: "pts", the presentation time (what every modern container
        carries), or "dts" where the presentation times are missing or out of order in display order
        (H.264 with B-frames in .avi: FFmpeg's best-effort timestamp makes the same choice)."""
        pts = [f.pts for f in first if f.pts is not None]
        if len(pts) == len(first) and all(b > a for a, b in zip(pts, pts[1:], strict=False)):
            return "pts"
        dts = [f.dts for f in first if f.dts is not None]
        if len(dts) == len(first) and all(b > a for a, b in zip(dts, dts[1:], strict=False)):
            return "dts"
        return "pts"  # neither is clean: the presentation times, with the fixes in _timestamp

    def _timestamp(self, decoded: av.VideoFrame) -> float:
        """Seconds since the first frame, from this frame's own presentation time."""
        pts = decoded.pts if self._stamp == "pts" else decoded.dts
        if pts is None:
            t_s = self._last_t_s + 1.0 / self.fps if self._index else 0.0
        else:
            if self._t0_pts is None:
                self._t0_pts = pts
            t_s = float((pts - self._t0_pts) * self._time_base)
        if self._index and t_s <= self._last_t_s:
            # A repeated or backward timestamp (a damaged or badly muxed file): the frame is still the
            # next one shown, so it comes a nominal frame later, and time never runs backwards.
            t_s = self._last_t_s + 1.0 / self.fps
        self._last_t_s = t_s
        return t_s

    def _check_complete(self) -> None:
        if self._count_from_header and self.frame_count:
            if self._index < self.frame_count * TRUNCATION_TOLERANCE:
                self.truncated = True
        elif self._duration_s and self._index:
            covered_s = self._last_t_s + 1.0 / self.fps
            if covered_s < self._duration_s * TRUNCATION_TOLERANCE:
                self.truncated = True

    def close(self) -> None:
        self._container.close()


def _scaled_rgb(decoded: av.VideoFrame, width: int, height: int) -> np.ndarray:
    """The picture scaled down (area-averaged) to ``width`` x ``height``, in RGB.

    H.264, HEVC, VP9 and AV1 from phones and browsers are 8-bit 4:2:0: their three planes are scaled
    while still YUV (a quarter of the samples of RGB) and converted once at the small size, which
    costs less than converting the full picture alone (measured: 2.1 against 2.4 ms a 720p frame, and
    3.6 through FFmpeg's scaler; docs/video.md). Other layouts go through FFmpeg's scaler.
    """
    coded_w, coded_h = decoded.width, decoded.height
    if decoded.format.name != "yuv420p" or coded_w % 2 or coded_h % 2:
        return decoded.to_ndarray(width=width, height=height, format="rgb24", interpolation="AREA")
    planes = decoded.to_ndarray(format="yuv420p")  # Y over U over V, (height * 3 / 2, width)
    chroma = coded_h // 2 * (coded_w // 2)
    flat_uv = planes[coded_h:].reshape(-1)
    y = cv2.resize(planes[:coded_h], (width, height), interpolation=cv2.INTER_AREA)
    u, v = (
        cv2.resize(
            flat_uv[i * chroma : (i + 1) * chroma].reshape(coded_h // 2, coded_w // 2),
            (width // 2, height // 2),
            interpolation=cv2.INTER_AREA,
        )
        for i in (0, 1)
    )
    i420 = np.concatenate([y.reshape(-1), u.reshape(-1), v.reshape(-1)]).reshape(height * 3 // 2, width)
    return cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420)
