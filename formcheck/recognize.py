"""Which exercise is being done, and when: episodes of one start position, recognised from the poses.

A recording (or a live camera) shows a person who settles in a start position, exercises from it, gets
up, moves the camera, lies down again. The recogniser cuts that into **episodes**: spans where the
person holds one start position and exercises from it. It decides the posture only at *still moments*
(the core landmarks quiet for a second, in torso lengths, after light smoothing), never mid-movement: a
press-up top, a 35 deg side bend or both knees at the chest are movements from a start, not new
postures. Episodes are split where the picture or the person changes: no person for a while, the whole
body jumping or changing scale (a moved camera), or a still moment in another start position.

Each episode then gets the exercise of its start position (lying on the back: knee-to-chest; on the
stomach: prone extension; standing: side bends) only if what moves fits it (one or both hips; the trunk
lifting; the trunk tilting sideways); squats, walking, sitting and all-fours are reported as such, with
no exercise. The variant comes from what moves and where the hands are. Every rule compares the person
with themselves (torso lengths, their own start), so camera height, roll, mirroring and body size do
not matter.

``LiveRecogniser`` does this frame by frame for the window (a few microseconds per frame: still
moments are looked at ten times a second, not every frame); ``recognise`` runs it over a whole
recording and returns its episodes.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from formcheck import landmarks as lm
from formcheck.pose_frame import PoseFrame

VIS = 0.5  # landmarks that decide posture
FAR_VIS = 0.1  # a far-side knee is often reported at 0.15-0.4 but placed well: good enough to see it move
STILL_WINDOW_S = 1.0  # a still moment: the body quiet for this long ...
# ... or, in a recording with no still second at all (a short clip that starts moving at once, REAL_WORLD.md:
# within a third of a second), this long: its quietest moment is the start position.
SHORT_STILL_WINDOW_S = 0.3
STILL_FRAC = 0.08  # ... its core landmarks (smoothed) within this many torso lengths (2nd largest of 8)
SMOOTH_TAU_S = 0.1  # light smoothing against the tracker's jitter before stillness is judged
CLASSIFY_EVERY_S = 0.1  # how often the body is tested for stillness (and read when still)
REBASE_DEG = {
    "supine": 20.0,
    "prone": 8.0,
    "standing": 8.0,
    "sitting": 90.0,
    "all_fours": 90.0,
    "unknown": 90.0,
}
PROCESS_HZ = 15.0  # frames looked at per second (every 2nd at 30 fps, every 4th at 60)
GAP_S = 0.75  # no person for this long: the picture may have changed
JUMP_TORSOS = 0.8  # the hips jumping this far in one frame: a moved camera (or chaos)
JUMP_SCALE = 1.4  # the torso changing length by this factor in one frame: the same
ANCHOR_TORSOS = 0.45  # a still body whose anchor points are this close to the start is still in it
MOVED_TORSOS = 0.9  # ... and this far away in the same posture has moved to a new place (walked)
RESUME_SCALE = 1.25  # the same size within this: the same place (resumes after a break); beyond: a new place
CAPACITY = 256  # frames kept for the still test (over 1 s at up to 240 fps)

EXERCISE_OF_POSTURE = {"supine": "knee_to_chest", "prone": "prone_extension", "standing": "side_bend"}
DEFAULT_VARIANT = {"knee_to_chest": "single", "prone_extension": "arms-forward", "side_bend": "standing"}
EXERCISE_MOVES = {
    "supine": {"one_hip", "both_hips"},
    "prone": {"trunk_elevation"},
    "standing": {"lateral_tilt"},
}
POSTURE_TEXT = {
    "supine": "lying on the back",
    "prone": "lying on the stomach",
    "standing": "standing",
    "sitting": "sitting",
    "all_fours": "on all fours",
    "unknown": "a position I do not know",
}
MOVEMENT_TEXT = {
    "one_hip": "one hip at a time flexes",
    "both_hips": "both hips flex together",
    "trunk_elevation": "the trunk lifts",
    "lateral_tilt": "the trunk tilts to the side",
    "squat": "the hips drop and the knees bend (squats)",
    "walk": "the body moves across the picture (walking)",
    "other": "a movement that is none of the exercises",
    "none": "nothing moves yet",
}

_CORE = np.array([11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28])  # trunk, arms, legs: an arm going
# overhead to roll over is the person leaving the position; far-side points below VIS do not count
_Pt = tuple[float, float]


@dataclass(frozen=True)
class Episode:
    """One start position held and exercised from, on the recording's clock.

    ``start_s`` is when the person was first still in the start position, ``end_s`` the end of the last
    still moment in it. ``span_start_s``/``span_end_s`` widen that to the stretch the episode may claim:
    from the previous episode's end (or a break, or the recording's start) to the next one's start (or
    a break, or the end), so reps done before the first still moment are not lost. ``exercise`` is None
    when the posture or the movement is none of the exercises.
    """

    start_s: float
    end_s: float
    posture: str  # supine, prone, standing, sitting, all_fours, unknown
    view: str | None  # side, front (standing only)
    exercise: str | None
    variant: str | None
    movement: str  # one_hip, both_hips, trunk_elevation, lateral_tilt, squat, walk, other, none
    why: str
    span_start_s: float = 0.0
    span_end_s: float = 0.0


@dataclass(frozen=True)
class Recognition:
    """The live guess: what the person is doing since ``since_s``."""

    exercise: str | None
    variant: str | None
    posture: str
    view: str | None
    since_s: float
    movement: str
    why: str


# --- one still pose: which position is it? -----------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """A still pose read: posture, view, whether it is a start position, and the points later frames
    are compared with."""

    posture: str
    view: str | None
    start: bool
    detail: str  # e.g. "knees bent", "hands under the shoulders"
    hands: str | None  # prone: "under_shoulders", "forward", "by_sides"
    torso_px: float
    hip: _Pt
    shoulder: _Pt
    xy: list[list[float]]
    seen: list[bool]
    vis: list[float]
    rest_deg: float = math.nan  # how far from the position's own rest (hip flexion; trunk against legs)


def _get(xy: list[list[float]], seen: list[bool], i: int) -> _Pt | None:
    return (xy[i][0], xy[i][1]) if seen[i] else None


def _mid(xy: list[list[float]], seen: list[bool], a: int, b: int) -> _Pt | None:
    pa, pb = _get(xy, seen, a), _get(xy, seen, b)
    if pa is not None and pb is not None:
        return ((pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2)
    return pa if pa is not None else pb


def _sub(p: _Pt, q: _Pt) -> _Pt:
    return (p[0] - q[0], p[1] - q[1])


def _dot(p: _Pt, q: _Pt) -> float:
    return p[0] * q[0] + p[1] * q[1]


def _norm(p: _Pt) -> float:
    return math.hypot(p[0], p[1])


def _from_down_deg(v: _Pt) -> float:
    """Angle of a screen vector from straight down (image y grows downwards), 0..180."""
    return math.degrees(math.atan2(abs(v[0]), v[1]))


def _up_normal(v: _Pt) -> _Pt:
    """Unit normal of a line that points up on screen."""
    n = _norm(v) or 1.0
    x, y = -v[1] / n, v[0] / n
    return (x, y) if y <= 0 else (-x, -y)


def _angle_deg(a: _Pt, b: _Pt, c: _Pt) -> float:
    v1, v2 = _sub(a, b), _sub(c, b)
    n = _norm(v1) * _norm(v2)
    if n == 0:
        return math.nan
    return math.degrees(math.acos(max(-1.0, min(1.0, _dot(v1, v2) / n))))


def _hip_flexion(xy: list[list[float]], vis: list[float], side: str) -> float:
    """180 - angle(shoulder, hip, knee), with the far side's low-visibility knee accepted."""
    s, h, k = (11, 23, 25) if side == "left" else (12, 24, 26)
    if vis[s] < FAR_VIS or vis[h] < FAR_VIS or vis[k] < FAR_VIS:
        return math.nan
    return 180.0 - _angle_deg((xy[s][0], xy[s][1]), (xy[h][0], xy[h][1]), (xy[k][0], xy[k][1]))


