"""Routine clips: one recording with several exercises and what people do between them.

A routine clip (`[[clip.step]]` lists in clips.toml) is a sequence of steps on one clock:

- `exercise`: one exercise segment, scripted like a single clip (its own `reps`, `settings`, start
  position, camera) and measured with the same truth code (`render.ground_truth`) over its time span;
- `rest`, `fidget`: lying (or standing) still, or a hand going to the hair or the shirt and back;
- `roll`: from lying on the back to lying on the stomach, same camera (a real roll over, ~4 s);
- `camera_move`: the camera is picked up, carried (fast pan and tilt, shake, motion blur, the person
  out of the picture) and set down where the next exercise needs it; a posture change too hard to
  animate (getting up off the floor, lying down) happens while the person is out of the picture;
- `walk`, `squat`, `sit_down`, `sit`, `stand_up`: other movements of a standing person.

Every step starts from the pose the previous one ended in, so the movement is continuous. The truth
file has `segments` (one per exercise step, in the single-clip schema plus `start_s`/`end_s`) and `other`
(every other step's time span and movement).
"""

from __future__ import annotations

import json
import pathlib
import zlib

import cv2
import numpy as np

from . import truth
from .body import LANDMARK_NAMES, REGIONS, SEGMENTS, Body, Pose, direction, rotation
from .motion import EXERCISES, FLOOR_MAT_TOP, Track, two_bone_ik
from .render import FPS, VideoWriter, body_colors, calibrate, ground_truth, make_camera, schedule
from .scene import HEIGHT, WIDTH, Camera, Renderer, Room, Webcam

EVEN = (0.2, 0.2, 0.2, 0.2, 0.2)
SIT_BACK = 0.55  # sitting on the floor: the pelvis this far behind the feet (knees up)
POSTURE = {"knee_to_chest": "supine", "prone_extension": "prone", "side_bend": "standing"}


# ------------------------------------------------------------------------------------------- poses


def explicit(body: Body, pose: Pose) -> Pose:
    """The same pose with every limb segment aimed explicitly (so any two poses can be blended)."""
    glob = body.bone_transforms(pose)
    aims = {}
    for seg, (a, b) in SEGMENTS.items():
        ia, ib = body.index[a], body.index[b]
        d = glob[ia, :3, :3] @ (body.heads[ib] - body.heads[ia])
        aims[seg] = d / np.linalg.norm(d)
    return Pose(
        spine=tuple(float(x) for x in pose.spine),
        neck=float(pose.neck),
        aims=aims,
        root=np.array(pose.root, dtype=float).copy(),
        offset=np.array(pose.offset, dtype=float).copy(),
        spine_weights=tuple(pose.spine_weights) if pose.spine_weights is not None else EVEN,
    )


def _slerp(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    ang = float(np.arccos(np.clip(a @ b, -1, 1)))
    if ang < 1e-6:
        return a
    if ang > np.pi - 1e-3:  # opposite: turn about any perpendicular axis
        perp = np.cross(a, [1.0, 0, 0] if abs(a[0]) < 0.9 else [0, 1.0, 0])
        return rotation(perp, np.degrees(ang) * w) @ a
    return (np.sin((1 - w) * ang) * a + np.sin(w * ang) * b) / np.sin(ang)


def _log_rot(r: np.ndarray) -> np.ndarray:
    """Rotation vector (axis * radians) of a 3x3 rotation."""
    ang = float(np.arccos(np.clip((np.trace(r) - 1) / 2, -1, 1)))
    if ang < 1e-8:
        return np.zeros(3)
    v = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]])
    if np.linalg.norm(v) < 1e-8:  # 180 degrees
        w, vecs = np.linalg.eigh((r + np.eye(3)) / 2)
        return vecs[:, -1] * ang
    return v / np.linalg.norm(v) * ang


