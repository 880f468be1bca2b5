"""Independent judging scenarios for issue 15: cases seen on footage of real people.

Built from the design texts (EXERCISES.md, REAL_WORLD.md, docs/report-schema.md, the issue) with the
independent body model (``independent_body``), not from the checker or its generator. Each recording is
a synthetic landmark stream (no video, no MediaPipe) run through the real pipeline the way the CLI runs
it: ``formcheck analyze -e EXERCISE --set KEY=VALUE`` (``parse_settings`` -> ``load_exercise`` ->
``pipeline.run`` with a frame source and a pose estimator that replay the stream), or without ``-e``
(``analyze_track``). Checker failures are kept as ``xfail(strict=True)`` so they flip when it is fixed.

The cases:
 a. a cobra filmed at home, the toes past the picture's edge while lying still, rising at about 5 s;
 b. two small weighted side bends (about 12 deg, a weight in one hand) starting 0.3 s into a 3.5 s clip,
    with count 8, target 10, release 3;
 c. a standing forward fold seen from a front-oblique camera, run as side bends;
 d. a cobra held while the camera is carried from the side round to a straight-on view and back;
 e. a knee-to-chest rep held about 5 s after side bends in the same recording, analysed without -e.

What failed on the code these were written against (xfail until the checker was fixed): (a) a person
ready on the hands before the cobra and lying flatter after it lost the rep (the run was measured again
from the later rest); (b) without -e the 3.5 s clip gave nothing at all (with -e it was right); (c) the
fold was counted as a side bend; (d) the front view was reported only as a changed picture, never as a
view problem. Scenario assumptions are in each scenario's docstring.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest
from independent_body import (
    Body,
    Camera,
    L,
    OrbitCamera,
    Prone,
    R,
    Routine,
    Sitting,
    Slid,
    Standing,
    Supine,
    Tracker,
    Weighted,
    const,
    curve,
    film,
    front_camera,
    side_camera,
    title_card,
    true_hip_flexion,
)
from test_independent_scenarios import bend_curve, describe, expected_hold, hands_from, k2c_curves

from formcheck import landmarks as lm
from formcheck.events import CueGiven
from formcheck.pipeline import AnalysisResult, run
from formcheck.segments import analyze_track
from formcheck.spec import EXERCISES_DIR, load_exercise, parse_settings
from formcheck.video.sources import Frame

AVERAGE = Body(1.75, 0.3)
SLIM = Body(1.62, 0.0)
HEAVY = Body(1.80, 1.0)
OLDER_MALE = Body(1.72, 0.7)

HOLD_TOL = 0.6
PEAK_TOL_SIDE = 8.0
PEAK_TOL_FRONT = 4.0
TOES = [lm.LEFT_FOOT_INDEX, lm.RIGHT_FOOT_INDEX]
_BLANK = np.zeros((4, 4, 3), np.uint8)


# ---------------------------------------------------------------- running a stream as the CLI does
class _StreamSource:
    """A frame source that replays a filmed track's frame times (tiny blank pictures)."""

    live = False

    def __init__(self, track) -> None:
        self.track = track
        self.name, self.fps = track.name, track.fps
        self.width, self.height = track.width, track.height
        self.frame_count = len(track.poses)
        self._i = 0

    def read(self) -> Frame | None:
        if self._i >= len(self.track.poses):
            return None
        p = self.track.poses[self._i]
        self._i += 1
        return Frame(p.index, p.t_s, _BLANK)

    def close(self) -> None:
        pass


class _StreamEstimator:
    """The 'pose model': returns the filmed pose of each frame."""

    def __init__(self, track) -> None:
        self.by_index = {p.index: p for p in track.poses}

    def estimate(self, frame: Frame):
        return self.by_index[frame.index]

    def close(self) -> None:
        pass


def analyze_e(track, exercise: str, variant: str | None = None, sets: tuple[str, ...] = ()) -> AnalysisResult:
    """``formcheck analyze -e EXERCISE [--variant V] [--set k=v ...]`` on a landmark stream."""
    config = load_exercise(exercise, variant, parse_settings(list(sets)))
    return run(_StreamSource(track), _StreamEstimator(track), config, prefetch=False)


