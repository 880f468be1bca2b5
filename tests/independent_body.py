"""An independent body and camera for testing formcheck from the outside.

Written from the design texts only (docs, /work/shared/design), not from the checker or its own
generator. A 3D stick body with MediaPipe's 33 landmarks is posed from joint-angle curves over time,
placed on a floor or standing, filmed by a pinhole camera (height, distance, roll, field of view,
resolution, fps) and then spoiled the way MediaPipe spoils real footage: jitter of about 0.5-1 % of the
torso, far-side landmarks at visibility 0.25-0.5 that still follow their limb, frames where the body is
lost, and points past the picture's edge.

World coordinates: X to the right of the picture, Y up, Z away from the camera (a left-handed frame
as seen in the picture, so a person's left is ``forward x up``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.interpolate import PchipInterpolator

from formcheck import landmarks as lm
from formcheck.pose_frame import PoseFrame
from formcheck.segments import PoseTrack

L, R = "left", "right"
SIDE_IDX = {
    L: dict(sh=lm.LEFT_SHOULDER, el=lm.LEFT_ELBOW, wr=lm.LEFT_WRIST, hip=lm.LEFT_HIP, kn=lm.LEFT_KNEE,
            an=lm.LEFT_ANKLE, he=lm.LEFT_HEEL, toe=lm.LEFT_FOOT_INDEX, ear=lm.LEFT_EAR,
            hand=(lm.LEFT_PINKY, lm.LEFT_INDEX, lm.LEFT_THUMB), eye=(lm.LEFT_EYE_INNER, lm.LEFT_EYE,
            lm.LEFT_EYE_OUTER), mouth=lm.MOUTH_LEFT),
    R: dict(sh=lm.RIGHT_SHOULDER, el=lm.RIGHT_ELBOW, wr=lm.RIGHT_WRIST, hip=lm.RIGHT_HIP, kn=lm.RIGHT_KNEE,
            an=lm.RIGHT_ANKLE, he=lm.RIGHT_HEEL, toe=lm.RIGHT_FOOT_INDEX, ear=lm.RIGHT_EAR,
            hand=(lm.RIGHT_PINKY, lm.RIGHT_INDEX, lm.RIGHT_THUMB), eye=(lm.RIGHT_EYE_INNER, lm.RIGHT_EYE,
            lm.RIGHT_EYE_OUTER), mouth=lm.MOUTH_RIGHT),
}  # fmt: skip


# ---------------------------------------------------------------- body
@dataclass(frozen=True)
class Body:
    """Proportions from stature (anthropometric fractions) and build (0 slim .. 1 heavy)."""

    height_m: float = 1.70
    build: float = 0.3

    @property
    def torso(self) -> float:  # hip joint to shoulder joint
        return 0.30 * self.height_m

    @property
    def thigh(self) -> float:
        return 0.245 * self.height_m

    @property
    def shank(self) -> float:
        return 0.246 * self.height_m

    @property
    def upper_arm(self) -> float:
        return 0.186 * self.height_m

    @property
    def forearm(self) -> float:
        return 0.146 * self.height_m

    @property
    def neck(self) -> float:  # shoulder joint to ear
        return 0.10 * self.height_m

    @property
    def shoulder_w(self) -> float:
        return 0.23 * self.height_m * (1 + 0.12 * self.build)

    @property
    def hip_w(self) -> float:
        return 0.12 * self.height_m * (1 + 0.35 * self.build)

    @property
    def hip_h(self) -> float:  # hip joint above the floor, lying
        return 0.055 * self.height_m * (1 + 0.4 * self.build)

    @property
    def shoulder_h(self) -> float:  # shoulder joint above the floor, lying (thicker chest: higher)
        return 0.06 * self.height_m * (1 + 0.9 * self.build)

    @property
    def leg(self) -> float:
        return self.thigh + self.shank + 0.04 * self.height_m


def curve(keys: Sequence[tuple[float, float]]) -> Callable[[float], float]:
    """A smooth (monotone cubic) angle curve through (time, value) keyframes, flat outside them."""
    keys = sorted(keys)
    keys = [k for i, k in enumerate(keys) if i == 0 or k[0] > keys[i - 1][0] + 1e-9]
    if len(keys) == 1:
        return const(keys[0][1])
    ts = np.array([k[0] for k in keys], float)
    vs = np.array([k[1] for k in keys], float)
    f = PchipInterpolator(ts, vs)
    return lambda t: float(vs[0] if t <= ts[0] else vs[-1] if t >= ts[-1] else f(t))


def const(v: float) -> Callable[[float], float]:
    return lambda t: v


def _rot2(a_deg: float) -> np.ndarray:
    a = np.radians(a_deg)
    return np.array([np.cos(a), np.sin(a)])


def _dir(a_deg: float, length: float = 1.0, z: float = 0.0) -> np.ndarray:
    """A 3D vector of ``length`` at angle ``a_deg`` in the x-y plane (plus ``z``)."""
    a = math.radians(a_deg)
    return np.array([length * math.cos(a), length * math.sin(a), z])


def _two_link(root: np.ndarray, target: np.ndarray, a: float, b: float, bend: np.ndarray) -> tuple:
    """Elbow/knee and end point of a two-segment limb reaching for ``target`` (3D); the middle joint
    bends toward ``bend``. Out of reach: the limb straightens toward the target."""
    d = target - root
    dist = float(np.linalg.norm(d))
    u = d / max(dist, 1e-9)
    if dist >= a + b - 1e-6:
        return root + u * a, root + u * (a + b)
    x = (a * a - b * b + dist * dist) / (2 * dist)
    h = np.sqrt(max(a * a - x * x, 0.0))
    perp = bend - np.dot(bend, u) * u
    perp /= max(np.linalg.norm(perp), 1e-9)
    return root + u * x + perp * h, target


def _left_sign_z(head_dir: float, face_up: bool) -> float:
    """Which z the person's left side is on (lying, long axis along x): left = forward x up."""
    # fwd = (0, f, 0), up = (h, 0, 0): (fwd x up).z = -f * h
    return -float(np.sign((1.0 if face_up else -1.0) * head_dir))


