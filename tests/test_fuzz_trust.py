"""Fuzzing the two doors files come in by: the session zip import and the prescription parser.

Every generated case must end in one of two ways: refused with one sentence (a FormcheckError, nothing
kept in the data folder, no staging left), or accepted with everything the program later reads of it
sound (exercise known, settings in their ranges, list/CSV/HTML reports written without an error). Any
other exception, or an acceptance that breaks what follows, fails the test.

The fast suite tries a modest number of cases; for a longer run set FORMCHECK_FUZZ_EXAMPLES (cases per
property), e.g. ``FORMCHECK_FUZZ_EXAMPLES=2000 uv run pytest -q -s tests/test_fuzz_trust.py``; the
counts tried, refused and accepted are printed at the end (with -s).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import shutil
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic import Script, keyframes
from test_sessions_support import PRESCRIPTION, run_synthetic

from formcheck.cli import main
from formcheck.errors import FormcheckError
from formcheck.sessions.exchange import export_session, import_session
from formcheck.sessions.journal import MAGIC, encode_json, encode_record, iter_records
from formcheck.sessions.prescriptions import (
    ENTRY_KEYS,
    LIMIT_RANGE_DEG,
    MAX_EXERCISES,
    MAX_REPS,
    MAX_SETS,
    MAX_TEXT_CHARS,
    REST_RANGE_S,
    parse_prescription,
)
from formcheck.sessions.recorder import Recorder
from formcheck.sessions.reports import report_csv, report_html
from formcheck.sessions.storage import SessionStore
from formcheck.spec import available_exercises, load_exercise

EXAMPLES = int(os.environ.get("FORMCHECK_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    if COUNTS:
        lines = [f"{k}: {v}" for k, v in sorted(COUNTS.items())]
        print("\nfuzz cases (tried / refused in one sentence / accepted and sound):\n  " + "\n  ".join(lines))


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A short real session with a prescription, exported: the zip every case starts from."""
    root = tmp_path_factory.mktemp("fuzz")
    store = SessionStore(root / "data")
    from formcheck.sessions.prescriptions import parse_prescription as parse

    p = parse(PRESCRIPTION, "ann.toml")
    rec = Recorder(
        store,
        p.exercises[0].config,
        source_name="synthetic",
        fps=30.0,
        patient=p.patient,
        prescription_name=p.name,
        prescription_toml=p.text,
        step_index=1,
    )
    script = Script("supine", 6.0, {"left_flex": keyframes([(0, 0), (1, 0), (2, 110), (4, 110), (5, 0)])})
    run_synthetic([rec], script=script)
    path = export_session(store, rec.session_id, root / "good.zip")
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    return path.read_bytes(), members, rec.session_id


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members.items():
            z.writestr(n, d)
    return buf.getvalue()


def _resign(members: dict[str, bytes]) -> dict[str, bytes]:
    """The manifest made to agree with the members (sizes, checksums), as an attacker would."""
    try:
        manifest = json.loads(members["manifest.json"])
        for name in manifest["files"]:
            manifest["files"][name] = {
                "size": len(members[name]),
                "sha256": hashlib.sha256(members[name]).hexdigest(),
            }
        members = dict(members, **{"manifest.json": json.dumps(manifest).encode()})
    except (KeyError, TypeError, ValueError):
        pass
    return members


