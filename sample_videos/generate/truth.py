"""Ground truth from projected joints: the angles, reps, faults and summary a perfect tracker would give.

Every definition here mirrors the analyzer's (see the README): 2D angles in pixel coordinates, measured
against the baseline: `BASELINE_S` seconds of rest in the start position, the first ones of the clip unless
the clip says where its quiet rest moment is (`baseline_at_s`: clips that start moving at once).
"""

from __future__ import annotations

import numpy as np

BASELINE_S = 1.5
# First frame of the baseline window; a set-up clip whose person gets into position first moves it
# (render.ground_truth sets it per clip, before computing anything).
baseline_start_frame = 0

# The analyzer's defaults (exercises/*.toml); a clip's "settings" override them. Speed limits are for jerks
# and swings, not for a controlled pace: a clinician lowers the leg at up to ~100 deg/s (knee-to-chest
# limit 180). Good-form clips keep the rep angle's speed over SPEED_WINDOW_S <= ~0.7x the limit, jerks and
# swings >= ~1.3-1.5x.
DEFAULTS: dict[tuple[str, str], dict[str, float]] = {
    ("knee_to_chest", "single"): {
        "target_deg": 100,
        "release_deg": 60,
        "hold_s": 10,
        "grace_s": 0.5,
        "max_speed_deg_s": 180,
    },
    ("knee_to_chest", "double"): {
        "target_deg": 100,
        "release_deg": 60,
        "hold_s": 10,
        "grace_s": 0.5,
        "max_speed_deg_s": 180,
    },
    ("prone_extension", "arms-forward"): {
        "target_deg": 15,
        "release_deg": 5,
        "hold_s": 5,
        "max_speed_deg_s": 60,
    },
    ("prone_extension", "press-up"): {
        "target_deg": 30,
        "release_deg": 5,
        "hold_s": 3,
        "max_speed_deg_s": 120,
    },
    ("prone_extension", "superman"): {"target_deg": 10, "release_deg": 5, "hold_s": 5, "max_speed_deg_s": 60},
    ("side_bend", "standing"): {
        "count_deg": 15,
        "target_deg": 20,
        "release_deg": 5,
        "hold_s": 0,
        "max_speed_deg_s": 60,
    },
}

# Speed of the rep angle: its change over the last SPEED_WINDOW_S, like the analyzer's (speed_window_s).
SPEED_WINDOW_S = 0.3
# A knee-to-chest rep ends when the working leg is back at its start: flexion <= max(release_deg, that
# leg's own start flexion + RELEASE_ABOVE_START_DEG).
RELEASE_ABOVE_START_DEG = 15.0

# Thresholds of the analyzer's fault checks; truth fault intervals are where the quantity passes them.
# other_leg_lift: the resting leg's flexion above ITS OWN start (hook-lying rests at ~40-45 deg).
FAULT_THRESHOLDS = {
    "head_lift": 0.10,
    "hips_lift": 0.10,
    "other_leg_lift": 30.0,
    "legs_lift": 8.0,
    "pelvis_lift": 0.10,
    "neck_overextension": 25.0,
    "trunk_rotation": 0.9,
    "lean": 0.88,
    "hip_shift": 0.35,
    "knees_bent": 0.92,
}


