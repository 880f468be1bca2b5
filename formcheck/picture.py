"""Whether the picture is still the one the start position was taken in (see
``ExerciseChecker._follow_picture``): a cut to a close-up or a knocked camera moves or resizes the body
in the picture far more than any of the exercises does."""

from __future__ import annotations

import numpy as np

from formcheck import landmarks as lm
from formcheck import measurements as ms
from formcheck.pose_frame import PoseFrame

# The picture changed: the body's scale this many times larger or smaller than in the start position,
# or the hips this many start torso lengths from where they were.
PICTURE_SCALE = 1.35
PICTURE_SHIFT_TORSOS = 0.75

_THIGHS = ((lm.LEFT_HIP, lm.LEFT_KNEE), (lm.RIGHT_HIP, lm.RIGHT_KNEE))


def seen_enough(pose: PoseFrame, vis: float) -> bool:
    """Whether the hips and the torso are seen, so the picture can be compared at all."""
    return pose.person_found and ms.hip_mid(pose, vis) is not None and ms.torso_vector(pose, vis) is not None


def fits(pose: PoseFrame, baseline: ms.Baseline, vis: float) -> bool:
    """Whether ``pose`` is in the picture ``baseline`` was taken in: the same scale and place.

    The scale is the median over the torso and the thighs, so that a lean (the torso shortens) or a
    knee bend (a thigh shortens) does not read as a zoom."""
    hips, torso = ms.hip_mid(pose, vis), ms.torso_vector(pose, vis)
    assert hips is not None and torso is not None
    ratios = [float(np.hypot(*torso)) / baseline.torso_px]
    for hip, knee in _THIGHS:
        ph, pk = pose.point(hip, vis), pose.point(knee, vis)
        if ph is None or pk is None or not (baseline.visible[hip] and baseline.visible[knee]):
            continue
        start = float(np.hypot(*(baseline.xy_px[knee] - baseline.xy_px[hip])))
        if start > 1.0:
            ratios.append(float(np.hypot(*(pk - ph))) / start)
    scale = float(np.median(ratios))
    away = float(np.hypot(*(hips - baseline.origin))) / baseline.torso_px
    return 1.0 / PICTURE_SCALE <= scale <= PICTURE_SCALE and away <= PICTURE_SHIFT_TORSOS
