"""The review plots, drawn with QPainter so the same code paints the window, the HTML images and the
PDF: the timeline (key angles, phases, reps, faults, pain stops), per-side bars with the asymmetry
index, and progress across sessions. Models come from ``formcheck.sessions.analysis``."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PyQt6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen

from formcheck.palette import PAPER, SCREEN, Theme, side_color, signal_side
from formcheck.sessions.analysis import ProgressPoint, Timeline

__all__ = ["PAPER", "SCREEN", "Theme"]

# The colours come from formcheck.palette (one visual language with the coaching window); PAPER is
# the default surface (reports), the review window draws on SCREEN.
PHASE_ALPHA = {"raising": 40, "hold": 60, "lowering": 45}


def _c(hex_color: str, alpha: int = 255) -> QColor:
    c = QColor(hex_color)
    c.setAlpha(alpha)
    return c


def phase_colors(theme: Theme) -> dict[str, QColor]:
    # Phases are tints of the meanings: raising the accent, hold good, lowering warn.
    boost = 2 if theme is SCREEN else 1  # a tint on black needs more weight to be seen
    return {
        "raising": _c(theme.accent, PHASE_ALPHA["raising"] * boost),
        "hold": _c(theme.good, PHASE_ALPHA["hold"] * boost),
        "lowering": _c(theme.warn, PHASE_ALPHA["lowering"] * boost),
    }


def result_colors(theme: Theme) -> dict[str, QColor]:
    return {
        "good": QColor(theme.good),
        "short_hold": QColor(theme.warn),
        "faulty": QColor(theme.bad),
        "incomplete": QColor(theme.muted),
    }


def line_color(theme: Theme, label: str, i: int) -> QColor:
    """An angle's curve: its side's colour when it has a side, else the both-sides colour, then the
    accent (a second angle without side)."""
    side = signal_side(label)
    if side is not None:
        return QColor(side_color(theme, side))
    return QColor(theme.both if i == 0 else theme.accent)


LINE_COLORS = [QColor(PAPER.left), QColor(PAPER.right), QColor(PAPER.both)]  # PAPER's, for tests


def _font(px: float, bold: bool = False) -> QFont:
    f = QFont("DejaVu Sans")
    f.setPixelSize(max(6, int(px)))
    f.setBold(bold)
    return f


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step) + 1)]


class Axes:
    """Maps data to a rectangle and draws the frame, grid and tick labels."""

    def __init__(
        self, rect: QRectF, x: tuple[float, float], y: tuple[float, float], theme: Theme = PAPER
    ) -> None:
        self.rect, self.x0, self.x1, self.y0, self.y1 = rect, x[0], x[1], y[0], y[1]
        self.theme = theme
        # What was drawn inside the plot (for tests and hit-testing): the rep markers' centres and the
        # number of curve points that fell inside the plot rectangle.
        self.rep_marks: list[QPointF] = []
        self.curve_points_inside = 0

    def px(self, x: float) -> float:
        return self.rect.left() + (x - self.x0) / ((self.x1 - self.x0) or 1.0) * self.rect.width()

    def py(self, y: float) -> float:
        return self.rect.bottom() - (y - self.y0) / ((self.y1 - self.y0) or 1.0) * self.rect.height()

    def x_of(self, px: float) -> float:
        return self.x0 + (px - self.rect.left()) / (self.rect.width() or 1.0) * (self.x1 - self.x0)

    def frame(self, p: QPainter, font_px: float, x_label: str, y_label: str, x_ticks: bool = True) -> None:
        INK, GRID = QColor(self.theme.ink), QColor(self.theme.grid)  # noqa: N806
        p.setFont(_font(font_px))
        p.setPen(QPen(GRID, 1))
        for t in nice_ticks(self.y0, self.y1):
            y = self.py(t)
            p.drawLine(QPointF(self.rect.left(), y), QPointF(self.rect.right(), y))
            p.setPen(INK)
            p.drawText(
                QRectF(self.rect.left() - 60, y - font_px, 56, 2 * font_px),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{t:g}",
            )
            p.setPen(QPen(GRID, 1))
        if x_ticks:
            for t in nice_ticks(self.x0, self.x1, 10):
                x = self.px(t)
                p.setPen(QPen(GRID, 1))
                p.drawLine(QPointF(x, self.rect.top()), QPointF(x, self.rect.bottom()))
                p.setPen(INK)
                p.drawText(
                    QRectF(x - 30, self.rect.bottom() + 2, 60, font_px * 1.6),
                    Qt.AlignmentFlag.AlignHCenter,
                    f"{t:g}",
                )
        p.setPen(QPen(INK, 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(self.rect)
        p.drawText(
            QRectF(self.rect.left(), self.rect.bottom() + font_px * 1.5, self.rect.width(), font_px * 1.6),
            Qt.AlignmentFlag.AlignHCenter,
            x_label,
        )
        p.save()
        p.translate(self.rect.left() - 44, self.rect.center().y())
        p.rotate(-90)
        p.drawText(
            QRectF(-self.rect.height() / 2, -font_px * 1.6, self.rect.height(), font_px * 1.6),
            Qt.AlignmentFlag.AlignHCenter,
            y_label,
        )
        p.restore()


def _polyline(p: QPainter, ax: Axes, xs: np.ndarray, ys: np.ndarray) -> None:
    inside = np.isfinite(ys) & (xs >= min(ax.x0, ax.x1)) & (xs <= max(ax.x0, ax.x1))
    ax.curve_points_inside += int(inside.sum())
    path = QPainterPath()
    pen_down = False
    step = max(1, len(xs) // 2000)  # no more points than pixels
    for x, y in zip(xs[::step], ys[::step], strict=False):
        if not math.isfinite(y):
            pen_down = False
            continue
        pt = QPointF(ax.px(x), ax.py(y))
        if pen_down:
            path.lineTo(pt)
        else:
            path.moveTo(pt)
            pen_down = True
    p.drawPath(path)


def timeline_axes(rect: QRectF, tl: Timeline, font_px: float, theme: Theme = PAPER) -> Axes:
    plot = QRectF(
        rect.left() + 64,
        rect.top() + font_px * 2.6 + 16,
        rect.width() - 80,
        rect.height() - font_px * 6.5 - 16,
    )
    values = [v for s in tl.signals.values() for v in s[np.isfinite(s)].tolist()]
    lo = min([0.0, *values, tl.release_deg if math.isfinite(tl.release_deg) else 0.0])
    hi = max([10.0, *values, tl.target_deg if math.isfinite(tl.target_deg) else 0.0, tl.limit_deg or 0.0])
    pad = 0.08 * (hi - lo)
    return Axes(plot, (tl.start_s, tl.end_s), (lo - pad, hi + 2.2 * pad), theme)  # room for rep labels


def marker_deg(tl: Timeline, rep: dict[str, Any]) -> float:
    """Where a rep's marker sits: on the plotted curve at its peak. A rep's peak angle is a size (a
    right side bend peaks at 21 deg while the signed curve is at -21), so the curve whose value there
    is nearest to it, either sign, gives the height; with no curve there, the peak angle itself."""
    i = int(np.clip(np.searchsorted(tl.t_s, rep["peak_s"]), 0, max(0, len(tl.t_s) - 1)))
    peak = float(rep["peak_deg"])
    here = [float(v[i]) for v in tl.signals.values() if len(v) > i and math.isfinite(v[i])]
    if not here:
        return peak
    return min(here, key=lambda v: abs(abs(v) - peak))


def draw_timeline(
    p: QPainter,
    rect: QRectF,
    tl: Timeline,
    cursor_s: float | None = None,
    font_px: float = 12,
    theme: Theme = PAPER,
) -> Axes:
    INK = QColor(theme.ink)  # noqa: N806
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.fillRect(rect, QColor(theme.background))
    ax = timeline_axes(rect, tl, font_px, theme)
    plot = ax.rect
    phases = phase_colors(theme)
    results = result_colors(theme)
    for span in tl.phases:
        color = phases.get(span.label)
        if color is not None:
            p.fillRect(
                QRectF(
                    ax.px(span.start_s), plot.top(), ax.px(span.end_s) - ax.px(span.start_s), plot.height()
                ),
                color,
            )
    if tl.exercise_span is not None:
        # Outside the exercise (getting into position, between exercises): set apart, and said.
        lo, hi = tl.exercise_span
        veil = _c(theme.muted, 70)
        p.setFont(_font(font_px * 0.8))
        for a, b in ((tl.start_s, lo), (hi, tl.end_s)):
            if b - a > 0.05:
                box = QRectF(ax.px(a), plot.top(), ax.px(b) - ax.px(a), plot.height())
                p.fillRect(box, QBrush(veil, Qt.BrushStyle.Dense6Pattern))
                if box.width() > 70:
                    p.setPen(QColor(theme.muted))
                    p.drawText(
                        box.adjusted(2, 0, -2, -4),
                        Qt.AlignmentFlag.AlignHCenter
                        | Qt.AlignmentFlag.AlignBottom
                        | Qt.TextFlag.TextWordWrap,
                        "between exercises",
                    )
    ax.frame(p, font_px, "time (s)", "angle (deg)")
    p.save()
    p.setClipRect(plot)
    for value, color, label in (
        (tl.target_deg, QColor(theme.good), "target"),
        (tl.release_deg, QColor(theme.release), "release"),
        (tl.limit_deg, QColor(theme.bad), "limit"),
    ):
        if value is None or not math.isfinite(value):
            continue
        p.setPen(QPen(color, 1.2, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(plot.left(), ax.py(value)), QPointF(plot.right(), ax.py(value)))
        p.setFont(_font(font_px * 0.85))
        p.drawText(QPointF(plot.left() + 4, ax.py(value) - 3), f"{label} {value:g}")
    for i, (label, values) in enumerate(tl.signals.items()):
        p.setPen(QPen(line_color(theme, label, i), 1.8))
        _polyline(p, ax, tl.t_s, values)
    # Faults: red bars along the top edge, one row per kind.
    kinds = list(dict.fromkeys(s.label for s in tl.faults))
    row_h = font_px * 1.2
    p.setFont(_font(font_px * 0.8, bold=True))
    for span in tl.faults:
        y = plot.top() + 2 + kinds.index(span.label) * (row_h + 2)
        bar = QRectF(ax.px(span.start_s), y, max(2.0, ax.px(span.end_s) - ax.px(span.start_s)), row_h)
        p.fillRect(bar, _c(theme.bad, 150))
        if bar.width() > 6 * len(span.label):
            p.setPen(QColor("white"))  # on the fault's red, on either surface
            p.drawText(bar.adjusted(3, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, span.label)
    if cursor_s is not None:  # under the rep markers, so a rep's number stays readable at the cursor
        p.setPen(QPen(INK, 1.5))
        p.drawLine(QPointF(ax.px(cursor_s), plot.top()), QPointF(ax.px(cursor_s), plot.bottom()))
    # Reps: a numbered marker at each rep's peak, coloured by its result.
    p.setFont(_font(font_px * 0.9, bold=True))
    for r in tl.reps:
        color = results.get(r["result"], INK)
        at = QPointF(ax.px(r["peak_s"]), ax.py(marker_deg(tl, r)))
        ax.rep_marks.append(at)
        p.setPen(QPen(QColor(theme.background), 1.5))
        p.setBrush(color)
        p.drawEllipse(at, font_px * 0.45, font_px * 0.45)
        side = {"left": "L", "right": "R"}.get(r["side"] or "", "")
        p.setPen(color)
        p.drawText(
            QRectF(at.x() - 30, at.y() - font_px * 2.1, 60, font_px * 1.4),
            Qt.AlignmentFlag.AlignHCenter,
            f"{r['index']}{side}",
        )
    for t in tl.pain_stops:
        p.setPen(QPen(QColor(theme.pain), 2.5))
        p.drawLine(QPointF(ax.px(t), plot.top()), QPointF(ax.px(t), plot.bottom()))
        p.setFont(_font(font_px, bold=True))
        label_w = p.fontMetrics().horizontalAdvance("PAIN STOP")
        x = ax.px(t) + 4 if ax.px(t) + 4 + label_w < plot.right() else ax.px(t) - 4 - label_w
        p.drawText(QPointF(x, plot.bottom() - 6), "PAIN STOP")
    p.restore()
    _timeline_legend(p, rect, tl, font_px, theme)
    return ax


def _timeline_legend(p: QPainter, rect: QRectF, tl: Timeline, font_px: float, theme: Theme) -> None:
    INK = QColor(theme.ink)  # noqa: N806
    items: list[tuple[str, Callable[[QRectF], None]]] = []
    for i, label in enumerate(tl.signals):
        color = line_color(theme, label, i)
        items.append(
            (
                label,
                lambda r, c=color: (
                    p.setPen(QPen(c, 2.5)),
                    p.drawLine(QPointF(r.left(), r.center().y()), QPointF(r.right(), r.center().y())),
                ),
            )
        )  # noqa: E501
    for phase, color in phase_colors(theme).items():
        items.append(
            (
                phase,
                lambda r, c=color: p.fillRect(
                    r, QColor(c.red(), c.green(), c.blue(), min(255, c.alpha() * 3))
                ),
            )
        )
    for result, color in result_colors(theme).items():
        word = {
            "good": "good rep",
            "short_hold": "short hold",
            "faulty": "form fault",
            "incomplete": "not reached",
        }[result]
        items.append(
            (
                word,
                lambda r, c=color: (
                    p.setPen(Qt.PenStyle.NoPen),
                    p.setBrush(c),
                    p.drawEllipse(r.center(), r.height() / 3, r.height() / 3),
                ),
            )
        )  # noqa: E501
    p.setFont(_font(font_px * 0.9))
    x = rect.left() + 64
    y = rect.top() + 4
    for label, swatch in items:
        width = p.fontMetrics().horizontalAdvance(label) + font_px * 2.4 + 10
        if x + width > rect.right():
            x = rect.left() + 64
            y += font_px * 1.4
        box = QRectF(x, y + font_px * 0.15, font_px * 1.6, font_px)
        swatch(box)
        p.setPen(INK)
        p.drawText(QPointF(x + font_px * 2.0, y + font_px), label)
        x += width


SIDE_WORDS = {"all": "all reps", "both": "both sides"}


def fit_lines(p: QPainter, text: str, width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` with the painter's font (a title
    that would be clipped at the plot's edge goes on two lines instead)."""
    fm = p.fontMetrics()
    lines: list[str] = []
    for word in text.split(" "):
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and fm.horizontalAdvance(trial) <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