def counted(res) -> list:
    """Reps that rose past the threshold and came back (what the summary counts)."""
    return [r for r in res.reps if r.complete and r.result != "incomplete"]


def cue_text(exercise: str, fault: str) -> str:
    spec = tomllib.loads((EXERCISES_DIR / f"{exercise}.toml").read_text())
    return next(f["cue"] for f in spec["faults"] if f["code"] == fault)


def fault_cues(res) -> set[str]:
    return {e.text for e in res.events if isinstance(e, CueGiven)}


# ---------------------------------------------------------------- a. toes past the edge, lying still
@dataclass(frozen=True)
class CobraAtHome:
    body: Body = AVERAGE
    fps: float = 30.0
    head_dir: float = -1.0
    rest_deg: float = 14.0  # lying prone on the hands: the hip->shoulder line already reads 9-18
    peak_deg: float = 40.0  # a cobra with bent elbows: 25-35 above lying
    distance_m: float = 1.7
    seed: int = 1
    guessed_feet: bool = False  # the tracker's guesses of the cut-off feet wander and are half believed
    size: tuple[int, int] = (1280, 720)
    relaxed_deg: float | None = None  # lying after the rep, if flatter than before (forehead down, relaxed)
    toes_past_frac: float = 0.04  # how far past the picture's edge the toes are, in picture widths


RISE_S = 5.0
COBRA_VARIANTS = [
    CobraAtHome(),
    CobraAtHome(body=HEAVY, fps=25.0, head_dir=1.0, rest_deg=17.0, peak_deg=44.0, seed=2),
    CobraAtHome(body=SLIM, fps=60.0, rest_deg=11.0, seed=3, guessed_feet=True),
    CobraAtHome(fps=30.0, size=(960, 540), distance_m=1.6, seed=4, guessed_feet=True),
]
# Ready on the hands (shoulders up, 17) before, lying relaxed after (9): REAL_WORLD's 9-18 in one person.
COBRA_RELAXED_AFTER = [
    CobraAtHome(rest_deg=17.0, relaxed_deg=9.0),
    CobraAtHome(body=HEAVY, fps=25.0, head_dir=1.0, rest_deg=18.0, peak_deg=44.0, seed=2, relaxed_deg=10.0),
    CobraAtHome(rest_deg=17.0, relaxed_deg=9.0, toes_past_frac=-0.05, seed=5),  # the same, toes in view
]


def cobra_at_home(v: CobraAtHome):
    """Lying still on the hands, head down, the toes past the picture's edge; at 5 s the person pushes up
    into a cobra (pulling forward on the hands, the body slides 25 cm toward the head, so by 6 s the
    feet are in the picture), holds about 4 s, lowers at 10-11.5 s and lies still until 15 s."""
    after = v.rest_deg if v.relaxed_deg is None else v.relaxed_deg
    elev = curve(
        [(0.0, v.rest_deg), (RISE_S, v.rest_deg), (6.3, v.peak_deg - 1), (10.0, v.peak_deg), (11.5, after)]
    )
    lying = Prone(v.body, elev, head_dir=v.head_dir)
    pose = Slid(lying, curve([(0.0, 0.0), (RISE_S, 0.0), (6.0, v.head_dir * 0.25)]))
    cam = _toes_just_past_the_edge(v, lying)
    tracker = (
        Tracker(seed=v.seed, edge_vis=(0.3, 0.7), edge_wander_frac=0.1)
        if v.guessed_feet
        else Tracker(seed=v.seed)
    )
    return lying, pose, cam, film(pose, 15.0, cam, tracker)


def _toes_just_past_the_edge(v: CobraAtHome, lying: Prone) -> Camera:
    """The phone beside the person, aimed so that the toes end ``toes_past_frac`` of the picture's width
    past its edge (negative: inside the picture)."""
    lo, hi = -1.5, 1.5
    for _ in range(40):  # the aim along the body, found by bisection
        mid = (lo + hi) / 2
        cam = side_camera(v.body, distance=v.distance_m, height=0.3, center_x=mid, fps=v.fps, size=v.size)
        x = cam.project(lying.points(0.0))[TOES, 0]
        past = (x.max() - cam.width) if v.head_dir < 0 else -x.min()  # the feet are away from the head
        if (past > v.toes_past_frac * cam.width) == (v.head_dir < 0):
            lo = mid
        else:
            hi = mid
    return cam


