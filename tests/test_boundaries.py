"""Boundaries that decide a rep, each approached from both sides, for every exercise and variant.

Every number comes from the exercise spec at test time (hold time, target, release, hysteresis, speed
limit), never copied here: a scenario holds 0.3 s longer or shorter than the prescribed hold, stops
1.5 deg above or below a threshold, or sags into or past the dead band below the target. So a checker
that accepts holds a second short or demands a second more, or loses either side of a hysteresis,
fails several of these tests (see docs/figures.md, "Tests that can fail").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from synthetic import Script, keyframes, run_script

from formcheck.events import PhaseChanged
from formcheck.spec import ExerciseConfig, load_exercise

REST_S = 2.5  # still in the start position first: the baseline takes the first still second
NEAR_S = 0.3  # how far from the prescribed hold time a "just over" or "just short" hold is
NEAR_DEG = 1.5  # how far from a threshold a "just above" or "just below" stop is
HOLD_TOL_S = 0.15  # the hold measured against the time the script spends at the target


@dataclass(frozen=True)
class Case:
    exercise: str
    variant: str
    settings: dict[str, float] = field(default_factory=dict)

    @property
    def id(self) -> str:
        extra = "".join(f"-{k}{v:g}" for k, v in self.settings.items())
        return f"{self.exercise}-{self.variant}{extra}"

    def config(self) -> ExerciseConfig:
        return load_exercise(self.exercise, self.variant, self.settings)


CASES = [
    Case("knee_to_chest", "single"),
    Case("knee_to_chest", "double"),
    Case("prone_extension", "arms-forward"),
    Case("prone_extension", "press-up"),
    Case("prone_extension", "superman"),
    Case("side_bend", "standing"),
]
# Side bends hold nothing by default; some routines prescribe a hold at the side (EXERCISES.md).
HOLD_CASES = [*CASES[:-1], Case("side_bend", "standing", {"hold_s": 5.0})]


def _ids(cases: list[Case]) -> list[str]:
    return [c.id for c in cases]


@dataclass(frozen=True)
class Limits:
    hold_deg: float
    release_deg: float
    band_deg: float
    hold_s: float
    grace_s: float
    ramp_s: float  # a raise from rest to a little past the target at half the speed limit
    start_deg: float  # the signal in the start position (legs straight, lying flat, upright)


def limits(case: Case) -> Limits:
    config = case.config()
    p = config.params
    hold_deg, band = config.hold_deg, p["hysteresis_deg"]
    top = hold_deg + 2 * band
    # A cosine ease from 0 to ``top`` in T seconds peaks at pi/2 * top / T: keep it at half the limit.
    ramp = math.pi * top / p["max_speed_deg_s"]
    # Back at rest below the release angle, or within the start margin of the side's own start (0 here).
    release = max(config.release_deg, p["start_margin_deg"])
    return Limits(hold_deg, release, band, p["hold_s"], p["grace_s"], ramp, 0.0)


def _script(case: Case, points: list[tuple[float, float]]) -> Script:
    """The exercise's own body and camera, its main angle following ``points`` (deg of the signal)."""
    f = keyframes(points)
    end = points[-1][0] + 2.0
    if case.exercise == "knee_to_chest":
        angles: dict[str, Callable[[float], float]] = {"left_flex": f}
        if case.variant == "double":
            angles["right_flex"] = f
        return Script("supine", end, angles)
    if case.exercise == "prone_extension":
        return Script("prone", end, {"elev": f})
    return Script("standing", end, {"tilt": f})


def time_above(points: list[tuple[float, float]], threshold: float) -> float:
    """Seconds the scripted angle spends at or above ``threshold`` (sampled every 5 ms)."""
    f = keyframes(points)
    step = 0.005
    n = int(points[-1][0] / step) + 1
    return sum(step for i in range(n) if f(i * step) >= threshold)


def _run(case: Case, points: list[tuple[float, float]]):  # type: ignore[no-untyped-def]
    checker, updates = run_script(_script(case, points), case.exercise, case.variant, **case.settings)
    return checker, updates


def _ramp_above(lim: Limits, top: float, threshold: float, ramp_s: float) -> float:
    """How long a cosine ramp from the start position to ``top`` in ``ramp_s`` is at or above
    ``threshold`` (the same on the way down)."""
    u = math.acos(1 - 2 * (threshold - lim.start_deg) / (top - lim.start_deg)) / math.pi
    return ramp_s * (1 - u)


