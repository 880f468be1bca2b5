"""Small drawing annotators, supervision-style: each draws one thing with one method.

``annotate(scene, update)`` paints onto a QPainter from a ``FrameUpdate`` and the exercise config. No
annotator computes an angle: values come from ``update.state``, points from ``update.pose``.
Colour is never the only signal: faulty segments are also thicker and dashed, labels carry text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from formcheck import landmarks as lm
from formcheck.events import FrameUpdate
from formcheck.palette import SCREEN
from formcheck.spec import ExerciseConfig

WHITE = QColor(255, 255, 255)
BLACK = QColor(0, 0, 0)
# The screen's meanings, shared with the review window (formcheck.palette: one visual language).
OK_GREEN = QColor(SCREEN.good)
AMBER = QColor(SCREEN.warn)
RED = QColor(SCREEN.bad)
CYAN = QColor(SCREEN.accent)
PANEL_BG = QColor(0, 0, 0, 190)

# Faults at or above this priority draw red, lower ones amber.
RED_PRIORITY = 3


@dataclass
class Scene:
    """Where the video is drawn: the painter, and the mapping from image pixels to widget pixels."""

    painter: QPainter
    image_rect: QRectF  # the video's rectangle in widget coordinates
    image_w: int
    image_h: int
    config: ExerciseConfig

    @property
    def scale(self) -> float:
        return self.image_rect.width() / self.image_w if self.image_w else 1.0

    def map(self, x: float, y: float) -> QPointF:
        return QPointF(self.image_rect.left() + x * self.scale, self.image_rect.top() + y * self.scale)

    def font_px(self, fraction_of_height: float, minimum: int = 14) -> int:
        return max(minimum, int(self.image_rect.height() * fraction_of_height))


def _font(px: int, bold: bool = True) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(px)
    font.setBold(bold)
    return font


def fault_colors(config: ExerciseConfig, active_faults: tuple[str, ...]) -> dict[tuple[int, int], QColor]:
    """Segment -> colour for the active faults: red for the serious ones, amber for the rest."""
    colors: dict[tuple[int, int], QColor] = {}
    for f in config.faults:
        if f.code not in active_faults:
            continue
        color = RED if f.priority >= RED_PRIORITY else AMBER
        for seg in f.segments:
            for key in (seg, (seg[1], seg[0])):
                if colors.get(key) is not RED:
                    colors[key] = color
    return colors


class SkeletonAnnotator:
    """The skeleton: white segments, faulty ones amber/red, thicker and dashed."""

    def __init__(self, visibility_min: float = 0.5) -> None:
        self.visibility_min = visibility_min

    def annotate(self, scene: Scene, update: FrameUpdate) -> None:
        pose = update.pose
        if not pose.person_found:
            return
        p = scene.painter
        seen = pose.visibility >= self.visibility_min
        faulty = fault_colors(scene.config, update.state.active_faults)
        in_state = update.state.fault_segments
        width = max(3.0, 5.0 * scene.scale)
        for a, b in lm.SKELETON:
            if not (seen[a] and seen[b]):
                continue
            pa, pb = scene.map(*pose.xy_px[a]), scene.map(*pose.xy_px[b])
            bad = (a, b) in in_state or (b, a) in in_state
            if bad:
                color = faulty.get((a, b), AMBER)
                p.setPen(QPen(BLACK, width * 2.6 + 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                p.drawLine(pa, pb)
                p.setPen(QPen(color, width * 2.2, Qt.PenStyle.DashLine, Qt.PenCapStyle.FlatCap))
            else:
                p.setPen(QPen(BLACK, width + 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                p.drawLine(pa, pb)
                p.setPen(QPen(WHITE, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawLine(pa, pb)
        p.setPen(QPen(BLACK, 2))
        p.setBrush(CYAN)
        radius = max(3.0, 5.0 * scene.scale)
        for i in range(11, lm.COUNT):
            if seen[i]:
                p.drawEllipse(scene.map(*pose.xy_px[i]), radius, radius)


class AngleAnnotator:
    """The measured angle at its joint, with the target beside it ("112° / aim 100°").

    With one working leg at a time only the working side is labelled; labels never overlap.
    """

    def annotate(self, scene: Scene, update: FrameUpdate) -> None:
        pose, state = update.pose, update.state
        if not pose.person_found:
            return
        p = scene.painter
        font = _font(scene.font_px(0.045, 18))
        p.setFont(font)
        metrics = QFontMetricsF(font)
        vis = scene.config.params["visibility_min"]
        placed: list[QRectF] = []
        for name, (_, joint, _) in scene.config.spec.angle_joints.items():
            if scene.config.variant.sides == "either" and state.side and state.side not in name:
                continue
            value = state.measurements.get(name, math.nan)
            j = lm.INDEX[joint]
            if not math.isfinite(value) or pose.visibility[j] < vis:
                continue
            reached = abs(value) >= state.target_deg
            text = f"{abs(value):.0f}° / aim {state.target_deg:.0f}°" + ("  ✓" if reached else "")
            at = scene.map(*pose.xy_px[j])
            box = metrics.boundingRect(text).adjusted(-10, -6, 10, 6)
            box.moveTopLeft(QPointF(at.x() + 18, at.y() - box.height() - 12))
            if box.right() > scene.image_rect.right():
                box.moveRight(at.x() - 18)
            box.moveTop(max(box.top(), scene.image_rect.top()))
            for other in placed:
                if box.intersects(other):
                    box.moveTop(other.bottom() + 4)
            placed.append(box)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(PANEL_BG)
            p.drawRoundedRect(box, 8, 8)
            p.setPen(OK_GREEN if reached else WHITE)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


class HoldRingAnnotator:
    """A ring that fills while a hold is kept, with the seconds in the middle."""

    def annotate(self, scene: Scene, update: FrameUpdate) -> None:
        state = update.state
        if state.hold_target_s <= 0:
            return
        p = scene.painter
        size = scene.image_rect.height() * 0.26
        rect = QRectF(scene.image_rect.right() - size - 16, scene.image_rect.top() + 16, size, size)
        frac = max(0.0, min(1.0, state.hold_s / state.hold_target_s))
        done = frac >= 1.0
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(PANEL_BG)
        p.drawEllipse(rect.adjusted(-8, -8, 8, 8))
        ring = max(8.0, size * 0.1)
        inner = rect.adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2)
        p.setPen(QPen(QColor(90, 90, 90), ring))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(inner)
        if frac > 0:
            p.setPen(QPen(OK_GREEN if done else CYAN, ring, cap=Qt.PenCapStyle.FlatCap))
            p.drawArc(inner, 90 * 16, -int(frac * 360 * 16))
        p.setPen(WHITE)
        p.setFont(_font(int(size * 0.3)))
        number = QRectF(
            inner.left(), inner.top() + inner.height() * 0.12, inner.width(), inner.height() * 0.5
        )
        p.drawText(number, Qt.AlignmentFlag.AlignCenter, f"{state.hold_s:.0f}")
        p.setFont(_font(int(size * 0.1), bold=False))
        label = "done ✓" if done else f"of {state.hold_target_s:g} s"
        below = QRectF(inner.left(), inner.top() + inner.height() * 0.6, inner.width(), inner.height() * 0.2)
        p.drawText(below, Qt.AlignmentFlag.AlignCenter, label)
        p.setFont(_font(int(size * 0.11)))
        title_rect = QRectF(rect.left(), rect.bottom() + 10, rect.width(), size * 0.16)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(PANEL_BG)
        p.drawRoundedRect(title_rect, 6, 6)
        p.setPen(WHITE)
        p.drawText(title_rect, Qt.AlignmentFlag.AlignCenter, "HOLD")


CUE_MARKS = {"fault": "⚠", "setup": "↔", "phase": "▶"}


class CueBannerAnnotator:
    """The current cue in large type across the bottom of the video, one at a time."""

    def annotate(self, scene: Scene, update: FrameUpdate, kind: str | None = None) -> None:
        text = update.state.cue
        if not text:
            return
        p = scene.painter
        mark = CUE_MARKS.get(kind or "phase", "▶")
        px = scene.font_px(0.062, 22)
        font = _font(px)
        r = scene.image_rect
        box = QRectF(r.left() + 12, 0, r.width() - 24, 0)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        metrics = QFontMetricsF(font)
        bounds = metrics.boundingRect(QRectF(0, 0, box.width() - 40, 1000), flags, f"{mark} {text}")
        box.setHeight(bounds.height() + 28)
        box.moveBottom(r.bottom() - 12)
        color = {"fault": AMBER, "setup": AMBER}.get(kind or "", WHITE)
        p.setPen(QPen(color, 4))
        p.setBrush(QColor(0, 0, 0, 215))
        p.drawRoundedRect(box, 14, 14)
        p.setFont(font)
        p.setPen(color)
        p.drawText(box.adjusted(20, 0, -20, 0), flags, f"{mark} {text}")


def outlined_text(painter: QPainter, at: QPointF, text: str, font: QFont, color: QColor = WHITE) -> None:
    """Text with a dark outline, readable on any background."""
    path = QPainterPath()
    path.addText(at, font, text)
    painter.setPen(QPen(BLACK, 5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawPath(path)
