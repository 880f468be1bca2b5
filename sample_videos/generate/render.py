"""Turn one clip script (a dict from clips.toml) into `<name>.mp4` and `<name>.truth.json`."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import zlib

import cv2
import numpy as np

from . import truth
from .body import LANDMARK_NAMES, REGIONS, Body
from .motion import EXERCISES, Exercise, Track
from .scene import HEIGHT, WIDTH, Camera, Renderer, Room, Webcam

FPS = 30.0

# Which channel drives the measured angle, per exercise (the generator solves the channel per frame
# so the *projected* angle follows the script).
MAIN = {
    "knee_to_chest": {"flex_l": "hip_flexion_left_deg", "flex_r": "hip_flexion_right_deg"},
    "prone_extension": {"elev": "trunk_elevation_deg"},
    "side_bend": {"tilt": "lateral_tilt_deg"},
}

# How each injected fault moves which channel (value at full strength), and defaults per fault.
FAULT_CHANNELS = {
    "head_lift": ("neck", -80.0),
    "hips_lift": ("hips_lift", 0.38),
    "legs_lift": ("legs", 24.0),
    "neck_overextension": ("neck", 70.0),
    "pelvis_lift": ("pelvis", 0.4),
    "trunk_rotation": ("rot", 60.0),
    "forward_lean": ("lean", -50.0),
    "backward_lean": ("lean", 42.0),
    "hip_shift": ("shift", 0.85),
    "knees_bent": ("squat", 0.24),
}

DEFAULT_CLOTHES = {
    "skin": (0.86, 0.66, 0.53),
    "shirt": (0.16, 0.42, 0.72),
    "trousers": (0.16, 0.16, 0.2),
    "socks": (0.92, 0.92, 0.9),
    "hair": (0.24, 0.15, 0.08),
}


def body_colors(body: Body, clothes: dict[str, list[float]] | None) -> np.ndarray:
    """Per-vertex RGB from the clothing colour of each vertex's region."""
    palette = dict(DEFAULT_CLOTHES)
    palette.update({k: tuple(v) for k, v in (clothes or {}).items()})
    return np.array([palette[r] for r in REGIONS])[body.region]


def make_camera(spec: dict, exercise: str) -> Camera:
    view = spec.get("view", "front" if exercise == "side_bend" else "side")
    dist = spec.get("distance", 2.4)
    roll = spec.get("roll_deg", 0.0)
    fov = spec.get("yfov_deg", 52.0)
    if view == "front":
        height = spec.get("height", 1.0)
        look = spec.get("look_height", 0.85)
        return Camera(
            np.array([spec.get("along", 0.0), -dist, height]), np.array([0.0, 0.0, look]), roll, fov
        )
    if view == "profile":
        # Beside a standing person: the wrong view for side bends, which need the camera in front.
        height = spec.get("height", 1.0)
        return Camera(
            np.array([dist, 0.0, height]), np.array([0.0, 0.0, spec.get("look_height", 0.85)]), roll, fov
        )
    if view == "feet":
        height = spec.get("height", 0.5)
        return Camera(np.array([-0.9 - dist, 0.0, height]), np.array([0.1, 0.0, 0.25]), roll, fov)
    height = spec.get("height", 0.4)
    along = spec.get("along", 0.12)
    return Camera(
        np.array([along, -dist, height]), np.array([along, 0.0, spec.get("look_height", 0.25)]), roll, fov
    )


