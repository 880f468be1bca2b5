"""The home screen: pick an exercise and variant, then a camera, a video file, or the demo clip."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QSettings
from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from formcheck.errors import FormcheckError
from formcheck.spec import available_exercises, load_exercise, load_spec
from ui.audio import AudioCues
from ui.cameras import CameraProbe
from ui.demonstration import DemonstrationView
from ui.dialogs import SafetyDialog, safety_accepted
from ui.recording import VIDEO_NOTE, SessionRecording, recovered_notice
from ui.system_check import SystemCheckPanel
from ui.window_auto import AUTO
from ui.worker import EstimatorFactory

STYLE = """
QMainWindow, QWidget#home { background: #101010; }
QLabel { color: white; font-size: 22px; }
QComboBox, QSpinBox { font-size: 22px; padding: 6px; min-height: 40px; }
QPushButton { font-size: 22px; padding: 14px; background: #2a2a2a; color: white; border: 2px solid #777;
              border-radius: 10px; }
QPushButton:disabled { color: #777; }
QCheckBox { color: white; font-size: 22px; }
QCheckBox::indicator { width: 28px; height: 28px; }
"""
ROUTINE_KEY = "routine/last_prescription"


class HomeWindow(QMainWindow):
    def __init__(
        self,
        settings: QSettings,
        estimator_factory: EstimatorFactory,
        probe: Callable[[], list[int]] | None = None,
        data_dir: str | None = None,
        check_system: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.estimator_factory = estimator_factory
        self.data_dir = data_dir
        self._store = None  # opened when the first camera session starts
        self.coach = None
        self.setWindowTitle("formcheck")
        self.setStyleSheet(STYLE)
        central = QWidget()
        central.setObjectName("home")
        self.setCentralWidget(central)
        layout = QVBoxLayout(central)
        title = QLabel("formcheck")
        title.setStyleSheet("font-size: 44px; font-weight: bold;")
        layout.addWidget(title)
        sub = QLabel("Coaching for low-back pain and sciatica exercises. An exercise aid, not a diagnosis.")
        sub.setWordWrap(True)
        layout.addWidget(sub)

        # The choices on the left; on the right, how the chosen exercise is done (a looping figure) and
        # its steps.
        choice_row = QHBoxLayout()
        layout.addLayout(choice_row)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        choice_row.addLayout(grid, 3)
        demo_column = QVBoxLayout()
        choice_row.addLayout(demo_column, 2)
        self.demo_view = DemonstrationView(caption_px=22)
        demo_column.addWidget(self.demo_view, 1)
        self.steps_label = QLabel()
        self.steps_label.setWordWrap(True)
        self.steps_label.setStyleSheet("font-size: 17px; color: #ddd;")
        demo_column.addWidget(self.steps_label)
        demo_column.addStretch(0)
        self.exercise_box = QComboBox()
        self.specs = {name: load_spec(path) for name, path in available_exercises().items()}
        self.exercise_box.addItem("Recognise it for me", AUTO)  # the default: no keyboard needed on the mat
        for name, spec in self.specs.items():
            self.exercise_box.addItem(spec.title, name)
        self.variant_box = QComboBox()
        self.variant_help = QLabel()
        self.variant_help.setWordWrap(True)
        self.variant_help.setStyleSheet("font-size: 19px; color: #ccc;")
        self.reps_box = QSpinBox()
        self.reps_box.setRange(1, 50)
        self.reps_box.setValue(int(settings.value("choice/reps", 10) or 10))
        self.camera_box = QComboBox()
        self.camera_box.addItem("looking for cameras…", None)
        grid.addWidget(QLabel("Exercise"), 0, 0)
        grid.addWidget(self.exercise_box, 0, 1)
        grid.addWidget(QLabel("Variant"), 1, 0)
        grid.addWidget(self.variant_box, 1, 1)
        grid.addWidget(self.variant_help, 2, 1)
        grid.addWidget(QLabel("Reps per side"), 3, 0)
        grid.addWidget(self.reps_box, 3, 1)
        grid.addWidget(QLabel("Camera"), 4, 0)
        grid.addWidget(self.camera_box, 4, 1)
        self.video_box = QCheckBox("Also keep the video of my sessions")
        self.video_box.setChecked(False)  # off by default, every time
        grid.addWidget(self.video_box, 5, 1)
        video_note = QLabel(VIDEO_NOTE)
        video_note.setWordWrap(True)
        video_note.setStyleSheet("font-size: 18px; color: #bbb;")
        self.video_note = video_note
        grid.addWidget(video_note, 6, 1)

        buttons = QHBoxLayout()
        self.camera_button = QPushButton("Start with the camera")
        self.camera_button.setEnabled(False)
        self.camera_button.clicked.connect(self.start_camera)
        self.file_button = QPushButton("Open a video file…")
        self.file_button.clicked.connect(self.open_file)
        self.demo_button = QPushButton("Watch the demo clip")
        self.demo_button.clicked.connect(self.start_demo)
        for b in (self.camera_button, self.file_button, self.demo_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        routine_row = QHBoxLayout()
        self.routine_button = QPushButton()
        self.routine_button.setStyleSheet("background: #1f4f7a; font-weight: bold;")
        self.routine_button.clicked.connect(self.start_routine)
        self.choose_button = QPushButton("Choose a prescription…")
        self.choose_button.clicked.connect(lambda: self.start_routine(choose=True))
        self.write_button = QPushButton("Write a prescription…")
        self.write_button.clicked.connect(self.write_prescription)
        routine_row.addWidget(self.routine_button, 2)
        routine_row.addWidget(self.choose_button, 1)
        routine_row.addWidget(self.write_button, 1)
        layout.addLayout(routine_row)
        self._refresh_routine_button()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #ffb000;")
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.system_check = SystemCheckPanel()
        layout.addWidget(self.system_check)

        self.exercise_box.currentIndexChanged.connect(self._exercise_changed)
        last = settings.value("choice/exercise")
        if last in self.specs:
            self.exercise_box.setCurrentIndex(self.exercise_box.findData(last))
        self._exercise_changed()
        last_variant = settings.value("choice/variant")
        i = self.variant_box.findData(last_variant)
        if i >= 0:
            self.variant_box.setCurrentIndex(i)
        self.variant_box.currentIndexChanged.connect(self._variant_changed)
        self._variant_changed()

        self.probe = CameraProbe(probe) if probe is not None else CameraProbe()
        self.probe.found.connect(self.cameras_found)
        self.probe.found.connect(self.system_check.set_cameras)
        self.probe.start()
        if check_system:
            self.system_check.start()
        self.resize(1100, 720)
        self._fit_wrapped_labels()

    @property
    def auto(self) -> bool:
        return bool(self.exercise_box.currentData() == AUTO)

    def _exercise_changed(self) -> None:
        self.variant_box.blockSignals(True)
        self.variant_box.clear()
        if self.auto:
            self.variant_box.addItem("recognised too", None)
            self.variant_box.setEnabled(False)
        else:
            self.variant_box.setEnabled(True)
            for v in self.specs[self.exercise_box.currentData()].variants.values():
                self.variant_box.addItem(v.name, v.name)
        self.variant_box.blockSignals(False)
        self._variant_changed()

    def _variant_changed(self) -> None:
        if self.auto:
            self.variant_help.setText(
                "Get into the start position: formcheck sees which exercise you do, says it, and "
                "follows you when you change (X in the window chooses by hand)."
            )
            self.demo_view.set_exercise(None, None)
            self.steps_label.setText(
                "Choose an exercise above to see how it is done. In the coaching window, D shows it."
            )
            self._fit_wrapped_labels()
            return
        spec = self.specs[self.exercise_box.currentData()]
        v = spec.variants.get(self.variant_box.currentData() or spec.default_variant)
        self.variant_help.setText(v.description if v else "")
        self.demo_view.set_exercise(spec.name, v.name if v else None, f"{spec.title}: how to do it")
        self.steps_label.setText("\n".join(f"{i}. {line}" for i, line in enumerate(spec.instructions, 1)))
        self._fit_wrapped_labels()

    def _fit_wrapped_labels(self) -> None:
        """Wrapped labels in a grid get no taller by themselves (a grid does not ask a label how tall
        it is at its width), so the help under Variant was cut off: give each the height it needs."""
        for label in (self.variant_help, self.video_note, self.steps_label):
            if label.width() > 0:
                label.setMinimumHeight(0)  # heightForWidth is never below the minimum: ask afresh
                label.setMinimumHeight(label.heightForWidth(label.width()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_wrapped_labels()

    def cameras_found(self, cameras: list[int]) -> None:
        self.camera_box.clear()
        for index in cameras:
            self.camera_box.addItem(f"camera {index}", index)
        if cameras:
            last = self.settings.value("choice/camera")
            i = self.camera_box.findData(int(last)) if last is not None else -1
            if i >= 0:
                self.camera_box.setCurrentIndex(i)
            self.camera_button.setEnabled(True)
        else:
            self.camera_box.addItem("no camera found: open a video file or watch the demo", None)
            self.camera_button.setEnabled(False)

    def _config(self):  # type: ignore[no-untyped-def]
        name = self.exercise_box.currentData()
        variant = self.variant_box.currentData()
        self.settings.setValue("choice/exercise", name)
        self.settings.setValue("choice/variant", variant)
        self.settings.setValue("choice/reps", self.reps_box.value())
        if name == AUTO:  # a first guess to show until the person is recognised
            return load_exercise(next(iter(self.specs)))
        return load_exercise(name, variant)

    def _recording(self) -> tuple[SessionRecording, str | None]:
        from formcheck.sessions.storage import SessionStore

        notice = None
        if self._store is None:
            self._store = SessionStore.open(self.data_dir)
            notice = recovered_notice(self._store)
        return SessionRecording(self._store, video=self.video_box.isChecked(), kind="live"), notice

    def _refresh_routine_button(self) -> None:
        last = self.settings.value(ROUTINE_KEY)
        if last and Path(str(last)).is_file():
            self.routine_button.setText(f"Today's routine ({Path(str(last)).name})")
        else:
            self.routine_button.setText("Today's routine…")

    def start_routine(self, choose: bool = False, path: str | None = None) -> None:
        """Walk through a prescription with the camera: the last one used, or one chosen now."""
        from formcheck.sessions.prescriptions import load_prescription
        from formcheck.sessions.routine import Routine
        from formcheck.video.sources import CameraSource

        last = self.settings.value(ROUTINE_KEY)
        if path is None and not choose and last and Path(str(last)).is_file():
            path = str(last)
        if path is None:
            start = str(Path(str(last)).parent) if last else ""
            path, _ = QFileDialog.getOpenFileName(
                self, "Choose your prescription", start, "Prescriptions (*.toml)"
            )
        if not path:
            return
        index = self.camera_box.currentData()
        if index is None:
            self.message.setText("A routine needs a camera, and none was found: connect one and restart.")
            return
        try:
            routine = Routine(load_prescription(path))
        except FormcheckError as exc:
            self.message.setText(exc.message)
            return
        self.settings.setValue(ROUTINE_KEY, str(Path(path).resolve()))
        self._refresh_routine_button()
        coach = self._open_coach(routine.steps[0].config, live=True)
        if coach is not None:
            coach.start_routine(routine, lambda: CameraSource(int(index)), f"camera {index}")

    def write_prescription(self) -> None:
        """The therapist's editor; a saved prescription is offered as today's routine."""
        from ui.prescription_editor import PrescriptionEditor

        self.editor = PrescriptionEditor(parent=self)
        self.editor.accepted.connect(self._prescription_written)
        self.editor.open()

    def _prescription_written(self) -> None:
        path = self.editor.path
        if path is not None:
            self.settings.setValue(ROUTINE_KEY, str(path.resolve()))
            self._refresh_routine_button()
            self.message.setText(f"Saved {path.name}; it is now today's routine.")

    def _open_coach(self, config, banner: bool = False, live: bool = False, auto: bool = False):  # type: ignore[no-untyped-def]
        from ui.window import CoachWindow

        if not (banner or safety_accepted(self.settings) or self._safety_ok()):
            return None
        audio = AudioCues(output=True)
        audio.muted = str(self.settings.value("audio/muted", "false")).lower() == "true"
        recording, notice = None, None
        if live:  # every camera session is recorded
            try:
                recording, notice = self._recording()
            except FormcheckError as exc:
                self.message.setText(exc.message)
                return None
        self.coach = CoachWindow(
            config,
            self.estimator_factory,
            self.settings,
            audio=audio,
            reps_target=self.reps_box.value(),
            safety_banner=banner,
            recording=recording,
            ask_pain=live,
            notice=notice,
            auto=auto,
        )
        self.coach.show()
        self.hide()
        self.coach.destroyed.connect(self.show)
        return self.coach

    def _safety_ok(self) -> bool:
        return SafetyDialog(self.settings, self).exec() == QDialog.DialogCode.Accepted

    def start_camera(self) -> None:
        from formcheck.video.sources import CameraSource

        index = self.camera_box.currentData()
        if index is None:
            return
        self.settings.setValue("choice/camera", index)
        coach = self._open_coach(self._config(), live=True, auto=self.auto)
        if coach is not None:
            coach.start_live(lambda: CameraSource(int(index)), f"camera {index}")

    def open_file(self, path: str | None = None) -> None:
        from formcheck.video.sources import VideoFileSource

        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Open a video", "", "Videos (*.mp4 *.mov *.m4v *.mkv *.webm *.avi)"
            )
        if not path:
            return
        try:
            VideoFileSource(path).close()
        except FormcheckError as exc:
            self.message.setText(exc.message)
            return
        coach = self._open_coach(self._config(), auto=self.auto)
        if coach is not None:
            coach.open_video(path)  # with the clip's own prescription, if it has one

    def start_demo(self) -> None:
        from formcheck.clip_settings import demo_clip

        try:
            video, exercise, variant, settings = demo_clip()
            config = load_exercise(exercise, variant, settings)
        except FormcheckError as exc:
            self.message.setText(exc.message)
            return
        coach = self._open_coach(config, banner=True)
        if coach is not None:
            coach.open_sample()  # the sample with the prescription it was recorded to
