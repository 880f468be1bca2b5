"""Command-line commands for sessions: list, record, rebuild, report, export, import, and checking a
prescription. Registered by ``formcheck.cli`` through ``register``. The commands that open windows
(review, prescription edit) and the drawn report formats (HTML, PDF) are added by ui/ (see
formcheck/extensions.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.extensions import add_group
from formcheck.safe_text import printable


def data_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where sessions are stored (default: $FORMCHECK_DATA_DIR, else your user data folder)",
    )


def open_store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from formcheck.sessions.storage import SessionStore

    store = SessionStore.open(getattr(args, "data_dir", None))
    for sid in store.recovered:
        row = store.get_row(sid)
        sys.stderr.write(
            f"formcheck: recovered session {sid}, which was cut off; it is marked '{row.status}'.\n"
        )
    return store


def resolve_session(store: Any, wanted: str | None) -> str:
    """A session id, a unique prefix of one, or 'last' (also the default)."""
    if wanted in (None, "last", "latest"):
        last = store.last_recorded()  # the one just recorded, even from an old file
        if last is None:
            raise FormcheckError(f"There are no recorded sessions in {store.root} yet; record one first.")
        return str(last)
    return str(store.get_row(wanted).id)


def record_file(
    store: Any,
    video: str | Path,
    exercise: str,
    variant: str | None = None,
    settings: dict[str, float] | None = None,
    model: str | None = None,
    patient: str | None = None,
    keep_video: bool = False,
    prescription: Any = None,
    step: int | None = None,
    progress: bool = False,
) -> tuple[str, Any]:
    """Analyse a video file and record it as a session (what ``analyze --record`` does).

    Returns (session id, AnalysisResult)."""
    from formcheck.analyze import analyze_file
    from formcheck.sessions.recorder import Recorder, done_at_iso, recording_began
    from formcheck.spec import load_exercise

    item = None
    if prescription is not None:
        item = next((i for i in prescription.exercises if i.position == step), None) if step else None
        if item is None:
            matches = [i for i in prescription.exercises if i.exercise == exercise]
            if not matches:
                raise FormcheckError(
                    f"Prescription {prescription.name} has no {exercise} entry; give --step N for the "
                    f"exercise to record against."
                )
            item = matches[0]
        config = item.config.with_overrides(settings or {})
    else:
        config = load_exercise(exercise, variant, settings)
    recorders: list[Recorder] = []

    def make_recorder(config: Any, source: Any) -> tuple[Recorder]:
        # Done when the file was recorded, like each exercise of a routine file (not when analysed).
        length_s = (source.frame_count or 0) / (source.fps or 30.0)
        began = done_at_iso(recording_began(video, length_s), 0.0)
        recorders.append(
            _file_recorder(
                store,
                config,
                source.name,
                source.fps,
                patient,
                prescription,
                item,
                video=keep_video,
                started_at=began,
            )
        )
        return (recorders[0],)

    _, result = analyze_file(
        video,
        exercise,
        model=model,
        progress=progress,
        config=config,
        make_sinks=make_recorder,
        full_picture=keep_video,
    )
    return recorders[0].session_id, result


def record_recording(
    store: Any,
    video: str | Path,
    settings: dict[str, float] | None = None,
    model: str | None = None,
    patient: str | None = None,
    prescription: Any = None,
    progress: bool = False,
) -> tuple[list[str], dict[str, Any], Any]:
    """A whole recording (a routine in one file) recorded as one sitting: the exercises are recognised,
    each becomes a session, all sharing one sitting id. With a prescription, each exercise is matched to
    the prescription's next entry of that exercise, in order, and judged by it (its targets and hold).

    Returns (session ids, the recording's report, the pose track)."""
    from formcheck.analyze import progress_printer
    from formcheck.recognize import recognise
    from formcheck.segments import (
        RecordingAnalysis,
        SegmentTrim,
        build_recording_report,
        check_poses,
        check_span,
        is_exercise_segment,
        settings_for,
        track_poses,
    )
    from formcheck.sessions.recorder import done_at_iso, new_sitting_id, recording_began
    from formcheck.spec import load_exercise

    track = track_poses(video, model, progress=progress_printer(Path(video).name) if progress else None)
    episodes = recognise(track.poses)
    analysis = RecordingAnalysis(track)
    sitting = new_sitting_id()
    unused = list(prescription.exercises) if prescription is not None else []
    # When each exercise was done: when the recording began, plus where it starts in the file.
    began = recording_began(video, track.duration_s)
    ids = []
    for i, ep in enumerate(episodes):
        if ep.exercise is None:
            analysis.other.append(ep)
            continue
        item = next((it for it in unused if it.exercise == ep.exercise), None)
        if item is not None:
            config = item.config.with_overrides(settings_for(settings, ep.exercise))
        else:
            config = load_exercise(ep.exercise, ep.variant, settings_for(settings, ep.exercise))
        lo, hi = check_span(episodes, i, track.poses)
        trial = check_poses(track, config, lo, hi)
        if not is_exercise_segment(trial):
            analysis.other.append(ep)
            continue
        if item is not None:
            unused.remove(item)
        recorder = _file_recorder(
            store,
            config,
            track.name,
            track.fps,
            patient,
            prescription,
            item,
            routine_id=sitting,
            # The segment's start, as the recording report gives it: its first rep if that came first.
            started_at=done_at_iso(began, min([float(ep.start_s)] + [r.start_s for r in trial.reps])),
        )
        result = check_poses(track, config, lo, hi, sinks=(SegmentTrim(ep), recorder))
        analysis.segments.append((ep, result))
        ids.append(recorder.session_id)
    return ids, build_recording_report(analysis), track


def _file_recorder(
    store: Any,
    config: Any,
    source_name: str,
    fps: float,
    patient: str | None,
    prescription: Any,
    item: Any,
    **options: Any,
) -> Any:
    """The recorder of an analysed file's session: whose it is, against which prescription entry."""
    from formcheck.sessions.recorder import Recorder

    return Recorder(
        store,
        config,
        source_name=source_name,
        fps=fps,
        kind="analyze",
        patient=prescription.patient if prescription is not None else patient,
        prescription_name=prescription.name if prescription is not None else None,
        prescription_toml=prescription.text if prescription is not None else None,
        step_index=item.position if item is not None else None,
        on_problem=_say,
        **options,
    )


def _say(message: str) -> None:
    sys.stderr.write(f"formcheck: {message}\n")


def cmd_sessions_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    rows = store.list_sessions(patient=args.patient, exercise=args.exercise)
    if args.json:
        print(json.dumps([r.as_json() for r in rows], indent=2))
        return 0
    if not rows:
        who = f" for {args.patient}" if args.patient else ""
        print(f"No sessions{who} in {store.root}.")
        return 0
    # Names and dates may come from an imported file: no terminal escapes reach the screen.
    # Whole names: the columns are as wide as their longest entry (a name cut to "superma" is no name).
    table = [
        (
            r.id,
            printable(r.started_at[:16].replace("T", " ")),
            printable(r.patient),
            printable(f"{r.exercise} ({r.variant})"),
            "-" if r.report is None else str(len(r.report["reps"])),
            "-" if r.report is None else str(r.report["summary"]["good_reps"]),
            f"{printable(r.status)}{' +video' if r.has_video else ''}",
        )
        for r in rows
    ]
    head = ("session", "done at", "patient", "exercise", "reps", "good", "status")
    widths = [max(len(head[k]), *(len(t[k]) for t in table)) for k in range(len(head))]
    right = {4, 5}
    for cells in (head, *table):
        print(
            "  ".join(
                c.rjust(widths[k]) if k in right else (c if k == len(head) - 1 else c.ljust(widths[k]))
                for k, c in enumerate(cells)
            )
        )
    return 0


def cmd_sessions_rebuild(args: argparse.Namespace) -> int:
    from formcheck.sessions.storage import data_dir, rebuild_index

    moved, count = rebuild_index(data_dir(args.data_dir))
    if moved is not None:
        print(f"The old database was kept as {moved}.")
    print(f"Rebuilt the session index from {count} session folder(s).")
    return 0


def cmd_sessions_record(args: argparse.Namespace) -> int:
    from formcheck.report import build_report, format_text
    from formcheck.sessions.prescriptions import load_prescription
    from formcheck.spec import parse_settings

    prescription = load_prescription(args.prescription) if args.prescription else None
    if args.exercise is None and args.step is None:
        return _record_whole_recording(args, prescription)
    if (
        prescription is not None
        and args.step is not None
        and not 1 <= args.step <= len(prescription.exercises)
    ):
        raise FormcheckError(
            f"--step {args.step}: prescription {prescription.name} has exercises "
            f"1 to {len(prescription.exercises)}."
        )
    exercise = args.exercise or (
        prescription.exercises[(args.step or 1) - 1].exercise if prescription else ""
    )
    store = open_store(args)
    sid, result = record_file(
        store,
        args.video,
        exercise,
        args.variant,
        parse_settings(args.set),
        args.model,
        args.patient,
        args.keep_video,
        prescription,
        args.step,
        progress=sys.stderr.isatty(),
    )
    report = build_report(result)
    json_path = getattr(args, "json", None)
    if json_path:  # 'analyze --record --json PATH'
        from formcheck.report import write_json

        write_json(Path(json_path), report)
    print(format_text(report))
    raise_if_not_whole(store, [sid])
    print(f"\nRecorded as session {sid} in {store.root}.")
    from formcheck.analyze import raise_if_cut_short

    raise_if_cut_short(args.video, result)
    return 0


def raise_if_not_whole(store: Any, ids: list[str]) -> None:
    """A recording that stopped early (a full disk, a write error) is said, with a non-zero exit: what
    was written before it stopped is kept under the status the docs promise (disk_full, error)."""
    for sid in ids:
        row = store.get_row(sid)
        if row.status != "complete":
            why = (row.message or "Recording stopped early").rstrip(".")
            raise FormcheckError(
                f"{printable(why)}: session {sid} in {store.root} is marked '{row.status}', not complete; "
                "free some space (or fix the folder) and record again.",
                exit_code=1,
            )


def _record_whole_recording(args: argparse.Namespace, prescription: Any) -> int:
    """No -e and no --step: recognise the exercises of the file and record each as a session."""
    from formcheck.analyze import raise_if_cut_short
    from formcheck.segments import format_recording_text
    from formcheck.spec import check_settings_without_exercise, parse_settings

    check_settings_without_exercise(parse_settings(args.set), args.variant)
    if args.keep_video:
        raise FormcheckError(
            "--keep-video needs --exercise: a recording of several exercises is kept as analysed "
            "sessions without the video."
        )
    store = open_store(args)
    ids, report, track = record_recording(
        store,
        args.video,
        parse_settings(args.set),
        args.model,
        args.patient,
        prescription,
        progress=sys.stderr.isatty(),
    )
    json_path = getattr(args, "json", None)
    if json_path:
        from formcheck.report import write_json

        write_json(Path(json_path), report)
    print(format_recording_text(report))
    raise_if_not_whole(store, ids)
    if ids:
        print(f"\nRecorded {len(ids)} session(s) of one sitting in {store.root}: {', '.join(ids)}.")
    else:
        print(f"\nNothing recorded: no exercise was recognised in {args.video}.")
    raise_if_cut_short(args.video, track)
    return 0


def cmd_prescription_check(args: argparse.Namespace) -> int:
    from formcheck.sessions.prescriptions import load_prescription
    from formcheck.sessions.routine import Routine

    p = load_prescription(args.file)
    print(
        f"{args.file}: prescription for {printable(p.patient)}"
        + (f" by {printable(p.therapist)}" if p.therapist else "")
        + ", valid."
    )
    for item in p.exercises:
        extra = []
        if item.limit_deg is not None:
            extra.append(f"limit {item.limit_deg:g} deg")
        extra.append(f"rest {item.rest_s:g} s")
        print(
            f"  {item.position}. {item.describe()}, target {item.config.params['target_deg']:g} deg, "
            f"{', '.join(extra)}"
        )
        if item.notes:
            print(f"     note: {printable(item.notes)}")
    print(f"  {len(Routine(p).steps)} steps in all.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from formcheck.report import write_text_atomic
    from formcheck.sessions.reports import WRITERS, report_csv_many, sitting_of

    store = open_store(args)
    sid = resolve_session(store, args.session)
    ids = sitting_of(store, sid) if args.sitting else [sid]
    datas = [store.load(i) for i in ids]
    fmt = args.format
    out = Path(args.output) if args.output else Path(f"formcheck-{sid}.{fmt}")
    if fmt == "csv":
        write_text_atomic(out, report_csv_many(datas), private=True, hint="choose another path with -o")
    else:
        write = WRITERS.get(fmt)
        if write is None:
            raise FormcheckError(
                f"{fmt.upper()} reports are drawn by formcheck's window part, which needs PyQt6; "
                "it is not installed here (CSV works: --format csv)."
            )
        write(store, datas, out)
    what = f"{len(datas)} sessions of one sitting" if len(datas) > 1 else "the session"
    print(f"Wrote {out} ({what}).")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from formcheck.sessions.exchange import export_session

    store = open_store(args)
    sid = resolve_session(store, args.session)
    out = export_session(store, sid, args.output or f"formcheck-{sid}.zip")
    print(f"Exported session {sid} to {out}. It holds health data: share it only with your therapist.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from formcheck.sessions.exchange import import_session

    store = open_store(args)
    sid = import_session(store, args.file, replace=args.replace)
    row = store.get_row(sid)
    print(printable(f"Imported session {sid} ({row.patient}, {row.exercise}, {row.started_at[:10]})."))
    return 0


def register(subparsers: Any, parser: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("sessions", help="list, record or rebuild recorded sessions")
    sub = p.add_subparsers(dest="sessions_command", required=True)
    q = sub.add_parser("list", help="list recorded sessions")
    q.add_argument("--patient", help="only this patient's sessions")
    q.add_argument("--exercise", "-e", help="only this exercise")
    q.add_argument("--json", action="store_true", help="print JSON instead of a table")
    data_dir_arg(q)
    q.set_defaults(func=cmd_sessions_list)
    q = sub.add_parser("record", help="analyse a video file and record it as a session")
    q.add_argument("video", help="video file (mp4, avi, mov)")
    q.add_argument("--exercise", "-e", help="exercise name (see 'formcheck exercises')")
    q.add_argument("--variant", "-v", help="exercise variant")
    q.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a setting, e.g. hold_s=20")
    q.add_argument("--model", help="pose model from models/registry.toml")
    q.add_argument("--patient", help="whose session this is (default: 'me')")
    q.add_argument("--prescription", metavar="FILE", help="record against this prescription (TOML)")
    q.add_argument(
        "--step", type=int, metavar="N", help="the prescription's exercise number to record against"
    )
    q.add_argument(
        "--keep-video", action="store_true", help="also store the video (off by default: it is private)"
    )
    data_dir_arg(q)
    q.set_defaults(func=cmd_sessions_record)
    q = sub.add_parser(
        "rebuild", help="set a damaged session database aside and rebuild it from the session files"
    )
    data_dir_arg(q)
    q.set_defaults(func=cmd_sessions_rebuild)

    p = subparsers.add_parser("prescription", help="check or edit a prescription file")
    sub = p.add_subparsers(dest="prescription_command", required=True)
    q = sub.add_parser("check", help="validate a prescription file and show its steps")
    q.add_argument("file", help="prescription file (.toml)")
    q.set_defaults(func=cmd_prescription_check)
    add_group(parser, "prescription", sub)  # the window adds "edit"

    p = subparsers.add_parser("report", help="write a session report (HTML, PDF or CSV)")
    p.add_argument("session", nargs="?", help="session id or a unique prefix (default: the last session)")
    p.add_argument("--format", "-f", choices=["html", "pdf", "csv"], default="html", help="report format")
    p.add_argument(
        "--sitting",
        action="store_true",
        help="every exercise of the sitting this session belongs to (auto mode or a routine), in order",
    )
    p.add_argument(
        "-o", "--output", metavar="PATH", help="where to write it (default: formcheck-SESSION.FORMAT)"
    )
    data_dir_arg(p)
    p.set_defaults(func=cmd_report)

    p = subparsers.add_parser("export", help="export a session to a zip file (for your therapist)")
    p.add_argument("session", nargs="?", help="session id or a unique prefix (default: the last session)")
    p.add_argument("-o", "--output", metavar="FILE.zip", help="zip file to write")
    data_dir_arg(p)
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser("import", help="import a session exported with 'formcheck export'")
    p.add_argument("file", help="the .zip file")
    p.add_argument("--replace", action="store_true", help="overwrite a session with the same id")
    data_dir_arg(p)
    p.set_defaults(func=cmd_import)