def _toes_out(cam: Camera, pose, t: float) -> bool:
    x = cam.project(pose.points(t))[TOES, 0]
    return bool(np.any((x < 0) | (x > cam.width)))


def check_cobra_at_home(v: CobraAtHome) -> None:
    lying, pose, cam, track = cobra_at_home(v)
    if v.toes_past_frac > 0:
        assert _toes_out(cam, pose, 0.0) and _toes_out(cam, pose, 4.9), "the scenario cuts the toes off"
    assert not _toes_out(cam, pose, 7.0), "the scenario brings the feet into the picture by 6 s"
    res = analyze_e(track, "prone_extension", "press-up", ("target_deg=20", "hold_s=3"))
    info = describe(res)
    assert not [r for r in res.reps if r.start_s < RISE_S - 0.4], info  # no phantom before the rise
    reps = counted(res)
    assert len(reps) == 1 and len(res.reps) == 1, info
    rep = reps[0]
    assert RISE_S - 0.4 <= rep.start_s <= RISE_S + 1.0, info
    after = v.rest_deg if v.relaxed_deg is None else v.relaxed_deg
    assert (
        v.peak_deg - max(v.rest_deg, after) - PEAK_TOL_SIDE <= rep.peak_deg <= v.peak_deg + PEAK_TOL_SIDE
    ), info
    # the hold: time 20 deg or more above lying (above the start; above the relaxed lying if that is lower)
    ts = np.arange(0.0, 15.0, 0.01)
    held_from_start = 0.01 * sum(lying.elev_deg(t) - v.rest_deg >= 20.0 for t in ts)
    held_from_after = 0.01 * sum(lying.elev_deg(t) - min(v.rest_deg, after) >= 20.0 for t in ts)
    assert held_from_start - HOLD_TOL <= rep.hold_s <= held_from_after + HOLD_TOL, (
        f"true hold {held_from_start:.2f}-{held_from_after:.2f}; {info}"
    )


@pytest.mark.parametrize("v", COBRA_VARIANTS, ids=lambda v: f"{v.fps:g}fps-head{v.head_dir:+g}-{v.seed}")
def test_cobra_toes_cut_off_no_rep_before_the_rise(v):
    """Issue 15 (a): lying still with the toes past the picture's edge, then a cobra at 5 s. Nothing is
    counted before the rise (no phantom rep near 0.4 s); the real rep is counted once, with its peak
    above lying and its hold (time 20 deg or more above lying, the therapist's target) as performed."""
    check_cobra_at_home(v)


@pytest.mark.parametrize(
    "v", COBRA_RELAXED_AFTER, ids=lambda v: f"{v.fps:g}fps-head{v.head_dir:+g}-toes{v.toes_past_frac:+g}"
)
def test_cobra_ready_on_the_hands_then_relaxed_after(v):
    """Issue 15 (a), as people do it: ready on the hands before the cobra (shoulders up: 17-18 in the
    picture), lying relaxed after it (forehead down: 9-10), the toes past the edge until the rise.
    Nothing counts before the rise, and the one cobra is counted."""
    check_cobra_at_home(v)


def test_cobra_toes_cut_off_without_exercise_given():
    """The same recording analysed without -e: one prone-extension segment with one rep, after 4.6 s."""
    _, _, _, track = cobra_at_home(COBRA_VARIANTS[0])
    rec = analyze_track(track)
    segs = [(ep, res) for ep, res in rec.segments if res.reps]
    assert [ep.exercise for ep, _ in segs] == ["prone_extension"], [describe(r) for _, r in rec.segments]
    res = segs[0][1]
    assert len(res.reps) == 1 and res.reps[0].complete, describe(res)
    assert res.reps[0].start_s >= RISE_S - 0.4, describe(res)


# ---------------------------------------------------------------- b. two small weighted side bends
@dataclass(frozen=True)
class GymBends:
    body: Body = AVERAGE
    side: str = R  # the hand with the weight, and the side bent toward
    fps: float = 30.0
    peak_deg: float = 12.0
    down_s: float = 0.7
    up_s: float = 0.8
    seed: int = 1
    size: tuple[int, int] = (1280, 720)
    distance_m: float = 3.8


