"""Named measurements in pixel space, made against the person's own baseline.

Every function returns a number or NaN when the landmarks it needs are not visible: a measurement
that cannot be made is missing, never a guess.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from formcheck import geometry as g
from formcheck import landmarks as lm
from formcheck.pose_frame import PoseFrame

NAN = math.nan


@dataclass(frozen=True)
class Baseline:
    """The start position, averaged over the first still second: reference lines and body sizes.

    Lying, ``axis`` is the floor line (hip -> shoulder); standing, it is the person's vertical
    (hip -> shoulder). ``up`` is the screen-up normal of the floor line; ``left`` is the person's
    left, perpendicular to the standing vertical, taken from the hips so a mirrored camera does not
    swap sides.
    """

    t_s: float
    xy_px: np.ndarray
    visible: np.ndarray
    depth: np.ndarray
    axis: np.ndarray
    up: np.ndarray
    left: np.ndarray
    origin: np.ndarray
    torso_px: float
    shoulder_width_px: float
    hip_width_px: float
    feet_width_px: float
    leg_px: tuple[float, float]
    neck_deg: float
    width_px: int = 0
    height_px: int = 0

    def as_pose(self) -> PoseFrame:
        """The averaged start position as a pose, to measure anything on it."""
        return PoseFrame(
            index=0,
            t_s=self.t_s,
            width_px=self.width_px,
            height_px=self.height_px,
            xy_px=self.xy_px,
            visibility=self.visible.astype(float),
            depth=self.depth,
        )

    def height(self, p: np.ndarray) -> float:
        """Height of a point above the baseline floor line, in pixels."""
        return float(np.dot(p - self.origin, self.up))

    def baseline_height(self, index: int) -> float:
        return self.height(self.xy_px[index]) if self.visible[index] else NAN


def mid_or_one(pose: PoseFrame, a: int, b: int, vis: float) -> np.ndarray | None:
    """Midpoint of a left/right pair, or the one that is visible (side views hide the far one)."""
    pa, pb = pose.point(a, vis), pose.point(b, vis)
    if pa is not None and pb is not None:
        return g.midpoint(pa, pb)
    return pa if pa is not None else pb


def shoulder_mid(pose: PoseFrame, vis: float) -> np.ndarray | None:
    return mid_or_one(pose, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, vis)


def hip_mid(pose: PoseFrame, vis: float) -> np.ndarray | None:
    return mid_or_one(pose, lm.LEFT_HIP, lm.RIGHT_HIP, vis)


def torso_vector(pose: PoseFrame, vis: float) -> np.ndarray | None:
    s, h = shoulder_mid(pose, vis), hip_mid(pose, vis)
    if s is None or h is None:
        return None
    return s - h


def make_baseline(frames: list[PoseFrame], posture: str, vis: float) -> Baseline | None:
    """Average a still stretch of frames into a baseline, or None if the torso is not seen."""
    xy = np.stack([f.xy_px for f in frames])
    seen = np.stack([f.visible(vis) for f in frames])
    counts = seen.sum(axis=0)
    visible = counts >= max(1, len(frames) // 2)
    with np.errstate(invalid="ignore"):
        mean_xy = np.where(seen[..., None], xy, 0.0).sum(axis=0) / np.maximum(counts, 1)[:, None]
    mean_xy[~visible] = NAN
    depth = np.nanmean(np.stack([f.depth for f in frames]), axis=0) if frames else np.full(lm.COUNT, NAN)
    ref = PoseFrame(
        index=frames[-1].index,
        t_s=frames[-1].t_s,
        width_px=frames[-1].width_px,
        height_px=frames[-1].height_px,
        xy_px=mean_xy,
        visibility=visible.astype(float),
        depth=depth,
    )
    torso = torso_vector(ref, 0.5)
    origin = hip_mid(ref, 0.5)
    if torso is None or origin is None or np.hypot(*torso) < 1.0:
        return None
    axis = g.unit(torso)
    up = g.screen_up_normal(axis)
    lh, rh = ref.point(lm.LEFT_HIP, 0.5), ref.point(lm.RIGHT_HIP, 0.5)
    if posture == "standing" and lh is not None and rh is not None:
        across = lh - rh
        left = g.unit(across - np.dot(across, axis) * axis)
    else:
        left = np.array([NAN, NAN])
    legs = []
    for hip, ankle in ((lm.LEFT_HIP, lm.LEFT_ANKLE), (lm.RIGHT_HIP, lm.RIGHT_ANKLE)):
        ph, pa = ref.point(hip, 0.5), ref.point(ankle, 0.5)
        legs.append(g.distance(ph, pa) if ph is not None and pa is not None else NAN)
    ls, rs = ref.point(lm.LEFT_SHOULDER, 0.5), ref.point(lm.RIGHT_SHOULDER, 0.5)
    la, ra = ref.point(lm.LEFT_ANKLE, 0.5), ref.point(lm.RIGHT_ANKLE, 0.5)
    return Baseline(
        t_s=frames[-1].t_s,
        xy_px=mean_xy,
        visible=visible,
        depth=depth,
        axis=axis,
        up=up,
        left=left,
        origin=origin,
        torso_px=float(np.hypot(*torso)),
        shoulder_width_px=g.distance(ls, rs) if ls is not None and rs is not None else NAN,
        hip_width_px=g.distance(lh, rh) if lh is not None and rh is not None else NAN,
        feet_width_px=g.distance(la, ra) if la is not None and ra is not None else NAN,
        leg_px=(legs[0], legs[1]),
        neck_deg=neck_tilt_deg(ref, up, 0.5),
        width_px=ref.width_px,
        height_px=ref.height_px,
    )


def neck_tilt_deg(pose: PoseFrame, up: np.ndarray, vis: float) -> float:
    """Angle of the shoulder -> ear line above the trunk line (toward ``up``, the floor's up side)."""
    torso = torso_vector(pose, vis)
    s = shoulder_mid(pose, vis)
    ears = [e for i in (lm.LEFT_EAR, lm.RIGHT_EAR) if (e := pose.point(i, vis)) is not None]
    if torso is None or s is None or not ears:
        return NAN
    neck = np.mean(ears, axis=0) - s
    axis = g.unit(torso)
    # Up relative to the trunk: the floor's up normal turned with the trunk.
    trunk_up = np.array([-axis[1], axis[0]])
    if np.dot(trunk_up, up) < 0:
        trunk_up = -trunk_up
    return math.degrees(math.atan2(float(np.dot(neck, trunk_up)), float(np.dot(neck, axis))))


# --- the signals that drive phases -------------------------------------------------------------


def hip_flexion_deg(pose: PoseFrame, side: str, vis: float) -> float:
    """180 - angle(shoulder, hip, knee) on one side: 0 lying straight, 110-140 knee to chest.

    In a side view the far shoulder and hip sit behind the near ones, where the tracker reports them
    faintly (0.25-0.5 on real footage) while the far knee, raised clear of the near leg, is well seen:
    the near side's trunk points then stand in for them (the trunk is one; the leg is the knee's).
    """
    own, other = (0, 1) if side == "left" else (1, 0)
    shoulders, hips = (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER), (lm.LEFT_HIP, lm.RIGHT_HIP)
    k = lm.LEFT_KNEE if side == "left" else lm.RIGHT_KNEE
    pk = pose.point(k, vis)
    ps, ph = pose.point(shoulders[own], vis), pose.point(hips[own], vis)
    if ps is None or ph is None:
        ps, ph = pose.point(shoulders[other], vis), pose.point(hips[other], vis)
    if ps is None or ph is None or pk is None:
        return NAN
    return 180.0 - g.joint_angle_deg(ps, ph, pk)


def trunk_elevation_deg(pose: PoseFrame, baseline: Baseline | None, vis: float) -> float:
    """Angle of the hip -> shoulder line above the baseline floor line; positive when shoulders rise."""
    torso = torso_vector(pose, vis)
    if torso is None or baseline is None:
        return NAN
    return math.degrees(math.atan2(float(np.dot(torso, baseline.up)), float(np.dot(torso, baseline.axis))))


@dataclass(frozen=True)
class RestAnchor:
    """Where the hips were the last time the person was at rest, and how far the tracker's hip
    landmarks may drift sideways (pixels) without the pelvis really moving. ``left_hip`` and
    ``right_hip`` are the two hip points then, when both were seen."""

    hips: np.ndarray
    drift_band_px: float
    left_hip: np.ndarray | None = None
    right_hip: np.ndarray | None = None

    @classmethod
    def at(cls, pose: PoseFrame, vis: float, drift_band_px: float) -> RestAnchor | None:
        """The anchor for this (resting) pose, or None when its hips are not seen."""
        h = hip_mid(pose, vis)
        if h is None:
            return None
        return cls(h, drift_band_px, pose.point(lm.LEFT_HIP, vis), pose.point(lm.RIGHT_HIP, vis))


def lateral_tilt_deg(
    pose: PoseFrame, baseline: Baseline | None, vis: float, rest: RestAnchor | None = None
) -> float:
    """Signed lean of the hip-mid -> shoulder-mid line from the baseline vertical; + toward the left.

    The tracker's hip landmarks sit above the hip joints and follow a bending trunk: they slide
    sideways (up to about 0.1 hip widths at 25 deg) and the hip line tilts with the trunk, the
    bending side's hip dropping (up to about 0.15 hip widths). Both read the bend 2-4 deg short.
    With ``rest``:
    - sideways hip movement within the drift band counts as drift and is taken out; beyond it the
      pelvis really moved (a hip shift, itself a fault) and the hip point follows;
    - only the drop both hips share counts (bent knees lower the whole pelvis); one hip dropping
      while the other does not is the tracker tilting its hip line, and is taken out.
    """
    s = shoulder_mid(pose, vis)
    h = hip_mid(pose, vis)
    if s is None or h is None or baseline is None or np.isnan(baseline.left).any():
        return NAN
    if rest is not None:
        across = baseline.left
        moved = float(np.dot(h - rest.hips, across))
        real = math.copysign(max(0.0, abs(moved) - rest.drift_band_px), moved)
        h = h + (real - moved) * across
        lh, rh = pose.point(lm.LEFT_HIP, vis), pose.point(lm.RIGHT_HIP, vis)
        if lh is not None and rh is not None and rest.left_hip is not None and rest.right_hip is not None:
            along = baseline.axis  # the standing vertical; only whether the two hips agree matters
            dl = float(np.dot(lh - rest.left_hip, along))
            dr = float(np.dot(rh - rest.right_hip, along))
            shared = 0.0 if dl * dr <= 0 else math.copysign(min(abs(dl), abs(dr)), dl)
            h = h + (shared - float(np.dot(h - rest.hips, along))) * along
    torso = s - h
    return math.degrees(math.atan2(float(np.dot(torso, baseline.left)), float(np.dot(torso, baseline.axis))))


SignalFn = Callable[[PoseFrame, "Baseline | None", float, "RestAnchor | None"], tuple[float, float]]


# A thigh this much shorter in the picture than in the start position has a misplaced knee: in the side
# view the leg moves in the picture's plane and keeps its length (the near thigh reads 0.85-1.05 of it
# through a whole rep), but a knee hugged by both hands on the far side is put half-way to the hip.
THIGH_MISPLACED_RATIO = 0.75


def _start_length(baseline: Baseline, a: int, b: int) -> float:
    if not (baseline.visible[a] and baseline.visible[b]):
        return NAN
    return g.distance(baseline.xy_px[a], baseline.xy_px[b])


def _knee_from_lengths(hip: np.ndarray, ankle: np.ndarray, knee: np.ndarray, thigh: float, shank: float):  # type: ignore[no-untyped-def]
    """Where the knee must be, ``thigh`` from the hip and ``shank`` from the ankle (the one of the two
    such places nearer the tracker's knee), or None when no such place exists."""
    d = g.distance(hip, ankle)
    if not (abs(thigh - shank) < d < thigh + shank):
        return None
    along = (thigh * thigh - shank * shank + d * d) / (2 * d)
    across = math.sqrt(max(0.0, thigh * thigh - along * along))
    u = (ankle - hip) / d
    foot = hip + along * u
    normal = np.array([u[1], -u[0]])
    return min((foot + across * normal, foot - across * normal), key=lambda c: g.distance(c, knee))


def hip_flexion_kept_length_deg(pose: PoseFrame, side: str, vis: float, baseline: Baseline | None) -> float:
    """Hip flexion as ``hip_flexion_deg``, except where the tracker has put the knee far too close to
    the hip (its thigh under THIGH_MISPLACED_RATIO of its start length): the knee is then placed where
    the start position's thigh and shank lengths put it between the seen hip and ankle. The shank is
    the longer of the two start shanks: the far leg's start landmarks are faint and read short."""
    value = hip_flexion_deg(pose, side, vis)
    if baseline is None or math.isnan(value):
        return value
    hip_i, knee_i, ankle_i, shoulder_i = (
        (lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE, lm.LEFT_SHOULDER)
        if side == "left"
        else (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE, lm.RIGHT_SHOULDER)
    )
    thigh = _start_length(baseline, hip_i, knee_i)
    shank = max(
        (
            v
            for v in (
                _start_length(baseline, lm.LEFT_KNEE, lm.LEFT_ANKLE),
                _start_length(baseline, lm.RIGHT_KNEE, lm.RIGHT_ANKLE),
            )
            if not math.isnan(v)
        ),
        default=NAN,
    )
    ph, pk, pa, ps = (pose.point(i, vis) for i in (hip_i, knee_i, ankle_i, shoulder_i))
    if ph is None or pk is None or pa is None or ps is None or math.isnan(thigh) or math.isnan(shank):
        return value
    if g.distance(ph, pk) >= THIGH_MISPLACED_RATIO * thigh:
        return value
    knee = _knee_from_lengths(ph, pa, pk, thigh, shank)
    return value if knee is None else 180.0 - g.joint_angle_deg(ps, ph, knee)


def _hip_flexion_pair(
    pose: PoseFrame, baseline: Baseline | None, vis: float, rest: RestAnchor | None
) -> tuple[float, float]:
    return (
        hip_flexion_kept_length_deg(pose, "left", vis, baseline),
        hip_flexion_kept_length_deg(pose, "right", vis, baseline),
    )


def _trunk_elevation(
    pose: PoseFrame, baseline: Baseline | None, vis: float, rest: RestAnchor | None
) -> tuple[float, float]:
    v = trunk_elevation_deg(pose, baseline, vis)
    return v, v


def _lateral_tilt(
    pose: PoseFrame, baseline: Baseline | None, vis: float, rest: RestAnchor | None
) -> tuple[float, float]:
    v = lateral_tilt_deg(pose, baseline, vis, rest)
    return v, v


# --- how far from the start position, before there is a baseline ------------------------------------
#
# Each exercise's start position can be recognised without a baseline, by the body's own lines: legs
# lying flat or in hook-lying (low hip flexion), the trunk in line with the legs lying prone, the trunk
# in line with the legs standing. The score is 0-ish at rest and grows as the person moves; it picks the
# rest moment a baseline is taken from, and tells the start position apart from a held rep (a press-up
# top is a person lying prone with the trunk 60 deg up, not a person standing).


def _trunk_to_legs_deg(pose: PoseFrame, vis: float) -> float:
    """Unsigned angle between the hip -> shoulder line and the ankle -> hip line (knee if the feet are
    not seen): 0 when trunk and legs are in one line."""
    s, h = shoulder_mid(pose, vis), hip_mid(pose, vis)
    far = mid_or_one(pose, lm.LEFT_ANKLE, lm.RIGHT_ANKLE, vis)
    if far is None:
        far = mid_or_one(pose, lm.LEFT_KNEE, lm.RIGHT_KNEE, vis)
    if s is None or h is None or far is None or g.distance(h, far) < 1.0 or g.distance(s, h) < 1.0:
        return NAN
    return 180.0 - g.joint_angle_deg(s, h, far)


def _legs_flexion_score(pose: PoseFrame, vis: float) -> float:
    """The more flexed of the seen legs."""
    seen = [v for side in ("left", "right") if not math.isnan(v := hip_flexion_deg(pose, side, vis))]
    return max(seen) if seen else NAN


REST_SCORES: dict[str, Callable[[PoseFrame, float], float]] = {
    "hip_flexion": _legs_flexion_score,
    "trunk_elevation": _trunk_to_legs_deg,
    "lateral_tilt": _trunk_to_legs_deg,
}


def rest_score(measurement: str, pose: PoseFrame, vis: float) -> float:
    """How far (deg) this pose is from the exercise's start position, measured without a baseline."""
    return REST_SCORES[measurement](pose, vis) if pose.person_found else NAN


# Each signal gives a (left, right) pair; unsided ones give the same value twice. Whether the pair is
# combined by max, min or sign is the variant's choice ("sides" in the exercise file).
SIGNALS: dict[str, tuple[SignalFn, bool]] = {
    # name: (function, needs a baseline before it can be measured)
    "hip_flexion": (_hip_flexion_pair, False),
    "trunk_elevation": (_trunk_elevation, True),
    "lateral_tilt": (_lateral_tilt, True),
}

SIGNAL_NAMES: dict[str, tuple[str, str]] = {
    "hip_flexion": ("hip_flexion_left_deg", "hip_flexion_right_deg"),
    "trunk_elevation": ("trunk_elevation_deg", "trunk_elevation_deg"),
    "lateral_tilt": ("lateral_tilt_deg", "lateral_tilt_deg"),
}
