"""Independent recording scenarios: correct performances filmed and edited the way real clips are.

Built from the design texts only (REAL_WORLD.md "How people are filmed", EXERCISES.md,
docs/report-schema.md) with the independent body model (``independent_body``), not from the checker.
Every performance here is correct, so the verdict is known; what varies is the recording: cuts to a
close-up, title cards, text overlays and player tooltips, portrait and letterboxed video, 25/30/60 fps,
the body lost for a few frames at a press-up top, a ghost or a real second person, a knocked camera, a
person who walks out of the picture and back. Checker failures are kept as ``xfail(strict=True)``.
Where the texts leave the verdict open nothing is asserted (see /tmp/fc_rt3_report.md).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from independent_body import (
    Body,
    L,
    Prone,
    R,
    Standing,
    Supine,
    Tracker,
    curve,
    film,
    front_camera,
    hide,
    letterbox,
    others,
    reframe,
    side_camera,
    title_card,
)
from test_independent_scenarios import (
    describe,
    expected_hold,
    fault_codes,
    hands_from,
    k2c_curves,
    prone_curve,
)

from formcheck import landmarks as lm
from formcheck.segments import check_poses
from formcheck.spec import load_exercise

# Fixed: the ghost's 0.5 s paused the hold though it was never said (9.83 s: short_hold against the 10 s
# prescription, against 10.33 s without it). A second person gone before ever being said now has the
# hold time it held back given back.

AVERAGE = Body(1.75, 0.3)
SLIM = Body(1.62, 0.0)
HOLD_TOL = 0.6
PEAK_TOL_FRONT = 4.0
K2C_FAULTS = {"head_lift", "hips_lift", "other_leg_lift", "too_fast"}
PRONE_FAULTS = {"legs_lift", "pelvis_lift", "neck_overextension", "too_fast"}
FEET = [lm.LEFT_ANKLE, lm.RIGHT_ANKLE, lm.LEFT_HEEL, lm.RIGHT_HEEL, lm.LEFT_FOOT_INDEX, lm.RIGHT_FOOT_INDEX]


def counted(res) -> list:
    return [r for r in res.reps if r.complete and r.result != "incomplete"]


def per_side(res) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in counted(res):
        out[str(r.side)] = out.get(str(r.side), 0) + 1
    return out


def setup_codes(res) -> set[str]:
    return {s.code for s in res.setup}


def overlap(res, code: str, t0: float, t1: float) -> float:
    return sum(max(0.0, min(s.end_s, t1) - max(s.start_s, t0)) for s in res.setup if s.code == code)


# ---------------------------------------------------------------- knee to chest
def k2c(reps, *, body=AVERAGE, cam=None, seed=0, lost=(), dur=None):
    pose = Supine(body, k2c_curves(reps), hook=True, hands_on=hands_from(reps))
    cam = cam or side_camera(body, fps=30.0)
    end = max(t0 + rise + hold + lower for _, t0, rise, _, hold, lower in reps)
    track = film(pose, dur or end + 1.5, cam, Tracker(seed=seed, lost=lost))
    return pose, cam, track


def check_k2c(track, hold_s=5.0):
    return check_poses(track, load_exercise("knee_to_chest", "single", {"hold_s": hold_s}))


def true_hold(pose, cam, rep) -> float:
    side, t0, rise, _peak, hold, lower = rep
    return expected_hold(pose, cam, side, t0, t0 + rise + hold + lower, fps=cam.fps)


# trunk centred in a close-up twice as big: the head near the left edge, the feet past the right one
K2C_CLOSE = dict(scale=2.0, about_px=(530.0, 360.0), shift_px=(110.0, 0.0))


@cache
def k2c_close_up_rest():
    reps = [(R, 2.0 + 14 * i, 2.5, 130.0, 6.0, 2.0) for i in range(3)]
    pose, cam, track = k2c(reps, seed=31)
    return check_k2c(reframe(track, 13.0, 15.5, **K2C_CLOSE))


def test_k2c_close_up_during_rest():
    """Three right-leg reps; between the first two the video cuts to a 2.5 s close-up of the trunk
    (skeleton twice as big, shifted, feet out of the picture), then back to the wide shot: the reps
    before and after count; a set-up problem during the close-up is allowed, none elsewhere."""
    res = k2c_close_up_rest()
    info = describe(res)
    assert per_side(res) == {R: 3}, info
    assert all(r.result == "good" for r in counted(res)), info
    assert not [s for s in res.setup if s.end_s < 12.5 or s.start_s > 16.5], info  # only around the cut


def test_k2c_close_up_during_rest_invents_no_fault():
    """The same clip: the jump to the close-up and back is not a head lift, hip lift or leg lift."""
    res = k2c_close_up_rest()
    assert not fault_codes(res) & K2C_FAULTS, describe(res)


K2C_HOLD_REPS = [(R, 2.0, 2.5, 130.0, 10.0, 2.0), (R, 18.0, 2.5, 130.0, 6.0, 2.0)]


@cache
def k2c_close_up_hold():
    pose, cam, track = k2c(K2C_HOLD_REPS, seed=32)
    return pose, cam, check_k2c(reframe(track, 7.5, 10.0, **K2C_CLOSE))


def test_k2c_close_up_during_hold():
    """A 10 s hold; 3 s into it the video cuts to a close-up for 2.5 s, then back. The rep is one rep,
    the hold pauses or goes on (not broken)."""
    pose, cam, res = k2c_close_up_hold()
    info = describe(res)
    assert per_side(res) == {R: 2}, info
    th = true_hold(pose, cam, K2C_HOLD_REPS[0])
    assert th - 2.5 - HOLD_TOL <= counted(res)[0].hold_s <= th + HOLD_TOL, f"true hold {th:.2f}; {info}"
    assert counted(res)[1].result == "good", info


def test_k2c_close_up_during_hold_invents_no_fault():
    """The same clip: the held rep stays a good rep, no head lift or hip lift from the jump."""
    pose, cam, res = k2c_close_up_hold()
    info = describe(res)
    assert all(r.result == "good" for r in counted(res)), info
    assert not fault_codes(res) & K2C_FAULTS, info


def test_k2c_title_cards_at_start_and_during_rest():
    """The clip opens on a 2 s title card, and a 2 s card is cut in between two reps."""
    reps = [(R, 4.0 + 13 * i, 2.5, 130.0, 6.0, 2.0) for i in range(3)]
    pose, cam, track = k2c(reps, seed=33)
    res = check_k2c(title_card(title_card(track, 0.0, 2.0), 15.0, 17.0))
    info = describe(res)
    assert per_side(res) == {R: 3}, info
    assert all(r.result == "good" for r in counted(res)), info
    assert not fault_codes(res) & K2C_FAULTS, info


def test_k2c_title_card_during_hold_pauses_the_timer():
    """A 2 s card in the middle of a 10 s hold: one rep, the hold paused for the card (true hold - 2 s)."""
    reps = [(R, 2.0, 2.5, 130.0, 10.0, 2.0)]
    pose, cam, track = k2c(reps, seed=34)
    res = check_k2c(title_card(track, 8.0, 10.0))
    info = describe(res)
    assert per_side(res) == {R: 1}, info
    th = true_hold(pose, cam, reps[0]) - 2.0
    assert abs(counted(res)[0].hold_s - th) <= HOLD_TOL, f"paused hold {th:.2f}; {info}"
    assert counted(res)[0].result == "good", info


def test_k2c_tooltip_over_the_feet_during_hold():
    """A player tooltip at the bottom right hides both feet (visibility 0.1) for 1 s of the hold."""
    reps = [(R, 2.0, 2.5, 130.0, 8.0, 2.0), (R, 16.0, 2.5, 130.0, 6.0, 2.0)]
    pose, cam, track = k2c(reps, seed=35)
    res = check_k2c(hide(track, 7.0, 8.0, FEET))
    info = describe(res)
    assert per_side(res) == {R: 2}, info
    th = true_hold(pose, cam, reps[0])
    assert th - 1.0 - HOLD_TOL <= counted(res)[0].hold_s <= th + HOLD_TOL, f"true hold {th:.2f}; {info}"
    assert all(r.result == "good" for r in counted(res)), info
    assert not fault_codes(res) & K2C_FAULTS, info


def test_k2c_letterboxed_in_portrait_60fps():
    """A landscape 720p 60 fps clip shown inside a 720x1280 portrait frame (black bars)."""
    reps = [(R, 2.0 + 12 * i, 2.5, 130.0, 6.0, 2.0) for i in range(2)]
    pose, cam, track = k2c(reps, cam=side_camera(AVERAGE, fps=60.0), seed=36)
    res = check_k2c(letterbox(track, 720, 1280))
    info = describe(res)
    assert per_side(res) == {R: 2}, info
    assert all(r.result == "good" for r in counted(res)), info
    assert not fault_codes(res) & K2C_FAULTS, info


def test_k2c_ghost_for_half_a_second_during_hold():
    """The pose estimator counts a second person for 0.5 s (a poster, a mirror): nothing changes."""
    reps = [(R, 2.0, 2.5, 130.0, 8.0, 2.0)]
    pose, cam, track = k2c(reps, seed=37)
    res = check_k2c(others(track, 7.0, 7.5))
    info = describe(res)
    assert "multiple_people" not in setup_codes(res), info
    assert per_side(res) == {R: 1}, info
    th = true_hold(pose, cam, reps[0])
    assert abs(counted(res)[0].hold_s - th) <= HOLD_TOL, f"true hold {th:.2f}; {info}"
    assert counted(res)[0].result == "good", info


def test_k2c_ghost_does_not_shorten_a_hold():
    """A hold just past a 10 s prescription (true hold about 10.4 s); a ghost for 0.5 s in the middle
    of it, never reported as a second person, must not take time off the hold (the same clip without
    the ghost reads within 0.1 s of the true hold): still a good rep, hold within 0.25 s."""
    reps = [(R, 2.0, 2.5, 130.0, 7.8, 2.0)]
    pose, cam, track = k2c(reps, seed=37)
    clean = check_k2c(track, hold_s=10.0)
    res = check_k2c(others(track, 7.0, 7.5), hold_s=10.0)
    info = f"without ghost {describe(clean)}; with {describe(res)}"
    assert "multiple_people" not in setup_codes(res), info
    th = true_hold(pose, cam, reps[0])
    assert th >= 10.2 and abs(counted(clean)[0].hold_s - th) <= 0.25, info  # the scenario itself
    assert abs(counted(res)[0].hold_s - th) <= 0.25, f"true hold {th:.2f}; {info}"
    assert counted(res)[0].result == "good", info


def test_k2c_second_person_for_4s_during_hold_pauses():
    """A second person stands in the picture for 4 s in the middle of a 12 s hold: ``multiple_people``
    is said, and the hold timer pauses while it is on (counting pauses during set-up problems)."""
    reps = [(R, 2.0, 2.5, 130.0, 12.0, 2.0), (R, 21.0, 2.5, 130.0, 6.0, 2.0)]
    pose, cam, track = k2c(reps, seed=38)
    res = check_k2c(others(track, 7.0, 11.0))
    info = describe(res)
    mp = overlap(res, "multiple_people", 7.0, 11.0)
    assert mp >= 2.5, info
    assert overlap(res, "multiple_people", 0, 100) - mp <= 1.0, info  # not long after the person left
    assert counted(res)[-1].result == "good" and counted(res)[-1].start_s > 18, info
    first = [r for r in res.reps if r.start_s < 5]
    if first:  # counting paused: whatever the rep became, the hold did not run while it was on
        th = true_hold(pose, cam, reps[0])
        assert first[0].hold_s <= th - mp + HOLD_TOL, f"true hold {th:.2f}, paused {mp:.1f}; {info}"


def test_k2c_camera_knocked_between_reps():
    """The camera is knocked between two reps: the whole skeleton shifts (15 % of the picture) and
    turns 8 deg at once and stays there. Hip flexion is a body angle: later reps still count, no fault
    is invented (head lift and hip lift are measured against the body, not the old picture)."""
    reps = [(R, 2.0 + 13 * i, 2.5, 130.0, 6.0, 2.0) for i in range(3)]
    pose, cam, track = k2c(reps, seed=39)
    res = check_k2c(reframe(track, 13.5, 1e9, rot_deg=8.0, shift_px=(-0.1 * 1280, 0.15 * 720)))
    info = describe(res)
    assert per_side(res) == {R: 3}, info
    assert all(r.result == "good" for r in counted(res)), info
    assert not fault_codes(res) & K2C_FAULTS, info


# ---------------------------------------------------------------- prone extension
def prone(peaks, *, variant="press-up", rest=12.0, arms="press", cam=None, seed=0, lost=(), **timing):
    elev, end = prone_curve(rest, peaks, **timing)
    pose = Prone(AVERAGE, elev, arms=arms)
    cam = cam or side_camera(AVERAGE, distance=2.4, height=0.3, fps=30.0)
    track = film(pose, end + 1.0, cam, Tracker(seed=seed, lost=lost))
    return pose, cam, track


def prone_hold(pose, res, t0, t1, rest):
    target = res.config.params["target_deg"]
    ts = np.arange(t0, t1, 0.01)
    return 0.01 * sum(pose.elev_deg(t) - rest >= target for t in ts)


def test_prone_close_up_during_rest():
    """Press-ups; between two of them a 2.5 s close-up of the face and shoulders (legs out of the
    picture), then back: reps counted, no legs, pelvis or neck fault from the jump."""
    pose, cam, track = prone([50.0, 50.0, 50.0], seed=41)
    res = check_poses(
        reframe(track, 8.6, 11.1, scale=2.0, about_px=(420.0, 330.0), shift_px=(220.0, 60.0)),
        load_exercise("prone_extension", "press-up", {"hold_s": 2.0}),
    )
    info = describe(res)
    assert len(counted(res)) == 3, info
    assert all(r.result == "good" for r in counted(res)), info
    assert not fault_codes(res) & PRONE_FAULTS, info


def test_prone_close_up_during_hold():
    """Arms forward, 8 s holds; 2 s into the first hold the video cuts to a 2.5 s close-up of the upper
    body (legs out of the picture, skeleton 1.8x), then back. One rep each, the hold paused or running
    (not broken), no legs or neck fault from the jump."""
    pose, cam, track = prone([28.0, 28.0], rest=8.0, arms="forward", hold=8.0, seed=44)
    edited = reframe(track, 5.5, 8.0, scale=1.8, about_px=(420.0, 330.0), shift_px=(220.0, 40.0))
    res = check_poses(edited, load_exercise("prone_extension", "arms-forward", {"hold_s": 3.0}))
    info = describe(res)
    assert len(counted(res)) == 2, info
    th = prone_hold(pose, res, 2.0, 13.0, 8.0)
    assert th - 2.5 - HOLD_TOL <= counted(res)[0].hold_s <= th + HOLD_TOL, f"true hold {th:.2f}; {info}"
    assert all(r.result == "good" for r in counted(res)), info
    assert not fault_codes(res) & PRONE_FAULTS, info


def test_prone_arms_forward_title_card_during_hold():
    """Arms forward, 6 s holds; a 1.5 s title card in the middle of the first hold: the hold pauses."""
    pose, cam, track = prone(
        [28.0, 28.0], variant="arms-forward", rest=8.0, arms="forward", hold=6.0, seed=42
    )
    res = check_poses(
        title_card(track, 5.5, 7.0), load_exercise("prone_extension", "arms-forward", {"hold_s": 3.0})
    )
    info = describe(res)
    assert len(counted(res)) == 2, info
    r = counted(res)[0]
    th = prone_hold(pose, res, 2.0, 11.0, 8.0) - 1.5
    assert abs(r.hold_s - th) <= HOLD_TOL, f"paused hold {th:.2f}; {info}"
    assert all(x.result == "good" for x in counted(res)), info


def test_prone_press_up_portrait_60fps_body_lost_at_top():
    """A phone held upright (1080x1920, 60 fps) films press-ups; MediaPipe loses the body for a few
    frames on the way up through the target and again at the top of each press-up."""
    cam = side_camera(AVERAGE, distance=3.0, height=0.3, fps=60.0, size=(1080, 1920), hfov=50.0)
    lost = []
    for k in range(3):
        base = 2.0 + 8.0 * k
        lost += [(base + 1.1, base + 1.2), (base + 3.0, base + 3.12), (base + 4.2, base + 4.3)]
    pose, cam, track = prone([50.0, 50.0, 50.0], cam=cam, lost=lost, seed=43)
    res = check_poses(track, load_exercise("prone_extension", "press-up", {"hold_s": 2.0}))
    info = describe(res)
    assert len(counted(res)) == 3, info
    assert all(r.result == "good" for r in counted(res)), info
    assert not fault_codes(res) & PRONE_FAULTS, info
    for k, r in enumerate(counted(res)):
        base = 2.0 + 8.0 * k
        th = prone_hold(pose, res, base, base + 6.0, 12.0)
        gone = sum(b - a for a, b in lost if base <= a < base + 6 and pose.elev_deg(a) - 12 >= 30)
        assert th - gone - HOLD_TOL <= r.hold_s <= th + HOLD_TOL, f"true hold {th:.2f}; {info}"


# ---------------------------------------------------------------- side bends
def bends_at(bends, down=2.0, hold=0.5, up=2.0):
    """Tilt curve from (start time, peak) pairs."""
    keys = [(0.0, 0.0)]
    for t, b in bends:
        keys += [(t, 0.0), (t + down, b * 0.97), (t + down + hold, b), (t + down + hold + up, 0.0)]
    return curve(keys), max(t for t, _ in bends) + down + hold + up


def bend(bends, *, body=AVERAGE, cam=None, seed=0, **timing):
    tilt, end = bends_at(bends, **timing)
    pose = Standing(body, tilt)
    cam = cam or front_camera(body, fps=30.0)
    return pose, cam, film(pose, end + 1.5, cam, Tracker(seed=seed))


def check_bend(track):
    return check_poses(track, load_exercise("side_bend", None, {}))


def check_sides(res, bends, skip=()):
    info = describe(res)
    want = [b for i, (_, b) in enumerate(bends) if i not in skip]
    got = counted(res)
    assert [r.side for r in got] == [L if b > 0 else R for b in want], info
    for r, b in zip(got, want, strict=True):
        assert abs(r.peak_deg - abs(b)) <= PEAK_TOL_FRONT, info


ALT4 = [(2.0, 25.0), (8.0, -25.0), (17.0, 25.0), (23.0, -25.0)]  # a long rest from 12.5 to 17


def test_side_bend_close_up_during_rest():
    """Between the second and third bends the video cuts to a 2.5 s close-up of the chest (knees and
    feet out of the picture), then back to the whole body."""
    pose, cam, track = bend(ALT4, seed=51)
    res = check_bend(reframe(track, 13.5, 16.0, scale=2.0, about_px=(640.0, 250.0), shift_px=(0.0, 60.0)))
    check_sides(res, ALT4)
    assert not fault_codes(res), describe(res)


def test_side_bend_title_card_during_rest():
    """A 3 s title card cut in between the second and third bends."""
    pose, cam, track = bend(ALT4, seed=52)
    res = check_bend(title_card(track, 13.5, 16.5))
    check_sides(res, ALT4)
    assert not fault_codes(res), describe(res)


def test_side_bend_caption_over_hips_and_hands_for_a_second():
    """A caption across the lower middle hides the hips, wrists and hands for 1 s (visibility 0.1) as
    the person comes back up from the first bend."""
    pose, cam, track = bend(ALT4, seed=53)
    hidden = [lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_WRIST, lm.RIGHT_WRIST, *range(17, 23)]
    res = check_bend(hide(track, 5.0, 6.0, hidden))
    check_sides(res, ALT4)
    assert not fault_codes(res), describe(res)


def test_side_bend_portrait_phone_person_small():
    """A phone held upright (720x1280, 30 fps), the person small in the middle (about a quarter of
    the picture's height), blurred bars either side (no landmarks there)."""
    cam = front_camera(AVERAGE, size=(720, 1280), hfov=45.0, distance=4.5, fps=30.0)
    pose, cam, track = bend(ALT4, cam=cam, seed=54)
    res = check_bend(track)
    check_sides(res, ALT4)
    assert not fault_codes(res), describe(res)


def test_side_bend_letterboxed_in_portrait_25fps_person_tiny():
    """A landscape 25 fps clip letterboxed in a 720x1280 portrait frame; the person is about 13 % of
    the frame's height."""
    cam = front_camera(SLIM, distance=6.0, fps=25.0)
    pose, cam, track = bend(ALT4, body=SLIM, cam=cam, seed=55)
    boxed = letterbox(track, 720, 1280)
    ys = boxed.poses[0].xy_px[:, 1]
    assert 0.10 <= (ys.max() - ys.min()) / 1280 <= 0.15
    res = check_bend(boxed)
    check_sides(res, ALT4)
    assert not fault_codes(res), describe(res)


def test_side_bend_second_person_through_a_whole_bend():
    """A second person walks in and stays 6.8 s, through the whole third bend: ``multiple_people`` is
    said and counting pauses, so that bend is not counted; the others are."""
    pose, cam, track = bend(ALT4, seed=56)
    res = check_bend(others(track, 13.0, 22.3))
    info = describe(res)
    assert overlap(res, "multiple_people", 13.0, 22.3) >= 5.0, info
    check_sides(res, ALT4, skip=(2,))


def test_side_bend_ghost_for_half_a_second_mid_bend():
    """A ghost (a mirror, a poster) counted as another person for 0.5 s during a bend: nothing."""
    pose, cam, track = bend(ALT4, seed=57)
    res = check_bend(others(track, 3.5, 4.0))
    assert "multiple_people" not in setup_codes(res), describe(res)
    check_sides(res, ALT4)


@cache
def side_bend_knocked():
    pose, cam, track = bend(ALT4, seed=58)
    return check_bend(reframe(track, 14.0, 1e9, rot_deg=8.0, shift_px=(0.15 * 1280, 0.0)))


def test_side_bend_camera_knocked():
    """The camera is knocked between the second and third bends: the skeleton shifts 15 % of the
    width and turns 8 deg at once, and stays. The later bends still count on the right sides."""
    res = side_bend_knocked()
    assert [r.side for r in counted(res)] == [L, R, L, R], describe(res)


def test_side_bend_camera_knocked_invents_no_fault():
    """The same clip: the knock is not a hip shift (the feet moved with the hips)."""
    res = side_bend_knocked()
    assert not fault_codes(res), describe(res)


WALK_BENDS = [(2.0, 25.0), (8.0, -25.0), (22.0, 25.0), (28.0, -25.0)]


@cache
def side_bend_walk_out():
    pose, cam, track = bend(WALK_BENDS, seed=59)
    for k in range(8):  # sliding out (13.0-13.8) and back in (18.8-19.6), 0.1 s steps
        dx = 90.0 * (k + 1)
        track = reframe(track, 13.0 + 0.1 * k, 13.1 + 0.1 * k, shift_px=(dx, 0.0), seed=k)
        track = reframe(track, 19.5 - 0.1 * k, 19.6 - 0.1 * k, shift_px=(dx, 0.0), seed=10 + k)
    return check_bend(title_card(track, 13.8, 18.8))


def test_side_bend_walks_out_and_back():
    """After two bends the person walks out of the picture sideways, is gone 5 s, comes back to the same
    spot and does two more: ``no_person`` is said while gone, all four bends count."""
    res = side_bend_walk_out()
    assert overlap(res, "no_person", 13.8, 18.8) >= 4.0, describe(res)
    check_sides(res, WALK_BENDS)


def test_side_bend_walks_out_and_back_invents_no_fault():
    """The same clip: walking out of the picture and back (feet and hips together) is not a hip shift."""
    res = side_bend_walk_out()
    assert not fault_codes(res), describe(res)
