"""Independent recognition scenarios: whole recordings with no exercise given, as real people film them.

Built from the design texts only (EXERCISES.md, REAL_WORLD.md, docs/report-schema.md) with the
independent body model (``independent_body``), not from the recogniser, the checker or their generator.
Each recording goes through ``analyze_track`` and the test asserts what a user would expect to read: the
exercise, the variant where the movement makes it plain, one segment per exercise, and the reps per side
(a rep is a rise past the count threshold and back to rest). Where the texts leave it open nothing is
asserted; the module's report lists those cases. Recogniser failures are kept as ``xfail(strict=True)``.
"""

from __future__ import annotations

import pytest
from independent_body import (
    AllFours,
    Body,
    Camera,
    L,
    Prone,
    R,
    Routine,
    Sitting,
    Standing,
    Supine,
    Talking,
    Tracker,
    Walking,
    Weighted,
    const,
    curve,
    film,
    front_camera,
    side_camera,
)
from test_independent_scenarios import bend_curve, hands_from, k2c_curves, prone_curve

from formcheck.segments import analyze_track

SLIM_TALL = Body(1.90, 0.0)
SLIM = Body(1.62, 0.0)
AVERAGE = Body(1.75, 0.3)
HEAVY_TALL = Body(1.85, 1.0)
SHORT_HEAVY = Body(1.52, 0.9)

K2C = ("knee_to_chest", "single")
K2C_DOUBLE = ("knee_to_chest", "double")
PRESS = ("prone_extension", "press-up")
ARMS_FWD = ("prone_extension", "arms-forward")
BEND = ("side_bend", "standing")


# ---------------------------------------------------------------- helpers
def show(rec) -> str:
    """Everything recognised, for the failure message."""
    out = []
    for ep, res in rec.segments:
        reps = [(r.side, round(r.peak_deg, 1), r.result, r.complete) for r in res.reps]
        out.append(
            f"SEG {ep.exercise}/{ep.variant} {ep.start_s:.1f}-{ep.end_s:.1f} {ep.movement} reps={reps}"
        )
    for ep in rec.other:
        out.append(
            f"OTHER {ep.start_s:.1f}-{ep.end_s:.1f} {ep.posture}/{ep.view}/{ep.movement} {ep.exercise}"
        )
    return " | ".join(out) or "nothing"


def found(rec) -> list[tuple[str, str]]:
    return [(ep.exercise, ep.variant) for ep, _ in rec.segments]


def counted(res) -> dict[str, int]:
    """Reps per side that rose past the threshold and came back (complete, not an attempt)."""
    out: dict[str, int] = {}
    for r in res.reps:
        if r.complete and r.result != "incomplete":
            key = "all" if r.side is None else str(r.side)
            out[key] = out.get(key, 0) + 1
    return out


def returned(res) -> int:
    """Movements listed that came back to rest, whatever their result (attempts included)."""
    return sum(1 for r in res.reps if r.complete)


def expect(rec, *segments: tuple[tuple[str, str | None], dict[str, int] | None]) -> None:
    """One segment per expected exercise, in order, with its variant (None: not asserted) and reps."""
    info = show(rec)
    assert len(rec.segments) == len(segments), info
    for (ep, res), ((exercise, variant), reps) in zip(rec.segments, segments, strict=True):
        assert ep.exercise == exercise, info
        if variant is not None:
            assert ep.variant == variant, info
        if reps is not None:
            assert counted(res) == reps, info


def no_exercise(rec) -> None:
    assert not [res for _, res in rec.segments if res.reps], show(rec)


def routine_camera(size=(1280, 720), fps=25.0, roll=0.0) -> Camera:
    """One camera for a whole routine: about 3.4 m away, 0.7 m up, whole standing body and the floor."""
    return Camera(size[0], size[1], fps, (0.1, 0.7, -3.4), (0.1, 0.55, 0.0), roll, 70.0)