def _hand(pts: np.ndarray, s: dict, elbow: np.ndarray, wrist: np.ndarray, size: float) -> None:
    d = wrist - elbow
    d /= max(math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]), 1e-9)
    pts[s["wr"]] = wrist
    pts[s["hand"][0]] = wrist + d * size * 0.9 + np.array([0, 0, 0.01])
    pts[s["hand"][1]] = wrist + d * size
    pts[s["hand"][2]] = wrist + d * size * 0.5 + np.array([0, 0.02, 0])


# ---------------------------------------------------------------- lying on the back
@dataclass
class Supine:
    """Knee-to-chest. hip_deg[side](t): true hip flexion (thigh against the shoulder->hip line);
    knee flexion follows: hook-lying feet stay on the floor, the knee folds as the thigh comes up."""

    body: Body
    hip_deg: dict[str, Callable[[float], float]]
    hook: bool = True
    head_lift_deg: Callable[[float], float] = const(0.0)
    hands_on: Callable[[float], str | None] = lambda t: (
        None
    )  # the knee the hands pull ("left"/"right"/"both")
    head_dir: float = -1.0  # head toward the picture's left (-1) or right (+1)

    def points(self, t: float) -> np.ndarray:
        b = self.body
        pts = np.zeros((lm.COUNT, 3))
        zl = _left_sign_z(self.head_dir, True)
        hx = self.head_dir
        dh = b.shoulder_h - b.hip_h
        tx = np.sqrt(b.torso**2 - dh**2)
        beta = np.degrees(np.arctan2(-dh, -hx * tx))  # direction shoulder -> hip, in the x-y plane
        knees = {}
        for side in (L, R):
            s = SIDE_IDX[side]
            z = zl * (1 if side == L else -1)
            hip = np.array([0.0, b.hip_h, z * b.hip_w / 2])
            sh = np.array([hx * tx, b.shoulder_h, z * b.shoulder_w / 2])
            th = self.hip_deg[side](t)
            a_th = beta - hx * th  # flexion turns the thigh up toward the head
            knee = hip + _dir(a_th, b.thigh, 0.0)
            ankle_h = 0.045 * b.height_m
            if self.hook and knee[1] - ankle_h <= b.shank * 0.999:
                # foot flat on the floor, away from the head, as long as it can stay there
                a_sh = np.degrees(np.arcsin(-(knee[1] - ankle_h) / b.shank))
                a_sh = a_sh if hx < 0 else 180 - a_sh
                if th > 70:  # knee to chest: the foot leaves the floor and the knee folds further
                    fold = min(1.0, (th - 70) / 50)
                    v = fold * _rot2(a_th + hx * 130) + (1 - fold) * _rot2(a_sh)
                    a_sh = np.degrees(np.arctan2(v[1], v[0]))
            else:
                kf = min(130.0, max(0.0, (th - 5) * 1.1))  # legs straight start: knee bends as it rises
                a_sh = a_th + hx * kf
            ankle = knee + _dir(a_sh, b.shank, 0.0)
            a_ft = a_sh - hx * 65  # foot about flat when the shin slopes to the floor
            pts[s["sh"]], pts[s["hip"]], pts[s["kn"]], pts[s["an"]] = sh, hip, knee, ankle
            pts[s["toe"]] = ankle + _dir(a_ft, 0.13 * b.height_m, 0.0)
            pts[s["he"]] = ankle + _dir(a_ft + 180, 0.04 * b.height_m, 0.0) + [0, -0.02, 0]
            knees[side] = knee
        # head: ear beyond the shoulders, face up; a head lift turns it about the neck base
        neck = (pts[lm.LEFT_SHOULDER] + pts[lm.RIGHT_SHOULDER]) / 2
        lift = self.head_lift_deg(t)
        a_head = (180.0 if hx < 0 else 0.0) + hx * lift
        ear_c = neck + _dir(a_head, b.neck, 0.0) + [0, 0.01, 0]
        face = _dir(a_head + hx * 70, 0.06 * b.height_m, 0.0)
        for side in (L, R):
            s = SIDE_IDX[side]
            z = zl * (1 if side == L else -1)
            pts[s["ear"]] = ear_c + [0, 0, z * 0.075]
            for k, e in enumerate(s["eye"]):
                pts[e] = ear_c + face * 0.9 + [0, 0, z * (0.015 + 0.012 * k)]
            pts[s["mouth"]] = ear_c + face * 0.75 + _dir(a_head + 180, 0.025, 0) + [0, 0, z * 0.025]
        pts[lm.NOSE] = ear_c + face * 1.05
        # arms: along the body on the floor, or both hands pulling a knee in
        hold = self.hands_on(t)
        for side in (L, R):
            s = SIDE_IDX[side]
            z = zl * (1 if side == L else -1)
            sh = pts[s["sh"]]
            rest_wr = np.array([-hx * (b.upper_arm + b.forearm - tx), 0.03 * b.height_m, z * b.hip_w * 0.8])
            if hold is not None:
                kn = knees[R if hold == R else L] if hold != "both" else knees[side]
                target = kn + _dir(math.degrees(math.atan2(kn[1] - sh[1], kn[0] - sh[0])), 0.05 * b.height_m)
                target[2] = z * b.hip_w * 0.5
                elbow, wrist = _two_link(sh, target, b.upper_arm, b.forearm, np.array([0, -1.0, 0]))
            else:
                wrist = rest_wr
                elbow = sh + (wrist - sh) * b.upper_arm / (b.upper_arm + b.forearm)
            pts[s["el"]] = elbow
            _hand(pts, s, elbow, wrist, 0.05 * b.height_m)
        return pts

    def near_side(self) -> str:
        return L if _left_sign_z(self.head_dir, True) < 0 else R


