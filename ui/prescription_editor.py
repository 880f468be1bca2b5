"""The prescription editor: a therapist writes the patient's name and the exercises, and Save writes the
same TOML file as a hand-written prescription (``prescription_toml``), checked with
``load_prescription`` before anything is written."""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from formcheck.errors import FormcheckError
from formcheck.sessions.prescriptions import (
    DEFAULT_REST_S,
    LIMIT_RANGE_DEG,
    MAX_REPS,
    MAX_SETS,
    REST_RANGE_S,
    SIDES_BY_MODE,
    Prescription,
    load_prescription,
    prescription_toml,
)
from formcheck.spec import ExerciseSpec, available_exercises, load_exercise, load_spec

STYLE = """
QDialog { background: #111; }
QLabel { color: white; font-size: 22px; }
QLabel#help { color: #ccc; font-size: 18px; }
QLabel#message { color: #ffb000; font-size: 22px; font-weight: bold; }
QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox { font-size: 22px; padding: 4px; min-height: 36px; }
QListWidget { font-size: 20px; background: #1c1c1c; color: white; border: 2px solid #555; }
QListWidget::item { padding: 6px; }
QListWidget::item:selected { background: #1f4f7a; color: white; }
QPushButton { font-size: 20px; padding: 10px 16px; background: #2a2a2a; color: white;
              border: 2px solid #777; border-radius: 8px; }
QPushButton:disabled { color: #666; border-color: #444; }
QCheckBox { color: white; font-size: 22px; }
QCheckBox::indicator { width: 26px; height: 26px; background: #222; border: 2px solid #aaa;
                      border-radius: 4px; }
QCheckBox::indicator:checked { background: #4caf50; border-color: white; }
"""
UNSET = -1.0  # an optional number's spin box at this value means "not given" (the exercise default)
NUMBER_KEYS = ("hold_s", "target_deg", "limit_deg", "rest_s")


def new_row(name: str, variant: str) -> dict[str, Any]:
    return {
        "name": name,
        "variant": variant,
        "sides": None,  # None: every side the variant has
        "sets": 1,
        "reps": 10,
        "hold_s": None,
        "target_deg": None,
        "limit_deg": None,
        "rest_s": None,
        "notes": "",
        "settings": "",  # "max_speed_deg_s = 60, ..." as the therapist typed it
    }


def _settings_text(settings: Any) -> str:
    return ", ".join(f"{k} = {float(v):g}" for k, v in settings.items())


def _parse_settings(text: str, i: int) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        return dict(tomllib.loads(f"s = {{ {text.strip()} }}")["s"])
    except tomllib.TOMLDecodeError:
        raise FormcheckError(
            f"Exercise {i}: other settings must look like 'max_speed_deg_s = 60, release_deg = 40'."
        ) from None


