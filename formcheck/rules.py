"""Form-fault rules: each turns one frame into one number that the exercise file compares with a limit.

A rule is named in ``exercises/*.toml`` (``rule = "rise_above_floor"``) with its arguments and a limit
parameter (``above = "head_lift_frac"``). Returning NaN means "cannot tell in this frame": the fault
keeps its current state rather than flickering.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from formcheck import geometry as g
from formcheck import landmarks as lm
from formcheck.measurements import Baseline, hip_mid, neck_tilt_deg, torso_vector
from formcheck.pose_frame import PoseFrame

NAN = math.nan


@dataclass(frozen=True)
class RuleContext:
    pose: PoseFrame
    baseline: Baseline
    params: Mapping[str, float]
    signal_pair: tuple[float, float]
    signal_speed_deg_s: float
    vis: float
    start_pair: tuple[float, float] = (0.0, 0.0)  # each side's signal in the start position
    working_side: str | None = None  # the side a rep in progress belongs to, once decided


Rule = Callable[[RuleContext, Mapping[str, Any]], float]


def _indices(args: Mapping[str, Any]) -> list[int]:
    return [lm.INDEX[name] for name in args.get("landmarks", [])]


def rise_above_floor(ctx: RuleContext, args: Mapping[str, Any]) -> float:
    """How far the highest of some landmarks rose above its start height, in torso lengths."""
    rises = []
    for i in _indices(args):
        p = ctx.pose.point(i, ctx.vis)
        start = ctx.baseline.baseline_height(i)
        if p is None or math.isnan(start):
            continue
        rises.append((ctx.baseline.height(p) - start) / ctx.baseline.torso_px)
    return max(rises) if rises else NAN


def resting_leg_flexion(ctx: RuleContext, args: Mapping[str, Any]) -> float:
    """How far the resting leg (the one that rose less) has risen from its own start, in degrees of
    hip flexion: legs straight and hook-lying (knees bent, feet flat, ~45 deg) are both a rest."""
    rises = {
        side: value - start
        for side, value, start in zip(("left", "right"), ctx.signal_pair, ctx.start_pair, strict=True)
    }
    if ctx.working_side in rises:
        # The rep's leg is known: the other one is resting, even while the working leg is hidden behind it.
        return rises["right" if ctx.working_side == "left" else "left"]
    if any(math.isnan(r) for r in rises.values()):
        return NAN
    return min(rises.values())


def leg_elevation(ctx: RuleContext, args: Mapping[str, Any]) -> float:
    """Largest rise of a hip -> ankle line above its start direction, degrees toward screen-up.

    With the feet past the picture's edge (a tracker's guess there is no measurement) the hip -> knee
    line is used: straight legs lifting raise both."""
    best = NAN
    for hip, knee, ankle in (
        (lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE),
        (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE),
    ):
        ph = ctx.pose.point(hip, ctx.vis)
        end = ankle if ctx.pose.in_picture(ankle, ctx.vis) else knee
        pe = ctx.pose.point(end, ctx.vis)
        if ph is None or pe is None or not (ctx.baseline.visible[hip] and ctx.baseline.visible[end]):
            continue
        start = ctx.baseline.xy_px[end] - ctx.baseline.xy_px[hip]
        now = pe - ph
        # Positive when the foot end rises: turn toward the screen-up normal of the start direction.
        up = g.screen_up_normal(start)
        s = g.unit(start)
        angle = math.degrees(math.atan2(float(np.dot(now, up)), float(np.dot(now, s))))
        best = angle if math.isnan(best) else max(best, angle)
    return best


def neck_extension(ctx: RuleContext, args: Mapping[str, Any]) -> float:
    """How much the shoulder -> ear line tilts up relative to the trunk, beyond the start position."""
    return neck_tilt_deg(ctx.pose, ctx.baseline.up, ctx.vis) - ctx.baseline.neck_deg


def _pair_width(pose: PoseFrame, a: int, b: int, vis: float) -> float:
    pa, pb = pose.point(a, vis), pose.point(b, vis)
    return g.distance(pa, pb) if pa is not None and pb is not None else NAN


def shoulder_width_ratio(ctx: RuleContext, args: Mapping[str, Any]) -> float:
    """Shoulder width against its start, beyond what the hips narrowed too (a trunk rotation).

    The planted feet tell a turned trunk from a turned body. The tracker's hips turn partly with a
    twisting trunk, so they cannot be the reference outright; but on some bodies it reads a plain side
    bend as the whole torso turning, hips narrowing as much as or more than the shoulders (0.85 and
    0.72 of their start), while a real twist narrows the shoulders far more than the hips (0.58 and
    0.83 at 55 deg). Dividing by the square root of the hips' narrowing keeps the first a bend and the
    second a twist; with steady hips a 30 deg twist reads cos 30 = 0.87.
    """
    shoulders = _pair_width(ctx.pose, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, ctx.vis)
    feet = _pair_width(ctx.pose, lm.LEFT_ANKLE, lm.RIGHT_ANKLE, ctx.vis)
    feet_start = ctx.baseline.feet_width_px
    if math.isnan(shoulders):
        return NAN
    if not math.isnan(feet) and feet_start > 0 and feet / feet_start < float(args.get("feet_min_ratio", 0.8)):
        return 1.0  # the whole body turned: that is not a trunk rotation
    ratio = shoulders / ctx.baseline.shoulder_width_px
    hips = _pair_width(ctx.pose, lm.LEFT_HIP, lm.RIGHT_HIP, ctx.vis)
    hips_start = ctx.baseline.hip_width_px
    if not math.isnan(hips) and hips_start > 0:
        ratio /= math.sqrt(min(1.0, hips / hips_start))
    return ratio


def torso_length_ratio(ctx: RuleContext, args: Mapping[str, Any]) -> float:
    """Torso length against its start, for a lean in the given direction (depth tells which way).

    The image cannot show a lean toward or away from the camera except as a shorter torso; MediaPipe's
    relative depth is too weak for angles but reliable enough for the sign of a clear lean.
    """
    torso = torso_vector(ctx.pose, ctx.vis)
    if torso is None:
        return NAN
    ratio = float(np.hypot(*torso)) / ctx.baseline.torso_px
    shoulders = np.nanmean(ctx.pose.depth[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]])
    hips = np.nanmean(ctx.pose.depth[[lm.LEFT_HIP, lm.RIGHT_HIP]])
    b_shoulders = np.nanmean(ctx.baseline.depth[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]])
    b_hips = np.nanmean(ctx.baseline.depth[[lm.LEFT_HIP, lm.RIGHT_HIP]])
    toward_camera = (shoulders - hips) - (b_shoulders - b_hips)
    if math.isnan(toward_camera) or abs(toward_camera) < DEPTH_UNKNOWN_PX:
        toward_camera = _toward_camera_by_width(ctx)
    if math.isnan(toward_camera):
        return NAN
    forward = toward_camera < 0
    wanted = args.get("direction", "forward") == "forward"
    return ratio if forward == wanted else 1.0


# A depth difference this small (pixels) says nothing: a tracker that gives no depth returns zeros.
DEPTH_UNKNOWN_PX = 1e-6


def _toward_camera_by_width(ctx: RuleContext) -> float:
    """Without depth: shoulders leaning toward the camera come nearer and read wider against the hips
    (about 1.1 times at 35 deg and 2.5 m), leaning away narrower. Negative is toward the camera."""
    shoulders = _pair_width(ctx.pose, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, ctx.vis)
    hips = _pair_width(ctx.pose, lm.LEFT_HIP, lm.RIGHT_HIP, ctx.vis)
    b = ctx.baseline
    if math.isnan(shoulders) or math.isnan(hips) or not (b.shoulder_width_px > 0 and b.hip_width_px > 0):
        return NAN
    return 1.0 - (shoulders / b.shoulder_width_px) / (hips / b.hip_width_px)


def hip_shift(ctx: RuleContext, args: Mapping[str, Any]) -> float:
    """Sideways move of the hip midpoint from its start over the feet, in start hip widths.

    Hips shifting instead of the trunk bending move over planted feet; a step or walking away moves
    the feet with them, which is no hip shift. Without the feet in view, from the hips' start."""
    b = ctx.baseline
    h = hip_mid(ctx.pose, ctx.vis)
    if h is None or np.isnan(b.left).any():
        return NAN
    moved = h - b.origin
    la, ra = ctx.pose.point(lm.LEFT_ANKLE, ctx.vis), ctx.pose.point(lm.RIGHT_ANKLE, ctx.vis)
    if la is not None and ra is not None and b.visible[lm.LEFT_ANKLE] and b.visible[lm.RIGHT_ANKLE]:
        moved = moved - ((la + ra) - (b.xy_px[lm.LEFT_ANKLE] + b.xy_px[lm.RIGHT_ANKLE])) / 2.0
    return abs(float(np.dot(moved, b.left))) / b.hip_width_px


