"""Text that came from a file, made safe for where it goes: a spreadsheet cell, a terminal, a window.

Sessions travel between patient and therapist as zip files, so a patient's name or a note can carry a
spreadsheet formula or a terminal escape sequence. Every CSV cell we write goes through ``csv_cell`` and
every piece of file-borne text we print or draw goes through ``printable``.
"""

from __future__ import annotations

import re

# OWASP's rule for CSV injection: a cell that a spreadsheet could read as a formula starts with one of these.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# C0 and C1 control characters (ESC and CSI among them), except tab and newline which text may carry.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def csv_cell(value: object) -> object:
    """A value as it may go into a CSV cell: text a spreadsheet would run as a formula gets a leading
    apostrophe (shown as text, not run). Numbers pass unchanged, so negative figures stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def printable(text: str) -> str:
    """Text with control characters (terminal escapes among them) removed, for printing or drawing."""
    return _CONTROL.sub("", text)
