"""Webcams and stream URLs through OpenCV (live: timestamps from a monotonic clock at arrival)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2

from formcheck import native  # noqa: F401  (quiets FFmpeg before cv2 loads)
from formcheck.errors import FormcheckError
from formcheck.video.frames import Frame

# Consecutive failed reads after which a camera counts as lost (unplugged, taken by another app).
CAMERA_FAILED_READS = 15


class CameraLostError(FormcheckError):
    exit_code = 4


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
