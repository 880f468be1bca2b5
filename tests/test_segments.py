"""Whole recordings without -e: segments of the recording, each analysed from its own start, and how
the eval scores recognition (boundaries within 2 s, exercise and variant, reps per side)."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.evaluation import format_recognition, score_recognition, single_as_routine


def _rep(side: str, start: float) -> dict:
    return {"side": side, "start_s": start, "end_s": start + 5.0, "hold_s": 2.0, "peak_deg": 110.0}


def _seg(exercise: str, variant: str, start: float, end: float, reps: list[dict]) -> dict:
    return {"exercise": exercise, "variant": variant, "start_s": start, "end_s": end, "reps": reps}


TRUTH = {
    "clip": "routine",
    "segments": [
        _seg("knee_to_chest", "single", 1.0, 30.0, [_rep("left", 5.0), _rep("right", 15.0)]),
        _seg("prone_extension", "press-up", 36.0, 60.0, [_rep(None, 40.0), _rep(None, 50.0)]),  # type: ignore[arg-type]
    ],
}


def _recording(*segments: dict) -> dict:
    return {"duration_s": 70.0, "segments": list(segments), "other": []}


def test_a_right_recognition_passes():
    found = _recording(*[dict(s) for s in TRUTH["segments"]])
    found["segments"][0]["start_s"] = 2.9  # within 2 s
    score = score_recognition(TRUTH, found)
    assert score.passed, score.problems
    assert score.pairs == [("knee_to_chest", "knee_to_chest"), ("prone_extension", "prone_extension")]
    assert score.boundary_err_s == pytest.approx(1.9)


def test_each_kind_of_recognition_error_is_named():
    late = dict(TRUTH["segments"][0], start_s=3.5)
    wrong_variant = dict(TRUTH["segments"][1], variant="arms-forward")
    extra = _seg("side_bend", "standing", 62.0, 69.0, [_rep("left", 63.0)])
    score = score_recognition(TRUTH, _recording(late, wrong_variant, extra))
    text = "\n".join(score.problems)
    assert "knee_to_chest/single start at 3.5 s, truly 1.0 s" in text
    assert "prone_extension/press-up at 36 s recognised as prone_extension/arms-forward" in text
    assert "side_bend/standing at 62-69 s is no true segment" in text
    assert ("none", "side_bend") in score.pairs

    one_rep_short = dict(TRUTH["segments"][0], reps=[_rep("left", 5.0)])
    missing = score_recognition(TRUTH, _recording(one_rep_short))
    assert any("reps per side {'left': 1} != {'left': 1, 'right': 1}" in p for p in missing.problems)
    assert any("prone_extension/press-up at 36-60 s not recognised" in p for p in missing.problems)
    assert ("prone_extension", "none") in missing.pairs


def test_a_one_exercise_clip_must_give_one_segment_with_the_reps_of_dash_e():
    truth = {"clip": "k2c", "exercise": "knee_to_chest", "variant": "single", "frames_with_pose": 900}
    forced = {"reps": [_rep("left", 5.0), _rep("right", 15.0)]}
    as_routine = single_as_routine(truth, forced)
    ok = score_recognition(as_routine, _recording(_seg("knee_to_chest", "single", 3.0, 28.0, forced["reps"])))
    assert ok.passed and ok.boundary_err_s is None  # a one-exercise clip has no true boundaries
    two = score_recognition(
        as_routine,
        _recording(
            _seg("knee_to_chest", "single", 3.0, 12.0, forced["reps"][:1]),
            _seg("knee_to_chest", "single", 13.0, 28.0, forced["reps"][1:]),
        ),
    )
    assert not two.passed
    empty = single_as_routine({"exercise": "knee_to_chest", "frames_with_pose": 0}, {"reps": []})
    assert score_recognition(empty, _recording()).passed


def test_confusion_table_counts_true_against_recognised():
    a = score_recognition(TRUTH, _recording(*TRUTH["segments"]))
    b = score_recognition(
        {"clip": "other", "segments": []}, _recording(_seg("side_bend", "standing", 1, 9, []))
    )
    table = format_recognition([a, b])
    rows = {
        line.split()[0]: line.split()[1:]
        for line in table.splitlines()
        if line[:5] in ("knee ", "prone", "none ")
    }
    assert rows["knee"] == ["1", "0", "0", "0"]
    assert rows["prone"] == ["0", "1", "0", "0"]
    assert rows["none"] == ["0", "0", "1", "0"]
    assert "1 of 2 clips recognised right." in table


def test_segments_reuse_the_kept_poses_and_keep_the_recording_clock():
    """check_poses on a slice gives the reps of that slice, at their times in the whole recording."""
    from synthetic import Script, frames, keyframes

    from formcheck.segments import PoseTrack, check_poses
    from formcheck.spec import load_exercise

    flex = keyframes([(0, 0), (3, 0), (5, 115), (9, 115), (11, 0), (20, 0), (22, 115), (26, 115), (28, 0)])
    poses = frames(Script("supine", 32.0, {"left_flex": flex}, jitter_px=0.5, seed=3))
    track = PoseTrack("synthetic", 30.0, 640, 480, poses)
    config = load_exercise("knee_to_chest", "single", {"hold_s": 2.0})
    whole = check_poses(track, config)
    second = check_poses(track, config, 15.0, 32.0)
    assert len(whole.reps) == 2 and len(second.reps) == 1
    assert second.reps[0].start_s == pytest.approx(whole.reps[1].start_s, abs=0.2)
    assert second.reps[0].start_s > 19.0  # on the recording's clock, not the slice's
    assert np.isfinite(second.reps[0].peak_deg)


def test_a_routine_file_is_recorded_as_one_sitting_matched_to_the_prescription(tmp_path, monkeypatch):
    """Knee-to-chest then prone lifts in one file, against a prescription of prone then knee: each
    exercise is recorded as a session judged by its own prescription entry, all in one sitting."""
    from synthetic import Morph, Script, const, keyframes, sequence

    from formcheck import segments
    from formcheck.segments import PoseTrack
    from formcheck.sessions.commands import record_recording
    from formcheck.sessions.prescriptions import parse_prescription
    from formcheck.sessions.reports import sitting_of
    from formcheck.sessions.storage import SessionStore

    ears = {"ears": const(1.0)}
    k2c = Script(
        "supine",
        16,
        {
            "left_flex": keyframes([(0, 0), (3, 0), (4.5, 120), (8.5, 120), (10, 0)]),
            **ears,
        },
        jitter_px=0.5,
    )
    prone = Script("prone", 14, {"elev": keyframes([(0, 0), (3, 0), (4.5, 20), (9, 20), (10.5, 0)]), **ears})
    poses = sequence(k2c, Morph(3.0), prone)
    track = PoseTrack("routine.mp4", 30.0, 640, 480, poses)
    monkeypatch.setattr(segments, "track_poses", lambda video, model=None, progress=None: track)
    text = """
