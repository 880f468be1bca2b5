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
    ears = xy[[lm.LEFT_EAR, lm.RIGHT_EAR]].copy()
    for i in range(1, 11):
        xy[i] = xy[lm.NOSE] + np.array([3.0, 2.0])
    if a.get("ears", 0.0) > 0.5:  # ears where a tracker puts them, behind the face (not at the nose)
        xy[[lm.LEFT_EAR, lm.RIGHT_EAR]] = ears
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
        if a.get("hands_planted", 0.0) > 0.5:  # a press-up: hands stay on the floor beside the chest
            xy[w_i] = hip + off + np.array([-TORSO - 15.0, 5.0])
            xy[e_i] = (shoulder + xy[w_i]) / 2 + off + np.array([12.0, 0.0])
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
    if a.get("ears", 0.0) > 0.5:  # ears where a tracker puts them, behind the face (not at the nose)
        xy[lm.LEFT_EAR], xy[lm.RIGHT_EAR] = ear, ear + far
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


ARM, FOREARM = 75.0, 70.0


def side_body(a: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Any body seen from its left side, built up from the near ankle: standing, sitting, squatting,
    walking, on all fours. Segment directions are screen degrees counter-clockwise from +x (the
    person faces +x when ``face`` is 0): ``thigh``/``shank`` run hip -> knee -> ankle (``l_``/``r_``
    per leg, default straight down), ``torso`` hip -> shoulder (90: upright), ``arm``/``fore``
    shoulder -> elbow -> wrist, ``face`` ear -> nose, ``foot`` heel -> toe. ``dx`` moves the body."""
    xy = np.zeros((lm.COUNT, 2))
    vis = np.full(lm.COUNT, 0.95)
    far = np.array([4.0, -3.0])
    ankle = np.array([a.get("ankle_x", 320.0) + a.get("dx", 0.0), a.get("ankle_y", 440.0)])
    l_thigh, l_shank = a.get("l_thigh", a.get("thigh", -90.0)), a.get("l_shank", a.get("shank", -90.0))
    r_thigh, r_shank = a.get("r_thigh", a.get("thigh", -90.0)), a.get("r_shank", a.get("shank", -90.0))
    knee = ankle - SHANK * _dir(l_shank)
    hip = knee - THIGH * _dir(l_thigh)
    shoulder = hip + TORSO * _dir(a.get("torso", 90.0))
    for side, off, thigh, shank in (
        ("left", np.zeros(2), l_thigh, l_shank),
        ("right", far, r_thigh, r_shank),
    ):
        idx = {"left": (11, 13, 15, 23, 25, 27, 29, 31), "right": (12, 14, 16, 24, 26, 28, 30, 32)}[side]
        s_i, e_i, w_i, h_i, k_i, a_i, he_i, fi_i = idx
        h = hip + off
        k = h + THIGH * _dir(thigh)
        an = k + SHANK * _dir(shank)
        xy[s_i], xy[h_i], xy[k_i], xy[a_i] = shoulder + off, h, k, an
        xy[e_i] = shoulder + off + ARM * _dir(a.get("arm", -90.0))
        xy[w_i] = xy[e_i] + FOREARM * _dir(a.get("fore", -90.0))
        foot = a.get("foot", 0.0)
        xy[he_i] = an + 10 * _dir(foot + 180.0)
        xy[fi_i] = an + 22 * _dir(foot)
        if side == "right":
            vis[list(idx)] = 0.85
    ear = shoulder + 40 * _dir(a.get("torso", 90.0))
    xy[lm.NOSE] = ear + 16 * _dir(a.get("face", 0.0))
    for i in range(1, 11):
        xy[i] = xy[lm.NOSE]
    xy[lm.LEFT_EAR], xy[lm.RIGHT_EAR] = ear, ear + far
    for i in (17, 19, 21):
        xy[i] = xy[lm.LEFT_WRIST]
    for i in (18, 20, 22):
        xy[i] = xy[lm.RIGHT_WRIST]
    return xy, vis


POSES = {"supine": supine, "prone": prone, "standing": standing, "side": side_body}

DEFAULTS = {
    "supine": {"left_flex": 0.0, "right_flex": 0.0},
    "prone": {"elev": 0.0},
    "standing": {"tilt": 0.0},
    "side": {},
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


# --- whole recordings: postures one after another, the other side near the camera ----------------

_PAIRS = [(1, 4), (2, 5), (3, 6), (7, 8), (9, 10)] + [(i, i + 1) for i in range(11, 33, 2)]


def swap_sides(poses: Sequence[PoseFrame]) -> list[PoseFrame]:
    """The same movements seen from the person's other side: left and right landmarks trade places
    (and visibilities), as when the person lies the other way round or turns to face the other way."""
    order = list(range(lm.COUNT))
    for a, b in _PAIRS:
        order[a], order[b] = b, a
    return [
        PoseFrame(
            p.index,
            p.t_s,
            p.width_px,
            p.height_px,
            p.xy_px[order],
            p.visibility[order],
            p.depth[order],
            person_found=p.person_found,
            other_people=p.other_people,
        )  # fmt: skip
        for p in poses
    ]


@dataclass
class Morph:
    """A continuous move from the previous part's last pose to the next part's first (rolling over,
    getting up): every landmark travels in a straight line, eased, and the body bulges ``bulge_px``
    up on the way (rolling over lifts the hips and shoulders off their line)."""

    duration_s: float
    bulge_px: float = 60.0


@dataclass
class Gap:
    """Nobody in the picture for a while (the camera being moved)."""

    duration_s: float


def sequence(*parts: Script | list[PoseFrame] | Morph | Gap, fps: float = 30.0) -> list[PoseFrame]:
    """One recording from scripts (or ready poses), morphs and gaps, on one continuous clock."""
    chunks: list[list[PoseFrame]] = [
        frames(p) if isinstance(p, Script) else p for p in parts if isinstance(p, (Script, list))
    ]
    out: list[PoseFrame] = []
    k = 0
    for part in parts:
        if isinstance(part, (Script, list)):
            poses = chunks[k]
            k += 1
        elif isinstance(part, Gap):
            poses = [PoseFrame.empty(0, 0.0, W, H) for _ in range(int(round(part.duration_s * fps)))]
        else:
            a, b = out[-1], chunks[k][0]
            n = int(round(part.duration_s * fps))
            poses = []
            for i in range(1, n + 1):
                u = (1 - math.cos(math.pi * i / (n + 1))) / 2
                bulge = np.array([0.0, -part.bulge_px * (1 - abs(2 * i / (n + 1) - 1))])
                poses.append(
                    PoseFrame(
                        0,
                        0.0,
                        W,
                        H,
                        a.xy_px + u * (b.xy_px - a.xy_px) + bulge,
                        np.minimum(a.visibility, b.visibility),
                        a.depth + u * (b.depth - a.depth),
                    )  # fmt: skip
                )
        for p in poses:
            i = len(out)
            out.append(
                PoseFrame(
                    i,
                    i / fps,
                    p.width_px,
                    p.height_px,
                    p.xy_px,
                    p.visibility,
                    p.depth,
                    person_found=p.person_found,
                    other_people=p.other_people,
                )  # fmt: skip
            )
    return out


def mat_routine_scripts() -> tuple[Script, Script]:
    """What a patient does on the mat, as two scripts to join with a roll-over: knee-to-chest (left
    held 3 s at 120 deg, then right at 115 deg; 16 s) and prone trunk lifts (one held 3.5 s at 20 deg;
    14 s). Real ear positions, so face up or down can be read."""
    ears = {"ears": const(1.0)}
    k2c = Script(
        "supine",
        16,
        {
            "left_flex": keyframes([(0, 0), (3, 0), (4.5, 120), (7.5, 120), (9, 0)]),
            "right_flex": keyframes([(0, 0), (9.5, 0), (11, 115), (14, 115), (15.5, 0)]),
            **ears,
        },
        jitter_px=0.5,
    )
    prone = Script(
        "prone",
        14,
        {"elev": keyframes([(0, 0), (3, 0), (4.5, 20), (8, 20), (9.5, 0)]), **ears},
        jitter_px=0.5,
    )
    return k2c, prone
