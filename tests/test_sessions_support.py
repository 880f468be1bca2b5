"""Helpers for the session tests (no tests here): synthetic sessions through the real pipeline."""

from __future__ import annotations

import numpy as np
from synthetic import Script, frames, keyframes

from formcheck.pipeline import AnalysisResult, run
from formcheck.pose_frame import PoseFrame
from formcheck.sources import Frame
from formcheck.spec import load_exercise

__test__ = False

LEFT = keyframes([(0, 0), (2, 0), (4, 120), (8, 120), (10, 0)])
RIGHT = keyframes([(0, 0), (11, 0), (13, 105), (17, 105), (19, 0)])
TINY = np.zeros((4, 4, 3), np.uint8)


class PoseListSource:
    """A frame source over synthetic poses: frames carry a tiny blank image (or a drawn one)."""

    live = False

    def __init__(self, poses: list[PoseFrame], fps: float = 30.0, name: str = "synthetic", image=None) -> None:
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
    sinks=(), script: Script | None = None, exercise: str = "knee_to_chest", variant: str = "single",
    pace: float | None = None, world: bool = False, **settings: float,
) -> AnalysisResult:
    poses = frames(script or knee_script())
    if world:
        poses = with_world(poses)
    config = load_exercise(exercise, variant, settings or {"hold_s": 3.0})
    return run(PoseListSource(poses), ListEstimator(poses), config, sinks=tuple(sinks), prefetch=False, pace=pace)
