"""Run MediaPipe Pose on rendered clips and compare its key angle with the truth file.

    uv run --group generate python -m sample_videos.generate.verify [--only NAME] [--dir DIR]

Prints, per clip, the detection rate and the mean / max absolute error of the measured key angle against
the truth (knee-to-chest: near and far leg separately, only while that leg is flexed past 20 deg, where
the angle means something). It computes the angle from MediaPipe's landmarks exactly as truth.py does
from the projected joints, so the difference is the tracker's error plus the render's realism.
"""

from __future__ import annotations

import argparse
import json
import pathlib

import cv2
import numpy as np

from . import truth
from .__main__ import load_clips

HERE = pathlib.Path(__file__).resolve().parent
MP_INDEX = {
    "nose": 0,
    "left_ear": 7,
    "right_ear": 8,
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_elbow": 13,
    "right_elbow": 14,
    "left_wrist": 15,
    "right_wrist": 16,
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
    "left_heel": 29,
    "right_heel": 30,
    "left_foot_index": 31,
    "right_foot_index": 32,
}


def track(video: pathlib.Path) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """MediaPipe landmarks in pixels per frame (NaN where no pose) and the per-frame detection flags."""
    import mediapipe as mp

    cap = cv2.VideoCapture(str(video))
    rows, found = [], []
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            h, w = bgr.shape[:2]
            res = pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            if res.pose_landmarks is None:
                rows.append(np.full((33, 2), np.nan))
                found.append(False)
                continue
            rows.append(np.array([[p.x * w, p.y * h] for p in res.pose_landmarks.landmark]))
            found.append(True)
    arr = np.array(rows)
    return {n: arr[:, i] for n, i in MP_INDEX.items()}, np.array(found)


def compare(truth_doc: dict, measured: dict[str, np.ndarray], found: np.ndarray) -> dict:
    """Detection rate and angle errors for one clip."""
    out: dict = {"clip": truth_doc["clip"], "frames": len(found), "detected_pct": 100 * float(found.mean())}
    if not truth_doc["per_frame"]["angles"]:
        return out
    exercise = truth_doc["exercise"]
    # A set-up clip may take its baseline later than the first frame (clips.toml: baseline_at_s).
    scripts = {c["name"]: c for c in load_clips()}
    baseline_s = scripts.get(truth_doc["clip"], {}).get("baseline_at_s", 0.0)
    truth.baseline_start_frame = int(round(baseline_s * truth_doc["fps"]))
    n = min(len(found), truth_doc["frames"])
    lm = {k: v[:n] for k, v in measured.items()}
    got = truth.angles(exercise, lm, truth_doc["fps"])
    want = {k: np.array(v[:n]) for k, v in truth_doc["per_frame"]["angles"].items()}
    if exercise == "knee_to_chest":
        # The near leg is the one closer to the camera: its projected hip sits lower in a floor-level view.
        t_lm = truth_doc["per_frame"]["landmarks_px"]
        near = (
            "left"
            if np.mean(np.array(t_lm["left_hip"])[:, 1]) > np.mean(np.array(t_lm["right_hip"])[:, 1])
            else "right"
        )
        for label, side in (("near", near), ("far", "right" if near == "left" else "left")):
            key = f"hip_flexion_{side}_deg"
            sel = (want[key] > 20) & found[:n]
            err = np.abs(got[key][sel] - want[key][sel])
            out[f"{label}_{side}"] = (float(np.nanmean(err)), float(np.nanmax(err))) if sel.any() else None
    else:
        key = next(iter(want))
        sel = found[:n]
        err = np.abs(got[key][sel] - want[key][sel])
        out[key] = (float(np.nanmean(err)), float(np.nanmax(err)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=pathlib.Path, default=HERE.parent)
    parser.add_argument("--only", action="append")
    parser.add_argument("--json", type=pathlib.Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    results = []
    for tpath in sorted(args.dir.glob("*.truth.json")):
        name = tpath.name.removesuffix(".truth.json")
        if args.only and name not in args.only:
            continue
        doc = json.loads(tpath.read_text())
        measured, found = track(args.dir / f"{name}.mp4")
        if "segments" in doc:
            # A routine: the whole recording's detection rate, then each exercise segment on its own span.
            r = {"clip": name, "frames": len(found), "detected_pct": 100 * float(found.mean())}
            for k, seg in enumerate(doc["segments"]):
                a, n = int(round(seg["start_s"] * doc["fps"])), len(seg["per_frame"]["t_s"])
                sub = {"clip": f"{name}#{k + 1}", "exercise": seg["exercise"], "fps": doc["fps"], "frames": n}
                sub["per_frame"] = seg["per_frame"]
                part = compare(sub, {m: v[a : a + n] for m, v in measured.items()}, found[a : a + n])
                for key, v in part.items():
                    if key not in ("clip", "frames"):
                        r[f"{k + 1}:{key}"] = v if key != "detected_pct" else f"{v:.0f}%"
        else:
            r = compare(doc, measured, found)
        results.append(r)
        parts = [
            f"{k}: {v[0]:.1f}/{v[1]:.1f}" if isinstance(v, tuple) else f"{k}: {v}"
            for k, v in r.items()
            if k not in ("clip", "frames", "detected_pct")
        ]
        print(f"{name}: detected {r['detected_pct']:.0f}% | mean/max err " + ", ".join(parts), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
