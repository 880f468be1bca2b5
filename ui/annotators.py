"""Small drawing annotators, supervision-style: each draws one thing with one method.

``annotate(scene, update)`` paints onto a QPainter from a ``FrameUpdate`` and the exercise config. No
annotator computes an angle: values come from ``update.state``, points from ``update.pose``.
Colour is never the only signal: faulty segments are also thicker and dashed, labels carry text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PyQt6.QtCore import QPointF, QRectF, QSizeF, Qt
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


def skeleton_points(scene: Scene, update: FrameUpdate, step_px: float = 6.0) -> list[QPointF]:
    """Points along every visible segment of the skeleton, in widget pixels: what overlays avoid."""
    pose = update.pose
    if not pose.person_found:
        return []
    seen = pose.visibility >= scene.config.params["visibility_min"]
    points: list[QPointF] = []
    for a, b in lm.SKELETON:
        if not (seen[a] and seen[b]):
            continue
        pa, pb = scene.map(*pose.xy_px[a]), scene.map(*pose.xy_px[b])
        n = max(1, int(math.hypot(pb.x() - pa.x(), pb.y() - pa.y()) / step_px))
        points.extend(pa + (pb - pa) * (i / n) for i in range(n + 1))
    return points


def box_around(points: list[QPointF], margin_px: float = 12.0) -> QRectF | None:
    """The bounding box of the skeleton's points in widget pixels (with a margin for the line width)."""
    if not points:
        return None
    xs, ys = [q.x() for q in points], [q.y() for q in points]
    return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)).adjusted(
        -margin_px, -margin_px, margin_px, margin_px
    )


def _hits(box: QRectF, points: list[QPointF], pad_px: float) -> int:
    grown = box.adjusted(-pad_px, -pad_px, pad_px, pad_px)
    return sum(1 for q in points if grown.contains(q))


class AngleAnnotator:
    """The measured angle near its joint, with the target beside it ("112° / aim 100°"), placed where
    the body is not (the nearest spot around the joint that no segment crosses), with a thin line to
    the joint. With one working leg at a time only the working side is labelled; labels never overlap.
    """

    def __init__(self) -> None:
        self.placed: list[QRectF] = []  # where the labels went on the last paint (tests read it)
        self.keep_out: list[QRectF] = []  # other overlays (the hold ring, the demonstration)

    def annotate(self, scene: Scene, update: FrameUpdate, body: list[QPointF] | None = None) -> None:
        """``body``: the skeleton's points, when the caller has them already (one walk per paint)."""
        pose, state = update.pose, update.state
        self.placed = []
        if not pose.person_found:
            return
        p = scene.painter
        font = _font(scene.font_px(0.045, 18))
        p.setFont(font)
        metrics = QFontMetricsF(font)
        vis = scene.config.params["visibility_min"]
        body = body if body is not None else skeleton_points(scene, update)
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
            size = metrics.boundingRect(text).adjusted(-10, -6, 10, 6).size()
            box = self._free_spot(scene, at, size, body)
            self.placed.append(box)
            p.setPen(QPen(QColor(255, 255, 255, 170), 2, Qt.PenStyle.DotLine))
            p.drawLine(at, _nearest_on(box, at))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(PANEL_BG)
            p.drawRoundedRect(box, 8, 8)
            p.setPen(OK_GREEN if reached else WHITE)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _free_spot(self, scene: Scene, at: QPointF, size: QSizeF, body: list[QPointF]) -> QRectF:
        """The nearest box of ``size`` around ``at`` inside the video that covers no part of the body
        and no other overlay; the least covering one when there is none."""
        area = scene.image_rect
        step = max(12.0, size.height() * 0.6)
        best: tuple[float, float, QRectF] | None = None
        for ring in range(1, 16):
            radius = ring * step
            for k in range(16):
                angle = 2 * math.pi * k / 16 - math.pi / 2  # start straight above the joint
                centre = QPointF(at.x() + radius * math.cos(angle) * 1.6, at.y() + radius * math.sin(angle))
                box = QRectF(QPointF(0, 0), size)
                box.moveCenter(centre)
                if not area.contains(box):
                    continue
                cost = float(_hits(box, body, 6.0))
                cost += 1000.0 * sum(box.intersects(o) for o in self.placed + self.keep_out)
                if best is None or (cost, radius) < (best[0], best[1]):
                    best = (cost, radius, box)
            if best is not None and best[0] == 0:
                return best[2]
        if best is not None:
            return best[2]
        box = QRectF(QPointF(0, 0), size)
        box.moveTopLeft(QPointF(area.left() + 8, area.top() + 8))
        return box


def _nearest_on(box: QRectF, q: QPointF) -> QPointF:
    return QPointF(min(max(q.x(), box.left()), box.right()), min(max(q.y(), box.top()), box.bottom()))


