"""The one data object that flows down the pipeline: a person's pose in one frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck import landmarks as lm


@dataclass(frozen=True, slots=True)
class PoseFrame:
    """Pose of the one tracked person in one frame, all points in arrays.

    ``xy_px`` is (33, 2) in image pixels (angles are computed here, never in normalised coordinates,
    which distort them by the aspect ratio). ``visibility`` is (33,). ``depth`` is MediaPipe's relative
    depth per landmark (same scale as x in pixels, smaller is nearer the camera); ``world_m`` is (33, 3)
    metric world landmarks or None. ``xy_px`` is NaN where no person was found.
    """

    index: int
    t_s: float
    width_px: int
    height_px: int
    xy_px: np.ndarray
    visibility: np.ndarray
    depth: np.ndarray
    world_m: np.ndarray | None = None
    person_found: bool = True
    other_people: int = 0

    @classmethod
    def empty(cls, index: int, t_s: float, width_px: int, height_px: int, other_people: int = 0) -> PoseFrame:
        nan2 = np.full((lm.COUNT, 2), np.nan, dtype=np.float64)
        return cls(
            index=index,
            t_s=t_s,
            width_px=width_px,
            height_px=height_px,
            xy_px=nan2,
            visibility=np.zeros(lm.COUNT),
            depth=np.full(lm.COUNT, np.nan),
            person_found=False,
            other_people=other_people,
        )

    def visible(self, threshold: float) -> np.ndarray:
        """Boolean (33,) mask of landmarks seen well enough to measure with."""
        return self.person_found & (self.visibility >= threshold)

    def point(self, index: int, threshold: float) -> np.ndarray | None:
        """One landmark's pixel position, or None when it is not visible enough."""
        if not self.person_found or self.visibility[index] < threshold:
            return None
        return self.xy_px[index]

    def in_picture(self, index: int, threshold: float, margin_frac: float = 0.005) -> bool:
        """Whether a landmark is seen and inside the picture. Trackers still return guessed points
        past the edge, sometimes with fair visibility; a thin margin of the width is allowed."""
        p = self.point(index, threshold)
        if p is None:
            return False
        m = margin_frac * self.width_px
        return bool(-m <= p[0] <= self.width_px + m and -m <= p[1] <= self.height_px + m)

    def with_xy(self, xy_px: np.ndarray) -> PoseFrame:
        """The same frame with (smoothed) pixel positions."""
        return PoseFrame(
            index=self.index,
            t_s=self.t_s,
            width_px=self.width_px,
            height_px=self.height_px,
            xy_px=xy_px,
            visibility=self.visibility,
            depth=self.depth,
            world_m=self.world_m,
            person_found=self.person_found,
            other_people=self.other_people,
        )