def _check_import(kind: str, zip_bytes: bytes, original_journal: bytes | None = None) -> None:
    """Import ``zip_bytes`` into a fresh folder: refused in one sentence leaving nothing, or accepted and
    sound. ``original_journal``: for byte-level damage, an accepted case must hold exactly it."""
    COUNTS[f"{kind} tried"] += 1
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        path = tmp / "case.zip"
        path.write_bytes(zip_bytes)
        store = SessionStore(tmp / "data")
        try:
            sid = import_session(store, path)
        except FormcheckError as exc:
            assert "\n" not in exc.message and exc.message.endswith(".")
            assert list(store.sessions_dir.iterdir()) == []  # nothing kept, no staging
            assert store.list_sessions() == []
            COUNTS[f"{kind} refused"] += 1
            return
        if original_journal is not None:
            assert (store.sessions_dir / sid / "journal.fcj").read_bytes() == original_journal
        data = store.load(sid)
        row = data.row
        assert row.exercise in available_exercises()
        config = load_exercise(row.exercise, row.variant, known_only=True)
        for key, value in row.settings.items():
            if key in config.spec.ranges:
                low, high = config.spec.ranges[key]
                assert low <= value <= high, (key, value)
        report_csv(data)
        report_html(data)
        with open(os.devnull, "w") as null:
            import contextlib

            with contextlib.redirect_stdout(null):
                assert main(["sessions", "list", "--data-dir", str(store.root)]) == 0
        assert sorted(p.name for p in store.sessions_dir.iterdir()) == [sid]
        COUNTS[f"{kind} accepted"] += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- the zip import --------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_fuzz_zip_bytes_flipped_cut_or_inserted(export, data):
    raw, members, _ = export
    buf = bytearray(raw)
    how = data.draw(st.sampled_from(["flip", "cut", "insert", "overwrite"]))
    if how == "flip":
        for _ in range(data.draw(st.integers(1, 4))):
            i = data.draw(st.integers(0, len(buf) - 1))
            buf[i] ^= data.draw(st.integers(1, 255))
    elif how == "cut":
        buf = buf[: data.draw(st.integers(0, len(buf) - 1))]
    elif how == "insert":
        i = data.draw(st.integers(0, len(buf)))
        buf[i:i] = data.draw(st.binary(min_size=1, max_size=64))
    else:
        i = data.draw(st.integers(0, len(buf) - 1))
        chunk = data.draw(st.binary(min_size=1, max_size=16))
        buf[i : i + len(chunk)] = chunk
    _check_import("zip bytes", bytes(buf), original_journal=members["journal.fcj"])


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.sampled_from(
        [
            "",
            "knee_to_chest",
            "side_bend",
            "/etc/passwd",
            str(Path(__file__).resolve().parents[1] / "exercises" / "knee_to_chest.toml"),
            "../../x",
            '=HYPERLINK("http://x")',
            "\x1b[2J\x07",
            "<script>alert(1)</script>",
            "single",
            "double",
        ]
    )
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
META_KEYS = [
    "session_id", "format", "patient", "exercise", "variant", "sides", "settings", "kind", "source", "fps",
    "started_at", "signal_names", "video", "prescription_name", "prescription_toml", "routine_id",
    "step_index", "set_index",
]  # fmt: skip


def _edit_journal(journal: bytes, edit_meta=None, edit_event=None, edit_summary=None) -> bytes:
    out = [MAGIC]
    for kind, payload, _ in iter_records(journal):
        k = bytes([kind])
        if k == b"M" and edit_meta:
            meta = json.loads(payload)
            edit_meta(meta)
            out.append(encode_json(b"M", meta))
        elif k == b"E" and edit_event:
            events = json.loads(payload)
            edit_event(events)
            out.append(encode_json(b"E", events))
        elif k == b"S" and edit_summary:
            summary = json.loads(payload)
            edit_summary(summary)
            out.append(encode_json(b"S", summary))
        else:
            out.append(encode_record(k, payload))
    return b"".join(out)


@FUZZ
@given(
    key=st.sampled_from(META_KEYS), value=JSON_VALUES, setting=st.sampled_from(["hold_s", "target_deg", "x"])
)
def test_fuzz_journal_header_with_valid_checksums(export, key, value, setting):
    _, members, _ = export

    def edit(meta):
        if key == "settings" and not isinstance(value, dict):
            meta["settings"] = dict(meta["settings"], **{setting: value})
        else:
            meta[key] = value

    journal = _edit_journal(members["journal.fcj"], edit_meta=edit)
    _check_import("journal header", _zip(_resign(dict(members, **{"journal.fcj": journal}))))


