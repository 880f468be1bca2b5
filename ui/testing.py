"""Stand-ins for a camera and the pose model, for fast window tests and screenshots without a model.

``ScriptedSource`` draws a plain stick figure from a list of ``PoseFrame``s (so screenshots show a
body); ``ScriptedEstimator`` returns those poses back. ``lost_after`` makes the source raise
``CameraLostError`` like an unplugged camera.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import cv2
import numpy as np

from formcheck import landmarks as lm
from formcheck.pose_frame import PoseFrame
from formcheck.video.sources import CameraLostError, Frame


def draw_figure(pose: PoseFrame) -> np.ndarray:
    """A grey room with a stick figure, roughly what a camera would see of the pose."""
    h, w = pose.height_px, pose.width_px
    image = np.full((h, w, 3), (70, 62, 58), np.uint8)
    image[int(h * 0.8) :, :] = (96, 110, 122)  # the floor
    if pose.person_found:
        for a, b in lm.SKELETON:
            pa, pb = pose.xy_px[a], pose.xy_px[b]
            if np.isfinite(pa).all() and np.isfinite(pb).all():
                cv2.line(
                    image,
                    tuple(int(v) for v in pa),
                    tuple(int(v) for v in pb),
                    (150, 170, 200),
                    14,
                    cv2.LINE_AA,
                )
        nose = pose.xy_px[lm.NOSE]
        if np.isfinite(nose).all():
            cv2.circle(image, tuple(int(v) for v in nose), 22, (150, 170, 200), -1, cv2.LINE_AA)
    return image


class ScriptedSource:
    """Frames drawn from poses; a file-like source unless ``live``."""

    def __init__(
        self,
        poses: Sequence[PoseFrame],
        fps: float = 30.0,
        live: bool = False,
        lost_after: int | None = None,
        realtime: bool = False,
    ) -> None:
        self.poses = list(poses)
        self.fps = fps
        self.live = live
        self.name = "camera (scripted)" if live else "scripted.mp4"
        self.width = poses[0].width_px if poses else 640
        self.height = poses[0].height_px if poses else 480
        self.frame_count = None if live else len(self.poses)
        self.lost_after = lost_after
        self.realtime = realtime
        self._index = 0
        self._images: dict[int, np.ndarray] = {}

    def read(self) -> Frame | None:
        if self.lost_after is not None and self._index >= self.lost_after:
            raise CameraLostError(
                "The camera stopped sending pictures (unplugged or taken by another program); everything "
                "recorded so far is kept. Reconnect it and start again."
            )
        if self._index >= len(self.poses):
            return None
        if self.realtime:
            time.sleep(1.0 / self.fps)
        pose = self.poses[self._index]
        frame = Frame(self._index, pose.t_s, draw_figure(pose))
        self._index += 1
        return frame

    def close(self) -> None:
        pass


class ScriptedEstimator:
    """Returns the scripted pose for each frame index."""

    def __init__(self, poses: Sequence[PoseFrame]) -> None:
        self.poses = list(poses)
        self.closed = False

    def estimate(self, frame: Frame) -> PoseFrame:
        return self.poses[frame.index]

    def close(self) -> None:
        self.closed = True


class RecordingSink:
    """A sink that keeps what it was given, like a session recorder would."""

    def __init__(self) -> None:
        self.frames = 0
        self.events: list[object] = []
        self.closed_with = None

    def on_frame(self, frame: Frame, update: object) -> None:
        self.frames += 1

    def on_event(self, event: object) -> None:
        self.events.append(event)

    def close(self, result: object) -> None:
        self.closed_with = result


def synthetic_poses(exercise: str):  # type: ignore[no-untyped-def]
    """(config, poses, an interesting frame) for a screenshot of an exercise without a sample clip.

    Uses the test suite's synthetic-pose generator (tests/synthetic.py).
    """
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from synthetic import Script, frames, keyframes

    from formcheck.spec import load_exercise

    if exercise == "knee_to_chest":
        flex = keyframes([(0, 0), (3, 0), (6, 120), (12, 120), (15, 0)])
        head = keyframes([(0, 0), (8, 0), (8.5, 0.3), (10, 0.3), (10.5, 0)])
        script = Script("supine", 12, {"left_flex": flex, "head_rise": head})
        return load_exercise(exercise, "single", {"hold_s": 10}), frames(script), int(9.5 * 30)
    if exercise == "prone_extension":
        elev = keyframes([(0, 0), (3, 0), (5, 20), (9, 20), (11, 0)])
        script = Script("prone", 10, {"elev": elev})
        return load_exercise(exercise), frames(script), int(7 * 30)
    tilt = keyframes([(0, 0), (2, 0), (4, 22), (5, 22), (7, 0), (9, -16), (10, -16), (12, 0)])
    script = Script("standing", 13, {"tilt": tilt})
    return load_exercise(exercise), frames(script), int(9.6 * 30)
