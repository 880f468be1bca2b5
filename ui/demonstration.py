"""Short looping demonstrations of correct form, one per exercise and variant, drawn as a moving figure.

A scripted body (joint angles over time -> the 33 pose landmarks, the same layout MediaPipe gives) is
drawn with QPainter: nothing to download or ship but this code. The scripts are correct form by our
own checker's standard: tests/test_ui_readable.py runs each through the real pipeline and expects
good reps only. Each phase of a script carries a short caption, written to be read from the floor.

``Demonstration(exercise, variant)`` is the motion; ``paint_demonstration`` draws it into a rectangle;
``DemonstrationView`` is a widget that loops it (the home screen).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PyQt6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QSizePolicy, QWidget

from formcheck import landmarks as lm

FRAME_W, FRAME_H = 640, 480  # the scripted camera picture, in pixels
TORSO, THIGH, SHANK = 150.0, 110.0, 100.0
DEMO_FPS = 30.0

Curve = Callable[[float], float]


def keyframes(points: Sequence[tuple[float, float]]) -> Curve:
    """Eased (cosine) interpolation through (t_s, value) points; constant outside them."""

    def f(t: float) -> float:
        if t <= points[0][0]:
            return points[0][1]
        for (t0, v0), (t1, v1) in zip(points, points[1:], strict=False):
            if t <= t1:
                u = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
                return v0 + (v1 - v0) * (1 - math.cos(math.pi * u)) / 2
        return points[-1][1]

    return f


def _dir(deg: float) -> np.ndarray:
    """Unit vector ``deg`` counter-clockwise from +x as seen on screen (image y points down)."""
    return np.array([math.cos(math.radians(deg)), -math.sin(math.radians(deg))])


_SIDE_IDX = {"left": (11, 13, 15, 23, 25, 27, 29, 31), "right": (12, 14, 16, 24, 26, 28, 30, 32)}
FAR = np.array([0.0, -5.0])  # the far side, a little above the near one (seen from the person's left)


def _face_and_hands(xy: np.ndarray, nose: np.ndarray, ears: tuple[np.ndarray, np.ndarray]) -> None:
    for i in range(1, 11):
        xy[i] = nose
    xy[lm.LEFT_EAR], xy[lm.RIGHT_EAR] = ears
    xy[lm.NOSE] = nose
    for i in (17, 19, 21):
        xy[i] = xy[lm.LEFT_WRIST]
    for i in (18, 20, 22):
        xy[i] = xy[lm.RIGHT_WRIST]


def supine(a: dict[str, float]) -> np.ndarray:
    """On the back, head to the left, seen from the person's left; ``left_flex``/``right_flex`` are
    hip flexion in degrees (the knee bends with it)."""
    xy = np.zeros((lm.COUNT, 2))
    hip = np.array([380.0, 380.0])
    shoulder = np.array([380.0 - TORSO, 380.0])
    for side, off in (("left", np.zeros(2)), ("right", FAR)):
        flex = a.get(f"{side}_flex", 0.0)
        knee_bend = 0.9 * flex
        s_i, e_i, w_i, h_i, k_i, a_i, he_i, fi_i = _SIDE_IDX[side]
        h = hip + off
        knee = h + THIGH * _dir(flex)
        ankle = knee + SHANK * _dir(flex - knee_bend)
        xy[s_i], xy[h_i], xy[k_i], xy[a_i] = shoulder + off, h, knee, ankle
        # Hands hold the thigh of a bent leg, rest by the side otherwise.
        hold = min(1.0, flex / 90.0)
        rest_elbow, rest_wrist = shoulder + off + [40.0, -10.0], shoulder + off + [80.0, -15.0]
        on_thigh = h + 0.75 * (knee - h) + [0.0, -6.0]
        xy[w_i] = rest_wrist + hold * (on_thigh - rest_wrist)
        xy[e_i] = rest_elbow + hold * ((shoulder + off + on_thigh) / 2 + [10.0, -25.0] - rest_elbow)
        xy[he_i] = ankle + [8.0, 4.0]
        xy[fi_i] = ankle + _dir(flex - knee_bend + 90.0) * 14.0
    nose = shoulder + [-45.0, -22.0]
    _face_and_hands(xy, nose, (shoulder + [-32.0, -8.0], shoulder + FAR + [-32.0, -8.0]))
    return xy


def prone(a: dict[str, float]) -> np.ndarray:
    """On the stomach, head to the left; ``elev`` lifts the trunk about the hips (degrees), ``legs``
    lifts the legs, ``hands_planted`` keeps the hands on the floor (a press-up)."""
    xy = np.zeros((lm.COUNT, 2))
    hip = np.array([380.0, 380.0])
    elev, legs = a.get("elev", 0.0), a.get("legs", 0.0)
    shoulder = hip + TORSO * _dir(180.0 - elev)
    for side, off in (("left", np.zeros(2)), ("right", FAR)):
        s_i, e_i, w_i, h_i, k_i, a_i, he_i, fi_i = _SIDE_IDX[side]
        h = hip + off
        knee = h + THIGH * _dir(legs)
        ankle = knee + SHANK * _dir(legs)
        xy[s_i], xy[h_i], xy[k_i], xy[a_i] = shoulder + off, h, knee, ankle
        if a.get("hands_planted", 0.0) > 0.5:
            xy[w_i] = hip + off + [-TORSO - 15.0, 5.0]
            xy[e_i] = (shoulder + xy[w_i]) / 2 + off + [12.0, 0.0]
        else:
            xy[e_i] = shoulder + off + 50 * _dir(180.0 - elev * 0.5)
            xy[w_i] = shoulder + off + 100 * _dir(180.0 - elev * 0.3)
        xy[he_i] = ankle + [6.0, -8.0]
        xy[fi_i] = ankle + [10.0, 10.0]
    ear = shoulder + 35 * _dir(180.0 - elev)
    nose = ear + 18 * _dir(180.0 - elev + 60)
    _face_and_hands(xy, nose, (ear, ear + FAR))
    return xy


def standing(a: dict[str, float]) -> np.ndarray:
    """Standing, facing the camera (the person's left on the image right); ``tilt`` > 0 bends to the
    person's left."""
    xy = np.zeros((lm.COUNT, 2))
    hip_w, sh_w, ankle_y = 60.0, 100.0, 440.0
    hip_mid = np.array([320.0, ankle_y - THIGH - SHANK])
    tilt = a.get("tilt", 0.0)
    up = _dir(90.0 - tilt)
    across = _dir(-tilt)
    sh_mid = hip_mid + TORSO * up
    xy[lm.LEFT_SHOULDER], xy[lm.RIGHT_SHOULDER] = sh_mid + across * sh_w / 2, sh_mid - across * sh_w / 2
    xy[lm.LEFT_HIP], xy[lm.RIGHT_HIP] = hip_mid + [hip_w / 2, 0], hip_mid - [hip_w / 2, 0]
    for side, sign in (("left", 1.0), ("right", -1.0)):
        s_i, e_i, w_i, h_i, k_i, a_i, he_i, fi_i = _SIDE_IDX[side]
        ankle = np.array([320.0 + sign * sh_w / 2, ankle_y])
        xy[a_i], xy[k_i] = ankle, (xy[h_i] + ankle) / 2
        xy[he_i], xy[fi_i] = ankle + [0, 8], ankle + [sign * 4, 14]
        # Arms hang: straight down from the shoulder whatever the trunk does.
        xy[e_i] = xy[s_i] + [sign * 8, 70]
        xy[w_i] = xy[s_i] + [sign * 10, 140]
    head = sh_mid + 45 * up
    _face_and_hands(xy, head, (head + across * 18, head - across * 18))
    return xy


BODIES = {"supine": supine, "prone": prone, "standing": standing}


@dataclass(frozen=True)
class Phase:
    """A span of the loop and what it shows, in a few words readable from the floor."""

    start_s: float
    end_s: float
    caption: str


@dataclass(frozen=True)
class Script:
    body: str
    duration_s: float
    curves: dict[str, Curve]
    phases: tuple[Phase, ...]
    fixed: tuple[tuple[str, float], ...] = ()


def _reps(first_s: float, up_s: float, hold_s: float, down_s: float, rest_s: float, peak: float):  # type: ignore[no-untyped-def]
    """Keyframes of one rep starting at ``first_s``, and its phase times."""
    t1 = first_s + up_s
    t2 = t1 + hold_s
    t3 = t2 + down_s
    return [(first_s, 0.0), (t1, peak), (t2, peak), (t3, 0.0)], (first_s, t1, t2, t3, t3 + rest_s)


def _phases(times: tuple[float, ...], up: str, hold: str, down: str) -> list[Phase]:
    t0, t1, t2, t3, t4 = times
    return [Phase(t0, t1, up), Phase(t1, t2, hold), Phase(t2, t4, down)]


def _script(exercise: str, variant: str | None) -> Script:
    if exercise == "knee_to_chest":
        if variant == "double":
            keys, times = _reps(1.5, 2.0, 3.0, 2.0, 1.5, 115.0)
            curve = keyframes([(0.0, 0.0), *keys])
            phases = [
                Phase(0.0, 1.5, "Lie on your back"),
                *_phases(times, "Both knees to your chest", "Hold, and breathe", "Lower slowly"),
            ]
            return Script("supine", times[-1], {"left_flex": curve, "right_flex": curve}, tuple(phases))
        left, lt = _reps(1.5, 2.0, 3.0, 2.0, 1.0, 115.0)
        right, rt = _reps(lt[-1], 2.0, 3.0, 2.0, 1.5, 115.0)
        phases = [
            Phase(0.0, 1.5, "Lie on your back"),
            *_phases(lt, "Left knee to your chest", "Hold, and breathe", "Lower slowly"),
            *_phases(rt, "Now the right knee", "Hold, and breathe", "Lower slowly"),
        ]
        curves = {"left_flex": keyframes([(0.0, 0.0), *left]), "right_flex": keyframes([(0.0, 0.0), *right])}
        return Script("supine", rt[-1], curves, tuple(phases))
    if exercise == "prone_extension":
        if variant == "press-up":
            keys, times = _reps(1.5, 2.0, 3.0, 2.0, 1.5, 38.0)
            phases = [Phase(0.0, 1.5, "Hands under your shoulders")]
            phases += _phases(times, "Push your chest up", "Hold, hips stay down", "Lower slowly")
            return Script(
                "prone",
                times[-1],
                {"elev": keyframes([(0.0, 0.0), *keys])},
                tuple(phases),
                (("hands_planted", 1.0),),
            )
        if variant == "superman":
            keys, times = _reps(1.5, 2.5, 5.5, 2.5, 1.5, 14.0)
            leg_keys, _ = _reps(1.5, 2.5, 5.5, 2.5, 1.5, 8.0)
            phases = [Phase(0.0, 1.5, "Lie on your stomach")]
            phases += _phases(times, "Lift chest and legs a little", "Hold, and breathe", "Lower slowly")
            curves = {"elev": keyframes([(0.0, 0.0), *keys]), "legs": keyframes([(0.0, 0.0), *leg_keys])}
            return Script("prone", times[-1], curves, tuple(phases))
        keys, times = _reps(1.5, 2.0, 5.5, 2.0, 1.5, 22.0)
        phases = [Phase(0.0, 1.5, "Lie on your stomach")]
        phases += _phases(times, "Lift your chest a little", "Hold, legs stay down", "Lower slowly")
        return Script("prone", times[-1], {"elev": keyframes([(0.0, 0.0), *keys])}, tuple(phases))
    # side bends: to the left, back, to the right, back
    left, lt = _reps(1.5, 2.0, 1.0, 2.0, 1.0, 24.0)
    right, rt = _reps(lt[-1], 2.0, 1.0, 2.0, 1.5, -24.0)
    phases = [
        Phase(0.0, 1.5, "Stand tall, feet apart"),
        *_phases(lt, "Lean to one side", "Only as far as is comfortable", "Back to the middle"),
        *_phases(rt, "Now the other side", "Only as far as is comfortable", "Back to the middle"),
    ]
    tilt = keyframes([(0.0, 0.0), *left, *right[1:]])
    return Script("standing", rt[-1], {"tilt": tilt}, tuple(phases))


class Demonstration:
    """The looping movement of one exercise and variant: ``landmarks(t_s)`` and ``caption(t_s)``."""

    def __init__(self, exercise: str, variant: str | None = None) -> None:
        self.exercise, self.variant = exercise, variant
        self.script = _script(exercise, variant)
        self.duration_s = self.script.duration_s
        self.body = self.script.body

    def angles(self, t_s: float) -> dict[str, float]:
        t = t_s % self.duration_s
        out = dict(self.script.fixed)
        out.update({name: curve(t) for name, curve in self.script.curves.items()})
        return out

    def landmarks(self, t_s: float) -> np.ndarray:
        """The 33 landmarks (x, y) in a 640x480 picture at ``t_s`` into the loop."""
        return BODIES[self.body](self.angles(t_s))

    def caption(self, t_s: float) -> str:
        t = t_s % self.duration_s
        for phase in self.script.phases:
            if phase.start_s <= t < phase.end_s:
                return phase.caption
        return self.script.phases[-1].caption

    def captions(self) -> list[str]:
        return list(dict.fromkeys(p.caption for p in self.script.phases))

    def step_captions(self) -> tuple[str, str, str]:
        """Three short steps (get into position, move, hold and come back), for the side panel."""
        phases = self.script.phases
        hold = "Stay a moment" if self.body == "standing" else phases[2].caption.split(",")[0]
        return phases[0].caption, phases[1].caption, f"{hold}, then {phases[3].caption.lower()}"


# Segments drawn for the figure (near side last so it is on top), in the order of lm.SKELETON pairs.
_LIMBS_FAR = ((12, 14), (14, 16), (24, 26), (26, 28), (28, 32))
_LIMBS_NEAR = ((11, 13), (13, 15), (23, 25), (25, 27), (27, 31))
_TRUNK = ((11, 12), (11, 23), (12, 24), (23, 24))
FIGURE = QColor(255, 214, 120)
FIGURE_FAR = QColor(176, 140, 70)
DEMO_BG = QColor(24, 30, 40)


def paint_demonstration(
    p: QPainter,
    rect: QRectF,
    demo: Demonstration,
    t_s: float,
    caption_px: int,
    title: str | None = None,
    title_px: int = 18,
) -> None:
    """The figure at ``t_s`` inside ``rect`` on its own dark card, its caption under it (none when
    ``caption_px`` is 0) and an optional title above it."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(QPen(QColor(120, 150, 190), 3))
    p.setBrush(DEMO_BG)
    p.drawRoundedRect(rect, 14, 14)
    inner = rect.adjusted(10, 6, -10, -8)
    top = inner.top()
    if title:
        small = QFont("DejaVu Sans")
        small.setPixelSize(title_px)
        p.setFont(small)
        p.setPen(QColor(190, 205, 225))
        p.drawText(
            QRectF(inner.left(), top, inner.width(), title_px * 1.3), Qt.AlignmentFlag.AlignLeft, title
        )
        top += title_px * 1.3
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, caption_px))
    font.setBold(True)
    line_h = caption_px * 1.25
    caption_rect = QRectF(inner.left(), inner.bottom() - 2 * line_h, inner.width(), 2 * line_h)
    figure_rect = QRectF(inner.left(), top, inner.width(), caption_rect.top() - top)
    xy = demo.landmarks(t_s)
    # Fit the figure's whole loop (not this frame) so it does not swim as it moves.
    lo, hi = _loop_bounds(demo)
    span = np.maximum(hi - lo, 1.0)
    scale = min(figure_rect.width() / span[0], figure_rect.height() / span[1])
    offset = np.array(
        [
            figure_rect.left() + (figure_rect.width() - span[0] * scale) / 2,
            figure_rect.top() + (figure_rect.height() - span[1] * scale) / 2,
        ]
    )

    def at(i: int) -> QPointF:
        x, y = (xy[i] - lo) * scale + offset
        return QPointF(float(x), float(y))

    floor_y = float((_floor_y(demo) - lo[1]) * scale + offset[1])
    p.setPen(QPen(QColor(110, 120, 135), max(2.0, 3 * scale)))
    p.drawLine(QPointF(figure_rect.left(), floor_y), QPointF(figure_rect.right(), floor_y))
    width = max(4.0, 16 * scale)
    far = FIGURE if demo.body == "standing" else FIGURE_FAR  # seen from the front, no side is farther
    for color, limbs in ((far, _LIMBS_FAR), (FIGURE, _TRUNK + _LIMBS_NEAR)):
        p.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        for a, b in limbs:
            p.drawLine(at(a), at(b))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(FIGURE)
    head = (xy[lm.LEFT_EAR] + xy[lm.RIGHT_EAR]) / 2 * 0.5 + xy[lm.NOSE] * 0.5
    hx, hy = (head - lo) * scale + offset
    p.drawEllipse(QPointF(float(hx), float(hy)), 26 * scale, 26 * scale)
    if caption_px > 0:
        p.setFont(font)
        p.setPen(QColor(255, 255, 255))
        p.drawText(caption_rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, demo.caption(t_s))
    p.restore()


_BOUNDS: dict[tuple[str, str | None], tuple[np.ndarray, np.ndarray]] = {}


def _loop_bounds(demo: Demonstration) -> tuple[np.ndarray, np.ndarray]:
    key = (demo.exercise, demo.variant)
    if key not in _BOUNDS:
        points = np.concatenate([demo.landmarks(t) for t in np.arange(0.0, demo.duration_s, 0.25)])
        margin = 36.0  # the head's radius and the limbs' width
        _BOUNDS[key] = (points.min(axis=0) - margin, points.max(axis=0) + margin)
    return _BOUNDS[key]


def _floor_y(demo: Demonstration) -> float:
    xy = demo.landmarks(0.0)
    return float(max(xy[:, 1].max() + 12, _loop_bounds(demo)[1][1] - 20))


class DemonstrationView(QWidget):
    """A widget that loops a demonstration (the home screen)."""

    def __init__(self, parent: QWidget | None = None, caption_px: int = 26) -> None:
        super().__init__(parent)
        self.demo: Demonstration | None = None
        self.caption_px = caption_px
        self.title: str | None = None
        self._started = time.monotonic()
        self.frozen_at_s: float | None = None  # screenshots and tests: a fixed moment of the loop
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / DEMO_FPS))
        self._timer.timeout.connect(self.update)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(280, 220)

    def sizeHint(self) -> QSize:
        return QSize(380, 300)

    def set_exercise(self, exercise: str | None, variant: str | None, title: str | None = None) -> None:
        self.demo = Demonstration(exercise, variant) if exercise else None
        self.title = title
        self._started = time.monotonic()
        self.setVisible(self.demo is not None)
        if self.demo is not None:
            self._timer.start()
        else:
            self._timer.stop()
        self.update()

    def t_s(self) -> float:
        return self.frozen_at_s if self.frozen_at_s is not None else time.monotonic() - self._started

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.demo is None:
            return
        p = QPainter(self)
        paint_demonstration(
            p, QRectF(self.rect()).adjusted(1, 1, -1, -1), self.demo, self.t_s(), self.caption_px, self.title
        )
        p.end()
