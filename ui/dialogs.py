"""The safety screen (before first use), its banner form, and the pain-score dialog."""

from __future__ import annotations

import time

from PyQt6.QtCore import QSettings, Qt, pyqtSignal
from PyQt6.QtGui import QKeyEvent
from PyQt6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SAFETY_KEY = "safety/accepted_version"
SAFETY_VERSION = 1

RED_FLAGS = (
    "new problems controlling your bladder or bowels",
    "numbness in the saddle area (between your legs, around your bottom)",
    "weakness in both legs",
    "sciatica in both legs",
    "fever, or feeling generally unwell with back pain",
    "back pain after a recent fall, accident or other injury",
)
SAFETY_TITLE = "Before you start: is it safe to exercise today?"
SAFETY_LEAD = "Do not exercise, and see a doctor today, if you have any of these:"
SAFETY_AID = (
    "formcheck is an exercise aid, not a diagnosis. It watches your form; it cannot tell what causes "
    "your pain. Stop at once if pain increases or spreads down your leg, and follow your therapist's advice."
)
SAFETY_SHORT = (
    "See a doctor today, not exercise, if you have: new bladder or bowel problems, numbness in the "
    "saddle area, weakness in both legs, sciatica in both legs, fever, or a recent injury. "
    "formcheck is an exercise aid, not a diagnosis."
)

BIG = "font-size: 22px;"


def safety_accepted(settings: QSettings) -> bool:
    return int(settings.value(SAFETY_KEY, 0) or 0) >= SAFETY_VERSION


def accept_safety(settings: QSettings) -> None:
    settings.setValue(SAFETY_KEY, SAFETY_VERSION)
    settings.sync()