# ---------------------------------------------------------------- lying on the stomach
@dataclass
class Prone:
    """Trunk extension. elev_deg(t): the hip->shoulder line against the floor (absolute, as in the
    picture; lying on the hands already reads about 10 deg). arms: "press" (hands planted under the
    shoulders), "forward" (stretched forward parallel to the floor)."""

    body: Body
    elev_deg: Callable[[float], float]
    arms: str = "press"
    leg_lift_deg: Callable[[float], float] = const(0.0)
    pelvis_lift_m: Callable[[float], float] = const(0.0)
    neck_ext_deg: Callable[[float], float] = const(0.0)  # head tilted up from the trunk line
    head_dir: float = -1.0
    hand_reach_deg: float = 50.0  # where the hands are planted: under the shoulders at this elevation

    def rest_elev(self) -> float:
        return self.elev_deg(0.0)

    def points(self, t: float) -> np.ndarray:
        b = self.body
        pts = np.zeros((lm.COUNT, 3))
        zl = _left_sign_z(self.head_dir, False)
        hx = self.head_dir
        e = self.elev_deg(t)
        a_tr = 180 - e if hx < 0 else e  # direction hip -> shoulder
        hip_y = b.hip_h * 0.9 + self.pelvis_lift_m(t)
        leg_a = (0.0 if hx < 0 else 180.0) + (-hx) * (-4.0 + self.leg_lift_deg(t))
        for side in (L, R):
            s = SIDE_IDX[side]
            z = zl * (1 if side == L else -1)
            hip = np.array([0.0, hip_y, z * b.hip_w / 2])
            sh = hip + _dir(a_tr, b.torso, z * (b.shoulder_w - b.hip_w) / 2)
            knee = hip + _dir(leg_a, b.thigh, 0)
            ankle = knee + _dir(leg_a + hx * 2, b.shank, 0)
            pts[s["sh"]], pts[s["hip"]], pts[s["kn"]], pts[s["an"]] = sh, hip, knee, ankle
            toe_a = leg_a + hx * 60  # toes pointed to the floor
            pts[s["toe"]] = ankle + _dir(toe_a, 0.11 * b.height_m, 0)
            pts[s["he"]] = ankle + _dir(leg_a - hx * 80, 0.04 * b.height_m, 0)
        neck = (pts[lm.LEFT_SHOULDER] + pts[lm.RIGHT_SHOULDER]) / 2
        a_head = a_tr + hx * (self.neck_ext_deg(t) - 8.0)  # neutral: the head a little toward the floor
        ear_c = neck + _dir(a_head, b.neck, 0.0)
        face = _dir(a_head - hx * 75, 0.06 * b.height_m, 0.0)  # face toward the floor
        for side in (L, R):
            s = SIDE_IDX[side]
            z = zl * (1 if side == L else -1)
            pts[s["ear"]] = ear_c + [0, 0, z * 0.075]
            for k, ei in enumerate(s["eye"]):
                pts[ei] = ear_c + face * 0.9 + [0, 0, z * (0.015 + 0.012 * k)]
            pts[s["mouth"]] = ear_c + face * 0.8 + [0, 0, z * 0.025]
        pts[lm.NOSE] = ear_c + face * 1.05
        reach = b.upper_arm + b.forearm
        for side in (L, R):
            s = SIDE_IDX[side]
            z = zl * (1 if side == L else -1)
            sh = pts[s["sh"]]
            if self.arms == "press":
                hand_x = hx * b.torso * np.cos(np.radians(self.hand_reach_deg)) * 1.05
                target = np.array([hand_x, 0.02 * b.height_m, z * b.shoulder_w * 0.5])
                elbow, wrist = _two_link(sh, target, b.upper_arm, b.forearm, np.array([-hx, 0.6, 0]))
            else:
                wrist = sh + _dir(180 if hx < 0 else 0, reach, 0) + [0, -0.01, 0]
                wrist[1] = max(wrist[1], 0.03 * b.height_m)
                elbow = sh + (wrist - sh) * b.upper_arm / reach
            pts[s["el"]] = elbow
            _hand(pts, s, elbow, wrist, 0.05 * b.height_m)
        return pts

    def near_side(self) -> str:
        return L if _left_sign_z(self.head_dir, False) < 0 else R


