"""The home screen's set-up check: the same checks as 'formcheck doctor', one calm line, details on hover.

The checks that take time (loading the pose model) run on a background thread; the camera line comes
from the home screen's own camera probe, so the camera is not opened twice.
"""

from __future__ import annotations

from PyQt6.QtWidgets import QLabel

from formcheck.doctor import Check, run_checks
from ui.audio import sound_check, speech_check
from ui.cameras import BackgroundProbe


def _background_checks() -> list[Check]:
    """The checks that take time (the pose model loads), for a thread: never raises."""
    try:
        return run_checks(camera=False, model=True, extras=False)
    except Exception as exc:  # a check that breaks must not take the window down
        return [Check("set-up check", False, f"could not run ({exc})", needed=False)]


class SystemCheckPanel(QLabel):
    """One line: all fine, or what to fix first; every check's line in the tooltip."""

    def __init__(self) -> None:
        super().__init__("Checking this computer's set-up…")
        self.setWordWrap(True)
        self.checks: list[Check] = []
        self._background: list[Check] | None = None
        self._camera: Check | None = None
        self._extras = [speech_check(), sound_check()]  # Qt objects, so on this thread

    def start(self) -> None:
        self._run = BackgroundProbe(_background_checks, name="system-check")
        self._run.found.connect(self._background_done)
        self._run.start()

    def set_cameras(self, cameras: list[int]) -> None:
        if cameras:
            self._camera = Check(
                "camera",
                True,
                f"camera {cameras[0]}" + (f" and {len(cameras) - 1} more" if len(cameras) > 1 else ""),
            )
        else:
            self._camera = Check(
                "camera", False, "none found: plug in a webcam, or open a video file or the demo instead"
            )
        self._show()

    def _background_done(self, checks: list[Check]) -> None:
        self._background = checks
        self._show()

    def _show(self) -> None:
        if self._background is None:
            return
        self.checks = [*self._background, *([self._camera] if self._camera else []), *self._extras]
        problems = [c for c in self.checks if not c.ok and c.needed]
        notes = [c for c in self.checks if not c.ok and not c.needed]
        if problems:
            first = problems[0]
            more = f" (and {len(problems) - 1} more: hover for the list)" if len(problems) > 1 else ""
            self.setText(f"Set-up: {first.name}: {first.detail}{more}")
            self.setStyleSheet("color: #ffb000;")
        else:
            extra = f"; note: {notes[0].name}: {notes[0].detail}" if notes else ""
            self.setText(f"Set-up checked: everything formcheck needs is here{extra}.")
            self.setStyleSheet("color: #7fd17f;")
        self.setToolTip("\n".join(c.line().strip() for c in self.checks))