class SafetyDialog(QDialog):
    """Shown before first use. Accepting it is remembered in the settings."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("formcheck: safety first")
        self.setStyleSheet(
            f"QDialog {{ background: #111; }} QLabel {{ color: white; {BIG} }}"
            "QPushButton { font-size: 22px; padding: 14px 24px; }"
        )
        layout = QVBoxLayout(self)
        title = QLabel(SAFETY_TITLE)
        title.setStyleSheet("font-size: 30px; font-weight: bold; color: #ffd24d;")
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(QLabel(SAFETY_LEAD))
        flags = QLabel("".join(f"<p>✖ {flag}</p>" for flag in RED_FLAGS))
        flags.setWordWrap(True)
        flags.setStyleSheet("font-size: 24px; font-weight: bold; color: #ff8080;")
        layout.addWidget(flags)
        aid = QLabel(SAFETY_AID)
        aid.setWordWrap(True)
        layout.addWidget(aid)
        buttons = QHBoxLayout()
        self.quit_button = QPushButton("Quit  [Esc]")
        self.quit_button.clicked.connect(self.reject)
        self.ok_button = QPushButton("I have none of these: continue  [Enter]")
        self.ok_button.setDefault(True)
        self.ok_button.setStyleSheet("background: #2e7d32; color: white; font-weight: bold;")
        self.ok_button.clicked.connect(self.accept)
        buttons.addWidget(self.quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)
        self.resize(900, 640)

    def accept(self) -> None:
        accept_safety(self.settings)
        super().accept()


class SafetyBanner(QFrame):
    """The safety screen as a strip across the window, for runs that must not wait (demo, scripted)."""

    accepted = pyqtSignal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setObjectName("safetyBanner")
        self.setStyleSheet(
            "#safetyBanner { background: #5c1010; border: 3px solid #ffd24d; }"
            "QLabel { color: white; font-size: 19px; }"
            "QPushButton { font-size: 19px; padding: 8px 16px; }"
        )
        layout = QHBoxLayout(self)
        mark = QLabel("⚠ SAFETY")
        mark.setStyleSheet("font-size: 24px; font-weight: bold; color: #ffd24d;")
        layout.addWidget(mark)
        text = QLabel(SAFETY_SHORT)
        text.setWordWrap(True)
        layout.addWidget(text, 1)
        button = QPushButton("I understand")
        button.clicked.connect(self.accept)
        layout.addWidget(button)

    def accept(self) -> None:
        accept_safety(self.settings)
        self.hide()
        self.accepted.emit()


TEN_WINDOW_S = 1.5  # "1" then "0" within this long is ten, as typed on a keypad; later, the "0" is 0
SCORE_KEYS_HELP = "press 0-9 on the keyboard, 1 then 0 for ten, or click; Enter saves"


class PainDialog(QDialog):
    """Asks for a pain score 0-10 and an optional note, all from the keyboard: a digit picks a score,
    1 then 0 (quickly, as on a keypad) picks ten, Enter saves, Esc skips. Digits typed into the note go
    into the note.

    Not modal-blocking (``open()``), so the pipeline and tests keep running; read ``score`` and
    ``note`` after ``finished``.
    """

    TITLES = {
        "pain_stop": ("Pain stop", "Exercise stopped. How bad is the pain now?"),
        "before": ("Pain before", "Before you start: how much pain do you have now?"),
        "after": ("Pain after", "Well done. How much pain do you have now?"),
    }

    def __init__(self, parent: QWidget | None = None, when: str = "pain_stop") -> None:
        super().__init__(parent)
        self.when = when
        window_title, question = self.TITLES[when]
        self.setWindowTitle(window_title)
        self.setModal(True)
        self.setStyleSheet(
            "QDialog { background: #111; } QLabel { color: white; font-size: 24px; }"
            "QPushButton { font-size: 24px; padding: 10px; min-width: 48px; }"
            "QPushButton:checked { background: #ffd24d; color: black; font-weight: bold; }"
            "QLineEdit { font-size: 22px; padding: 8px; }"
        )
        layout = QVBoxLayout(self)
        title = QLabel(question)
        title.setStyleSheet("font-size: 30px; font-weight: bold;")
        title.setWordWrap(True)
        layout.addWidget(title)
        scale = QLabel(f"0 = no pain, 10 = worst pain imaginable  ({SCORE_KEYS_HELP})")
        scale.setWordWrap(True)
        layout.addWidget(scale)
        row = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QPushButton] = []
        for score in range(11):
            b = QPushButton(str(score))
            b.setCheckable(True)
            # Not focusable and never the default: Enter must save, not press the score last clicked.
            b.setAutoDefault(False)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.group.addButton(b, score)
            row.addWidget(b)
            self.buttons.append(b)
        layout.addLayout(row)
        note_title = QLabel("Anything to tell your therapist? (optional)")
        layout.addWidget(note_title)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("e.g. sharp pain down the left leg when lifting")
        layout.addWidget(self.note_edit)
        if when != "pain_stop":  # a score is all a before/after question needs
            note_title.hide()
            self.note_edit.hide()
        help_text = QLabel(
            "Everything recorded so far is kept. If the pain does not settle, or spreads down your leg, "
            "stop for today and contact your therapist or doctor."
            if when == "pain_stop"
            else "Your therapist sees the scores before and after, to know how the exercises suit you."
        )
        help_text.setWordWrap(True)
        help_text.setStyleSheet("font-size: 19px; color: #ddd;")
        layout.addWidget(help_text)
        buttons = QHBoxLayout()
        skip = QPushButton("Skip  [Esc]")
        skip.setAutoDefault(False)
        skip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        skip.clicked.connect(self.reject)
        self.save_button = QPushButton("Save score  [Enter]")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.accept)
        buttons.addWidget(skip)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.clock = time.monotonic
        self._typed: tuple[int, float] | None = None  # the last digit typed and when
        self.save_button.setFocus()  # not the note: digits are scores until the note is clicked
        self.resize(900, 420)

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        text = event.text() if event is not None else ""
        if len(text) == 1 and text.isdigit() and not self.note_edit.hasFocus():
            self.type_digit(int(text))
            return
        super().keyPressEvent(event)

    def type_digit(self, digit: int) -> None:
        """A digit key: that score, or ten when it is a 0 right after a 1."""
        now = self.clock()
        typed, self._typed = self._typed, (digit, now)
        if digit == 0 and typed is not None and typed[0] == 1 and now - typed[1] <= TEN_WINDOW_S:
            self._typed = None
            self.set_score(10)
            return
        self.set_score(digit)

    def set_score(self, score: int) -> None:
        self.buttons[score].setChecked(True)

    @property
    def score(self) -> int | None:
        checked = self.group.checkedId()
        return checked if checked >= 0 else None

    @property
    def note(self) -> str:
        return self.note_edit.text().strip()
