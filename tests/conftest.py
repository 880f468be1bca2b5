import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import formcheck.native  # noqa: E402,F401  (cv2 first, without its Qt 5 plugin path)

_APP: list[object] = []


def pytest_configure(config):  # type: ignore[no-untyped-def]
    """Start Qt before any test loads MediaPipe, as the program does (window first, then the model).

    MediaPipe's wheel carries its own copies of libEGL/libGLdispatch; Qt's platform plugin loads the
    system's. With MediaPipe's loaded first, the first window painted in the process has crashed the
    test run (segmentation fault in the review-window test, seen on CI only, not reproducible here).
    """
    try:
        from PyQt6.QtWidgets import QApplication
    except ImportError:
        return
    if QApplication.instance() is None:
        _APP.append(QApplication(["pytest-qt-qapp"]))
