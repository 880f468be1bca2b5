"""The eval scoring: what passes, what fails, and why."""

import copy

import pytest

from formcheck.evaluation import ClipScore, format_summary, score_clip, summarize_by_exercise


def rep(index, side, start, end, peak, hold, result="good", faults=()):
    return {
        "index": index,
        "side": side,
        "start_s": start,
        "peak_s": (start + end) / 2,
        "end_s": end,
        "peak_deg": peak,
        "hold_s": hold,
        "complete": True,
        "result": result,
        "faults": list(faults),
    }


TRUTH = {
    "clip": "t",
    "duration_s": 30.0,
    "reps": [rep(1, "left", 3, 12, 120, 5.0), rep(2, "right", 15, 24, 110, 5.0)],
    "faults": [{"code": "head_lift", "start_s": 6.0, "end_s": 8.0}],
    "setup": [{"code": "multiple_people", "start_s": 20.0, "end_s": 25.0}],
}


def test_a_report_equal_to_the_truth_passes():
    score = score_clip(TRUTH, copy.deepcopy(TRUTH), "side")
    assert score.passed and score.precision == 1.0 and score.recall == 1.0
    assert score.hold_err_s == 0.0 and score.peak_err_deg == 0.0


def test_small_errors_within_tolerance_pass_and_large_ones_fail():
    found = copy.deepcopy(TRUTH)
    found["reps"][0]["hold_s"] = 5.4
    found["reps"][1]["peak_deg"] = 118.0
    found["faults"][0].update(start_s=6.8, end_s=8.9)
    assert score_clip(TRUTH, found, "side").passed
    assert not score_clip(TRUTH, found, "front").passed  # 8 deg is too much from the front
    found["reps"][0]["hold_s"] = 5.7
    assert "hold error" in score_clip(TRUTH, found, "side").problems[0]


def test_missing_or_extra_reps_and_faults_fail():
    found = copy.deepcopy(TRUTH)
    found["reps"].append(rep(3, "right", 26, 29, 100, 0, "short_hold"))
    assert any("reps per side" in p for p in score_clip(TRUTH, found, "side").problems)
    found = copy.deepcopy(TRUTH)
    found["faults"] = [{"code": "head_lift", "start_s": 10.0, "end_s": 11.0}]  # 2 s after the true one
    problems = score_clip(TRUTH, found, "side").problems
    assert any("missed faults: head_lift" in p for p in problems)
    assert any("not in the truth: head_lift" in p for p in problems)
    found = copy.deepcopy(TRUTH)
    found["setup"] = []
    assert any("not caught: multiple_people" in p for p in score_clip(TRUTH, found, "side").problems)


def test_wrong_result_of_a_rep_fails():
    found = copy.deepcopy(TRUTH)
    found["reps"][0]["result"] = "short_hold"
    assert not score_clip(TRUTH, found, "side").passed


def clip_score(exercise, reps_true, reps_found, holds, peaks, faults, setup=(0, 0), problems=()):
    """A ClipScore built by hand: faults = (true, found, matched true, matched found)."""
    return ClipScore(
        clip=f"{exercise}-{len(holds)}",
        reps_true=reps_true,
        reps_found=reps_found,
        hold_err_s=max(holds) if holds else None,
        peak_err_deg=max(peaks) if peaks else None,
        faults_true=faults[0],
        faults_found=faults[1],
        faults_matched_true=faults[2],
        faults_matched_found=faults[3],
        setup_true=setup[0],
        setup_caught=setup[1],
        problems=list(problems),
        exercise=exercise,
        hold_errs_s=list(holds),
        peak_errs_deg=list(peaks),
    )


SCORES = [
    clip_score("side_bend", {"left": 2}, {"left": 2}, [0.1, 0.3], [1.0, 2.0], (2, 2, 2, 2)),
    clip_score(
        "side_bend",
        {"left": 2, "right": 2},
        {"left": 2, "right": 1},
        [0.2],
        [4.0],
        (1, 3, 1, 1),
        problems=["reps per side"],
    ),
    clip_score("knee_to_chest", {}, {}, [], [], (0, 0, 0, 0), setup=(1, 1)),
    clip_score("knee_to_chest", {"left": 3}, {"left": 3}, [0.4, 0.0, 0.2], [3.0, 5.0, 1.0], (2, 1, 1, 1)),
]


def test_summary_per_exercise_pools_rep_errors_and_faults():
    by = {x.exercise: x for x in summarize_by_exercise(SCORES)}
    assert list(by) == ["knee_to_chest", "side_bend", "all"]
    sb = by["side_bend"]
    # hold errors 0.1, 0.3, 0.2 -> mean 0.2, worst 0.3; peaks 1, 2, 4 -> mean 7/3, worst 4
    assert sb.clips == 2 and sb.passed == 1 and sb.reps_exact == 0.5
    assert sb.hold_err_mean_s == pytest.approx(0.2) and sb.hold_err_max_s == pytest.approx(0.3)
    assert sb.peak_err_mean_deg == pytest.approx(7 / 3) and sb.peak_err_max_deg == 4.0
    # faults: 2 + 1 true, 3 of them reported; 2 + 3 reported, 3 of them true
    assert sb.fault_recall == pytest.approx(3 / 3) and sb.fault_precision == pytest.approx(3 / 5)
    k2c = by["knee_to_chest"]
    # the empty room has no reps: it counts for rep counts and set-up, not for the errors
    assert k2c.reps_exact == 1.0 and (k2c.setup_caught, k2c.setup_true) == (1, 1)
    assert k2c.hold_err_mean_s == pytest.approx(0.2) and k2c.peak_err_mean_deg == pytest.approx(3.0)
    assert k2c.peak_err_max_deg == 5.0
    assert k2c.fault_recall == pytest.approx(1 / 2) and k2c.fault_precision == pytest.approx(1 / 1)
    everything = by["all"]
    # all six hold errors: 0.1 + 0.3 + 0.2 + 0.4 + 0.0 + 0.2 = 1.2 -> 0.2; peaks 16 / 6
    assert everything.clips == 4 and everything.reps_exact == 0.75
    assert everything.hold_err_mean_s == pytest.approx(0.2) and everything.hold_err_max_s == 0.4
    assert everything.peak_err_mean_deg == pytest.approx(16 / 6) and everything.peak_err_max_deg == 5.0
    assert everything.fault_recall == pytest.approx(4 / 5) and everything.fault_precision == pytest.approx(
        4 / 6
    )