# ---------------------------------------------------------------- standing, facing the camera
@dataclass
class Standing:
    """Side bends. tilt_deg(t) > 0 bends toward the person's left; twist turns the shoulders about the
    trunk; lean_deg > 0 bends forward (toward the camera); hip_shift_m moves the pelvis sideways."""

    body: Body
    tilt_deg: Callable[[float], float]
    twist_deg: Callable[[float], float] = const(0.0)
    lean_deg: Callable[[float], float] = const(0.0)
    hip_shift_m: Callable[[float], float] = const(0.0)
    stance_m: float | None = None  # ankle to ankle; default about shoulder width
    # the pelvis moving back over the heels (away from the camera, +z), as it does in a forward fold
    hip_back_m: Callable[[float], float] = const(0.0)

    def points(self, t: float) -> np.ndarray:
        b = self.body
        pts = np.zeros((lm.COUNT, 3))
        stance = self.stance_m if self.stance_m is not None else b.shoulder_w * 0.95
        shift = self.hip_shift_m(t)
        pelvis = np.array([shift, b.leg, self.hip_back_m(t)])
        phi, psi, rho = (np.radians(f(t)) for f in (self.tilt_deg, self.lean_deg, self.twist_deg))
        # trunk frame: tilt about z (toward +x = the person's left), lean about x (toward -z), twist about y
        rz = np.array([[np.cos(phi), np.sin(phi), 0], [-np.sin(phi), np.cos(phi), 0], [0, 0, 1]])
        rx = np.array([[1, 0, 0], [0, np.cos(psi), np.sin(psi)], [0, -np.sin(psi), np.cos(psi)]])
        ry = np.array([[np.cos(rho), 0, np.sin(rho)], [0, 1, 0], [-np.sin(rho), 0, np.cos(rho)]])
        rot = rz @ rx
        up = rot @ np.array([0.0, 1.0, 0.0])
        across = rot @ ry @ np.array([1.0, 0.0, 0.0])  # toward the person's left
        fwd = rot @ ry @ np.array([0.0, 0.0, -1.0])
        shoulder_mid = pelvis + up * b.torso
        for side in (L, R):
            s = SIDE_IDX[side]
            sg = 1 if side == L else -1
            hip = pelvis + np.array([sg * b.hip_w / 2, 0, 0])
            ankle = np.array([sg * stance / 2, 0.045 * b.height_m, 0.0])
            knee = hip + (ankle - hip) * b.thigh / (b.thigh + b.shank + 0.04 * b.height_m)
            sh = shoulder_mid + across * sg * b.shoulder_w / 2
            elbow = sh + np.array([sg * 0.02, -b.upper_arm, 0.0])
            wrist = elbow + np.array([0.0, -b.forearm, -0.02])
            pts[s["sh"]], pts[s["hip"]], pts[s["kn"]], pts[s["an"]], pts[s["el"]] = (
                sh,
                hip,
                knee,
                ankle,
                elbow,
            )
            pts[s["he"]] = ankle + [0, -0.035, 0.05]
            pts[s["toe"]] = ankle + [sg * 0.02, -0.06, -0.15]
            _hand(pts, s, elbow, wrist, 0.05 * b.height_m)
        head = shoulder_mid + up * b.neck
        for side in (L, R):
            s = SIDE_IDX[side]
            sg = 1 if side == L else -1
            pts[s["ear"]] = head + across * sg * 0.075
            for k, ei in enumerate(s["eye"]):
                pts[ei] = head + fwd * 0.09 + across * sg * (0.015 + 0.013 * k) + up * 0.03
            pts[s["mouth"]] = head + fwd * 0.09 + across * sg * 0.025 - up * 0.04
        pts[lm.NOSE] = head + fwd * 0.11
        return pts

    def near_side(self) -> None:
        return None


# ---------------------------------------------------------------- other poses (recognition tests)
def _head(pts: np.ndarray, neck: np.ndarray, up: np.ndarray, fwd: np.ndarray, b: Body, zl: float) -> None:
    """Ears, eyes, mouth and nose about a neck base; ``up`` along the neck, ``fwd`` the face, the
    person's left toward ``zl`` in z (lying or side-on poses)."""
    head = neck + up * b.neck
    for side in (L, R):
        s = SIDE_IDX[side]
        z = zl * (1 if side == L else -1)
        pts[s["ear"]] = head + [0, 0, z * 0.075]
        for k, ei in enumerate(s["eye"]):
            pts[ei] = head + fwd * 0.09 + up * 0.03 + [0, 0, z * (0.015 + 0.012 * k)]
        pts[s["mouth"]] = head + fwd * 0.09 - up * 0.04 + [0, 0, z * 0.025]
    pts[lm.NOSE] = head + fwd * 0.11


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)


@dataclass
class Sitting:
    """Long sitting on the floor, legs straight toward ``facing`` (+1: the picture's right), seen from
    the side; the hands on the floor beside the hips. ``lean_deg(t)``: trunk back from vertical."""

    body: Body
    facing: float = 1.0
    lean_deg: Callable[[float], float] = const(5.0)

    def points(self, t: float) -> np.ndarray:
        b, fx = self.body, self.facing
        pts = np.zeros((lm.COUNT, 3))
        zl = fx  # left = forward x up
        a = math.radians(self.lean_deg(t))
        up = np.array([-fx * math.sin(a), math.cos(a), 0.0])
        for side in (L, R):
            s = SIDE_IDX[side]
            z = zl * (1 if side == L else -1)
            hip = np.array([0.0, b.hip_h * 1.3, z * b.hip_w / 2])
            sh = hip + up * b.torso + [0, 0, z * (b.shoulder_w - b.hip_w) / 2]
            knee = np.array([fx * b.thigh, b.hip_h * 1.1, z * b.hip_w / 2])
            ankle = knee + [fx * b.shank, -b.hip_h * 0.5, 0]
            pts[s["sh"]], pts[s["hip"]], pts[s["kn"]], pts[s["an"]] = sh, hip, knee, ankle
            pts[s["toe"]] = ankle + [fx * 0.05, 0.10 * b.height_m, 0]
            pts[s["he"]] = ankle + [-fx * 0.03, -0.03, 0]
            wrist = np.array([-fx * 0.12, 0.03 * b.height_m, z * (b.hip_w / 2 + 0.1)])
            elbow, wrist = _two_link(sh, wrist, b.upper_arm, b.forearm, np.array([-fx, 0.0, 0.0]))
            pts[s["el"]] = elbow
            _hand(pts, s, elbow, wrist, 0.05 * b.height_m)
        neck = (pts[lm.LEFT_SHOULDER] + pts[lm.RIGHT_SHOULDER]) / 2
        _head(pts, neck, up, np.array([fx, 0.0, 0.0]), b, zl)
        return pts

    def near_side(self) -> str:
        return L if self.facing < 0 else R


