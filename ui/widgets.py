"""The window's widgets: the annotated video, rep counters, set-up checklist, asymmetry bar.

All of them only display what the pipeline decided (``CheckerState`` and events).
"""

from __future__ import annotations

import gc
import time
from collections import deque
from collections.abc import Mapping

import numpy as np
from PyQt6 import sip
from PyQt6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PyQt6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QHideEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PyQt6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from formcheck.events import FrameUpdate
from formcheck.palette import SCREEN, side_color
from formcheck.setup_check import NOTICES
from formcheck.spec import ExerciseConfig
from ui.annotators import (
    AMBER,
    WHITE,
    AngleAnnotator,
    CueBannerAnnotator,
    HoldRingAnnotator,
    Scene,
    SkeletonAnnotator,
    _font,
    box_around,
    cue_box_height,
    cue_text,
    skeleton_points,
)
from ui.demonstration import Demonstration, paint_demonstration
from ui.readable import TextSizes


def _area(box: QRectF) -> float:
    return max(0.0, box.width()) * max(0.0, box.height())


# The demonstration's sizes, tried in turn, as shares of its full size (36 % of the picture's width).
DEMO_SIZES = (1.0, 0.75, 0.55)


class VideoView(QWidget):
    """The camera or video frame with the annotators drawn on top, scaled to fit, aspect kept.

    The cue is not drawn here but in ``CueBand``, a strip under the picture, so it never covers the
    body. Before the first rep (and on D) a looping demonstration of the exercise
    is drawn in a top corner of the picture that the body leaves free.

    Records, per painted frame, the time since the frame was decoded (frame-to-screen latency).
    """

    def __init__(self, config: ExerciseConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.skeleton = SkeletonAnnotator(config.params["visibility_min"])
        self.angle = AngleAnnotator()
        self.hold_ring = HoldRingAnnotator()
        self.cue_banner = CueBannerAnnotator()
        self.cue_kind: str | None = None
        self.overlay_text: str | None = "Starting…"
        self.overlay_px = 28
        self.cue_band_widget: CueBand | None = None  # the strip that shows the cue (set by CueBand)
        self._array: np.ndarray | None = None
        self._image: QImage | None = None
        self.update_shown: FrameUpdate | None = None
        self._stamp: float | None = None
        self.painted_frames = 0
        self.paint_times_s: deque[float] = deque(maxlen=20000)
        self.latencies_s: deque[float] = deque(maxlen=20000)
        self.demo: Demonstration | None = None
        self.demo_rect: QRectF | None = None  # where the demonstration went on the last paint
        self.demo_frozen_at_s: float | None = None  # screenshots and tests: one moment of the loop
        self._demo_started = time.monotonic()
        self._demo_timer = QTimer(self)
        self._demo_timer.setInterval(40)
        self._demo_timer.timeout.connect(self.update)
        self.body_box: QRectF | None = None

    @property
    def annotators(self) -> list[object]:
        return [self.skeleton, self.angle, self.hold_ring]

    def set_config(self, config: ExerciseConfig) -> None:
        self.config = config
        self.skeleton = SkeletonAnnotator(config.params["visibility_min"])
        if self.demo is not None:
            self.show_demonstration(True)

    def apply_text_sizes(self, sizes: TextSizes) -> None:
        self.cue_banner.font_px = sizes.glance_px
        self.cue_banner.reading_px = sizes.reading_px
        self.hold_ring.number_px = sizes.glance_px
        self.hold_ring.caption_px = sizes.reading_px
        self.overlay_px = sizes.reading_px
        self.update()

    def show_demonstration(self, on: bool) -> None:
        """Loop the exercise's demonstration over the picture (``on``) or take it away."""
        if on:
            self.demo = Demonstration(self.config.spec.name, self.config.variant.name)
            self._demo_started = time.monotonic()
            self._demo_timer.start()
        else:
            self.demo = None
            self._demo_timer.stop()
        self.update()

    def stop_animation(self) -> None:
        """No more repaints from the demonstration's timer (the window is closing)."""
        self._demo_timer.stop()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self._demo_timer.stop()  # nothing to animate out of sight
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        if self.demo is not None:
            self._demo_timer.start()
        super().showEvent(event)

    def demo_t_s(self) -> float:
        if self.demo_frozen_at_s is not None:
            return self.demo_frozen_at_s
        return time.monotonic() - self._demo_started

    def sizeHint(self) -> QSize:
        return QSize(960, 600)

    def show_frame(self, image_bgr: np.ndarray, update: FrameUpdate, decoded_at: float | None) -> None:
        array = np.ascontiguousarray(image_bgr)
        h, w = array.shape[:2]
        self._array = array  # the QImage borrows this memory
        self._image = QImage(array.data, w, h, array.strides[0], QImage.Format.Format_BGR888)
        self.update_shown = update
        self._stamp = decoded_at
        self.update()

    def set_state(self, update: FrameUpdate) -> None:
        """New state without a new picture (a seek catching up)."""
        self.update_shown = update
        self.update()

    def set_overlay(self, text: str | None) -> None:
        if text != self.overlay_text:
            self.overlay_text = text
            self.update()

    def update(self) -> None:  # type: ignore[override]
        super().update()
        if self.cue_band_widget is not None:
            self.cue_band_widget.refresh()

    def image_rect(self) -> QRectF:
        area = QRectF(self.rect())
        if self._image is None:
            return area
        iw, ih = self._image.width(), self._image.height()
        scale = min(area.width() / iw, area.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF((area.width() - w) / 2, (area.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        if sip.isdeleted(self):  # a late paint while a closed window is being deleted: nothing to draw on
            return
        # No garbage collection while painting: a collection started by the paint's own allocations can
        # free a closed window that is only held in a reference cycle, and with it this widget, the
        # painter's device, under the painter (seen as a segfault at QPainter.end in the UI tests).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._paint()
        finally:
            if collecting:
                gc.enable()

    def _paint(self) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(12, 12, 12))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = self.image_rect()
        if self._image is not None:
            p.drawImage(rect, self._image)
        self.body_box = None
        self.demo_rect = None
        if self.update_shown is not None:
            iw = self._image.width() if self._image is not None else self.update_shown.pose.width_px
            ih = self._image.height() if self._image is not None else self.update_shown.pose.height_px
            scene = Scene(p, rect, iw, ih, self.config)
            body = skeleton_points(scene, self.update_shown)  # once a paint: box, demonstration, label
            self.body_box = box_around(body)
            self.skeleton.annotate(scene, self.update_shown)
            self.hold_ring.annotate(scene, self.update_shown, self.body_box)
            keep_out = [self.hold_ring.rect] if self.hold_ring.rect is not None else []
            if self.demo is not None:
                self.demo_rect = self._paint_demo(p, rect, keep_out, body)
                keep_out.append(self.demo_rect)
            self.angle.keep_out = keep_out
            self.angle.annotate(scene, self.update_shown, body)
        elif self.demo is not None:
            self.demo_rect = self._paint_demo(p, rect, [])
        if self.overlay_text and not sip.isdeleted(self):
            self._paint_overlay(p, rect)
        p.end()
        if self._stamp is not None:
            now = time.perf_counter()
            self.latencies_s.append(now - self._stamp)
            self.paint_times_s.append(now)
            self.painted_frames += 1
            self._stamp = None

    def _paint_demo(
        self, p: QPainter, rect: QRectF, keep_out: list[QRectF], body: list[QPointF] | None = None
    ) -> QRectF:
        """The demonstration where it hides none of the person: a corner of the picture (top ones
        first), full size, else smaller; where every place covers some of the skeleton (a person
        filling the picture), the place that covers least. Never over the hold ring."""
        assert self.demo is not None
        xy = np.array([(q.x(), q.y()) for q in body or []], dtype=float).reshape(-1, 2)
        full_w = rect.width() * 0.36
        full_h = min(rect.height() * 0.5, full_w * 0.8)
        candidates: list[QRectF] = []
        for share in DEMO_SIZES:
            w, h = full_w * share, full_h * share
            for x, y in (
                (rect.left() + 12, rect.top() + 12),
                (rect.right() - w - 12, rect.top() + 12),
                (rect.left() + 12, rect.bottom() - h - 12),
                (rect.right() - w - 12, rect.bottom() - h - 12),
            ):
                candidates.append(QRectF(x, y, w, h))

        def covered(box: QRectF) -> float:
            x0, y0, x1, y1 = box.left() - 8, box.top() - 8, box.right() + 8, box.bottom() + 8  # line width
            inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
            on_body = int(inside.sum())
            on_ring = sum(_area(box.intersected(other)) for other in keep_out)
            return on_ring * 1000.0 + on_body

        free = [box for box in candidates if covered(box) == 0]
        box = free[0] if free else min(candidates, key=lambda b: (covered(b), -b.width()))
        paint_demonstration(p, box, self.demo, self.demo_t_s(), 0, "How to do it  [D]")
        return box

    def _paint_overlay(self, p: QPainter, rect: QRectF) -> None:
        # A tag at the top of the picture: it must not hide the hold ring; the body is rarely there.
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
        font = _font(self.overlay_px)
        left = (
            rect.left() + 12
            if self.demo_rect is None
            or self.demo_rect.left() > rect.center().x()
            or self.demo_rect.top() > rect.center().y()
            else (self.demo_rect.right() + 12)
        )
        width = max(200.0, min(self.width() * 0.62, self.width() - left - 12))
        area = QRectF(left, 12, width, self.height() * 0.6)
        inner = area.adjusted(18, 10, -18, -10)
        bounds = QFontMetricsF(font).boundingRect(inner, flags, self.overlay_text or "")
        box = QRectF(left, 12, bounds.width() + 36, bounds.height() + 20)
        p.setFont(font)
        p.setPen(QPen(WHITE, 3))
        p.setBrush(QColor(0, 0, 0, 220))
        p.drawRoundedRect(box, 12, 12)
        p.setPen(WHITE)
        p.drawText(box.adjusted(18, 10, -18, -10), flags, self.overlay_text or "")


class CueBand(QWidget):
    """The cue, in glance-size type across the width of the window under the picture and the panel:
    never over the body. It is as tall as the cue needs (two lines at least, so it does not jump for
    the usual short cues; a longer cue makes the picture above it smaller while it is up). A cue too
    long for four glance-size lines (the camera set-up sentences, read while setting up, not from the
    mat) is set in reading size, and only if that does not fit either, smaller."""

    MIN_LINES, MAX_LINES = 2, 4
    MAX_SHARE = 0.42  # of the window's height

    def __init__(self, video: VideoView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.video = video
        video.cue_band_widget = self
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._shown: tuple[str | None, str | None, int, int] | None = None
        self.refresh()

    def _text(self) -> str | None:
        update = self.video.update_shown
        return update.state.cue if update is not None else None

    def layout_for(self, text: str | None, width: int) -> tuple[int, int]:
        """(band height, font px) for ``text`` across ``width``."""
        banner = self.video.cue_banner
        glance = banner.font_px
        line = QFontMetricsF(_font(glance)).lineSpacing()
        least = cue_box_height("▶ Hold", width - 16, glance) + line * (self.MIN_LINES - 1)
        most = cue_box_height("▶ Hold", width - 16, glance) + line * (self.MAX_LINES - 1)
        window = self.window()
        if window is not None and window.height() > 0:
            most = min(most, window.height() * self.MAX_SHARE)
        if not text:
            return int(least) + 8, glance
        shown = cue_text(text, self.video.cue_kind)
        for px in [glance, banner.reading_px, *range(banner.reading_px - 2, 15, -2)]:
            need = cue_box_height(shown, width - 16, px)
            if need <= most or px <= 16:
                return int(min(max(least, need), most)) + 8, px
        return int(most) + 8, 16

    def refresh(self) -> None:
        key = (self._text(), self.video.cue_kind, self.width(), self.video.cue_banner.font_px)
        if key == self._shown:
            return
        self._shown = key
        height, self.video.cue_banner.shown_px = self.layout_for(key[0], max(200, self.width()))
        if height != self.height():
            self.setFixedHeight(height)
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.refresh()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        update = self.video.update_shown
        band = QRectF(self.rect())
        if update is not None:
            scene = Scene(p, band, update.pose.width_px, update.pose.height_px, self.video.config)
            self.video.cue_banner.annotate(scene, update, self.video.cue_kind, band)
        else:
            self.video.cue_banner.box = None
        p.end()


def side_label(side: str) -> str:
    return {"left": "Left", "right": "Right", "both": "Both knees", "all": "Reps"}.get(side, side.title())


class RepCounters(QWidget):
    """Reps done / target per side: one column per side, the count in glance-size type, the side's
    name and the target in reading-size type (sizes from ``apply_text_sizes``)."""

    def __init__(self, target: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.counts: dict[str, int] = {}
        self.good = 0
        self.count_px, self.name_px = 52, 30
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label)
        self.good_label = QLabel()
        self.good_label.setWordWrap(True)
        layout.addWidget(self.good_label)
        self.set_counts({}, 0)

    def apply_text_sizes(self, sizes: TextSizes) -> None:
        self.count_px, self.name_px = sizes.glance_px, sizes.reading_px
        self.good_label.setStyleSheet(f"font-size: {sizes.reading_px}px; color: #ccc;")
        self.label.setText("")
        self.set_counts(dict(self.counts), self.good)

    def set_target(self, target: int) -> None:
        if target != self.target:
            self.target = target
            self.label.setText("")  # redrawn by the next set_counts

    def set_counts(self, counts: Mapping[str, int], good: int) -> None:
        counts = dict(counts)
        if counts == self.counts and good == self.good and self.label.text():
            return
        self.counts, self.good = counts, good
        names, numbers = [], []
        pad = "padding-right:28px"
        for side, n in counts.items():
            done = " ✓" if n >= self.target else ""
            names.append(f"<td style='font-size:{self.name_px}px; color:#ccc; {pad}'>{side_label(side)}</td>")
            numbers.append(
                f"<td style='{pad}; white-space:nowrap'><span style='font-size:{self.count_px}px; "
                f"font-weight:bold'>{n}</span><span style='font-size:{self.name_px}px; color:#bbb'>"
                f"/{self.target}{done}</span></td>"
            )
        self.label.setText(f"<table><tr>{''.join(names)}</tr><tr>{''.join(numbers)}</tr></table>")
        self.good_label.setText(f"good reps: {good}")
        self.good_label.setVisible(sum(counts.values()) > 0)  # nothing to say before the first rep


SETUP_CHECKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("In frame", ("no_person", "body_out_of_frame", "picture_changed")),
    ("Right view", ("wrong_view",)),
    ("Right posture", ("wrong_posture",)),
    ("One person", ("multiple_people",)),
)


def checklist_rows(problems: Mapping[str, str]) -> list[tuple[str, bool, str | None]]:
    """(label, ok, what to change) for the four set-up checks, from ``state.setup_problems``."""
    rows = []
    for label, codes in SETUP_CHECKS:
        message = next((problems[c] for c in codes if c in problems), None)
        rows.append((label, message is None, message))
    return rows


class SetupChecklist(QWidget):
    """In frame, right view, right posture, one person: ✓ or ✗ in reading-size type. The sentence that
    says what to change comes under it in small type (``detail``: for whoever sets the camera up; it
    becomes the cue, in glance size, once the checker says it), and is the first thing a small panel
    leaves out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("font-size: 20px; color: #ffe6a8;")
        self.detail.hide()
        layout.addWidget(self.detail)
        self.row_px, self.note_px = 24, 19
        self._key: tuple[object, ...] | None = None
        self.set_problems({}, ready=False, seen=False)

    def apply_text_sizes(self, sizes: TextSizes) -> None:
        self.row_px, self.note_px = sizes.reading_px, 20
        key, self._key = self._key, None
        if key is not None:
            problems, ready, seen = key
            self.set_problems(dict(problems), bool(ready), bool(seen))  # type: ignore[call-overload]

    def set_problems(self, problems: Mapping[str, str], ready: bool, seen: bool = True) -> None:
        key = (tuple(sorted(problems.items())), ready, seen)
        if key == self._key:
            return
        self._key = key
        self.rows = checklist_rows(problems)
        row, note = self.row_px, self.note_px
        # Notices (a part out of view that only some checks need) do not stop counting: said below.
        notes = "".join(
            f"<div style='font-size:{note}px; color:#ffe6a8'>Note: {problems[c]}</div>"
            for c in sorted(NOTICES)
            if c in problems
        )
        parts = []
        if seen and not set(problems) - NOTICES:
            status = (
                "" if ready else f"<div style='font-size:{note}px; color:#ccc'>keep still a moment…</div>"
            )
            self.label.setText(
                f"<div style='font-size:{row}px; color:#5fdc8a'>✔ Set-up OK</div>{status}" + notes
            )
            return
        if not seen:
            names = ", ".join(label.lower() for label, _, _ in self.rows)
            self.label.setText(
                f"<div style='font-size:{row}px; color:#999'>… Set-up</div>"
                f"<div style='font-size:{note}px; color:#999'>checking {names}</div>"
            )
            return
        # What is wrong in reading size; what is right in one small line, so the panel stays short.
        fine = [label.lower() for label, ok, _ in self.rows if ok]
        for label, ok, _message in self.rows:
            if ok:
                continue
            else:
                # What to change is the cue, in the band under the video: not said twice.
                parts.append(
                    f"<div style='font-size:{row}px; color:#ffb000; font-weight:bold'>✘ {label}</div>"
                )
        if fine:
            parts.append(f"<div style='font-size:{note}px; color:#5fdc8a'>✔ {', '.join(fine)}</div>")
        self.label.setText("".join(parts) + notes)
        self.detail.setText("\n".join(m for _, ok, m in self.rows if not ok and m))


class AsymmetryBar(QWidget):
    """Mean peak angle per side as two bars with numbers, and the sentence when it is flagged."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.peaks: dict[str, float | None] = {"left": None, "right": None}
        self.index_pct: float | None = None
        self.sentence: str | None = None
        self.flagged = False
        self.setMinimumHeight(120)

    def set_summary(self, summary: Mapping[str, object], sentence: str | None) -> None:
        peaks = summary.get("peak_deg_by_side", {})
        assert isinstance(peaks, Mapping)
        self.peaks = {"left": peaks.get("left"), "right": peaks.get("right")}
        index = summary.get("asymmetry_index_pct")
        self.index_pct = float(index) if isinstance(index, int | float) else None
        self.flagged = summary.get("weaker_side") is not None
        self.sentence = sentence
        self.setMinimumHeight(170 if sentence else 120)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setFont(_font(20))
        p.setPen(WHITE)
        title = "Left / right balance"
        if self.index_pct is not None:
            title += f": {self.index_pct:.0f}% apart" + ("  ⚠" if self.flagged else "  ✓")
        p.drawText(QRectF(0, 0, self.width(), 28), Qt.AlignmentFlag.AlignLeft, title)
        values = [v for v in self.peaks.values() if v is not None]
        top = max(values) if values else 1.0
        y = 34.0
        for side in ("left", "right"):
            value = self.peaks[side]
            p.setPen(WHITE)
            p.setFont(_font(20, bold=False))
            p.drawText(QRectF(0, y, 70, 30), Qt.AlignmentFlag.AlignVCenter, side.title())
            bar = QRectF(72, y + 4, self.width() - 72 - 80, 22)
            p.setPen(QPen(QColor(120, 120, 120), 1))
            p.setBrush(QColor(40, 40, 40))
            p.drawRect(bar)
            if value is not None and top > 0:
                fill = QRectF(bar.left(), bar.top(), bar.width() * value / top, bar.height())
                weaker = self.flagged and value < top
                # Each side keeps its own colour in every session (formcheck.palette); the weaker one is
                # hatched and marked with a warning's amber edge, never recoloured.
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(side_color(SCREEN, side)))
                p.drawRect(fill)
                if weaker:
                    p.setBrush(QBrush(QColor(SCREEN.background), Qt.BrushStyle.BDiagPattern))
                    p.setPen(QPen(AMBER, 2))
                    p.drawRect(fill)
            p.setPen(WHITE)
            text = f"{value:.0f}°" if value is not None else "–"
            p.drawText(QRectF(bar.right() + 6, y, 74, 30), Qt.AlignmentFlag.AlignVCenter, text)
            y += 36
        if self.sentence:
            p.setPen(AMBER)
            p.setFont(_font(19))
            p.drawText(
                QRectF(0, y + 2, self.width(), 60),
                Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
                self.sentence,
            )
        p.end()
