"""Pose estimation: frames in, ``PoseFrame`` out. One person is tracked; others are only noticed."""

from __future__ import annotations

import os
import time
from functools import cache
from typing import Any, Protocol

import numpy as np

from formcheck import landmarks as lm
from formcheck.errors import FormcheckError
from formcheck.models import ModelEntry, resolve_model
from formcheck.native import quiet_stderr
from formcheck.pose_frame import PoseFrame
from formcheck.video.frames import Frame

# The second-person check. A second person is a separate body seen for a while: a detection on the
# masked picture must pass ``is_separate_body`` in consecutive checks spanning OTHERS_CONFIRM_S before it
# is reported, and is cleared after OTHERS_CLEAR_MISSES checks in a row without it. Checks run once per
# OTHERS_IDLE_INTERVAL_S of video while nobody else is seen (cheap), every OTHERS_RECHECK_INTERVAL_S
# while a candidate is pending or reported (a real person is still reported within about a second).
OTHERS_IDLE_INTERVAL_S = 1.0
OTHERS_RECHECK_INTERVAL_S = 0.25
OTHERS_CONFIRM_S = 0.7
OTHERS_CONFIRM_CHECKS = 3
OTHERS_CLEAR_MISSES = 2
OTHERS_MAX_GAP_S = 2.0  # checks further apart (the person was lost, time went back) start afresh
# What counts as a separate body on the masked picture.
MASK_POINT_VIS = 0.3  # tracked landmarks that make the masked box
OTHER_CORE_VIS = 0.6  # nose, shoulders, hips of a candidate: at least 4 of the 5 this confident
OTHER_POINT_VIS = 0.5  # a candidate's landmarks that count as seen
OTHER_MIN_TORSO_RATIO = 0.4  # its torso against the tracked person's: smaller is a limb, not a body
OTHER_MAX_INSIDE_MASK = 0.5  # share of its seen landmarks on the grey mask: more is a ghost
OTHER_MAX_OVERLAP = 0.4  # common area of its box and the tracked one's, of the smaller: more is that person

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels

# MediaPipe's desktop build runs each TensorFlow Lite model on one thread (XNNPACK's default outside
# Android and iOS), which leaves every other core idle while the landmark model, most of a frame's cost,
# runs. Its graph takes a thread count per inference node; more threads give the same landmarks, bit
# for bit (tests/test_pose_threads.py), in less time. At most four: the model reads a 256 px crop, too
# little work to split further, and only two cores were there to measure on (docs/video.md).
MAX_INFERENCE_THREADS = 4

