"""Scripted motion: smooth per-frame channel tracks and the poses each exercise builds from them.

A clip's script becomes a few named channels sampled per frame (e.g. `flex_l`, the left hip flexion in
degrees). Each exercise turns one frame's channel values into a `Pose` of the body, placed in the world.
"""

from __future__ import annotations

import numpy as np

from .body import REGIONS, Body, Pose, direction, rotation
from .body import rotation_between as rotation_between_dirs

FLOOR_MAT_TOP = 0.008  # the exercise mat is 8 mm thick
# Share of the spine extension per vertebra, lowest first (spine05 .. spine01), for `lumbar` press-ups.
LUMBAR_WEIGHTS = (0.32, 0.28, 0.2, 0.12, 0.08)


def ramp_shape(u: np.ndarray, shape: str) -> np.ndarray:
    """Progress 0..1 of a move at normalised time u in 0..1.

    "cos" is a cosine ease (peak speed pi/2 times the mean); "trap" accelerates and decelerates over the
    first and last 15 % and moves at constant speed between (peak speed 1/0.85 times the mean), which is
    how a too-fast rep keeps its speed above the limit for long enough.
    """
    u = np.clip(u, 0.0, 1.0)
    if shape == "cos":
        return (1 - np.cos(np.pi * u)) / 2
    a = 0.15
    v = 1 / (1 - a)  # constant speed that covers the distance with cosine-shaped ends
    out = np.empty_like(u)
    lo, hi = u < a, u > 1 - a
    mid = ~(lo | hi)
    # During acceleration, speed rises as v * (1 - cos(pi * t / a)) / 2.
    out[lo] = v * (u[lo] / 2 - a / (2 * np.pi) * np.sin(np.pi * u[lo] / a))
    out[mid] = v * (a / 2 + (u[mid] - a))
    uh = 1 - u[hi]
    out[hi] = 1 - v * (uh / 2 - a / (2 * np.pi) * np.sin(np.pi * uh / a))
    return out


def via_shape(u: np.ndarray, u_via: float, f_via: float) -> np.ndarray:
    """Progress 0..1 of a move that passes progress `f_via` at time fraction `u_via`: one smooth, monotone
    movement (cubic Hermite, still at both ends, harmonic-mean speed at the via point), like a person who
    brings the knee up briskly and then pulls it in slowly to the peak."""
    u = np.clip(u, 0.0, 1.0)
    d1, d2 = f_via / u_via, (1 - f_via) / (1 - u_via)
    m = 2 / (1 / d1 + 1 / d2) if d1 > 0 and d2 > 0 else 0.0
    out = np.empty_like(u)
    for lo, hi, p0, p1, m0, m1, sel in (
        (0.0, u_via, 0.0, f_via, 0.0, m, u <= u_via),
        (u_via, 1.0, f_via, 1.0, m, 0.0, u > u_via),
    ):
        h = hi - lo
        s = (u[sel] - lo) / h
        h00, h10, h01, h11 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2
        out[sel] = h00 * p0 + h10 * h * m0 + h01 * p1 + h11 * h * m1
    return out


class Track:
    """One channel over time: a start value and a list of smooth moves to new values."""

    def __init__(self, value: float = 0.0) -> None:
        self.start = value
        # (t0, duration, value, shape, via): via = (seconds after t0, value there) or None
        self.moves: list[tuple[float, float, float, str, tuple[float, float] | None]] = []

    def move(
        self,
        t0: float,
        duration: float,
        value: float,
        shape: str = "cos",
        via: tuple[float, float] | None = None,
    ) -> None:
        self.moves.append((t0, max(duration, 1e-6), value, shape, via))

    def sample(self, t: np.ndarray) -> np.ndarray:
        out = np.full_like(t, self.start, dtype=float)
        value = self.start
        for t0, dur, target, shape, via in sorted(self.moves, key=lambda m: m[0]):
            # Each move starts from wherever the previous ones left the channel at its start time.
            if via is None or abs(target - value) < 1e-9:
                frac = ramp_shape((t - t0) / dur, shape)
            else:
                frac = via_shape((t - t0) / dur, via[0] / dur, (via[1] - value) / (target - value))
            after = t >= t0
            out[after] = value + (target - value) * frac[after]
            value = target
        return out