def schedule(clip: dict, ex: Exercise, t: np.ndarray) -> tuple[dict[str, np.ndarray], list[tuple]]:
    """Per-frame channel values from the clip's rep list; also the injected (fault, t0, t1) spans."""
    rest = dict(ex.channels)  # where every channel starts, and where a rep returns it
    if clip.get("start") == "hook":
        # Hook-lying: both knees bent, feet flat on the floor, hips at `hook_deg` (about 40-45).
        hook = float(clip.get("hook_deg", 42.0))
        knee = ex.flat_knee(hook)  # type: ignore[attr-defined]
        rest.update(flex_l=hook, flex_r=hook, flat_l=1.0, flat_r=1.0, knee_min_l=knee, knee_min_r=knee)
    hands = bool(clip.get("hands", False))
    tracks = {name: Track(value) for name, value in rest.items()}
    if clip.get("feet") is not None:
        tracks["feet"] = Track(float(clip["feet"]))
    step = clip.get("step_back")
    if step:
        tracks["step"] = Track(step["distance"])
        tracks["step"].move(step["at_s"], step["duration_s"], 0.0)
    injected = []
    now = float(clip.get("start_s", 2.5))
    exercise = clip["exercise"]
    for rep in clip.get("reps", []):
        now += rep.get("delay_s", 0.0)
        up, plateau, down = rep.get("up_s", 2.5), rep.get("hold_s", 2.0), rep.get("down_s", 2.5)
        shape = rep.get("shape", "cos")
        side = rep.get("side")
        peak = float(rep["peak"])
        if exercise == "knee_to_chest":
            names = ["flex_l", "flex_r"] if side == "both" else [f"flex_{side[0]}"]
            values = [peak] * len(names)
            if side == "both" and "peak_right" in rep:
                values[1] = float(rep["peak_right"])
        elif exercise == "prone_extension":
            names, values = ["elev"], [peak]
            if clip["variant"] == "superman":
                names.append("legs")
                values.append(rep.get("legs_deg", 14.0))
        else:
            names, values = ["tilt"], [peak if side == "left" else -peak]
        via = (rep["via_s"], float(rep["via"])) if "via" in rep else None
        for n, v in zip(names, values, strict=True):
            tracks[n].move(now, up, v, shape, via=via)
        top = now + up
        if exercise == "knee_to_chest":
            for n in names:
                flat = f"flat_{n[-1]}"
                if rest[flat] > 0:
                    # The working foot leaves the floor as the knee comes up, lands as it comes back.
                    tracks[flat].move(now, min(0.35, up / 2), 0.0)
                    tracks[flat].move(top + plateau + down * 0.75, down * 0.25, rest[flat])
            if hands and rep.get("hands", True):
                # Hands reach for the knee on the way up and pull it in; let go early on the way down.
                tracks["grab"].move(now, 1e-3, 0.0 if side == "both" else 1.0 if side == "left" else -1.0)
                tracks["hands"].move(now + 0.25 * up, 0.6 * up, 1.0)
                tracks["hands"].move(top + plateau, 0.5 * down, 0.0)
        fault = rep.get("fault")
        if fault:
            f0, f1 = top + 0.3, top + plateau - 0.3
            ramp = rep.get("fault_ramp_s", 0.5)
            if fault == "other_leg_lift":
                other = "flex_r" if side == "left" else "flex_l"
                flat = f"flat_{other[-1]}"
                if rest[flat] > 0:
                    # Hook-lying: the resting foot comes off the floor, the knee stays bent.
                    tracks[flat].move(f0 - 0.1, 0.3, 0.0)
                    tracks[flat].move(f1, 0.3, rest[flat])
                else:
                    tracks[f"straight_{other[-1]}"].move(f0 - 0.3, 0.3, 1.0)
                    tracks[f"straight_{other[-1]}"].move(f1, 0.3, 0.0)
                # fault_amount: how far the resting leg rises above its own start
                tracks[other].move(f0, ramp, rest[other] + rep.get("fault_amount", 58.0))
                tracks[other].move(f1 - ramp, ramp, rest[other])
            elif fault != "too_fast":
                channel, amount = FAULT_CHANNELS[fault]
                tracks[channel].move(f0, ramp, rep.get("fault_amount", amount))
                tracks[channel].move(f1 - ramp, ramp, rest[channel])
            injected.append((fault, f0, f1))
        end = top + plateau + down
        swing_to = rep.get("swing_to")
        for n in names:
            if swing_to is None:
                tracks[n].move(top + plateau, down, rest[n], rep.get("down_shape", shape))
            else:
                # A side bend that swings straight through to the other side, holds, then comes back.
                tracks[n].move(
                    top + plateau, down, -float(swing_to) if side == "left" else float(swing_to), shape
                )
                tracks[n].move(end + rep.get("swing_hold_s", 0.3), rep.get("return_s", 0.35), 0.0, shape)
        if swing_to is not None:
            end += rep.get("swing_hold_s", 0.3) + rep.get("return_s", 0.35)
        now = end + rep.get("rest_s", 0.6)
    return {name: tr.sample(t) for name, tr in tracks.items()}, injected


