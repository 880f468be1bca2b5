"""Finding cameras without freezing the window: indices 0-4 are probed on a background thread."""

from __future__ import annotations

import threading

from PyQt6.QtCore import QObject, pyqtSignal

from formcheck.video.sources import probe_cameras as probe_camera_info

PROBE_INDICES = range(5)


def probe_cameras(indices: range = PROBE_INDICES) -> list[int]:
    """Camera indices that open and deliver a frame (quietly: OpenCV's own lines are not shown)."""
    return [c.index for c in probe_camera_info(indices)]


# Probes stay referenced here for the life of the program: the probe thread may emit after the window
# that asked has closed, and emitting from a deleted QObject crashes. Qt drops the closed receiver.
_PROBES: list[BackgroundProbe] = []


class BackgroundProbe(QObject):
    """Runs ``probe`` (anything that returns a list: the cameras, the set-up checks) on a thread of its
    own and emits ``found(list)`` when it is done. Never give it a parent."""

    found = pyqtSignal(list)

    def __init__(self, probe=probe_cameras, name: str = "camera-probe") -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self._probe = probe
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        _PROBES.append(self)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            cameras = self._probe()
        except Exception:  # a broken driver must not take the window down
            cameras = []
        self.found.emit(cameras)


CameraProbe = BackgroundProbe  # what the home screen and the window probe cameras with