def write_atomically(path: Path, text: str) -> None:
    """Write next to the file, flush to disk, then rename over it: a reader sees the old or the new file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise FormcheckError(f"Cannot write {path}: {reason}; choose another file.") from None


class PrescriptionEditor(QDialog):
    """Patient, therapist, notes and a list of exercises; the selected exercise is edited on the right."""

    def __init__(self, path: str | Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.saved: Prescription | None = None
        self.rows: list[dict[str, Any]] = []
        self._loading = False
        self.specs: dict[str, ExerciseSpec] = {n: load_spec(p) for n, p in available_exercises().items()}
        self.setWindowTitle("formcheck: write a prescription")
        self.setStyleSheet(STYLE)
        layout = QVBoxLayout(self)
        self.title = QLabel("Write a prescription")
        self.title.setStyleSheet("font-size: 30px; font-weight: bold; color: #ffd24d;")
        layout.addWidget(self.title)

        top = QFormLayout()
        self.patient_edit = QLineEdit()
        self.patient_edit.setPlaceholderText("the patient's name (required)")
        self.therapist_edit = QLineEdit()
        self.therapist_edit.setPlaceholderText("optional")
        self.notes_edit = QLineEdit()
        self.notes_edit.setPlaceholderText("optional, e.g. Stop if the pain spreads down the leg.")
        top.addRow("Patient", self.patient_edit)
        top.addRow("Therapist", self.therapist_edit)
        top.addRow("Notes", self.notes_edit)
        layout.addLayout(top)

        body = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("Exercises, in order"))
        self.list = QListWidget()
        self.list.setMinimumWidth(430)
        self.list.currentRowChanged.connect(self._row_selected)
        left.addWidget(self.list, 1)
        row_buttons = QHBoxLayout()
        self.add_button = QPushButton("Add [Ctrl+N]")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_row)
        self.up_button = QPushButton("▲ [Alt+↑]")
        self.up_button.clicked.connect(lambda: self.move_row(-1))
        self.down_button = QPushButton("▼ [Alt+↓]")
        self.down_button.clicked.connect(lambda: self.move_row(1))
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            row_buttons.addWidget(b)
        left.addLayout(row_buttons)
        body.addLayout(left, 1)

        self.form_widget = QWidget()
        form = QFormLayout(self.form_widget)
        self.exercise_box = QComboBox()
        for name, spec in self.specs.items():
            self.exercise_box.addItem(spec.title, name)
        self.variant_box = QComboBox()
        self.variant_help = QLabel()
        self.variant_help.setObjectName("help")
        self.variant_help.setWordWrap(True)
        sides = QHBoxLayout()
        self.left_box = QCheckBox("left")
        self.right_box = QCheckBox("right")
        self.no_sides = QLabel("this variant has no sides")
        self.no_sides.setObjectName("help")
        for w in (self.left_box, self.right_box, self.no_sides):
            sides.addWidget(w)
        sides.addStretch(1)
        self.sets_box = QSpinBox()
        self.sets_box.setRange(0, MAX_SETS)
        self.reps_box = QSpinBox()
        self.reps_box.setRange(0, MAX_REPS)
        self.reps_box.setSuffix(" per side")
        self.numbers = {
            # hold and target: up to the exercise's own range, set when one is chosen (_show_variant)
            "hold_s": self._number_box(600, " s"),
            "target_deg": self._number_box(180, "°"),
            "limit_deg": self._number_box(LIMIT_RANGE_DEG[1], "°"),
            "rest_s": self._number_box(REST_RANGE_S[1], " s"),
        }
        self.numbers["limit_deg"].setSpecialValueText("none")
        self.numbers["rest_s"].setSpecialValueText(f"default ({DEFAULT_REST_S:g} s)")
        self.item_notes = QLineEdit()
        self.item_notes.setPlaceholderText("optional, e.g. Hands behind the thigh.")
        self.settings_edit = QLineEdit()
        self.settings_edit.setPlaceholderText("optional, e.g. max_speed_deg_s = 60")
        form.addRow("Exercise", self.exercise_box)
        form.addRow("Variant", self.variant_box)
        form.addRow("", self.variant_help)
        form.addRow("Sides", sides)
        form.addRow("Sets", self.sets_box)
        form.addRow("Reps", self.reps_box)
        form.addRow("Hold", self.numbers["hold_s"])
        form.addRow("Target angle", self.numbers["target_deg"])
        form.addRow("Do not go past", self.numbers["limit_deg"])
        form.addRow("Rest between sets", self.numbers["rest_s"])
        form.addRow("Notes", self.item_notes)
        form.addRow("Other settings", self.settings_edit)
        body.addWidget(self.form_widget, 2)
        layout.addLayout(body, 1)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open a file… [Ctrl+O]")
        self.open_button.clicked.connect(self.choose_file)
        self.cancel_button = QPushButton("Cancel [Esc]")
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Save [Ctrl+S]")
        self.save_button.setStyleSheet("background: #2e7d32; font-weight: bold;")
        self.save_button.clicked.connect(lambda: self.save())
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        for keys, slot in (
            ("Ctrl+S", lambda: self.save()),
            ("Ctrl+N", self.add_row),
            ("Ctrl+O", self.choose_file),
            ("Alt+Up", lambda: self.move_row(-1)),
            ("Alt+Down", lambda: self.move_row(1)),
        ):
            QShortcut(QKeySequence(keys), self, activated=slot)

        self.exercise_box.currentIndexChanged.connect(self._exercise_changed)
        self.variant_box.currentIndexChanged.connect(self._variant_changed)
        for w in (self.left_box, self.right_box):
            w.toggled.connect(self._store_form)
        for w in (self.sets_box, self.reps_box, *self.numbers.values()):
            w.valueChanged.connect(self._store_form)
        for w in (self.item_notes, self.settings_edit):
            w.textChanged.connect(self._store_form)

        if path is not None and Path(path).exists():
            self.load(path)
        else:
            self.path = Path(path) if path is not None else None
            self.add_row()
        self.resize(1250, 900)

    # --- building blocks -------------------------------------------------------------------------------

    def _number_box(self, top: float, suffix: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(UNSET, top)
        box.setDecimals(1)
        box.setSuffix(suffix)
        box.setValue(UNSET)
        return box

    def _default(self, name: str, variant: str, key: str) -> float:
        try:
            return float(load_exercise(name, variant).params[key])
        except (FormcheckError, KeyError):
            return 0.0

    def _mode(self, row: dict[str, Any]) -> str:
        spec = self.specs[row["name"]]
        return spec.variants[row["variant"]].sides

    def _describe(self, i: int, row: dict[str, Any]) -> str:
        spec = self.specs[row["name"]]
        return f"{i + 1}. {spec.title} ({row['variant']}): {row['sets']} x {row['reps']}"

    def _refresh_list(self) -> None:
        for i, row in enumerate(self.rows):
            item = self.list.item(i)
            if item is not None:  # None while the list is being changed
                item.setText(self._describe(i, row))
        n = len(self.rows)
        i = self.list.currentRow()
        self.remove_button.setEnabled(n > 0)
        self.up_button.setEnabled(i > 0)
        self.down_button.setEnabled(0 <= i < n - 1)
        self.form_widget.setEnabled(n > 0)

    # --- rows ----------------------------------------------------------------------------------------

    def add_row(self, row: dict[str, Any] | None = None) -> None:
        if row is None:
            current = self.list.currentRow()
            if 0 <= current < len(self.rows):  # start from the exercise above: often the same one
                row = dict(self.rows[current], notes="", settings="")
            else:
                name = next(iter(self.specs))
                row = new_row(name, self.specs[name].default_variant)
        self.rows.append(row)
        self.list.addItem(self._describe(len(self.rows) - 1, row))
        self.list.setCurrentRow(len(self.rows) - 1)
        self._refresh_list()

    def remove_row(self) -> None:
        i = self.list.currentRow()
        if not 0 <= i < len(self.rows):
            return
        del self.rows[i]
        self._loading = True
        self.list.takeItem(i)
        self._loading = False
        if self.rows:
            self.list.setCurrentRow(min(i, len(self.rows) - 1))
            self._row_selected(self.list.currentRow())
        self._refresh_list()

    def move_row(self, step: int) -> None:
        i = self.list.currentRow()
        j = i + step
        if not (0 <= i < len(self.rows) and 0 <= j < len(self.rows)):
            return
        self.rows[i], self.rows[j] = self.rows[j], self.rows[i]
        self.list.setCurrentRow(j)
        self._refresh_list()

    # --- the form for the selected row ---------------------------------------------------------------

    def _row_selected(self, i: int) -> None:
        if self._loading or not 0 <= i < len(self.rows):
            self._refresh_list()
            return
        row = self.rows[i]
        self._loading = True
        try:
            self.exercise_box.setCurrentIndex(self.exercise_box.findData(row["name"]))
            self._fill_variants(row["name"])
            self.variant_box.setCurrentIndex(self.variant_box.findData(row["variant"]))
            self._show_variant(row)
            self.sets_box.setValue(row["sets"])
            self.reps_box.setValue(row["reps"])
            for key, box in self.numbers.items():
                box.setValue(UNSET if row[key] is None else row[key])
            self.item_notes.setText(row["notes"])
            self.settings_edit.setText(row["settings"])
        finally:
            self._loading = False
        self._refresh_list()

    def _fill_variants(self, name: str) -> None:
        self.variant_box.blockSignals(True)
        self.variant_box.clear()
        for v in self.specs[name].variants.values():
            self.variant_box.addItem(v.name, v.name)
        self.variant_box.blockSignals(False)

    def _show_variant(self, row: dict[str, Any]) -> None:
        spec = self.specs[row["name"]]
        self.variant_help.setText(spec.variants[row["variant"]].description)
        has_sides = self._mode(row) in ("either", "signed")
        sides = row["sides"] if row["sides"] is not None else list(SIDES_BY_MODE[self._mode(row)])
        was = self._loading
        self._loading = True
        for box, side in ((self.left_box, "left"), (self.right_box, "right")):
            box.setVisible(has_sides)
            box.setChecked(has_sides and side in sides)
        self._loading = was
        self.no_sides.setVisible(not has_sides)
        for key, unit in (("hold_s", " s"), ("target_deg", "°")):
            value = self._default(row["name"], row["variant"], key)
            self.numbers[key].setSpecialValueText(f"default ({value:g}{unit})")
            # the clinical range the exercise allows (a prescription outside it is refused on saving)
            low, high = spec.ranges.get(key, (0.0, 600.0))
            self.numbers[key].setMaximum(high)
            self.numbers[key].setToolTip(f"{low:g} to {high:g}{unit}, or the default")

    def _reset_angles(self, row: dict[str, Any]) -> None:
        """Another exercise or variant: its own defaults, not the angles and hold of the one before."""
        row.update(sides=None, hold_s=None, target_deg=None, limit_deg=None)
        self._loading = True
        for key in ("hold_s", "target_deg", "limit_deg"):
            self.numbers[key].setValue(UNSET)
        self._loading = False

    def _exercise_changed(self) -> None:
        i = self.list.currentRow()
        if self._loading or not 0 <= i < len(self.rows):
            return
        row = self.rows[i]
        row["name"] = self.exercise_box.currentData()
        row["variant"] = self.specs[row["name"]].default_variant
        self._reset_angles(row)
        self._loading = True
        self._fill_variants(row["name"])
        self.variant_box.setCurrentIndex(0)
        self._loading = False
        self._show_variant(row)
        self._refresh_list()

    def _variant_changed(self) -> None:
        i = self.list.currentRow()
        if self._loading or not 0 <= i < len(self.rows):
            return
        row = self.rows[i]
        row["variant"] = self.variant_box.currentData()
        self._reset_angles(row)
        self._show_variant(row)
        self._refresh_list()

    def _store_form(self) -> None:
        i = self.list.currentRow()
        if self._loading or not 0 <= i < len(self.rows):
            return
        row = self.rows[i]
        if self._mode(row) in ("either", "signed"):
            row["sides"] = [
                s for b, s in ((self.left_box, "left"), (self.right_box, "right")) if b.isChecked()
            ]
        row["sets"] = self.sets_box.value()
        row["reps"] = self.reps_box.value()
        for key, box in self.numbers.items():
            row[key] = None if box.value() <= UNSET else box.value()
        row["notes"] = self.item_notes.text()
        row["settings"] = self.settings_edit.text()
        self._refresh_list()

    # --- files ---------------------------------------------------------------------------------------

    def load(self, path: str | Path) -> None:
        """Fill the dialog from a prescription file (raises FormcheckError if it is not valid)."""
        p = load_prescription(path)
        self.path = Path(path)
        self.patient_edit.setText(p.patient)
        self.therapist_edit.setText(p.therapist)
        self.notes_edit.setText(p.notes)
        self.rows.clear()
        self._loading = True
        self.list.clear()
        self._loading = False
        for item in p.exercises:
            row = new_row(item.exercise, item.variant)
            row.update(
                sides=list(item.sides) if self._mode(row) in ("either", "signed") else None,
                sets=item.sets,
                reps=item.reps,
                hold_s=item.hold_s,
                target_deg=item.target_deg,
                limit_deg=item.limit_deg,
                rest_s=item.rest_s,
                notes=item.notes,
                settings=_settings_text(item.settings),
            )
            self.rows.append(row)
            self.list.addItem(self._describe(len(self.rows) - 1, row))
        self.title.setText(f"Edit prescription {self.path.name}")
        self.message.setText("")
        self.list.setCurrentRow(0)
        self._row_selected(0)

    def choose_file(self) -> None:
        start = str(self.path.parent) if self.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open a prescription", start, "Prescriptions (*.toml)")
        if path:
            try:
                self.load(path)
            except FormcheckError as exc:
                self.message.setText(exc.message)

    def entries(self) -> list[dict[str, Any]]:
        """The exercises as prescription_toml takes them (values not given are left out)."""
        out = []
        for i, row in enumerate(self.rows, start=1):
            entry: dict[str, Any] = {"name": row["name"], "variant": row["variant"]}
            if self._mode(row) in ("either", "signed") and row["sides"] is not None:
                entry["sides"] = list(row["sides"])
            entry["sets"], entry["reps"] = row["sets"], row["reps"]
            for key in NUMBER_KEYS:
                if row[key] is not None:
                    entry[key] = row[key]
            entry["notes"] = row["notes"].strip()
            entry["settings"] = _parse_settings(row["settings"], i)
            out.append(entry)
        return out

    def text(self) -> str:
        return prescription_toml(
            self.patient_edit.text().strip(),
            self.entries(),
            therapist=self.therapist_edit.text().strip(),
            notes=self.notes_edit.text().strip(),
        )

    def save(self, path: str | Path | None = None) -> bool:
        """Check the prescription and write it; on a mistake show one sentence and write nothing."""
        target = Path(path) if path is not None else self.path
        if target is None:
            name = self.patient_edit.text().strip().lower().replace(" ", "_") or "prescription"
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Save the prescription", f"{name}.toml", "Prescriptions (*.toml)"
            )
            if not chosen:
                return False
            target = Path(chosen)
        if target.suffix != ".toml":
            target = target.with_name(target.name + ".toml")
        try:
            text = self.text()
            with tempfile.TemporaryDirectory(prefix="formcheck-") as tmp:
                check = Path(tmp) / target.name  # same name, so a mistake names the therapist's file
                check.write_text(text, encoding="utf-8")
                load_prescription(check)
            write_atomically(target, text)
            self.saved = load_prescription(target)
        except FormcheckError as exc:
            self.message.setText(exc.message)
            found = re.search(r"exercise (\d+)", exc.message, re.IGNORECASE)
            if found and 1 <= int(found.group(1)) <= len(self.rows):
                self.list.setCurrentRow(int(found.group(1)) - 1)
            return False
        self.path = target
        self.message.setText("")
        self.accept()
        return True