GYM_VARIANTS = [
    GymBends(),
    GymBends(body=HEAVY, fps=25.0, peak_deg=12.5, down_s=0.75, up_s=0.75, seed=2, size=(640, 360)),
    GymBends(body=SLIM, side=L, fps=60.0, peak_deg=11.5, seed=3, size=(720, 1280), distance_m=4.2),
]
GYM_SETS = ("count_deg=8", "target_deg=10", "release_deg=3")


@cache
def gym_bends(v: GymBends):
    """A 3.5 s gym clip: a weight in one hand (that arm hangs lower), two bends of about 12 deg toward it,
    the first starting 0.3 s in, the second straight after the first (no still second anywhere but the
    first 0.3 s and the last 0.2 s)."""
    sg = 1.0 if v.side == L else -1.0
    keys, t = [(0.0, 0.0)], 0.3
    for _ in range(2):
        keys += [(t, 0.0), (t + v.down_s, sg * v.peak_deg), (t + v.down_s + v.up_s, 0.0)]
        t += v.down_s + v.up_s
    assert t <= 3.35
    pose = Weighted(Standing(v.body, curve(keys)), v.side)
    cam = front_camera(v.body, fps=v.fps, size=v.size, distance=v.distance_m)
    track = film(pose, 3.5, cam, Tracker(seed=v.seed))
    return analyze_e(track, "side_bend", None, GYM_SETS), track


@pytest.mark.parametrize("v", GYM_VARIANTS, ids=lambda v: f"{v.side}-{v.fps:g}fps-{v.size[0]}x{v.size[1]}")
def test_weighted_small_side_bends_in_a_short_clip(v):
    """Issue 15 (b) as ``formcheck analyze CLIP -e side_bend --set count_deg=8 --set target_deg=10
    --set release_deg=3``: two reps, both to the weighted side, peaks about 12."""
    res, _ = gym_bends(v)
    info = describe(res)
    assert [r.side for r in counted(res)] == [v.side, v.side], info
    assert len(res.reps) == 2, info
    for r in counted(res):
        assert abs(r.peak_deg - v.peak_deg) <= PEAK_TOL_FRONT, info


@pytest.mark.parametrize("v", GYM_VARIANTS, ids=lambda v: f"{v.side}-{v.fps:g}fps-{v.size[0]}x{v.size[1]}")
def test_weighted_small_side_bends_in_a_short_clip_without_exercise_given(v):
    """Issue 15 (b) as ``formcheck analyze CLIP --set count_deg=8 --set target_deg=10 --set
    release_deg=3`` (no -e): one side-bend segment with the two reps to the weighted side."""
    res_e, track = gym_bends(v)
    rec = analyze_track(track, parse_settings(list(GYM_SETS)))
    info = " | ".join(f"{ep.exercise}: {describe(res)}" for ep, res in rec.segments) or "no segment"
    assert [ep.exercise for ep, _ in rec.segments] == ["side_bend"], info
    assert [r.side for r in counted(rec.segments[0][1])] == [v.side, v.side], info


# ---------------------------------------------------------------- c. forward fold, front-oblique camera
@dataclass(frozen=True)
class Fold:
    azimuth_deg: float = 40.0  # the camera carried round from straight in front (0)
    depth_deg: float = 115.0  # trunk from vertical at the bottom of the fold
    camera_h_m: float = 1.1
    fps: float = 30.0
    body: Body = AVERAGE
    seed: int = 1
    folds: int = 1


FOLD_VARIANTS = [
    Fold(),
    Fold(azimuth_deg=30.0, depth_deg=118.0, fps=25.0, body=SLIM, seed=2, folds=2),
    Fold(azimuth_deg=-45.0, depth_deg=125.0, camera_h_m=0.9, body=HEAVY, seed=3),
]