def supine_pose(body, reps, *, rest=(45.0, 45.0), hook=True, head_dir=-1.0) -> Supine:
    return Supine(body, k2c_curves(reps, rest), hook=hook, hands_on=hands_from(reps), head_dir=head_dir)


def k2c_rec(reps, *, body=AVERAGE, cam=None, tail=2.0, seed=1, **kw):
    pose = supine_pose(body, reps, **kw)
    end = max(t0 + rise + hold + lower for _, t0, rise, _, hold, lower in reps)
    return analyze_track(film(pose, end + tail, cam or side_camera(body), Tracker(seed=seed)))


def prone_rec(peaks, *, body=AVERAGE, cam=None, rest=12.0, tracker=None, pose_kw=None, **timing):
    elev, end = prone_curve(rest, peaks, **timing)
    pose = Prone(body, elev, **(pose_kw or {}))
    cam = cam or side_camera(body, distance=2.4, height=0.3)
    return analyze_track(film(pose, end + 1.0, cam, tracker or Tracker(seed=2)))


def bend_rec(bends, *, body=AVERAGE, cam=None, settings=None, weight=None, seed=3, **timing):
    tilt, end = bend_curve(bends, **timing)
    pose = Standing(body, tilt)
    if weight is not None:
        pose = Weighted(pose, weight)
    return analyze_track(film(pose, end + 1.0, cam or front_camera(body), Tracker(seed=seed)), settings)


# ---------------------------------------------------------------- knee to chest
def test_k2c_hook_lying_alternating_far_leg_faint():
    """NHS style: hook-lying, right (near) and left (far, landmarks at visibility 0.25-0.5) in turn,
    the hands pulling the knee to 140."""
    reps = [(R if i % 2 == 0 else L, 2.0 + 10.5 * i, 2.5, 140.0, 4.0, 2.0) for i in range(4)]
    rec = k2c_rec(reps)
    expect(rec, (K2C, {L: 2, R: 2}))


@pytest.mark.xfail(
    strict=True,
    reason=(
        "one knee_to_chest/single segment 0.0-39.7 s; the two both-knee reps (125 deg) are counted as "
        "right: reps right, left, right, right instead of right, left, both, both"
    ),
)
def test_k2c_demonstration_ends_with_both_knees():
    """A clinician's demonstration: right, left, then both knees together twice. How many segments
    (one, or single then double) is left open; the reps must read right, left and both x2."""
    reps = [(R, 2.0, 2.5, 135.0, 3.0, 2.0), (L, 11.0, 2.5, 135.0, 3.0, 2.0)]
    reps += [("both", 20.0 + 10 * i, 2.5, 125.0, 3.0, 2.2) for i in range(2)]
    rec = k2c_rec(reps)
    info = show(rec)
    assert rec.segments and all(ep.exercise == "knee_to_chest" for ep, _ in rec.segments), info
    total: dict[str, int] = {}
    for _, res in rec.segments:
        for k, v in counted(res).items():
            total[k] = total.get(k, 0) + v
    assert total == {L: 1, R: 1, "both": 2}, info


def test_k2c_straight_legs_head_right_slim_hd_60fps():
    """Legs-straight start, the near leg three times, slim person lying head to the picture's right."""
    body = SLIM
    reps = [(L, 2.0 + 10 * i, 2.5, 130.0, 4.0, 2.0) for i in range(3)]
    cam = side_camera(body, size=(1920, 1080), fps=60.0)
    rec = k2c_rec(reps, body=body, cam=cam, rest=(2.0, 2.0), hook=False, head_dir=1.0)
    expect(rec, (K2C, {L: 3}))


def test_k2c_starts_moving_at_once():
    """The first frame is at rest but the left knee is already on its way up: no still second first."""
    reps = [(L, 0.0, 2.5, 135.0, 4.0, 2.0), (L, 10.0, 2.5, 135.0, 4.0, 2.0), (L, 20.0, 2.5, 135.0, 4.0, 2.0)]
    cam = side_camera(AVERAGE, size=(640, 360), fps=30.0)
    rec = k2c_rec(reps, cam=cam)
    expect(rec, (K2C, {L: 3}))