def project_all(
    body: Body, ex: Exercise, channels: dict[str, np.ndarray], camera: Camera, frames: int
) -> dict[str, np.ndarray]:
    out = {name: np.zeros((frames, 2)) for name in LANDMARK_NAMES}
    for i in range(frames):
        posed = body.pose(ex.pose({k: float(v[i]) for k, v in channels.items()}), with_vertices=False)
        for name in LANDMARK_NAMES:
            out[name][i] = camera.project(posed.landmarks[name])
    return out


def calibrate(
    clip: dict, body: Body, ex: Exercise, channels: dict[str, np.ndarray], camera: Camera, frames: int
) -> dict[str, np.ndarray]:
    """Adjust the driving channels so the projected 2D angle equals the scripted one in every frame.

    The 3D joint angle and its 2D projection differ by a few degrees (perspective, camera height), and
    the script talks about what the camera sees. Hip flexion is unsigned and kinks at zero, so its
    correction fades out below 25 degrees; the truth is always re-measured from the final projection.
    """
    exercise = clip["exercise"]
    # The series below put the baseline pose first: measure against it (and not against whatever
    # baseline frame the previous clip left in the truth module).
    truth.baseline_start_frame = 0
    first = int(round(clip.get("baseline_at_s", 0.0) * FPS))
    start = {k: float(v[first]) for k, v in channels.items()}
    base_lm = body.pose(ex.pose(start), with_vertices=False).landmarks
    n_base = int(truth.BASELINE_S * FPS) + 1
    solved = {k: v.copy() for k, v in channels.items()}
    scripted = {k: channels[k] for k in MAIN[exercise]}
    for i in range(frames):
        if all(abs(sc[i]) < 1e-6 for sc in scripted.values()):
            continue
        ch = {k: float(v[i]) for k, v in solved.items()}
        # Secant iteration per channel: the 2D angle moves less than 1:1 with some 3D channels (a spine
        # bend spread over five bones turns the hip-shoulder chord by about half as much).
        gain = {k: 1.0 for k in MAIN[exercise]}
        last: dict[str, tuple[float, float]] = {}
        for _ in range(6):
            lm = body.pose(ex.pose(ch), with_vertices=False).landmarks
            series = {
                n: np.array([camera.project(base_lm[n])] * n_base + [camera.project(lm[n])])
                for n in LANDMARK_NAMES
            }
            measured = truth.angles(exercise, series, FPS)
            done = True
            for k, angle_name in MAIN[exercise].items():
                m = float(measured[angle_name][-1])
                if k in last and abs(ch[k] - last[k][0]) > 1e-6:
                    slope = (m - last[k][1]) / (ch[k] - last[k][0])
                    if 0.2 < slope < 3:
                        gain[k] = 1 / slope
                last[k] = (ch[k], m)
                err = scripted[k][i] - m
                done &= abs(err) < 0.01
                ch[k] += err * gain[k]
            if done:
                break
        for k in MAIN[exercise]:
            # Hip flexion is unsigned and kinks at zero (legs straight), so near zero the exact solution
            # is faded into the scripted value; the signed trunk angles are solved everywhere.
            w = float(np.clip((scripted[k][i] - 5) / 20, 0, 1)) if exercise == "knee_to_chest" else 1.0
            solved[k][i] = scripted[k][i] + w * (ch[k] - scripted[k][i])
    return solved


class VideoWriter:
    """H.264 through the ffmpeg binary when there is one (small files), else OpenCV's mp4v."""

    def __init__(self, path: pathlib.Path, crf: int = 21) -> None:
        self.path = path
        exe = shutil.which("ffmpeg")
        if exe is None:
            try:
                import imageio_ffmpeg

                exe = imageio_ffmpeg.get_ffmpeg_exe()
            except ImportError:
                exe = None
        self.proc = None
        self.cv = None
        if exe:
            self.proc = subprocess.Popen(
                [
                    exe,
                    "-y",
                    "-loglevel",
                    "error",
                    "-f",
                    "rawvideo",
                    "-pix_fmt",
                    "rgb24",
                    "-s",
                    f"{WIDTH}x{HEIGHT}",
                    "-r",
                    str(int(FPS)),
                    "-i",
                    "-",
                    "-c:v",
                    "libx264",
                    "-preset",
                    "medium",
                    "-crf",
                    str(crf),
                    "-pix_fmt",
                    "yuv420p",
                    "-threads",
                    "1",
                    "-movflags",
                    "+faststart",
                    str(path),
                ],
                stdin=subprocess.PIPE,
            )
        else:
            self.cv = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))

    def write(self, rgb: np.ndarray) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.write(rgb.tobytes())
        else:
            assert self.cv is not None
            self.cv.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))

    def close(self) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            if self.proc.wait() != 0:
                raise RuntimeError(f"ffmpeg failed writing {self.path}")
        elif self.cv is not None:
            self.cv.release()


