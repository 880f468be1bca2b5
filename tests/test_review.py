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
        pdf_pages_png(DOCS / "report.pdf", DOCS / "report_page")


def pdf_pages_png(pdf: Path, stem: Path) -> None:
    """The PDF's pages as pictures to look at: pdftoppm if installed, else Qt's own PDF renderer."""
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(stem)], check=True)
        return
    from PyQt6.QtCore import QSize
    from PyQt6.QtPdf import QPdfDocument

    doc = QPdfDocument(None)
    doc.load(str(pdf))
    for page in range(doc.pageCount()):
        size = doc.pagePointSize(page)
        doc.render(page, QSize(int(size.width() * 1.2), int(size.height() * 1.2))).save(
            f"{stem}-{page + 1}.png"
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


def _sitting(store):
    """Two exercises of one auto-mode sitting: knee-to-chest, then prone lifts, sharing a sitting id."""
    from synthetic import Script, frames, keyframes
    from test_sessions_support import ListEstimator, PoseListSource

    from formcheck.pipeline import run
    from formcheck.sessions.recorder import Recorder
    from formcheck.spec import load_exercise

    ids = []
    for n, (exercise, script) in enumerate(
        [
            (
                "knee_to_chest",
                Script("supine", 14, {"left_flex": keyframes([(0, 0), (2, 0), (4, 115), (9, 115), (11, 0)])}),
            ),
            (
                "prone_extension",
                Script("prone", 14, {"elev": keyframes([(0, 0), (2, 0), (4, 20), (9, 20), (11, 0)])}),
            ),
        ]
    ):
        config = load_exercise(exercise, None, {"hold_s": 3})
        poses = frames(script)
        rec = Recorder(
            store, config, source_name="camera 0", fps=30.0, patient="Bo", routine_id="routine-ab12"
        )
        run(PoseListSource(poses), ListEstimator(poses), config, sinks=(rec,), prefetch=False)
        with store._db() as db:
            db.execute(
                "UPDATE sessions SET started_at = ? WHERE id = ?",
                (f"2025-04-01T09:0{n}:00+01:00", rec.session_id),
            )
        ids.append(rec.session_id)
    return ids


def test_a_sitting_of_several_exercises_is_reviewed_and_reported_one_after_the_other(qtbot, tmp_path):
    from formcheck.sessions.reports import report_csv_many, sitting_of
    from formcheck.sessions.storage import SessionStore
    from ui.review import ReviewWindow
    from ui.review_report import sitting_html, sitting_pdf_bytes

    store = SessionStore(tmp_path / "data")
    knee, prone = _sitting(store)
    assert sitting_of(store, prone) == [knee, prone]
    w = ReviewWindow(store)
    qtbot.addWidget(w)
    patient = w.tree.topLevelItem(0)
    sitting = patient.child(0)
    assert sitting.text(0).endswith("one sitting, 2 exercises")
    assert [sitting.child(i).data(0, 256) for i in range(2)] == [knee, prone]  # in the order done
    w.tree.setCurrentItem(sitting)  # the sitting opens its first exercise
    assert w.data is not None and w.data.row.id == knee
    w.select(prone)
    assert w.data.row.id == prone

    datas = [store.load(knee), store.load(prone)]
    html = sitting_html(store, datas)
    assert "One sitting, 2 exercises" in html
    assert html.index("Supine knee-to-chest") < html.index("Prone trunk extension")
    assert html.count("<body>") == 1 and html.count("data:image/png;base64,") >= 4
    assert sitting_pdf_bytes(store, datas).startswith(b"%PDF")
    rows = report_csv_many(datas).splitlines()
    assert rows[0].startswith("session") and sum(r.startswith("session") for r in rows) == 1
    assert {r.split(",")[3] for r in rows[1:]} == {"knee_to_chest", "prone_extension"}


def test_report_sitting_from_the_command_line(tmp_path, capsys):
    from formcheck.cli import main
    from formcheck.sessions.storage import SessionStore

    store = SessionStore(tmp_path / "data")
    knee, prone = _sitting(store)
    d = str(store.root)
    out = tmp_path / "sitting.html"
    assert main(["report", prone, "--sitting", "-f", "html", "-o", str(out), "--data-dir", d]) == 0
    assert "2 sessions of one sitting" in capsys.readouterr().out
    assert "One sitting, 2 exercises" in out.read_text()
    assert main(["report", prone, "-f", "csv", "-o", str(tmp_path / "one.csv"), "--data-dir", d]) == 0
    assert "knee_to_chest" not in (tmp_path / "one.csv").read_text()  # without --sitting: that session


def test_playing_follows_the_recordings_own_clock_not_the_frame_count(qtbot, demo):
    """A phone's variable frame rate: frames 1/30 s apart, then 1/10 s apart (dropped in low light).
    Two seconds of play must show the frame recorded two seconds on, not 60 frames on."""
    import numpy as np

    from ui.review import ReviewWindow

    store, ids = demo
    w = ReviewWindow(store)
    qtbot.addWidget(w)
    w.select(ids[-1])
    frames = w.data.frames
    n = len(frames.t_s)
    assert n > 120
    steps = np.where(np.arange(n) < 30, 1 / 30, 1 / 10)
    frames.t_s[:] = np.concatenate([[0.0], np.cumsum(steps[:-1])])
    now = [100.0]
    w.clock = lambda: now[0]
    w.seek_time(0.0)
    w.toggle_play()
    assert w.timer.isActive()
    now[0] += 2.0
    w._advance()
    shown = w.slider.value()
    assert frames.t_s[shown] == pytest.approx(2.0, abs=0.1)  # frame 40; counting frames would give 60
    assert shown < 50
    w.seek_time(0.5)  # moved by hand while playing: play goes on from there
    now[0] += 1.0
    w._advance()
    assert frames.t_s[w.slider.value()] == pytest.approx(1.5, abs=0.1)
    now[0] += 1000.0
    w._advance()
    assert w.slider.value() == w.slider.maximum()
    w._advance()
    assert not w.timer.isActive() and w.play_button.text() == "Play"
