"""What real people do, on synthetic poses: the situations that broke the checker on real footage.

Each case is built from how the exercise is taught and done (leaflets, clinicians' demonstrations,
real paces), not from what the checker expects; see shared/design/REAL_WORLD.md and issue 11.
"""

import math
from dataclasses import replace

import pytest
from synthetic import Script, keyframes, run_script

from formcheck import landmarks as lm


def codes(checker):
    return {i.code for i in checker.fault_intervals}


def setup_codes(checker):
    return {i.code for i in checker.setup_intervals}


# --- 1. knee-to-chest from hook-lying (knees bent, feet flat: the NHS leaflet start) ----------------

HOOK_HIP, HOOK_KNEE = 45.0, 96.0  # hip flexion and knee flexion that put the foot flat on the floor


def hook_leg(rises):
    """A leg resting in hook-lying that rises to each (t_up, t_top, t_down, t_rest, peak) and back."""
    hip = [(0.0, HOOK_HIP)]
    knee = [(0.0, HOOK_KNEE)]
    for up, top, down, rest, peak in rises:
        hip += [(up, HOOK_HIP), (top, peak), (down, peak), (rest, HOOK_HIP)]
        knee += [(up, HOOK_KNEE), (top, 115.0), (down, 115.0), (rest, HOOK_KNEE)]
    return keyframes(hip), keyframes(knee)


def hook_script(duration, left=(), right=(), **kw):
    lh, lk = hook_leg(left)
    rh, rk = hook_leg(right)
    angles = {"left_flex": lh, "left_knee": lk, "right_flex": rh, "right_knee": rk}
    return Script("supine", duration, angles, **kw)


def test_hook_lying_start_counts_good_reps_with_their_holds():
    # Left then right, each raised from 45 to 125 deg in 2 s, held 5 s, lowered in 2 s.
    script = hook_script(22, left=[(2, 4, 9, 11, 125)], right=[(12, 14, 19, 21, 125)], jitter_px=0.7)
    checker, _ = run_script(script, "knee_to_chest", "single", hold_s=4)
    assert [(r.side, r.result) for r in checker.reps] == [("left", "good"), ("right", "good")]
    assert "other_leg_lift" not in codes(checker)
    # Above 100 deg: the 5 s plateau and the top of each 2 s cosine ramp from 45 to 125.
    ramp_above = 2.0 * (1 - math.acos(1 - 2 * (100 - 45) / 80) / math.pi)
    for rep in checker.reps:
        assert rep.hold_s == pytest.approx(5.0 + 2 * ramp_above, abs=0.3)
        assert rep.peak_deg == pytest.approx(125, abs=4)


def test_hook_lying_resting_leg_lifting_from_its_own_start_is_a_fault():
    # Right leg works; the resting left foot leaves the floor, its hip going from 45 to 85 deg.
    lh = keyframes([(0, HOOK_HIP), (5, HOOK_HIP), (6, 85), (8, 85), (9, HOOK_HIP)])
    rh, rk = hook_leg([(2, 4, 10, 12, 125)])
    angles = {"left_flex": lh, "left_knee": keyframes([(0, HOOK_KNEE), (5, HOOK_KNEE), (6, 110)]),
              "right_flex": rh, "right_knee": rk}  # fmt: skip
    checker, _ = run_script(Script("supine", 15, angles), "knee_to_chest", "single", hold_s=3)
    assert [r.side for r in checker.reps] == ["right"]
    assert checker.reps[0].result == "faulty" and "other_leg_lift" in checker.reps[0].faults
    interval = next(i for i in checker.fault_intervals if i.code == "other_leg_lift")
    assert 5.2 <= interval.start_s <= 6.2


def test_hook_lying_double_knees():
    lh, lk = hook_leg([(2, 4, 8, 10, 120)])
    angles = {"left_flex": lh, "left_knee": lk, "right_flex": lh, "right_knee": lk}
    checker, _ = run_script(Script("supine", 12, angles), "knee_to_chest", "double", hold_s=3)
    assert [(r.side, r.result) for r in checker.reps] == [("both", "good")]


# --- 2. the full press-up ---------------------------------------------------------------------------


