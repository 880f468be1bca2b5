"""Prone trunk extension and standing side bends on synthetic poses."""

import numpy as np
import pytest
from synthetic import Script, const, frames, keyframes, run_script

from formcheck.measurements import lateral_tilt_deg, make_baseline, trunk_elevation_deg

ELEV = keyframes([(0, 0), (2.5, 0), (5.5, 25), (11, 25), (14, 0)])


def codes(checker):
    return {i.code for i in checker.fault_intervals}


def test_trunk_elevation_is_measured_against_the_lying_baseline():
    still = frames(Script("prone", 1.0, {"elev": const(0.0)}, camera_roll_deg=10))
    baseline = make_baseline(still, "lying", 0.5)
    lifted = frames(Script("prone", 0.1, {"elev": const(20.0)}, camera_roll_deg=10))[0]
    assert trunk_elevation_deg(lifted, baseline, 0.5) == pytest.approx(20.0, abs=0.01)


def test_arms_forward_rep_with_hold():
    checker, _ = run_script(
        Script("prone", 16, {"elev": ELEV}, jitter_px=0.7), "prone_extension", "arms-forward"
    )
    assert len(checker.reps) == 1
    rep = checker.reps[0]
    assert rep.side is None and rep.result == "good"
    assert rep.peak_deg == pytest.approx(25, abs=1.5)
    assert codes(checker) == set()


def test_legs_lift_is_a_fault_except_in_superman():
    legs = keyframes([(0, 0), (6, 0), (7, 20), (9, 20), (10, 0)])
    checker, _ = run_script(
        Script("prone", 16, {"elev": ELEV, "legs": legs}), "prone_extension", "arms-forward"
    )
    assert codes(checker) == {"legs_lift"}
    assert checker.reps[0].result == "faulty"
    superman = keyframes([(0, 0), (2.5, 0), (5.5, 14), (11, 14), (14, 0)])
    checker, _ = run_script(
        Script("prone", 16, {"elev": superman, "legs": legs}), "prone_extension", "superman"
    )
    assert codes(checker) == set()
    assert [r.result for r in checker.reps] == ["good"]


def test_press_up_pelvis_lift_and_its_higher_target():
    press = keyframes([(0, 0), (2.5, 0), (7, 40), (11, 40), (15, 0)])
    checker, _ = run_script(Script("prone", 17, {"elev": press}), "prone_extension", "press-up")
    assert [r.result for r in checker.reps] == ["good"]
    pelvis = keyframes([(0, 0), (7, 0), (7.5, 0.3), (9.5, 0.3), (10, 0)])
    checker, _ = run_script(
        Script("prone", 17, {"elev": press, "pelvis_rise": pelvis}), "prone_extension", "press-up"
    )
    assert "pelvis_lift" in codes(checker)
    # 25 deg is a good arms-forward rep but does not reach the press-up target of 30.
    checker, _ = run_script(Script("prone", 16, {"elev": ELEV}), "prone_extension", "press-up")
    assert [r.result for r in checker.reps] == ["incomplete"]


def test_neck_overextension():
    neck = keyframes([(0, 0), (6, 0), (6.5, 45), (9, 45), (9.5, 0)])
    checker, updates = run_script(
        Script("prone", 16, {"elev": ELEV, "neck": neck}), "prone_extension", "arms-forward"
    )
    assert codes(checker) == {"neck_overextension"}
    interval = checker.fault_intervals[0]
    assert interval.start_s == pytest.approx(6.2, abs=0.4) and interval.end_s == pytest.approx(9.3, abs=0.4)
    assert any(u.state.fault_segments for u in updates)


def bends(left=25.0, right=25.0):
    return keyframes(
        [(0, 0), (2.5, 0), (5, left), (6, left), (8.5, 0), (10, 0), (12.5, -right), (13.5, -right), (16, 0)]
    )


@pytest.mark.parametrize("mirrored", [False, True])
def test_side_bend_reps_per_side_even_with_a_mirrored_camera(mirrored):
    checker, _ = run_script(
        Script("standing", 18, {"tilt": bends()}, mirrored=mirrored, jitter_px=0.7), "side_bend", "standing"
    )
    assert [(r.side, r.result) for r in checker.reps] == [("left", "good"), ("right", "good")]
    assert [r.peak_deg for r in checker.reps] == pytest.approx([25, 25], abs=1.5)
    assert codes(checker) == set()


def test_side_bend_tilted_camera_still_measures_from_the_persons_vertical():
    still = frames(Script("standing", 1.0, {}, camera_roll_deg=12))
    baseline = make_baseline(still, "standing", 0.5)
    bent = frames(Script("standing", 0.1, {"tilt": const(-18.0)}, camera_roll_deg=12))[0]
    assert lateral_tilt_deg(bent, baseline, 0.5) == pytest.approx(-18.0, abs=0.01)


def test_side_bend_asymmetry_and_shallow_bend():
    from formcheck.report import summarize

    checker, _ = run_script(Script("standing", 18, {"tilt": bends(28, 18)}), "side_bend", "standing")
    summary = summarize(checker.reps, ("left", "right"), 15.0)
    assert summary["weaker_side"] == "right"
    assert summary["asymmetry_index_pct"] == pytest.approx(10 / 23 * 100, abs=6)
    checker, _ = run_script(Script("standing", 18, {"tilt": bends(25, 12)}), "side_bend", "standing")
    assert [r.result for r in checker.reps] == ["good", "incomplete"]


