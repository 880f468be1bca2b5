"""Helpers for the session tests (no tests here): synthetic sessions through the real pipeline."""

from __future__ import annotations

import numpy as np
from synthetic import Script, frames, keyframes

from formcheck.pipeline import AnalysisResult, run
from formcheck.pose_frame import PoseFrame
from formcheck.spec import load_exercise
from formcheck.video.sources import Frame

__test__ = False

LEFT = keyframes([(0, 0), (2, 0), (4, 120), (8, 120), (10, 0)])
RIGHT = keyframes([(0, 0), (11, 0), (13, 105), (17, 105), (19, 0)])
TINY = np.zeros((4, 4, 3), np.uint8)


class PoseListSource:
    """A frame source over synthetic poses: frames carry a tiny blank image (or a drawn one)."""

    live = False

    def __init__(
        self, poses: list[PoseFrame], fps: float = 30.0, name: str = "synthetic", image=None
    ) -> None:
        self.poses = poses
        self.fps = fps
        self.name = name
        self.width, self.height = 640, 480
        self.frame_count = len(poses)
        self._i = 0
        self._image = TINY if image is None else image

    def read(self) -> Frame | None:
        if self._i >= len(self.poses):
            return None
        p = self.poses[self._i]
        self._i += 1
        return Frame(p.index, p.t_s, self._image)

    def close(self) -> None:
        pass


class ListEstimator:
    def __init__(self, poses: list[PoseFrame]) -> None:
        self.by_index = {p.index: p for p in poses}

    def estimate(self, frame: Frame) -> PoseFrame:
        return self.by_index[frame.index]

    def close(self) -> None:
        pass


def knee_script(duration_s: float = 21.0, jitter_px: float = 0.5) -> Script:
    return Script("supine", duration_s, {"left_flex": LEFT, "right_flex": RIGHT}, jitter_px=jitter_px, seed=1)


def with_world(poses: list[PoseFrame]) -> list[PoseFrame]:
    from dataclasses import replace

    rng = np.random.default_rng(0)
    return [replace(p, world_m=rng.normal(0, 0.3, (33, 3))) for p in poses]


def run_synthetic(
    sinks=(),
    script: Script | None = None,
    exercise: str = "knee_to_chest",
    variant: str = "single",
    pace: float | None = None,
    world: bool = False,
    **settings: float,
) -> AnalysisResult:
    poses = frames(script or knee_script())
    if world:
        poses = with_world(poses)
    config = load_exercise(exercise, variant, settings or {"hold_s": 3.0})
    return run(
        PoseListSource(poses), ListEstimator(poses), config, sinks=tuple(sinks), prefetch=False, pace=pace
    )


PRESCRIPTION = """
patient = "Ann Example"
therapist = "J. Physio"
notes = "Stop if the pain spreads down the leg."

[[exercise]]
name = "knee_to_chest"
variant = "single"
sides = ["left", "right"]
sets = 2
reps = 2
hold_s = 3
target_deg = 100
limit_deg = 130
rest_s = 30
notes = "Hands behind the thigh, not on the shin."
"""


def demo_store(root, sessions: int = 4, video_last: bool = False):
    """A data folder with one patient's sessions against a prescription, over several days, with pain
    scores, a pain stop in the last one and improving range of motion: what a therapist reviews."""
    from synthetic import Script

    from formcheck.events import PainScore
    from formcheck.sessions.prescriptions import parse_prescription
    from formcheck.sessions.recorder import Recorder
    from formcheck.sessions.storage import SessionStore

    store = SessionStore(root)
    p = parse_prescription(PRESCRIPTION, "ann.toml")
    item = p.exercises[0]
    ids = []
    for k in range(sessions):
        lp = 108 + 5 * k  # the left knee comes further each time
        rp = 96 + 6 * k  # the right (painful) side lags behind
        quick = 2.0 if k == 0 else 3.0  # the first day, the left knee comes up too fast
        left = keyframes(
            [(0, 0), (2, 0), (2 + quick, lp), (8, lp), (11, 0), (12, 0), (15, lp - 3), (18, lp - 3), (21, 0)]
        )
        right = keyframes(
            [
                (0, 0),
                (21, 0),
                (24, rp),
                (26.5 + 0.4 * k, rp),
                (29.5 + 0.4 * k, 0),
                (31.5, 0),
                (34.5, rp + 2),
                (37.5, rp + 2),
                (40.5, 0),
            ]
        )
        script = Script("supine", 42.0, {"left_flex": left, "right_flex": right}, jitter_px=0.6, seed=k)
        poses = frames(script)
        video = video_last and k == sessions - 1
        image = None
        if video:
            image = np.full((480, 640, 3), 70, np.uint8)
            image[385:, :] = 110  # the floor
        rec = Recorder(
            store,
            item.config,
            source_name=f"camera 0 (day {k + 1})",
            fps=30.0,
            kind="replay" if video else "live",  # (a live camera is paced; this runs flat out)
            patient=p.patient,
            video=video,
            prescription_name=p.name,
            prescription_toml=p.text,
            step_index=1,
            set_index=1,
        )
        rec.on_event(PainScore(0.0, "before", [5, 4, 4, 3, 3, 2][k % 6]))
        if k == sessions - 1 and sessions > 2:
            _run_with_pain_stop(rec, poses, item.config, image, at_s=34.0)
        else:
            run(
                PoseListSource(poses, image=image),
                ListEstimator(poses),
                item.config,
                sinks=(rec,),
                prefetch=False,
            )
        with store._db() as db:
            day = f"2025-03-{3 + 3 * k:02d}T18:{10 + k:02d}:00+01:00"
            db.execute("UPDATE sessions SET started_at = ? WHERE id = ?", (day, rec.session_id))
            if k < sessions - 1:  # (the after-scores a live session's window would have asked for)
                db.execute(
                    "UPDATE sessions SET pain_after = ? WHERE id = ?", ([4, 4, 2, 3][k % 4], rec.session_id)
                )
        ids.append(rec.session_id)
    return store, ids


def _run_with_pain_stop(rec, poses, config, image, at_s):
    from formcheck.events import PainScore, PainStop

    class StopAt:
        fired = False

        def on_frame(self, frame, update):
            if not self.fired and update.pose.t_s >= at_s:
                self.fired = True
                rec.on_event(PainStop(update.pose.t_s, 6, "sharp pain down the right leg"))
                rec.on_event(PainScore(update.pose.t_s, "pain_stop", 6))

        def on_event(self, event):
            pass

        def close(self, result):
            pass

    stopper = StopAt()
    return run(
        PoseListSource(poses, image=image),
        ListEstimator(poses),
        config,
        sinks=(stopper, rec),
        prefetch=False,
        stop=lambda: stopper.fired,
    )