@pytest.mark.parametrize("peak", [60.0, 72.0])
def test_full_press_up_counts_and_measures_its_height(peak):
    elev = keyframes([(0, 0), (2.5, 0), (4, peak), (7, peak), (8.5, 0), (11, 0), (12.5, peak),
                      (15.5, peak), (17, 0), (19, 0)])  # fmt: skip
    checker, _ = run_script(Script("prone", 19, {"elev": elev}, jitter_px=0.7), "prone_extension", "press-up")
    assert [r.result for r in checker.reps] == ["good", "good"]
    assert all(r.peak_deg == pytest.approx(peak, abs=2) for r in checker.reps)
    assert not setup_codes(checker)


# --- 3. no still second at the start ----------------------------------------------------------------


def test_recording_that_starts_moving_at_once_keeps_its_reps():
    # The lift starts 0.3 s into the clip; the only rest is the 3 s between the two 8 s holds.
    elev = keyframes([(0, 0), (0.3, 0), (1.8, 25), (9.8, 25), (11.3, 0), (14.3, 0), (15.8, 25),
                      (23.8, 25), (25.3, 0)])  # fmt: skip
    checker, _ = run_script(Script("prone", 25.3, {"elev": elev}, jitter_px=0.5), "prone_extension", hold_s=5)
    assert [(r.result, r.complete) for r in checker.reps] == [("good", True), ("good", True)]
    assert checker.reps[0].peak_deg == pytest.approx(25, abs=1.5)
    assert checker.reps[0].hold_s == pytest.approx(8.0 + 1.0, abs=0.5)  # >= 15 deg on the ramps too


def test_the_baseline_comes_from_the_lying_rest_not_from_a_still_hold_at_the_top():
    # A press-up that starts at once: the first still second is the 4 s hold at 45 deg, within the
    # press-up's rest gate only if the gate were loose. The rest between reps is the start position.
    elev = keyframes([(0, 0), (0.2, 0), (1.4, 45), (5.4, 45), (6.6, 0), (9.6, 0), (10.8, 45),
                      (14.8, 45), (16, 0), (16.5, 0)])  # fmt: skip
    checker, _ = run_script(Script("prone", 16.5, {"elev": elev}), "prone_extension", "press-up")
    assert [r.result for r in checker.reps] == ["good", "good"]
    assert [r.peak_deg for r in checker.reps] == pytest.approx([45, 45], abs=2)


def test_a_still_top_taken_for_the_start_is_measured_again_from_the_real_rest():
    # Arms-forward lift starting at once; its 6 s hold at 25 deg is still and near enough to lying to
    # pass for the start live. The recording's rest between the reps is clearly nearer the start, so
    # the whole clip is measured again from there: two good reps at 25 deg.
    elev = keyframes([(0, 0), (0.2, 0), (1.4, 25), (7.4, 25), (8.6, 0), (11.6, 0), (12.8, 25),
                      (18.8, 25), (20, 0), (20.5, 0)])  # fmt: skip
    checker, _ = run_script(Script("prone", 20.5, {"elev": elev}), "prone_extension", "arms-forward")
    assert [r.result for r in checker.reps] == ["good", "good"]
    assert [r.peak_deg for r in checker.reps] == pytest.approx([25, 25], abs=1.5)


def test_no_rest_anywhere_is_said_not_dropped_silently():
    from synthetic import frames

    from formcheck.pipeline import NO_BASELINE_NOTE, Pipeline
    from formcheck.spec import load_exercise

    # Waving the trunk up and down the whole time: never still in the start position.
    elev = keyframes([(i * 1.0, 30.0 * (i % 2)) for i in range(13)])
    pipeline = Pipeline(load_exercise("prone_extension", "arms-forward"))
    for f in frames(Script("prone", 12, {"elev": elev})):
        pipeline.step(f)
    pipeline.finish(12)
    assert pipeline.checker.reps == []
    assert pipeline.notes == [NO_BASELINE_NOTE]


