"""Keep the native libraries' start-up chatter (TensorFlow Lite, absl) off the user's terminal."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# FFmpeg's decoder warnings about damaged files: formcheck says it in one sentence instead.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

# opencv-contrib-python (the build mediapipe requires) points Qt's plugin and font paths at the Qt 5 it
# carries for cv2.imshow when cv2 is first imported; PyQt6 would then look for its Qt 6 plugins there and
# abort. Import cv2 here, before anyone else does, and put those two variables back as they were.
QT_VARIABLES_CV2_SETS = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def _import_cv2_keeping_qt_paths() -> None:
    saved = {name: os.environ.get(name) for name in QT_VARIABLES_CV2_SETS}
    try:
        import cv2  # noqa: F401
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_import_cv2_keeping_qt_paths()


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 (C++ logging writes there directly) for the duration."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)
