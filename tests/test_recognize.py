"""Recognising the exercise from the poses alone: postures, variants, episodes of whole routines, and
the movements that are none of the exercises. Built from what people do: hook-lying and straight-leg
starts, either side near the camera, rolled and mirrored cameras, full press-ups, deep side bends,
clips that start moving at once."""

import time

import numpy as np
import pytest
from synthetic import Gap, Morph, Script, const, frames, keyframes, sequence, swap_sides

from formcheck.recognize import LiveRecogniser, read_pose, recognise

EARS = {
    "ears": const(1.0)
}  # a tracker sees the ears behind the face (the bare generator puts them at the nose)


def reps(times, low, high, rise=1.5, hold=3.0, rest=2.5):
    """Keyframes: rest at ``low``, then a rep from each start time in ``times``."""
    pts = [(0.0, low)]
    for t in times:
        pts += [(t, low), (t + rise, high), (t + rise + hold, high), (t + 2 * rise + hold, low)]
    return keyframes(pts)


def one(episodes):
    assert len(episodes) == 1, episodes
    return episodes[0]


def exercised(episodes):
    return [(e.exercise, e.variant) for e in episodes if e.exercise]


# --- knee-to-chest --------------------------------------------------------------------------------


def k2c_single(start_deg=0.0, knee=None, **kw):
    """Left, right, left: 3 s rest, each rep 1.5 s up, 3 s held, 1.5 s down, 2.5 s rest."""
    left = reps([3.0, 20.0], start_deg, 125.0)
    right = reps([11.5], start_deg, 120.0)
    angles = {"left_flex": left, "right_flex": right, **EARS}
    if knee is not None:  # hook-lying: the knees stay bent, feet flat, while the hip is not pulled in
        angles |= {"left_knee": knee(left), "right_knee": knee(right)}
    return Script("supine", 31, angles, **kw)


def hook_knee(hip):
    return lambda t: 96.0 + 0.3 * (hip(t) - 45.0)


def test_single_knee_to_chest_from_legs_straight():
    e = one(recognise(frames(k2c_single(jitter_px=1.0))))
    assert (e.posture, e.view, e.exercise, e.variant, e.movement) == (
        "supine", "side", "knee_to_chest", "single", "one_hip",
    )  # fmt: skip
    assert e.start_s == pytest.approx(0.0, abs=0.2)
    assert e.end_s == pytest.approx(31.0, abs=1.0)
    assert e.why == "lying on the back, side view, legs straight; one hip at a time flexes"


def test_single_knee_to_chest_from_hook_lying_other_side_near_and_mirrored():
    poses = swap_sides(frames(k2c_single(45.0, hook_knee, mirrored=True, jitter_px=1.0)))
    e = one(recognise(poses))
    assert (e.posture, e.exercise, e.variant, e.movement) == ("supine", "knee_to_chest", "single", "one_hip")
    assert "knees bent, feet flat" in e.why


def test_double_knee_to_chest_from_hook_lying_with_a_rolled_camera():
    both = reps([3.0, 11.0], 45.0, 130.0)
    knee = hook_knee(both)
    script = Script(
        "supine", 20, {"left_flex": both, "right_flex": both, "left_knee": knee, "right_knee": knee, **EARS},
        camera_roll_deg=12.0, jitter_px=1.0,
    )  # fmt: skip
    e = one(recognise(frames(script)))
    assert (e.exercise, e.variant, e.movement) == ("knee_to_chest", "double", "both_hips")
    assert e.why.endswith("both hips flex together")


def test_double_knee_to_chest_far_knee_barely_visible():
    # MediaPipe reports the far knee of a lying person at 0.15-0.4 visibility but places it well.
    both = reps([3.0, 11.0], 0.0, 125.0)
    script = Script("supine", 20, {"left_flex": both, "right_flex": both}, mirrored=True)
    poses = frames(script)
    for p in poses:
        p.visibility[[24, 26, 28, 30, 32]] = 0.3
    assert exercised(recognise(poses)) == [("knee_to_chest", "double")]


def test_resting_leg_lifting_a_little_is_still_single():
    left = reps([3.0], 0.0, 125.0)
    lift = reps(
        [3.5], 0.0, 40.0, hold=2.0
    )  # the other leg comes up 40 deg late and less: a fault, not a double
    script = Script("supine", 14, {"left_flex": left, "right_flex": lift})
    assert exercised(recognise(frames(script))) == [("knee_to_chest", "single")]


