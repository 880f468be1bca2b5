"""The eval scoring: what passes, what fails, and why."""

import copy

from formcheck.evaluation import score_clip


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