def test_a_recording_that_starts_mid_rep_says_so_and_counts_the_rest():
    from formcheck.pipeline import MID_REP_NOTE

    # Trimmed tight: the knee is already held at 125 when the clip starts; lowered at 2-4 s; one full
    # rep follows.
    left = keyframes([(0, 125), (2, 125), (4, HOOK_HIP), (7, HOOK_HIP), (9, 125), (14, 125), (16, HOOK_HIP)])
    script = hook_script(18, jitter_px=0.7)
    script.angles["left_flex"] = left
    poses = faint_far_side(script, visibility=0.85)
    checker, notes = run_poses(poses, "knee_to_chest", "single", hold_s=4, with_notes=True)
    assert [(r.side, r.result) for r in checker.reps] == [("left", "good")]
    assert 7.0 <= checker.reps[0].start_s <= 8.0  # it leaves the start position (below 60) after 7 s
    assert notes == [MID_REP_NOTE.format(t=0.0)]


# --- 4. an ordinary controlled pace is not "too fast" -----------------------------------------------


def test_clinicians_pace_is_not_too_fast_but_a_jerk_is():
    # Raise 0 -> 125 over 1.5 s; lower at ~100 deg/s at the fastest moment (cosine over 2 s).
    good = keyframes([(0, 0), (2.5, 0), (4, 125), (8, 125), (10, 0), (13, 0)])
    checker, _ = run_script(
        Script("supine", 13, {"left_flex": good}, jitter_px=0.7), "knee_to_chest", hold_s=3
    )
    assert [r.result for r in checker.reps] == ["good"]
    assert "too_fast" not in codes(checker)
    # The same rep jerked up in half a second.
    jerk = keyframes([(0, 0), (2.5, 0), (3, 125), (7, 125), (9, 0), (12, 0)])
    checker, _ = run_script(
        Script("supine", 12, {"left_flex": jerk}, jitter_px=0.7), "knee_to_chest", hold_s=3
    )
    assert "too_fast" in codes(checker)


def test_a_controlled_press_up_is_not_too_fast():
    elev = keyframes([(0, 0), (2.5, 0), (3.7, 55), (7, 55), (8.5, 0), (10, 0)])  # up in 1.2 s
    checker, _ = run_script(Script("prone", 10, {"elev": elev}, jitter_px=0.7), "prone_extension", "press-up")
    assert "too_fast" not in codes(checker)


def test_quick_supermans_of_six_degrees_are_counted():
    # REAL_WORLD: quick repeated supermans last about 0.6 s each and lift the trunk only about 6 deg
    # (the legs as much). Eight after 2 s still: each is a rep, short of the 10 deg target.
    tops = [(2.0 + 1.2 * i, 2.0 + 1.2 * i + 0.3, 2.0 + 1.2 * i + 0.6) for i in range(8)]
    elev = keyframes([(0, 0)] + [p for a, top, b in tops for p in ((a, 0), (top, 6), (b, 0))] + [(13, 0)])
    script = Script("prone", 13, {"elev": elev, "legs": elev}, jitter_px=0.5)
    checker, _ = run_script(script, "prone_extension", "superman")
    assert len(checker.reps) == 8
    assert all(r.result == "incomplete" for r in checker.reps)
    assert [r.peak_deg for r in checker.reps] == pytest.approx([6] * 8, abs=1.5)


def test_lying_still_with_breathing_and_jitter_is_no_superman():
    breathe = keyframes([(i * 2.0, 1.5 * (i % 2)) for i in range(8)])  # 1.5 deg, a breath every 4 s
    checker, _ = run_script(
        Script("prone", 14, {"elev": breathe}, jitter_px=1.0), "prone_extension", "superman"
    )
    assert checker.reps == []


# --- 6. which leg -----------------------------------------------------------------------------------


def test_the_rep_belongs_to_the_leg_that_rose_even_if_the_other_reads_higher_later():
    # The right leg rises and holds at 115; mid-hold the picture changes (a cut to a close-up) and the
    # tracker reads the left at 130 for 2 s. The rep is the right leg's.
    right = keyframes([(0, 0), (2.5, 0), (5, 115), (12, 115), (14.5, 0)])
    left = keyframes([(0, 0), (7, 0), (7.05, 130), (9, 130), (9.05, 0)])
    script = Script("supine", 17, {"left_flex": left, "right_flex": right})
    checker, _ = run_script(script, "knee_to_chest", "single", hold_s=3)
    assert [r.side for r in checker.reps] == ["right"]
    assert checker.reps[0].peak_deg == pytest.approx(115, abs=2)


