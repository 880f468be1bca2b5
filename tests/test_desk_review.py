"""The therapist's desk (issue 18): a routine file's later exercises are drawn in the review and the
reports, sessions are dated by when they were done and listed in that order with whole names, and
text for people carries words, never internal codes. Offscreen Qt, real SQLite, real files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PyQt6")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"


def _routine_track():
    """Knee-to-chest (two reps) then prone lifts (two reps) in one file: the second exercise's reps sit
    at about 30-45 s on the file's clock."""
    from synthetic import Morph, Script, const, keyframes, sequence

    from formcheck.segments import PoseTrack

    ears = {"ears": const(1.0)}
    k2c = Script(
        "supine",
        22,
        {
            "left_flex": keyframes([(0, 0), (3, 0), (4.5, 120), (8.5, 120), (10, 0)]),
            "right_flex": keyframes([(0, 0), (12, 0), (13.5, 120), (17.5, 120), (19, 0)]),
            **ears,
        },
        jitter_px=0.5,
    )
    prone = Script(
        "prone",
        22,
        {
            "elev": keyframes(
                [(0, 0), (3, 0), (4.5, 20), (9, 20), (10.5, 0), (12, 0), (13.5, 20), (18, 20), (19.5, 0)]
            ),
            **ears,
        },
    )
    poses = sequence(k2c, Morph(3.0), prone)
    return PoseTrack("routine.mp4", 30.0, 640, 480, poses)


@pytest.fixture(scope="module")
def sitting(tmp_path_factory):
    """The synthetic routine recorded as one sitting from a real file whose modification time says the
    recording ended at 2024-03-05 10:00:47 local time (its length, 47 s, after it began)."""
    from formcheck import segments
    from formcheck.sessions.commands import record_recording
    from formcheck.sessions.storage import SessionStore

    root = tmp_path_factory.mktemp("desk")
    track = _routine_track()
    video = root / "routine.mp4"
    video.write_bytes(b"not a real container: the modification time is the rule that applies")
    began = datetime(2024, 3, 5, 10, 0, 0).astimezone()
    end = began.timestamp() + track.duration_s
    os.utime(video, (end, end))
    mp = pytest.MonkeyPatch()
    mp.setattr(segments, "track_poses", lambda v, model=None, progress=None: track)
    try:
        store = SessionStore(root / "data")
        ids, report, _ = record_recording(store, video, settings={"hold_s": 3.0})
    finally:
        mp.undo()
    assert [s["exercise"] for s in report["segments"]] == ["knee_to_chest", "prone_extension"]
    return store, ids, report, began


def _plot_pixels(image, rect, color, tol: int = 40) -> int:
    """How many pixels inside ``rect`` are close to ``color`` (the curve's colour)."""
    from PyQt6.QtGui import QImage

    img = image.convertToFormat(QImage.Format.Format_RGB32)
    w, h = img.width(), img.height()
    ptr = img.constBits()
    ptr.setsize(h * w * 4)
    arr = np.frombuffer(ptr, np.uint8).reshape(h, w, 4)
    x0, y0 = max(0, int(rect.left())), max(0, int(rect.top()))
    x1, y1 = min(w, int(rect.right())), min(h, int(rect.bottom()))
    sub = arr[y0:y1, x0:x1, :3].astype(int)  # BGRA in memory
    want = np.array([color.blue(), color.green(), color.red()])
    return int((np.abs(sub - want).sum(axis=2) < tol).sum())