def _face(xy: list[list[float]], seen: list[bool]) -> _Pt | None:
    """Where the face points: ears (or eyes) -> nose."""
    nose = _get(xy, seen, lm.NOSE)
    back = _mid(xy, seen, lm.LEFT_EAR, lm.RIGHT_EAR) or _mid(xy, seen, lm.LEFT_EYE_OUTER, lm.RIGHT_EYE_OUTER)
    if nose is None or back is None:
        return None
    return _sub(nose, back)


def read_pose(xy_px: np.ndarray, visibility: np.ndarray) -> Reading | None:
    """Read a (still, smoothed) pose: which position it is in. None when the torso is not seen."""
    xy: list[list[float]] = xy_px.tolist()
    vis: list[float] = visibility.tolist()
    seen = [v >= VIS for v in vis]
    s = _mid(xy, seen, 11, 12)
    h = _mid(xy, seen, 23, 24)
    if s is None or h is None:
        return None
    torso = _sub(s, h)
    length = _norm(torso)
    if length < 1.0:
        return None
    ankle = _mid(xy, seen, 27, 28)
    knee = _mid(xy, seen, 25, 26)
    feet = ankle or knee
    from_up = 180.0 - _from_down_deg(torso)  # 0: trunk upright, 90: lying
    legs = _sub(feet, h) if feet is not None else None
    legs_from_down = _from_down_deg(legs) if legs is not None else math.nan
    leg_len = _norm(legs) / length if legs is not None and ankle is not None else math.nan
    thigh_from_down = _from_down_deg(_sub(knee, h)) if knee is not None else math.nan
    wrist = _mid(xy, seen, 15, 16)

    def reading(
        posture: str, view: str | None, start: bool, detail: str = "", hands: str | None = None
    ) -> Reading:
        if posture == "supine":
            flex = [
                f
                for f in (_hip_flexion(xy, vis, "left"), _hip_flexion(xy, vis, "right"))
                if not math.isnan(f)
            ]
            rest = max(flex, default=math.nan)
        else:
            rest = 180.0 - _angle_deg(s, h, feet) if feet is not None else math.nan
        return Reading(posture, view, start, detail, hands, length, h, s, xy, seen, vis, rest)

    # Standing: trunk upright over long, vertical legs.
    if from_up < 40 and ankle is not None and legs_from_down < 30 and leg_len > 1.0:
        ls, rs = _get(xy, seen, 11), _get(xy, seen, 12)
        wide = ls is not None and rs is not None and _norm(_sub(ls, rs)) / length >= 0.45
        straight = _angle_deg(s, h, ankle) > 180 - 15
        knees = [
            _angle_deg(pa, pb, pc)
            for a, b, c in ((23, 25, 27), (24, 26, 28))
            if (pa := _get(xy, seen, a)) and (pb := _get(xy, seen, b)) and (pc := _get(xy, seen, c))
        ]
        knees_straight = all(k > 155 for k in knees)
        return reading("standing", "front" if wide else "side", straight and knees_straight)
    # All fours: trunk roughly level, thighs and arms hanging under hips and shoulders.
    if 45 < from_up < 135 and knee is not None and wrist is not None:
        thigh = _sub(knee, h)
        arm = _sub(wrist, s)
        if (
            thigh_from_down < 35
            and thigh[1] > 0.5 * length
            and _from_down_deg(arm) < 35
            and arm[1] > 0.5 * length
        ):
            return reading("all_fours", None, True)
    # Sitting: trunk up, thighs forward (the face on the feet's side), or legs foreshortened toward us.
    if from_up < 60 and legs is not None and knee is not None:
        face = _face(xy, seen)
        thighs_forward = (
            thigh_from_down > 45 and face is not None and abs(face[0]) > 0.03 * length
            and (face[0] > 0) == (_sub(knee, h)[0] > 0)
        )  # fmt: skip
        facing_camera = (not math.isnan(leg_len)) and leg_len < 1.0 and legs_from_down < 40
        if thighs_forward or facing_camera:
            return reading("sitting", None, True)
    # Lying: trunk level; face up or down, helped by the knees and the toes.
    if from_up >= 50:
        up = _up_normal(torso)
        votes = 0.0
        face = _face(xy, seen)
        if face is not None and _norm(face) > 0.03 * length:
            votes += 2.0 * _dot(face, up) / _norm(face)
        # Knees up from the shoulder -> feet line: hook-lying or a knee pulled in; lying prone they stay
        # down (measured from that line, not the trunk's, which rises in a prone extension).
        floor = _up_normal(_sub(s, ankle)) if ankle is not None else up
        if knee is not None and _dot(_sub(knee, h), floor) > 0.25 * length:
            votes += 1.5
        toe, heel = _mid(xy, seen, 31, 32), _mid(xy, seen, 29, 30)
        if toe is not None and heel is not None and _norm(_sub(toe, heel)) > 0.05 * length:
            c = _dot(_sub(toe, heel), up) / _norm(_sub(toe, heel))
            votes += 1.0 if c > 0.6 else (-1.0 if c < -0.3 else 0.0)
        if votes > 0.4:
            flex = [
                f
                for f in (_hip_flexion(xy, vis, "left"), _hip_flexion(xy, vis, "right"))
                if not math.isnan(f)
            ]
            start = from_up >= 60 and bool(flex) and max(flex) <= 65
            bent = bool(flex) and max(flex) > 25
            return reading("supine", "side", start, "knees bent, feet flat" if bent else "legs straight")
        if votes < -0.4:
            hands = None
            if wrist is not None:
                along = _dot(_sub(wrist, s), (torso[0] / length, torso[1] / length)) / length
                hands = "forward" if along > 0.55 else ("by_sides" if along < -0.35 else "under_shoulders")
            straight = feet is None or _angle_deg(s, h, feet) >= 180 - 30
            detail = {"forward": "arms forward", "by_sides": "arms by the sides"}.get(
                hands or "", "hands under the shoulders" if hands else ""
            )
            return reading("prone", "side", straight and from_up >= 55, detail, hands)
    return reading("unknown", None, False)


