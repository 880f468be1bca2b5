"""The coaching window's replay controls: play/pause, step, seek, speed (a part of ``CoachWindow``).

A seek restarts the pipeline from the start and fast-forwards, because the checker's state (baseline,
phase, hold) depends on everything before the frame shown.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from ui.worker import SPEEDS, speed_label


def no_focus(*widgets: QWidget) -> None:
    # Space is the pain stop: no button may swallow it by having keyboard focus.
    for w in widgets:
        w.setFocusPolicy(Qt.FocusPolicy.NoFocus)


class ReplayControls:
    """Mixed into ``CoachWindow`` (ui/window.py), whose state it uses."""

    def _build_replay_bar(self) -> QWidget:
        bar = QWidget()
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(0, 6, 0, 0)
        self.play_button = QPushButton("❚❚ [P]")
        self.play_button.clicked.connect(self.toggle_pause)
        back = QPushButton("◀| [,]")
        back.clicked.connect(self.step_back)
        forward = QPushButton("|▶ [.]")
        forward.clicked.connect(self.step)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimumWidth(100)
        self.slider.sliderReleased.connect(lambda: self.seek(self.slider.value()))
        self.slider.actionTriggered.connect(self._slider_action)
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setStyleSheet("font-size: 20px;")
        self.speed_box = QComboBox()
        for speed in SPEEDS:
            self.speed_box.addItem(speed_label(speed), speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.currentIndexChanged.connect(lambda i: self.set_speed(SPEEDS[i]))
        for w in (self.play_button, back, forward):
            layout.addWidget(w)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.time_label)
        # Not "speed [ ]": the keys in brackets looked like an empty checkbox. The keys are in the help.
        speed_title = QLabel("Speed:")
        speed_title.setStyleSheet("font-size: 20px;")
        speed_title.setToolTip("Slower / faster: the [ and ] keys")
        self.speed_box.setToolTip("Slower / faster: the [ and ] keys")
        layout.addWidget(speed_title)
        layout.addWidget(self.speed_box)
        no_focus(self.play_button, back, forward, self.slider, self.speed_box)
        return bar

    def restart(self) -> None:
        if self._source_factory is None or self.pain_dialog is not None:
            return
        if self.mode == "live" and self._worker is not None and self._worker.is_running():
            return  # already running
        if self.routine is not None and self.routine.state != "exercise":
            return  # the routine moves on by itself (rest, Skip), and ends after a pain stop
        self._pain_t_s = None
        self._paused = False
        self._restart_at(0, paused=False, discard_old=self.mode == "replay")

    def toggle_pause(self) -> None:
        if self.mode != "replay" or self._worker is None:
            return
        if self.ended:
            self.restart()
            return
        self._paused = not self._paused
        self._worker.control.set_paused(self._paused)
        self.play_button.setText("▶ [P]" if self._paused else "❚❚ [P]")
        self.video.set_overlay("Paused" if self._paused else None)

    def set_speed(self, speed: float | None) -> None:
        self.speed = speed
        if self._worker is not None and self.mode == "replay":
            self._worker.control.set_speed(speed)
        if self.speed_box.currentData() != speed:
            self.speed_box.blockSignals(True)
            self.speed_box.setCurrentIndex(SPEEDS.index(speed))
            self.speed_box.blockSignals(False)
        self.settings.setValue("replay/speed", speed_label(speed))

    def change_speed(self, direction: int) -> None:
        if self.mode != "replay":
            return
        i = SPEEDS.index(self.speed) + direction
        self.set_speed(SPEEDS[max(0, min(len(SPEEDS) - 1, i))])

    def step(self) -> None:
        """One frame forward (pauses first)."""
        if self.mode != "replay" or self._worker is None or self.ended:
            return
        if not self._paused:
            self.toggle_pause()
        self._worker.control.step()

    def step_back(self) -> None:
        if self.mode != "replay":
            return
        self._paused = True
        self.play_button.setText("▶ [P]")
        self.seek(max(0, self.position - 1))

    def seek_by(self, seconds: float) -> None:
        self.seek(self.position + int(round(seconds * self.fps)))

    def seek(self, index: int) -> None:
        """Jump to a frame: the pipeline restarts from the start and fast-forwards, because the
        checker's state (baseline, phase, hold) depends on everything before it."""
        if self.mode != "replay" or self._source_factory is None or self.pain_dialog is not None:
            return
        last = (self.frame_count or index + 1) - 1
        index = max(0, min(last, index))
        self._restart_at(index, paused=self._paused, discard_old=True)

    def _slider_action(self, action: int) -> None:
        if action in (
            QSlider.SliderAction.SliderPageStepAdd.value,
            QSlider.SliderAction.SliderPageStepSub.value,
        ):
            QTimer.singleShot(0, lambda: self.seek(self.slider.value()))