@cache
def forward_fold(v: Fold):
    """Standing still 2 s, then folding forward from the hips (hands toward the toes, 2.5 s down, 2 s
    at the bottom, 2.5 s up); the pelvis moves back over the heels as the trunk goes down (15 cm)."""
    keys, t = [(0.0, 0.0)], 2.0
    for _ in range(v.folds):
        keys += [(t, 0.0), (t + 2.5, v.depth_deg - 2), (t + 4.5, v.depth_deg), (t + 7.0, 0.0)]
        t += 9.0
    lean = curve(keys)
    pose = Standing(
        v.body,
        const(0.0),
        lean_deg=lean,
        hip_back_m=lambda s: 0.15 * math.sin(math.radians(min(lean(s), 90.0))),
    )
    base = front_camera(v.body, fps=v.fps, height=v.camera_h_m)
    cam = OrbitCamera(base, (0.0, v.body.height_m * 0.5, 0.0), const(v.azimuth_deg)).at(0.0)
    tilts = []
    for s in np.arange(0.0, t, 0.05):
        xy = cam.project(pose.points(s))
        d = (xy[lm.LEFT_SHOULDER] + xy[lm.RIGHT_SHOULDER]) / 2 - (xy[lm.LEFT_HIP] + xy[lm.RIGHT_HIP]) / 2
        tilts.append(math.degrees(math.atan2(abs(d[0]), -d[1])))
    res = analyze_e(film(pose, t + 0.5, cam, Tracker(seed=v.seed)), "side_bend")
    return max(tilts), res


FOLD_IDS = [f"az{v.azimuth_deg:+g}-fold{v.depth_deg:g}" for v in FOLD_VARIANTS]


@pytest.mark.parametrize("v", FOLD_VARIANTS, ids=FOLD_IDS)
def test_forward_fold_front_oblique_is_no_side_bend(v):
    """Issue 15 (c): the shoulder-to-hip line tilts up to about 130-145 deg in the picture; folding
    forward is a lean, not lateral flexion: no rep."""
    max_tilt, res = forward_fold(v)
    assert 125.0 <= max_tilt <= 150.0, f"scenario: picture tilt {max_tilt:.0f}"
    assert not counted(res), describe(res)


@pytest.mark.parametrize("v", FOLD_VARIANTS, ids=FOLD_IDS)
def test_forward_fold_front_oblique_gets_the_lean_cue(v):
    """The same folds: the forward-lean fault is on and its cue is said; never called leaning back."""
    _, res = forward_fold(v)
    info = describe(res)
    assert "forward_lean" in {f.code for f in res.faults}, info
    assert "backward_lean" not in {f.code for f in res.faults}, info
    assert cue_text("side_bend", "forward_lean") in fault_cues(res), info


# ---------------------------------------------------------------- d. camera carried round to a front view
@dataclass(frozen=True)
class Turn:
    body: Body = AVERAGE
    fps: float = 30.0
    head_dir: float = -1.0
    seed: int = 1
    rest_deg: float = 12.0
    peak_deg: float = 40.0


TURN_VARIANTS = [Turn(), Turn(body=HEAVY, fps=25.0, head_dir=1.0, seed=2, rest_deg=15.0, peak_deg=45.0)]
SIDE_UNTIL_S, THREE_QUARTER_S, FRONT_FROM_S, FRONT_UNTIL_S, SIDE_AGAIN_S = 6.0, 7.5, 9.0, 16.0, 18.0
TURN_SETS = ("target_deg=20", "hold_s=5")


@cache
def camera_turns(v: Turn):
    """A cobra held from 3.5 s; the camera (floor level, 2.4 m) stays at the side until 6 s, is carried
    round through three quarters (7.5 s) to straight on at the head (9-16 s), then back to the side
    (18 s). Meanwhile: lowered at 8.5-10, a second cobra in the front view (12.5-17.5), and a third
    after the camera is back at the side (21-30, held 6 s)."""
    r, p = v.rest_deg, v.peak_deg
    elev = curve(
        [(0, r), (2.0, r), (3.5, p - 1), (8.5, p), (10.0, r), (11.0, r), (12.5, p - 1), (16.0, p), (17.5, r)]
        + [(21.0, r), (22.5, p - 1), (28.5, p), (30.0, r)]
    )
    pose = Prone(v.body, elev, head_dir=v.head_dir)
    cx = 0.25 * v.head_dir  # the middle of the body
    base = side_camera(v.body, distance=2.4, height=0.3, center_x=cx, fps=v.fps)
    az = curve(
        [(0, 0.0), (SIDE_UNTIL_S, 0.0), (THREE_QUARTER_S, 45.0), (FRONT_FROM_S, 90.0), (FRONT_UNTIL_S, 90.0)]
        + [(FRONT_UNTIL_S + 1.0, 45.0), (SIDE_AGAIN_S, 0.0)]
    )
    cam = OrbitCamera(base, (cx, 0.12, 0.0), lambda t: -v.head_dir * az(t))  # round toward the head
    res = analyze_e(film(pose, 32.0, cam, Tracker(seed=v.seed)), "prone_extension", "press-up", TURN_SETS)
    return pose, res


