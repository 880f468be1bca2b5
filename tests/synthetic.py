"""A small synthetic-pose generator: scripted joint angles over time -> PoseFrames.

Stick figures in pixel space for the three camera set-ups (lying side view, prone side view, standing
front view), with optional jitter, dropouts, a tilted or mirrored camera. Tests drive the real
pipeline with them, so they run in milliseconds and need no model or video.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from formcheck import landmarks as lm
from formcheck.pose_frame import PoseFrame

W, H = 640, 480
TORSO, THIGH, SHANK = 150.0, 110.0, 100.0


def keyframes(points: Sequence[tuple[float, float]]) -> Callable[[float], float]:
    """Cosine-eased interpolation through (t_s, value) points; constant outside them."""
    ts = [p[0] for p in points]
    vs = [p[1] for p in points]

    def f(t: float) -> float:
        if t <= ts[0]:
            return vs[0]
        for (t0, v0), (t1, v1) in zip(points, points[1:], strict=False):
            if t <= t1:
                u = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
                return v0 + (v1 - v0) * (1 - math.cos(math.pi * u)) / 2
        return vs[-1]

    return f


def const(v: float) -> Callable[[float], float]:
    return lambda t: v


def _rot(v: Sequence[float], deg: float) -> np.ndarray:
    """Rotate a screen vector counter-clockwise as seen on screen (image y down)."""
    a = math.radians(deg)
    x, y = v
    return np.array([x * math.cos(a) + y * math.sin(a), -x * math.sin(a) + y * math.cos(a)])


def _dir(deg: float) -> np.ndarray:
    """Unit vector at ``deg`` counter-clockwise from +x on screen."""
    return np.array([math.cos(math.radians(deg)), -math.sin(math.radians(deg))])


def supine(a: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Lying on the back, head to the image left, seen from the person's left side."""
    xy = np.zeros((lm.COUNT, 2))
    vis = np.full(lm.COUNT, 0.95)
    far = np.array([0.0, -5.0])
    hip = np.array([380.0, 380.0 - a.get("hips_rise", 0.0) * TORSO])
    shoulder = np.array([380.0 - TORSO, 380.0])
    for side, off in (("left", np.zeros(2)), ("right", far)):
        f = a[f"{side}_flex"]
        k = a.get(f"{side}_knee", 0.9 * f)  # knee flexion; hook-lying: hip 45, knee ~96 puts the foot flat
        h = hip + off
        knee = h + THIGH * _dir(f)
        ankle = knee + SHANK * _dir(f - k)
        idx = {"left": (11, 13, 15, 23, 25, 27, 29, 31), "right": (12, 14, 16, 24, 26, 28, 30, 32)}[side]
        s_i, e_i, w_i, h_i, k_i, a_i, he_i, fi_i = idx
        xy[s_i], xy[h_i], xy[k_i], xy[a_i] = shoulder + off, h, knee, ankle
        xy[e_i] = shoulder + off + np.array([40.0, -10.0])
        xy[w_i] = shoulder + off + np.array([80.0, -15.0])
        xy[he_i] = ankle + _rot([8.0, 4.0], f - k)
        xy[fi_i] = ankle + _rot([4.0, -14.0], f - k)
        if side == "right":
            vis[list(idx)] = 0.85
    rise = np.array([0.0, -a.get("head_rise", 0.0) * TORSO])
    xy[lm.LEFT_EAR] = shoulder + np.array([-32.0, -8.0]) + rise
    xy[lm.RIGHT_EAR] = shoulder + far + np.array([-32.0, -8.0]) + rise
    xy[lm.NOSE] = shoulder + np.array([-45.0, -22.0]) + rise
    for i in range(1, 11):
        xy[i] = xy[lm.NOSE] + np.array([3.0, 2.0])
    for i in (17, 19, 21):
        xy[i] = xy[lm.LEFT_WRIST]
    for i in (18, 20, 22):
        xy[i] = xy[lm.RIGHT_WRIST]
    return xy, vis