@dataclass
class AllFours:
    """On hands and knees, head toward ``head_dir`` (the picture's left -1 / right +1), seen from the side."""

    body: Body
    head_dir: float = -1.0

    def points(self, t: float) -> np.ndarray:
        b, hx = self.body, self.head_dir
        pts = np.zeros((lm.COUNT, 3))
        zl = _left_sign_z(hx, False)
        hip_y = b.thigh + 0.03 * b.height_m
        sh_y = b.upper_arm + b.forearm + 0.03 * b.height_m
        for side in (L, R):
            s = SIDE_IDX[side]
            z = zl * (1 if side == L else -1)
            hip = np.array([0.0, hip_y, z * b.hip_w / 2])
            dy = sh_y - hip_y
            sh = hip + [hx * math.sqrt(max(b.torso**2 - dy**2, 0.01)), dy, z * (b.shoulder_w - b.hip_w) / 2]
            knee = np.array([0.0, 0.03 * b.height_m, z * b.hip_w / 2])
            ankle = knee + [-hx * b.shank, 0.01, 0]
            pts[s["sh"]], pts[s["hip"]], pts[s["kn"]], pts[s["an"]] = sh, hip, knee, ankle
            pts[s["toe"]] = ankle + [-hx * 0.1 * b.height_m, -0.01, 0]
            pts[s["he"]] = ankle + [0, 0.04, 0]
            wrist = np.array([sh[0], 0.02 * b.height_m, sh[2]])
            elbow = sh + (wrist - sh) * b.upper_arm / (b.upper_arm + b.forearm)
            pts[s["el"]] = elbow
            _hand(pts, s, elbow, wrist, 0.05 * b.height_m)
        neck = (pts[lm.LEFT_SHOULDER] + pts[lm.RIGHT_SHOULDER]) / 2
        _head(pts, neck, np.array([hx, 0.2, 0.0]) / 1.02, np.array([0.0, -1.0, 0.0]), b, zl)
        return pts

    def near_side(self) -> str:
        return L if _left_sign_z(self.head_dir, False) < 0 else R


@dataclass
class Walking:
    """Walking side-on across the picture toward ``facing`` (+1: right) from ``x0`` at ``speed`` m/s."""

    body: Body
    x0: float = -2.5
    speed: float = 1.1
    facing: float = 1.0
    cadence_hz: float = 0.9  # strides per second (one stride: two steps)

    def points(self, t: float) -> np.ndarray:
        b, fx = self.body, self.facing
        pts = np.zeros((lm.COUNT, 3))
        zl = fx
        ph = 2 * math.pi * self.cadence_hz * t
        x = self.x0 + fx * self.speed * t
        pelvis = np.array([x, b.leg + 0.01 * math.cos(2 * ph), 0.0])
        up = np.array([fx * 0.05, 1.0, 0.0]) / math.hypot(0.05, 1.0)  # a slight forward lean
        for side in (L, R):
            s = SIDE_IDX[side]
            sg = 1 if side == L else -1
            z = zl * sg
            swing = math.radians(22 * math.sin(ph + (0 if side == L else math.pi)))
            kbend = math.radians(max(0.0, 35 * math.sin(ph + (0 if side == L else math.pi) + 1.2)))
            hip = pelvis + [0, 0, z * b.hip_w / 2]
            thigh_d = np.array([fx * math.sin(swing), -math.cos(swing), 0.0])
            knee = hip + thigh_d * b.thigh
            sa = swing - kbend
            ankle = knee + np.array([fx * math.sin(sa), -math.cos(sa), 0.0]) * (b.shank + 0.04 * b.height_m)
            sh = pelvis + up * b.torso + [0, 0, z * b.shoulder_w / 2]
            arm = math.radians(-18 * math.sin(ph + (0 if side == L else math.pi)))
            elbow = sh + np.array([fx * math.sin(arm), -math.cos(arm), 0.0]) * b.upper_arm
            wrist = elbow + np.array([fx * math.sin(arm + 0.3), -math.cos(arm + 0.3), 0.0]) * b.forearm
            pts[s["sh"]], pts[s["hip"]], pts[s["kn"]], pts[s["an"]], pts[s["el"]] = (
                sh,
                hip,
                knee,
                ankle,
                elbow,
            )
            pts[s["toe"]] = ankle + [fx * 0.14, -0.03, 0]
            pts[s["he"]] = ankle + [-fx * 0.05, -0.04, 0]
            _hand(pts, s, elbow, wrist, 0.05 * b.height_m)
        neck = (pts[lm.LEFT_SHOULDER] + pts[lm.RIGHT_SHOULDER]) / 2
        _head(pts, neck, up, np.array([fx, 0.0, 0.0]), b, zl)
        return pts

    def near_side(self) -> str:
        return L if self.facing < 0 else R


