"""Decoding on a thread of its own, so it overlaps pose inference."""

from __future__ import annotations

import queue
import threading
from dataclasses import replace

from formcheck.video.frames import Frame, FrameSource


class PrefetchingSource:
    """Decodes on a background thread so decoding overlaps pose inference (OpenCV's BGR frames are
    converted to RGB there too; PyAV decodes to RGB directly).

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
                if frame.image_rgb is None:  # OpenCV gives BGR; PyAV decodes straight to RGB
                    frame = replace(frame, image_rgb=frame.rgb())
                self._put(frame)
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