@pytest.mark.parametrize(
    "angle,curve,code",
    [
        ("rotation", [(0, 0), (4, 0), (4.7, 55), (6, 55), (6.7, 0)], "trunk_rotation"),
        ("lean", [(0, 0), (4, 0), (4.7, 40), (6, 40), (6.7, 0)], "forward_lean"),
        ("lean", [(0, 0), (4, 0), (4.7, -40), (6, -40), (6.7, 0)], "backward_lean"),
        ("hip_shift", [(0, 0), (4, 0), (4.7, 0.7), (6, 0.7), (6.7, 0)], "hip_shift"),
        ("leg_ratio", [(0, 1), (4, 1), (4.7, 0.85), (6, 0.85), (6.7, 1)], "knees_bent"),
        ("feet", [(0, 1), (4, 1), (4.3, 0.2), (7, 0.2), (7.3, 1)], "feet_width"),
    ],
)
def test_side_bend_faults(angle, curve, code):
    checker, _ = run_script(
        Script("standing", 18, {"tilt": bends(), angle: keyframes(curve)}), "side_bend", "standing"
    )
    assert code in codes(checker), codes(checker)
    # A lean or rotation makes no other fault of the same family.
    if code.endswith("lean"):
        assert ({"forward_lean", "backward_lean"} - {code}).isdisjoint(codes(checker))
    interval = next(i for i in checker.fault_intervals if i.code == code)
    assert 3.8 <= interval.start_s <= 5.2


def test_side_bend_too_fast():
    fast = keyframes([(0, 0), (2.5, 0), (2.9, 25), (4, 25), (4.4, 0), (8, 0)])
    checker, _ = run_script(Script("standing", 9, {"tilt": fast}), "side_bend", "standing")
    assert codes(checker) == {"too_fast"}


def test_overrides_change_the_thresholds():
    checker, _ = run_script(
        Script("standing", 18, {"tilt": bends(25, 25)}), "side_bend", "standing", count_deg=27.0
    )
    assert [r.result for r in checker.reps] == ["incomplete", "incomplete"]


def test_signal_series_is_nan_without_baseline():
    checker, updates = run_script(Script("standing", 0.5, {}), "side_bend", "standing")
    assert all(np.isnan(u.state.signal_deg) for u in updates)


def test_side_bend_peak_is_measured_from_where_the_hips_were_at_rest():
    # The hip landmarks drift 0.12 hip widths toward the bend (as MediaPipe does) while the pelvis stays:
    # measuring from the moving landmarks would read about 22 deg for a 25 deg bend.
    tilt = keyframes([(0, 0), (2.5, 0), (5, 25), (6, 25), (8.5, 0), (10, 0)])
    drift = keyframes([(0, 0), (2.5, 0), (5, 0.12), (6, 0.12), (8.5, 0), (10, 0)])
    checker, _ = run_script(Script("standing", 10, {"tilt": tilt, "hip_marker_drift": drift}), "side_bend")
    assert [r.side for r in checker.reps] == ["left"]
    assert checker.reps[0].peak_deg == pytest.approx(25, abs=0.7)
    assert codes(checker) == set()


def test_side_bend_peak_ignores_the_tracker_tilting_its_hip_line_but_not_bent_knees():
    # Besides sliding sideways, the tracker's hip line tilts with the trunk: the bending side's hip
    # landmark drops 0.2 hip widths while the other stays. Counted, it reads a 25 deg bend 0.9 deg short.
    tilt = keyframes([(0, 0), (2.5, 0), (5, 25), (6, 25), (8.5, 0), (10, 0)])
    drift = keyframes([(0, 0), (2.5, 0), (5, 0.12), (6, 0.12), (8.5, 0), (10, 0)])
    drop = keyframes([(0, 0), (2.5, 0), (5, 0.2), (6, 0.2), (8.5, 0), (10, 0)])
    knees = keyframes([(0, 1.0), (2.5, 1.0), (5, 0.85), (6, 0.85), (8.5, 1.0), (10, 1.0)])

    def peak(**extra):
        checker, _ = run_script(
            Script("standing", 10, {"tilt": tilt, "hip_marker_drift": drift, **extra}), "side_bend"
        )
        return checker.reps[0].peak_deg, codes(checker)

    sliding_only, _ = peak()
    assert sliding_only == pytest.approx(25, abs=0.7)  # see the test above
    assert peak(hip_marker_drop=drop)[0] == pytest.approx(sliding_only, abs=0.15)
    # Bent knees really lower the pelvis: both hips drop together, and that drop is kept (taking
    # it out too would shorten the trunk and read the bend about 5 deg long).
    bent, faults = peak(hip_marker_drop=drop, leg_ratio=knees)
    assert bent == pytest.approx(sliding_only, abs=0.15)
    assert "knees_bent" in faults


def test_a_real_hip_shift_is_not_read_as_a_bend():
    # The pelvis moves sideways (knees follow half as far), the trunk stays upright: no rep, a fault.
    shift = keyframes([(0, 0), (2.5, 0), (4.5, 0.7), (6, 0.7), (8, 0), (10, 0)])
    checker, _ = run_script(Script("standing", 10, {"hip_shift": shift}), "side_bend")
    assert checker.reps == []
    assert codes(checker) == {"hip_shift"}


def test_a_split_second_shoulder_collapse_is_not_a_trunk_rotation():
    blip = keyframes([(0, 0), (4.5, 0), (4.6, 70), (4.8, 70), (4.9, 0)])
    checker, _ = run_script(Script("standing", 18, {"tilt": bends(), "rotation": blip}), "side_bend")
    assert "trunk_rotation" not in codes(checker)
    held = keyframes([(0, 0), (4.5, 0), (4.8, 55), (5.8, 55), (6.1, 0)])
    checker, _ = run_script(Script("standing", 18, {"tilt": bends(), "rotation": held}), "side_bend")
    assert "trunk_rotation" in codes(checker)