@dataclass
class Talking:
    """Standing facing the camera, talking: the forearms come up and gesture, the weight shifts a
    little (trunk sway of a few degrees), the head nods."""

    body: Body
    sway_deg: float = 2.5
    seed: int = 0

    def points(self, t: float) -> np.ndarray:
        b = self.body
        rng = np.random.default_rng(self.seed)
        f = rng.uniform(0.15, 0.5, 6)
        p = rng.uniform(0, 2 * math.pi, 6)
        tilt = self.sway_deg * math.sin(2 * math.pi * f[0] * t + p[0])
        pts = Standing(b, const(tilt)).points(t)
        for k, side in enumerate((L, R)):
            s = SIDE_IDX[side]
            sg = 1 if side == L else -1
            # elbow flexion 20..100 deg, hands in front of the belly, moving in and out
            flex = math.radians(60 + 40 * math.sin(2 * math.pi * f[1 + k] * t + p[1 + k]))
            spread = 0.08 * math.sin(2 * math.pi * f[3 + k] * t + p[3 + k])
            sh = pts[s["sh"]]
            elbow = sh + np.array([sg * 0.03, -b.upper_arm * 0.97, -0.05])
            fore = np.array([sg * spread, -math.cos(flex), -math.sin(flex)])
            wrist = elbow + _unit(fore) * b.forearm
            pts[s["el"]] = elbow
            _hand(pts, s, elbow, wrist, 0.05 * b.height_m)
        nod = 0.02 * math.sin(2 * math.pi * f[5] * t + p[5])
        for i in (lm.NOSE, lm.MOUTH_LEFT, lm.MOUTH_RIGHT, *SIDE_IDX[L]["eye"], *SIDE_IDX[R]["eye"]):
            pts[i] = pts[i] + [0, nod, 0]
        return pts

    def near_side(self) -> None:
        return None


@dataclass
class Weighted:
    """A standing pose with a weight in one hand: that arm hangs lower (shoulder pulled down a little)."""

    pose: Standing
    side: str = R
    drop_m: float = 0.06

    def points(self, t: float) -> np.ndarray:
        pts = self.pose.points(t)
        s = SIDE_IDX[self.side]
        for i in (s["el"], s["wr"], *s["hand"]):
            pts[i] = pts[i] + [0, -self.drop_m, 0]
        pts[s["sh"]] = pts[s["sh"]] + [0, -0.015, 0]
        return pts

    def near_side(self) -> None:
        return None


@dataclass
class Routine:
    """Poses one after another: ``parts`` are (start_s, end_s, pose) in time order; each pose is
    evaluated on the recording's clock inside its span and held still before and after it; between
    two spans the body moves smoothly from the one pose to the next (getting up, lying down, rolling)."""

    parts: Sequence[tuple[float, float, object]]

    def points(self, t: float) -> np.ndarray:
        parts = self.parts
        if t <= parts[0][0]:
            return parts[0][2].points(parts[0][0])
        for i, (a, b, p) in enumerate(parts):
            if a <= t <= b:
                return p.points(t)
            if i + 1 < len(parts) and b < t < parts[i + 1][0]:
                a2, _, p2 = parts[i + 1]
                u = (t - b) / (a2 - b)
                u = u * u * (3 - 2 * u)
                return (1 - u) * p.points(b) + u * p2.points(a2)
        return parts[-1][2].points(parts[-1][1])

    def near_side(self) -> str | None:
        return self.parts[0][2].near_side()

    def near_side_at(self, t: float) -> str | None:
        best = min(self.parts, key=lambda q: 0.0 if q[0] <= t <= q[1] else min(abs(t - q[0]), abs(t - q[1])))
        return best[2].near_side()


# ---------------------------------------------------------------- camera and tracker
@dataclass
class Camera:
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    position: tuple[float, float, float] = (0.0, 0.3, -2.2)
    look_at: tuple[float, float, float] = (0.0, 0.15, 0.0)
    roll_deg: float = 0.0
    hfov_deg: float = 65.0

    def project(self, pts: np.ndarray) -> np.ndarray:
        pos, right, down, fwd, f = self._basis()
        rel = pts - pos
        xc, yc, zc = rel @ right, rel @ down, rel @ fwd
        return np.stack([f * xc / zc + self.width / 2, f * yc / zc + self.height / 2], axis=1)

    def depth(self, pts: np.ndarray) -> np.ndarray:
        """MediaPipe-like relative depth: distance along the view from the hips' midpoint, in pixels
        at the hips' scale (smaller is nearer the camera)."""
        pos, _, _, fwd, f = self._basis()
        zc = (pts - pos) @ fwd
        zh = (zc[lm.LEFT_HIP] + zc[lm.RIGHT_HIP]) / 2
        return (zc - zh) * f / zh

    def _basis(self) -> tuple:
        key = (self.position, self.look_at, self.roll_deg, self.hfov_deg, self.width)
        if getattr(self, "_cache", (None,))[0] == key:
            return self._cache[1]
        pos = np.array(self.position, float)
        fwd = np.array(self.look_at, float) - pos
        fwd /= np.linalg.norm(fwd)
        right = np.cross([0.0, 1.0, 0.0], fwd)
        right /= np.linalg.norm(right)
        down = np.cross(right, fwd)
        c, s = np.cos(np.radians(self.roll_deg)), np.sin(np.radians(self.roll_deg))
        right, down = c * right + s * down, -s * right + c * down
        f = self.width / 2 / np.tan(np.radians(self.hfov_deg) / 2)
        self._cache = (key, (pos, right, down, fwd, f))
        return self._cache[1]


@dataclass
class OrbitCamera:
    """A camera carried around a person at a fixed distance and height: ``azimuth_deg(t)`` is 0 for the
    usual side view (camera at -z) and turns toward -x (90: on the -x side of the body, looking along
    it). Someone moving a phone on a stand while lying, or a helper walking round with it."""

    base: Camera
    center: tuple[float, float, float]
    azimuth_deg: Callable[[float], float]

    @property
    def width(self) -> int:
        return self.base.width

    @property
    def height(self) -> int:
        return self.base.height

    @property
    def fps(self) -> float:
        return self.base.fps

    def at(self, t: float) -> Camera:
        c = np.array(self.center, float)
        pos = np.array(self.base.position, float) - c
        look = np.array(self.base.look_at, float) - c
        a = -math.radians(self.azimuth_deg(t))  # positive azimuth carries the camera toward -x
        rot = np.array([[math.cos(a), 0.0, -math.sin(a)], [0.0, 1.0, 0.0], [math.sin(a), 0.0, math.cos(a)]])
        p2, l2 = rot @ pos + c, rot @ look + c
        b = self.base
        return Camera(b.width, b.height, b.fps, tuple(p2), tuple(l2), b.roll_deg, b.hfov_deg)