def angle_at(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle ABC in degrees for arrays of 2D points (..., 2)."""
    u, v = a - b, c - b
    cos = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def signed_angle(v: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Signed angle (deg) from direction ref to v, counter-clockwise on screen (image y points down)."""
    cross = ref[0] * v[..., 1] - ref[1] * v[..., 0]
    dot = ref[0] * v[..., 0] + ref[1] * v[..., 1]
    return -np.degrees(np.arctan2(cross, dot))


def _mid(lm: dict[str, np.ndarray], stem: str) -> np.ndarray:
    return (lm[f"left_{stem}"] + lm[f"right_{stem}"]) / 2


def _baseline(x: np.ndarray, fps: float) -> np.ndarray:
    """Mean over the baseline window (the person lying or standing still in the start position)."""
    a = baseline_start_frame
    return x[a : a + max(1, int(round(BASELINE_S * fps)))].mean(axis=0)


def angles(exercise: str, lm: dict[str, np.ndarray], fps: float) -> dict[str, np.ndarray]:
    """Per-frame angle series from projected landmarks (name -> (N, 2) pixel arrays)."""
    if exercise == "knee_to_chest":
        return {
            f"hip_flexion_{s}_deg": 180 - angle_at(lm[f"{s}_shoulder"], lm[f"{s}_hip"], lm[f"{s}_knee"])
            for s in ("left", "right")
        }
    trunk = _mid(lm, "shoulder") - _mid(lm, "hip")
    ref = _baseline(trunk / np.linalg.norm(trunk, axis=1, keepdims=True), fps)
    rel = signed_angle(trunk, ref)  # counter-clockwise on screen
    if exercise == "prone_extension":
        # "Up" on screen is toward smaller y; the rise direction is the baseline direction turned toward it.
        sign = 1.0 if signed_angle(np.array([0.0, -1.0]), ref) > 0 else -1.0
        return {"trunk_elevation_deg": sign * rel}
    # Side bend: positive toward the person's left. Rotating the trunk toward the left hip side is
    # toward the side where the left hip sits, seen from the baseline hips.
    hips = _baseline(lm["left_hip"] - lm["right_hip"], fps)
    sign = 1.0 if signed_angle(hips, ref) > 0 else -1.0
    return {"lateral_tilt_deg": sign * rel}


def fault_quantities(
    exercise: str, variant: str, lm: dict[str, np.ndarray], fps: float, rep_angle: np.ndarray
) -> dict[str, np.ndarray]:
    """Per-frame value of every fault the exercise checks, and whether it is past the threshold."""
    active: dict[str, np.ndarray] = {}
    trunk = _mid(lm, "shoulder") - _mid(lm, "hip")
    torso = _baseline(np.linalg.norm(trunk, axis=1), fps)
    if exercise in ("knee_to_chest", "prone_extension"):
        # Height over the floor: distance along the baseline's "up" normal of the floor line.
        floor = _baseline(trunk / np.linalg.norm(trunk, axis=1, keepdims=True), fps)
        normal = np.array([floor[1], -floor[0]])
        if normal[1] > 0:
            normal = -normal  # point up on screen

        def rise(points: np.ndarray) -> np.ndarray:
            h = points @ normal
            return (h - _baseline(h, fps)) / torso

    if exercise == "knee_to_chest":
        head = np.max([rise(lm[k]) for k in ("nose", "left_ear", "right_ear")], axis=0)
        active["head_lift"] = head > FAULT_THRESHOLDS["head_lift"]
        hips = rise(_mid(lm, "hip"))
        active["hips_lift"] = hips > FAULT_THRESHOLDS["hips_lift"]
        # other_leg_lift needs the reps (which leg works, when): render.ground_truth adds it.
    elif exercise == "prone_extension":
        if variant != "superman":
            leg_angles = []
            for s in ("left", "right"):
                leg = lm[f"{s}_ankle"] - lm[f"{s}_hip"]
                ref = _baseline(leg / np.linalg.norm(leg, axis=1, keepdims=True), fps)
                a = signed_angle(leg, ref)
                up = 1.0 if signed_angle(np.array([0.0, -1.0]), ref) > 0 else -1.0
                leg_angles.append(up * a)
            active["legs_lift"] = np.max(leg_angles, axis=0) > FAULT_THRESHOLDS["legs_lift"]
        if variant == "press-up":
            active["pelvis_lift"] = rise(_mid(lm, "hip")) > FAULT_THRESHOLDS["pelvis_lift"]
        ear = _mid(lm, "ear") - _mid(lm, "shoulder")
        neck = signed_angle(ear, np.array([1.0, 0.0])) - signed_angle(trunk, np.array([1.0, 0.0]))
        neck = (neck + 180) % 360 - 180
        # Tilting the head up turns the shoulder->ear line the same way the trunk rises.
        up = 1.0 if signed_angle(np.array([0.0, -1.0]), floor) > 0 else -1.0
        active["neck_overextension"] = (
            up * (neck - _baseline(neck, fps)) > FAULT_THRESHOLDS["neck_overextension"]
        )
    else:
        sw = np.linalg.norm(lm["left_shoulder"] - lm["right_shoulder"], axis=1)
        hw = np.linalg.norm(lm["left_hip"] - lm["right_hip"], axis=1)
        active["trunk_rotation"] = (sw < FAULT_THRESHOLDS["trunk_rotation"] * _baseline(sw, fps)) & (
            hw > 0.9 * _baseline(hw, fps)
        )
        tl = np.linalg.norm(trunk, axis=1)
        active["lean"] = tl < FAULT_THRESHOLDS["lean"] * torso
        hipmid = _mid(lm, "hip")
        hips_dir = _baseline(lm["left_hip"] - lm["right_hip"], fps)
        hwb = float(np.linalg.norm(hips_dir))
        shift = (hipmid - _baseline(hipmid, fps)) @ (hips_dir / hwb)
        active["hip_shift"] = np.abs(shift) > FAULT_THRESHOLDS["hip_shift"] * hwb
        bent = np.zeros(len(sw), dtype=bool)
        for s in ("left", "right"):
            d = np.linalg.norm(lm[f"{s}_ankle"] - lm[f"{s}_hip"], axis=1)
            bent |= d < FAULT_THRESHOLDS["knees_bent"] * _baseline(d, fps)
        active["knees_bent"] = bent
        feet = np.linalg.norm(lm["left_ankle"] - lm["right_ankle"], axis=1) / sw
        active["feet_width"] = (feet < 0.5) | (feet > 1.8)
    return active


def intervals(mask: np.ndarray, fps: float) -> list[tuple[float, float]]:
    """[(start_s, end_s)] of the runs of True in a per-frame mask."""
    out = []
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        out.append((round(a / fps, 3), round((b - 1) / fps, 3)))
    return out


def speed(signal: np.ndarray, fps: float) -> np.ndarray:
    """Angular speed (deg/s): the change over the last SPEED_WINDOW_S (0 until a full window)."""
    k = max(1, int(round(SPEED_WINDOW_S * fps)))
    out = np.zeros(len(signal))
    out[k:] = (signal[k:] - signal[:-k]) * fps / k
    return out


def speed_mask(signal: np.ndarray, fps: float, limit: float) -> np.ndarray:
    return np.abs(speed(signal, fps)) > limit


def knee_working_leg(
    left: np.ndarray, right: np.ndarray, fps: float
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Per frame: which leg works ("left"/"right": the one risen more from its own start), each leg's
    rise above its start, and each leg's start flexion (baseline)."""
    start = {"left": float(_baseline(left, fps)), "right": float(_baseline(right, fps))}
    rise_l, rise_r = left - start["left"], right - start["right"]
    working = np.where(rise_l >= rise_r, "left", "right")
    return working, np.stack([rise_l, rise_r]), start


def build_reps(
    t: np.ndarray,
    signal: np.ndarray,
    side_of: np.ndarray | None,
    settings: dict[str, float],
    fault_mask: np.ndarray,
    exercise: str,
) -> list[dict]:
    """Segment reps on `signal` (rises past release, returns to <= release) and grade them.

    `settings["release_deg"]` may be a per-frame array (knee-to-chest: the working leg's own release).
    """
    release, target = np.asarray(settings["release_deg"], dtype=float), settings["target_deg"]
    complete_at = settings.get("count_deg", target)
    fps = 1 / (t[1] - t[0])
    above = signal > release
    reps = []
    for a, b in zip(
        *[np.flatnonzero(np.diff(np.concatenate([[0], above.astype(int), [0]])))[i::2] for i in (0, 1)],
        strict=True,
    ):
        # Rep runs over frames a..b-1; it ends at frame b, the first back at or below release.
        if b >= len(signal):
            b_end = len(signal) - 1
            complete = False
        else:
            b_end = b
            complete = True
        seg = slice(a, b_end + 1)
        k = a + int(np.argmax(signal[seg]))
        peak = float(signal[k])
        # The hold runs from the angle where the rep counts (side bends: count_deg, not the 20 deg aim).
        holding = (signal[seg] >= complete_at) & ~fault_mask[seg]
        hold = float(holding.sum() / fps)
        faulty = bool(fault_mask[seg].any())
        if peak < complete_at:
            result = "incomplete"
        elif faulty:
            result = "faulty"
        elif hold < settings["hold_s"]:
            result = "short_hold"
        else:
            result = "good"
        reps.append(
            {
                "index": len(reps) + 1,
                "side": None if side_of is None else str(side_of[k]),
                "start_s": round(float(t[a]), 3),
                "peak_s": round(float(t[k]), 3),
                "end_s": round(float(t[b_end]), 3),
                "peak_deg": round(peak, 2),
                "hold_s": round(hold, 2),
                "complete": complete,
                "result": result,
                "faults": [],
            }
        )
    return reps


def summary(reps: list[dict]) -> dict:
    """Per-side counts, mean peak and hold, and the asymmetry index on mean peaks."""
    by_side: dict[str, list[dict]] = {}
    for r in reps:
        by_side.setdefault(r["side"] if r["side"] is not None else "all", []).append(r)
    peaks = {s: round(float(np.mean([r["peak_deg"] for r in rs])), 2) for s, rs in by_side.items()}
    holds = {s: round(float(np.mean([r["hold_s"] for r in rs])), 2) for s, rs in by_side.items()}
    index = weaker = None
    if "left" in peaks and "right" in peaks:
        left, right = peaks["left"], peaks["right"]
        index = round(abs(left - right) / ((left + right) / 2) * 100, 2)
        if index > 15:
            weaker = "left" if left < right else "right"
    return {
        "reps_by_side": {s: len(rs) for s, rs in by_side.items()},
        "good_reps": sum(r["result"] == "good" for r in reps),
        "peak_deg_by_side": peaks,
        "hold_s_by_side": holds,
        "asymmetry_index_pct": index,
        "weaker_side": weaker,
    }