def leg_length_ratio(ctx: RuleContext, args: Mapping[str, Any]) -> float:
    """Shortest hip -> ankle distance against its start: straight legs keep it, bent knees shorten it."""
    ratios = []
    for (hip, ankle), start in zip(
        ((lm.LEFT_HIP, lm.LEFT_ANKLE), (lm.RIGHT_HIP, lm.RIGHT_ANKLE)), ctx.baseline.leg_px, strict=True
    ):
        ph, pa = ctx.pose.point(hip, ctx.vis), ctx.pose.point(ankle, ctx.vis)
        if ph is None or pa is None or math.isnan(start):
            continue
        ratios.append(g.distance(ph, pa) / start)
    return min(ratios) if ratios else NAN


def feet_width_ratio(ctx: RuleContext, args: Mapping[str, Any]) -> float:
    """Distance between the ankles in start shoulder widths (the shoulders narrow when the trunk turns)."""
    feet = _pair_width(ctx.pose, lm.LEFT_ANKLE, lm.RIGHT_ANKLE, ctx.vis)
    shoulders = ctx.baseline.shoulder_width_px
    if math.isnan(feet) or math.isnan(shoulders) or shoulders == 0:
        return NAN
    return feet / shoulders


def signal_speed(ctx: RuleContext, args: Mapping[str, Any]) -> float:
    """Angular speed of the exercise's main angle, deg/s."""
    return abs(ctx.signal_speed_deg_s)


RULES: dict[str, Rule] = {
    "rise_above_floor": rise_above_floor,
    "resting_leg_flexion": resting_leg_flexion,
    "leg_elevation": leg_elevation,
    "neck_extension": neck_extension,
    "shoulder_width_ratio": shoulder_width_ratio,
    "torso_length_ratio": torso_length_ratio,
    "hip_shift": hip_shift,
    "leg_length_ratio": leg_length_ratio,
    "feet_width_ratio": feet_width_ratio,
    "signal_speed": signal_speed,
}