def single_hold(lim: Limits, held_s: float) -> list[tuple[float, float]]:
    """Rest, raise to a little past the target, stay there so that ``held_s`` is spent at or above the
    target, lower, rest."""
    top = lim.hold_deg + 2 * lim.band_deg
    plateau = held_s - 2 * _ramp_above(lim, top, lim.hold_deg, lim.ramp_s)
    assert plateau > 0.2, "the ramps alone take longer than the hold"
    t0 = REST_S
    return [
        (0, lim.start_deg),
        (t0, lim.start_deg),
        (t0 + lim.ramp_s, top),
        (t0 + lim.ramp_s + plateau, top),
        (t0 + 2 * lim.ramp_s + plateau, lim.start_deg),
        (t0 + 2 * lim.ramp_s + plateau + 2.0, lim.start_deg),
    ]


def only_rep(checker):  # type: ignore[no-untyped-def]
    assert len(checker.reps) == 1, [(r.start_s, r.peak_deg, r.result) for r in checker.reps]
    return checker.reps[0]


# --- the hold time --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", HOLD_CASES, ids=_ids(HOLD_CASES))
def test_a_hold_just_over_the_prescribed_time_is_a_good_rep(case):
    lim = limits(case)
    points = single_hold(lim, lim.hold_s + NEAR_S)
    checker, _ = _run(case, points)
    rep = only_rep(checker)
    assert rep.hold_s == pytest.approx(time_above(points, lim.hold_deg), abs=HOLD_TOL_S)
    assert rep.result == "good"


@pytest.mark.parametrize("case", HOLD_CASES, ids=_ids(HOLD_CASES))
def test_a_hold_just_short_of_the_prescribed_time_is_a_short_hold(case):
    lim = limits(case)
    points = single_hold(lim, lim.hold_s - NEAR_S)
    checker, _ = _run(case, points)
    rep = only_rep(checker)
    assert rep.hold_s == pytest.approx(time_above(points, lim.hold_deg), abs=HOLD_TOL_S)
    assert rep.result == "short_hold"


# --- the target: entering the hold ----------------------------------------------------------------


def stop_at(lim: Limits, top: float, stay_s: float) -> list[tuple[float, float]]:
    """Rest, raise to ``top``, stay ``stay_s``, lower, rest."""
    ramp = lim.ramp_s * max(0.3, top / (lim.hold_deg + 2 * lim.band_deg))
    t0 = REST_S
    return [
        (0, lim.start_deg),
        (t0, lim.start_deg),
        (t0 + ramp, top),
        (t0 + ramp + stay_s, top),
        (t0 + 2 * ramp + stay_s, lim.start_deg),
        (t0 + 2 * ramp + stay_s + 2.0, lim.start_deg),
    ]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_stopping_just_above_the_target_starts_the_hold(case):
    lim = limits(case)
    checker, updates = _run(case, stop_at(lim, lim.hold_deg + NEAR_DEG, lim.hold_s + 1.0))
    rep = only_rep(checker)
    assert rep.result == "good"
    assert rep.hold_s > lim.hold_s
    assert any(u.state.phase == "hold" for u in updates)


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_stopping_just_below_the_target_is_an_incomplete_rep(case):
    lim = limits(case)
    checker, updates = _run(case, stop_at(lim, lim.hold_deg - NEAR_DEG, lim.hold_s + 1.0))
    rep = only_rep(checker)
    assert rep.result == "incomplete" and rep.hold_s == 0.0
    assert not any(u.state.phase == "hold" for u in updates)


# --- the dead band below the target: leaving the hold ---------------------------------------------


def sagging_hold(lim: Limits, sag_to: float) -> list[tuple[float, float]]:
    """A hold that sags to ``sag_to`` for twice the grace time half-way, then comes back up: the time
    above the target, both halves together, is the prescribed hold and a little more."""
    top = lim.hold_deg + 2 * lim.band_deg
    ramp_above = _ramp_above(lim, top, lim.hold_deg, lim.ramp_s)
    half = (lim.hold_s + 2 * NEAR_S) / 2 - ramp_above
    half = max(half, 0.6)
    sag_ramp = max(0.4, lim.ramp_s * (top - sag_to) / top)
    t = REST_S
    points = [(0, lim.start_deg), (t, lim.start_deg)]
    t += lim.ramp_s
    points.append((t, top))
    t += half
    points.append((t, top))
    t += sag_ramp
    points.append((t, sag_to))
    t += 2 * lim.grace_s
    points.append((t, sag_to))
    t += sag_ramp
    points.append((t, top))
    t += half
    points.append((t, top))
    t += lim.ramp_s
    points.append((t, lim.start_deg))
    points.append((t + 2.0, lim.start_deg))
    return points