def _lift_supine(body: Body, amount: float) -> np.ndarray:
    """Body-frame rotation (4x4) that lifts the hips by `amount` torso lengths about the shoulder line."""
    if amount <= 0:
        return np.eye(4)
    shoulders = (body.heads[body.index["upperarm01.L"]] + body.heads[body.index["upperarm01.R"]]) / 2
    hips = (body.heads[body.index["upperleg01.L"]] + body.heads[body.index["upperleg01.R"]]) / 2
    angle = np.degrees(np.arcsin(min(amount * body.torso_length / np.linalg.norm(shoulders - hips), 0.9)))
    m = np.eye(4)
    m[:3, :3] = rotation((1, 0, 0), -angle)  # hips toward the body's front, which is up when supine
    m[:3, 3] = shoulders - m[:3, :3] @ shoulders
    return m


def placement(posture: str, heading_deg: float, position: tuple[float, float, float]) -> np.ndarray:
    """Body-to-world 4x4 for a posture. Heading 0: lying with the head toward world +X, the person's left
    side toward world -Y (where the camera usually is) when supine, their right side when prone; standing
    facing world -Y."""
    if posture == "supine":
        r = np.array([[0, 0, 1], [-1, 0, 0], [0, -1, 0]], dtype=float)  # columns: images of body X, Y, Z
    elif posture == "prone":
        r = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=float)
    else:
        r = np.eye(3)
    m = np.eye(4)
    m[:3, :3] = rotation((0, 0, 1), heading_deg) @ r
    m[:3, 3] = position
    return m