def test_every_exercise_of_a_routine_file_draws_its_curve_and_rep_markers(sitting, qtbot):
    """The second exercise's reps sit at 30-45 s on the file's clock: the axis covers them, each rep
    has a marker inside the plot, the curve is drawn (in the plot data and in the picture), in the
    review window and in the report's plot."""
    from PyQt6.QtCore import QRectF
    from PyQt6.QtGui import QColor, QImage, QPainter

    from formcheck.palette import PAPER, SCREEN
    from formcheck.sessions.analysis import timeline
    from ui.review import ReviewWindow
    from ui.review_plots import draw_timeline, line_color
    from ui.review_report import plot_pngs

    store, ids, _, _ = sitting
    prone = store.load(ids[1])
    assert min(r.peak_s for r in prone.reps) > 25.0  # the case of the issue: nowhere near 0
    for sid in ids:
        data = store.load(sid)
        tl = timeline(data)
        image = QImage(1000, 360, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        p = QPainter(image)
        ax = draw_timeline(p, QRectF(0, 0, 1000, 360), tl)
        p.end()
        assert len(data.reps) == 2
        for r in data.reps:
            assert ax.x0 <= r.start_s and r.end_s <= ax.x1
        assert len(ax.rep_marks) == len(data.reps)
        assert all(ax.rect.contains(m) for m in ax.rep_marks)
        assert ax.curve_points_inside > 100
        curve = line_color(PAPER, next(iter(tl.signals)), 0)  # the first angle's colour
        assert _plot_pixels(image, ax.rect, curve) > 200  # the curve is in the picture
        # The report draws the same plot: its PNG has the curve too.
        pngs, _ = plot_pngs(store, data)
        report_image = QImage.fromData(pngs["timeline"])
        scale = report_image.width() / 1000
        plot = QRectF(
            ax.rect.left() * scale, ax.rect.top() * scale, ax.rect.width() * scale, ax.rect.height() * scale
        )
        assert _plot_pixels(report_image, plot, curve) > 200
    w = ReviewWindow(store)
    qtbot.addWidget(w)
    w.resize(1400, 950)
    w.show()
    w.select(ids[1])
    qtbot.wait(20)
    shot = w.timeline.grab().toImage()
    ax = w.timeline._axes
    assert ax is not None and len(ax.rep_marks) == 2 and all(ax.rect.contains(m) for m in ax.rep_marks)
    label = next(iter(w.timeline.tl.signals))
    assert _plot_pixels(shot, ax.rect, line_color(SCREEN, label, 0)) > 100
    w.seek_time(prone.reps[1].peak_s)  # scrubbing reaches the reps on the file's clock
    assert w.timeline.cursor_s == pytest.approx(prone.reps[1].peak_s, abs=0.05)


def test_a_routine_file_s_exercises_are_dated_when_they_were_done(sitting):
    """Each exercise: the recording's start (file modification time less its length) plus the
    segment's start."""
    from formcheck.sessions.analysis import length_words

    store, ids, report, began = sitting
    rows = {r.id: r for r in store.list_sessions()}
    for sid, seg in zip(ids, report["segments"], strict=True):
        done = datetime.fromisoformat(rows[sid].started_at)
        assert abs(done.timestamp() - (began.timestamp() + seg["start_s"])) <= 1.0
        # The session holds the segment as the recording's text gives it: one span, one length.
        stored = rows[sid].report
        assert (stored["start_s"], stored["end_s"]) == (seg["start_s"], seg["end_s"])
        assert length_words(store.load(sid)).startswith(f"{seg['end_s'] - seg['start_s']:.1f} s, ")
        for i in stored["faults"] + stored["setup"]:
            assert i["start_s"] <= seg["end_s"] and (i["end_s"] or seg["end_s"]) >= seg["start_s"]


def _with_creation_time(src: Path, dst: Path, when: str) -> Path:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is needed to write a container's creation_time")
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-y",
            "-i",
            str(src),
            "-t",
            "3",
            "-c",
            "copy",
            "-metadata",
            f"creation_time={when}",
            str(dst),
        ],
        check=True,
    )
    return dst


def test_a_recording_began_at_its_container_creation_time_else_its_modification_time(tmp_path):
    from formcheck.sessions.recorder import recording_began

    clip = _with_creation_time(
        SAMPLES / "empty_room.mp4", tmp_path / "tagged.mp4", "2023-06-01T08:15:00.000000Z"
    )
    os.utime(clip, (1_700_000_000, 1_700_000_000))  # the creation time wins over the file's
    assert (
        recording_began(clip, 3.0).timestamp()
        == datetime.fromisoformat("2023-06-01T08:15:00+00:00").timestamp()
    )
    plain = tmp_path / "plain.mp4"
    shutil.copy(SAMPLES / "empty_room.mp4", plain)  # no creation_time in the sample clips
    os.utime(plain, (1_700_000_000, 1_700_000_000))
    assert recording_began(plain, 10.0).timestamp() == pytest.approx(1_700_000_000 - 10.0)