def _true_hold(pose: Prone, v: Turn, t0: float, t1: float, target: float = 20.0) -> float:
    ts = np.arange(t0, t1, 0.01)
    return 0.01 * sum(pose.elev_deg(t) - v.rest_deg >= target for t in ts)


TURN_IDS = [f"{v.fps:g}fps-head{v.head_dir:+g}" for v in TURN_VARIANTS]


@pytest.mark.parametrize("v", TURN_VARIANTS, ids=TURN_IDS)
def test_camera_turned_to_front_view_is_reported_as_a_view_problem(v):
    """Issue 15 (d): while the camera looks at the person straight on (9-16 s), a set-up problem about
    the view is reported for most of that time."""
    _, res = camera_turns(v)
    view = [s for s in res.setup if "view" in s.code]
    on = sum(
        max(0.0, min(s.end_s if s.end_s is not None else 99.0, FRONT_UNTIL_S) - max(s.start_s, FRONT_FROM_S))
        for s in view
    )
    assert on >= 0.6 * (FRONT_UNTIL_S - FRONT_FROM_S), describe(res)


@pytest.mark.parametrize("v", TURN_VARIANTS, ids=TURN_IDS)
def test_camera_turned_to_front_view_credits_nothing_from_it(v):
    """No hold or rep is credited from the front-view part: the first cobra's hold is at most what was
    held before the camera passed three quarters, no rep starts or peaks while the camera looks straight
    on, and the cobra done in the front view is not counted."""
    pose, res = camera_turns(v)
    info = describe(res)
    assert not [r for r in res.reps if FRONT_FROM_S - 1.0 <= r.start_s <= FRONT_UNTIL_S + 1.0], info
    assert not [r for r in counted(res) if FRONT_FROM_S <= r.peak_s <= FRONT_UNTIL_S], info
    first = [r for r in res.reps if r.start_s < SIDE_UNTIL_S]
    limit = _true_hold(pose, v, 0.0, THREE_QUARTER_S) + HOLD_TOL
    assert all(r.hold_s <= limit for r in first), f"at most {limit:.2f} s; {info}"
    assert len(counted(res)) <= 2, info


@pytest.mark.parametrize("v", TURN_VARIANTS, ids=TURN_IDS)
def test_camera_back_at_the_side_counting_resumes(v):
    """Once the camera is back at the side (18 s), the next cobra (21 s, held 6 s) counts as a good rep
    with its whole hold."""
    pose, res = camera_turns(v)
    info = describe(res)
    later = [r for r in counted(res) if r.start_s > SIDE_AGAIN_S]
    assert len(later) == 1 and later[0].result == "good", info
    th = _true_hold(pose, v, 19.0, 31.0)
    assert abs(later[0].hold_s - th) <= HOLD_TOL, f"true hold {th:.2f}; {info}"


# ---------------------------------------------------------------- e. a routine's knee-to-chest hold
@dataclass(frozen=True)
class Carried:
    """One phone for a whole routine: at chest height in front for the side bends, then carried down to
    the floor at the person's side while they lie down (no person in the picture meanwhile)."""

    standing: Camera
    floor: Camera
    t_down: float

    @property
    def width(self) -> int:
        return self.standing.width

    @property
    def height(self) -> int:
        return self.standing.height

    @property
    def fps(self) -> float:
        return self.standing.fps

    def at(self, t: float) -> Camera:
        return self.standing if t < self.t_down else self.floor


@dataclass(frozen=True)
class RoutineCase:
    carried: bool = False
    fps: float = 25.0
    seed: int = 8
    floor_distance_m: float = 1.6
    size: tuple[int, int] = (1280, 720)
    left_first: bool = False  # the left knee first (as in the sample clip), then the right