# Landmarks a floor exercise cannot count without, and the ones the leg checks need.
CORE = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
FEET = ("left_ankle", "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index")


def _inside(px: np.ndarray) -> np.ndarray:
    return (px[..., 0] >= 0) & (px[..., 0] < WIDTH) & (px[..., 1] >= 0) & (px[..., 1] < HEIGHT)


def plan(clip: dict) -> dict:
    """Everything about a clip except the pixels: bodies, camera, channels, landmarks and truth."""
    seed = clip.get("seed", zlib.crc32(clip["name"].encode()))
    exercise, variant = clip["exercise"], clip["variant"]
    cam = make_camera(clip.get("camera", {}), exercise)
    room_spec = dict(clip.get("room", {}))
    if exercise != "side_bend" and "mat_rgb" not in room_spec:
        room_spec["mat_rgb"] = (0.45, 0.32, 0.62)
    room = Room(**{k: tuple(v) if isinstance(v, list) else v for k, v in room_spec.items()})
    duration = float(clip["duration_s"])
    frames = int(round(duration * FPS))
    t = np.arange(frames) / FPS
    p: dict = {"clip": clip, "seed": seed, "camera": cam, "room": room, "t": t, "frames": frames}
    if clip.get("empty"):
        p["bodies"] = []
        return p
    body = Body(clip.get("body", "male"))
    side = clip.get("camera", {}).get("side", "left")
    posture = EXERCISES[exercise].posture
    # Which of the person's sides faces the camera (world -Y) decides the heading.
    heading = {"supine": {"left": 0.0, "right": 180.0}, "prone": {"right": 0.0, "left": 180.0}}.get(
        posture, {}
    ).get(side, 0.0)
    x0 = 0.0 if posture == "standing" else (-0.1 if heading == 0 else 0.1)
    ex = EXERCISES[exercise](body, variant, heading, (x0, clip.get("depth", 0.0)), clip.get("pose"))
    channels, injected = schedule(clip, ex, t)
    channels = calibrate(clip, body, ex, channels, cam, frames)
    lm = project_all(body, ex, channels, cam, frames)
    p.update(body=body, ex=ex, channels=channels, injected=injected, landmarks=lm)
    bodies = [(body, ex, channels, body_colors(body, clip.get("clothes")))]
    extra = clip.get("extra")
    if extra:
        ebody = Body(extra.get("body", "female"))
        eex = EXERCISES["side_bend"](ebody, "standing", 90.0, (0.0, 0.0))
        ech = {k: np.full(frames, v) for k, v in eex.channels.items()}
        # Walk in along the back of the room, stand for a while, walk back out (positions along X).
        x_track = Track(extra.get("from_x", -4.5))
        x_track.move(extra["enter_s"], 2.0, extra.get("stand_x", -1.0))
        x_track.move(extra["exit_s"] - 2.0, 2.0, extra.get("from_x", -4.5))
        ech["x"] = x_track.sample(t)
        ech["y"] = np.full(frames, extra.get("y", 1.2))
        bodies.append((ebody, eex, ech, body_colors(ebody, extra.get("clothes"))))
        elm = {n: np.zeros((frames, 2)) for n in LANDMARK_NAMES}
        for i in range(frames):
            pose = eex.pose({k: float(ech[k][i]) for k in eex.channels})
            pose.root = pose.root.copy()
            pose.root[:3, 3] += [ech["x"][i], ech["y"][i], 0.0]
            posed = ebody.pose(pose, with_vertices=False)
            for n in LANDMARK_NAMES:
                elm[n][i] = cam.project(posed.landmarks[n])
        p["extra_landmarks"] = elm
    p["bodies"] = bodies
    return p