# The far leg in a side view: on real footage MediaPipe gives its landmarks visibility 0.25-0.5 in
# hook-lying (REAL_WORLD.md), below the 0.5 every measurement is gated on, yet places them well.
FAR_SIDE = [12, 14, 16, 24, 26, 28, 30, 32]  # the right side; the synthetic camera sees the left


def faint_far_side(script, visibility=0.35, copies_near=False):
    """The script's poses with the far side's landmarks reported at ``visibility``; with
    ``copies_near`` the tracker also puts the hidden far leg where the near one is."""
    from synthetic import frames

    out = []
    for p in frames(script):
        vis, xy = p.visibility.copy(), p.xy_px.copy()
        vis[FAR_SIDE] = visibility
        if copies_near:
            near = [11, 13, 15, 23, 25, 27, 29, 31]
            xy[FAR_SIDE] = xy[near] + (0.0, -5.0)
        out.append(replace(p, visibility=vis, xy_px=xy))
    return out


def run_poses(poses, exercise, variant, with_notes=False, **overrides):
    from formcheck.pipeline import Pipeline
    from formcheck.spec import load_exercise

    pipeline = Pipeline(load_exercise(exercise, variant, overrides))
    for p in poses:
        pipeline.step(p)
    pipeline.finish(poses[-1].t_s)
    return (pipeline.checker, pipeline.notes) if with_notes else pipeline.checker


def test_the_far_leg_seen_faintly_still_counts_its_rep():
    script = hook_script(22, left=[(2, 4, 9, 11, 125)], right=[(12, 14, 19, 21, 125)], jitter_px=0.7)
    checker = run_poses(faint_far_side(script), "knee_to_chest", "single", hold_s=4)
    assert [(r.side, r.result) for r in checker.reps] == [("left", "good"), ("right", "good")]
    assert checker.reps[1].peak_deg == pytest.approx(125, abs=4)
    assert "other_leg_lift" not in codes(checker)


def test_a_faint_far_leg_the_tracker_moves_with_the_near_one_is_not_a_rep_nor_a_fault():
    script = hook_script(12, left=[(2, 4, 9, 11, 125)], jitter_px=0.7)
    checker = run_poses(faint_far_side(script, copies_near=True), "knee_to_chest", "single", hold_s=4)
    assert [(r.side, r.result) for r in checker.reps] == [("left", "good")]
    assert codes(checker) == set()


def test_a_far_leg_below_any_trust_is_not_read():
    script = hook_script(22, left=[(2, 4, 9, 11, 125)], right=[(12, 14, 19, 21, 125)], jitter_px=0.7)
    checker = run_poses(faint_far_side(script, visibility=0.1), "knee_to_chest", "single", hold_s=4)
    assert [r.side for r in checker.reps] == ["left"]


# --- 8. a visible twist ------------------------------------------------------------------------------


def test_a_thirty_degree_twist_in_a_side_bend_is_a_trunk_rotation():
    tilt = keyframes([(0, 0), (2.5, 0), (4.5, 22), (7, 22), (9, 0), (11, 0)])
    twist = keyframes([(0, 0), (4, 0), (4.8, 30), (6.5, 30), (7.3, 0)])
    checker, _ = run_script(
        Script("standing", 11, {"tilt": tilt, "rotation": twist}), "side_bend", "standing"
    )
    assert math.cos(math.radians(30)) == pytest.approx(0.87, abs=0.005)
    assert "trunk_rotation" in codes(checker)
    assert checker.reps[0].result == "faulty"


def test_a_thirty_degree_twist_as_the_tracker_reads_it_is_a_trunk_rotation():
    # MediaPipe reads about half of a real twist: a 30 deg twist (true shoulders 0.87) came out as
    # shoulders 0.90-0.92 with the hips narrowing to 0.94-0.95 on a rendered body.
    tilt = keyframes([(0, 0), (2.5, 0), (4.5, 22), (7, 22), (9, 0), (11, 0)])
    read = keyframes([(0, 0), (4, 0), (4.8, 23.1), (6.5, 23.1), (7.3, 0)])  # cos 23.1 = 0.92
    hips = keyframes([(0, 1), (4, 1), (4.8, 0.95), (6.5, 0.95), (7.3, 1)])
    checker, _ = run_script(
        Script("standing", 11, {"tilt": tilt, "rotation": read, "hip_ratio": hips}), "side_bend", "standing"
    )
    assert "trunk_rotation" in codes(checker)


