"""Where the start position is: a still stretch at rest, found as frames arrive or over a whole recording.

Live, the first still second in the start position becomes the baseline (the window asks for it).
People and trimmed clips often start moving at once, so a recording is searched afterwards too: the
quietest stretch among the frames closest to the start position, wherever it is in the clip.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from formcheck import measurements as ms
from formcheck.pose_frame import PoseFrame

# The landmarks whose stillness says the body is still: shoulders, hips, knees, ankles.
CORE = [11, 12, 23, 24, 25, 26, 27, 28]


def core_points(pose: PoseFrame, vis: float) -> np.ndarray:
    """The core landmarks' pixel positions, NaN where unseen or past the picture's edge: a tracker's
    guess of a foot out of the picture wanders while the body lies still (REAL_WORLD.md), and is no
    measurement of whether the person keeps still."""
    xy = pose.xy_px[CORE]
    m = 0.005 * pose.width_px  # the thin margin ``PoseFrame.in_picture`` allows
    inside = (
        (xy[:, 0] >= -m)
        & (xy[:, 0] <= pose.width_px + m)
        & (xy[:, 1] >= -m)
        & (xy[:, 1] <= pose.height_px + m)
    )
    return np.where((pose.visible(vis)[CORE] & inside)[:, None], xy, np.nan)


def spread_in_torsos(frames: Sequence[PoseFrame], vis: float) -> float:
    """How far the core landmarks wandered over these frames, in torso lengths (inf if unseen)."""
    if not frames:
        return math.inf
    torso = ms.torso_vector(frames[-1], vis)
    if torso is None:
        return math.inf
    length = float(np.hypot(*torso))
    xy = np.stack([core_points(f, vis) for f in frames])
    if not np.isfinite(xy).any() or length <= 0:
        return math.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanmax(np.nanmax(xy, axis=0) - np.nanmin(xy, axis=0))
    return float(spread) / length if math.isfinite(spread) else math.inf


@dataclass(frozen=True)
class RestWindow:
    """A still stretch of frames ``first..last`` (indices into the recording), and how far from the
    start position it was on average (deg of the exercise's rest score)."""

    first: int
    last: int
    score_deg: float
    spread: float


def find_rest_window(
    poses: Sequence[PoseFrame],
    scores: Sequence[float],
    usable: Sequence[bool],
    window_s: float,
    still_frac: float,
    rest_max_deg: float,
    closeness_deg: float = 3.0,
    vis: float = 0.5,
) -> RestWindow | None:
    """The quietest still stretch of ``window_s`` among those nearest the start position.

    ``scores`` are each frame's rest score (NaN: cannot tell), ``usable`` whether the frame may be
    part of a baseline (a person seen, no set-up problem). Windows that are still (spread within
    ``still_frac`` torso lengths) and at rest (mean score within ``rest_max_deg``) are candidates;
    of those whose score is within ``closeness_deg`` of the lowest, the stillest wins. A recording
    with no still second is tried again with half-second windows before giving up.
    """
    n = len(poses)
    if n < 2:
        return None
    t = np.array([p.t_s for p in poses])
    step_s = float(np.median(np.diff(t))) or 1 / 30
    score = np.asarray(scores, dtype=float)
    ok = np.asarray(usable, dtype=bool) & np.isfinite(score)
    xy = np.stack([core_points(p, vis) for p in poses])
    torso = np.array([np.hypot(*v) if (v := ms.torso_vector(p, vis)) is not None else np.nan for p in poses])
    for span_s in (window_s, window_s / 2):
        w = max(2, int(round(span_s / step_s)) + 1)
        if w > n:
            continue
        okw = np.lib.stride_tricks.sliding_window_view(ok, w).all(axis=1)
        mean = np.lib.stride_tricks.sliding_window_view(np.where(ok, score, 0.0), w).mean(axis=1)
        keep = okw & (mean <= rest_max_deg)
        if not keep.any():
            continue
        starts = np.flatnonzero(keep)
        win = np.lib.stride_tricks.sliding_window_view(xy, w, axis=0)[starts]  # (k, 8, 2, w)
        with warnings.catch_warnings():  # all-NaN slices (a landmark never seen) are expected
            warnings.simplefilter("ignore", RuntimeWarning)
            spread = np.nanmax(np.nanmax(win, axis=-1) - np.nanmin(win, axis=-1), axis=(1, 2))
        spread = spread / torso[starts + w - 1]
        still = np.isfinite(spread) & (spread <= still_frac)
        if not still.any():
            continue
        starts, spread = starts[still], spread[still]
        means = mean[starts]
        near = means <= means.min() + closeness_deg
        best = int(np.argmin(np.where(near, spread, np.inf)))
        first = int(starts[best])
        return RestWindow(first, first + w - 1, float(means[best]), float(spread[best]))
    return None