def test_summary_of_clips_without_reps_or_faults_has_no_error_figures():
    (k2c, _) = summarize_by_exercise([SCORES[2]])
    assert k2c.hold_err_mean_s is None and k2c.peak_err_max_deg is None
    assert k2c.fault_precision is None and k2c.fault_recall is None


def test_score_clip_keeps_every_matched_reps_error_and_the_exercise():
    truth = {**copy.deepcopy(TRUTH), "exercise": "knee_to_chest"}
    found = copy.deepcopy(truth)
    found["reps"][0]["hold_s"] = 5.3
    found["reps"][1]["peak_deg"] = 112.0
    score = score_clip(truth, found, "side")
    assert score.exercise == "knee_to_chest"
    assert score.hold_errs_s == pytest.approx([0.3, 0.0]) and score.peak_errs_deg == pytest.approx([0.0, 2.0])


def test_summary_table_shows_each_exercise_and_the_total():
    text = format_summary(summarize_by_exercise(SCORES))
    lines = text.splitlines()
    assert lines[2].startswith("knee_to_chest") and lines[-1].startswith("all")
    side = next(line for line in lines if line.startswith("side_bend"))
    assert "1/2" in side and "50%" in side and "0.20/0.30 s" in side and "2.3/4.0°" in side
    assert "0.60/1.00" in side


def test_routine_clips_are_kept_apart_from_single_exercise_clips(tmp_path):
    import json

    from formcheck.evaluation import truth_files

    (tmp_path / "one.truth.json").write_text(json.dumps({"exercise": "side_bend", "reps": []}))
    (tmp_path / "routine.truth.json").write_text(json.dumps({"exercise": None, "segments": []}))
    assert [f.name for f in truth_files(tmp_path)] == ["one.truth.json"]
    assert [f.name for f in truth_files(tmp_path, routines=True)] == ["routine.truth.json"]


def _segment(exercise, variant, start, end, reps):
    return {"exercise": exercise, "variant": variant, "start_s": start, "end_s": end, "reps": reps}


ROUTINE = {
    "clip": "routine",
    "segments": [
        {
            **_segment("side_bend", "standing", 0.0, 20.0, [rep(1, "left", 3, 5, 20.0, 1.3)]),
            "faults": [],
            "setup": [],
        },
        {
            **_segment("knee_to_chest", "single", 23.0, 42.0, [rep(1, "right", 34, 40, 128.0, 5.27)]),
            "faults": [],
            "setup": [],
        },
    ],
}


def _recording(k2c_reps):
    return {
        "duration_s": 45.0,
        "segments": [
            {**_segment("side_bend", "standing", 0.5, 19.0, [rep(1, "left", 3.1, 5.2, 19.5, 1.4)])},
            {**_segment("knee_to_chest", "single", 23.5, 42.0, k2c_reps)},
        ],
    }


def _with_empty_intervals(recording):
    for seg in recording["segments"]:
        seg.update(faults=[], setup=[])
    return recording


def test_a_routine_is_judged_per_rep_segment_by_segment():
    from formcheck.evaluation import score_routine, summarize_by_exercise

    good = _with_empty_intervals(_recording([rep(1, "right", 34.2, 40.1, 125.0, 5.0)]))
    scores = [s for s, _ in score_routine(ROUTINE, good)]
    assert [(s.label, s.exercise, s.passed) for s in scores] == [
        ("routine #1", "side_bend", True),
        ("routine #2", "knee_to_chest", True),
    ]
    # The right knee-to-chest rep read as the sample once was: hold 0.8 s, peak 111.6, a short hold.
    bad = _with_empty_intervals(_recording([rep(1, "right", 34.2, 40.1, 111.6, 0.8, "short_hold")]))
    k2c = score_routine(ROUTINE, bad)[1][0]
    assert not k2c.passed
    assert any("hold error 4.47" in p for p in k2c.problems)
    assert any("peak-angle error 16.4" in p for p in k2c.problems)
    assert any("'short_hold', truly 'good'" in p for p in k2c.problems)
    rows = {x.exercise: x for x in summarize_by_exercise(scores)}
    assert rows["routines"].clips == 2 and rows["all"].clips == 2


def test_a_routine_segment_nothing_was_recognised_in_misses_every_rep():
    from formcheck.evaluation import score_routine

    recording = _with_empty_intervals(_recording([]))
    recording["segments"] = recording["segments"][:1]
    k2c = score_routine(ROUTINE, recording)[1][0]
    assert not k2c.passed and k2c.reps_found == {} and "not recognised" in k2c.problems[0]
