"""A second person is a second, separate body seen for a while: not a ghost on the masked picture, not
the tracked person's own limbs, not a one-off detection, not a skeleton that jumps.

The masked re-detection runs through ``MediaPipePose._other_people`` with the static detector replaced by
a fake that "sees" whichever scripted body is not painted grey, so the whole decision (masking, which
detections count, how often to look, when to report and clear) is tested without a model or a video.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pytest

from formcheck import landmarks as lm
from formcheck.pose import (
    OTHERS_IDLE_INTERVAL_S,
    OTHERS_RECHECK_INTERVAL_S,
    MediaPipePose,
    SecondPersonTracker,
    body_box,
    is_separate_body,
    mask_box,
)
from tests.synthetic import standing

W, H, FPS = 1280, 480, 30.0
Body = tuple[np.ndarray, np.ndarray]  # xy (33, 2) px, visibility (33,)


def person(dx: float = 0.0, scale: float = 1.0, about: tuple[float, float] = (320.0, 440.0)) -> Body:
    """A person standing facing the camera at x = 320 + dx (feet at y = 440), optionally scaled."""
    xy, vis, _ = standing({"tilt": 0.0})
    xy = (xy - about) * scale + about + (dx, 0.0)
    return xy, vis


TRACKED = person()
BESIDE = person(dx=500.0)  # a second person standing well clear of the tracked one


def grey_at(rgb: np.ndarray, point: np.ndarray) -> bool:
    x = int(np.clip(point[0], 0, rgb.shape[1] - 1))
    y = int(np.clip(point[1], 0, rgb.shape[0] - 1))
    return bool((rgb[y, x] == 127).all())


class FakeDetector:
    """Stands in for the static BlazePose: returns what ``detect(t, masked_rgb)`` says is there."""

    def __init__(self, detect: Callable[[float, np.ndarray], Body | None]) -> None:
        self.detect = detect
        self.t = 0.0
        self.calls: list[float] = []

    def process(self, rgb: np.ndarray) -> SimpleNamespace:
        self.calls.append(self.t)
        body = self.detect(self.t, rgb)
        if body is None:
            return SimpleNamespace(pose_landmarks=None)
        xy, vis = body
        pts = [
            SimpleNamespace(x=x / rgb.shape[1], y=y / rgb.shape[0], z=0.0, visibility=v)
            for (x, y), v in zip(xy, vis, strict=True)
        ]
        return SimpleNamespace(pose_landmarks=SimpleNamespace(landmark=pts))

    def close(self) -> None:
        pass


def unmasked(scene: Callable[[float], list[Body]]) -> Callable[[float, np.ndarray], Body | None]:
    """A detector that finds the first body in the scene whose head and hips are not painted grey."""

    def detect(t: float, rgb: np.ndarray) -> Body | None:
        for xy, vis in scene(t):
            hips = xy[[lm.LEFT_HIP, lm.RIGHT_HIP]].mean(axis=0)
            if not grey_at(rgb, xy[lm.NOSE]) and not grey_at(rgb, hips):
                return xy, vis
        return None

    return detect


@pytest.fixture
def estimator():  # type: ignore[no-untyped-def]
    est = MediaPipePose(check_others=False)  # one real model only; the second is the fake below
    est._check_others = True
    yield est
    est.close()


def reported(
    est: MediaPipePose,
    detect: Callable[[float, np.ndarray], Body | None],
    duration_s: float,
    tracked: Callable[[float], Body] = lambda t: TRACKED,
) -> tuple[np.ndarray, np.ndarray, FakeDetector]:
    """Run the second-person check on every frame; returns frame times, others reported, the fake."""
    fake = FakeDetector(detect)
    est._others_pose = fake
    rgb = np.zeros((H, W, 3), np.uint8)
    times = np.arange(int(duration_s * FPS)) / FPS
    out = []
    for t in times:
        fake.t = float(t)
        xy, vis = tracked(float(t))
        out.append(est._other_people(rgb, xy, vis, float(t)))
    return times, np.array(out), fake


def tracked_mask() -> tuple[float, float, float, float]:
    box = body_box(*TRACKED, 0.3)
    assert box is not None
    return mask_box(box, W, H)


# --- which detections are a separate body -----------------------------------------------------------


def test_a_person_standing_beside_is_a_separate_body():
    assert is_separate_body(*BESIDE, *TRACKED, tracked_mask())


def test_a_ghost_on_the_grey_mask_is_not_a_body_nor_ever_reported(estimator):
    ghost = person(scale=0.7, about=(320.0, 250.0))  # a skeleton hallucinated on the grey box
    assert not is_separate_body(*ghost, *TRACKED, tracked_mask())
    _, others, _ = reported(estimator, lambda t, rgb: ghost, 4.0)
    assert not others.any()


def test_a_limb_sized_detection_at_the_edge_of_the_box_is_not_a_body_nor_ever_reported(estimator):
    # The tracked person's own forearm and hand, left unmasked at the edge of the box, read as a tiny body.
    x1 = tracked_mask()[2]
    limb = person(dx=x1 - 320.0 + 20.0, scale=0.25, about=(320.0, 250.0))
    assert not is_separate_body(*limb, *TRACKED, tracked_mask())
    _, others, _ = reported(estimator, lambda t, rgb: limb, 4.0)
    assert not others.any()


def test_the_persons_own_body_around_a_folded_skeleton_is_not_a_body(estimator):
    # In an odd pose the tracker folds its skeleton onto the shoulders: the box misses the limbs, and
    # the static detector finds the same person's whole body, most of it outside the grey box.
    xy, vis = TRACKED
    folded = xy.copy()
    limbs = list(range(lm.LEFT_ELBOW, lm.COUNT))
    folded[limbs] = xy[lm.LEFT_SHOULDER] + np.linspace(0, 1, len(limbs))[:, None] * (30.0, 40.0)
    box = body_box(folded, vis, 0.3)
    assert box is not None
    mask = mask_box(box, W, H)
    whole = TRACKED
    inside = [mask[0] <= x <= mask[2] and mask[1] <= y <= mask[3] for x, y in whole[0]]
    assert sum(inside) < len(inside) / 2  # so the "outside the mask" test alone would accept it
    assert not is_separate_body(*whole, folded, vis, mask)
    _, others, _ = reported(estimator, lambda t, rgb: whole, 4.0, tracked=lambda t: (folded, vis))
    assert not others.any()


# --- over time ---------------------------------------------------------------------------------------


def test_a_one_off_detection_is_never_reported(estimator):
    scene = unmasked(lambda t: [TRACKED, BESIDE] if 3.0 <= t < 3.1 else [TRACKED])
    _, others, _ = reported(estimator, scene, 6.0)
    assert not others.any()


def test_a_detection_seen_only_every_other_check_is_never_reported(estimator):
    flicker = {"n": 0}

    def detect(t: float, rgb: np.ndarray) -> Body | None:
        flicker["n"] += 1
        return BESIDE if flicker["n"] % 2 == 0 else None

    _, others, _ = reported(estimator, detect, 8.0)
    assert not others.any()


def test_a_person_beside_for_2_s_is_reported_within_1_s_and_cleared_after_leaving(estimator):
    arrive_s, leave_s = 3.0, 5.0
    scene = unmasked(lambda t: [TRACKED, BESIDE] if arrive_s <= t < leave_s else [TRACKED])
    times, others, _ = reported(estimator, scene, 8.0)
    first = times[others > 0].min()
    assert arrive_s <= first <= arrive_s + 1.0
    assert others[(times >= first) & (times < leave_s)].all()  # no gaps while there
    last = times[others > 0].max()
    assert last < leave_s + 1.0
    assert not others[times >= leave_s + 1.0].any()


def test_a_skeleton_jump_alone_is_not_a_second_person(estimator):
    # A fast move or a tracker glitch throws the skeleton across the picture for a few frames.
    jumped = person(dx=400.0)
    _, others, _ = reported(
        estimator, unmasked(lambda t: [TRACKED]), 5.0, tracked=lambda t: jumped if 2.0 <= t < 2.2 else TRACKED
    )
    assert not others.any()


def test_a_tracker_switch_to_someone_else_is_still_caught(estimator):
    # Someone walks in at 2 s and the tracker switches to them: the masked check finds the first person.
    newcomer = person(dx=500.0)
    scene = unmasked(lambda t: [TRACKED, newcomer] if t >= 2.0 else [TRACKED])
    times, others, _ = reported(estimator, scene, 5.0, tracked=lambda t: newcomer if t >= 2.0 else TRACKED)
    assert not others[times < 2.0].any()
    assert others[times >= 3.0].all()


def test_checks_run_once_per_second_while_nobody_else_is_seen(estimator):
    _, _, fake = reported(estimator, unmasked(lambda t: [TRACKED]), 5.0)
    assert len(fake.calls) == 5
    assert np.allclose(np.diff(fake.calls), OTHERS_IDLE_INTERVAL_S, atol=1.5 / FPS)


def test_checks_run_more_often_while_someone_else_may_be_there(estimator):
    scene = unmasked(lambda t: [TRACKED, BESIDE] if t >= 2.0 else [TRACKED])
    _, _, fake = reported(estimator, scene, 4.0)
    gaps = np.diff([t for t in fake.calls if t >= 2.0])
    assert len(gaps) >= 6
    assert np.allclose(gaps, OTHERS_RECHECK_INTERVAL_S, atol=1.5 / FPS)


# --- the tracker on its own --------------------------------------------------------------------------


def test_tracker_reports_after_several_checks_over_0_7_s_and_clears_after_two_misses():
    tracker = SecondPersonTracker()
    states = [tracker.update(t, seen) for t, seen in [(0.0, True), (0.25, True), (0.5, True)]]
    assert states == [False, False, False]  # three checks but only 0.5 s
    assert tracker.update(0.75, True)
    assert tracker.update(1.0, False)  # one miss is forgiven once reported
    assert tracker.update(1.25, True)
    assert tracker.update(1.5, False)
    assert not tracker.update(1.75, False)
    assert tracker.next_check_s == pytest.approx(1.75 + OTHERS_IDLE_INTERVAL_S)


def test_tracker_pending_candidate_is_dropped_at_the_first_miss():
    tracker = SecondPersonTracker()
    for t in (0.0, 0.25, 0.5):
        tracker.update(t, True)
    assert tracker.next_check_s == pytest.approx(0.5 + OTHERS_RECHECK_INTERVAL_S)
    tracker.update(0.75, False)
    assert not tracker.update(1.0, True)  # the span starts again
    assert not tracker.update(1.25, True)


def test_tracker_starts_afresh_after_a_long_gap_or_when_time_goes_back():
    tracker = SecondPersonTracker()
    for t in (0.0, 0.25, 0.5):
        tracker.update(t, True)
    # The tracked person was lost for 5 s: a sighting then and one now are not "a while".
    assert not tracker.update(5.5, True)
    assert not tracker.update(5.75, True)
    for t in (6.0, 6.25):
        tracker.update(t, True)
    assert tracker.present
    assert tracker.due(1.0)  # a replay that went back in time looks again at once
    assert not tracker.update(1.0, True)