@FUZZ
@given(data=st.data())
def test_fuzz_events_and_summary_with_valid_checksums(export, data):
    _, members, _ = export
    value = data.draw(JSON_VALUES)
    where = data.draw(st.sampled_from(["event", "rep event", "summary", "summary report", "summary rep"]))

    def edit_event(events):
        if not events:
            return
        i = data.draw(st.integers(0, len(events) - 1))
        target = events[i]
        if where == "rep event":
            reps = [e for e in events if e.get("type") == "RepCompleted"]
            if not reps:
                return
            target = reps[0]["rep"]
        key = data.draw(st.sampled_from(sorted(target) + ["extra"]))
        target[key] = value

    def edit_summary(summary):
        if where == "summary":
            summary[data.draw(st.sampled_from(sorted(summary)))] = value
        elif where == "summary report":
            report = summary["report"]
            key = data.draw(st.sampled_from(sorted(report)))
            if isinstance(report[key], dict) and report[key] and data.draw(st.booleans()):
                report[key][data.draw(st.sampled_from(sorted(report[key])))] = value
            else:
                report[key] = value
        elif summary["reps"]:
            rep = summary["reps"][0]
            rep[data.draw(st.sampled_from(sorted(rep)))] = value

    on_events = where.endswith("event")
    journal = _edit_journal(
        members["journal.fcj"],
        edit_event=edit_event if on_events else None,
        edit_summary=None if on_events else edit_summary,
    )
    _check_import("events and summary", _zip(_resign(dict(members, **{"journal.fcj": journal}))))


@FUZZ
@given(
    key=st.sampled_from(["format", "version", "session_id", "files", "patient", "extra"]),
    value=JSON_VALUES,
    names=st.lists(
        st.sampled_from(["video.mp4", "../x", "/etc/passwd", "journal.fcj/", "a\\..\\b", "C:x", "notes.txt"]),
        max_size=2,
    ),
)
def test_fuzz_manifest_and_member_names(export, key, value, names):
    _, members, _ = export
    manifest = json.loads(members["manifest.json"])
    manifest[key] = value
    crafted = dict(members, **{"manifest.json": json.dumps(manifest).encode()})
    for n in names:
        crafted[n] = b"x"
    _check_import("manifest and names", _zip(crafted))


# --- the prescription parser --------------------------------------------------------------------------------

NUMBERS = (
    st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1, 5, 20, 100, 101, 1e300, -1, 0.5, 30, 600, 601, 130, 180])
)
TOML_VALUES = st.recursive(
    NUMBERS | st.booleans() | st.text(max_size=20) | st.sampled_from(["knee_to_chest", "left", "=1+1"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "hold_s", "x"]), inner, max_size=3)
    ),
    max_leaves=6,
)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"


PLAUSIBLE = {
    "sets": st.integers(1, 25),
    "reps": st.integers(1, 120),
    "hold_s": st.floats(0, 150),
    "target_deg": st.floats(0, 200),
    "limit_deg": st.floats(0, 200),
    "rest_s": st.floats(0, 700),
    "variant": st.sampled_from(["single", "double", "press-up", "superman", "standing", "seated"]),
    "sides": st.sampled_from([["left"], ["right"], ["left", "right"], "left", ["both"]]),
    "notes": st.text(max_size=40),
    "settings": st.dictionaries(
        st.sampled_from(["hold_s", "max_speed_deg_s", "count_deg", "release_deg", "cue_gap_s"]),
        st.floats(0, 700),
        max_size=2,
    ),
}


def _entry_value(key: str):
    hostile = TOML_VALUES if key in ("variant", "sides", "notes") else NUMBERS
    if key == "settings":
        hostile = st.dictionaries(st.sampled_from(["hold_s", "bogus", "count_deg"]), NUMBERS, max_size=3)
    # Mostly plausible values (so acceptance is explored too), sometimes hostile ones.
    return st.one_of(PLAUSIBLE[key], PLAUSIBLE[key], PLAUSIBLE[key], hostile)


