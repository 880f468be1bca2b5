"""What a batch has finished, kept in OUTDIR so a stopped run (Ctrl-C, a power cut, kill -9) starts
again without redoing finished files. One small JSON file per recording, named by the sha256 of its
content and written atomically after its report and sessions: a file is either finished with all its
results, or not finished. A renamed or moved recording is still finished; a changed one is new work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from formcheck.report import write_text_atomic

STATE_DIR = ".formcheck-batch"
STATE_VERSION = 1


class BatchState:
    def __init__(self, outdir: Path) -> None:
        self.folder = Path(outdir) / STATE_DIR

    def _path(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.json"

    def finished(self, sha256: str, patient: str) -> dict[str, Any] | None:
        """The record of a finished file with this content for this patient, or None."""
        try:
            record = json.loads(self._path(sha256).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # not finished, or a record damaged some other way: do it again
        if record.get("version") != STATE_VERSION or record.get("patient") != patient:
            return None
        return record

    def mark_finished(self, sha256: str, record: dict[str, Any]) -> None:
        record = {"version": STATE_VERSION, "sha256": sha256, **record}
        write_text_atomic(
            self._path(sha256),
            json.dumps(record, indent=1) + "\n",
            private=True,
            hint="choose another output folder with -o",
        )