# ---------------------------------------------------------------- prone extension
def test_prone_mckenzie_press_up_lost_at_top():
    """McKenzie press-ups to 50, MediaPipe losing the body for a few frames at each top."""
    lost = [(4.5, 4.7), (12.5, 12.7), (20.5, 20.7)]
    rec = prone_rec([50.0, 50.0, 50.0], tracker=Tracker(seed=4, lost=lost))
    expect(rec, (PRESS, {"all": 3}))


def test_prone_press_up_starts_moving_at_once():
    """A trimmed clip: the first press-up starts at the first frame; 640x360 at 30 fps."""
    cam = side_camera(AVERAGE, distance=2.4, height=0.3, size=(640, 360), fps=30.0)
    rec = prone_rec([50.0, 50.0, 50.0], cam=cam, t0=0.0)
    expect(rec, (PRESS, {"all": 3}))


def test_prone_cobra_bent_elbows_head_right():
    """Cobra with bent elbows, hands under the shoulders, 32 above lying, head to the picture's right.
    Hands planted under the shoulders and legs down: the press-up variant (not arms forward)."""
    body = HEAVY_TALL
    cam = side_camera(body, distance=2.6, height=0.3)
    rec = prone_rec([44.0, 44.0, 44.0], body=body, cam=cam, rest=14.0, pose_kw={"head_dir": 1.0}, hold=2.0)
    expect(rec, (PRESS, None))
    assert returned(rec.segments[0][1]) == 3, show(rec)


def test_prone_arms_forward_lift_18():
    """Arms stretched forward, the trunk lifted 18 above lying (lying reads 8), held 5 s."""
    cam = side_camera(AVERAGE, distance=2.6, height=0.3, size=(960, 540), fps=30.0)
    rec = prone_rec([26.0, 26.0, 26.0], cam=cam, rest=8.0, pose_kw={"arms": "forward"}, hold=5.0)
    expect(rec, (ARMS_FWD, {"all": 3}))


def test_prone_yoga_cobra_looking_up():
    """A yoga teacher's cobra: hands under the shoulders, 33 above lying, looking up at the top (style)."""
    neck = curve(
        [(0, 0), (3.0, 0), (4.0, 40), (6.5, 40), (7.5, 0), (10.0, 0), (11.0, 40), (13.5, 40), (14.5, 0)]
    )
    cam = side_camera(SLIM, distance=2.2, height=0.25, size=(1920, 1080), fps=25.0)
    rec = prone_rec([45.0, 45.0], body=SLIM, cam=cam, pose_kw={"neck_ext_deg": neck}, hold=3.0)
    expect(rec, (PRESS, None))
    assert returned(rec.segments[0][1]) == 2, show(rec)


def test_prone_quick_supermans():
    """Quick repeated supermans: trunk and legs up about 6 deg, 0.6 s each, eight in a row. Recognised
    as prone extension; formcheck's choice (the texts leave it open): the superman variant, each lift
    a rep, incomplete against the 10 deg target."""
    keys_t, keys_l = [(0.0, 8.0), (2.0, 8.0)], [(0.0, 0.0), (2.0, 0.0)]
    for i in range(8):
        t = 2.0 + 0.6 * i
        keys_t += [(t + 0.3, 14.0), (t + 0.6, 8.0)]
        keys_l += [(t + 0.3, 6.0), (t + 0.6, 0.0)]
    pose = Prone(AVERAGE, curve(keys_t), arms="forward", leg_lift_deg=curve(keys_l))
    cam = side_camera(AVERAGE, distance=2.4, height=0.3, fps=30.0)
    rec = analyze_track(film(pose, 9.5, cam, Tracker(seed=5)))
    info = show(rec)
    # the checker may list no rep for 6 deg (the superman target is 10), so the episode may be in
    # ``other``: what is asserted is that the recording is recognised as prone extension, nothing else
    episodes = [ep for ep, _ in rec.segments] + list(rec.other)
    assert any(ep.exercise == "prone_extension" for ep in episodes), info
    assert all(ep.exercise in (None, "prone_extension") for ep in episodes), info
    assert [(ep.exercise, ep.variant) for ep, _ in rec.segments] == [("prone_extension", "superman")], info
    reps = rec.segments[0][1].reps
    assert len(reps) == 8 and all(r.result == "incomplete" for r in reps), info


