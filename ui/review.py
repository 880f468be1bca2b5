"""The review window: sessions by patient and date; the timeline of key angles (phases shaded, reps,
faults and pain stops marked) scrubbed in step with the recorded video (or the skeleton alone when
no video was kept); the per-rep table; per-side bars; achieved vs prescribed; progress across sessions.

It only reads stored sessions (``formcheck.sessions``) and draws them (``ui.review_plots``)."""

from __future__ import annotations

import html
import math
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PyQt6 import sip
from PyQt6.QtCore import QPointF, QRectF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from formcheck import landmarks as lm
from formcheck.palette import SCREEN
from formcheck.safe_text import printable
from formcheck.sessions.analysis import (
    RESULT_WORDS,
    SIGNAL_LABELS,
    Timeline,
    comparison,
    fault_words,
    length_words,
    progress,
    timeline,
)
from formcheck.sessions.reports import STATUS_WORDS, escape, exercise_title
from formcheck.sessions.storage import SessionData, SessionStore
from ui.review_plots import Axes, draw_progress, draw_side_bars, draw_timeline, result_colors


def _safe(text: object) -> str:
    """File-borne text (a name, a note from an imported session) for a rich-text label: no control
    characters, no markup."""
    return escape(printable(str(text)))


T = SCREEN  # the review is a window like the coaching one: the same dark surface and meanings
STYLE = f"""
QMainWindow, QWidget {{ background: {T.background}; color: {T.ink}; }}
QTreeWidget, QTableWidget {{ background: {T.panel}; color: {T.ink}; alternate-background-color: #1d1d1d;
    gridline-color: {T.grid}; border: 1px solid {T.grid}; selection-background-color: #1f4f7a;
    selection-color: white; }}
QHeaderView::section {{ background: #232323; color: {T.ink}; border: 0; border-right: 1px solid {T.grid};
    padding: 3px 6px; font-weight: bold; }}
QTabWidget::pane {{ border: 1px solid {T.grid}; }}
QTabBar::tab {{ background: #232323; color: {T.muted}; padding: 6px 14px; }}
QTabBar::tab:selected {{ background: {T.panel}; color: {T.ink}; font-weight: bold; }}
QPushButton {{ background: #2a2a2a; color: white; border: 1px solid #777; border-radius: 6px;
    padding: 5px 14px; }}
QSplitter::handle {{ background: {T.grid}; }}
"""


class TimelineView(QWidget):
    """The timeline plot; click or drag to move the cursor (and the video) to that moment."""

    seek = pyqtSignal(float)

    def __init__(self) -> None:
        super().__init__()
        self.tl: Timeline | None = None
        self.cursor_s: float | None = None
        self._axes: Axes | None = None
        self.setMinimumHeight(260)

    def set_timeline(self, tl: Timeline) -> None:
        self.tl, self.cursor_s = tl, tl.start_s
        self.update()

    def set_cursor(self, t_s: float) -> None:
        self.cursor_s = t_s
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        if _gone(self):
            return
        p = QPainter(self)
        if self.tl is None:
            p.fillRect(self.rect(), QColor(T.background))
            p.setPen(QColor(T.muted))
            p.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, "Choose a session on the left.")
        else:
            self._axes = draw_timeline(p, QRectF(self.rect()), self.tl, self.cursor_s, font_px=12, theme=T)
        p.end()

    def mousePressEvent(self, event: QMouseEvent | None) -> None:  # noqa: N802
        if event is not None and self._axes is not None and self.tl is not None:
            t = min(max(self._axes.x_of(event.position().x()), self.tl.start_s), self.tl.end_s)
            self.seek.emit(t)

    mouseMoveEvent = mousePressEvent  # noqa: N815  (dragging scrubs)