# --- prone extension ------------------------------------------------------------------------------


def test_prone_arms_forward_facing_the_other_way():
    elev = reps([3.0, 12.0], 0.0, 22.0, hold=5.0)
    e = one(recognise(frames(Script("prone", 22, {"elev": elev, **EARS}, mirrored=True, jitter_px=1.0))))
    assert (e.posture, e.exercise, e.variant, e.movement) == (
        "prone", "prone_extension", "arms-forward", "trunk_elevation",
    )  # fmt: skip
    assert e.why == "lying on the stomach, side view, arms forward; the trunk lifts"


def test_full_press_up_to_60_deg_stays_prone_and_is_a_press_up():
    # Held 3 s at the top, perfectly still: a still moment that must not be read as a new posture.
    elev = reps([3.0, 12.0], 0.0, 60.0, hold=3.0)
    script = Script("prone", 21, {"elev": elev, "hands_planted": const(1.0)}, camera_roll_deg=-12.0)
    e = one(recognise(swap_sides(frames(script))))
    assert (e.posture, e.exercise, e.variant) == ("prone", "prone_extension", "press-up")
    assert "hands under the shoulders" in e.why and "pushed up on the hands" in e.why
    assert e.end_s == pytest.approx(21.0, abs=1.0)


def test_superman_lifts_the_legs_too():
    elev = reps([3.0, 9.0, 15.0], 0.0, 12.0, rise=1.0, hold=2.0)
    legs = reps([3.0, 9.0, 15.0], 0.0, 10.0, rise=1.0, hold=2.0)
    e = one(recognise(frames(Script("prone", 22, {"elev": elev, "legs": legs, **EARS}, jitter_px=0.5))))
    assert (e.exercise, e.variant) == ("prone_extension", "superman")


# --- side bends -----------------------------------------------------------------------------------


def side_bends(**kw):
    tilt = keyframes([(0, 0), (3, 0), (5, 35), (7, 35), (9, 0), (11, 0), (13, -35), (15, -35), (17, 0)])
    return Script("standing", 20, {"tilt": tilt, "hip_marker_drift": lambda t: 0.004 * tilt(t)}, **kw)


def test_side_bends_to_35_deg_with_a_rolled_camera():
    e = one(recognise(frames(side_bends(camera_roll_deg=12.0, jitter_px=1.0))))
    assert (e.posture, e.view, e.exercise, e.variant, e.movement) == (
        "standing", "front", "side_bend", "standing", "lateral_tilt",
    )  # fmt: skip
    assert e.start_s == pytest.approx(0.0, abs=0.2)
    assert e.end_s == pytest.approx(20.0, abs=1.0)


def test_standing_in_profile_is_side_bends_seen_from_the_side():
    lean = keyframes([(0, 90), (3, 90), (5, 60), (7, 60), (9, 90), (13, 90), (15, 60), (17, 60), (19, 90)])
    e = one(recognise(frames(Script("side", 22, {"torso": lean}))))
    assert (e.posture, e.view, e.exercise) == ("standing", "side", "side_bend")


# --- what is none of the exercises ----------------------------------------------------------------


def test_squats_from_the_front_are_no_exercise():
    down = reps([2.0, 5.0, 8.0, 11.0], 0.0, 1.0, rise=1.0, hold=0.2, rest=0.0)
    script = Script(
        "standing", 16, {"leg_ratio": lambda t: 1.0 - 0.35 * down(t), "lean": lambda t: 25 * down(t)},
        jitter_px=1.0,
    )  # fmt: skip
    e = one(recognise(frames(script)))
    assert (e.posture, e.exercise, e.movement) == ("standing", None, "squat")


def test_squats_from_the_side_are_no_exercise():
    down = reps([2.0, 5.0, 8.0, 11.0], 0.0, 1.0, rise=1.0, hold=0.2)
    angles = {
        "thigh": lambda t: -90 + 70 * down(t),
        "shank": lambda t: -90 - 25 * down(t),
        "torso": lambda t: 90 - 35 * down(t),
        "arm": lambda t: -90 + 90 * down(t),
        "fore": lambda t: -90 + 90 * down(t),
    }
    eps = recognise(frames(Script("side", 16, angles)))
    assert exercised(eps) == []
    assert eps[0].posture == "standing" and eps[0].movement == "squat"