# ---------------------------------------------------------------- side bends
def test_side_bend_gym_weight_small_one_side_starts_at_once():
    """Gym clip: a weight in the right hand (that arm hangs lower), 12 deg bends to the right only, the
    first 0.3 s into the clip; the therapist set count 8 / target 10 for this person."""
    bends = [-12.0, -12.0, -12.0]
    rec = bend_rec(
        bends,
        weight=R,
        settings={"count_deg": 8.0, "target_deg": 10.0},
        t0=0.3,
        down=1.2,
        hold=0.3,
        up=1.2,
        gap=0.6,
    )
    expect(rec, (BEND, {R: 3}))


def test_side_bend_gym_weight_small_default_settings():
    """The same 12 deg gym bends with the default settings (count 15, target 20): if anything is
    recognised it is side bends, and none is a good rep (whether attempts make a segment is open)."""
    rec = bend_rec([-12.0, -12.0, -12.0], weight=R, t0=0.3, down=1.2, hold=0.3, up=1.2, gap=0.6)
    info = show(rec)
    assert all(ep.exercise == "side_bend" for ep, _ in rec.segments), info
    assert not [r for _, res in rec.segments for r in res.reps if r.result == "good"], info


def test_side_bend_normal_starts_moving_at_once():
    """25 deg left, right, left, right, the first bend starting at the first frame."""
    rec = bend_rec([25.0, -25.0, 25.0, -25.0], t0=0.0, cam=front_camera(AVERAGE, fps=30.0))
    expect(rec, (BEND, {L: 2, R: 2}))


@pytest.mark.parametrize(
    "exercise, still_s",
    [("knee_to_chest", 0.6), ("press_up", 0.3), ("side_bend", 0.3)],
)
def test_less_than_a_second_still_at_the_start(exercise, still_s):
    """REAL_WORLD: clips start after less than a second of stillness. The first rep starts ``still_s``
    into the clip, from the start position."""
    if exercise == "knee_to_chest":
        reps = [(L, still_s + 10.0 * i, 2.5, 135.0, 4.0, 2.0) for i in range(3)]
        rec = k2c_rec(reps, cam=side_camera(AVERAGE, size=(640, 360), fps=30.0))
        expect(rec, (K2C, {L: 3}))
    elif exercise == "press_up":
        expect(prone_rec([50.0, 50.0, 50.0], t0=still_s), (PRESS, {"all": 3}))
    else:
        rec = bend_rec([25.0, -25.0, 25.0, -25.0], t0=still_s, cam=front_camera(AVERAGE, fps=30.0))
        expect(rec, (BEND, {L: 2, R: 2}))


# ---------------------------------------------------------------- bodies and cameras
def _k2c_heavy():
    body = HEAVY_TALL
    cam = side_camera(body, distance=2.8, height=0.4, roll=5.0, size=(1920, 1080), fps=60.0)
    reps = [(L, 2.0, 2.5, 125.0, 3.0, 2.0), (R, 11.0, 2.5, 125.0, 3.0, 2.0)]
    return k2c_rec(reps, body=body, cam=cam, head_dir=1.0), (K2C, {L: 1, R: 1})


def _k2c_short():
    body = SHORT_HEAVY
    cam = side_camera(body, distance=1.7, height=0.15, roll=-5.0, size=(640, 360), fps=25.0)
    reps = [(R, 1.5 + 9.5 * i, 2.5, 130.0, 3.0, 2.0) for i in range(2)]
    return k2c_rec(reps, body=body, cam=cam), (K2C, {R: 2})


