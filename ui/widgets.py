"""The window's widgets: the annotated video, rep counters, set-up checklist, asymmetry bar.

All of them only display what the pipeline decided (``CheckerState`` and events).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping

import numpy as np
from PyQt6.QtCore import QRectF, QSize, Qt
from PyQt6.QtGui import QBrush, QColor, QFontMetricsF, QImage, QPainter, QPaintEvent, QPen
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
)


class VideoView(QWidget):
    """The camera or video frame with the annotators drawn on top, scaled to fit, aspect kept.

    Records, per painted frame, the time since the frame was decoded (frame-to-screen latency).
    """

    def __init__(self, config: ExerciseConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.annotators = [
            SkeletonAnnotator(config.params["visibility_min"]),
            AngleAnnotator(),
            HoldRingAnnotator(),
        ]
        self.cue_banner = CueBannerAnnotator()
        self.cue_kind: str | None = None
        self.overlay_text: str | None = "Starting…"
        self._array: np.ndarray | None = None
        self._image: QImage | None = None
        self.update_shown: FrameUpdate | None = None
        self._stamp: float | None = None
        self.painted_frames = 0
        self.paint_times_s: deque[float] = deque(maxlen=20000)
        self.latencies_s: deque[float] = deque(maxlen=20000)

    def set_config(self, config: ExerciseConfig) -> None:
        self.config = config
        self.annotators[0] = SkeletonAnnotator(config.params["visibility_min"])

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

    def image_rect(self) -> QRectF:
        if self._image is None:
            return QRectF(self.rect())
        iw, ih = self._image.width(), self._image.height()
        scale = min(self.width() / iw, self.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(12, 12, 12))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = self.image_rect()
        if self._image is not None:
            p.drawImage(rect, self._image)
        if self.update_shown is not None:
            iw = self._image.width() if self._image is not None else self.update_shown.pose.width_px
            ih = self._image.height() if self._image is not None else self.update_shown.pose.height_px
            scene = Scene(p, rect, iw, ih, self.config)
            for annotator in self.annotators:
                annotator.annotate(scene, self.update_shown)
            self.cue_banner.annotate(scene, self.update_shown, self.cue_kind)
        if self.overlay_text:
            # A tag in the top-left corner: it must not hide the body or the hold ring.
            flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
            font = _font(max(20, int(self.height() * 0.045)))
            area = QRectF(16, 16, self.width() * 0.62, self.height() * 0.4)
            inner = area.adjusted(18, 10, -18, -10)
            bounds = QFontMetricsF(font).boundingRect(inner, flags, self.overlay_text)
            box = QRectF(16, 16, bounds.width() + 36, bounds.height() + 20)
            p.setFont(font)
            p.setPen(QPen(WHITE, 3))
            p.setBrush(QColor(0, 0, 0, 220))
            p.drawRoundedRect(box, 12, 12)
            p.setPen(WHITE)
            p.drawText(box.adjusted(18, 10, -18, -10), flags, self.overlay_text)
        p.end()
        if self._stamp is not None:
            now = time.perf_counter()
            self.latencies_s.append(now - self._stamp)
            self.paint_times_s.append(now)
            self.painted_frames += 1
            self._stamp = None


def side_label(side: str) -> str:
    return {"left": "Left", "right": "Right", "both": "Both knees", "all": "Reps"}.get(side, side.title())


class RepCounters(QWidget):
    """Reps done / target per side, in large type."""

    def __init__(self, target: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.counts: dict[str, int] = {}
        self.good = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label)
        self.set_counts({}, 0)

    def set_target(self, target: int) -> None:
        if target != self.target:
            self.target = target
            self.label.setText("")  # redrawn by the next set_counts

    def set_counts(self, counts: Mapping[str, int], good: int) -> None:
        counts = dict(counts)
        if counts == self.counts and good == self.good and self.label.text():
            return
        self.counts, self.good = counts, good
        rows = []
        for side, n in counts.items():
            done = "  ✓" if n >= self.target else ""
            rows.append(
                f"<tr><td style='font-size:30px; padding-right:14px'>{side_label(side)}</td>"
                f"<td style='font-size:52px; font-weight:bold'>{n}</td>"
                f"<td style='font-size:30px; color:#bbb'>&nbsp;/ {self.target}{done}</td></tr>"
            )
        good_row = f"<div style='font-size:22px; color:#bbb'>good reps: {good}</div>" if counts else ""
        self.label.setText(f"<table>{''.join(rows)}</table>{good_row}")


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
    """In frame, right view, right posture, one person: ✓ or ✗ with the sentence saying what to do."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label)
        self._key: tuple[object, ...] | None = None
        self.set_problems({}, ready=False, seen=False)

    def set_problems(self, problems: Mapping[str, str], ready: bool, seen: bool = True) -> None:
        key = (tuple(sorted(problems.items())), ready, seen)
        if key == self._key:
            return
        self._key = key
        self.rows = checklist_rows(problems)
        # Notices (a part out of view that only some checks need) do not stop counting: said below.
        notes = "".join(
            f"<div style='font-size:19px; color:#ffe6a8'>Note: {problems[c]}</div>"
            for c in sorted(NOTICES)
            if c in problems
        )
        parts = []
        if seen and not set(problems) - NOTICES:
            names = ", ".join(label.lower() for label, _, _ in self.rows)
            status = "ready ✓" if ready else "keep still a moment…"
            self.label.setText(
                f"<div style='font-size:24px; color:#5fdc8a'>✔ Set-up OK: {status}</div>"
                f"<div style='font-size:17px; color:#aaa'>{names}</div>" + notes
            )
            return
        for label, ok, message in self.rows:
            if not seen:
                parts.append(f"<div style='font-size:24px; color:#999'>… {label}</div>")
            elif ok:
                parts.append(f"<div style='font-size:24px; color:#5fdc8a'>✔ {label}</div>")
            else:
                parts.append(
                    f"<div style='font-size:24px; color:#ffb000; font-weight:bold'>✘ {label}</div>"
                    f"<div style='font-size:21px; color:#ffe6a8; margin-left:28px'>{message}</div>"
                )
        self.label.setText("".join(parts) + notes)


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