def test_walking_across_is_no_exercise():
    swing = lambda t: 25 * np.sin(2 * np.pi * (t - 2) / 1.2) if 2 <= t < 8 else 0.0  # noqa: E731
    angles = {
        "dx": keyframes([(0, -150), (2, -150), (8, 150)]),
        "l_thigh": lambda t: -90 + swing(t),
        "r_thigh": lambda t: -90 - swing(t),
        "l_shank": lambda t: -90 + 0.5 * swing(t),
        "r_shank": lambda t: -90 - 0.5 * swing(t),
    }
    eps = recognise(frames(Script("side", 11, angles)))
    assert exercised(eps) == []
    assert [e.movement for e in eps] == ["walk", "none"]  # the second: standing still at the other end


def test_sitting_on_a_chair_and_long_sitting_are_no_exercise():
    chair = {"ankle_x": const(420.0), "thigh": const(0.0), "shank": const(-90.0), "torso": const(95.0)}
    long = {"ankle_x": const(520.0), "thigh": const(0.0), "shank": const(0.0), "torso": const(100.0),
            "arm": const(-70.0), "fore": const(-60.0)}  # fmt: skip
    for angles in (chair, long):
        e = one(recognise(frames(Script("side", 6, angles, jitter_px=1.0))))
        assert (e.posture, e.exercise) == ("sitting", None)


def test_all_fours_with_cat_camel_is_no_exercise():
    hump = keyframes([(0, 180), (2, 180), (4, 165), (6, 195), (8, 180)])
    angles = {"ankle_x": const(520.0), "shank": const(0.0), "thigh": const(-90.0), "torso": hump,
              "arm": const(-90.0), "fore": const(-90.0), "face": const(210.0)}  # fmt: skip
    e = one(recognise(frames(Script("side", 10, angles))))
    assert (e.posture, e.exercise) == ("all_fours", None)


def test_nobody_in_the_picture_is_no_episode():
    assert recognise(frames(Script("supine", 5, no_person=[(0, 5)]))) == []


# --- episodes: starts, breaks, whole routines -----------------------------------------------------


def test_a_person_who_starts_moving_at_once_gets_the_episode_at_the_first_still_moment():
    left = keyframes([(0, 40), (1.0, 125), (4, 125), (5.5, 0), (8.5, 0), (10, 120), (13, 120), (14.5, 0)])
    e = one(recognise(frames(Script("supine", 17, {"left_flex": left}))))
    assert e.start_s == pytest.approx(5.5, abs=0.6)  # the held knee at the chest is no start position
    assert (e.exercise, e.variant) == ("knee_to_chest", "single")
    assert e.span_start_s == pytest.approx(0.0, abs=0.1)  # the first rep lies in what it may claim


def test_a_short_tracker_dropout_or_a_glitch_frame_does_not_split_the_episode():
    poses = frames(k2c_single(no_person=[(6.0, 6.4)]))
    glitch = poses[300]
    poses[300] = glitch.with_xy(glitch.xy_px * 0.5)  # one frame of a skeleton folded somewhere else
    e = one(recognise(poses))
    assert (e.exercise, e.variant) == ("knee_to_chest", "single")


def routine(jump=False):
    """Supine single knee-to-chest -> roll over -> prone press-ups -> camera moved -> side bends."""
    k2c = Script(
        "supine", 16, {"left_flex": reps([3.0], 0.0, 125.0), "right_flex": reps([9.0], 0.0, 120.0), **EARS}
    )
    elev = reps([2.0, 8.0], 0.0, 55.0, hold=3.0)
    prone = Script("prone", 14, {"elev": elev, "hands_planted": const(1.0), **EARS}, mirrored=True)
    sb = side_bends(jitter_px=1.0, scale=0.8, shift_px=(60.0, 20.0) if jump else (0.0, 0.0))
    if jump:  # the camera swings: the skeleton is somewhere else, larger, in the next frame
        return sequence(k2c, Morph(3.0), prone, Morph(0.3), sb)
    return sequence(k2c, Morph(3.0), prone, Gap(1.0), sb)


@pytest.mark.parametrize("jump", [False, True])
def test_a_routine_gives_three_episodes_with_their_own_start(jump):
    eps = recognise(routine(jump))
    assert exercised(eps) == [
        ("knee_to_chest", "single"),
        ("prone_extension", "press-up"),
        ("side_bend", "standing"),
    ]
    truth = [(0.0, 16.0), (19.0, 33.0), (33.3 if jump else 34.0, 53.3 if jump else 54.0)]
    for e, (t0, t1) in zip(eps, truth, strict=True):
        assert e.start_s == pytest.approx(t0, abs=2.0)
        assert e.end_s == pytest.approx(t1, abs=2.0)


