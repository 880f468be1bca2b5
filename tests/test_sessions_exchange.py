"""Export/import (with malicious zips), CSV reports and the command line."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from test_sessions_support import demo_store, run_synthetic

from formcheck.cli import main
from formcheck.errors import FormcheckError
from formcheck.sessions.exchange import export_session, import_session
from formcheck.sessions.recorder import Recorder
from formcheck.sessions.reports import CSV_COLUMNS, report_csv, report_html
from formcheck.sessions.storage import SessionStore
from formcheck.spec import load_exercise


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    store, ids = demo_store(root / "data", sessions=3)
    return store, ids


def test_export_then_import_into_another_folder_is_identical(demo, tmp_path):
    store, ids = demo
    out = export_session(store, ids[0], tmp_path / "s.zip")
    other = SessionStore(tmp_path / "other")
    sid = import_session(other, out)
    a, b = store.load(ids[0]), other.load(sid)
    assert sid == ids[0] and a.reps == b.reps and a.events == b.events and a.row.report == b.row.report
    assert b.prescription_toml == a.prescription_toml and b.row.patient == "Ann Example"


def test_import_does_not_overwrite_without_saying_so(demo, tmp_path):
    store, ids = demo
    out = export_session(store, ids[1], tmp_path / "s.zip")
    before = (store.sessions_dir / ids[1] / "journal.fcj").read_bytes()
    with pytest.raises(FormcheckError, match="already exists.*nothing was changed.*--replace"):
        import_session(store, out)
    assert (store.sessions_dir / ids[1] / "journal.fcj").read_bytes() == before
    assert import_session(store, out, replace=True) == ids[1]
    assert store.load(ids[1]).reps


def _zip(path, members: dict[str, bytes], manifest: dict | None = None, raw_names=False):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        if manifest is not None:
            z.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _tamper(src, dst, edit):
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    edit(members)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members.items():
            z.writestr(n, d)
    return dst


def test_malicious_and_broken_zips_are_refused_and_change_nothing(demo, tmp_path):
    store, ids = demo
    good = export_session(store, ids[0], tmp_path / "good.zip")
    target = SessionStore(tmp_path / "target")
    (tmp_path / "evil").mkdir()
    cases = {
        "traversal": (
            _tamper(good, tmp_path / "t1.zip", lambda m: m.update({"../../evil/x.sh": b"rm -rf /"})),
            "points outside its folder",
        ),
        "absolute": (
            _tamper(good, tmp_path / "t2.zip", lambda m: m.update({"/etc/passwd": b"x"})),
            "points outside",
        ),
        "extra": (
            _tamper(good, tmp_path / "t3.zip", lambda m: m.update({"notes.txt": b"x"})),
            "not part of a formcheck session",
        ),
        "bomb": (
            _tamper(good, tmp_path / "t4.zip", lambda m: m.update({"video.mp4": b"\0" * 50_000_000})),
            "zip bomb",
        ),
        "checksum": (
            _tamper(
                good,
                tmp_path / "t5.zip",
                lambda m: m.update({"journal.fcj": m["journal.fcj"][:-10] + b"0123456789"}),
            ),
            "does not match its checksum",
        ),
        "not a zip": (
            (tmp_path / "t6.zip").write_bytes(b"PK nope") and tmp_path / "t6.zip",
            "not a zip file",
        ),
        "no manifest": (_zip(tmp_path / "t7.zip", {"journal.fcj": b"FCJ1\n"}), "no manifest.json"),
        "bad id": (
            _tamper(
                good,
                tmp_path / "t8.zip",
                lambda m: m.update(
                    {"manifest.json": m["manifest.json"].replace(ids[0].encode(), b"../../../x")}
                ),
            ),
            "session id is malformed",
        ),
    }
    for name, (path, expected) in cases.items():
        with pytest.raises(FormcheckError) as info:
            import_session(target, path)
        assert expected in info.value.message, (name, info.value.message)
        assert "\n" not in info.value.message
    assert not (tmp_path / "evil" / "x.sh").exists()
    assert [p.name for p in target.sessions_dir.iterdir()] == []
    assert target.list_sessions() == []


def test_oversized_member_is_refused_by_its_declared_size(demo, tmp_path, monkeypatch):
    from formcheck.sessions import exchange

    store, ids = demo
    good = export_session(store, ids[0], tmp_path / "good.zip")
    monkeypatch.setitem(exchange.LIMITS, "journal.fcj", 1000)
    with pytest.raises(FormcheckError, match="'journal.fcj' is .* MB, more than a session file may be"):
        import_session(SessionStore(tmp_path / "t"), good)


def test_import_checks_the_journal_schema(demo, tmp_path):
    import hashlib

    from formcheck.sessions.journal import MAGIC, encode_json

    store, ids = demo
    journal = MAGIC + encode_json(b"M", {"session_id": ids[0], "patient": 5})
    manifest = {
        "format": "formcheck-session",
        "version": 1,
        "session_id": ids[0],
        "files": {"journal.fcj": {"size": len(journal), "sha256": hashlib.sha256(journal).hexdigest()}},
    }
    bad = _zip(tmp_path / "bad.zip", {"journal.fcj": journal}, manifest)
    with pytest.raises(FormcheckError, match="header has a missing or wrong 'patient'"):
        import_session(SessionStore(tmp_path / "t"), bad)


def test_csv_has_one_row_per_rep(demo):
    store, ids = demo
    data = store.load(ids[0])
    rows = list(csv.DictReader(io.StringIO(report_csv(data))))
    assert len(rows) == len(data.reps) and tuple(rows[0]) == CSV_COLUMNS
    assert [int(r["rep"]) for r in rows] == [r.index for r in data.reps]
    assert rows[0]["prescribed_target_deg"] == "100.0" and rows[0]["limit_deg"] == "130.0"


def test_html_report_has_the_tables_without_qt(demo):
    store, ids = demo
    html = report_html(store.load(ids[-1]))
    assert "Achieved vs prescribed" in html and "Pain stop pressed" in html and "<td>1</td>" in html
    assert "not a diagnosis" in html


def test_cli_list_report_export_import(demo, tmp_path, capsys):
    store, ids = demo
    d = str(store.root)
    assert main(["sessions", "list", "--data-dir", d, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sorted(s["id"] for s in listed) == sorted(ids) and listed[0]["patient"] == "Ann Example"
    assert main(["sessions", "list", "--data-dir", d, "--patient", "Nobody"]) == 0
    assert "No sessions for Nobody" in capsys.readouterr().out
    assert main(
        ["report", ids[0][:12], "--format", "csv", "-o", str(tmp_path / "r.csv"), "--data-dir", d]
    ) in (0, 2)
    out = capsys.readouterr()
    if "matches" in out.err:  # the prefix was shared by sessions recorded in the same second
        assert (
            main(["report", ids[0], "--format", "csv", "-o", str(tmp_path / "r.csv"), "--data-dir", d]) == 0
        )
    assert (tmp_path / "r.csv").read_text().count("\n") == len(store.load(ids[0]).reps) + 1
    assert main(["export", ids[0], "-o", str(tmp_path / "e.zip"), "--data-dir", d]) == 0
    assert main(["import", str(tmp_path / "e.zip"), "--data-dir", str(tmp_path / "new")]) == 0
    assert main(["import", str(tmp_path / "e.zip"), "--data-dir", str(tmp_path / "new")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["report", "nonexistent", "--data-dir", d]) == 2
    assert "No session matches 'nonexistent'" in capsys.readouterr().err


def test_cli_says_one_sentence_for_a_damaged_database_and_a_bad_prescription(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "formcheck.db").write_bytes(b"garbage" * 200)
    assert main(["sessions", "list", "--data-dir", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "damaged" in err
    assert main(["sessions", "rebuild", "--data-dir", str(tmp_path / "data")]) == 0
    assert main(["sessions", "list", "--data-dir", str(tmp_path / "data")]) == 0
    bad = tmp_path / "p.toml"
    bad.write_text('patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = -1\nreps = 2\n')
    assert main(["prescription", "check", str(bad)]) == 2
    assert capsys.readouterr().err.strip() == (
        "formcheck: Prescription p.toml, exercise 1 (knee_to_chest): 'sets' must be 1 or more, not -1."
    )


def test_cli_read_only_data_folder(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["sessions", "list", "--data-dir", str(tmp_path / "file" / "data")]) == 2
    assert "Cannot use the data folder" in capsys.readouterr().err


def test_recorder_with_prescription_links_the_session(tmp_path):
    from test_sessions_support import PRESCRIPTION

    from formcheck.sessions.analysis import comparison
    from formcheck.sessions.prescriptions import parse_prescription

    p = parse_prescription(PRESCRIPTION, "ann.toml")
    store = SessionStore(tmp_path)
    rec = Recorder(
        store,
        p.exercises[0].config,
        source_name="s",
        fps=30.0,
        patient=p.patient,
        prescription_name=p.name,
        prescription_toml=p.text,
        step_index=1,
    )
    run_synthetic([rec])
    data = store.load(rec.session_id)
    comp = comparison(data)
    assert comp is not None and comp.rows[0] == ("reps, left", "2", "1", False)
    assert load_exercise("knee_to_chest").params["hold_s"] == 10  # prescriptions never change the defaults