@dataclass
class Slid:
    """A pose moved along the floor (x) by ``dx_m(t)``: a person shuffling while lying."""

    pose: object
    dx_m: Callable[[float], float]

    def points(self, t: float) -> np.ndarray:
        return self.pose.points(t) + np.array([self.dx_m(t), 0.0, 0.0])  # type: ignore[attr-defined]

    def near_side(self) -> str | None:
        return self.pose.near_side()  # type: ignore[attr-defined]


@dataclass
class Tracker:
    """What MediaPipe makes of it: jitter, far-side visibility, lost frames."""

    jitter_frac: float = 0.007  # of the torso length in the picture
    seed: int = 0
    lost: Sequence[tuple[float, float]] = ()  # time spans with no person found
    far_vis: tuple[float, float] = (0.25, 0.5)
    far_clear_vis: tuple[float, float] = (0.55, 0.8)  # far points clear of the near body's outline
    depth: bool = True  # relative depth per landmark (False: zeros)
    # Points past the picture's edge are guesses: their visibility, and how far the guesses wander
    # (a slow random walk, in torso lengths; MediaPipe's guesses of unseen feet drift and jump about).
    edge_vis: tuple[float, float] = (0.05, 0.35)
    edge_wander_frac: float = 0.0
    rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)


def _seg_dist(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of points p (n, 2) from the segment a-b."""
    ab = b - a
    u = np.clip((p - a) @ ab / max(float(ab @ ab), 1e-9), 0.0, 1.0)
    return np.linalg.norm(a + u[:, None] * ab - p, axis=1)


def film(
    pose: Supine | Prone | Standing | Sitting | AllFours | Walking | Talking | Weighted | Routine,
    duration_s: float,
    camera: Camera,
    tracker: Tracker | None = None,
    name: str = "independent",
) -> PoseTrack:
    """Render the pose over time into the poses a tracker would return."""
    tracker = tracker or Tracker()
    rng = tracker.rng
    n = int(round(duration_s * camera.fps))
    near = pose.near_side()
    far = None if near is None else (R if near == L else L)
    near_at = getattr(pose, "near_side_at", None)
    poses: list[PoseFrame] = []
    drift = np.zeros((lm.COUNT, 2))
    wander = np.zeros((lm.COUNT, 2))
    for i in range(n):
        t = i / camera.fps
        if any(a <= t < b for a, b in tracker.lost):
            poses.append(PoseFrame.empty(i, t, camera.width, camera.height))
            continue
        if near_at is not None:  # a routine: the side nearest the camera changes as the person turns
            near = near_at(t)
            far = None if near is None else (R if near == L else L)
        pts = pose.points(t)
        cam = camera.at(t) if hasattr(camera, "at") else camera  # a camera that moves
        xy = cam.project(pts)
        sh = (xy[lm.LEFT_SHOULDER] + xy[lm.RIGHT_SHOULDER]) / 2
        hp = (xy[lm.LEFT_HIP] + xy[lm.RIGHT_HIP]) / 2
        torso_px = float(np.linalg.norm(sh - hp))
        sigma = tracker.jitter_frac * torso_px
        drift = 0.6 * drift + rng.normal(0, sigma * 0.8, drift.shape)  # correlated part
        xy = xy + drift + rng.normal(0, sigma * 0.6, xy.shape)
        vis = rng.uniform(0.9, 0.995, lm.COUNT)
        if far is not None:  # far-side points hidden behind the near body: 0.25-0.5, else seen
            fs, ns = SIDE_IDX[far], SIDE_IDX[near]
            far_ids = [fs[k] for k in ("sh", "hip", "kn", "an", "he", "toe", "el", "wr", "ear", "mouth")]
            far_ids += list(fs["hand"]) + list(fs["eye"])
            near_segs = [(ns["sh"], ns["hip"], 0.35), (ns["hip"], ns["kn"], 0.2), (ns["kn"], ns["an"], 0.15)]
            hidden = np.zeros(len(far_ids), bool)
            for a, b, w in near_segs:
                hidden |= _seg_dist(xy[far_ids], xy[a], xy[b]) < w * torso_px
            lo, hi = tracker.far_vis
            clo, chi = tracker.far_clear_vis
            u = rng.uniform(0, 1, len(far_ids))
            vis[far_ids] = np.where(hidden, lo + u * (hi - lo), clo + u * (chi - clo))
        # points past the picture's edge: still returned (guessed), with low visibility
        out = (xy[:, 0] < 0) | (xy[:, 0] > camera.width) | (xy[:, 1] < 0) | (xy[:, 1] > camera.height)
        vis[out] = np.minimum(vis[out], rng.uniform(*tracker.edge_vis, int(out.sum())))
        if tracker.edge_wander_frac > 0:
            step = tracker.edge_wander_frac * torso_px
            wander = 0.9 * wander + rng.normal(0, step * 0.45, wander.shape)
            xy[out] = xy[out] + wander[out]
        depth = cam.depth(pts) if tracker.depth else np.zeros(lm.COUNT)
        poses.append(PoseFrame(i, t, camera.width, camera.height, xy, vis, depth))
    return PoseTrack(name=name, fps=camera.fps, width=camera.width, height=camera.height, poses=poses)


def side_camera(body: Body, *, distance: float = 2.2, height: float = 0.25, roll: float = 0.0,
                size: tuple[int, int] = (1280, 720), fps: float = 25.0, center_x: float = 0.0,
                hfov: float = 65.0) -> Camera:  # fmt: skip
    """A camera at floor level beside a person lying along x, looking at the middle of the body."""
    return Camera(size[0], size[1], fps, (center_x, height, -distance), (center_x, 0.12, 0.0), roll, hfov)


def front_camera(body: Body, *, distance: float = 3.8, height: float = 1.1, roll: float = 0.0,
                 size: tuple[int, int] = (1280, 720), fps: float = 25.0, hfov: float = 60.0,
                 ) -> Camera:  # fmt: skip
    """A camera in front of a standing person, about chest height, whole body in view."""
    return Camera(
        size[0], size[1], fps, (0.0, height, -distance), (0.0, body.height_m * 0.5, 0.0), roll, hfov
    )


def angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Angle at b between b->a and b->c."""
    u, v = a - b, c - b
    return float(np.degrees(np.arccos(np.clip(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v), -1, 1))))