def test_rolling_from_back_to_stomach_splits_even_in_the_same_place():
    eps = recognise(
        sequence(k2c_single(), Morph(2.0), Script("prone", 10, {"elev": reps([2.0], 0.0, 20.0), **EARS}))
    )
    assert [e.posture for e in eps] == ["supine", "prone"]
    assert eps[1].start_s == pytest.approx(33.0, abs=1.0)


# --- one still pose -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "angles", "posture", "start"),
    [
        ("supine", {}, "supine", True),
        (
            "supine",
            {"left_flex": 45.0, "right_flex": 45.0, "left_knee": 96.0, "right_knee": 96.0},
            "supine",
            True,
        ),
        (
            "supine",
            {"left_flex": 125.0, "right_flex": 125.0},
            "supine",
            False,
        ),  # both knees held at the chest
        ("prone", {}, "prone", True),
        ("prone", {"elev": 15.0}, "prone", True),  # propped on the forearms
        ("prone", {"elev": 60.0, "hands_planted": 1.0}, "unknown", False),  # the top of a press-up
        ("standing", {}, "standing", True),
        ("standing", {"tilt": 35.0}, "standing", False),
        ("side", {}, "standing", True),
    ],
)
def test_read_pose(kind, angles, posture, start):
    angles = {"ears": 1.0} | angles
    pose = frames(Script(kind, 0.1, {k: const(v) for k, v in angles.items()}, camera_roll_deg=10.0))[0]
    r = read_pose(pose.xy_px, pose.visibility)
    assert r is not None
    assert (r.posture, r.start) == (posture, start)


# --- live ----------------------------------------------------------------------------------------


def test_live_guess_comes_a_second_after_settling_and_changes_with_the_position():
    poses = sequence(k2c_single(), Morph(3.0), Script("prone", 10, {"elev": reps([2.0], 0.0, 20.0), **EARS}))
    rec = LiveRecogniser()
    said = [(p.t_s, r) for p in poses if (r := rec.update(p)) is not None]
    first_t, first = said[0]
    assert first_t == pytest.approx(1.0, abs=0.15)
    assert (first.exercise, first.variant, first.posture, first.since_s) == (
        "knee_to_chest",
        "single",
        "supine",
        0.0,
    )
    t, last = said[-1]
    assert (last.exercise, last.posture) == ("prone_extension", "prone")
    assert t == pytest.approx(35.0, abs=0.5) and last.since_s == pytest.approx(34.0, abs=0.5)
    assert rec.current is not None and (rec.current.exercise, rec.current.since_s) == (
        last.exercise,
        last.since_s,
    )
    assert rec.current.movement == "trunk_elevation"  # learnt later, without a new report: the guess stood


def test_live_guess_learns_double_from_the_first_movement():
    both = reps([3.0], 0.0, 125.0)
    rec = LiveRecogniser()
    said = [
        r
        for p in frames(Script("supine", 12, {"left_flex": both, "right_flex": both}))
        if (r := rec.update(p))
    ]
    assert [(r.variant, r.movement) for r in said] == [("single", "none"), ("double", "both_hips")]


def test_live_cost_per_frame_is_reported():
    poses = routine()
    rec = LiveRecogniser()
    t0 = time.perf_counter()
    for p in poses:
        rec.update(p)
    per_frame_us = (time.perf_counter() - t0) / len(poses) * 1e6
    print(f"\nlive recogniser: {per_frame_us:.1f} us per frame over {len(poses)} frames")
    assert rec.current is not None


def test_a_held_lift_taken_for_the_start_gives_way_to_the_real_rest():
    # Starts with the trunk held 22 deg up (still, and within what lying propped reads), then lies down.
    elev = keyframes([(0, 22), (3, 22), (4.5, 0), (7, 0), (8.5, 22), (12, 22), (13.5, 0)])
    e = one(recognise(frames(Script("prone", 16, {"elev": elev, **EARS}, jitter_px=0.5))))
    assert (e.exercise, e.variant, e.movement) == ("prone_extension", "arms-forward", "trunk_elevation")
    assert e.start_s == pytest.approx(0.0, abs=0.2)
