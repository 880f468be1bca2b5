"""Pose estimation: frames in, ``PoseFrame`` out. One person is tracked; others are only noticed."""

from __future__ import annotations

import math
import time
from typing import Protocol

import numpy as np

from formcheck import landmarks as lm
from formcheck.errors import FormcheckError
from formcheck.models import ModelEntry, resolve_model
from formcheck.native import quiet_stderr
from formcheck.pose_frame import PoseFrame
from formcheck.sources import Frame

# How often (in video seconds) to look for a second person, and how far a skeleton may jump between
# consecutive frames (in torso lengths) before we suspect the tracker switched people.
OTHER_PEOPLE_INTERVAL_S = 1.0
JUMP_TORSO_FRACTION = 0.6
JUMP_LATCH_S = 1.0


class PoseEstimator(Protocol):
    def estimate(self, frame: Frame) -> PoseFrame: ...

    def close(self) -> None: ...


def _arrays(landmark_list: object, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pts = landmark_list.landmark  # type: ignore[attr-defined]
    raw = np.array([(p.x, p.y, p.z, p.visibility) for p in pts], dtype=np.float64)
    xy = raw[:, :2] * (width, height)
    return xy, raw[:, 3], raw[:, 2] * width


class MediaPipePose:
    """BlazePose through ``mediapipe.solutions.pose`` (tracking mode for video), plus a check for others.

    The second-person check masks the tracked person and looks again with a fresh detector, once per
    second of video: MediaPipe's tracker locks onto one person and would never report a second.
    """

    def __init__(self, model: ModelEntry | None = None, check_others: bool = True) -> None:
        import mediapipe as mp

        self.model = model or resolve_model()
        if self.model.backend != "mediapipe_solutions":
            raise FormcheckError(f"Model '{self.model.name}' is not a mediapipe.solutions model.")
        self._mp_pose = mp.solutions.pose
        self._pose = self._mp_pose.Pose(
            static_image_mode=False,
            model_complexity=self.model.model_complexity,
            smooth_landmarks=True,
            enable_segmentation=False,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )
        self._check_others = check_others
        self._others_pose = (
            self._mp_pose.Pose(static_image_mode=True, model_complexity=self.model.model_complexity)
            if check_others
            else None
        )
        # The first inference sets up TensorFlow Lite, which prints to stderr from C++: do it now, quietly.
        blank = np.zeros((64, 64, 3), np.uint8)
        with quiet_stderr():
            self._pose.process(blank)
            if self._others_pose is not None:
                self._others_pose.process(blank)
        self._next_check_s = 0.0
        self._others = 0
        self._last_center: np.ndarray | None = None
        self._last_t: float | None = None
        self._jump_until_s = -math.inf
        self.others_check_s = 0.0  # time spent looking for other people, for the benchmark
        self._quiet_until_found = True

    def estimate(self, frame: Frame) -> PoseFrame:
        rgb = frame.rgb()
        height, width = rgb.shape[:2]
        if self._quiet_until_found:
            # The first pose found logs a harmless C++ warning straight to stderr: keep it off the terminal.
            with quiet_stderr():
                result = self._pose.process(rgb)
            self._quiet_until_found = result.pose_landmarks is None
        else:
            result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            self._last_center = None
            return PoseFrame.empty(frame.index, frame.t_s, width, height)
        xy, vis, depth = _arrays(result.pose_landmarks, width, height)
        world = None
        if result.pose_world_landmarks is not None:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark])
        others = self._other_people(rgb, xy, vis, frame.t_s)
        return PoseFrame(
            index=frame.index,
            t_s=frame.t_s,
            width_px=width,
            height_px=height,
            xy_px=xy,
            visibility=vis,
            depth=depth,
            world_m=world,
            other_people=others,
        )

    def _other_people(self, rgb: np.ndarray, xy: np.ndarray, vis: np.ndarray, t_s: float) -> int:
        if not self._check_others:
            return 0
        # A skeleton that leaps across the picture between two frames has switched to someone else.
        core = [lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP]
        center = xy[core].mean(axis=0)
        torso = float(np.hypot(*(xy[core[:2]].mean(axis=0) - xy[core[2:]].mean(axis=0))))
        recent = self._last_center is not None and self._last_t is not None and t_s - self._last_t < 0.2
        if recent and torso > 0 and np.hypot(*(center - self._last_center)) > JUMP_TORSO_FRACTION * torso:
            self._jump_until_s = t_s + JUMP_LATCH_S
        self._last_center, self._last_t = center, t_s
        if t_s >= self._next_check_s:
            self._next_check_s = t_s + OTHER_PEOPLE_INTERVAL_S
            started = time.perf_counter()
            self._others = self._count_others(rgb, xy, vis)
            self.others_check_s += time.perf_counter() - started
        return max(self._others, int(t_s < self._jump_until_s))

    def _count_others(self, rgb: np.ndarray, xy: np.ndarray, vis: np.ndarray) -> int:
        if self._others_pose is None:
            return 0
        height, width = rgb.shape[:2]
        seen = xy[vis >= 0.3]
        if len(seen) == 0:
            return 0
        (x0, y0), (x1, y1) = seen.min(axis=0), seen.max(axis=0)
        pad_x, pad_y = 0.15 * (x1 - x0) + 0.04 * width, 0.15 * (y1 - y0) + 0.04 * height
        masked = rgb.copy()
        masked[
            max(0, int(y0 - pad_y)) : min(height, int(y1 + pad_y)),
            max(0, int(x0 - pad_x)) : min(width, int(x1 + pad_x)),
        ] = 127
        with quiet_stderr():  # its first run on a non-square picture logs a harmless C++ warning
            result = self._others_pose.process(masked)
        if result.pose_landmarks is None:
            return 0
        _, other_vis, _ = _arrays(result.pose_landmarks, width, height)
        # A real second body shows a head and shoulders clearly, not a few ghost points.
        upper = other_vis[[lm.NOSE, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP]]
        return int((upper >= 0.6).sum() >= 4)

    def close(self) -> None:
        self._pose.close()
        if self._others_pose is not None:
            self._others_pose.close()


class MediaPipeTasksPose:
    """PoseLandmarker from a ``.task`` file in models/ (optional second backend; VIDEO running mode)."""

    def __init__(self, model: ModelEntry) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        model.verify()
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model.path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=2,
        )
        self.model = model
        self._landmarker = vision.PoseLandmarker.create_from_options(options)

    def estimate(self, frame: Frame) -> PoseFrame:
        import mediapipe as mp

        rgb = frame.rgb()
        height, width = rgb.shape[:2]
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        result = self._landmarker.detect_for_video(image, int(round(frame.t_s * 1000)))
        if not result.pose_landmarks:
            return PoseFrame.empty(frame.index, frame.t_s, width, height)
        pts = result.pose_landmarks[0]
        raw = np.array([(p.x, p.y, p.z, p.visibility or 0.0) for p in pts])
        return PoseFrame(
            index=frame.index,
            t_s=frame.t_s,
            width_px=width,
            height_px=height,
            xy_px=raw[:, :2] * (width, height),
            visibility=raw[:, 3],
            depth=raw[:, 2] * width,
            other_people=len(result.pose_landmarks) - 1,
        )

    def close(self) -> None:
        self._landmarker.close()


def create_estimator(model_name: str | None = None, check_others: bool = True) -> PoseEstimator:
    model = resolve_model(model_name)
    if model.backend == "mediapipe_tasks":
        return MediaPipeTasksPose(model)
    return MediaPipePose(model, check_others=check_others)