def blend_root(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    m = np.eye(4)
    rel = _log_rot(a[:3, :3].T @ b[:3, :3])
    ang = np.linalg.norm(rel)
    m[:3, :3] = a[:3, :3] @ (rotation(rel, np.degrees(ang * w)) if ang > 1e-9 else np.eye(3))
    m[:3, 3] = (1 - w) * a[:3, 3] + w * b[:3, 3]
    return m


def blend(a: Pose, b: Pose, w: float) -> Pose:
    """Pose between two explicit poses (w = 0: a, 1: b): limb directions turn along great circles."""
    w = float(np.clip(w, 0, 1))
    return Pose(
        spine=tuple((1 - w) * np.array(a.spine) + w * np.array(b.spine)),
        neck=(1 - w) * a.neck + w * b.neck,
        aims={k: _slerp(a.aims[k], b.aims[k], w) for k in a.aims},
        root=blend_root(a.root, b.root, w),
        offset=(1 - w) * a.offset + w * b.offset,
        spine_weights=tuple((1 - w) * np.array(a.spine_weights) + w * np.array(b.spine_weights)),
    )


def with_aims(p: Pose, **aims: np.ndarray) -> Pose:
    out = Pose(p.spine, p.neck, dict(p.aims), p.root.copy(), p.offset.copy(), p.spine_weights)
    out.aims.update(aims)
    return out


def ease(u: np.ndarray | float) -> np.ndarray | float:
    u = np.clip(u, 0, 1)
    return (1 - np.cos(np.pi * u)) / 2


def keyframes(keys: list[tuple[float, Pose]], u: float) -> Pose:
    """Pose at normalised time u through (u_k, pose_k) keyframes, eased between neighbours."""
    if u <= keys[0][0]:
        return keys[0][1]
    for (u0, p0), (u1, p1) in zip(keys, keys[1:], strict=False):
        if u <= u1:
            return blend(p0, p1, float(ease((u - u0) / max(u1 - u0, 1e-9))))
    return keys[-1][1]


def arm_to(body: Body, pose: Pose, side: str, target: np.ndarray, pole: np.ndarray) -> dict[str, np.ndarray]:
    """Aims of one arm (body frame) that put its wrist at `target` (body frame)."""
    s = side[0]
    glob = body.bone_transforms(pose)
    b = body.index[f"upperarm01.{s.upper()}"]
    shoulder = glob[b, :3, :3] @ body.heads[b] + glob[b, :3, 3]
    upper, fore = two_bone_ik(
        shoulder, target, body.segment_length(f"upperarm_{s}"), body.segment_length(f"forearm_{s}"), pole
    )
    return {f"upperarm_{s}": upper, f"forearm_{s}": fore}


class Grounder:
    """Per-frame vertical placement: a region of the body rests on the floor (or the mat)."""

    def __init__(self, body: Body) -> None:
        self.body = body
        clothed = np.isin(body.region, [REGIONS.index("shirt"), REGIONS.index("trousers")])
        self.clothed = np.flatnonzero(clothed)[::3]
        self.socks = np.flatnonzero(body.region == REGIONS.index("socks"))
        self.sub = np.arange(0, len(body.rest_vertices), 7)

    def vertices(self, pose: Pose, which: np.ndarray) -> np.ndarray:
        glob = self.body.bone_transforms(pose)
        world = np.einsum("ij,bjk->bik", pose.root, glob)
        return self.body._skin(world, which)


# ------------------------------------------------------------------------------------ standing person


class Standing:
    """A standing person who walks, turns, squats and sits down on the floor, built on the side-bend
    body (its neutral pose is exactly the side-bend start, so a walk can end in that start position).

    Channels: x, y (world), heading (deg, 0 = facing world -Y), walk (cycle phase), amp (0..1 stride),
    drop (m the pelvis goes down), back (m it goes back), lean (spine extension, negative = forward),
    arms (0..1 forward for balance), knees (0..1 hands on the knees), tilt (a small side lean).
    """

    def __init__(self, body: Body) -> None:
        self.body = body
        self.sb = EXERCISES["side_bend"](body, "standing", 0.0, (0.0, 0.0))
        self.z0 = float(self.sb.root[2, 3])
        self.ground = Grounder(body)
        start = self.sb.pose(dict(self.sb.channels))
        start.root = np.eye(4)
        self.neutral = explicit(body, start)
        b = body
        self._thigh, self._shin = b.segment_length("thigh_l"), b.segment_length("shin_l")
        self._ankles = {s: b.heads[b.index[f"foot.{s}"]].copy() for s in ("L", "R")}
        self._hips = {s: b.heads[b.index[f"upperleg01.{s}"]].copy() for s in ("L", "R")}
        self.drop_sit = self._solve_sit_drop()

    def root(self, x: float, y: float, heading: float, z: float | None = None) -> np.ndarray:
        m = np.eye(4)
        m[:3, :3] = rotation((0, 0, 1), heading)
        m[:3, 3] = (x, y, self.z0 if z is None else z)
        return m

    def _legs(self, offset: np.ndarray) -> dict[str, np.ndarray]:
        aims = {}
        for s, sign in (("L", 1.0), ("R", -1.0)):
            thigh, shin = two_bone_ik(
                self._hips[s] + offset,
                self._ankles[s],
                self._thigh,
                self._shin,
                direction(forward=1.0, up=1.0, left=sign * 0.2),  # knees forward standing, up sitting
            )
            aims[f"thigh_{s.lower()}"], aims[f"shin_{s.lower()}"] = thigh, shin
        return aims

    def pose(self, ch: dict[str, float]) -> Pose:
        b = self.body
        aims = dict(self.neutral.aims)
        offset = np.array([0.0, ch.get("back", 0.0), -ch.get("drop", 0.0)])
        if ch.get("drop", 0.0) > 1e-4 or ch.get("back", 0.0) > 1e-4:
            aims.update(self._legs(offset))
        amp = ch.get("amp", 0.0)
        if amp > 1e-4:
            ph = 2 * np.pi * ch.get("walk", 0.0)
            for s, sign, sh in (("l", 1.0, 0.0), ("r", -1.0, np.pi)):
                th = amp * 20.0 * np.sin(ph + sh)  # thigh forward swing, deg
                # The knee bends while the leg swings forward (the second half of its back swing).
                kn = amp * 38.0 * max(0.0, np.sin(ph + sh + 2.4)) ** 1.5 + amp * 6.0
                t, k = np.radians(th), np.radians(th - kn)
                thigh = direction(forward=np.sin(t), up=-np.cos(t), left=sign * 0.04)
                shin = direction(forward=np.sin(k), up=-np.cos(k), left=sign * 0.03)
                w = min(1.0, amp * 3)
                aims[f"thigh_{s}"] = _slerp(aims[f"thigh_{s}"], thigh, w)
                aims[f"shin_{s}"] = _slerp(aims[f"shin_{s}"], shin, w)
                arm = np.radians(-amp * 16.0 * np.sin(ph + sh))
                aims[f"upperarm_{s}"] = direction(forward=np.sin(arm), up=-np.cos(arm), left=sign * 0.18)
                aims[f"forearm_{s}"] = direction(forward=np.sin(arm) + 0.25, up=-np.cos(arm), left=sign * 0.1)
        arms = ch.get("arms", 0.0)
        if arms > 1e-4:
            for s, sign in (("l", 1.0), ("r", -1.0)):
                fwd = direction(forward=1.0, up=0.05, left=sign * 0.12)
                aims[f"upperarm_{s}"] = _slerp(aims[f"upperarm_{s}"], fwd, arms)
                aims[f"forearm_{s}"] = _slerp(aims[f"forearm_{s}"], fwd, arms)
        lean = ch.get("lean", 0.0)
        pose = Pose(spine=(lean, ch.get("tilt", 0.0), 0.0), aims=aims, offset=offset, spine_weights=EVEN)
        knees = ch.get("knees", 0.0)
        if knees > 1e-4:
            glob = b.bone_transforms(pose)
            for s, sign in (("l", 1.0), ("r", -1.0)):
                kb = b.index[f"lowerleg01.{s.upper()}"]
                knee = glob[kb, :3, :3] @ b.heads[kb] + glob[kb, :3, 3]
                target = knee + direction(forward=1.0, up=-0.3) * 0.06
                ik = arm_to(b, pose, s, target, direction(left=sign * 1.0, up=-0.3))
                for k, v in ik.items():
                    pose.aims[k] = _slerp(pose.aims[k], v, knees)
        pose.root = self.root(ch["x"], ch["y"], ch["heading"], 0.0)
        # Feet on the floor (one of them at least while walking).
        pose.root[2, 3] = -float(self.ground.vertices(pose, self.ground.socks)[:, 2].min())
        return pose

    def _solve_sit_drop(self) -> float:
        """How far the pelvis goes down for sitting on the floor with the knees up (SIT_BACK behind)."""
        trousers = np.flatnonzero(self.body.region == REGIONS.index("trousers"))[::2]
        lo, hi = 0.3, 1.2
        for _ in range(18):
            mid = (lo + hi) / 2
            p = self.pose({"x": 0.0, "y": 0.0, "heading": 0.0, "drop": mid, "back": SIT_BACK, "lean": 4.0})
            low = float(self.ground.vertices(p, trousers)[:, 2].min())
            if low > 0.012:
                lo = mid
            else:
                hi = mid
        return lo


# ----------------------------------------------------------------------------------------- camera


def carried_path(a: Camera, b: Camera, n: int, rng: np.random.Generator, swing: float) -> list[Camera]:
    """A camera picked up at `a`, carried (hand shake, walking bob, pointing away and at the floor) and
    set down at `b` over n frames."""

    def yaw_pitch(c: Camera) -> tuple[float, float]:
        f = c.target - c.eye
        f = f / np.linalg.norm(f)
        return float(np.degrees(np.arctan2(f[0], f[1]))), float(np.degrees(np.arcsin(f[2])))

    ya, pa = yaw_pitch(a)
    yb, pb = yaw_pitch(b)
    u = np.arange(n) / max(n - 1, 1)
    # Lift (0-0.18), carry (0.18-0.8), set down and settle (0.8-1).
    lift = ease(np.interp(u, [0, 0.18, 0.8, 1.0], [0, 1, 1, 0]))
    along = ease(np.clip((u - 0.12) / 0.76, 0, 1))
    hand_z = 1.05 + rng.uniform(-0.1, 0.1)
    yaw_key = [ya, ya + swing * 0.6, ya + swing, ya + swing * 0.8, yb + swing * 0.15, yb]
    pitch_key = [pa, -45.0, -55.0, -25.0, pb - 12.0, pb]
    u_key = [0.0, 0.15, 0.4, 0.62, 0.84, 1.0]
    cams = []
    ph = rng.uniform(0, 2 * np.pi, 6)
    for i in range(n):
        ui = u[i]
        k = int(np.searchsorted(u_key, ui, side="right") - 1)
        k = min(k, len(u_key) - 2)
        w = float(ease((ui - u_key[k]) / (u_key[k + 1] - u_key[k])))
        yaw = yaw_key[k] + w * (yaw_key[k + 1] - yaw_key[k])
        pitch = pitch_key[k] + w * (pitch_key[k + 1] - pitch_key[k])
        shake = float(np.sin(np.pi * np.clip(ui / 0.95, 0, 1)))  # none at rest, most mid-carry
        t = i / FPS
        yaw += shake * (6 * np.sin(2 * np.pi * 1.7 * t + ph[0]) + 3 * np.sin(2 * np.pi * 4.1 * t + ph[1]))
        pitch += shake * (5 * np.sin(2 * np.pi * 2.1 * t + ph[2]) + 2.5 * np.sin(2 * np.pi * 5.3 * t + ph[3]))
        roll = (1 - along[i]) * a.roll_deg + along[i] * b.roll_deg
        roll += shake * (12 * np.sin(2 * np.pi * 0.9 * t + ph[4]) + 4 * np.sin(2 * np.pi * 3.7 * t + ph[5]))
        pitch = float(np.clip(pitch, -75, 75))
        eye = (1 - along[i]) * a.eye + along[i] * b.eye
        eye = eye.copy()
        eye[2] = (1 - lift[i]) * eye[2] + lift[i] * hand_z
        eye[2] += shake * 0.025 * np.sin(2 * np.pi * 1.9 * t)  # walking bob
        yr, pr = np.radians(yaw), np.radians(pitch)
        f = np.array([np.sin(yr) * np.cos(pr), np.cos(yr) * np.cos(pr), np.sin(pr)])
        cams.append(Camera(eye, eye + f, float(roll), a.yfov_deg))
    cams[0], cams[-1] = a, b
    return cams


def motion_blur(img: np.ndarray, prev: Camera, cam: Camera) -> np.ndarray:
    """Blur along the image motion over half a frame's exposure (the camera moving fast)."""
    if (
        np.allclose(prev.eye, cam.eye)
        and np.allclose(prev.target, cam.target)
        and prev.roll_deg == cam.roll_deg
    ):
        return img
    r, u, f = cam.axes()
    pts = []
    for dx in (-0.3, 0.0, 0.3):
        for dy in (-0.25, 0.0, 0.25):
            pts.append(cam.eye + 2.0 * (f + dx * r + dy * u))
    pts = np.array(pts)
    d = cam.project(pts) - prev.project(pts)
    v = 0.5 * np.median(d, axis=0)
    length = float(np.linalg.norm(v))
    if length < 1.5:
        return img
    length = min(length, 45.0)
    k = int(np.ceil(length)) | 1
    kernel = np.zeros((k, k), np.float32)
    c = k // 2
    dirn = v / np.linalg.norm(v)
    for s in np.linspace(-length / 2, length / 2, 2 * k):
        x, y = int(round(c + s * dirn[0])), int(round(c + s * dirn[1]))
        if 0 <= x < k and 0 <= y < k:
            kernel[y, x] = 1.0
    kernel /= kernel.sum()
    return cv2.filter2D(img, -1, kernel)


def in_view(cam: Camera, pts: np.ndarray, margin: float = 0.0) -> bool:
    r, u, f = cam.axes()
    z = (pts - cam.eye) @ f
    front = z > 0.05
    if not front.any():
        return False
    px = cam.project(pts[front])
    inside = (
        (px[:, 0] > -margin)
        & (px[:, 0] < WIDTH + margin)
        & (px[:, 1] > -margin)
        & (px[:, 1] < HEIGHT + margin)
    )
    return bool(inside.any())


# ------------------------------------------------------------------------------------------ planning


def _camera(spec: dict, exercise: str, place: tuple[float, float]) -> Camera:
    cam = make_camera(spec, exercise)
    shift = np.array([place[0], place[1], 0.0])
    return Camera(cam.eye + shift, cam.target + shift, cam.roll_deg, cam.yfov_deg)


def _heading(exercise: str, side: str) -> float:
    posture = POSTURE[exercise]
    return {"supine": {"left": 0.0, "right": 180.0}, "prone": {"right": 0.0, "left": 180.0}}.get(
        posture, {}
    ).get(side, 0.0)


def exercise_plan(
    clip: dict, step: dict, body: Body, place: tuple[float, float], heading: float, cam: Camera
) -> dict:
    """One exercise step, planned and measured like a single clip of its own (local clock)."""
    exercise, variant = step["exercise"], step["variant"]
    ex = EXERCISES[exercise](body, variant, heading, place, step.get("pose"))
    frames = int(round(float(step["duration_s"]) * FPS))
    t = np.arange(frames) / FPS
    sub = {k: v for k, v in step.items() if k not in ("do",)}
    sub["name"] = clip["name"]
    sub.setdefault("camera", {})
    channels, injected = schedule(sub, ex, t)
    # The segment ends after the rest that follows its last rep (>= 1.5 s still), as a single clip does.
    moving = np.flatnonzero(np.any([np.abs(np.diff(v)) > 1e-9 for v in channels.values()], axis=0))
    if len(moving) and frames - 2 - moving[-1] < int(1.5 * FPS):
        raise ValueError(f"{clip['name']}: {exercise} step needs >= 1.5 s of rest after its last rep")
    channels = calibrate(sub, body, ex, channels, cam, frames)
    lm = {n: np.zeros((frames, 2)) for n in LANDMARK_NAMES}
    poses = []
    for i in range(frames):
        pose = ex.pose({k: float(v[i]) for k, v in channels.items()})
        poses.append(pose)
        posed = body.pose(pose, with_vertices=False)
        for n in LANDMARK_NAMES:
            lm[n][i] = cam.project(posed.landmarks[n])
    p = {"clip": sub, "t": t, "frames": frames, "landmarks": lm, "injected": injected}
    return {"ex": ex, "poses": poses, "plan": p, "camera": cam, "heading": heading, "place": place}


def _shift_s(x: float, k0: int) -> float:
    return round((int(round(x * FPS)) + k0) / FPS, 3)


def segment_truth(p: dict, k0: int) -> dict:
    """Truth of one exercise step in the single-clip schema, on the recording's clock."""
    doc = ground_truth(p)
    seg: dict = {
        "exercise": doc["exercise"],
        "variant": doc["variant"],
        "settings": doc["settings"],
        "start_s": round(k0 / FPS, 3),
        "end_s": round((k0 + p["frames"] - 1) / FPS, 3),
    }
    for r in doc["reps"]:
        for key in ("start_s", "peak_s", "end_s"):
            r[key] = _shift_s(r[key], k0)
    for item in doc["faults"] + doc["setup"]:
        item["start_s"], item["end_s"] = _shift_s(item["start_s"], k0), _shift_s(item["end_s"], k0)
    seg.update(reps=doc["reps"], faults=doc["faults"], setup=doc["setup"], summary=doc["summary"])
    if "tolerances" in doc:
        seg["tolerances"] = doc["tolerances"]
    pf = doc["per_frame"]
    pf["t_s"] = [round((k0 + i) / FPS, 4) for i in range(p["frames"])]
    seg["per_frame"] = pf
    return seg


class Timeline:
    """Per-frame poses and cameras of a whole routine, and its truth."""

    def __init__(self, clip: dict) -> None:
        self.clip = clip
        self.seed = clip.get("seed", zlib.crc32(clip["name"].encode()))
        self.rng = np.random.default_rng(self.seed)
        self.body = Body(clip.get("body", "male"))
        self.ground = Grounder(self.body)
        self.standing = Standing(self.body)
        self.poses: list[Pose] = []
        self.cameras: list[Camera] = []
        self.segments: list[dict] = []
        self.other: list[dict] = []
        self.camera: Camera | None = None
        if "camera" in clip:
            self.camera = _camera(clip["camera"], "side_bend", (0.0, 0.0))
        self.stand_state: dict[str, float] | None = None  # channels of the standing person, if standing
        self.lying: dict | None = None  # the last lying exercise plan (for a roll)
        steps = clip["step"]
        for k, step in enumerate(steps):
            getattr(self, "_" + step["do"])(step, steps[k + 1 :])
        self.frames = len(self.poses)

    # -- helpers
    @property
    def now(self) -> int:
        return len(self.poses)

    def _add(self, poses: list[Pose], cams: list[Camera] | None, movement: str | None) -> None:
        k0 = self.now
        self.poses.extend(poses)
        self.cameras.extend(cams if cams is not None else [self.camera] * len(poses))
        if movement and poses:
            last = self.other[-1] if self.other else None
            start, end = round(k0 / FPS, 3), round((self.now - 1) / FPS, 3)
            if last and last["movement"] == movement and abs(last["end_s"] - (start - 1 / FPS)) < 1e-3:
                last["end_s"] = end
            else:
                self.other.append({"start_s": start, "end_s": end, "movement": movement})

    def _next_exercise(self, rest: list[dict]) -> dict | None:
        return next((s for s in rest if s["do"] == "exercise"), None)

    def _plan_exercise(self, step: dict, depth: float | None = None) -> dict:
        exercise = step["exercise"]
        posture = POSTURE[exercise]
        if posture == "standing":
            place = tuple(step.get("place", (0.0, 0.0)))
            heading = 0.0
        elif "camera" in step:
            heading = _heading(exercise, step["camera"].get("side", "left"))
            x0 = -0.1 if heading == 0 else 0.1
            place = (x0, step.get("depth", 0.0) if depth is None else depth)
        else:  # same camera as the lying exercise before it (after a roll)
            assert self.lying is not None, "an exercise without a camera follows a lying exercise"
            heading = self.lying["heading"]
            place = (self.lying["place"][0], depth if depth is not None else self.lying["place"][1])
        if "camera" in step:
            cam_place = place if posture == "standing" else (0.0, 0.0)
            cam = _camera(step["camera"], exercise, cam_place)
        else:
            assert self.camera is not None
            cam = self.camera
        return exercise_plan(self.clip, step, self.body, place, heading, cam)

    # -- steps
    def _exercise(self, step: dict, rest: list[dict]) -> None:
        ep = getattr(self, "_pending", {}).pop(id(step), None) or self._plan_exercise(step)
        if self.camera is not None and self.poses and not np.allclose(ep["camera"].eye, self.camera.eye):
            raise ValueError(f"{self.clip['name']}: exercise step's camera differs from the current one")
        self.camera = ep["camera"]
        k0 = self.now
        self._add([explicit(self.body, p) for p in ep["poses"]], None, None)
        self.segments.append(segment_truth(ep["plan"], k0))
        if POSTURE[step["exercise"]] != "standing":
            self.lying = ep
            self.stand_state = None
        else:
            self.lying = None
            x, y = ep["place"]
            self.stand_state = {"x": x, "y": y, "heading": 0.0}

    def _rest(self, step: dict, rest: list[dict]) -> None:
        n = int(round(step["duration_s"] * FPS))
        self._add([self.poses[-1]] * n, None, step.get("movement", "rest"))

    def _fidget(self, step: dict, rest: list[dict]) -> None:
        """A hand goes to the hair (or tugs the shirt) and comes back: not a rep of anything."""
        n = int(round(step["duration_s"] * FPS))
        base = self.poses[-1]
        body = self.body
        side = step.get("side", "right")
        sign = 1.0 if side == "left" else -1.0
        what = step.get("to", "hair")
        glob = body.bone_transforms(base)

        def at(bone: str) -> np.ndarray:
            i = body.index[bone]
            return glob[i, :3, :3] @ body.heads[i] + glob[i, :3, 3]

        if what == "hair":
            centre = at("head") + np.array([sign * 0.09, 0.02, 0.1])
            pole = direction(left=sign * 1.0, forward=0.5)
        else:  # the shirt's hem at the belly
            centre = at("spine04") + direction(forward=1.0) * 0.16 + np.array([sign * 0.05, 0, -0.06])
            pole = direction(left=sign * 1.0, up=-0.2, forward=0.3)
        out = []
        for i in range(n):
            u = i / max(n - 1, 1)
            w = float(ease(np.clip(u / 0.3, 0, 1)) * ease(np.clip((1 - u) / 0.3, 0, 1)))
            wob = (
                np.sin(2 * np.pi * 1.8 * i / FPS)
                * 0.035
                * float(np.clip((u - 0.25) / 0.1, 0, 1) * np.clip((0.75 - u) / 0.1, 0, 1))
            )
            target = centre + (np.array([0, 0, wob]) if what == "hair" else np.array([0, 0, -abs(wob)]))
            ik = arm_to(body, base, side, target, pole)
            p = with_aims(base)
            for k, v in ik.items():
                p.aims[k] = _slerp(base.aims[k], v, w)
            out.append(p)
        self._add(out, None, "fidget")

    def _roll(self, step: dict, rest: list[dict]) -> None:
        """Roll from the back onto the stomach, same camera: arm overhead, roll over, arrange the arms."""
        assert self.lying is not None and POSTURE[self.lying["plan"]["clip"]["exercise"]] == "supine"
        nxt = self._next_exercise(rest)
        assert nxt is not None and POSTURE[nxt["exercise"]] == "prone"
        body, n = self.body, int(round(step["duration_s"] * FPS))
        toward = bool(step.get("toward_camera", True))
        start = self.poses[-1]
        # Where the body ends up: shifted sideways by about half a body width in the roll's direction.
        shift = float(step.get("shift_m", 0.22)) * (-1.0 if toward else 1.0)
        clothed = self.ground.clothed
        y0 = float(self.ground.vertices(start, clothed)[:, 1].mean())
        probe = self._plan_exercise(nxt, depth=0.0)
        end0 = explicit(body, probe["poses"][0])
        c_p = float(self.ground.vertices(end0, clothed)[:, 1].mean())
        depth = y0 + shift - c_p
        planned = self._plan_exercise(nxt, depth=depth)
        self._pending = {id(nxt): planned}
        end = explicit(body, planned["poses"][0])
        # Which side goes down: the one facing the camera when rolling toward it.
        heading = self.lying["heading"]
        near = "left" if heading == 0.0 else "right"
        down = near if toward else ("right" if near == "left" else "left")
        top = "right" if down == "left" else "left"
        ds, ts = down[0], top[0]
        dsign, tsign = (1.0 if down == "left" else -1.0), (1.0 if top == "left" else -1.0)
        straight = explicit(
            body,
            self.lying["ex"].pose(
                dict(self.lying["ex"].channels)
                | {"flat_l": 0.0, "flat_r": 0.0, "knee_min_l": 0.0, "knee_min_r": 0.0}
            ),
        )
        legs = {k: straight.aims[k] for k in ("thigh_l", "shin_l", "foot_l", "thigh_r", "shin_r", "foot_r")}
        k1 = with_aims(start, **legs)
        k1.aims[f"upperarm_{ds}"] = direction(left=dsign * 1.0, up=0.25, forward=-0.1)
        k1.aims[f"forearm_{ds}"] = direction(left=dsign * 0.7, up=0.7, forward=-0.1)
        k2 = with_aims(k1)
        k2.aims[f"upperarm_{ds}"] = direction(up=1.0, left=dsign * 0.3, forward=-0.05)
        k2.aims[f"forearm_{ds}"] = direction(up=1.0, left=dsign * 0.2, forward=-0.05)
        k3 = with_aims(k2)  # on the side: top leg and top arm come over in front
        t, kk = np.radians(40.0), np.radians(40.0 - 55.0)
        k3.aims[f"thigh_{ts}"] = direction(forward=np.sin(t), up=-np.cos(t), left=-tsign * 0.15)
        k3.aims[f"shin_{ts}"] = direction(forward=np.sin(kk), up=-np.cos(kk), left=-tsign * 0.1)
        k3.aims[f"upperarm_{ts}"] = direction(forward=1.0, up=0.15, left=-tsign * 0.25)
        k3.aims[f"forearm_{ts}"] = direction(forward=0.8, up=0.5, left=-tsign * 0.3)
        k3.neck = 10.0
        k4 = with_aims(end)  # on the stomach, the top arm still on its way
        k4.aims[f"upperarm_{ts}"] = _slerp(
            end.aims[f"upperarm_{ts}"], direction(left=tsign * 1.0, up=0.1, forward=-0.3), 0.6
        )
        k4.aims[f"forearm_{ts}"] = _slerp(
            end.aims[f"forearm_{ts}"], direction(left=tsign * 0.5, up=0.8, forward=-0.3), 0.6
        )
        for k in (k1, k2, k3, k4):
            k.root = start.root.copy()
        keys = [(0.0, start), (0.2, k1), (0.32, k2), (0.58, k3), (0.82, k4), (1.0, end)]
        phi_sign = 1.0 if toward else -1.0
        out = []
        for i in range(n):
            u = i / max(n - 1, 1)
            p = with_aims(keyframes(keys, u))
            phi = 180.0 * float(ease(np.clip((u - 0.3) / 0.52, 0, 1)))
            rx = np.eye(4)
            rx[:3, :3] = rotation((1, 0, 0), phi_sign * phi)
            p.root = rx @ start.root
            v = self.ground.vertices(p, clothed)
            target_y = y0 + shift * float(ease(np.clip((u - 0.3) / 0.52, 0, 1)))
            p.root[1, 3] += target_y - float(v[:, 1].mean())
            p.root[2, 3] += FLOOR_MAT_TOP - float(v[:, 2].min())
            out.append(p)
        out[-1] = end
        self._add(out, None, "roll_over")

    def _camera_move(self, step: dict, rest: list[dict]) -> None:
        """Pick the camera up, carry it and set it down for the next exercise; the person changes posture
        (gets up, lies down) while out of the picture."""
        n = int(round(step["duration_s"] * FPS))
        nxt = self._next_exercise(rest)
        assert nxt is not None and self.camera is not None
        planned = self._plan_exercise(nxt)
        self._pending = {id(nxt): planned}
        to_cam = planned["camera"]
        cams = carried_path(self.camera, to_cam, n, self.rng, float(step.get("swing", 90.0)))
        first = rest[0]
        if first["do"] == "walk":
            x, y = first["from"]
            to = first["to"]
            heading = float(np.degrees(np.arctan2(to[0] - x, -(to[1] - y))))
            self.stand_state = {"x": float(x), "y": float(y), "heading": heading}
            new = self.standing.pose(dict(self.stand_state))
        else:
            new = explicit(self.body, planned["poses"][0])
        old = self.poses[-1]
        vo = self.ground.vertices(old, self.ground.sub)
        vn = self.ground.vertices(new, self.ground.sub)
        hidden_old = [not in_view(c, vo, 10) for c in cams]
        hidden_new = [not in_view(c, vn, 10) for c in cams]
        # Swap where neither pose is in the picture. A person who walks back into place must stay out of
        # it until the camera is nearly set down (they are carrying it); one who lies down on the mat
        # meanwhile may be seen lying there as the camera comes down.
        swap = None
        if first["do"] == "walk":
            swap = next((i for i in range(n) if hidden_old[i] and all(hidden_new[i : int(n * 0.9)])), None)
        else:
            ok = [i for i in range(n) if hidden_old[i] and hidden_new[i]]
            runs = np.split(np.array(ok), np.flatnonzero(np.diff(ok) > 1) + 1) if ok else []
            if runs:
                longest = max(runs, key=len)
                swap = int(longest[len(longest) // 2])
        if swap is None:
            raise ValueError(f"{self.clip['name']}: no frame where the posture change is out of the picture")
        poses = [old] * swap + [new] * (n - swap)
        self._add(poses, cams, "camera_moved")
        self.camera = to_cam
        if first["do"] != "walk":
            self.lying = planned if POSTURE[nxt["exercise"]] != "standing" else None

    def _stand_frames(self, tracks: dict[str, Track], n: int) -> list[Pose]:
        t = (self.now + np.arange(n)) / FPS
        series = {k: tr.sample(t) for k, tr in tracks.items()}
        return [self.standing.pose({k: float(v[i]) for k, v in series.items()}) for i in range(n)]

    def _tracks(self) -> dict[str, Track]:
        st = self.stand_state or {}
        base = {"x": 0.0, "y": 0.0, "heading": 0.0, "walk": 0.0, "amp": 0.0, "drop": 0.0, "back": 0.0,
                "lean": 0.0, "arms": 0.0, "knees": 0.0, "tilt": 0.0}  # fmt: skip
        base.update(st)
        return {k: Track(v) for k, v in base.items()}

    def _keep(self, tracks: dict[str, Track], n: int) -> None:
        t = np.array([(self.now + n - 1) / FPS])
        self.stand_state = {k: float(tr.sample(t)[0]) for k, tr in tracks.items()}
        self.stand_state["walk"] = 0.0
        self.stand_state["amp"] = 0.0

    def _walk(self, step: dict, rest: list[dict]) -> None:
        """Walk from where the person stands to `to`, then turn to `face` (deg, 0 = toward the camera)."""
        assert self.stand_state is not None, "walk needs a standing person"
        st = self.stand_state
        x, y = st["x"], st["y"]
        tx, ty = step["to"]
        dist = float(np.hypot(tx - x, ty - y))
        speed = float(step.get("speed", 0.8))
        h_walk = float(np.degrees(np.arctan2(tx - x, -(ty - y))))
        h0 = st["heading"]
        dh = (h_walk - h0 + 180) % 360 - 180
        turn0 = abs(dh) / 150.0 if abs(dh) > 5 else 0.0
        walk_s = dist / speed
        face = step.get("face")
        turn1 = 0.0
        if face is not None:
            dh1 = (float(face) - h_walk + 180) % 360 - 180
            turn1 = max(0.8, abs(dh1) / 130.0) if abs(dh1) > 5 else 0.0
        settle = float(step.get("settle_s", 0.6))
        total = turn0 + walk_s + turn1 + settle
        n = int(round(total * FPS))
        t0 = self.now / FPS
        tr = self._tracks()
        tr["heading"].move(t0, max(turn0, 0.3), h0 + dh)
        tr["x"].move(t0 + turn0 * 0.6, walk_s + turn0 * 0.3, tx, "trap")
        tr["y"].move(t0 + turn0 * 0.6, walk_s + turn0 * 0.3, ty, "trap")
        if face is not None and turn1 > 0:
            tr["heading"].move(t0 + turn0 + walk_s - 0.1, turn1, h0 + dh + dh1)
        tr["amp"].move(t0, 0.4, 1.0)
        tr["amp"].move(t0 + turn0 + walk_s - 0.2, 0.3, 0.45 if turn1 > 0 else 0.0)
        tr["amp"].move(t0 + turn0 + walk_s + turn1 - 0.3, 0.4, 0.0)
        steps_per_s = speed / 0.62 / 2  # cycles per second at a 0.62 m step
        tr["walk"] = Track(0.0)
        tr["walk"].move(t0, total, steps_per_s * total, "trap")
        poses = self._stand_frames(tr, n)
        self._keep(tr, n)
        self.stand_state["heading"] = (self.stand_state["heading"] + 180) % 360 - 180
        self._add(poses, None, "walk")

    def _squat(self, step: dict, rest: list[dict]) -> None:
        """Bodyweight squats facing the camera: hips back and down, trunk forward, arms forward."""
        assert self.stand_state is not None
        reps = int(step.get("reps", 4))
        down, up, bottom, pause = (
            float(step.get(k, d))
            for k, d in (("down_s", 1.3), ("up_s", 1.2), ("bottom_s", 0.3), ("pause_s", 0.7))
        )
        depth = float(step.get("depth", 0.34))  # pelvis drop, m
        tr = self._tracks()
        t = self.now / FPS + float(step.get("delay_s", 0.3))
        for _ in range(reps):
            for name, val in (("drop", depth), ("back", depth * 0.55), ("lean", -38.0), ("arms", 1.0)):
                tr[name].move(t, down, val)
                tr[name].move(t + down + bottom, up, 0.0)
            t += down + bottom + up + pause
        n = int(round((t - self.now / FPS + float(step.get("after_s", 0.5))) * FPS))
        poses = self._stand_frames(tr, n)
        self._keep(tr, n)
        self._add(poses, None, "squat")

    def _sit_down(self, step: dict, rest: list[dict]) -> None:
        """Down onto the floor: squat down, lower the buttocks, sit with the knees up and hands on them."""
        assert self.stand_state is not None
        dur = float(step.get("duration_s", 3.0))
        tr = self._tracks()
        t = self.now / FPS
        sd = self.standing.drop_sit
        tr["drop"].move(t, dur * 0.45, sd * 0.55)
        tr["back"].move(t, dur * 0.45, 0.2)
        tr["lean"].move(t, dur * 0.45, -35.0)
        tr["arms"].move(t, dur * 0.45, 0.8)
        tr["drop"].move(t + dur * 0.45, dur * 0.45, sd)
        tr["back"].move(t + dur * 0.45, dur * 0.45, SIT_BACK)
        tr["lean"].move(t + dur * 0.45, dur * 0.5, 4.0)
        tr["arms"].move(t + dur * 0.5, dur * 0.4, 0.0)
        tr["knees"].move(t + dur * 0.55, dur * 0.45, 1.0)
        n = int(round(dur * FPS))
        poses = self._stand_frames(tr, n)
        self._keep(tr, n)
        self._add(poses, None, "sit")

    def _sit(self, step: dict, rest: list[dict]) -> None:
        """Sitting on the floor: breathing, a look around (small trunk sway)."""
        assert self.stand_state is not None
        dur = float(step["duration_s"])
        tr = self._tracks()
        t = self.now / FPS
        tr["lean"].move(t + dur * 0.2, dur * 0.25, self.stand_state["lean"] - 6.0)
        tr["tilt"].move(t + dur * 0.45, dur * 0.2, 4.0)
        tr["tilt"].move(t + dur * 0.7, dur * 0.2, 0.0)
        tr["lean"].move(t + dur * 0.7, dur * 0.25, self.stand_state["lean"])
        n = int(round(dur * FPS))
        poses = self._stand_frames(tr, n)
        self._keep(tr, n)
        self._add(poses, None, "sit")

    def _stand_up(self, step: dict, rest: list[dict]) -> None:
        assert self.stand_state is not None
        dur = float(step.get("duration_s", 3.0))
        tr = self._tracks()
        t = self.now / FPS
        sd = self.standing.drop_sit
        tr["knees"].move(t, dur * 0.3, 0.0)
        tr["lean"].move(t, dur * 0.4, -40.0)
        tr["arms"].move(t + dur * 0.1, dur * 0.35, 1.0)
        tr["back"].move(t + dur * 0.3, dur * 0.35, 0.2)
        tr["drop"].move(t + dur * 0.3, dur * 0.35, sd * 0.55)
        for name in ("drop", "back", "lean", "arms"):
            tr[name].move(t + dur * 0.65, dur * 0.35, 0.0)
        n = int(round(dur * FPS))
        poses = self._stand_frames(tr, n)
        self._keep(tr, n)
        self._add(poses, None, "get_up")

    def _stand(self, step: dict, rest: list[dict]) -> None:
        """Standing still (at `at`, facing `face`), e.g. at the start of a clip."""
        if self.stand_state is None:
            x, y = step.get("at", (0.0, 0.0))
            self.stand_state = {"x": float(x), "y": float(y), "heading": float(step.get("face", 0.0))}
        tr = self._tracks()
        n = int(round(float(step["duration_s"]) * FPS))
        poses = self._stand_frames(tr, n)
        self._keep(tr, n)
        self._add(poses, None, step.get("movement", "stand"))

    # -- truth
    def truth(self) -> dict:
        return {
            "clip": self.clip["name"],
            "description": self.clip.get("description", ""),
            "exercise": None,
            "variant": None,
            "fps": FPS,
            "frames": self.frames,
            "duration_s": round(self.frames / FPS, 3),
            "segments": self.segments,
            "other": self.other,
        }


def _room(clip: dict) -> Room:
    spec = dict(clip.get("room", {}))
    if clip.get("mat", True) and "mat_rgb" not in spec:
        spec["mat_rgb"] = (0.45, 0.32, 0.62)
    return Room(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()})


def write_truth(clip: dict, out_dir: pathlib.Path) -> dict:
    doc = Timeline(clip).truth()
    with open(out_dir / f"{clip['name']}.truth.json", "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    return doc


def render_routine(clip: dict, out_dir: pathlib.Path, max_frames: int | None = None) -> dict:
    tl = Timeline(clip)
    doc = tl.truth()
    frames = tl.frames if max_frames is None else min(max_frames, tl.frames)
    room = _room(clip)
    renderer = Renderer(room, tl.cameras[0], tl.seed)
    cam_node = renderer.scene.main_camera_node
    fx = Webcam(
        tl.seed, noise=clip.get("noise", 3.0), blur_sigma=clip.get("blur", 0.8), light_side=room.light
    )
    colors = body_colors(tl.body, clip.get("clothes"))
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = VideoWriter(out_dir / f"{clip['name']}.mp4")
    try:
        for i in range(frames):
            cam = tl.cameras[i]
            renderer.scene.set_pose(cam_node, cam.pose_matrix())
            img = renderer.render([(tl.body.pose(tl.poses[i]).vertices, tl.body.faces, colors)])
            if i > 0:
                img = motion_blur(img, tl.cameras[i - 1], cam)
            writer.write(fx(img))
    finally:
        writer.close()
        renderer.close()
    with open(out_dir / f"{clip['name']}.truth.json", "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    return doc


def is_routine(clip: dict) -> bool:
    return "step" in clip


__all__ = ["HEIGHT", "is_routine", "render_routine", "truth", "write_truth"]