class PoseView(QWidget):
    """The recorded video frame (if any) with the recorded skeleton drawn over it."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(240, 200)
        self.data: SessionData | None = None
        self.frame_i = 0
        self.image: QImage | None = None
        self._cap: Any = None
        self._cap_pos = -1
        self.show_skeleton = True

    def close_video(self) -> None:
        if self._cap is not None:
            self._cap.release()
        self._cap, self._cap_pos = None, -1

    def set_session(self, data: SessionData) -> None:
        self.close_video()
        self.data = data
        if data.video_path is not None:
            import cv2

            self._cap = cv2.VideoCapture(str(data.video_path))
        self.show_frame(0)

    def show_frame(self, i: int) -> None:
        self.frame_i = i
        self.image = None
        if self._cap is not None and self.data is not None and len(self.data.frames):
            vi = int(self.data.frames.video_index[i])
            if vi >= 0:
                import cv2

                if vi != self._cap_pos + 1:
                    self._cap.set(cv2.CAP_PROP_POS_FRAMES, vi)
                ok, bgr = self._cap.read()
                self._cap_pos = vi
                if ok:
                    rgb = np.ascontiguousarray(bgr[:, :, ::-1])
                    h, w = rgb.shape[:2]
                    self.image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        if _gone(self):
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(T.panel))
        d = self.data
        if d is None or not len(d.frames):
            p.end()
            return
        w_px = float(d.meta.get("width") or (self.image.width() if self.image else 640))
        h_px = float(d.meta.get("height") or (self.image.height() if self.image else 480))
        scale = min(self.width() / w_px, self.height() / h_px)
        ox, oy = (self.width() - w_px * scale) / 2, (self.height() - h_px * scale) / 2
        if self.image is not None:
            p.drawImage(QRectF(ox, oy, w_px * scale, h_px * scale), self.image)
        i = self.frame_i
        xy, vis = d.frames.xy[i], d.frames.vis[i]
        if self.show_skeleton and d.frames.found[i]:
            p.setPen(QPen(QColor(T.accent), 3))
            for a, b in lm.SKELETON:
                if vis[a] >= 0.5 and vis[b] >= 0.5 and np.isfinite(xy[[a, b]]).all():
                    p.drawLine(
                        QPointF(ox + xy[a, 0] * scale, oy + xy[a, 1] * scale),
                        QPointF(ox + xy[b, 0] * scale, oy + xy[b, 1] * scale),
                    )
            p.setBrush(QColor("white"))
            p.setPen(Qt.PenStyle.NoPen)
            for k in range(lm.COUNT):
                if vis[k] >= 0.5 and np.isfinite(xy[k]).all():
                    p.drawEllipse(QPointF(ox + xy[k, 0] * scale, oy + xy[k, 1] * scale), 3, 3)
        p.setPen(QColor("white"))
        t = float(d.frames.t_s[i])
        angles = ", ".join(
            f"{SIGNAL_LABELS.get(name, name.removesuffix('_deg').replace('_', ' '))} {v:.0f}°"
            for name, v in zip(d.frames.signal_names, d.frames.measurements[i], strict=False)
            if math.isfinite(v)
        )
        note = "" if d.video_path is not None else "  (no video kept: skeleton only)"
        p.drawText(  # wrapped, not cut at the edge
            QRectF(8, 6, self.width() - 16, 40),
            Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
            f"{t:5.1f} s   {angles}{note}",
        )
        p.end()


class PlotView(QWidget):
    def __init__(self, draw: Any, min_h: int = 200) -> None:
        super().__init__()
        self.draw = draw
        self.setMinimumHeight(min_h)

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802
        if _gone(self):
            return
        p = QPainter(self)
        self.draw(p, QRectF(self.rect()))
        p.end()


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)  # type: ignore[union-attr]
    header = t.horizontalHeader()
    assert header is not None
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.verticalHeader().setDefaultSectionSize(22)  # type: ignore[union-attr]
    return t


def _fill(table: QTableWidget, rows: list[list[str]], colors: list[QColor | None] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if colors and colors[r] is not None and c == len(cells) - 2:
                item.setForeground(colors[r])  # type: ignore[arg-type]
            table.setItem(r, c, item)


def _gone(widget: QWidget) -> bool:
    """True once Qt has destroyed the widget: a paint can still arrive while a closed window is being
    deleted, and painting on it then crashes the process."""
    return sip.isdeleted(widget)


class ReviewWindow(QMainWindow):
    def closeEvent(self, event: QCloseEvent | None) -> None:  # noqa: N802
        # Stop repainting and let go of the video before Qt deletes the children.
        self.timer.stop()
        self.pose.close_video()
        super().closeEvent(event)

    def __init__(self, store: SessionStore) -> None:
        super().__init__()
        self.store = store
        self.data: SessionData | None = None
        self.setWindowTitle("formcheck review")
        self.setStyleSheet(STYLE)
        self.resize(1400, 900)

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Sessions"])
        tree_header = self.tree.header()
        assert tree_header is not None
        tree_header.setStretchLastSection(False)
        tree_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemSelectionChanged.connect(self._picked)
        self.header = QLabel("No session chosen.")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.pose = PoseView()
        self.sides = PlotView(lambda p, r: draw_side_bars(p, r, self._summary(), font_px=12, theme=T), 220)
        self.sides.setMinimumWidth(300)  # two panels of two bars, their values and "best" marks
        self.compare = _table(["measure", "prescribed", "achieved", ""])
        compare_header = self.compare.horizontalHeader()
        assert compare_header is not None
        # Every cell whole: columns as wide as their text, the table as tall as its rows (no scrollbars).
        compare_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.compare.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.compare.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.timeline = TimelineView()
        self.timeline.seek.connect(self.seek_time)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.valueChanged.connect(self._slid)
        self.play_button = QPushButton("Play")
        self.play_button.clicked.connect(self.toggle_play)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._advance)
        # Playing follows the recording's own clock (each frame's t_s), so a phone's variable frame
        # rate plays at the speed it was recorded: (wall clock, session time) when play was pressed.
        self.clock: Callable[[], float] = time.monotonic
        self._played_from: tuple[float, float] | None = None
        self._shown_by_play = -1
        self.reps = _table(["rep", "side", "start", "end", "peak", "hold", "result", "form faults"])
        self.reps.cellClicked.connect(self._rep_clicked)
        self._points: list[Any] = []
        self.progress_plot = PlotView(
            lambda p, r: draw_progress(
                p, r, self._points, font_px=12, current=self.data.row.id if self.data else None, theme=T
            ),
            220,
        )
        self.progress_table = _table(
            ["date", "mean peak", "mean hold", "good / reps", "adherence", "pain before / after"]
        )

        compare_box = QVBoxLayout()
        self.compare_label = QLabel("<b>Achieved vs prescribed</b>")
        self.compare_label.setWordWrap(True)
        compare_box.addWidget(self.compare_label)
        compare_box.addWidget(self.compare, 1)
        compare_box.addStretch(0)  # with no table the sentence stays at the top
        self.compare_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        top = QHBoxLayout()
        top.addWidget(self.pose, 3)
        top.addWidget(self.sides, 4)
        holder = QWidget()
        holder.setLayout(compare_box)
        top.addWidget(holder, 4)
        self.compare_holder = holder
        scrub = QHBoxLayout()
        scrub.addWidget(self.play_button)
        scrub.addWidget(self.slider, 1)
        tabs = QTabWidget()
        tabs.addTab(self.reps, "Reps")
        prog = QWidget()
        pl = QVBoxLayout(prog)
        pl.addWidget(self.progress_plot, 3)
        pl.addWidget(self.progress_table, 2)
        tabs.addTab(prog, "Progress across sessions")
        self.tabs = tabs

        main = QWidget()
        v = QVBoxLayout(main)
        v.addWidget(self.header)
        v.addLayout(top, 4)
        v.addWidget(self.timeline, 3)
        v.addLayout(scrub)
        v.addWidget(tabs, 3)
        split = self.split = QSplitter()
        split.addWidget(self.tree)
        split.addWidget(main)
        split.setSizes([300, 1100])
        split.setStretchFactor(0, 0)  # a wider window widens the plots, not the list
        split.setStretchFactor(1, 1)
        self.setCentralWidget(split)
        self.reload()

    # --- the session list ------------------------------------------------------------------------

    def reload(self) -> None:
        """Sessions by patient, newest first; the exercises of one sitting (auto mode, or a routine) are
        grouped under it, one after the other in the order they were done."""
        self.tree.clear()
        by_patient: dict[str, QTreeWidgetItem] = {}
        sittings: dict[str, QTreeWidgetItem] = {}
        rows = self.store.list_sessions()
        for row in reversed(rows):
            parent = by_patient.get(row.patient)
            if parent is None:
                parent = by_patient[row.patient] = QTreeWidgetItem([printable(row.patient)])
                self.tree.addTopLevelItem(parent)
            if row.routine_id:
                sitting = sittings.get(row.routine_id)
                if sitting is None:
                    sitting = sittings[row.routine_id] = QTreeWidgetItem([""])
                    sitting.setData(0, Qt.ItemDataRole.UserRole, None)
                    parent.addChild(sitting)
                parent = sitting
            reps = (
                ""
                if row.report is None
                else f", {row.report['summary']['good_reps']}/{len(row.report['reps'])} good"
            )
            flag = "" if row.status == "complete" else f" [{row.status}]"
            # Under a sitting (which gives the date), an exercise needs only its time of day.
            when = row.started_at[11:16] if row.routine_id else row.started_at[:16].replace("T", " ")
            item = QTreeWidgetItem(
                [printable(f"{when}  {exercise_title(row.exercise)} ({row.variant}){reps}{flag}")]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, row.id)
            item.setToolTip(0, _safe(f"session {row.id} ({row.variant}, {row.kind}, {row.source})"))
            if parent in sittings.values():
                parent.insertChild(0, item)  # newest-first listing: earlier exercises go above
            else:
                parent.addChild(item)
        for rid, sitting in sittings.items():
            first = next(r for r in rows if r.routine_id == rid)  # rows are in the order done
            start = first.started_at[:16].replace("T", " ")
            sitting.setText(0, f"{start}  one sitting, {sitting.childCount()} exercises")
        self.tree.expandAll()
        self.fit_tree()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        self.fit_tree()  # the splitter has its real width only now
        self.fit_compare()

    def fit_compare(self) -> None:
        """The achieved-vs-prescribed table as tall as its rows and its column as wide as the table."""
        if _gone(self) or _gone(self.compare):
            return
        t = self.compare
        t.resizeColumnsToContents()
        header = t.horizontalHeader()
        rows = t.verticalHeader()
        assert header is not None and rows is not None
        width = header.length() + 2 * t.frameWidth()
        t.setFixedHeight(header.height() + rows.length() + 2 * t.frameWidth())
        t.setMinimumWidth(width)
        self.compare_holder.setMinimumWidth(width + 24)

    def fit_tree(self) -> None:
        """Whole names: the list is as wide as its longest line (up to half the window), and scrolls
        sideways beyond that rather than cutting names short."""
        self.tree.resizeColumnToContents(0)
        want = self.tree.columnWidth(0) + self.tree.frameWidth() * 2 + 24
        sizes = self.split.sizes()
        total = sum(sizes) or self.width()
        tree_w = min(want, total // 2)
        if sizes and sizes[0] != tree_w:
            self.split.setSizes([tree_w, total - tree_w])

    def _picked(self) -> None:
        items = self.tree.selectedItems()
        if not items:
            return
        item = items[0]
        sid = item.data(0, Qt.ItemDataRole.UserRole)
        if not sid and item.childCount() and item.parent() is not None:  # a sitting: its first exercise
            first = item.child(0)
            sid = first.data(0, Qt.ItemDataRole.UserRole) if first is not None else None
        if sid:
            self.open_session(sid)

    def _items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is None:
                continue
            out.append(item)
            stack.extend(item.child(j) for j in range(item.childCount()))
        return out

    def select(self, session_id: str) -> None:
        for item in self._items():
            if item.data(0, Qt.ItemDataRole.UserRole) == session_id:
                self.tree.setCurrentItem(item)
                return

    # --- one session -----------------------------------------------------------------------------

    def _summary(self) -> dict[str, Any]:
        return (self.data.row.report or {}).get("summary", {}) if self.data else {}

    def open_session(self, session_id: str) -> None:
        self.timer.stop()
        self.play_button.setText("Play")
        d = self.data = self.store.load(session_id)
        row = d.row
        report = row.report or {}
        pains = [(e.when, e.score) for e in d.events if type(e).__name__ == "PainScore"]
        before = next((s for w, s in pains if w == "before"), None)
        after = next((s for w, s in reversed(pains) if w != "before"), None)
        pain = f"pain {'-' if before is None else before} before, {'-' if after is None else after} after"
        if before is not None and after is not None and after > before:
            pain = f"<span style='color:{T.bad}'><b>{pain} (rose)</b></span>"
        stops = [e.t_s for e in d.events if type(e).__name__ == "PainStop"]
        stop_text = (
            f" &middot; <span style='color:{T.bad}'><b>pain stop at "
            + ", ".join(f"{t:.1f} s" for t in stops)
            + "</b></span>"
            if stops
            else ""
        )
        asym = report.get("asymmetry_text") or ""
        self.header.setText(
            f"<span style='font-size:15pt'><b>{_safe(row.patient)}</b>: "
            f"{_safe(exercise_title(row.exercise))} ({_safe(row.variant)})</span><br>"
            f"{_safe(row.started_at[:16].replace('T', ' '))} &middot; "
            f"{html.escape(length_words(d))} &middot; "
            f"{_safe(STATUS_WORDS.get(row.status, row.status))} &middot; "
            f"good reps {report.get('summary', {}).get('good_reps', 0)} "
            f"of {len(d.reps)} &middot; {pain}{stop_text}"
            + (f"<br><b>{_safe(asym)}</b>" if asym else "")
            + (f"<br><i>{_safe(row.message)}</i>" if row.message else "")
        )
        self.timeline.set_timeline(timeline(d))
        self.pose.set_session(d)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, len(d.frames) - 1))
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        by_result = result_colors(T)
        colors: list[QColor | None] = [by_result.get(r.result, QColor(T.ink)) for r in d.reps]
        _fill(
            self.reps,
            [
                [
                    str(r.index),
                    r.side or "-",
                    f"{r.start_s:.1f} s",
                    "-" if r.end_s is None else f"{r.end_s:.1f} s",
                    f"{r.peak_deg:.0f}°",
                    f"{r.hold_s:.1f} s",
                    RESULT_WORDS.get(r.result, r.result),
                    ", ".join(fault_words(c) for c in r.faults) or "-",
                ]
                for r in d.reps
            ],
            colors,
        )
        comp = comparison(d)
        if comp is None:
            # No empty table with a scrollbar: the sentence alone, at the top of its column.
            self.compare_label.setText(
                "<b>Achieved vs prescribed</b><br>No prescription for this session: nothing to compare with."
            )
            _fill(self.compare, [])
            self.compare.hide()
        else:
            self.compare.show()
            self.compare_label.setText(f"<b>Achieved vs prescribed</b>: {_safe(comp.item.describe())}")
            _fill(
                self.compare,
                [[m, want, got, "met" if ok else "NOT MET"] for m, want, got, ok in comp.rows],
                None,
            )
            for r, (*_, ok) in enumerate(comp.rows):
                item = self.compare.item(r, 3)
                if item is not None:
                    item.setForeground(QColor(T.good) if ok else QColor(T.bad))
            self.fit_compare()
            QTimer.singleShot(0, self.fit_compare)  # again once the header's style has been applied
        from formcheck.sessions.reports import progress_table

        self._points = progress(self.store, row.patient, row.exercise)
        _fill(self.progress_table, progress_table(self._points))
        self.sides.update()
        self.progress_plot.update()

    # --- scrubbing -------------------------------------------------------------------------------

    def frame_at(self, t_s: float) -> int:
        assert self.data is not None
        return int(np.clip(np.searchsorted(self.data.frames.t_s, t_s), 0, max(0, len(self.data.frames) - 1)))

    def seek_time(self, t_s: float) -> None:
        if self.data is not None and len(self.data.frames):
            self.slider.setValue(self.frame_at(t_s))

    def _slid(self, i: int) -> None:
        if self.data is None or not len(self.data.frames):
            return
        self.pose.show_frame(i)
        self.timeline.set_cursor(float(self.data.frames.t_s[i]))
        if self.timer.isActive() and i != self._shown_by_play:  # moved by hand while playing: on from there
            self._played_from = (self.clock(), float(self.data.frames.t_s[i]))
            self._shown_by_play = i

    def _rep_clicked(self, r: int, c: int) -> None:
        if self.data is not None and r < len(self.data.reps):
            self.seek_time(self.data.reps[r].start_s)

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.play_button.setText("Play")
        elif self.data is not None and len(self.data.frames):
            if self.slider.value() >= self.slider.maximum():
                self.slider.setValue(0)  # play again from the start
            self._played_from = (self.clock(), float(self.data.frames.t_s[self.slider.value()]))
            self._shown_by_play = self.slider.value()
            fps = float(self.data.meta.get("fps") or 30.0)
            self.timer.start(max(10, int(1000 / max(fps, 1.0))))  # a tick a frame; the clock picks which
            self.play_button.setText("Pause")

    def _advance(self) -> None:
        """Show the last frame recorded by now on the recording's clock; stop after the last one."""
        if self.data is None or self._played_from is None or self.slider.value() >= self.slider.maximum():
            if self.timer.isActive():
                self.toggle_play()
            return
        t_s = self.data.frames.t_s
        started, from_s = self._played_from
        now_s = from_s + (self.clock() - started)
        i = int(np.searchsorted(t_s, now_s, side="right")) - 1
        self._shown_by_play = int(np.clip(i, self.slider.value(), self.slider.maximum()))
        self.slider.setValue(self._shown_by_play)


def main(
    store: SessionStore,
    session_id: str | None = None,
    screenshot: str | None = None,
    exit_after_s: float | None = None,
) -> int:
    if screenshot and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.qt_app import make_app

    app = make_app()
    window = ReviewWindow(store)
    window.show()
    if session_id:
        window.select(session_id)
    if screenshot:
        app.processEvents()  # type: ignore[union-attr]
        window.grab().save(screenshot)
        return 0
    if exit_after_s is not None:
        QTimer.singleShot(int(exit_after_s * 1000), window.close)
    return int(app.exec())  # type: ignore[union-attr]