def true_hip_flexion(pose: Supine, t: float, side: str, camera: Camera | None = None) -> float:
    """Hip flexion from the true (3D, or noiseless projected) points: 180 - angle(shoulder, hip, knee)."""
    pts = pose.points(t)
    if camera is not None:
        pts = camera.project(pts)
    s = SIDE_IDX[side]
    return 180.0 - angle_deg(pts[s["sh"]], pts[s["hip"]], pts[s["kn"]])


# ---------------------------------------------------------------- how recordings are edited (post-processing)
def _retrack(track: PoseTrack, poses: list[PoseFrame], width: int | None = None, height: int | None = None):
    return PoseTrack(
        name=track.name,
        fps=track.fps,
        width=track.width if width is None else width,
        height=track.height if height is None else height,
        poses=poses,
    )


def _frame(p: PoseFrame, xy: np.ndarray | None = None, vis: np.ndarray | None = None, **kw) -> PoseFrame:
    return PoseFrame(
        index=p.index,
        t_s=p.t_s,
        width_px=kw.get("width", p.width_px),
        height_px=kw.get("height", p.height_px),
        xy_px=p.xy_px if xy is None else xy,
        visibility=p.visibility if vis is None else vis,
        depth=kw.get("depth", p.depth),
        world_m=p.world_m,
        person_found=p.person_found,
        other_people=kw.get("other_people", p.other_people),
    )


def _edge_vis(xy: np.ndarray, vis: np.ndarray, w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """Points past the picture's edge: still returned, with low visibility (as ``film`` does)."""
    out = (xy[:, 0] < 0) | (xy[:, 0] > w) | (xy[:, 1] < 0) | (xy[:, 1] > h)
    vis = vis.copy()
    vis[out] = np.minimum(vis[out], rng.uniform(0.05, 0.35, int(out.sum())))
    return vis


def title_card(track: PoseTrack, t0: float, t1: float) -> PoseTrack:
    """A title card (or any shot without the person) from t0 to t1: no person found."""
    poses = [
        PoseFrame.empty(p.index, p.t_s, p.width_px, p.height_px) if t0 <= p.t_s < t1 else p
        for p in track.poses
    ]
    return _retrack(track, poses)


def reframe(
    track: PoseTrack,
    t0: float,
    t1: float,
    *,
    scale: float = 1.0,
    rot_deg: float = 0.0,
    shift_px: tuple[float, float] = (0.0, 0.0),
    about_px: tuple[float, float] | None = None,
    seed: int = 0,
) -> PoseTrack:
    """A cut to another shot (a close-up) or a knocked camera from t0 to t1: every found skeleton is
    scaled by ``scale`` and turned by ``rot_deg`` about ``about_px`` (default: the picture's centre), then
    moved by ``shift_px``; points that leave the picture get low visibility. Depth scales with it."""
    rng = np.random.default_rng(seed)
    c = np.array(about_px if about_px is not None else (track.width / 2, track.height / 2), float)
    a = math.radians(rot_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    poses = []
    for p in track.poses:
        if not (t0 <= p.t_s < t1) or not p.person_found:
            poses.append(p)
            continue
        xy = (p.xy_px - c) @ rot.T * scale + c + np.array(shift_px, float)
        vis = _edge_vis(xy, p.visibility, p.width_px, p.height_px, rng)
        poses.append(_frame(p, xy, vis, depth=p.depth * scale))
    return _retrack(track, poses)


def hide(track: PoseTrack, t0: float, t1: float, ids: Sequence[int], vis: float = 0.1) -> PoseTrack:
    """A text overlay or a player tooltip over some landmarks from t0 to t1: their visibility drops."""
    ids = list(ids)
    poses = []
    for p in track.poses:
        if t0 <= p.t_s < t1 and p.person_found:
            v = p.visibility.copy()
            v[ids] = np.minimum(v[ids], vis)
            p = _frame(p, vis=v)
        poses.append(p)
    return _retrack(track, poses)


def others(track: PoseTrack, t0: float, t1: float, n: int = 1) -> PoseTrack:
    """The pose estimator counts ``n`` other people from t0 to t1 (a ghost, or a real second person)."""
    poses = [_frame(p, other_people=n) if t0 <= p.t_s < t1 else p for p in track.poses]
    return _retrack(track, poses)


def letterbox(track: PoseTrack, width: int, height: int) -> PoseTrack:
    """The whole recording placed, scaled to fit and centred, inside a ``width`` x ``height`` frame
    (landscape inside portrait: black bars above and below)."""
    s = min(width / track.width, height / track.height)
    off = np.array([(width - track.width * s) / 2, (height - track.height * s) / 2])
    poses = []
    for p in track.poses:
        if p.person_found:
            poses.append(_frame(p, p.xy_px * s + off, width=width, height=height, depth=p.depth * s))
        else:
            poses.append(PoseFrame.empty(p.index, p.t_s, width, height, p.other_people))
    return _retrack(track, poses, width, height)