class HoldRingAnnotator:
    """A ring that fills while a hold is kept, with the seconds in the middle in glance-size type, and
    the target under it. It sits in the top corner of the video the body leaves free."""

    def __init__(self) -> None:
        self.number_px = 40  # the seconds' type size, set from the viewing distance (ui/readable.py)
        self.caption_px = 28
        self.rect: QRectF | None = None  # the ring and its caption on the last paint (tests read it)

    def place(self, scene: Scene, body_box: QRectF | None) -> QRectF:
        """The ring's square (without the caption): the top corner the body does not reach."""
        size = max(scene.image_rect.height() * 0.26, self.number_px * 2.5)
        size = min(size, scene.image_rect.height() * 0.6)
        r = scene.image_rect
        right = QRectF(r.right() - size - 16, r.top() + 16, size, size)
        left = QRectF(r.left() + 16, r.top() + 16, size, size)
        if body_box is not None:
            over_right = right.intersected(body_box)
            over_left = left.intersected(body_box)
            if over_right.width() * over_right.height() > over_left.width() * over_left.height():
                return left
        return right

    def annotate(self, scene: Scene, update: FrameUpdate, body_box: QRectF | None = None) -> None:
        state = update.state
        self.rect = None
        if state.hold_target_s <= 0:
            return
        p = scene.painter
        rect = self.place(scene, body_box)
        size = rect.width()
        frac = max(0.0, min(1.0, state.hold_s / state.hold_target_s))
        done = frac >= 1.0
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(PANEL_BG)
        p.drawEllipse(rect.adjusted(-8, -8, 8, 8))
        ring = max(8.0, size * 0.09)
        inner = rect.adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2)
        p.setPen(QPen(QColor(90, 90, 90), ring))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(inner)
        if frac > 0:
            p.setPen(QPen(OK_GREEN if done else CYAN, ring, cap=Qt.PenCapStyle.FlatCap))
            p.drawArc(inner, 90 * 16, -int(frac * 360 * 16))
        # The seconds in glance-size type, the target small under them, both inside the ring: nothing
        # hangs below it onto the picture (a raised knee reaches up there).
        number_font = _font(self.number_px)
        number_h = QFontMetricsF(number_font).capHeight()
        caption_font = _font(max(14, int(size * 0.13)), bold=False)
        caption_h = QFontMetricsF(caption_font).height()
        gap = size * 0.04
        top = inner.center().y() - (number_h + gap + caption_h) / 2
        p.setPen(WHITE)
        p.setFont(number_font)
        number_box = QRectF(
            inner.left(), top - (self.number_px - number_h) / 2, inner.width(), self.number_px
        )
        p.drawText(number_box, Qt.AlignmentFlag.AlignCenter, f"{state.hold_s:.0f}")
        p.setFont(caption_font)
        p.setPen(OK_GREEN if done else QColor(220, 220, 220))
        caption = "done ✓" if done else f"of {state.hold_target_s:g} s"
        p.drawText(
            QRectF(inner.left(), top + number_h + gap, inner.width(), caption_h),
            Qt.AlignmentFlag.AlignCenter,
            caption,
        )
        self.rect = rect.adjusted(-8, -8, 8, 8)


CUE_MARKS = {"fault": "⚠", "setup": "↔", "phase": "▶"}
CUE_FLAGS = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
CUE_PAD_X, CUE_PAD_Y = 20.0, 12.0


def cue_text(text: str, kind: str | None) -> str:
    return f"{CUE_MARKS.get(kind or 'phase', '▶')} {text}"


def cue_box_height(text: str, width_px: float, font_px: int) -> float:
    """The banner's height for ``text`` wrapped in ``width_px`` at ``font_px``."""
    metrics = QFontMetricsF(_font(font_px))
    bounds = metrics.boundingRect(QRectF(0, 0, width_px - 2 * CUE_PAD_X, 10_000), CUE_FLAGS, text)
    return bounds.height() + 2 * CUE_PAD_Y


class CueBannerAnnotator:
    """The current cue in glance-size type, one at a time, where the body is not: in the band under
    the video when it fits there (the video widget keeps that band free), else across the top or the
    bottom of the picture, whichever covers less of the body."""

    def __init__(self) -> None:
        self.font_px = 40  # glance size, set from the viewing distance (ui/readable.py)
        self.reading_px = 30  # for a cue too long to fit in glance size
        self.shown_px: int | None = None  # the size the band chose for the cue now up
        self.box: QRectF | None = None  # where the banner went on the last paint (tests read it)

    def annotate(
        self,
        scene: Scene,
        update: FrameUpdate,
        kind: str | None = None,
        band: QRectF | None = None,
        body_box: QRectF | None = None,
    ) -> None:
        self.box = None
        text = update.state.cue
        if not text:
            return
        p = scene.painter
        shown = cue_text(text, kind)
        px = self.shown_px or self.font_px
        area = band if band is not None else scene.image_rect
        box = QRectF(area.left() + 8, 0, area.width() - 16, cue_box_height(shown, area.width() - 16, px))
        if band is not None and box.height() <= band.height():
            box.moveTop(band.top() + (band.height() - box.height()) / 2)
        else:
            r = scene.image_rect
            top = QRectF(box)
            top.moveTop(r.top() + 8)
            bottom = QRectF(box)
            bottom.moveBottom(band.bottom() - 4 if band is not None else r.bottom() - 8)
            box = bottom
            if body_box is not None:
                a, b = top.intersected(body_box), bottom.intersected(body_box)
                if a.width() * a.height() < b.width() * b.height():
                    box = top
        color = {"fault": AMBER, "setup": AMBER}.get(kind or "", WHITE)
        p.setPen(QPen(color, 4))
        p.setBrush(QColor(0, 0, 0, 225))
        p.drawRoundedRect(box, 14, 14)
        p.setFont(_font(px))
        p.setPen(color)
        p.drawText(box.adjusted(CUE_PAD_X, 0, -CUE_PAD_X, 0), CUE_FLAGS, shown)
        self.box = box


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
