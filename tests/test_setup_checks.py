"""Set-up checks: no person, out of frame, wrong view, wrong posture, several people."""

import numpy as np
import pytest
from synthetic import Script, frames, keyframes, run_script

from formcheck import landmarks as lm

LEFT = keyframes([(0, 0), (3, 0), (6, 120), (10, 120), (13, 0)])


def setup_codes(checker):
    return [i.code for i in checker.setup_intervals]


def test_empty_room_reports_no_person_and_counts_nothing():
    checker, updates = run_script(Script("supine", 6, {}, no_person=[(0, 6)]), "knee_to_chest", "single")
    assert setup_codes(checker) == ["no_person"]
    assert checker.setup_intervals[0].start_s == 0.0
    assert checker.reps == [] and checker.frames_with_pose == 0
    assert updates[-1].state.setup_problems["no_person"].startswith("I can't see anyone")


def test_legs_out_of_frame_says_what_to_do():
    # Shift the person right until the knees and feet leave the picture: the counted angle needs knees.
    checker, updates = run_script(Script("supine", 4, {}, shift_px=(260, 0)), "knee_to_chest", "single")
    assert setup_codes(checker) == ["body_out_of_frame", "part_out_of_frame"]
    message = updates[-1].state.setup_problems["body_out_of_frame"]
    assert "knees" in message and "move the camera back" in message
    assert not updates[-1].state.ready


def test_prone_toes_past_the_edge_still_count_and_say_which_checks_are_off():
    # Prone with the feet past the picture's right edge; shoulders and hips clearly seen. The lift is
    # counted; legs_lift falls back to the thighs, the notice names what cannot be seen.
    elev = keyframes([(0, 0), (2.5, 0), (4.5, 25), (8.5, 25), (10.5, 0), (13, 0)])
    script = Script("prone", 13, {"elev": elev}, shift_px=(200, 0))
    frame = frames(script)[0]
    assert frame.xy_px[lm.LEFT_ANKLE][0] > 640 and frame.xy_px[lm.LEFT_HIP][0] < 640
    checker, updates = run_script(script, "prone_extension", "arms-forward", hold_s=3)
    assert [(r.result, r.complete) for r in checker.reps] == [("good", True)]
    assert setup_codes(checker) == ["part_out_of_frame"]
    message = updates[100].state.setup_problems["part_out_of_frame"]
    assert "feet" in message and "counting goes on" in message
    # The notice does not drown the coaching: it is said, but below every form fault and the hold's cues.
    from formcheck.checker import FAULT_PRIORITY_BASE, PHASE_CUE_PRIORITY

    cues = [e for u in updates for e in u.events if type(e).__name__ == "CueGiven"]
    notice = [e.priority for e in cues if e.text == message]
    assert notice and max(notice) < min(FAULT_PRIORITY_BASE, PHASE_CUE_PRIORITY["hold"])


def test_floor_exercise_filmed_from_the_front_is_the_wrong_view():
    checker, updates = run_script(Script("standing", 4, {}), "knee_to_chest", "single")
    assert "wrong_view" in setup_codes(checker)
    assert "from the side" in updates[-1].state.setup_problems["wrong_view"]
    checker, _ = run_script(Script("supine", 4, {}), "side_bend", "standing")
    assert "wrong_view" in setup_codes(checker)


def test_standing_when_lying_is_expected_is_the_wrong_posture():
    # A side view of a standing person: the view is right (narrow shoulders), the posture is not.
    def turned(a):
        from synthetic import standing

        xy, vis, depth = standing(a)
        xy[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]] = xy[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]].mean(axis=0)
        xy[[lm.LEFT_HIP, lm.RIGHT_HIP]] = xy[[lm.LEFT_HIP, lm.RIGHT_HIP]].mean(axis=0)
        return xy, vis, depth

    import synthetic

    synthetic.POSES["turned"] = turned
    synthetic.DEFAULTS["turned"] = {}
    try:
        checker, updates = run_script(Script("turned", 4, {}), "knee_to_chest", "single")
    finally:
        del synthetic.POSES["turned"], synthetic.DEFAULTS["turned"]
    assert setup_codes(checker) == ["wrong_posture"]
    assert updates[-1].state.setup_problems["wrong_posture"] == "Lie down on the floor to start."


def test_second_person_pauses_counting_and_is_reported_with_its_interval():
    # A second person is in view through the whole hold: the rep does not count until they leave.
    script = Script("supine", 15, {"left_flex": LEFT}, other_people=[(6.5, 8.5)])
    checker, updates = run_script(script, "knee_to_chest", "single", hold_s=2)
    assert setup_codes(checker) == ["multiple_people"]
    interval = checker.setup_intervals[0]
    assert interval.start_s == pytest.approx(6.5, abs=0.05) and interval.end_s == pytest.approx(8.5, abs=0.05)
    clean, _ = run_script(Script("supine", 15, {"left_flex": LEFT}), "knee_to_chest", "single", hold_s=2)
    assert checker.reps[0].hold_s == pytest.approx(clean.reps[0].hold_s - 2.0, abs=0.15)
    paused = [u for u in updates if 7.0 < u.state.t_s < 8.4]
    assert all("multiple_people" in u.state.setup_problems for u in paused)


def test_setup_problem_cue_outranks_fault_and_phase_cues():
    script = Script("supine", 8, {}, other_people=[(3, 8)])
    _, updates = run_script(script, "knee_to_chest", "single")
    cues = [e for u in updates for e in u.events if type(e).__name__ == "CueGiven"]
    assert cues[-1].kind == "setup" and "more than one person" in cues[-1].text


def test_cues_come_one_at_a_time_with_a_cool_down():
    head = keyframes([(0, 0), (4, 0), (4.3, 0.4), (30, 0.4)])
    _, updates = run_script(Script("supine", 30, {"head_rise": head}), "knee_to_chest", "single")
    times = [e.t_s for u in updates for e in u.events if type(e).__name__ == "CueGiven"]
    assert all(b - a >= 2.5 - 1e-9 for a, b in zip(times, times[1:], strict=False))
    head_cues = [
        e.t_s for u in updates for e in u.events if getattr(e, "text", "") == "Rest your head on the floor."
    ]
    # Repeated while the fault lasts, but not more often than every 8 s.
    assert 2 <= len(head_cues) <= 4
    assert np.all(np.diff(head_cues) >= 8 - 1e-9)


def test_setup_sentences_say_where_the_camera_goes():
    _, updates = run_script(Script("supine", 3, {}, no_person=[(0, 3)]), "knee_to_chest", "single")
    assert "floor level" in updates[-1].state.setup_problems["no_person"]
    _, updates = run_script(Script("supine", 3, {}), "side_bend", "standing")
    message = updates[-1].state.setup_problems["wrong_view"]
    assert message.startswith("Face the camera") and "head to feet" in message