def side_bars_title(summary: dict[str, Any]) -> str:
    title = "Per side"
    if summary.get("asymmetry_index_pct") is not None:
        title += f": asymmetry index {summary['asymmetry_index_pct']:.0f}\u00a0%"  # a wrap never splits 6 %
        if summary.get("weaker_side"):
            title += f", {summary['weaker_side']} side weaker"
    return title


def draw_side_bars(
    p: QPainter, rect: QRectF, summary: dict[str, Any], font_px: float = 12, theme: Theme = PAPER
) -> list[str]:
    """Mean and best peak angle and mean hold per side, with the asymmetry index. Each side keeps its
    own colour (formcheck.palette); the weaker side is hatched and says so. Returns the title's lines."""
    INK = QColor(theme.ink)  # noqa: N806
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.fillRect(rect, QColor(theme.background))
    sides = [s for s in summary.get("reps_by_side", {}) if summary["reps_by_side"][s]]
    p.setFont(_font(font_px * 1.1, bold=True))
    p.setPen(INK)
    lines = fit_lines(p, side_bars_title(summary), rect.width() - 8)
    line_h = font_px * 1.5
    for k, line in enumerate(lines):
        p.drawText(
            QRectF(rect.left(), rect.top() + k * line_h, rect.width(), line_h),
            Qt.AlignmentFlag.AlignHCenter,
            line,
        )
    if not sides:
        p.setFont(_font(font_px))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "No reps yet.")
        return lines
    panels = (
        ("mean peak angle (deg)", "peak_deg_by_side", "best_peak_deg_by_side", "{:.0f}°"),
        ("mean hold (s)", "hold_s_by_side", None, "{:.1f} s"),
    )
    top = rect.top() + line_h * len(lines) + font_px * 0.6
    h = rect.bottom() - top
    pw = rect.width() / len(panels)
    for k, (label, key, best_key, fmt) in enumerate(panels):
        area = QRectF(rect.left() + k * pw + 10, top, pw - 20, h)
        values = [summary[key].get(s) or 0.0 for s in sides]
        bests = [summary[best_key].get(s) or 0.0 for s in sides] if best_key else values
        vmax = max([*values, *bests, 1e-6]) * 1.15
        p.setFont(_font(font_px * 0.95))
        p.setPen(INK)
        label_lines = fit_lines(p, label, area.width())  # a narrow chart: two lines, never a cut word
        for j, line in enumerate(label_lines):
            p.drawText(
                QRectF(area.left(), area.top() + j * font_px * 1.3, area.width(), font_px * 1.4),
                Qt.AlignmentFlag.AlignHCenter,
                line,
            )
        label_h = font_px * (0.3 + 1.3 * len(label_lines))
        bar_area = QRectF(
            area.left(),
            area.top() + label_h + font_px * 1.4,
            area.width(),
            area.height() - label_h - font_px * 3.2,
        )
        bw = bar_area.width() / (len(sides) * 1.6)
        for i, side in enumerate(sides):
            x = bar_area.left() + (i + 0.3) * bar_area.width() / len(sides)
            bh = values[i] / vmax * bar_area.height()
            color = QColor(side_color(theme, side))
            bar = QRectF(x, bar_area.bottom() - bh, bw, bh)
            p.fillRect(bar, color)
            weaker = summary.get("weaker_side") == side
            if weaker:  # hatched and named, not recoloured: the side keeps its colour
                p.fillRect(bar, QBrush(QColor(theme.background), Qt.BrushStyle.BDiagPattern))
            if best_key:
                yb = bar_area.bottom() - bests[i] / vmax * bar_area.height()
                p.setPen(QPen(INK, 2))
                p.drawLine(QPointF(x - 3, yb), QPointF(x + bw + 3, yb))
                p.setFont(_font(font_px * 0.75))
                p.drawText(QPointF(x + bw + 5, yb + font_px * 0.3), "best")
                p.setFont(_font(font_px * 0.95))
            p.setPen(INK)
            p.drawText(
                QRectF(x - 20, bar_area.bottom() - bh - font_px * 1.5, bw + 40, font_px * 1.4),
                Qt.AlignmentFlag.AlignHCenter,
                fmt.format(values[i]),
            )
            p.drawText(
                QRectF(x - 30, bar_area.bottom() + 2, bw + 60, font_px * 1.5),
                Qt.AlignmentFlag.AlignHCenter,
                SIDE_WORDS.get(side, side) + (" (weaker)" if weaker else ""),
            )
        p.setPen(QPen(INK, 1))
        p.drawLine(QPointF(bar_area.left(), bar_area.bottom()), QPointF(bar_area.right(), bar_area.bottom()))
    return lines