@pytest.mark.parametrize("case", HOLD_CASES, ids=_ids(HOLD_CASES))
def test_a_hold_sagging_into_the_dead_band_below_the_target_keeps_its_time(case):
    lim = limits(case)
    points = sagging_hold(lim, lim.hold_deg - lim.band_deg / 2)
    checker, _ = _run(case, points)
    rep = only_rep(checker)
    total = time_above(points, lim.hold_deg)
    assert total > lim.hold_s  # the scenario: enough in all, neither half enough alone
    assert rep.hold_s == pytest.approx(total, abs=HOLD_TOL_S)
    assert rep.result == "good"


@pytest.mark.parametrize("case", HOLD_CASES, ids=_ids(HOLD_CASES))
def test_a_hold_sagging_past_the_dead_band_for_longer_than_the_grace_starts_again(case):
    lim = limits(case)
    if lim.hold_deg - 1.5 * lim.band_deg <= lim.release_deg:
        pytest.skip("the dead band reaches down to the release angle: a sag past it ends the rep")
    points = sagging_hold(lim, lim.hold_deg - 1.5 * lim.band_deg)
    checker, _ = _run(case, points)
    rep = only_rep(checker)
    assert time_above(points, lim.hold_deg) > lim.hold_s
    assert rep.hold_s < lim.hold_s
    assert rep.result == "short_hold"


# --- the dead band above the release angle: starting a rep ----------------------------------------


def hover(lim: Limits, level: float) -> list[tuple[float, float]]:
    """Rest, drift up to ``level`` for two seconds and back (a fidget, or settling in), rest."""
    t0 = REST_S
    return [(0, lim.start_deg), (t0, lim.start_deg), (t0 + 1.0, level), (t0 + 3.0, level), (t0 + 4.0, 0.0)]


def _phases(updates) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.phase for u in updates for e in u.events if isinstance(e, PhaseChanged)]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_drifting_into_the_dead_band_above_the_release_angle_starts_nothing(case):
    lim = limits(case)
    checker, updates = _run(case, hover(lim, lim.release_deg + lim.band_deg / 2))
    assert checker.reps == []
    assert "raising" not in _phases(updates)


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_rising_just_past_the_dead_band_above_the_release_angle_starts_a_rep(case):
    lim = limits(case)
    _, updates = _run(case, hover(lim, lim.release_deg + lim.band_deg + NEAR_DEG))
    assert "raising" in _phases(updates)


# --- the release angle: ending a rep --------------------------------------------------------------


def two_holds(lim: Limits, between: float) -> list[tuple[float, float]]:
    """Two holds at the target, each long enough, with a lowering to ``between`` for a second in the
    middle."""
    top = lim.hold_deg + 2 * lim.band_deg
    down = max(0.4, lim.ramp_s * (top - between) / top)
    held = lim.hold_s + 1.0
    t = REST_S
    points = [(0, lim.start_deg), (t, lim.start_deg)]
    for step, level in (
        (lim.ramp_s, top),
        (held, top),
        (down, between),
        (1.0, between),
        (down, top),
        (held, top),
        (lim.ramp_s, lim.start_deg),
        (2.0, lim.start_deg),
    ):
        t += step
        points.append((t, level))
    return points


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_lowering_to_just_above_the_release_angle_keeps_the_rep_going(case):
    lim = limits(case)
    checker, _ = _run(case, two_holds(lim, lim.release_deg + NEAR_DEG))
    rep = only_rep(checker)
    assert rep.result == "good"


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_lowering_to_just_below_the_release_angle_ends_the_rep(case):
    lim = limits(case)
    if lim.release_deg - NEAR_DEG <= lim.start_deg:
        pytest.skip("the release angle is at the start position")
    checker, _ = _run(case, two_holds(lim, lim.release_deg - NEAR_DEG))
    assert [r.result for r in checker.reps] == ["good", "good"]
