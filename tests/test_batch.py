"""formcheck batch: a clinic's folder in one command (formcheck/batch/, docs/batch.md).

Fast tests: what is found in a folder and whose it is, the summary's rows and CSV, the resume state,
the progress lines, and one real run on a two-second clip with a broken and a cut file beside it.
Slow tests (real MediaPipe on two sample clips): one worker, two workers on a Dask cluster on the
loopback address, and a run killed with SIGKILL and started again give the same rows.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest

from formcheck.batch.files import NO_PATIENT_REASON, PICTURE_REASON, scan_folder
from formcheck.batch.progress import BatchProgress
from formcheck.batch.state import STATE_DIR, BatchState
from formcheck.batch.summary import COLUMNS, csv_text, read_summary, recording_rows, status_row
from formcheck.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
# Two short clips (14 s and 15.5 s), one exercise each, for two patients.
CLIPS = {"alice": "sb_too_fast_male", "bob": "prone_pressup_full_female_left"}


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- the folder --------------------------------------------------------------------------------


def test_recordings_are_found_by_extension_in_any_case_and_belong_to_the_first_sub_folder(tmp_path):
    folder = tmp_path / "clinic"
    touch(folder / "alice" / "week1" / "monday.MP4")
    touch(folder / "alice" / "tuesday.mov")
    touch(folder / "bob" / "a.mkv")
    touch(folder / "bob" / "b.WebM")
    touch(folder / "bob" / "c.Avi")
    touch(folder / "bob" / "notes.txt")  # not ours: left alone, silently
    touch(folder / "bob" / "report.pdf")
    touch(folder / "bob" / ".hidden.mp4")  # macOS shadow files and the like
    touch(folder / "bob" / "photo.JPG")  # a picture: refused with a sentence
    touch(folder / "loose.mp4")  # in no patient's folder
    touch(folder / "out" / "x.mp4")  # the output folder inside the input folder
    found = {e.relative: e for e in scan_folder(folder, skip=folder / "out")}
    assert sorted(found) == [
        "alice/tuesday.mov",
        "alice/week1/monday.MP4",
        "bob/a.mkv",
        "bob/b.WebM",
        "bob/c.Avi",
        "bob/photo.JPG",
        "loose.mp4",
    ]
    assert found["alice/week1/monday.MP4"].patient == "alice"
    assert found["bob/c.Avi"].patient == "bob" and found["bob/c.Avi"].reason is None
    assert found["bob/photo.JPG"].reason == PICTURE_REASON
    assert found["loose.mp4"].reason == NO_PATIENT_REASON


def test_patient_option_names_every_recording(tmp_path):
    touch(tmp_path / "week1" / "a.mp4")
    touch(tmp_path / "b.mp4")
    assert {(e.relative, e.patient, e.reason) for e in scan_folder(tmp_path, patient="Ann Lee")} == {
        ("week1/a.mp4", "Ann Lee", None),
        ("b.mp4", "Ann Lee", None),
    }


# --- the summary -------------------------------------------------------------------------------


def segment(exercise: str, sides: dict[str, int], start_s: float) -> dict:
    reps = [
        {"side": side, "hold_s": 2.0 + i, "peak_deg": 30.0 + 10 * i, "result": "good"}
        for side, n in sides.items()
        for i in range(n)
    ]
    return {
        "exercise": exercise,
        "variant": "v",
        "start_s": start_s,
        "end_s": start_s + 10,
        "duration_s": 10.0,
        "reps": reps,
        "faults": [{"code": "head_lift"}, {"code": "head_lift"}, {"code": "too_fast"}],
        "setup": [{"code": "body_out_of_frame"}],
        "summary": {
            "reps_by_side": sides,
            "good_reps": len(reps),
            "hold_s_by_side": dict.fromkeys(sides, 2.5),
            "peak_deg_by_side": dict.fromkeys(sides, 35.0),
            "asymmetry_index_pct": 12.5,
            "weaker_side": "left",
        },
    }


def test_rows_give_reps_per_side_faults_counted_in_words_and_the_date_of_each_segment():
    report = {"segments": [segment("knee_to_chest", {"left": 2, "right": 1}, 0.0)]}
    report["segments"].append(segment("prone_extension", {"all": 3}, 60.0))
    began = 1_700_000_000.0
    first, second = recording_rows("ann", "ann/x.mp4", began, report, None)
    assert (first["reps"], first["reps_left"], first["reps_right"]) == (3, 2, 1)
    assert (second["reps"], second["reps_left"], second["reps_right"]) == (3, None, None)
    assert first["faults"] == "head lifted x2; too fast"
    assert "body_out_of_frame" not in first["setup_problems"] and "out of" in first["setup_problems"]
    assert first["hold_s_mean"] == pytest.approx((2 + 3 + 2) / 3, abs=0.01)
    assert first["peak_deg_mean"] == pytest.approx((30 + 40 + 30) / 3, abs=0.01)
    assert first["date"] != second["date"]  # the second exercise began a minute later
    cut = recording_rows("ann", "ann/x.mp4", began, report, "x.mp4 ends early.")
    assert {(r["status"], r["reason"]) for r in cut} == {("cut short", "x.mp4 ends early.")}
    nothing = recording_rows("ann", "ann/y.mp4", began, {"segments": [], "notes": ["No exercise."]}, None)
    assert [(r["status"], r["reason"]) for r in nothing] == [("no exercise", "No exercise.")]


def test_csv_cells_cannot_be_formulas_and_rows_come_in_one_order():
    rows = [
        status_row("zoe", "zoe/b.mp4", "failed", "b.mp4 is damaged."),
        status_row("=HYPERLINK(1)", "=HYPERLINK(1)/a.mp4", "refused", "-a picture"),
        status_row("ann", "ann/a.mp4", "failed", "a.mp4 is damaged."),
    ]
    text = csv_text(rows)
    assert text == csv_text(list(reversed(rows)))
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == list(COLUMNS)
    assert [r["patient"] for r in table] == ["'=HYPERLINK(1)", "ann", "zoe"]
    assert table[0]["reason"] == "'-a picture"


# --- the resume state ---------------------------------------------------------------------------


def test_state_keeps_a_finished_file_by_content_hash_for_its_patient(tmp_path):
    state = BatchState(tmp_path)
    assert state.finished("ab" * 32, "ann") is None
    state.mark_finished("ab" * 32, {"patient": "ann", "rows": [{"file": "ann/x.mp4"}]})
    assert state.finished("ab" * 32, "ann")["rows"] == [{"file": "ann/x.mp4"}]
    assert state.finished("ab" * 32, "bob") is None  # the same file as someone else's: new work
    assert not list((tmp_path / STATE_DIR).glob("*.tmp"))
    (tmp_path / STATE_DIR / f"{'cd' * 32}.json").write_text('{"version": 1, "pati')  # cut off
    assert state.finished("cd" * 32, "ann") is None


# --- progress ------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_progress_lines_name_the_recording_and_estimate_from_the_bytes_done():
    out, clock = io.StringIO(), Clock()
    progress = BatchProgress(3, 3000 + 10, stream=out, tty=False, clock=clock)
    progress.started("ann/bad.mp4", 10)
    clock.t += 1
    progress.finished("ann/bad.mp4", 1.0, "ann/bad.mp4 is damaged.")
    assert progress.eta_s() is None  # a file that failed at once says nothing about the rate
    progress.started("ann/a.mp4", 1000)
    clock.t += 9
    progress.finished("ann/a.mp4", 9.0)
    assert progress.eta_s() == pytest.approx(2000 / (1000 / 10))
    lines = out.getvalue().splitlines()
    assert lines[0] == "batch: started ann/bad.mp4"
    assert lines[1].startswith("batch: ann/bad.mp4 failed: ann/bad.mp4 is damaged. (1/3, ETA unknown)")
    assert lines[-1] == "batch: ann/a.mp4 done in 9.0 s (2/3, ETA 20 s)"
    progress.started("ann/b.mp4", 2000)
    assert "in hand: ann/b.mp4" in progress.bar_text()


# --- real runs -------------------------------------------------------------------------------------


def cut_clip(src: Path, dst: Path, seconds: float) -> Path:
    """The first ``seconds`` of a clip, re-encoded (mp4v)."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    dst.parent.mkdir(parents=True, exist_ok=True)
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)  # type: ignore[attr-defined]
    for _ in range(int(fps * seconds)):
        ok, frame = cap.read()
        if not ok:
            break
        out.write(frame)
    out.release()
    cap.release()
    return dst