def draw_progress(
    p: QPainter,
    rect: QRectF,
    points: Sequence[ProgressPoint],
    font_px: float = 12,
    current: str | None = None,
    theme: Theme = PAPER,
) -> None:
    """Small multiples across sessions: range of motion, hold time, adherence, pain before/after."""
    INK = QColor(theme.ink)  # noqa: N806
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.fillRect(rect, QColor(theme.background))
    if not points:
        p.setFont(_font(font_px))
        p.setPen(INK)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "No earlier sessions of this exercise.")
        return
    panels: list[tuple[str, list[list[float | None]], list[QColor], tuple[float, float] | None]] = [
        ("range of motion (deg)", [[q.peak_deg for q in points]], [QColor(theme.accent)], None),
        ("hold (s)", [[q.hold_s for q in points]], [QColor(theme.good)], None),
        (
            "adherence (%)",
            [[None if q.adherence is None else 100 * q.adherence for q in points]],
            [QColor(theme.both)],
            (0, 105),
        ),
        (
            "pain 0-10 (grey before, red after)",
            [[q.pain_before for q in points], [q.pain_after for q in points]],
            [QColor(theme.muted), QColor(theme.pain)],
            (0, 10),
        ),
    ]
    pw = rect.width() / len(panels)
    n = len(points)
    for k, (label, series, colors, fixed) in enumerate(panels):
        area = QRectF(
            rect.left() + k * pw + 58, rect.top() + font_px * 2, pw - 72, rect.height() - font_px * 5
        )
        vals = [v for s in series for v in s if v is not None]
        if fixed:
            lo, hi = fixed
        else:
            lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
            pad = max(1.0, 0.15 * (hi - lo))
            lo, hi = max(0.0, lo - pad), hi + pad
        ax = Axes(area, (-0.5, n - 0.5), (lo, hi), theme)
        ax.frame(p, font_px * 0.85, "", "", x_ticks=False)
        p.setFont(_font(font_px * 0.95, bold=True))
        p.setPen(INK)
        p.drawText(
            QRectF(area.left() - 40, rect.top(), area.width() + 40, font_px * 1.6),
            Qt.AlignmentFlag.AlignHCenter,
            label,
        )
        p.setFont(_font(font_px * 0.75))
        every = max(1, n // 6)
        for i, q in enumerate(points):
            if i % every == 0 or i == n - 1:
                p.drawText(
                    QRectF(ax.px(i) - 40, area.bottom() + 2, 80, font_px * 1.3),
                    Qt.AlignmentFlag.AlignHCenter,
                    q.date[5:],
                )
            if current is not None and q.session_id == current:
                p.fillRect(QRectF(ax.px(i) - 4, area.top(), 8, area.height()), _c(theme.warn, 80))
        for s, color in zip(series, colors, strict=True):
            p.setPen(QPen(color, 2))
            prev = None
            for i, v in enumerate(s):
                if v is None:
                    prev = None
                    continue
                pt = QPointF(ax.px(i), ax.py(v))
                if prev is not None:
                    p.drawLine(prev, pt)
                p.setBrush(color)
                p.drawEllipse(pt, 3.5, 3.5)
                prev = pt


def render_png(draw: Callable[[QPainter, QRectF], Any], width: int, height: int, scale: float = 2.0) -> bytes:
    """Draw into an image (at ``scale`` for sharp print) and return PNG bytes (on PAPER's white)."""
    image = QImage(int(width * scale), int(height * scale), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.scale(scale, scale)
    draw(p, QRectF(0, 0, width, height))
    p.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())