ROUTINE_VARIANTS = [
    RoutineCase(),
    RoutineCase(carried=True, fps=30.0, seed=3, floor_distance_m=1.3, size=(960, 540), left_first=True),
]


@cache
def routine_k2c(v: RoutineCase):
    """An older, heavier man: side bends to the left and the right, sits down on the floor, lies back
    into hook-lying, (the left knee to the chest, 122, short hold, then) the right knee to 128 held so
    that about 5 s are past the 100 deg target (the sample routine_sb_hook_superman_older_male's right
    rep: 5.27 s, 128 deg)."""
    body = OLDER_MALE
    tilt, b_end = bend_curve([25.0, -25.0], t0=1.5)
    k0 = b_end + 10.0
    reps = [(L, k0, 2.8, 122.0, 2.0, 2.2)] if v.left_first else []
    reps.append((R, k0 + 11.0 * len(reps), 2.8, 128.0, 2.0, 2.2))
    k_end = reps[-1][1] + 7.0
    supine = Supine(body, k2c_curves(reps), hook=True, hands_on=hands_from(reps))
    parts = [
        (0.0, b_end + 1.0, Standing(body, tilt)),
        (b_end + 4.0, b_end + 5.0, Sitting(body)),
        (b_end + 7.5, k_end + 2.0, supine),
    ]
    if v.carried:
        floor = side_camera(body, distance=v.floor_distance_m, height=0.2, fps=v.fps, size=v.size)
        cam = Carried(front_camera(body, fps=v.fps, size=v.size), floor, b_end + 3.0)
        lying_cam = floor
    else:  # one camera on a shelf for everything, about 3.4 m away and 0.7 m up
        cam = lying_cam = Camera(v.size[0], v.size[1], v.fps, (0.1, 0.7, -3.4), (0.1, 0.55, 0.0), 0.0, 70.0)
    track = film(Routine(parts), k_end + 2.0, cam, Tracker(seed=v.seed))
    if v.carried:
        track = title_card(track, b_end + 2.0, b_end + 7.0)  # the phone carried down: nobody in view
    side, t0, rise, _, hold, lower = reps[-1]
    true_hold = expected_hold(supine, lying_cam, side, t0, t0 + rise + hold + lower, fps=v.fps)
    true_peak = true_hip_flexion(supine, t0 + rise + hold, side, lying_cam)
    return true_hold, true_peak, t0, analyze_track(track)


ROUTINE_IDS = [f"{'carried' if v.carried else 'shelf'}-{v.fps:g}fps-{v.size[0]}" for v in ROUTINE_VARIANTS]


def _k2c_right_rep(rec, t0: float):
    info = " | ".join(f"{ep.exercise}/{ep.variant}: {describe(res)}" for ep, res in rec.segments)
    k2c = [res for ep, res in rec.segments if ep.exercise == "knee_to_chest"]
    assert len(k2c) == 1, info
    right = [r for r in k2c[0].reps if r.side == R and r.complete and abs(r.start_s - t0) < 1.5]
    assert len(right) == 1, info
    return right[0], info


@pytest.mark.parametrize("v", ROUTINE_VARIANTS, ids=ROUTINE_IDS)
def test_routine_knee_to_chest_hold_after_side_bends(v):
    """Issue 15 (routines): the right knee-to-chest rep held about 5 s, after side bends in the same
    recording, analysed without -e: its hold within 0.5 s of the time past the target."""
    true_hold, _, t0, rec = routine_k2c(v)
    assert 4.5 <= true_hold <= 5.5, f"scenario: true hold {true_hold:.2f}"
    rep, info = _k2c_right_rep(rec, t0)
    assert abs(rep.hold_s - true_hold) <= 0.5, f"true hold {true_hold:.2f}; {info}"


@pytest.mark.parametrize("v", ROUTINE_VARIANTS, ids=ROUTINE_IDS)
def test_routine_knee_to_chest_peak_after_side_bends(v):
    """The same rep's peak is the hip flexion in the picture at the top (128 deg performed)."""
    _, true_peak, t0, rec = routine_k2c(v)
    rep, info = _k2c_right_rep(rec, t0)
    assert abs(rep.peak_deg - true_peak) <= PEAK_TOL_SIDE, f"true peak {true_peak:.1f}; {info}"