def _press_tall_far():
    body = SLIM_TALL
    cam = side_camera(body, distance=3.2, height=0.5, roll=-5.0, size=(1280, 720), fps=30.0)
    return prone_rec([52.0, 52.0], body=body, cam=cam, rest=10.0, pose_kw={"head_dir": 1.0}), (
        PRESS,
        {"all": 2},
    )


def _arms_forward_short():
    body = SHORT_HEAVY
    cam = side_camera(body, distance=1.9, height=0.2, roll=5.0, size=(640, 360), fps=25.0)
    return prone_rec([27.0, 27.0], body=body, cam=cam, rest=9.0, pose_kw={"arms": "forward"}, hold=4.0), (
        ARMS_FWD,
        {"all": 2},
    )


def _bend_heavy_hd():
    body = HEAVY_TALL
    cam = front_camera(body, distance=3.2, height=1.5, roll=-5.0, size=(1920, 1080), fps=60.0, hfov=70.0)
    return bend_rec([22.0, -22.0], body=body, cam=cam), (BEND, {L: 1, R: 1})


def _bend_short_lowres():
    body = SLIM
    cam = front_camera(body, distance=4.2, height=0.7, roll=5.0, size=(640, 360), fps=25.0)
    return bend_rec([24.0, -24.0, 24.0], body=body, cam=cam), (BEND, {L: 2, R: 1})


@pytest.mark.parametrize(
    "make",
    [_k2c_heavy, _k2c_short, _press_tall_far, _arms_forward_short, _bend_heavy_hd, _bend_short_lowres],
    ids=lambda f: f.__name__.strip("_"),
)
def test_bodies_and_cameras(make):
    rec, want = make()
    expect(rec, want)


# ---------------------------------------------------------------- routines
def test_routine_k2c_then_press_ups_then_side_bends():
    """Knee-to-chest (R, L, R, L from hook-lying), roll over onto the stomach (3 s), three press-ups,
    up onto hands and knees and stand up (5 s), then side bends L, R, L, R. One camera throughout."""
    body = AVERAGE
    k_reps = [(R if i % 2 == 0 else L, 2.0 + 9 * i, 2.5, 135.0, 3.5, 2.0) for i in range(4)]
    supine = supine_pose(body, k_reps)
    elev, p_end = prone_curve(12.0, [50.0, 50.0, 50.0], t0=44.0)
    prone = Prone(body, elev)
    tilt, b_end = bend_curve([25.0, -25.0, 25.0, -25.0], t0=p_end + 8.0)
    parts = [
        (0.0, 38.0, supine),
        (41.0, p_end + 0.5, prone),
        (p_end + 2.5, p_end + 3.5, AllFours(body)),
        (p_end + 6.0, b_end + 1.5, Standing(body, tilt)),
    ]
    rec = analyze_track(film(Routine(parts), b_end + 1.5, routine_camera(), Tracker(seed=8)))
    expect(rec, (K2C, {L: 2, R: 2}), (PRESS, {"all": 3}), (BEND, {L: 2, R: 2}))


def test_routine_side_bends_then_double_knees():
    """Side bends R, L, R; sit down on the floor (3 s), lie back (2 s), both knees to the chest twice,
    sit up and stand up. 1920x1080 at 30 fps, camera rolled 3 deg."""
    body = SHORT_HEAVY
    tilt, b_end = bend_curve([-22.0, 22.0, -22.0], t0=1.5)
    k0 = b_end + 9.0
    k_reps = [("both", k0 + 10 * i, 2.5, 125.0, 3.0, 2.2) for i in range(2)]
    k_end = k_reps[-1][1] + 7.7
    parts = [
        (0.0, b_end + 1.0, Standing(body, tilt)),
        (b_end + 4.0, b_end + 5.0, Sitting(body)),
        (b_end + 7.0, k_end + 2.0, supine_pose(body, k_reps)),
        (k_end + 4.0, k_end + 5.0, Sitting(body)),
        (k_end + 8.0, k_end + 10.0, Standing(body, const(0.0))),
    ]
    cam = routine_camera(size=(1920, 1080), fps=30.0, roll=3.0)
    rec = analyze_track(film(Routine(parts), k_end + 10.0, cam, Tracker(seed=9)))
    expect(rec, (BEND, {L: 1, R: 2}), (K2C_DOUBLE, {"both": 2}))