def _trunk_turn_deg(base: Reading, now: Reading) -> float:
    """Unsigned angle between the trunk lines of two readings: a person rolled over in place lies along
    their old line again; a trunk lifted mid-rep does not."""
    return _angle_deg(_sub(base.shoulder, base.hip), (0.0, 0.0), _sub(now.shoulder, now.hip))


_ANCHORS = {"supine": (11, 12), "prone": (25, 26, 27, 28), "standing": (25, 26, 27, 28)}


def _anchor_distance(base: Reading, now: Reading, hips: bool = True) -> float:
    """How far (base torso lengths) the body moved from the start: the hips, and the landmarks that stay
    put in this position's exercise (the shoulders lying on the back, the legs otherwise), each compared
    with itself where both readings see it (feet past the picture's edge come and go)."""
    moved = [
        math.hypot(now.xy[i][0] - base.xy[i][0], now.xy[i][1] - base.xy[i][1])
        for i in _ANCHORS.get(base.posture, (11, 12))
        if base.seen[i] and now.seen[i]
    ]
    moved.sort()
    anchor = moved[len(moved) // 2] if moved else _norm(_sub(now.shoulder, base.shoulder))
    return max(_norm(_sub(now.hip, base.hip)), anchor) / base.torso_px if hips else anchor / base.torso_px


# --- what moves within an episode ----------------------------------------------------------------


@dataclass
class _Excursion:
    t0: float
    peak: dict[str, float] = field(default_factory=dict)

    def keep(self, key: str, value: float) -> None:
        if not math.isnan(value) and value > self.peak.get(key, -math.inf):
            self.peak[key] = value


class _Moves:
    """Movements away from an episode's start, each one classified when it comes back (or ends)."""

    MIN_S = 0.3  # shorter excursions are jitter

    def __init__(self, base: Reading) -> None:
        self.base = base
        self.posture = base.posture
        xy, seen = base.xy, base.seen
        self.length = base.torso_px
        torso = _sub(base.shoulder, base.hip)
        self.axis = (torso[0] / self.length, torso[1] / self.length)
        self.up = _up_normal(torso)
        self.across = (-self.axis[1], self.axis[0])
        self.flex0 = (_hip_flexion(xy, base.vis, "left"), _hip_flexion(xy, base.vis, "right"))
        feet = _mid(xy, seen, 27, 28) or _mid(xy, seen, 25, 26)
        self.legs0 = self._legs_deg(base.hip, feet) if feet is not None else math.nan
        self.leg_len0 = _norm(_sub(feet, base.hip)) if feet is not None else math.nan
        self.wrists0 = [_get(xy, seen, 15), _get(xy, seen, 16)]
        self.kinds: list[str] = []
        self.flags: Counter[str] = Counter()
        self._open: _Excursion | None = None

    def _legs_deg(self, hip: _Pt, feet: _Pt) -> float:
        v = _sub(feet, hip)
        return math.degrees(math.atan2(_dot(v, self.up), -_dot(v, self.axis)))

    def update(self, xy: list[list[float]], vis: list[float], t: float) -> None:
        seen = [v >= VIS for v in vis]
        s, h = _mid(xy, seen, 11, 12), _mid(xy, seen, 23, 24)
        if s is None or h is None or self.posture not in EXERCISE_MOVES:
            return
        torso = _sub(s, h)
        turn = math.degrees(math.atan2(_dot(torso, self.across), _dot(torso, self.axis)))
        values: dict[str, float] = {}
        if self.posture == "supine":
            fl, fr = _hip_flexion(xy, vis, "left"), _hip_flexion(xy, vis, "right")
            dl = fl - self.flex0[0] if not math.isnan(self.flex0[0]) else math.nan
            dr = fr - self.flex0[1] if not math.isnan(self.flex0[1]) else math.nan
            values = {"left": dl, "right": dr, "turn": abs(turn)}
            level = max((d for d in (dl, dr) if not math.isnan(d)), default=0.0) / 30.0
        elif self.posture == "prone":
            elev = math.degrees(math.atan2(_dot(torso, self.up), _dot(torso, self.axis)))
            feet = _mid(xy, seen, 27, 28) or _mid(xy, seen, 25, 26)
            legs = self._legs_deg(h, feet) - self.legs0 if feet is not None else math.nan
            rise = _dot(_sub(h, self.base.hip), self.up) / self.length
            sh_move = _norm(_sub(s, self.base.shoulder)) / self.length
            wr = [_norm(_sub(w, w0)) / self.length for i, w0 in ((15, self.wrists0[0]), (16, self.wrists0[1]))
                  if w0 is not None and (w := _get(xy, seen, i)) is not None]  # fmt: skip
            values = {
                "elev": elev,
                "legs": legs,
                "rise": rise,
                "shoulder": sh_move,
                "wrist": min(wr, default=math.nan),
            }
            level = max(elev / 5.0, (legs if not math.isnan(legs) else 0.0) / 4.0)
        else:  # standing
            rel = _sub(h, self.base.hip)
            drop = -_dot(rel, self.axis) / self.length
            shift = abs(_dot(rel, self.across)) / self.length
            feet = _mid(xy, seen, 27, 28)
            legs_ratio = (
                _norm(_sub(feet, h)) / self.leg_len0 if feet is not None and self.leg_len0 > 0 else 1.0
            )
            knees = [
                180.0 - _angle_deg(pa, pb, pc)
                for a, b, c in ((23, 25, 27), (24, 26, 28))
                if (pa := _get(xy, seen, a)) and (pb := _get(xy, seen, b)) and (pc := _get(xy, seen, c))
            ]
            values = {"tilt": abs(turn), "drop": drop, "shift": shift, "bend": 1.0 - legs_ratio,
                      "knee_flex": max(knees, default=0.0),
                      "shorter": 1.0 - _norm(torso) / self.length}  # fmt: skip
            level = max(abs(turn) / 10.0, drop / 0.2, shift / 0.6)
        ex = self._open
        if ex is None and level >= 1.0:
            ex = self._open = _Excursion(t)
        if ex is not None:
            for k, v in values.items():
                ex.keep(k, v)
            if level < 0.5:
                self._close(t)

    def _close(self, t: float) -> None:
        ex, self._open = self._open, None
        if ex is None or t - ex.t0 < self.MIN_S:
            return
        p = ex.peak
        if self.posture == "supine":
            dl, dr = p.get("left", 0.0), p.get("right", 0.0)
            if p.get("turn", 0.0) > 25:
                kind = "other"  # the trunk left the floor: sitting up, rolling
            elif min(dl, dr) >= max(30.0, 0.6 * max(dl, dr)):
                kind = "both_hips"
            else:
                kind = "one_hip"
        elif self.posture == "prone":
            if p.get("rise", 0.0) > 0.3:
                kind = "other"  # the hips left the floor: kneeling, all fours
            else:
                kind = "trunk_elevation"
                if p.get("legs", 0.0) >= 5.0:
                    self.flags["legs_lift"] += 1
                sh, wr = p.get("shoulder", 0.0), p.get("wrist", math.nan)
                if sh > 0.25 and not math.isnan(wr):
                    self.flags["planted" if wr < 0.35 * sh else "hands_move"] += 1
        else:
            if p.get("shift", 0.0) >= 0.6:
                kind = "walk"
            elif (
                p.get("drop", 0.0) >= 0.2
                and p.get("shorter", 0.0) < 0.35  # a tracker folding a body in profile shortens it all
                and (
                    p.get("knee_flex", 0.0) >= 35 or (self.base.view == "front" and p.get("bend", 0.0) >= 0.1)
                )
            ):
                kind = "squat"  # from the front the knees bend toward the camera: the legs only shorten
            elif p.get("tilt", 0.0) >= 10 and p.get("drop", 0.0) < 0.2 and p.get("shorter", 0.0) < 0.25:
                kind = "lateral_tilt"
            elif self.base.view == "side" and (p.get("tilt", 0.0) >= 10 or p.get("shorter", 0.0) >= 0.15):
                # Seen in profile a side bend leans toward or away from the camera: the trunk shortens
                # (and the tracker folds the body); the side-bend checker then says the view is wrong.
                kind = "lateral_tilt"
            else:
                kind = "other"
        self.kinds.append(kind)

    def finish(self, t: float) -> None:
        self._close(t)

    def verdict(self) -> tuple[str | None, str | None, str, str]:
        """(exercise, variant, movement, why) from the movements so far; movement "none" keeps the
        posture's exercise (the live guess)."""
        posture = self.posture
        counts = Counter(k for k in self.kinds if k != "other")
        if counts:
            best = max(counts.values())
            tied = [k for k, n in counts.items() if n == best]
            fitting = [k for k in tied if k in EXERCISE_MOVES.get(posture, set())]
            movement = fitting[0] if fitting else tied[0]
            if posture == "supine" and {"one_hip", "both_hips"} <= set(counts):
                movement = "both_hips" if counts["both_hips"] > counts["one_hip"] else "one_hip"
        else:
            movement = "other" if self.kinds else "none"
        exercise = EXERCISE_OF_POSTURE.get(posture)
        if movement not in EXERCISE_MOVES.get(posture, set()) | {"none"}:
            exercise = None
        variant = None
        moving = MOVEMENT_TEXT[movement]
        if exercise == "knee_to_chest":
            variant = "double" if movement == "both_hips" else "single"
        elif exercise == "prone_extension":
            n = max(1, sum(1 for k in self.kinds if k == "trunk_elevation"))
            planted = self.flags["planted"] > self.flags["hands_move"] or (
                not (self.flags["planted"] or self.flags["hands_move"])
                and self.base.hands == "under_shoulders"
            )
            if planted:
                variant, moving = "press-up", moving + ", pushed up on the hands"
            elif self.flags["legs_lift"] * 2 > n:
                variant, moving = "superman", moving + " with the legs"
            else:
                variant = "arms-forward"
        elif exercise == "side_bend":
            variant = "standing"
        base = self.base
        where = POSTURE_TEXT[posture] + (f", {base.view} view" if base.view else "")
        if base.detail:
            where += f", {base.detail}"
        return exercise, variant, movement, f"{where}; {moving}"


# --- the episodes, frame by frame ----------------------------------------------------------------


@dataclass
class _Open:
    base: Reading
    start_s: float
    last_still_s: float
    span_start_s: float
    moves: _Moves
    span_end_s: float = math.nan

    def episode(self, offline: bool) -> Episode:
        exercise, variant, movement, why = self.moves.verdict()
        if offline and movement == "none":
            exercise, variant = None, None  # a whole episode with nothing moving is no exercise
        return Episode(
            start_s=self.start_s,
            end_s=self.last_still_s,
            posture=self.base.posture,
            view=self.base.view,
            exercise=exercise,
            variant=variant,
            movement=movement,
            why=why,
            span_start_s=self.span_start_s,
            span_end_s=self.span_end_s,
        )


class LiveRecogniser:
    """Feed poses one at a time; ``update`` returns a ``Recognition`` when the guess changes.

    The first guess comes once the person has been still for about a second in a position; a new one
    when they settle in another position, or when what they do tells more (both knees, not one). Costs
    a few microseconds per frame: smoothing and a still test per frame, a posture reading ten times a
    second while still.
    """

    def __init__(self, still_window_s: float = STILL_WINDOW_S) -> None:
        self.still_window_s = still_window_s
        self.episodes: list[Episode] = []  # closed ones (offline use)
        self._closed: list[_Open] = []
        self._cur: _Open | None = None
        self._broken = False  # the picture changed since the current episode's last frame
        self._ema: np.ndarray | None = None
        self._ema_seen = np.zeros(lm.COUNT, dtype=bool)
        self._core = np.zeros((len(_CORE), 2))
        self._buf = np.zeros((CAPACITY, len(_CORE), 2))
        self._tb = np.full(CAPACITY, -math.inf)
        self._i = 0
        self._since_s = math.inf  # when the current run of seen frames began
        self._last_t = -math.inf  # last frame with a person
        self._last_hip: _Pt | None = None
        self._last_len = 0.0
        self._next_look_s = -math.inf
        self._next_frame_s = -math.inf
        self._span_start_s = -math.inf
        self._t_end = 0.0
        self.current: Recognition | None = None

    # -- per frame --

    def update(self, pose: PoseFrame) -> Recognition | None:
        t = pose.t_s
        self._t_end = t
        if self._span_start_s == -math.inf:
            self._span_start_s = t  # the recording's start
        if not pose.person_found:
            if t - self._last_t >= GAP_S:
                self._break(self._last_t)
            return None
        if t < self._next_frame_s:
            return None  # 15 looks a second are plenty for movements that last a second
        v = pose.visibility
        xy = pose.xy_px
        if v[11] < VIS and v[12] < VIS or v[23] < VIS and v[24] < VIS:
            return None
        self._next_frame_s = t + 1 / PROCESS_HZ - 1e-3
        s = _mid_np(xy, v, 11, 12)
        h = _mid_np(xy, v, 23, 24)
        length = math.hypot(s[0] - h[0], s[1] - h[1])
        if length < 1.0:
            return None
        dt = t - self._last_t
        if dt >= GAP_S:
            self._break(self._last_t)
        elif self._last_hip is not None and (
            math.hypot(h[0] - self._last_hip[0], h[1] - self._last_hip[1]) > JUMP_TORSOS * self._last_len
            or not 1 / JUMP_SCALE < length / self._last_len < JUMP_SCALE
        ):
            self._break(self._last_t)  # the whole body jumped or changed size: a moved camera
        self._last_t, self._last_hip, self._last_len = t, h, length
        # Smoothing (exponential, ~0.1 s) of the seen landmarks; unseen ones hold their last place.
        # Far-side landmarks below VIS are smoothed too (they move with the body, if noisily), but
        # only well-seen ones count toward stillness; the others hold their last place there.
        seen = v >= FAR_VIS
        if self._ema is None or self._since_s == math.inf:
            self._ema = xy.copy()
            self._ema_seen = seen.copy()
            self._since_s = t
            self._core = xy[_CORE].copy()
        else:
            a = 1.0 - math.exp(-max(dt, 0.0) / SMOOTH_TAU_S)
            fresh = seen & ~self._ema_seen
            self._ema = np.where(seen[:, None], self._ema + a * (xy - self._ema), self._ema)
            if fresh.any():
                self._ema[fresh] = xy[fresh]
                self._ema_seen |= seen
        ema = self._ema
        core_seen = v[_CORE] >= VIS
        self._core = np.where(core_seen[:, None], ema[_CORE], self._core)
        self._buf[self._i] = self._core
        self._tb[self._i] = t
        self._i = (self._i + 1) % CAPACITY
        changed = False
        if self._cur is not None and not self._broken:
            before = len(self._cur.moves.kinds)
            self._cur.moves.update(ema.tolist(), v.tolist(), t)
            changed = len(self._cur.moves.kinds) != before
        if t >= self._next_look_s and t - self._since_s >= 0.9 * self.still_window_s:
            self._next_look_s = t + CLASSIFY_EVERY_S
            window = self._buf[self._tb >= t - self.still_window_s]
            spread = np.hypot(*np.ptp(window, axis=0).T)
            spread.sort()
            if spread[-2] <= STILL_FRAC * length:
                reading = read_pose(ema, v)
                if reading is not None:
                    changed |= self._still(reading, t)
        return self._report() if changed else None

    @property
    def in_doubt(self) -> bool:
        """No start position yet, or the picture changed since the last one (the person left it, the
        camera moved): until the next still moment, what the person is doing is not known."""
        return self._cur is None or self._broken

    def finish(self) -> list[Episode]:
        """Close the recording; returns all episodes, in order."""
        self._break(self._t_end)
        if self._cur is not None:
            self._close(self._t_end)
        return self.episodes

    # -- episodes --

    def _still(self, r: Reading, t: float) -> bool:
        """A still moment read as ``r``; returns whether the guess changed."""
        cur = self._cur
        start_s = max(self._since_s, t - self.still_window_s)
        if cur is None:
            if r.start and r.posture != "unknown":
                self._open(r, start_s, t)
                return True
            return False
        base = cur.base
        dist = _anchor_distance(base, r)
        same = r.posture == base.posture and r.view == base.view
        if self._broken:
            size_ok = 1 / RESUME_SCALE < r.torso_px / base.torso_px < RESUME_SCALE
            if same and dist <= ANCHOR_TORSOS and size_ok:
                self._broken = False  # the tracker blinked; same place, same person
                cur.last_still_s = t
                return False
            if r.start and r.posture != "unknown":
                self._close(cur.span_end_s)
                self._open(r, start_s, t)
                return True
            return False
        resized = not 1 / RESUME_SCALE < r.torso_px / base.torso_px < RESUME_SCALE
        if same and resized and r.start and _anchor_distance(base, r, hips=False) > ANCHOR_TORSOS:
            # (the feet moved too: a tracker folding a body seen in profile changes its size in place)
            self._close(start_s)  # stepped nearer or farther: a new place, a baseline of its own
            self._open(r, start_s, t)
            return True
        if (
            same
            and r.start
            and r.rest_deg < base.rest_deg - REBASE_DEG[base.posture]
            and dist <= ANCHOR_TORSOS
        ):
            # Nearer the rest than the start was (the first still moment was a held rep): start again
            # from here, as the checker's baseline does.
            cur.base, cur.moves = r, _Moves(r)
            cur.last_still_s = t
            return True
        if same and (dist <= MOVED_TORSOS or base.posture in ("supine", "prone")):
            cur.last_still_s = t  # (nobody walks lying down: a lying body far off is the tracker drifting)
            return False
        new_start = r.start and (
            (r.posture in EXERCISE_OF_POSTURE and (dist > ANCHOR_TORSOS or _trunk_turn_deg(base, r) < 15))
            or (r.posture != "unknown" and dist > ANCHOR_TORSOS)
            or same
        )
        if new_start:
            self._close(start_s)
            self._open(r, start_s, t)
            return True
        if dist <= ANCHOR_TORSOS:
            cur.last_still_s = t  # still in place: a held press-up top, a knee held at the chest
        return False

    def _open(self, r: Reading, start_s: float, t: float) -> None:
        self._cur = _Open(r, start_s, t, min(self._span_start_s, start_s), _Moves(r))
        self._broken = False

    def _close(self, span_end_s: float) -> None:
        cur = self._cur
        if cur is None:
            return
        cur.moves.finish(span_end_s)
        cur.span_end_s = max(span_end_s, cur.last_still_s)
        self._closed.append(cur)
        self.episodes.append(cur.episode(offline=True))
        self._span_start_s = cur.span_end_s
        self._cur = None

    def _break(self, t_last: float) -> None:
        """The picture may have changed (no person, a jump): the next still moment decides."""
        if self._cur is not None and not self._broken:
            self._cur.moves.finish(t_last)
            self._cur.span_end_s = t_last
            self._broken = True
        if self._cur is None:
            self._span_start_s = t_last
        self._since_s = math.inf
        self._tb[:] = -math.inf
        self._last_hip = None

    def _report(self) -> Recognition | None:
        cur = self._cur
        if cur is None:
            return None
        exercise, variant, movement, why = cur.moves.verdict()
        rec = Recognition(exercise, variant, cur.base.posture, cur.base.view, cur.start_s, movement, why)
        old = self.current
        self.current = rec
        if old is not None and (old.exercise, old.variant, old.posture, old.view, old.since_s) == (
            rec.exercise, rec.variant, rec.posture, rec.view, rec.since_s,
        ):  # fmt: skip
            return None
        return rec


def _mid_np(xy: np.ndarray, v: np.ndarray, a: int, b: int) -> _Pt:
    if v[a] >= VIS and v[b] >= VIS:
        return (float(xy[a, 0] + xy[b, 0]) / 2, float(xy[a, 1] + xy[b, 1]) / 2)
    i = a if v[a] >= VIS else b
    return (float(xy[i, 0]), float(xy[i, 1]))


def recognise(poses: Sequence[PoseFrame]) -> list[Episode]:
    """The episodes of a whole recording, in order, on its own clock. Episodes with ``exercise`` None
    (sitting, squats, walking, nothing moving) are returned too: they belong to no exercise.

    What moved is judged over all the episode may claim (its span), from its final start position, so
    reps done before the first still moment (a clip that starts moving at once) count too.
    """
    rec = LiveRecogniser()
    for pose in poses:
        rec.update(pose)
    rec.finish()
    never_still = not rec._closed and any(p.person_found for p in poses)
    if never_still:
        # Nobody was still for a second anywhere: a short clip that starts moving at once still has a
        # start position, its quietest moment.
        rec = LiveRecogniser(SHORT_STILL_WINDOW_S)
        for pose in poses:
            rec.update(pose)
        rec.finish()
    out: list[Episode] = []
    for opened in rec._closed:
        # What moved, over all the episode may claim, from its final start position.
        moves = _Moves(opened.base)
        ema: np.ndarray | None = None
        last_t = -math.inf
        for pose in poses:
            if not pose.person_found or not opened.span_start_s <= pose.t_s <= opened.span_end_s:
                continue
            if ema is None or pose.t_s - last_t >= GAP_S:
                ema = pose.xy_px.copy()
            else:
                a = 1.0 - math.exp(-max(pose.t_s - last_t, 0.0) / SMOOTH_TAU_S)
                ema = np.where((pose.visibility >= FAR_VIS)[:, None], ema + a * (pose.xy_px - ema), ema)
            last_t = pose.t_s
            moves.update(ema.tolist(), pose.visibility.tolist(), pose.t_s)
        moves.finish(opened.span_end_s)
        opened.moves = moves
        episode = opened.episode(offline=True)
        if never_still:
            # A moment that short is still at the turn of a movement too: the episode is all its span.
            episode = replace(episode, end_s=max(episode.end_s, episode.span_end_s))
        out.append(episode)
    return out


class RecognitionSink:
    """The live recogniser as a pipeline sink (the window's auto mode, and ``formcheck bench``):
    it sees every frame on the pipeline's thread; ``latest`` may be read from another thread."""

    def __init__(self) -> None:
        self.recogniser = LiveRecogniser()
        self._lock = threading.Lock()
        self._latest: Recognition | None = None
        self.changes = 0
        self.busy_s = 0.0  # time spent recognising, for the benchmark
        self._last_t = -math.inf

    def on_frame(self, frame: Any, update: Any) -> None:  # a Frame and a FrameUpdate
        if update.pose.t_s <= self._last_t:
            return  # a run started again mid-recording shows frames this recogniser has seen
        self._last_t = update.pose.t_s
        t0 = time.perf_counter()
        guess = self.recogniser.update(update.pose)
        self.busy_s += time.perf_counter() - t0
        if guess is not None:
            with self._lock:
                self._latest = guess
                self.changes += 1

    def on_event(self, event: Any) -> None:
        pass

    def close(self, result: Any) -> None:
        pass

    @property
    def latest(self) -> tuple[int, Recognition | None]:
        with self._lock:
            return self.changes, self._latest