ENTRY = st.fixed_dictionaries(
    {
        "name": st.sampled_from([*available_exercises(), *available_exercises(), "pilates", "/etc/passwd"]),
        "sets": _entry_value("sets"),
        "reps": _entry_value("reps"),
    },
    optional={key: _entry_value(key) for key in ENTRY_KEYS[1:] if key not in ("sets", "reps")}
    | {"colour": TOML_VALUES},
)


# A plausible entry (mostly accepted: the accepted side is checked too) and a hostile one.
GOOD_ENTRY = st.fixed_dictionaries(
    {
        "name": st.sampled_from(sorted(available_exercises())),
        "sets": st.integers(1, 20),
        "reps": st.integers(1, 100),
    },
    optional={
        "hold_s": st.floats(0, 60),
        "rest_s": st.floats(0, 600),
        "notes": st.text(max_size=40),
        "settings": st.dictionaries(
            st.sampled_from(["max_speed_deg_s", "cue_gap_s"]), st.floats(20, 30), max_size=1
        ),
    },
)


@FUZZ
@given(
    patient=st.sampled_from(["Ann", "=cmd", "\x1b[2J", "A" * 3000, ""])
    | st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40),
    entries=st.lists(st.one_of(GOOD_ENTRY, GOOD_ENTRY, GOOD_ENTRY, ENTRY), min_size=1, max_size=3)
    | st.just([{"name": "knee_to_chest", "sets": 1, "reps": 1}] * 60),
    extra=st.dictionaries(st.sampled_from(["notes", "therapist", "written"]), st.text(max_size=9), max_size=2)
    | st.dictionaries(st.sampled_from(["notes", "therapist", "bogus"]), TOML_VALUES, max_size=2),
)
def test_fuzz_prescription_entries(patient, entries, extra):
    lines = [f"patient = {_toml(patient)}"] + [f"{k} = {_toml(v)}" for k, v in extra.items()]
    for e in entries:
        lines.append("[[exercise]]")
        lines += [f"{k} = {_toml(v)}" for k, v in e.items()]
    _check_prescription("prescription entries", "\n".join(lines) + "\n")


@FUZZ
@given(text=st.text(max_size=400) | st.binary(max_size=400).map(lambda b: b.decode("latin-1")))
def test_fuzz_prescription_text(text):
    _check_prescription("prescription text", text)


@FUZZ
@given(cut=st.integers(0, len(PRESCRIPTION)), junk=st.text(max_size=12))
def test_fuzz_prescription_spliced(cut, junk):
    _check_prescription("prescription spliced", PRESCRIPTION[:cut] + junk + PRESCRIPTION[cut:])


def _check_prescription(kind: str, text: str) -> None:
    COUNTS[f"{kind} tried"] += 1
    try:
        p = parse_prescription(text, "rx.toml")
    except FormcheckError as exc:
        assert "\n" not in exc.message and exc.message.startswith("Prescription rx.toml")
        COUNTS[f"{kind} refused"] += 1
        return
    # Accepted: then everything in it is within bounds.
    assert 0 < len(p.exercises) <= MAX_EXERCISES and p.patient and len(p.patient) <= MAX_TEXT_CHARS
    for item in p.exercises:
        assert item.exercise in available_exercises()
        assert 1 <= item.sets <= MAX_SETS and 1 <= item.reps <= MAX_REPS
        assert REST_RANGE_S[0] <= item.rest_s <= REST_RANGE_S[1]
        if item.limit_deg is not None:
            assert LIMIT_RANGE_DEG[0] <= item.limit_deg <= LIMIT_RANGE_DEG[1]
            assert item.limit_deg > item.config.params["target_deg"]
        for key, value in item.config.params.items():
            low, high = item.config.spec.ranges[key]
            assert math.isfinite(value) and low <= value <= high, (key, value)
        assert item.config.release_deg < item.config.hold_deg
    COUNTS[f"{kind} accepted"] += 1
