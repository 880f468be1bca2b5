"""Starting Qt the same way everywhere: the X11 libraries checked first, Qt's logging quieted, one
QApplication with formcheck's name and icon. Used by every command that opens a window."""

from __future__ import annotations

import os
import sys
from typing import Any

from formcheck.errors import FormcheckError

NO_DISPLAY = "No display found"


def quiet_qt_logging() -> None:
    # Qt Multimedia and speech report missing audio back-ends at length; formcheck degrades silently.
    rules = "qt.multimedia*=false;qt.speech*=false;qt.qpa.*=false"
    if rules in os.environ.get("QT_LOGGING_RULES", ""):
        return
    os.environ["QT_LOGGING_RULES"] = ";".join(filter(None, [os.environ.get("QT_LOGGING_RULES"), rules]))


def _install_message_filter() -> None:
    from PyQt6.QtCore import QtMsgType, qInstallMessageHandler

    noise = ("text-to-speech", "pa_context", "PulseAudio", "pipewire", "propagateSizeHints")

    def handler(kind: QtMsgType, context: Any, message: str) -> None:
        if any(n in message for n in noise):
            return
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            sys.stderr.write(f"qt: {message}\n")

    qInstallMessageHandler(handler)


def make_app():  # type: ignore[no-untyped-def]
    require_qt_libraries()
    quiet_qt_logging()
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        _install_message_filter()
        app = QApplication(sys.argv[:1])
        app.setApplicationName("formcheck")
        app.setDesktopFileName("formcheck")
        from PyQt6.QtGui import QIcon

        from ui.desktop import ICON

        app.setWindowIcon(QIcon(str(ICON)))
    return app


def estimator_factory(model: str | None):  # type: ignore[no-untyped-def]
    def make():  # type: ignore[no-untyped-def]
        from formcheck import native
        from formcheck.pose import create_estimator

        with native.quiet_stderr():
            return create_estimator(model)

    return make


def require_display(what: str) -> None:
    from ui.settings import has_display

    if not has_display():
        raise FormcheckError(
            f"{NO_DISPLAY} for the {what} window; run it on a desktop, or use 'formcheck analyze VIDEO' "
            "for a text report."
        )
    require_qt_libraries()


def require_qt_libraries() -> None:
    """Say which system libraries are missing before Qt's X11 plugin aborts the process on them."""
    from formcheck.doctor import missing_xcb_packages, qt_uses_xcb, xcb_sentence

    if qt_uses_xcb():
        missing = missing_xcb_packages()
        if missing:
            raise FormcheckError(xcb_sentence(missing), exit_code=3)