def ground_truth(p: dict) -> dict:
    clip, t, frames = p["clip"], p["t"], p["frames"]
    exercise, variant = clip["exercise"], clip["variant"]
    settings = dict(truth.DEFAULTS[(exercise, variant)])
    settings.update(clip.get("settings", {}))
    out: dict = {
        "clip": clip["name"],
        "exercise": exercise,
        "variant": variant,
        "settings": clip.get("settings", {}),
        "fps": FPS,
        "frames": frames,
        "frames_with_pose": 0 if clip.get("empty") else frames,
        "duration_s": round(frames / FPS, 3),
        "reps": [],
        "faults": [],
        "setup": [],
    }
    if clip.get("empty"):
        out["setup"].append({"code": "no_person", "start_s": 0.0, "end_s": round(t[-1], 3)})
        out["summary"] = truth.summary([])
        out["per_frame"] = {"t_s": [round(x, 4) for x in t.tolist()], "angles": {}, "landmarks_px": {}}
        return out
    lm = p["landmarks"]
    baseline_s = clip.get("baseline_at_s", 0.0)
    truth.baseline_start_frame = int(round(baseline_s * FPS))
    # What counts from when: by default nothing before the baseline (the person gets into position
    # first) and no fault before the end of its window. A clip that starts moving at once and has its
    # quiet rest moment later sets `counts_from_s` (0): a file's baseline may come from anywhere.
    if "counts_from_s" in clip:
        reps_from = faults_from = int(round(clip["counts_from_s"] * FPS))
    else:
        reps_from = truth.baseline_start_frame
        faults_from = truth.baseline_start_frame + int(truth.BASELINE_S * FPS)
    angles = truth.angles(exercise, lm, FPS)
    leg_speed = None
    if exercise == "knee_to_chest":
        left, right = angles["hip_flexion_left_deg"], angles["hip_flexion_right_deg"]
        working, rise, start = truth.knee_working_leg(left, right, FPS)
        release = {
            s: max(float(settings["release_deg"]), start[s] + truth.RELEASE_ABOVE_START_DEG) for s in start
        }
        leg_speed = np.stack([truth.speed(left, FPS), truth.speed(right, FPS)])
        if variant == "double":
            signal = np.minimum(left, right)
            side_of = np.full(frames, "both")
            settings["release_deg"] = max(release.values())
        else:
            # The working leg is the one that rose from its own start, not the one that reads higher.
            signal = np.where(working == "left", left, right)
            side_of = working
            settings["release_deg"] = np.where(working == "left", release["left"], release["right"])
    elif exercise == "prone_extension":
        signal, side_of = angles["trunk_elevation_deg"], None
    else:
        tilt = angles["lateral_tilt_deg"]
        signal, side_of = np.abs(tilt), np.where(tilt >= 0, "left", "right")
    active = truth.fault_quantities(exercise, variant, lm, FPS, signal)
    lean_code = next((f for f, *_ in p["injected"] if f in ("forward_lean", "backward_lean")), "forward_lean")
    if "lean" in active:
        active[lean_code] = active.pop("lean")
    if leg_speed is not None:
        # Single leg: the working leg's speed (the resting leg lifting is a fault of its own); both: the
        # faster leg.
        if variant == "double":
            active["too_fast"] = np.abs(leg_speed).max(axis=0) > settings["max_speed_deg_s"]
        else:
            own = np.where(side_of == "left", leg_speed[0], leg_speed[1])
            active["too_fast"] = np.abs(own) > settings["max_speed_deg_s"]
    else:
        # Speed of the signed angle: |tilt| would dip to zero speed where a swing crosses the midline.
        moving = angles["lateral_tilt_deg"] if exercise == "side_bend" else signal
        active["too_fast"] = truth.speed_mask(moving, FPS, settings["max_speed_deg_s"])
    counted = signal.copy()
    counted[:reps_from] = 0.0  # nothing counts while getting into position
    if exercise == "knee_to_chest" and variant == "single":
        # The resting leg lifting from ITS OWN start, while a rep is raising, holding or lowering.
        in_rep = np.zeros(frames, dtype=bool)
        for r in truth.build_reps(t, counted, side_of, settings, np.zeros(frames, dtype=bool), exercise):
            in_rep[int(round(r["start_s"] * FPS)) : int(round(r["end_s"] * FPS)) + 1] = True
        resting_rise = np.where(side_of == "left", rise[1], rise[0])
        active["other_leg_lift"] = in_rep & (resting_rise > truth.FAULT_THRESHOLDS["other_leg_lift"])
    # Feet or ankles out of the picture: the leg checks cannot be judged (the trunk still counts).
    feet_out = ~np.all([_inside(lm[n]) for n in FEET], axis=0)
    if exercise == "prone_extension" and "legs_lift" in active:
        active["legs_lift"] &= ~feet_out
    for mask in active.values():
        mask[:faults_from] = False
    if clip.get("feet") is not None and float(clip["feet"]) < 0.5:
        active["feet_width"][:] = True  # feet together from the first frame: the whole clip
    any_fault = np.zeros(frames, dtype=bool)
    wrong_view = clip.get("camera", {}).get("view") in ("feet", "profile")
    if wrong_view:
        active = {}  # nothing is judged from the wrong view
    for code, mask in sorted(active.items()):
        for a, b in truth.intervals(mask, FPS):
            out["faults"].append({"code": code, "start_s": a, "end_s": b})
        any_fault |= mask
    out["faults"].sort(key=lambda f: f["start_s"])
    setup = []
    if wrong_view:
        setup.append(("wrong_view", np.ones(frames, dtype=bool)))
    outside = ~np.all([truth_inside for truth_inside in (_inside(lm[n]) for n in LANDMARK_NAMES)], axis=0)
    if exercise == "side_bend":
        if outside.any():
            setup.append(("body_out_of_frame", outside))
    else:
        # Lying: the trunk (shoulders, hips) decides; a part beyond the edge (toes, feet) is a notice that
        # switches off the checks that need it, and the reps still count.
        core_out = ~np.all([_inside(lm[n]) for n in CORE], axis=0)
        if core_out.any():
            setup.append(("body_out_of_frame", core_out))
        if (outside & ~core_out).any():
            setup.append(("part_out_of_frame", outside & ~core_out))
    if "extra_landmarks" in p:
        seen = np.mean([_inside(p["extra_landmarks"][n]) for n in LANDMARK_NAMES], axis=0) >= 0.5
        setup.append(("multiple_people", seen))
    for code, mask in setup:
        for a, b in truth.intervals(mask, FPS):
            out["setup"].append({"code": code, "start_s": a, "end_s": b})
    counting = not any(code in ("wrong_view",) for code, _ in setup)
    if counting:
        reps = truth.build_reps(t, counted, side_of, settings, any_fault, exercise)
        for r in reps:
            a, b = int(round(r["start_s"] * FPS)), int(round(r["end_s"] * FPS))
            r["faults"] = sorted(code for code, mask in active.items() if mask[a : b + 1].any())
        out["reps"] = reps
    out["summary"] = truth.summary(out["reps"])
    out["per_frame"] = {
        "t_s": [round(x, 4) for x in t.tolist()],
        "angles": {k: np.round(v, 2).tolist() for k, v in angles.items()},
        "landmarks_px": {n: np.round(lm[n], 1).tolist() for n in LANDMARK_NAMES},
    }
    if clip.get("tolerances"):
        out["tolerances"] = clip["tolerances"]
    return out


