"""What every frame source gives: frames with their own timestamps, behind one interface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np


@dataclass(frozen=True, slots=True)
class Frame:
    """One picture, upright, at ``t_s`` seconds on the source's own clock (never index / frame rate).

    A source gives the picture in BGR (OpenCV) or RGB (PyAV, what the pose model takes) or both; ``rgb()``
    and ``bgr()`` convert only when the other one is asked for. ``coords_px`` is the (width, height) that
    positions are reported in when the picture was scaled down for the pose model while decoding: the
    picture's own size as read, so landmarks come out in the recording's pixels either way.
    """

    index: int
    t_s: float
    image_bgr: np.ndarray | None = None
    image_rgb: np.ndarray | None = None
    coords_px: tuple[int, int] | None = None

    def rgb(self) -> np.ndarray:
        if self.image_rgb is not None:
            return self.image_rgb
        assert self.image_bgr is not None
        return cv2.cvtColor(self.image_bgr, cv2.COLOR_BGR2RGB)

    def bgr(self) -> np.ndarray:
        if self.image_bgr is not None:
            return self.image_bgr
        assert self.image_rgb is not None
        return cv2.cvtColor(self.image_rgb, cv2.COLOR_RGB2BGR)

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) in the coordinates landmarks are given in."""
        if self.coords_px is not None:
            return self.coords_px
        image = self.image_rgb if self.image_rgb is not None else self.image_bgr
        assert image is not None
        return int(image.shape[1]), int(image.shape[0])


class FrameSource(Protocol):
    name: str
    live: bool
    fps: float  # nominal, for display and writing video; every time comes from Frame.t_s
    width: int
    height: int
    frame_count: int | None

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...
