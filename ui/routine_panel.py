"""Where a routine stands, for the side panel: exercise i of n, set j of k, the rest countdown in large
type, the routine's sentence and a Skip button. It only shows ``formcheck.sessions.routine.Routine``."""

from __future__ import annotations

from PyQt6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from formcheck.sessions.routine import Routine

STYLE = """
#routinePanel { background: #10243a; border: 2px solid #4a7fa8; border-radius: 12px; }
QLabel { color: white; }
QPushButton { font-size: 22px; font-weight: bold; padding: 10px; background: #2a2a2a; color: white;
              border: 2px solid #888; border-radius: 8px; }
"""


class RoutinePanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("routinePanel")
        self.setStyleSheet(STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(4)
        self.where_label = QLabel()
        self.where_label.setStyleSheet("font-size: 30px; font-weight: bold;")
        self.where_label.setWordWrap(True)
        layout.addWidget(self.where_label)
        self.rest_label = QLabel()
        self.rest_label.setStyleSheet("font-size: 76px; font-weight: bold; color: #8fd0ff;")
        layout.addWidget(self.rest_label)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("font-size: 21px; color: #e8f2ff;")
        layout.addWidget(self.message_label)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("font-size: 20px; font-weight: bold; color: #ffb000;")
        layout.addWidget(self.note_label)
        self.skip_button = QPushButton("⏭ Skip  [N]")
        layout.addWidget(self.skip_button)

    def show_routine(self, routine: Routine, note: str | None = None) -> None:
        state = routine.state
        step = routine.current
        if step is not None and state == "rest":
            where = "Rest"
        elif step is not None:
            where = f"Exercise {step.item.position} of {routine.exercise_count}"
            where += f"<br>Set {step.set_index} of {step.sets}"
        elif state == "done":
            where = f"Routine done: {round(100 * routine.adherence())} % of the reps"
        elif state == "pain_before":
            where = f"Today's routine: {len(routine.steps)} sets"
        else:
            where = "Today's routine"
        self.where_label.setText(where)
        self.rest_label.setVisible(state == "rest")
        if state == "rest" and step is not None:
            self.rest_label.setText(f"{routine.rest_remaining_s():.0f} s")
            self.message_label.setText(f"Next: {step.title()}")
        else:
            self.message_label.setText(routine.message)
        self.note_label.setVisible(bool(note) and state == "exercise")
        self.note_label.setText(f"⚠ {note}" if note else "")
        self.skip_button.setVisible(state in ("exercise", "rest"))
        self.skip_button.setText("Skip the rest »  [N]" if state == "rest" else "Skip this set »  [N]")
