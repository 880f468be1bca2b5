"""Frame sources behind one interface: a video file (PyAV), a webcam or a stream URL (OpenCV).

Every frame carries a timestamp from the source itself: each frame's own presentation time for files
(variable frame rate is read as recorded), a monotonic clock for cameras and streams. Nothing
downstream reads the wall clock. Imports go one way: this module -> files, camera, prefetch -> frames.
"""

from __future__ import annotations

from pathlib import Path

from formcheck.video.camera import (
    CAMERA_FAILED_READS,
    CameraInfo,
    CameraLostError,
    CameraSource,
    open_capture,
    probe_cameras,
)
from formcheck.video.files import MODEL_SIDE_PX, VideoFileSource
from formcheck.video.frames import Frame, FrameSource
from formcheck.video.prefetch import PrefetchingSource

__all__ = [
    "CAMERA_FAILED_READS",
    "MODEL_SIDE_PX",
    "CameraInfo",
    "CameraLostError",
    "CameraSource",
    "Frame",
    "FrameSource",
    "PrefetchingSource",
    "VideoFileSource",
    "open_capture",
    "open_source",
    "probe_cameras",
]


def open_source(spec: str | int | Path) -> FrameSource:
    """A camera index ("0"), a stream URL (rtsp://, http://) or a video file path."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CameraSource(int(spec))
    text = str(spec)
    if "://" in text:
        return CameraSource(text)
    return VideoFileSource(text)
