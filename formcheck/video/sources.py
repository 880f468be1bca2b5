"""Frame sources behind one interface: video file, webcam, stream URL.

Every frame carries a timestamp from the source itself: frame index / frame rate for files (exact and
repeatable), a monotonic clock for cameras and streams. Nothing downstream reads the wall clock.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from formcheck import native  # noqa: F401  (quiets FFmpeg before cv2 loads)
from formcheck.errors import FormcheckError

# A file whose decodable frames fall this far short of its header's count is called truncated.
TRUNCATION_TOLERANCE = 0.98
# Consecutive failed reads after which a camera counts as lost (unplugged, taken by another app).
CAMERA_FAILED_READS = 15


@dataclass(frozen=True, slots=True)
class Frame:
    index: int
    t_s: float
    image_bgr: np.ndarray
    image_rgb: np.ndarray | None = None

    def rgb(self) -> np.ndarray:
        return (
            self.image_rgb if self.image_rgb is not None else cv2.cvtColor(self.image_bgr, cv2.COLOR_BGR2RGB)
        )


class CameraLostError(FormcheckError):
    exit_code = 4


class FrameSource(Protocol):
    name: str
    live: bool
    fps: float
    width: int
    height: int
    frame_count: int | None

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


class _CaptureSource:
    """Shared reading code over cv2.VideoCapture."""

    live = False

    def __init__(self, capture: cv2.VideoCapture, name: str) -> None:
        self._cap = capture
        self.name = name
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 1.0 <= fps <= 240.0 else 30.0
        self.width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self._index = 0

    def close(self) -> None:
        self._cap.release()


class VideoFileSource(_CaptureSource):
    """A recorded video, every frame in order, timestamps index / fps."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if not path.exists():
            raise FormcheckError(f"No such video file: {path}. Check the path and try again.")
        if path.is_dir():
            raise FormcheckError(f"{path} is a folder, not a video file; give the path of a video.")
        cap = cv2.VideoCapture(str(path))
        if not cap.isOpened():
            raise FormcheckError(
                f"{path} cannot be read as a video (not a video file, or damaged or incomplete); "
                "use an .mp4, .avi or .mov file that plays in a video player."
            )
        super().__init__(cap, path.name)
        self.path = path  # a session recorded from it is dated by when the file was recorded
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = count if count > 0 else None
        self._first: np.ndarray | None = None
        ok, image = cap.read()
        if not ok or image is None:
            cap.release()
            raise FormcheckError(f"{path} holds no readable video frames; it may be damaged or not a video.")
        self._first = image
        self.height, self.width = image.shape[:2]
        self.truncated = False

    def read(self) -> Frame | None:
        if self._first is not None:
            image, self._first = self._first, None
        else:
            ok, image = self._cap.read()
            if not ok or image is None:
                if self.frame_count and self._index < self.frame_count * TRUNCATION_TOLERANCE:
                    self.truncated = True
                return None
        frame = Frame(self._index, self._index / self.fps, image)
        self._index += 1
        return frame


class CameraSource(_CaptureSource):
    """A webcam by index (or anything cv2 opens live); timestamps from a monotonic clock.

    ``device`` may also be a video path, which is how the camera code is tested without a camera.
    """

    live = True
    frame_count: int | None = None

    def __init__(self, device: int | str, width: int = 640, height: int = 480) -> None:
        cap = open_capture(device)
        if not cap.isOpened():
            raise FormcheckError(
                f"Camera {device} is not available: check it is plugged in and not used by another program, "
                "or open a video file instead.",
                exit_code=4,
            )
        if isinstance(device, int):
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        super().__init__(cap, f"camera {device}")
        self._t0: float | None = None
        self._failures = 0

    def read(self) -> Frame | None:
        while True:
            ok, image = self._cap.read()
            now = time.monotonic()
            if ok and image is not None:
                break
            self._failures += 1
            if self._failures >= CAMERA_FAILED_READS:
                raise CameraLostError(
                    f"The {self.name} stopped sending pictures (unplugged or taken by another program); "
                    "everything recorded so far is kept. Reconnect it and start again."
                )
            time.sleep(0.01)
        self._failures = 0
        if self._t0 is None:
            self._t0 = now
        self.height, self.width = image.shape[:2]
        frame = Frame(self._index, now - self._t0, image)
        self._index += 1
        return frame


def open_capture(device: int | str) -> cv2.VideoCapture:
    """cv2.VideoCapture without OpenCV's own console lines (a camera index out of range is not an
    error to show a patient: formcheck says in words what it found)."""
    previous = cv2.getLogLevel()
    cv2.setLogLevel(0)  # 0 = silent
    try:
        with native.quiet_stderr():
            return cv2.VideoCapture(device)
    finally:
        cv2.setLogLevel(previous)


@dataclass(frozen=True, slots=True)
class CameraInfo:
    index: int
    width: int
    height: int
    fps: float  # measured over a few frames (drivers often report a nominal rate)


def probe_cameras(indices: range = range(5), measure_s: float = 0.0) -> list[CameraInfo]:
    """The cameras among ``indices`` that open and deliver a picture, quietly.

    With ``measure_s`` > 0 the frame rate is measured over that long; otherwise it is the driver's."""
    found = []
    for index in indices:
        cap = open_capture(index)
        try:
            if not cap.isOpened():
                continue
            ok, image = cap.read()
            if not ok or image is None:
                continue
            fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
            if measure_s > 0:
                n, t0 = 0, time.monotonic()
                while time.monotonic() - t0 < measure_s:
                    if cap.read()[0]:
                        n += 1
                elapsed = time.monotonic() - t0
                fps = n / elapsed if elapsed > 0 else fps
            found.append(CameraInfo(index, int(image.shape[1]), int(image.shape[0]), round(fps, 1)))
        finally:
            cap.release()
    return found


def open_source(spec: str | int | Path) -> FrameSource:
    """A camera index ("0"), a stream URL (rtsp://, http://) or a video file path."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CameraSource(int(spec))
    text = str(spec)
    if "://" in text:
        return CameraSource(text)
    return VideoFileSource(text)


class PrefetchingSource:
    """Decodes (and converts to RGB) on a background thread so decoding overlaps pose inference.

    For files every frame is kept in order (bounded queue). For live sources ``latest_only`` keeps just
    the newest frame, so a slow consumer skips stale frames instead of falling behind.
    """

    def __init__(self, source: FrameSource, depth: int = 4, latest_only: bool | None = None) -> None:
        self.source = source
        self.name, self.live, self.fps = source.name, source.live, source.fps
        self.width, self.height, self.frame_count = source.width, source.height, source.frame_count
        self.latest_only = source.live if latest_only is None else latest_only
        self._queue: queue.Queue[Frame | BaseException | None] = queue.Queue(
            maxsize=1 if self.latest_only else depth
        )
        self._stop = threading.Event()
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="frame-decoder", daemon=True)
        self._thread.start()

    def _put(self, item: Frame | BaseException | None) -> None:
        while not self._stop.is_set():
            if self.latest_only and item is not None and not isinstance(item, BaseException):
                try:
                    self._queue.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                frame = self.source.read()
                if frame is None:
                    break
                rgb = cv2.cvtColor(frame.image_bgr, cv2.COLOR_BGR2RGB)
                self._put(Frame(frame.index, frame.t_s, frame.image_bgr, rgb))
        except BaseException as exc:  # handed to the consumer, who raises it in its own thread
            self._put(exc)
            return
        self._put(None)

    def read(self) -> Frame | None:
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    @property
    def truncated(self) -> bool:
        return bool(getattr(self.source, "truncated", False))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        self.source.close()
