"""The session commands that draw: the review window, the prescription editor, and HTML/PDF reports.

Registered through the ``formcheck.commands`` entry point (see formcheck/extensions.py); Qt is imported
only when one of them runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from formcheck.extensions import subcommands
from formcheck.safe_text import printable
from formcheck.sessions.commands import data_dir_arg, open_store, resolve_session
from formcheck.sessions.reports import register_writer


def _write_html(store: Any, data: Any, path: Path) -> None:
    from ui.review_report import write_html

    write_html(store, data, path)


def _write_pdf(store: Any, data: Any, path: Path) -> None:
    from ui.review_report import write_pdf

    write_pdf(store, data, path)


def cmd_review(args: argparse.Namespace) -> int:
    from ui.qt_app import require_display

    store = open_store(args)
    sid = resolve_session(store, args.session) if args.session else None
    if not args.screenshot:
        require_display("review window")
    from ui.review import main as review_main

    return int(review_main(store, sid, screenshot=args.screenshot, exit_after_s=args.exit_after))


def cmd_prescription_edit(args: argparse.Namespace) -> int:
    from ui.qt_app import make_app, require_display

    require_display("prescription editor")
    _app = make_app()  # kept alive while the dialog runs
    from ui.prescription_editor import PrescriptionEditor

    editor = PrescriptionEditor(args.file)
    editor.exec()
    if editor.saved is not None and editor.path is not None:
        print(f"Saved {editor.path}: prescription for {printable(editor.saved.patient)}.")
    return 0


def register(subparsers: Any, parser: argparse.ArgumentParser) -> None:
    register_writer("html", _write_html)
    register_writer("pdf", _write_pdf)

    q = subcommands(parser, "prescription").add_parser(
        "edit", help="write or edit a prescription in a window (for the therapist)"
    )
    q.add_argument("file", nargs="?", help="prescription file (.toml) to edit or create")
    q.set_defaults(func=cmd_prescription_edit)

    p = subparsers.add_parser("review", help="open the review window for recorded sessions")
    p.add_argument("session", nargs="?", help="session to open first (default: the last one)")
    p.add_argument(
        "--screenshot", metavar="PATH", help="save the window as PNG and close (for docs and tests)"
    )
    p.add_argument("--exit-after", type=float, metavar="SECONDS", help="close the window after this long")
    data_dir_arg(p)
    p.set_defaults(func=cmd_review)