patient = "Cy"
[[exercise]]
name = "prone_extension"
variant = "arms-forward"
sets = 1
reps = 5
hold_s = 4
[[exercise]]
name = "knee_to_chest"
variant = "single"
sets = 1
reps = 5
hold_s = 3
target_deg = 100
"""
    prescription = parse_prescription(text, "cy.toml")
    store = SessionStore(tmp_path / "data")
    ids, report, _ = record_recording(store, "routine.mp4", prescription=prescription)
    assert [s["exercise"] for s in report["segments"]] == ["knee_to_chest", "prone_extension"]
    assert len(ids) == 2 and sitting_of(store, ids[1]) == ids
    rows = {r.id: r for r in store.list_sessions()}
    assert [rows[i].exercise for i in ids] == ["knee_to_chest", "prone_extension"]
    assert [rows[i].step_index for i in ids] == [2, 1]  # matched exercise by exercise, not by order
    assert rows[ids[0]].patient == "Cy" and rows[ids[0]].prescription_id is not None
    knee = store.load(ids[0])
    assert len(knee.reps) == 1 and knee.reps[0].side == "left"
    settings = [store.load(i).row.report["settings"] for i in ids]
    assert (settings[0]["hold_s"], settings[0]["target_deg"]) == (3, 100)  # the prescription's entry
    assert settings[1]["hold_s"] == 4
    # The same from the command line: 'analyze --record' without -e records the sitting.
    from formcheck.cli import main

    assert (
        main(["analyze", "routine.mp4", "--record", "--patient", "Di", "--data-dir", str(tmp_path / "d2")])
        == 0
    )
    assert [r.patient for r in SessionStore(tmp_path / "d2").list_sessions()] == ["Di", "Di"]
    assert (
        main(["analyze", "routine.mp4", "--record", "--keep-video", "--data-dir", str(tmp_path / "d3")]) == 2
    )


def test_a_segment_ends_after_the_rest_of_its_own_rhythm_not_after_a_pause():
    """The person stays lying after the last rep (a pause, a fidget) before rolling over: the segment
    ends after the rest they took between reps, not when they finally leave the position."""
    from types import SimpleNamespace

    from formcheck.segments import segment_end

    def rep(start, end):
        return SimpleNamespace(start_s=start, end_s=end)

    ep = SimpleNamespace(end_s=30.0)
    two = SimpleNamespace(reps=[rep(3.0, 9.0), rep(12.0, 17.7)])  # 3 s between the reps
    assert segment_end(ep, two) == pytest.approx(20.7)
    one = SimpleNamespace(reps=[rep(3.0, 9.0)])
    assert segment_end(ep, one) == pytest.approx(12.0)  # no rhythm of their own: 3 s
    brisk = SimpleNamespace(reps=[rep(3.0, 5.0), rep(5.2, 7.0)])  # 0.2 s between: at least 1.5 s
    assert segment_end(ep, brisk) == pytest.approx(8.5)
    assert segment_end(SimpleNamespace(end_s=18.0), two) == 18.0  # they left earlier: the episode's end
    assert segment_end(ep, SimpleNamespace(reps=[])) == 30.0  # no rep (a wrong view): the episode's