def test_a_lean_that_narrows_the_shoulders_is_a_lean_not_also_a_rotation():
    # Leaning back takes the shoulders away from the camera: their line shortens with the lean.
    tilt = keyframes([(0, 0), (2.5, 0), (4.5, 22), (7, 22), (9, 0), (11, 0)])
    lean = keyframes([(0, 0), (4, 0), (4.7, -40), (6.5, -40), (7.2, 0)])
    narrow = keyframes([(0, 0), (4, 0), (4.7, 24), (6.5, 24), (7.2, 0)])  # shoulders at 0.91
    checker, _ = run_script(
        Script("standing", 11, {"tilt": tilt, "lean": lean, "rotation": narrow}), "side_bend", "standing"
    )
    assert codes(checker) == {"backward_lean"}


def test_a_deep_forward_lean_is_a_lean_not_a_changed_picture():
    # The torso shortens to 0.6 of its length in the picture; the thighs keep theirs: no zoom.
    tilt = keyframes([(0, 0), (2.5, 0), (4.5, 22), (7, 22), (9, 0), (11, 0)])
    lean = keyframes([(0, 0), (4, 0), (4.7, 53), (6.5, 53), (7.2, 0)])
    checker, _ = run_script(Script("standing", 11, {"tilt": tilt, "lean": lean}), "side_bend", "standing")
    assert "forward_lean" in codes(checker)
    assert "picture_changed" not in setup_codes(checker)


def test_a_step_to_the_side_is_no_hip_shift():
    # Hips shifting instead of the trunk bending move over planted feet; a step moves the feet too.
    from synthetic import frames

    tilt = keyframes([(0, 0), (6, 0), (8, 22), (10, 22), (12, 0), (14, 0)])
    step = keyframes([(0, 0), (3, 0), (3.6, 45), (14, 45)])  # px: about 0.8 hip widths, the whole body
    poses = [
        replace(p, xy_px=p.xy_px + (step(p.t_s), 0.0)) for p in frames(Script("standing", 14, {"tilt": tilt}))
    ]
    checker = run_poses(poses, "side_bend", "standing")
    assert "hip_shift" not in codes(checker)
    assert [r.result for r in checker.reps] == ["good"]


def test_a_side_bend_without_a_twist_is_no_rotation():
    tilt = keyframes([(0, 0), (2.5, 0), (4.5, 25), (7, 25), (9, 0), (11, 0)])
    twist = keyframes([(0, 0), (4, 0), (4.8, 12), (6.5, 12), (7.3, 0)])  # the small turn people make
    checker, _ = run_script(
        Script("standing", 11, {"tilt": tilt, "rotation": twist}, jitter_px=0.7), "side_bend", "standing"
    )
    assert [r.result for r in checker.reps] == ["good"]


def test_a_bend_the_tracker_reads_as_a_turned_torso_is_no_rotation():
    # On some bodies MediaPipe narrows the whole torso in a plain bend, hips more than shoulders
    # (measured on a rendered clip: shoulders 0.85, hips 0.72 of their start width).
    tilt = keyframes([(0, 0), (2.5, 0), (4.5, 25), (7, 25), (9, 0), (11, 0)])
    narrow = keyframes([(0, 0), (4, 0), (4.8, 31.8), (6.5, 31.8), (7.3, 0)])  # cos 31.8 = 0.85
    hips = keyframes([(0, 1), (4, 1), (4.8, 0.72), (6.5, 0.72), (7.3, 1)])
    checker, _ = run_script(
        Script("standing", 11, {"tilt": tilt, "rotation": narrow, "hip_ratio": hips}), "side_bend", "standing"
    )
    assert "trunk_rotation" not in codes(checker)


def test_synthetic_hook_lying_puts_the_foot_flat():
    # The hook-lying geometry the tests above rely on: ankle at hip height at 45/96 deg.
    from synthetic import frames

    pose = frames(hook_script(0.1))[0]
    assert pose.xy_px[lm.LEFT_ANKLE][1] == pytest.approx(pose.xy_px[lm.LEFT_HIP][1], abs=2)
