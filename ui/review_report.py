"""HTML and PDF session reports with the review's plots. The HTML is built headless
(``formcheck.sessions.reports``); this module draws the plots and renders the PDF with Qt
(QTextDocument + QPdfWriter), so both formats carry the same plots and tables."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QMarginsF, QSizeF, QUrl
from PyQt6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PyQt6.QtWidgets import QApplication

from formcheck.errors import FormcheckError
from formcheck.sessions.analysis import progress, timeline
from formcheck.sessions.reports import escape, exercise_title, progress_table, report_html
from formcheck.sessions.storage import SessionData, SessionStore
from ui.review_plots import draw_progress, draw_side_bars, draw_timeline, render_png

PLOT_SIZES = {"timeline": (1000, 360), "sides": (640, 260), "progress": (1000, 230)}


_APP: list[QApplication] = []  # keeps the application alive for the process


def ensure_app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # reports draw no window: no display needed
        app = QApplication([])
        _APP.append(app)
    return app  # type: ignore[return-value]


def plot_pngs(store: SessionStore, data: SessionData) -> tuple[dict[str, bytes], list[list[str]]]:
    ensure_app()
    tl = timeline(data)
    points = progress(store, data.row.patient, data.row.exercise)
    summary = (data.row.report or {}).get("summary", {})
    pngs = {
        "timeline": render_png(lambda p, r: draw_timeline(p, r, tl), *PLOT_SIZES["timeline"]),
        "sides": render_png(lambda p, r: draw_side_bars(p, r, summary), *PLOT_SIZES["sides"]),
    }
    rows: list[list[str]] = []
    if len(points) > 1:
        pngs["progress"] = render_png(
            lambda p, r: draw_progress(p, r, points, current=data.row.id), *PLOT_SIZES["progress"]
        )
        rows = progress_table(points)
    return pngs, rows


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise FormcheckError(f"Cannot write {path}: {reason}; choose another path with -o.") from exc


def build_html(store: SessionStore, data: SessionData) -> str:
    pngs, rows = plot_pngs(store, data)

    def src(name: str) -> str | None:
        return "data:image/png;base64," + base64.b64encode(pngs[name]).decode() if name in pngs else None

    return report_html(data, src, rows)


def write_html(store: SessionStore, data: SessionData | list[SessionData], path: Path) -> None:
    datas = data if isinstance(data, list) else [data]
    html = build_html(store, datas[0]) if len(datas) == 1 else sitting_html(store, datas)
    _write(Path(path), html.encode("utf-8"))


def pdf_bytes(store: SessionStore, data: SessionData) -> bytes:
    """Render the same report to A4 PDF: QTextDocument lays out the HTML, the plots are image resources."""
    return sitting_pdf_bytes(store, [data])


def _sitting_parts(
    store: SessionStore, datas: list[SessionData], src: Callable[[int, str, dict[str, bytes]], str | None]
) -> tuple[str, list[dict[str, bytes]]]:
    """One document for several sessions: the first report's head, then each report's body in turn,
    each on a new page, after a line per exercise."""
    all_pngs = []
    bodies = []
    head = ""
    for i, data in enumerate(datas):
        pngs, rows = plot_pngs(store, data)
        all_pngs.append(pngs)
        html = report_html(data, lambda n, i=i, pngs=pngs: src(i, n, pngs), rows)
        start, end = html.index("<body>") + len("<body>"), html.rindex("</body>")
        if i == 0:
            head = html[:start]
        style = " style='page-break-before: always'" if i else ""
        bodies.append(f"<div{style}>{html[start:end]}</div>")
    if len(datas) > 1:
        lines = "".join(
            f"<li>{escape(d.row.started_at[11:16])} {escape(exercise_title(d.row.exercise))} "
            f"({escape(d.row.variant)}): "
            f"{sum(r.result == 'good' for r in d.reps)} good of {len(d.reps)} reps</li>"
            for d in datas
        )
        intro = f"<h1>One sitting, {len(datas)} exercises</h1><ol>{lines}</ol>"
        bodies.insert(0, intro)
    return head + "".join(bodies) + "</body></html>", all_pngs


def sitting_html(store: SessionStore, datas: list[SessionData]) -> str:
    def src(i: int, name: str, pngs: dict[str, bytes]) -> str | None:
        return "data:image/png;base64," + base64.b64encode(pngs[name]).decode() if name in pngs else None

    return _sitting_parts(store, datas, src)[0]


def sitting_pdf_bytes(store: SessionStore, datas: list[SessionData]) -> bytes:
    from PyQt6.QtCore import QBuffer, QByteArray, QIODevice

    ensure_app()
    html, all_pngs = _sitting_parts(
        store, datas, lambda i, name, pngs: f"s{i}_{name}.png" if name in pngs else None
    )
    doc = QTextDocument()
    for i, pngs in enumerate(all_pngs):
        for name, png in pngs.items():
            doc.addResource(
                QTextDocument.ResourceType.ImageResource.value, QUrl(f"s{i}_{name}.png"), QImage.fromData(png)
            )
    doc.setHtml(html)
    out = QByteArray()
    buf = QBuffer(out)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(96)
    writer.setTitle(f"formcheck session {datas[0].row.id}")
    writer.setCreator("formcheck")
    layout = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(layout.width(), layout.height()))
    doc.print(writer)
    buf.close()
    return bytes(out.data())


def write_pdf(store: SessionStore, data: SessionData | list[SessionData], path: Path) -> None:
    _write(Path(path), sitting_pdf_bytes(store, data if isinstance(data, list) else [data]))