def test_sessions_are_listed_in_the_order_done_with_whole_names(sitting, tmp_path, capsys):
    """A single-exercise recording takes its file's time too (not the analysis time); the list is in
    the order done even across UTC offsets; names are whole."""
    from formcheck.cli import main
    from formcheck.sessions.storage import SessionStore

    store, ids, _, _ = sitting
    data = tmp_path / "data"
    shutil.copytree(store.root, data)
    clip = _with_creation_time(SAMPLES / "empty_room.mp4", tmp_path / "morning.mp4", "2024-03-05T07:30:00Z")
    assert (
        main(
            [
                "sessions",
                "record",
                str(clip),
                "-e",
                "prone_extension",
                "--variant",
                "superman",
                "--patient",
                "Bartholomew Longname-Smith",
                "--data-dir",
                str(data),
            ]
        )
        == 0
    )
    capsys.readouterr()
    s2 = SessionStore(data)
    single = s2.last_recorded()
    assert single is not None and single not in ids
    row = s2.get_row(single)
    assert (
        datetime.fromisoformat(row.started_at).timestamp()
        == datetime.fromisoformat("2024-03-05T07:30:00+00:00").timestamp()
    )
    # 09:45 at UTC+03:00 is 06:45 UTC: done before the single recording (07:30 UTC) although its text
    # sorts after it.
    with s2._db() as db:
        db.execute("UPDATE sessions SET started_at = ? WHERE id = ?", ("2024-03-05T09:45:00+03:00", ids[0]))
    order = [r.id for r in s2.list_sessions()]
    assert order.index(ids[0]) < order.index(single)
    assert sorted(order, key=lambda i: datetime.fromisoformat(s2.get_row(i).started_at).timestamp()) == order
    assert main(["sessions", "list", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "prone_extension (superman)" in out and "Bartholomew Longname-Smith" in out
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    assert listed == order


# --- plain words ------------------------------------------------------------------------------------


def _known_codes() -> tuple[set[str], set[str]]:
    """Every fault code of every exercise file, and every set-up code the checks can raise (read from
    their source, so a new one without a word is caught)."""
    from formcheck import setup_check
    from formcheck.spec import available_exercises, load_spec

    faults = {f.code for path in available_exercises().values() for f in load_spec(path).faults}
    setup = {setup_check.PARTIAL_VIEW}
    for module in ("setup_check.py", "checker.py"):
        text = (ROOT / "formcheck" / module).read_text()
        setup |= set(re.findall(r'(?:problems|raw)\["([a-z_]+)"\]', text))
    return faults, setup


def test_every_code_has_words():
    from formcheck.words import FAULT_WORDS, RESULT_WORDS, SETUP_WORDS

    faults, setup = _known_codes()
    assert {"feet_width", "head_lift"} <= faults and {"body_out_of_frame", "picture_changed"} <= setup
    assert faults <= set(FAULT_WORDS), faults - set(FAULT_WORDS)
    assert setup <= set(SETUP_WORDS), setup - set(SETUP_WORDS)
    assert {"good", "short_hold", "faulty", "incomplete"} <= set(RESULT_WORDS)


def _codes_in(text: str, codes: set[str]) -> list[str]:
    return sorted(c for c in codes if re.search(rf"(?<![A-Za-z0-9]){re.escape(c)}(?![A-Za-z0-9])", text))


def test_no_internal_code_in_text_for_people(sitting):
    """A report with every fault and set-up code and every rep result, printed for the terminal (one
    exercise, and a whole recording), written as HTML, and shown in the review's rep table: no code."""
    import dataclasses

    from formcheck.events import Rep
    from formcheck.report import format_text
    from formcheck.segments import format_recording_text
    from formcheck.sessions.reports import report_html
    from formcheck.words import RESULT_WORDS

    faults, setup = _known_codes()
    codes = (faults | setup | {c for c in RESULT_WORDS if "_" in c}) - {"good"}
    store, ids, report, _ = sitting
    seg = dict(report["segments"][1])
    seg["faults"] = [
        {"code": c, "start_s": 31.0 + k, "end_s": 31.5 + k} for k, c in enumerate(sorted(faults))
    ]
    seg["setup"] = [{"code": c, "start_s": 30.0, "end_s": 30.5} for c in sorted(setup)]
    seg["reps"] = [
        {**seg["reps"][0], "index": k + 1, "result": res, "faults": sorted(faults)}
        for k, res in enumerate(RESULT_WORDS)
    ]
    whole = {**report, "segments": [report["segments"][0], seg], "between": seg["setup"][:2]}
    data = store.load(ids[1])
    reps = [
        dataclasses.replace(data.reps[0], index=k + 1, result=res, faults=tuple(sorted(faults)))
        for k, res in enumerate(RESULT_WORDS)
    ]
    assert all(isinstance(r, Rep) for r in reps)
    data = dataclasses.replace(data, row=dataclasses.replace(data.row, report=seg), reps=reps)
    html = report_html(data)
    for text in (format_text(seg), format_recording_text(whole), html):
        assert _codes_in(text, codes) == []
    # The JSON keeps the codes.
    assert "feet_width" in str(seg)


def test_intervals_are_listed_under_the_segment_they_fall_in(sitting):
    from formcheck.segments import format_recording_text

    _, _, report, _ = sitting
    for seg in report["segments"]:
        for i in seg["faults"] + seg["setup"]:
            end = i["end_s"] if i["end_s"] is not None else seg["end_s"]
            assert i["start_s"] <= seg["end_s"] and end >= seg["start_s"], (i, seg["start_s"], seg["end_s"])
    text = format_recording_text(report)
    # One figure for a segment's length: its heading's span, and no other length in its block.
    for n, seg in enumerate(report["segments"], 1):
        block = text.split(f"== Segment {n}:")[1].split("== Segment")[0]
        assert f"{seg['end_s'] - seg['start_s']:.1f} s)" in block.splitlines()[0]
        assert f"{seg['duration_s']:.1f} s" not in block.replace(block.splitlines()[0], "") or (
            abs(seg["duration_s"] - (seg["end_s"] - seg["start_s"])) < 0.05
        )


# --- the review window ------------------------------------------------------------------------------


def test_review_window_shows_whole_titles_and_names_and_no_empty_table(sitting, qtbot):
    """The per-side title fits its chart (QFontMetrics against the widget's width), every session name
    in the tree is whole and in view, and a session without a prescription shows a sentence, not an
    empty table."""
    from PyQt6.QtCore import QRectF
    from PyQt6.QtGui import QFontMetrics, QImage, QPainter

    from formcheck.palette import SCREEN
    from ui.review import ReviewWindow
    from ui.review_plots import _font, draw_side_bars

    store, ids, _, _ = sitting
    w = ReviewWindow(store)
    qtbot.addWidget(w)
    w.resize(1400, 950)
    w.show()
    w.select(ids[0])
    qtbot.wait(20)
    summary = {
        "reps_by_side": {"left": 5, "right": 5},
        "peak_deg_by_side": {"left": 118.0, "right": 93.0},
        "best_peak_deg_by_side": {"left": 121.0, "right": 99.0},
        "hold_s_by_side": {"left": 9.5, "right": 7.0},
        "asymmetry_index_pct": 23.7,
        "weaker_side": "right",
    }
    width, height = w.sides.width(), w.sides.height()
    assert width > 100
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    p = QPainter(image)
    lines = draw_side_bars(p, QRectF(0, 0, width, height), summary, 12, SCREEN)
    p.end()
    assert " ".join(lines).endswith("right side weaker")
    fm = QFontMetrics(_font(12 * 1.1, bold=True))
    assert all(fm.horizontalAdvance(line) <= width for line in lines), (lines, width)

    assert w.compare.isHidden() and "No prescription" in w.compare_label.text()

    assert_tree_names_whole(w)
    assert any("Prone trunk extension" in i.text(0) for i in w._items())


def assert_tree_names_whole(w) -> None:
    from PyQt6.QtGui import QFontMetrics

    viewport = w.tree.viewport()
    assert viewport is not None
    fm = QFontMetrics(w.tree.font())
    for item in w._items():
        rect = w.tree.visualItemRect(item)
        text = item.text(0)
        assert rect.left() + fm.horizontalAdvance(text) <= viewport.width(), (text, viewport.width())
        assert rect.width() >= fm.horizontalAdvance(text), text


def test_names_stay_whole_beside_a_prescription_table(tmp_path, qtbot):
    """With a prescription the comparison table takes its room too: the names stay whole and the
    table's cells too (no horizontal scrolling), in a 1400 px window."""
    from test_sessions_support import demo_store

    from ui.review import ReviewWindow

    store, ids = demo_store(tmp_path / "data", sessions=2)
    w = ReviewWindow(store)
    qtbot.addWidget(w)
    w.resize(1400, 950)
    w.show()
    w.select(ids[-1])
    qtbot.wait(20)
    assert not w.compare.isHidden() and w.compare.rowCount() >= 3
    assert_tree_names_whole(w)
    header = w.compare.horizontalHeader()
    assert header.length() <= w.compare.viewport().width() + 1


def test_one_exercise_over_a_routine_says_when_the_person_was_in_another_position():
    """-e knee_to_chest over knee-to-chest then prone lifts: the prone stretch is marked
    not_in_position, none of knee-to-chest's faults is reported in it, and a note says so in words."""
    from formcheck.analyze import _PoseKeeper
    from formcheck.report import build_report, format_text
    from formcheck.segments import check_poses
    from formcheck.spec import load_exercise

    track = _routine_track()
    config = load_exercise("knee_to_chest", "single", {"hold_s": 3.0})
    keeper = _PoseKeeper()
    result = check_poses(track, config, sinks=(keeper,))
    assert len(keeper.poses) == len(track.poses)
    marked = [i for i in result.setup if i.code == "not_in_position"]
    assert len(marked) == 1
    lo, hi = marked[0].start_s, marked[0].end_s
    prone_middle = 25.0 + 11.0  # the prone script's reps, on the file's clock
    assert lo <= prone_middle <= hi and hi - lo > 10.0
    assert not [f for f in result.faults if lo <= f.start_s <= hi]
    text = format_text(build_report(result))
    assert "lying on the stomach" in text and "not in the position of supine knee-to-chest" in text
    assert "not in this exercise's position" in text and "not_in_position" not in text


def test_a_rep_marker_sits_on_its_curve_whatever_the_sign():
    """A right side bend peaks at 21 deg while the signed curve is at -21: its marker is drawn at -21,
    on the curve, not above it."""
    from PyQt6.QtCore import QRectF
    from PyQt6.QtGui import QColor, QImage, QPainter

    from formcheck.sessions.analysis import Timeline
    from ui.review_plots import draw_timeline

    t = np.arange(0.0, 10.0, 1 / 30)
    tilt = 21.0 * np.sin(2 * np.pi * t / 10.0)  # left (+) then right (-)
    reps = [
        {
            "index": 1,
            "side": "left",
            "start_s": 0.5,
            "peak_s": 2.5,
            "end_s": 4.5,
            "peak_deg": 21.0,
            "result": "good",
        },
        {
            "index": 2,
            "side": "right",
            "start_s": 5.5,
            "peak_s": 7.5,
            "end_s": 9.5,
            "peak_deg": 21.0,
            "result": "good",
        },
    ]
    tl = Timeline(t, {"side bend (+ left)": tilt}, [], [], reps, [], 20.0, 5.0, None, 50.0, 60.0)
    tl.start_s, tl.end_s = 0.0, 10.0
    image = QImage(800, 300, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    ax = draw_timeline(p, QRectF(0, 0, 800, 300), tl)
    p.end()
    assert ax.rep_marks[0].y() == pytest.approx(ax.py(21.0), abs=2)
    assert ax.rep_marks[1].y() == pytest.approx(ax.py(-21.0), abs=2)


@pytest.mark.slow
def test_the_real_routine_file_draws_every_exercise_in_review_and_report(tmp_path, qtbot):
    """sample_videos/routine_k2c_prone_sb_male.mp4 recorded as one sitting (the real pose model): each
    of its three exercises draws its curve and a marker per rep in the review and in the PDF's plots.
    With FORMCHECK_DOCS_SHOTS=1 the window and the sitting's PDF pages go to docs/review/."""
    from PyQt6.QtCore import QRectF
    from PyQt6.QtGui import QColor, QImage, QPainter
    from test_review import DOCS, SHOTS, pdf_pages_png

    from formcheck.cli import main
    from formcheck.sessions.analysis import timeline
    from formcheck.sessions.reports import sitting_of
    from formcheck.sessions.storage import SessionStore
    from ui.review import ReviewWindow
    from ui.review_plots import draw_timeline
    from ui.review_report import sitting_pdf_bytes

    video = SAMPLES / "routine_k2c_prone_sb_male.mp4"
    data = tmp_path / "data"
    assert main(["analyze", str(video), "--record", "--patient", "Ann Example", "--data-dir", str(data)]) == 0
    store = SessionStore(data)
    ids = sitting_of(store, store.list_sessions()[-1].id)
    assert [store.get_row(i).exercise for i in ids] == ["knee_to_chest", "prone_extension", "side_bend"]
    for sid in ids:
        d = store.load(sid)
        image = QImage(1000, 360, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        p = QPainter(image)
        ax = draw_timeline(p, QRectF(0, 0, 1000, 360), timeline(d))
        p.end()
        assert d.reps and all(ax.x0 <= r.peak_s <= ax.x1 for r in d.reps)
        assert len(ax.rep_marks) == len(d.reps) and all(ax.rect.contains(m) for m in ax.rep_marks)
        assert ax.curve_points_inside > 100
    w = ReviewWindow(store)
    qtbot.addWidget(w)
    w.resize(1400, 950)
    w.show()
    w.select(ids[1])
    w.seek_time(store.load(ids[1]).reps[0].peak_s)
    qtbot.wait(50)
    assert len(w.timeline._axes.rep_marks) == len(store.load(ids[1]).reps)
    pdf = sitting_pdf_bytes(store, [store.load(i) for i in ids])
    assert pdf.startswith(b"%PDF")
    if SHOTS:
        w.grab().save(str(DOCS / "review_routine.png"))
        (tmp_path / "sitting.pdf").write_bytes(pdf)  # the pages as pictures; the PDF itself stays out
        pdf_pages_png(tmp_path / "sitting.pdf", DOCS / "sitting_page")


def test_a_replayed_file_recorded_in_the_window_is_dated_when_the_file_was_recorded(tmp_path):
    from formcheck.sessions.storage import SessionStore
    from formcheck.spec import load_exercise
    from formcheck.video.sources import VideoFileSource
    from ui.recording import SessionRecording

    clip = _with_creation_time(SAMPLES / "empty_room.mp4", tmp_path / "c.mp4", "2022-11-02T16:05:00Z")
    store = SessionStore(tmp_path / "data")
    source = VideoFileSource(clip)
    try:
        rec = SessionRecording(store, kind="replay").recorder(
            load_exercise("knee_to_chest", None, {}), source, on_problem=lambda m: None
        )
        when = datetime.fromisoformat(rec.meta["started_at"]).timestamp()
        assert when == datetime.fromisoformat("2022-11-02T16:05:00+00:00").timestamp()
        rec.discard()
        live = SessionRecording(store, kind="live").recorder(
            load_exercise("knee_to_chest", None, {}), source, on_problem=lambda m: None
        )
        assert (
            abs(datetime.fromisoformat(live.meta["started_at"]).timestamp() - datetime.now().timestamp()) < 60
        )
        live.discard()
    finally:
        source.close()


@pytest.mark.slow
def test_knee_to_chest_asked_for_on_the_real_routine_file_says_where_the_person_was_prone(capsys):
    """analyze -e knee_to_chest on routine_k2c_prone_sb_male.mp4 (prone lifts 27-47 s, side bends
    after): no head lift or other knee-to-chest fault during the prone part, and the text says the
    person was lying on the stomach then."""
    from formcheck.cli import main

    video = SAMPLES / "routine_k2c_prone_sb_male.mp4"
    assert main(["analyze", str(video), "-e", "knee_to_chest"]) == 0
    text = capsys.readouterr().out
    assert (
        "you were lying on the stomach (prone extension), not in the position of supine knee-to-chest" in text
    )
    faults = text.split("Form faults:")[1].splitlines()[0] if "Form faults:" in text else ""
    for item in filter(None, (f.strip() for f in faults.split(";"))):
        start = float(item.rsplit(" ", 2)[-2].split("-")[0])
        assert not 28.0 <= start <= 47.0, item


def test_an_interval_before_a_segment_is_listed_between_exercises_not_under_it():
    """The issue's case: a set-up interval at 53.3-53.6 s checked with a segment that runs 55.4-74.6 s
    is not the segment's; it is listed once, as between exercises."""
    from formcheck.events import Interval
    from formcheck.segments import analyze_track, build_recording_report, format_recording_text, segment_span

    analysis = analyze_track(_routine_track(), {"hold_s": 3.0})
    ep, result = analysis.segments[1]
    start_s, end_s = segment_span(ep, result)
    result.setup.append(Interval("picture_changed", start_s - 2.0, start_s - 1.5))
    result.faults.append(Interval("too_fast", start_s + 1.0, start_s + 1.2))
    report = build_recording_report(analysis)
    seg = report["segments"][1]
    assert [i["code"] for i in seg["setup"]].count("picture_changed") == 0
    assert "too_fast" in [i["code"] for i in seg["faults"]]
    assert [(i["code"], i["kind"]) for i in report["between"]] == [("picture_changed", "setup")]
    text = format_recording_text(report)
    between = [line for line in text.splitlines() if line.startswith("-- Between exercises")]
    assert len(between) == 1 and "the picture changed" in between[0]