def write_truth(clip: dict, out_dir: pathlib.Path) -> dict:
    """Only the truth file: the pose plan is cheap, rendering is not (for changed truth definitions)."""
    truth_doc = ground_truth(plan(clip))
    with open(out_dir / f"{clip['name']}.truth.json", "w") as f:
        json.dump(truth_doc, f, separators=(",", ":"))
    return truth_doc


def render_clip(clip: dict, out_dir: pathlib.Path, max_frames: int | None = None) -> dict:
    """Render the clip's video and write its truth file; returns the truth."""
    p = plan(clip)
    truth_doc = ground_truth(p)
    frames = p["frames"] if max_frames is None else min(max_frames, p["frames"])
    renderer = Renderer(p["room"], p["camera"], p["seed"])
    cam_fx = Webcam(
        p["seed"], noise=clip.get("noise", 3.0), blur_sigma=clip.get("blur", 0.8), light_side=p["room"].light
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = VideoWriter(out_dir / f"{clip['name']}.mp4")
    try:
        for i in range(frames):
            meshes = []
            for k, (body, ex, ch, colors) in enumerate(p["bodies"]):
                pose = ex.pose({c: float(ch[c][i]) for c in ex.channels})
                if k > 0:
                    pose.root = pose.root.copy()
                    pose.root[:3, 3] += [ch["x"][i], ch["y"][i], 0.0]
                meshes.append((body.pose(pose).vertices, body.faces, colors))
            writer.write(cam_fx(renderer.render(meshes)))
    finally:
        writer.close()
        renderer.close()
    with open(out_dir / f"{clip['name']}.truth.json", "w") as f:
        json.dump(truth_doc, f, separators=(",", ":"))
    return truth_doc