def prone(a: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Lying on the stomach, head to the image left; trunk lifts by ``elev`` about the hips."""
    xy = np.zeros((lm.COUNT, 2))
    vis = np.full(lm.COUNT, 0.95)
    far = np.array([0.0, -5.0])
    hip = np.array([380.0, 380.0 - a.get("pelvis_rise", 0.0) * TORSO])
    e = a.get("elev", 0.0)
    shoulder = hip + TORSO * _dir(180.0 - e)
    legs = a.get("legs", 0.0)
    for side, off in (("left", np.zeros(2)), ("right", far)):
        idx = {"left": (11, 13, 15, 23, 25, 27, 29, 31), "right": (12, 14, 16, 24, 26, 28, 30, 32)}[side]
        s_i, e_i, w_i, h_i, k_i, a_i, he_i, fi_i = idx
        h = hip + off
        knee = h + THIGH * _dir(legs)
        ankle = knee + SHANK * _dir(legs)
        xy[s_i], xy[h_i], xy[k_i], xy[a_i] = shoulder + off, h, knee, ankle
        xy[e_i] = shoulder + off + 50 * _dir(180.0 - e * 0.5)
        xy[w_i] = shoulder + off + 100 * _dir(180.0 - e * 0.3)
        xy[he_i] = ankle + _rot([6.0, -8.0], legs)
        xy[fi_i] = ankle + _rot([10.0, 10.0], legs)
        if side == "right":
            vis[list(idx)] = 0.85
    head_dir = 180.0 - e - a.get("neck", 0.0)
    ear = shoulder + 35 * _dir(head_dir)
    xy[lm.LEFT_EAR], xy[lm.RIGHT_EAR] = ear, ear + far
    xy[lm.NOSE] = ear + 18 * _dir(head_dir + 60)
    for i in range(1, 11):
        xy[i] = xy[lm.NOSE]
    for i in (17, 19, 21):
        xy[i] = xy[lm.LEFT_WRIST]
    for i in (18, 20, 22):
        xy[i] = xy[lm.RIGHT_WRIST]
    return xy, vis


def standing(a: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standing, facing the camera (the person's left on the image right). Returns xy, vis, depth."""
    xy = np.zeros((lm.COUNT, 2))
    depth = np.zeros(lm.COUNT)
    vis = np.full(lm.COUNT, 0.95)
    hip_w, sh_w = 60.0, 100.0
    leg = (THIGH + SHANK) * a.get("leg_ratio", 1.0)
    ankle_y = 440.0
    hip_mid = np.array([320.0 + a.get("hip_shift", 0.0) * hip_w, ankle_y - leg])
    tilt, lean = a.get("tilt", 0.0), a.get("lean", 0.0)  # lean > 0 forward, toward the camera
    torso_len = TORSO * math.cos(math.radians(lean))
    up = _dir(90.0 - tilt)  # tilt > 0 leans toward image right = person's left
    sh_mid = hip_mid + torso_len * up
    across = _dir(-tilt)  # toward the person's left
    sw = sh_w * math.cos(math.radians(a.get("rotation", 0.0)))
    feet = a.get("feet", 1.0) * sh_w
    xy[lm.LEFT_SHOULDER], xy[lm.RIGHT_SHOULDER] = sh_mid + across * sw / 2, sh_mid - across * sw / 2
    hw = hip_w * a.get("hip_ratio", 1.0)  # the tracker's hip width against the true one
    xy[lm.LEFT_HIP], xy[lm.RIGHT_HIP] = hip_mid + [hw / 2, 0], hip_mid - [hw / 2, 0]
    for side, sgn in (("left", 1.0), ("right", -1.0)):
        hip_i, knee_i, ankle_i = (23, 25, 27) if side == "left" else (24, 26, 28)
        ankle = np.array([320.0 + sgn * feet / 2, ankle_y])
        xy[ankle_i] = ankle
        xy[knee_i] = (xy[hip_i] + ankle) / 2
        xy[29 if side == "left" else 30] = ankle + [0, 8]
        xy[31 if side == "left" else 32] = ankle + [sgn * 4, 14]
        s_i = 11 if side == "left" else 12
        xy[13 if side == "left" else 14] = xy[s_i] + [sgn * 8, 70]
        xy[15 if side == "left" else 16] = xy[s_i] + [sgn * 10, 140]
    # Trackers place hip landmarks above the joints, so they drift with a bending trunk (hip widths);
    # the knees, placed from the true hips above, do not.
    xy[[lm.LEFT_HIP, lm.RIGHT_HIP], 0] += a.get("hip_marker_drift", 0.0) * hip_w
    # ... and tilt their hip line with it: the bending side's hip landmark drops (hip widths).
    xy[lm.LEFT_HIP if tilt >= 0 else lm.RIGHT_HIP, 1] += a.get("hip_marker_drop", 0.0) * hip_w
    head = sh_mid + 45 * up
    xy[lm.NOSE] = head
    xy[lm.LEFT_EAR], xy[lm.RIGHT_EAR] = head + across * 18, head - across * 18
    for i in range(1, 11):
        xy[i] = head
    for i in (17, 19, 21):
        xy[i] = xy[lm.LEFT_WRIST]
    for i in (18, 20, 22):
        xy[i] = xy[lm.RIGHT_WRIST]
    forward = TORSO * math.sin(math.radians(lean))
    depth[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.NOSE, lm.LEFT_EAR, lm.RIGHT_EAR]] = -forward
    return xy, vis, depth