def test_routine_arms_forward_then_roll_over_to_straight_leg_k2c():
    """Lying head to the picture's right: arms-forward lifts (18 above lying) twice, roll onto the back
    (3 s), legs straight, the left (near) knee to the chest twice then the right once. 60 fps."""
    body = SLIM_TALL
    elev, p_end = prone_curve(8.0, [26.0, 26.0], t0=2.0, hold=4.0)
    prone = Prone(body, elev, arms="forward", head_dir=1.0)
    k0 = p_end + 6.0
    k_reps = [
        (L, k0, 2.5, 130.0, 3.0, 2.0),
        (L, k0 + 9.0, 2.5, 130.0, 3.0, 2.0),
        (R, k0 + 18.0, 2.5, 130.0, 3.0, 2.0),
    ]
    supine = supine_pose(body, k_reps, rest=(2.0, 2.0), hook=False, head_dir=1.0)
    k_end = k0 + 18.0 + 7.5
    parts = [(0.0, p_end + 0.5, prone), (p_end + 3.5, k_end + 2.0, supine)]
    cam = side_camera(body, distance=3.0, height=0.35, fps=60.0, size=(1280, 720))
    rec = analyze_track(film(Routine(parts), k_end + 2.0, cam, Tracker(seed=14)))
    expect(rec, (ARMS_FWD, {"all": 2}), (K2C, {L: 2, R: 1}))


# ---------------------------------------------------------------- no exercise
def test_standing_talking():
    """Standing in front of the camera talking for 20 s: forearms gesturing, weight shifting."""
    rec = analyze_track(film(Talking(AVERAGE, seed=3), 20.0, front_camera(AVERAGE), Tracker(seed=10)))
    no_exercise(rec)


def test_walking_across_and_back():
    """Walking across the picture and back, side-on, in front of the side-bend camera."""
    there = Walking(AVERAGE, x0=-2.6, speed=1.1, facing=1.0)
    back = Walking(AVERAGE, x0=2.6 + 2 * 1.1 * 5.0, speed=1.1, facing=-1.0)  # at x=2.6 at t=5
    rec = analyze_track(
        film(Routine([(0.0, 4.7, there), (5.0, 10.0, back)]), 10.0, front_camera(AVERAGE), Tracker(seed=11))
    )
    no_exercise(rec)


def test_sitting_down_on_the_floor_and_getting_up():
    """Stand, sit down on the floor (2.5 s), sit leaning back and forth for 8 s, get up (2.5 s), stand."""
    lean = curve([(5.5, 5.0), (8.0, 20.0), (10.0, 0.0), (12.0, 15.0), (13.5, 5.0)])
    parts = [
        (0.0, 3.0, Standing(AVERAGE, const(0.0))),
        (5.5, 13.5, Sitting(AVERAGE, lean_deg=lean)),
        (16.0, 19.0, Standing(AVERAGE, const(0.0))),
    ]
    rec = analyze_track(film(Routine(parts), 19.0, routine_camera(), Tracker(seed=12)))
    no_exercise(rec)


@pytest.mark.parametrize("posture", ["supine_hook", "supine_straight", "prone"])
def test_lying_still_doing_nothing(posture):
    """A person lying still for 20 s (breathing, tracker jitter): nothing to count."""
    if posture == "prone":
        pose = Prone(AVERAGE, const(12.0))
        cam = side_camera(AVERAGE, distance=2.4, height=0.3)
    else:
        hook = posture == "supine_hook"
        rest = 45.0 if hook else 2.0
        pose = Supine(AVERAGE, {L: const(rest), R: const(rest)}, hook=hook)
        cam = side_camera(AVERAGE)
    rec = analyze_track(film(pose, 20.0, cam, Tracker(seed=13)))
    no_exercise(rec)