_CORE = [lm.NOSE, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and ``taskset`` narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def default_inference_threads(processes: int = 1) -> int:
    """Threads for each model when ``processes`` pose graphs share this machine's cores (a batch runs one
    per worker): every usable core shared out, at least one, at most MAX_INFERENCE_THREADS."""
    return max(1, min(MAX_INFERENCE_THREADS, usable_cores() // max(1, processes)))


@cache
def _threaded_pose_class() -> Any:
    """``mediapipe.solutions.pose.Pose`` with a thread count for its TensorFlow Lite models.

    ``SolutionBase`` expands the graph and then hands its nodes to ``_modify_calculator_options``: the
    one place, in the pinned mediapipe, where a node's options can be changed before the graph starts.
    The XNNPACK delegate's ``num_threads`` is set there on every inference node (the detector and the
    landmark model), and the number of nodes changed is kept so a test notices if a release moves it.
    """
    import mediapipe as mp
    from mediapipe.calculators.tensor import inference_calculator_pb2

    extension = inference_calculator_pb2.InferenceCalculatorOptions.ext

    class ThreadedPose(mp.solutions.pose.Pose):  # type: ignore[misc,name-defined]
        _threads = 1

        def __init__(self, threads: int, **kwargs: Any) -> None:
            self._threads = threads
            self.threaded_nodes = 0
            super().__init__(**kwargs)

        def _modify_calculator_options(self, graph_config: Any, calculator_params: Any) -> None:
            for node in graph_config.node:
                if node.calculator.startswith("InferenceCalculator"):
                    node.options.Extensions[extension].delegate.xnnpack.num_threads = self._threads
                    self.threaded_nodes += 1
            if calculator_params:
                super()._modify_calculator_options(graph_config, calculator_params)

    return ThreadedPose


class PoseEstimator(Protocol):
    def estimate(self, frame: Frame) -> PoseFrame: ...

    def close(self) -> None: ...


def _arrays(landmark_list: object, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pts = landmark_list.landmark  # type: ignore[attr-defined]
    raw = np.array([(p.x, p.y, p.z, p.visibility) for p in pts], dtype=np.float64)
    xy = raw[:, :2] * (width, height)
    return xy, raw[:, 3], raw[:, 2] * width


def body_box(xy: np.ndarray, vis: np.ndarray, min_vis: float) -> Box | None:
    """The box around the landmarks seen at least ``min_vis``; None if none is."""
    seen = xy[vis >= min_vis]
    if len(seen) == 0:
        return None
    (x0, y0), (x1, y1) = seen.min(axis=0), seen.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def mask_box(box: Box, width: int, height: int) -> Box:
    """The tracked person's box, padded (the skeleton sits inside the body) and clipped to the picture."""
    x0, y0, x1, y1 = box
    pad_x, pad_y = 0.15 * (x1 - x0) + 0.04 * width, 0.15 * (y1 - y0) + 0.04 * height
    return (
        max(0.0, x0 - pad_x),
        max(0.0, y0 - pad_y),
        min(float(width), x1 + pad_x),
        min(float(height), y1 + pad_y),
    )


def _inside(points: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box
    return (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)


def _overlap_share(a: Box, b: Box) -> float:
    """Their common area as a share of the smaller box (1 when one holds the other)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w < 0 or h < 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller > 0 else 1.0


def torso_length_px(xy: np.ndarray, vis: np.ndarray, min_vis: float) -> float:
    """Shoulder midpoint to hip midpoint, from the sides seen (both sides when neither is); 0 if unknown."""
    ends = []
    for pair in ((lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER), (lm.LEFT_HIP, lm.RIGHT_HIP)):
        seen = [i for i in pair if vis[i] >= min_vis] or list(pair)
        ends.append(xy[seen].mean(axis=0))
    length = float(np.hypot(*(ends[0] - ends[1])))
    return length if np.isfinite(length) else 0.0


def is_separate_body(
    other_xy: np.ndarray,
    other_vis: np.ndarray,
    tracked_xy: np.ndarray,
    tracked_vis: np.ndarray,
    masked: Box,
) -> bool:
    """Whether a detection on the picture with ``masked`` painted grey is another person's body.

    Not a ghost on the grey area (most of its seen landmarks outside the mask), not a limb of the
    tracked person left outside a tight box (head, shoulders and hips seen, a torso at least
    OTHER_MIN_TORSO_RATIO of the tracked one), and not that person's own body around a skeleton the
    tracker folded onto part of it (little overlap with the tracked person's unpadded box).
    """
    if (other_vis[_CORE] >= OTHER_CORE_VIS).sum() < 4:
        return False
    seen = other_xy[other_vis >= OTHER_POINT_VIS]
    if _inside(seen, masked).mean() > OTHER_MAX_INSIDE_MASK:
        return False
    tracked_torso = torso_length_px(tracked_xy, tracked_vis, MASK_POINT_VIS)
    if tracked_torso > 0 and torso_length_px(other_xy, other_vis, OTHER_CORE_VIS) < (
        OTHER_MIN_TORSO_RATIO * tracked_torso
    ):
        return False
    other_box = body_box(other_xy, other_vis, OTHER_POINT_VIS)
    tracked_box = body_box(tracked_xy, tracked_vis, MASK_POINT_VIS)
    if other_box is None or tracked_box is None:
        return other_box is not None
    return _overlap_share(other_box, tracked_box) <= OTHER_MAX_OVERLAP


class SecondPersonTracker:
    """Turns one yes/no per masked check into "someone else is there", judged over time.

    A candidate is reported after it has been seen in OTHERS_CONFIRM_CHECKS consecutive checks spanning
    at least OTHERS_CONFIRM_S (a one-off detection never is), and cleared after OTHERS_CLEAR_MISSES
    checks in a row without it. ``due`` says when to look again.
    """

    def __init__(self) -> None:
        self.present = False
        self.next_check_s = 0.0
        self._streak_start_s: float | None = None
        self._hits = 0
        self._misses = 0
        self._last_check_s: float | None = None

    def due(self, t_s: float) -> bool:
        last = self._last_check_s
        return t_s >= self.next_check_s or (last is not None and t_s < last)

    def update(self, t_s: float, seen: bool) -> bool:
        """Record one check at ``t_s`` (whether a separate body was seen); returns ``present``."""
        last, self._last_check_s = self._last_check_s, t_s
        if last is not None and not 0.0 <= t_s - last <= OTHERS_MAX_GAP_S:
            self.present, self._streak_start_s, self._hits, self._misses = False, None, 0, 0
        if seen:
            if self._streak_start_s is None:
                self._streak_start_s, self._hits = t_s, 0
            self._hits += 1
            self._misses = 0
            long_enough = t_s - self._streak_start_s >= OTHERS_CONFIRM_S - 1e-9
            if self._hits >= OTHERS_CONFIRM_CHECKS and long_enough:
                self.present = True
        else:
            self._misses += 1
            # A pending candidate must be seen in every check; a reported one may be missed once.
            if not self.present or self._misses >= OTHERS_CLEAR_MISSES:
                self.present = False
                self._streak_start_s, self._hits = None, 0
        watching = self.present or self._streak_start_s is not None
        self.next_check_s = t_s + (OTHERS_RECHECK_INTERVAL_S if watching else OTHERS_IDLE_INTERVAL_S)
        return self.present


class MediaPipePose:
    """BlazePose through ``mediapipe.solutions.pose`` (tracking mode for video), plus a check for others.

    The second-person check paints the tracked person's box grey and looks again with a fresh detector
    (MediaPipe's tracker locks onto one person and would never report a second); ``SecondPersonTracker``
    decides how often, and when what it finds is a second person. A skeleton that jumps between frames is
    not taken as one: that is a tracking glitch, which the checker gates. A real switch of the tracker to
    someone else leaves the first person unmasked, so the masked check finds them.
    """

    def __init__(
        self, model: ModelEntry | None = None, check_others: bool = True, threads: int | None = None
    ) -> None:
        self.model = model or resolve_model()
        if self.model.backend != "mediapipe_solutions":
            raise FormcheckError(f"Model '{self.model.name}' is not a mediapipe.solutions model.")
        self.threads = threads if threads is not None else default_inference_threads()
        if self.threads < 1:
            raise FormcheckError(f"The pose model needs at least one thread, not {self.threads}.")
        pose_class = _threaded_pose_class()
        self._pose = pose_class(
            self.threads,
            static_image_mode=False,
            model_complexity=self.model.model_complexity,
            smooth_landmarks=True,
            enable_segmentation=False,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )
        self._check_others = check_others
        self._others_pose = (
            pose_class(self.threads, static_image_mode=True, model_complexity=self.model.model_complexity)
            if check_others
            else None
        )
        # The first inference sets up TensorFlow Lite, which prints to stderr from C++: do it now, quietly.
        blank = np.zeros((64, 64, 3), np.uint8)
        with quiet_stderr():
            self._pose.process(blank)
            if self._others_pose is not None:
                self._others_pose.process(blank)
        self._second_person = SecondPersonTracker()
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
        # Positions in the recording's own pixels, also when the picture was scaled down for the model.
        full_width, full_height = frame.size_px
        if result.pose_landmarks is None:
            self._last_center = None
            return PoseFrame.empty(frame.index, frame.t_s, full_width, full_height)
        xy, vis, depth = _arrays(result.pose_landmarks, width, height)
        world = None
        if result.pose_world_landmarks is not None:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark])
        others = self._other_people(rgb, xy, vis, frame.t_s)
        if (full_width, full_height) != (width, height):
            xy = xy * (full_width / width, full_height / height)
            depth = depth * (full_width / width)
        return PoseFrame(
            index=frame.index,
            t_s=frame.t_s,
            width_px=full_width,
            height_px=full_height,
            xy_px=xy,
            visibility=vis,
            depth=depth,
            world_m=world,
            other_people=others,
        )

    def _other_people(self, rgb: np.ndarray, xy: np.ndarray, vis: np.ndarray, t_s: float) -> int:
        if not self._check_others:
            return 0
        if self._second_person.due(t_s):
            started = time.perf_counter()
            self._second_person.update(t_s, self._separate_body_seen(rgb, xy, vis))
            self.others_check_s += time.perf_counter() - started
        return int(self._second_person.present)

    def _separate_body_seen(self, rgb: np.ndarray, xy: np.ndarray, vis: np.ndarray) -> bool:
        if self._others_pose is None:
            return False
        height, width = rgb.shape[:2]
        box = body_box(xy, vis, MASK_POINT_VIS)
        if box is None:
            return False
        masked_box = mask_box(box, width, height)
        x0, y0, x1, y1 = masked_box
        masked = rgb.copy()
        masked[int(y0) : int(y1), int(x0) : int(x1)] = 127
        with quiet_stderr():  # its first run on a non-square picture logs a harmless C++ warning
            result = self._others_pose.process(masked)
        if result.pose_landmarks is None:
            return False
        other_xy, other_vis, _ = _arrays(result.pose_landmarks, width, height)
        return is_separate_body(other_xy, other_vis, xy, vis, masked_box)

    def reset(self) -> None:
        """Start afresh for another recording, keeping the loaded graphs (a batch worker reuses one
        estimator across files): the tracker forgets the last file's person, as a new estimator would."""
        blank = np.zeros((64, 64, 3), np.uint8)
        with quiet_stderr():
            self._pose.reset()
            self._pose.process(blank)
            if self._others_pose is not None:
                self._others_pose.reset()
                self._others_pose.process(blank)
        self._second_person = SecondPersonTracker()
        self.others_check_s = 0.0
        self._quiet_until_found = True

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
        width, height = frame.size_px  # normalised positions, given in the recording's own pixels
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


def create_estimator(
    model_name: str | None = None, check_others: bool = True, threads: int | None = None
) -> PoseEstimator:
    """The registry's model as an estimator; ``threads`` per model (default: every usable core, at most
    MAX_INFERENCE_THREADS)."""
    model = resolve_model(model_name)
    if model.backend == "mediapipe_tasks":
        return MediaPipeTasksPose(model)
    return MediaPipePose(model, check_others=check_others, threads=threads)
