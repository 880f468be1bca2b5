"""A batch's summary.csv opened as a table, as a therapist sees it in a spreadsheet, saved as a picture
for the docs. Reads the CSV that ``formcheck batch`` wrote; computes nothing.

    QT_QPA_PLATFORM=offscreen uv run python -m ui.batch_summary OUTDIR/summary.csv PICTURE.png
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

# The columns a reader scans first; the CSV has more (per-side holds and peaks).
SHOWN = (
    ("patient", "patient"),
    ("date", "date"),
    ("file", "file"),
    ("exercise", "exercise"),
    ("variant", "variant"),
    ("reps", "reps"),
    ("reps_left", "L"),
    ("reps_right", "R"),
    ("good_reps", "good"),
    ("hold_s_mean", "hold s"),
    ("peak_deg_mean", "peak °"),
    ("asymmetry_pct", "asym %"),
    ("faults", "faults"),
    ("setup_problems", "set-up problems"),
    ("status", "status"),
    ("reason", "reason"),
)
STATUS_COLOURS = {"failed": "#f6d5d5", "cut short": "#fbe7c6", "refused": "#e4e4e4", "no exercise": "#eef2f7"}


def table_widget(rows: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    from PyQt6.QtCore import Qt
    from PyQt6.QtGui import QColor
    from PyQt6.QtWidgets import QTableWidget, QTableWidgetItem

    table = QTableWidget(len(rows), len(SHOWN))
    table.setHorizontalHeaderLabels([title for _, title in SHOWN])
    table.verticalHeader().setVisible(False)
    for i, row in enumerate(rows):
        colour = STATUS_COLOURS.get(row.get("status", ""))
        for j, (key, _) in enumerate(SHOWN):
            item = QTableWidgetItem(row.get(key, ""))
            if colour:
                item.setBackground(QColor(colour))
            table.setItem(i, j, item)
    table.setWordWrap(False)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a picture of the table, not of a selected cell
    table.resizeColumnsToContents()
    reason = len(SHOWN) - 1
    table.setColumnWidth(reason, min(table.columnWidth(reason), 420))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.batch_summary")
    parser.add_argument("summary", help="summary.csv written by formcheck batch")
    parser.add_argument("png", help="where to save the picture")
    args = parser.parse_args(argv)
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with open(args.summary, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    table = table_widget(rows)
    width = table.horizontalHeader().length() + 4
    height = table.horizontalHeader().height() + table.verticalHeader().length() + 4
    table.resize(width, height)
    table.setWindowTitle(f"{Path(args.summary).name} - {len(rows)} rows")
    table.show()
    app.processEvents()
    if not table.grab().save(args.png):
        sys.stderr.write(f"Cannot save {args.png}.\n")
        return 1
    print(f"Saved {args.png} ({width}x{height}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
