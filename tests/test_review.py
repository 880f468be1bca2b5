"""The review window and the HTML/PDF reports, rendered offscreen (QT_QPA_PLATFORM=offscreen in
conftest). Screenshots go to docs/review/ when FORMCHECK_DOCS_SHOTS=1 (they are looked at by a person)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_sessions_support import demo_store

pytest.importorskip("PyQt6")

from ui.review_report import build_html, pdf_bytes, plot_pngs  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs" / "review"
SHOTS = os.environ.get("FORMCHECK_DOCS_SHOTS") == "1"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_store(tmp_path_factory.mktemp("review") / "data", sessions=4, video_last=True)


def test_review_window_shows_the_session_and_scrubs_video_with_the_timeline(qtbot, demo):
    from ui.review import ReviewWindow

    store, ids = demo
    w = ReviewWindow(store)
    qtbot.addWidget(w)
    w.resize(1400, 950)
    w.show()
    w.select(ids[-1])
    assert w.data is not None and w.data.row.id == ids[-1]
    assert "pain stop" in w.header.text() and "Ann Example" in w.header.text()
    assert w.reps.rowCount() == len(w.data.reps) == 4
    assert w.compare.item(1, 3).text() == "NOT MET"  # the pain stop cut the right side short
    assert w.progress_table.rowCount() == 4
    w.seek_time(7.0)
    i = w.slider.value()
    assert abs(w.data.frames.t_s[i] - 7.0) < 0.05
    assert w.timeline.cursor_s == pytest.approx(w.data.frames.t_s[i])
    assert w.pose.image is not None  # the video frame at that moment
    w._rep_clicked(2, 0)
    assert w.timeline.cursor_s == pytest.approx(w.data.reps[2].start_s, abs=0.05)
    w.select(ids[0])  # a session without video shows the skeleton alone
    assert w.pose.image is None and w.data.video_path is None
    if SHOTS:
        w.select(ids[-1])
        w.seek_time(7.0)
        qtbot.wait(50)
        w.grab().save(str(DOCS / "review_window.png"))
        w.tabs.setCurrentIndex(1)
        qtbot.wait(50)
        w.grab().save(str(DOCS / "review_progress.png"))


def test_html_and_pdf_carry_the_same_plots_and_tables(demo, tmp_path):
    store, ids = demo
    data = store.load(ids[-1])
    pngs, rows = plot_pngs(store, data)
    assert set(pngs) == {"timeline", "sides", "progress"} and all(
        p.startswith(b"\x89PNG") for p in pngs.values()
    )
    html = build_html(store, data)
    assert html.count("data:image/png;base64,") == 3 and "Achieved vs prescribed" in html
    pdf = pdf_bytes(store, data)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    if SHOTS:
        (DOCS / "report.html").write_text(html)
        (DOCS / "report.pdf").write_bytes(pdf)
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-r", "70", "-png", str(DOCS / "report.pdf"), str(DOCS / "report_page")],
                check=True,
            )


def test_cli_review_screenshot_and_reports(demo, tmp_path):
    from formcheck.cli import main

    store, ids = demo
    d = str(store.root)
    assert main(["review", ids[1], "--data-dir", d, "--screenshot", str(tmp_path / "shot.png")]) == 0
    assert (tmp_path / "shot.png").read_bytes().startswith(b"\x89PNG")
    assert main(["report", ids[1], "--format", "pdf", "-o", str(tmp_path / "r.pdf"), "--data-dir", d]) == 0
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert main(["report", ids[1], "--format", "html", "-o", str(tmp_path / "r.html"), "--data-dir", d]) == 0
    assert "<img" in (tmp_path / "r.html").read_text()