def test_a_failing_file_is_listed_with_its_sentence_and_the_rest_go_on(tmp_path, capsys):
    """Fast: a two-second clip on one worker, beside a text file named .mp4, a clip cut in half and a
    picture; exit code 1, every file in the summary, the failures listed in failures.txt."""
    folder, out = tmp_path / "in", tmp_path / "out"
    tiny = cut_clip(SAMPLES / "sb_too_fast_male.mp4", folder / "ann" / "tiny.mp4", 2.0)
    touch(folder / "ann" / "notes.mp4", b"this is not a video\n")
    touch(folder / "ann" / "notes_copy.mp4", b"this is not a video\n")  # the same bytes: done once
    whole = tiny.read_bytes()
    touch(folder / "ann" / "cut.mp4", whole[: len(whole) // 2])
    touch(folder / "ann" / "photo.png", b"\x89PNG")
    code = main(["batch", str(folder), "-o", str(out), "--data-dir", str(tmp_path / "data"), "--jobs", "1"])
    assert code == 1
    err = capsys.readouterr().err
    assert "2 of 4 recording(s) failed" in err
    rows = {r["file"]: r for r in read_summary(out / "summary.csv")}
    names = {"ann/tiny.mp4", "ann/notes.mp4", "ann/notes_copy.mp4", "ann/cut.mp4", "ann/photo.png"}
    assert set(rows) == names
    assert rows["ann/notes_copy.mp4"]["status"] == "duplicate"
    assert "ann/notes.mp4" in rows["ann/notes_copy.mp4"]["reason"]
    assert rows["ann/tiny.mp4"]["status"] in ("ok", "no exercise")
    for name in ("ann/notes.mp4", "ann/cut.mp4"):
        assert rows[name]["status"] == "failed"
        assert rows[name]["reason"].startswith(name) and rows[name]["reason"].endswith(".")
        assert str(folder) not in rows[name]["reason"]  # named as in the folder, not by a full path
    assert rows["ann/photo.png"]["status"] == "refused"
    listed = (out / "failures.txt").read_text().splitlines()
    assert [line.split(":")[0] for line in listed] == ["ann/cut.mp4", "ann/notes.mp4", "ann/photo.png"]
    assert (out / "reports" / "ann" / "tiny.mp4.json").exists()
    assert len(list((out / STATE_DIR).glob("*.json"))) == 1  # only the analysed file is finished


def clinic(tmp_path: Path) -> Path:
    folder = tmp_path / "clinic"
    for patient, clip in CLIPS.items():
        (folder / patient).mkdir(parents=True)
        shutil.copy2(SAMPLES / f"{clip}.mp4", folder / patient / f"{clip}.mp4")
    return folder


def batch_args(folder: Path, out: Path, data: Path, *extra: str) -> list[str]:
    return ["batch", str(folder), "-o", str(out), "--data-dir", str(data), *extra]


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    """The clinic folder through one worker: (folder, rows, data dir)."""
    tmp = tmp_path_factory.mktemp("one_worker")
    folder = clinic(tmp)
    assert main(batch_args(folder, tmp / "out", tmp / "data", "--jobs", "1")) == 0
    return folder, read_summary(tmp / "out" / "summary.csv"), tmp / "data"


@pytest.mark.slow
def test_one_worker_finds_each_exercise_records_the_sessions_and_writes_reports(one_worker):
    from formcheck.sessions.storage import SessionStore

    folder, rows, data = one_worker
    assert [r["patient"] for r in rows] == ["alice", "bob"]
    for row in rows:
        truth = json.loads((SAMPLES / f"{CLIPS[row['patient']]}.truth.json").read_text())
        assert (row["exercise"], row["variant"], row["status"]) == (truth["exercise"], truth["variant"], "ok")
        true_sides = {s: sum(r["side"] == s for r in truth["reps"]) for s in ("left", "right")}
        if any(true_sides.values()):
            assert (int(row["reps_left"]), int(row["reps_right"])) == (
                true_sides["left"],
                true_sides["right"],
            )
        assert int(row["reps"]) == len(truth["reps"])
    store = SessionStore.open(data)
    sessions = store.list_sessions()
    assert sorted((s.patient, s.exercise, s.status) for s in sessions) == sorted(
        (r["patient"], r["exercise"], "complete") for r in rows
    )
    for s in sessions:
        assert s.started_at[:19].replace("T", " ") == next(
            r["date"] for r in rows if r["patient"] == s.patient
        )


@pytest.mark.slow
def test_two_workers_on_a_dask_cluster_on_the_loopback_address_give_the_same_rows(one_worker, tmp_path):
    from distributed import LocalCluster

    folder, rows, _ = one_worker
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        code = main(
            batch_args(folder, tmp_path / "out", tmp_path / "data", "--cluster", cluster.scheduler_address)
        )
    assert code == 0
    assert read_summary(tmp_path / "out" / "summary.csv") == rows


@pytest.mark.slow
def test_a_killed_run_starts_again_without_redoing_finished_files(one_worker, tmp_path):
    """kill -9 (the program and its workers) once the first file is finished; the second run skips it,
    does the other on two workers, and the table is the one-worker table, with no session twice."""
    from formcheck.sessions.storage import SessionStore

    folder, rows, _ = one_worker
    out, data = tmp_path / "out", tmp_path / "data"
    log = (tmp_path / "first.log").open("w")
    first = subprocess.Popen(
        [sys.executable, "-m", "formcheck.cli", *batch_args(folder, out, data, "--jobs", "1")],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 900
        while not list((out / STATE_DIR).glob("*.json")) and first.poll() is None:
            assert time.monotonic() < deadline, "the first file never finished"
            time.sleep(0.1)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert first.returncode == -signal.SIGKILL
    finished = list((out / STATE_DIR).glob("*.json"))
    assert len(finished) == 1
    done_file = json.loads(finished[0].read_text())["file"]
    other = next(f"{p}/{c}.mp4" for p, c in CLIPS.items() if f"{p}/{c}.mp4" != done_file)

    second = subprocess.run(
        [sys.executable, "-m", "formcheck.cli", *batch_args(folder, out, data, "--jobs", "2")],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert second.returncode == 0, second.stderr
    assert f"batch: skipped {done_file} (already analysed)" in second.stderr
    assert f"batch: started {done_file}" not in second.stderr
    assert f"batch: started {other}" in second.stderr
    assert read_summary(out / "summary.csv") == rows
    sessions = SessionStore.open(data).list_sessions()
    assert sorted(s.patient for s in sessions if s.status == "complete") == ["alice", "bob"]


def test_what_stops_a_batch_before_any_work_is_said_in_one_sentence(tmp_path, capsys):
    folder = tmp_path / "in"
    (folder / "ann").mkdir(parents=True)
    args = ["-o", str(tmp_path / "out"), "--data-dir", str(tmp_path / "data")]
    assert main(["batch", str(tmp_path / "nowhere"), *args]) == 2
    assert main(["batch", str(folder), *args]) == 2  # nothing in it
    touch(folder / "ann" / "a.mp4", b"not looked at")
    assert main(["batch", str(folder), "-e", "pilates", *args]) == 2
    # A closed port on the loopback address: no scheduler there.
    assert main(["batch", str(folder), "--cluster", "tcp://127.0.0.1:9", *args]) == 2
    lines = capsys.readouterr().err.splitlines()
    messages = [line for line in lines if line.startswith("formcheck: ")]
    assert len(messages) == 4, lines
    assert "is not a folder" in messages[0]
    assert "No recordings in" in messages[1]
    assert "pilates" in messages[2]
    assert "Cannot reach the Dask scheduler at tcp://127.0.0.1:9" in messages[3]
    assert not any("Traceback" in line for line in lines)


def test_a_workers_reused_pose_graph_gives_a_file_the_poses_a_fresh_one_gives(tmp_path):
    """The pose graph a worker keeps is reset between files: the poses of a clip after another clip
    (a standing person, then one lying down) are those of a fresh graph, to the last bit."""
    import numpy as np

    from formcheck.batch.worker import drop_pose_graph, worker_pose_graph
    from formcheck.segments import track_poses

    standing = cut_clip(SAMPLES / "sb_too_fast_male.mp4", tmp_path / "standing.mp4", 1.5)
    lying = cut_clip(SAMPLES / "prone_pressup_full_female_left.mp4", tmp_path / "lying.mp4", 1.5)
    try:
        track_poses(standing, estimator=worker_pose_graph())
        reused = track_poses(lying, estimator=worker_pose_graph())
    finally:
        drop_pose_graph()
    fresh = track_poses(lying)
    assert sum(p.person_found for p in fresh.poses) > 0
    assert len(reused.poses) == len(fresh.poses)
    for a, b in zip(reused.poses, fresh.poses, strict=True):
        assert a.person_found == b.person_found
        assert np.array_equal(a.xy_px, b.xy_px) and np.array_equal(a.visibility, b.visibility)