POSES = {"supine": supine, "prone": prone, "standing": standing}

DEFAULTS = {
    "supine": {"left_flex": 0.0, "right_flex": 0.0},
    "prone": {"elev": 0.0},
    "standing": {"tilt": 0.0},
}


@dataclass
class Script:
    """What happens over time: body kind, per-angle timelines, and camera/tracking artefacts."""

    kind: str
    duration_s: float
    angles: dict[str, Callable[[float], float]] = field(default_factory=dict)
    fps: float = 30.0
    jitter_px: float = 0.0
    seed: int = 0
    no_person: Sequence[tuple[float, float]] = ()
    hidden: Sequence[tuple[float, float, Iterable[int]]] = ()  # (t0, t1, landmark indices)
    other_people: Sequence[tuple[float, float]] = ()
    camera_roll_deg: float = 0.0
    mirrored: bool = False
    shift_px: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0


def _inside(t: float, spans: Iterable[tuple[float, float]]) -> bool:
    return any(t0 <= t < t1 for t0, t1 in spans)


def frames(script: Script) -> list[PoseFrame]:
    rng = np.random.default_rng(script.seed)
    out = []
    n = int(round(script.duration_s * script.fps))
    center = np.array([W / 2, H / 2])
    for i in range(n):
        t = i / script.fps
        a = dict(DEFAULTS[script.kind])
        a.update({k: f(t) for k, f in script.angles.items()})
        made = POSES[script.kind](a)
        xy, vis = made[0], made[1]
        depth = made[2] if len(made) == 3 else np.zeros(lm.COUNT)
        xy = (xy - center) * script.scale + center + np.array(script.shift_px)
        if script.mirrored:
            xy[:, 0] = W - xy[:, 0]
        if script.camera_roll_deg:
            xy = center + np.array([_rot(p - center, script.camera_roll_deg) for p in xy])
        if script.jitter_px:
            xy = xy + rng.normal(0.0, script.jitter_px, xy.shape)
        vis = vis.copy()
        for t0, t1, idx in script.hidden:
            if t0 <= t < t1:
                vis[list(idx)] = 0.1
        others = int(_inside(t, script.other_people))
        if _inside(t, script.no_person):
            out.append(PoseFrame.empty(i, t, W, H, other_people=others))
            continue
        out.append(
            PoseFrame(
                index=i,
                t_s=t,
                width_px=W,
                height_px=H,
                xy_px=xy,
                visibility=vis,
                depth=depth,
                other_people=others,
            )
        )
    return out


def run_script(script: Script, exercise: str, variant: str | None = None, **overrides: float):  # type: ignore[no-untyped-def]
    """Run a script through the real smoothing + checker; returns the checker and all updates."""
    from formcheck.pipeline import Pipeline
    from formcheck.spec import load_exercise

    pipeline = Pipeline(load_exercise(exercise, variant, overrides))
    updates = [pipeline.step(f) for f in frames(script)]
    pipeline.finish(script.duration_s)
    return pipeline.checker, updates