def two_bone_ik(
    root: np.ndarray, target: np.ndarray, a: float, b: float, pole: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Directions of the two segments (lengths a, b) from `root` reaching `target`, bending toward `pole`."""
    d_vec = target - root
    d = float(np.clip(np.linalg.norm(d_vec), abs(a - b) + 1e-3, (a + b) * 0.9995))
    e = d_vec / np.linalg.norm(d_vec)
    n = pole - np.dot(pole, e) * e
    n = n / np.linalg.norm(n)
    cos_a = (a * a + d * d - b * b) / (2 * a * d)
    sin_a = np.sqrt(max(0.0, 1 - cos_a * cos_a))
    mid = root + a * (cos_a * e + sin_a * n)
    end = root + d * e
    return (mid - root) / a, (end - mid) / np.linalg.norm(end - mid)


class Exercise:
    """Builds a body's pose from one frame's channels; subclasses know one exercise."""

    posture = "standing"
    channels: dict[str, float] = {}

    def __init__(
        self,
        body: Body,
        variant: str,
        heading_deg: float,
        position: tuple[float, float],
        opts: dict | None = None,
    ) -> None:
        self.body = body
        self.variant = variant
        self.opts = dict(opts or {})
        self.root = placement(self.posture, heading_deg, (position[0], position[1], 0.0))
        self._place_on_floor()

    def _place_on_floor(self) -> None:
        """Lift the start pose so it rests on the floor: the feet when standing, the clothed trunk and
        legs when lying (hands, feet and face may touch the mat but must not hold the body up)."""
        start = self.pose(dict(self.channels))
        v = self.body.pose(start).vertices
        if self.posture == "standing":
            self.root[2, 3] -= v[:, 2].min()
        else:
            clothed = np.isin(self.body.region, [REGIONS.index("shirt"), REGIONS.index("trousers")])
            self.root[2, 3] += FLOOR_MAT_TOP - v[clothed, 2].min()

    def pose(self, ch: dict[str, float]) -> Pose:
        raise NotImplementedError


class KneeToChest(Exercise):
    """Supine knee-to-chest: hip flexion per leg, knee bending with it, arms resting beside the body.

    Hook-lying (the NHS leaflet start): `knee_min_*` keeps a leg's knee bent at least that much and
    `flat_*` (0..1) puts its foot flat on the floor, bending the knee as far as that takes. `hands` (0..1)
    brings both hands to a knee and pulls it in: `grab` +1 the left knee, -1 the right, 0 each hand its own.
    """

    posture = "supine"
    channels = {
        "flex_l": 0.0,
        "flex_r": 0.0,
        "straight_l": 0.0,
        "straight_r": 0.0,
        "neck": 0.0,
        "hips_lift": 0.0,
        "knee_min_l": 0.0,
        "knee_min_r": 0.0,
        "flat_l": 0.0,
        "flat_r": 0.0,
        "hands": 0.0,
        "grab": 0.0,
    }

    def __init__(
        self,
        body: Body,
        variant: str,
        heading_deg: float,
        position: tuple[float, float],
        opts: dict | None = None,
    ) -> None:
        b = body
        self._thigh = b.segment_length("thigh_l")
        self._shin = b.segment_length("shin_l")
        v = b.rest_vertices
        clothed = np.isin(b.region, [REGIONS.index("shirt"), REGIONS.index("trousers")])
        hip = b.heads[b.index["upperleg01.L"]]
        ankle = b.heads[b.index["foot.L"]]
        # Supine, the floor touches the back of the body (max Y); a flat foot holds the ankle at its
        # standing height above the floor. Offset of the flat-foot ankle from the hip, toward the front.
        hip_above_floor = v[clothed, 1].max() - hip[1]
        ankle_above_floor = ankle[2] - v[:, 2].min()
        self._flat_ankle = float(ankle_above_floor - hip_above_floor)
        rest_shin = b.heads[b.index["foot.L"]] - b.heads[b.index["lowerleg01.L"]]
        rest_foot = b.heads[b.index["toe3-1.L"]] - b.heads[b.index["foot.L"]]
        self._rest_shin = rest_shin / np.linalg.norm(rest_shin)
        self._rest_foot = rest_foot / np.linalg.norm(rest_foot)
        super().__init__(body, variant, heading_deg, position, opts)

    def flat_knee(self, theta: float) -> float:
        """Knee flexion (deg) that puts the foot flat on the floor at hip flexion `theta`."""
        t = np.radians(theta)
        sin_k = np.clip((self._flat_ankle - self._thigh * np.sin(t)) / self._shin, -0.999, 0.999)
        return float(theta - np.degrees(np.arcsin(sin_k)))

    def pose(self, ch: dict[str, float]) -> Pose:
        aims: dict = {}
        lift = _lift_supine(self.body, ch["hips_lift"])
        lift_deg = np.degrees(np.arcsin(min(ch["hips_lift"], 0.9))) if ch["hips_lift"] > 0 else 0.0
        b = self.body
        knees, shins = {}, {}
        for s, sign in (("l", 1.0), ("r", -1.0)):
            theta = ch[f"flex_{s}"]
            if ch["hips_lift"] > 0 and theta < 30:
                theta -= lift_deg * 1.2  # a resting leg stays down while the pelvis rises
            knee = (1 - ch[f"straight_{s}"]) * min(1.08 * max(theta, 0.0), 128.0)
            knee = max(knee, ch[f"knee_min_{s}"])
            flat = ch[f"flat_{s}"]
            if flat > 0:
                knee = (1 - flat) * knee + flat * self.flat_knee(theta)
            t, k = np.radians(theta), np.radians(theta - knee)
            aims[f"thigh_{s}"] = direction(forward=np.sin(t), up=-np.cos(t), left=sign * 0.05)
            aims[f"shin_{s}"] = direction(forward=np.sin(k), up=-np.cos(k), left=sign * 0.03)
            if flat > 0:
                # The foot turns from where the shin carries it to flat on the floor (sole toward the
                # body's back, toes toward its feet).
                free = rotation_between_dirs(self._rest_shin, aims[f"shin_{s}"]) @ self._rest_foot
                f = self._rest_foot
                flat_dir = np.array([sign * abs(f[0]), -f[2], f[1]])
                d = (1 - flat) * free + flat * flat_dir
                aims[f"foot_{s}"] = d / np.linalg.norm(d)
            # Arms lie on the floor beside the body (the floor is toward the body's back when supine).
            aims[f"upperarm_{s}"] = direction(up=-1, left=sign * 0.32, forward=-0.12)
            aims[f"forearm_{s}"] = direction(up=-1, left=sign * 0.22, forward=-0.02)
            hip = b.heads[b.index[f"upperleg01.{s.upper()}"]]
            knees[s] = hip + self._thigh * aims[f"thigh_{s}"]
            shins[s] = aims[f"shin_{s}"]
        if ch["hands"] > 0:
            ua, fa = b.segment_length("upperarm_l"), b.segment_length("forearm_l")
            for s, sign in (("l", 1.0), ("r", -1.0)):
                leg = "l" if ch["grab"] > 0.5 else "r" if ch["grab"] < -0.5 else s
                shoulder = b.heads[b.index[f"upperarm01.{s.upper()}"]]
                rest_wrist = shoulder + ua * aims[f"upperarm_{s}"] + fa * aims[f"forearm_{s}"]
                # Hands clasp the front of the shin just below the knee, one each side of it.
                grab = knees[leg] + 0.1 * shins[leg] + direction(forward=1.0) * 0.035
                grab = grab + np.array([sign * 0.07, 0.0, 0.0])
                w = ch["hands"]
                target = (1 - w) * rest_wrist + w * grab
                pole = direction(left=sign * 1.0, forward=0.6, up=-0.2)
                upper, fore = two_bone_ik(shoulder, target, ua, fa, pole)
                aims[f"upperarm_{s}"], aims[f"forearm_{s}"] = upper, fore
        return Pose(neck=ch["neck"], aims=aims, root=self.root @ lift)


class ProneExtension(Exercise):
    """Prone trunk extension: arms forward, press-up (hands fixed on the floor) or superman."""

    posture = "prone"
    channels = {"elev": 0.0, "neck": 0.0, "legs": 0.0, "pelvis": 0.0}

    def __init__(
        self,
        body: Body,
        variant: str,
        heading_deg: float,
        position: tuple[float, float],
        opts: dict | None = None,
    ) -> None:
        self._hands_world: dict[str, np.ndarray] | None = None
        super().__init__(body, variant, heading_deg, position, opts)
        if variant == "press-up":
            # Hands flat under and slightly ahead of the shoulders, where the start pose puts them
            # (`hands_ahead_m`: a full press-up with straight elbows needs them beside the chest).
            start = self.body.pose(self.pose(dict(self.channels)), with_vertices=False)
            head_dir = self.root[:3, 2]
            self._hands_world = {}
            ahead = float(self.opts.get("hands_ahead_m", 0.10))
            for side in ("left", "right"):
                p = start.landmarks[f"{side}_shoulder"] + ahead * head_dir
                out = (
                    start.landmarks[f"{side}_shoulder"]
                    - start.landmarks[f"{'right' if side == 'left' else 'left'}_shoulder"]
                )
                p = p + 0.25 * out
                p[2] = FLOOR_MAT_TOP + 0.03
                self._hands_world[side] = p

    def pose(self, ch: dict[str, float]) -> Pose:
        aims: dict = {}
        # The pelvis lifts by rotating the whole body about the feet (they stay on the floor).
        lift = np.eye(4)
        if ch["pelvis"] > 0:
            leg = self.body.segment_length("thigh_l") + self.body.segment_length("shin_l")
            ang = np.degrees(np.arcsin(min(ch["pelvis"] * self.body.torso_length / leg, 0.9)))
            ankle = (
                self.body.heads[self.body.index["foot.L"]] + self.body.heads[self.body.index["foot.R"]]
            ) / 2
            lift[:3, :3] = rotation((1, 0, 0), -ang)  # hips toward the body's back: up when prone
            lift[:3, 3] = ankle - lift[:3, :3] @ ankle
        root = self.root @ lift
        e = np.radians(ch["legs"])
        for s, sign in (("l", 1.0), ("r", -1.0)):
            aims[f"thigh_{s}"] = direction(up=-np.cos(e), forward=-np.sin(e), left=sign * 0.05)
            aims[f"shin_{s}"] = direction(up=-np.cos(e), forward=-np.sin(e), left=sign * 0.03)
            aims[f"foot_{s}"] = direction(up=-1, forward=0.45)  # toes pointed, top of the foot down
            if self.variant != "press-up":
                # Arms stretched past the head, parallel to the floor; resting on it at the start.
                down = 0.2 * max(0.0, 1 - ch["elev"] / 12)
                aims[f"upperarm_{s}"] = direction(up=1, left=sign * 0.2, forward=down)
                aims[f"forearm_{s}"] = direction(up=1, left=sign * 0.12, forward=down)
        # The spine bends along its length, so its top turns more than the hip-shoulder chord; a person
        # keeping the neck long tucks the chin by the difference (else a good press-up looks like
        # neck over-extension).
        neck = ch["neck"] - 0.45 * ch["elev"]
        # `lumbar`: the extension is taken mostly low in the back (a full press-up bends the lumbar
        # spine, the chest stays fairly flat), so the hip-shoulder line rises further for less bend.
        weights = LUMBAR_WEIGHTS if self.opts.get("lumbar") else None
        if weights is not None:
            neck = ch["neck"] - 0.25 * ch["elev"]
        pose = Pose(spine=(ch["elev"], 0.0, 0.0), neck=neck, aims=aims, root=root, spine_weights=weights)
        if self.variant == "press-up" and self._hands_world is not None:
            glob = self.body.bone_transforms(pose)
            inv = np.linalg.inv(root)
            ua = self.body.segment_length("upperarm_l")
            fa = self.body.segment_length("forearm_l")
            for s, side, sign in (("l", "left", 1.0), ("r", "right", -1.0)):
                b = self.body.index[f"upperarm01.{s.upper()}"]
                shoulder = glob[b, :3, :3] @ self.body.heads[b] + glob[b, :3, 3]
                target = inv[:3, :3] @ self._hands_world[side] + inv[:3, 3]
                # Elbows bend back toward the feet and out, away from the floor.
                pole = direction(up=-1.0, left=sign * 0.6, forward=-0.8)
                upper, fore = two_bone_ik(shoulder, target, ua, fa, pole)
                aims[f"upperarm_{s}"] = upper
                aims[f"forearm_{s}"] = fore
        return pose


class SideBend(Exercise):
    """Standing side bends facing the camera; legs solved so the feet stay planted."""

    posture = "standing"
    channels = {"tilt": 0.0, "rot": 0.0, "lean": 0.0, "shift": 0.0, "squat": 0.0, "feet": 1.0, "step": 0.0}

    def __init__(
        self,
        body: Body,
        variant: str,
        heading_deg: float,
        position: tuple[float, float],
        opts: dict | None = None,
    ) -> None:
        b = body
        self._ankles = {s: b.heads[b.index[f"foot.{s}"]].copy() for s in ("L", "R")}
        self._hips = {s: b.heads[b.index[f"upperleg01.{s}"]].copy() for s in ("L", "R")}
        self._leg = b.segment_length("thigh_l") + b.segment_length("shin_l")
        rest_foot = b.heads[b.index["toe3-1.L"]] - b.heads[b.index["foot.L"]]
        self._foot_dir = rest_foot / np.linalg.norm(rest_foot)
        super().__init__(body, variant, heading_deg, position, opts)

    def pose(self, ch: dict[str, float]) -> Pose:
        b = self.body
        hip_width = float(np.linalg.norm(self._hips["L"] - self._hips["R"]))
        # Squat lowers the pelvis until hip-to-ankle distance is (1 - squat) of the standing one.
        hip_z, ankle_z = self._hips["L"][2], self._ankles["L"][2]
        drop = (hip_z - ankle_z) * ch["squat"]
        offset = np.array([ch["shift"] * hip_width, 0.0, -drop])
        aims: dict = {}
        for s, sign in (("L", 1.0), ("R", -1.0)):
            ankle = self._ankles[s].copy()
            ankle[0] = sign * (abs(ankle[0]) * ch["feet"] + 0.055 * (1 - ch["feet"]))
            hip = self._hips[s] + offset
            thigh, shin = two_bone_ik(
                hip,
                ankle,
                b.segment_length("thigh_l"),
                b.segment_length("shin_l"),
                direction(forward=1.0, left=sign * 0.1),
            )
            aims[f"thigh_{s.lower()}"] = thigh
            aims[f"shin_{s.lower()}"] = shin
            aims[f"foot_{s.lower()}"] = self._foot_dir * np.array([sign, 1.0, 1.0])  # flat on the floor
            # Arms hang beside the trunk and follow it when it bends.
            aims[f"upperarm_{s.lower()}"] = ("chest", direction(up=-1, left=sign * 0.2, forward=0.04))
            aims[f"forearm_{s.lower()}"] = ("chest", direction(up=-1, left=sign * 0.1, forward=0.3))
        root = self.root.copy()
        root[:3, 3] += root[:3, :3] @ np.array([0.0, -ch["step"], 0.0])  # a step toward the camera
        return Pose(spine=(ch["lean"], ch["tilt"], ch["rot"]), aims=aims, root=root, offset=offset)


EXERCISES: dict[str, type[Exercise]] = {
    "knee_to_chest": KneeToChest,
    "prone_extension": ProneExtension,
    "side_bend": SideBend,
}
