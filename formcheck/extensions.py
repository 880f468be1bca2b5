"""How other parts of the program plug into the core without the core naming them.

The core (``formcheck/``) never imports the window (``ui/``) or Qt. The window registers its commands
through the ``formcheck.commands`` entry points in pyproject.toml; each entry is a
``register(subparsers, parser)`` function, called after the core's own. An extension adds to a core
command's subcommands with ``subcommands(parser, name)``, to the session report formats with
``formcheck.sessions.reports.register_writer`` and to ``formcheck doctor`` with
``formcheck.doctor.register_check``.
"""

from __future__ import annotations

import argparse
import importlib
from importlib import metadata
from typing import Any

CORE_COMMANDS = (
    "formcheck.commands_eval",
    "formcheck.sessions.commands",
    "formcheck.batch.commands",
    "formcheck.doctor",
)
ENTRY_POINT_GROUP = "formcheck.commands"
OPTIONAL_PARTS = ("PyQt6", "ui")  # an extension that needs one of these is left out when it is missing


def command_registrars() -> list[Any]:
    """``register(subparsers, parser)`` of each command module: the core's, then the installed extensions'."""
    found = [importlib.import_module(name).register for name in CORE_COMMANDS]
    for entry in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            found.append(entry.load())
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] in OPTIONAL_PARTS:
                continue  # that part is not installed: its commands are absent
            raise
    return found


def add_group(parser: argparse.ArgumentParser, name: str, sub: Any) -> None:
    """Make command ``name``'s subcommands reachable with ``subcommands``."""
    groups = getattr(parser, "_formcheck_groups", None)
    if groups is None:
        groups = {}
        parser._formcheck_groups = groups  # type: ignore[attr-defined]
    groups[name] = sub


def subcommands(parser: argparse.ArgumentParser, name: str) -> Any:
    """The subcommands of command ``name`` (e.g. 'prescription'), for an extension that adds one."""
    return parser._formcheck_groups[name]  # type: ignore[attr-defined]
