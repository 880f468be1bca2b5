"""The coaching window: the annotated video, the cue, counters, hold ring, set-up checklist, asymmetry,
the pain stop, and replay controls. A thin observer of ``formcheck.pipeline.run``: it computes nothing.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from pathlib import Path

from PyQt6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from formcheck.clip_settings import SettingsSources, clip_prescription
from formcheck.errors import FormcheckError
from formcheck.events import CueGiven, Event, PainScore, PainStop, Rep, RepCompleted
from formcheck.pipeline import AnalysisResult, Sink
from formcheck.report import asymmetry_sentence, side_keys, summarize
from formcheck.sessions.routine import Routine, Step
from formcheck.spec import ExerciseConfig
from formcheck.video.sources import FrameSource
from ui.audio import AudioCues
from ui.cameras import probe_cameras
from ui.demonstration import Demonstration
from ui.dialogs import PainDialog, SafetyBanner, safety_accepted
from ui.readable import TextSizes, text_sizes
from ui.recording import SessionRecording, new_routine_id
from ui.routine_panel import RoutinePanel
from ui.widgets import AsymmetryBar, CueBand, RepCounters, SetupChecklist, VideoView
from ui.window_auto import WAITING_TEXT, AutoExercise, neutral_update
from ui.window_replay import ReplayControls, no_focus
from ui.window_routine import RoutineSteps
from ui.worker import (
    SPEEDS,
    DeferredCloseSink,
    DisplayPacket,
    EstimatorFactory,
    PipelineWorker,
    PoseMemory,
    ReplayControl,
    ReplayFile,
    SourceFactory,
)

SEEK_STEP_S = 5.0
# The side panel takes this share of the window's width (its type is sized for the floor, so it needs
# room), within these bounds in pixels.
PANEL_SHARE = 0.4
PANEL_WIDTH_PX = (380, 760)
DESK_TEXT_PX = 18  # what only someone at the keyboard reads (keys, statistics, recording line)

STYLE = """
QMainWindow, QWidget#central { background: #0c0c0c; }
QLabel { color: white; }
QFrame#panel { background: #161616; }
QPushButton { font-size: 20px; padding: 8px 14px; background: #2a2a2a; color: white;
              border: 2px solid #666; border-radius: 8px; }
QPushButton#painStop { font-size: 28px; font-weight: bold; background: #c62828; color: white;
                       border: 4px solid white; border-radius: 12px; padding: 16px; }
QPushButton#endSession { font-size: 22px; font-weight: bold; background: #1f5f2a; }
QLabel#recordProblem { background: #3a2600; border: 3px solid #ffb000; border-radius: 10px;
                       font-size: 22px; font-weight: bold; color: #ffe6a8; padding: 10px; }
QLabel#notice { background: #14283a; border: 2px solid #4a7fa8; border-radius: 8px; font-size: 19px;
                color: #d8ecff; padding: 6px 10px; }
QComboBox { font-size: 20px; padding: 6px; }
QFrame#problem { background: #3a2600; border: 3px solid #ffb000; border-radius: 10px; }
QSlider::groove:horizontal { height: 12px; background: #444; border-radius: 6px; }
QSlider::handle:horizontal { width: 26px; margin: -8px 0; background: white; border-radius: 13px; }
"""

SHORTCUT_HELP = (
    "Space pain stop · D how to do it · M sound · F full screen · P play/pause · ←/→ 5 s · ,/. step · "
    "[/] speed · R restart · O open video · X exercise · H keys · Q quit"
)
LIVE_HELP = (
    "Space pain stop · E done · D how to do it · M sound · F full screen · R try again · X exercise · "
    "H hide keys · Q quit"
)
# Which of the three short steps goes with the checker's phase.
PHASE_STEP = {"setup": 0, "start": 0, "raising": 1, "hold": 2, "lowering": 2}
ROUTINE_TICK_MS = 200


def fmt_time(t_s: float) -> str:
    t = max(0, int(t_s))
    return f"{t // 60}:{t % 60:02d}"


class CoachWindow(AutoExercise, ReplayControls, RoutineSteps, QMainWindow):
    """One exercise, live from a camera or replayed from a file.

    ``run_finished(result)`` is emitted when a run ends for good (not when a seek restarts it).
    """

    run_finished = pyqtSignal(object)
    recording_problem = pyqtSignal(str)  # from the recorder's thread; shown as a banner on the GUI thread

    def __init__(
        self,
        config: ExerciseConfig,
        estimator_factory: EstimatorFactory,
        settings: QSettings,
        audio: AudioCues | None = None,
        reps_target: int = 10,
        extra_sinks: Sequence[Sink] = (),
        safety_banner: bool = False,
        show_stats: bool = False,
        recording: SessionRecording | None = None,
        ask_pain: bool = False,
        pain_before: int | None = None,
        notice: str | None = None,
        auto: bool = False,
        sources: SettingsSources | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        # Where settings come from (a sample clip's prescription, --set): every exercise this window
        # checks, recognised or chosen, is loaded with them, and those that are not its own are shown.
        self.sources = sources or SettingsSources()
        self._init_auto(auto)
        self.estimator_factory = estimator_factory
        self.settings = settings
        self.audio = audio if audio is not None else AudioCues(output=False)
        self.reps_target = reps_target
        self.extra_sinks = tuple(extra_sinks)
        self.mode = "replay"
        self.source_name = ""
        self._source_factory: SourceFactory | None = None
        self._worker: PipelineWorker | None = None
        self._pending: tuple[int, bool] | None = None  # a restart waiting for the old run to stop
        self._pending_start = 0  # the frame that restart begins checking from
        # A replayed file and the poses found in it, kept across its runs: a restart checks frames
        # already seen without decoding or estimating them again.
        self._replay_file: ReplayFile | None = None
        self._pose_memory: PoseMemory | None = None
        self._paused = False
        self.speed: float | None = 1.0
        self.frame_count: int | None = None
        self.fps = 30.0
        self.position = 0
        self._audio_from_s = 0.0
        self._earlier_reps: list[Rep] = []  # reps of earlier runs in this live session (camera lost)
        self._run_reps: list[Rep] = []
        self._hold_peak_s = 0.0
        self.hold_peaks: list[tuple[str | None, float]] = []  # largest hold shown, per finished rep
        self.cues_shown: list[str] = []
        self.user_events: list[Event] = []
        self.last_state = None
        self.last_result: AnalysisResult | None = None
        self.problem: str | None = None
        self.pain_dialog: PainDialog | None = None
        self._pain_t_s: float | None = None
        self.ended = False
        self.display_dropped = 0
        self._shut = False
        self.camera_probe: Callable[[], list[int]] = probe_cameras
        # Sessions: each run gets its own recorder; pain scores before/after; a routine, if one is walked.
        self.recording = recording
        self.ask_pain = ask_pain  # open the pain question (live); scripted runs and tests never wait
        self.preset_pain_before = pain_before
        self.pain_scores: dict[str, int] = {}
        self._before_events: list[Event] = []  # go to the next run's recorder
        self._ending = False  # "I'm done" was pressed: the run stops, then the pain-after question
        self.recording_problems: list[str] = []
        self.routine: Routine | None = None
        self.routine_note: str | None = None
        self._routine_id: str | None = None
        self._step_started: int | None = None
        self._discard_superseded = False
        self.full_screen_live = True  # a live session fills the screen (F leaves it); tests turn it off
        self.text_sizes: TextSizes = text_sizes(self.screen())
        self._demo_pinned: bool | None = None  # D pressed: shown (True) or hidden (False) by hand

        self.setWindowTitle(f"formcheck: {config.spec.title}")
        self.setStyleSheet(STYLE)
        central = QWidget()
        central.setObjectName("central")
        self.setCentralWidget(central)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 8)
        # The window keeps the size it is given (full screen cannot grow): the panel fits itself to it.
        outer.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

        self.safety_banner = SafetyBanner(settings)
        outer.addWidget(self.safety_banner)
        self.safety_banner.setVisible(safety_banner and not safety_accepted(settings))
        self.notice_label = QLabel(notice or "")
        self.notice_label.setObjectName("notice")
        self.notice_label.setWordWrap(True)
        self.notice_label.setVisible(bool(notice))
        outer.addWidget(self.notice_label)

        row = QHBoxLayout()
        outer.addLayout(row, 1)
        left = QVBoxLayout()
        row.addLayout(left, 1)
        self.problem_frame = self._build_problem_frame()
        left.addWidget(self.problem_frame)
        self.record_banner = QLabel()
        self.record_banner.setObjectName("recordProblem")
        self.record_banner.setWordWrap(True)
        self.record_banner.hide()
        left.addWidget(self.record_banner)
        self.recording_problem.connect(self._show_recording_problem)
        self.video = VideoView(config)
        left.addWidget(self.video, 1)
        self.video.show_demonstration(True)  # before the first rep
        self.replay_bar = self._build_replay_bar()
        left.addWidget(self.replay_bar)
        self.panel = self._build_panel()
        self._panel_key: object = None
        self.panel.installEventFilter(self)
        row.addWidget(self.panel)
        self.cue_band = CueBand(self.video)
        outer.addWidget(self.cue_band)

        self._bind_keys()
        self._apply_config(config)
        self._stats_timer = QTimer(self)
        self._stats_timer.timeout.connect(self._refresh_stats)
        self.stats_label.setVisible(show_stats)
        self._stats_timer.start(1000)
        self._routine_timer = QTimer(self)
        self._routine_timer.setInterval(ROUTINE_TICK_MS)
        self._routine_timer.timeout.connect(self._routine_tick)
        self._apply_text_sizes()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)

    # --- building ------------------------------------------------------------------------------

    def _build_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("panel")
        panel.setFixedWidth(PANEL_WIDTH_PX[0])
        # Its contents never make the window taller (full screen cannot grow): _fit_panel_height
        # leaves out what does not fit instead.
        panel.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Ignored)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.setSpacing(4)
        self.pain_button = QPushButton("■ STOP: PAIN")
        self.pain_button.setToolTip("Space: stop for pain")
        self.pain_button.setObjectName("painStop")
        self.pain_button.clicked.connect(self.pain_stop)
        layout.addWidget(self.pain_button)
        self.routine_panel = RoutinePanel()
        self.routine_panel.skip_button.clicked.connect(self.skip_step)
        self.routine_panel.hide()
        layout.addWidget(self.routine_panel)
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.title_label.hide()  # the exercise box under it names the exercise already
        layout.addWidget(self.title_label)
        self.auto_label = QLabel(WAITING_TEXT if self.auto else "")
        self.auto_label.setObjectName("notice")
        self.auto_label.setWordWrap(True)
        self.auto_label.setVisible(self.auto)
        layout.addWidget(self.auto_label)
        layout.addWidget(self._build_exercise_box())
        self.counters = RepCounters(self.reps_target)
        layout.addWidget(self.counters)
        self.checklist = SetupChecklist()
        layout.addWidget(self.checklist)
        self.asymmetry = AsymmetryBar()
        layout.addWidget(self.asymmetry)
        # The step the person is on, in a few words (the full instructions are on the home screen and
        # in the demonstration, D).
        self.instructions = QLabel()
        self.instructions.setWordWrap(True)
        self.instructions.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout.addWidget(self.instructions)
        self._step_index = -1
        layout.addStretch(1)
        self.end_button = QPushButton("✔ I'm done  [E]")
        self.end_button.setObjectName("endSession")
        self.end_button.clicked.connect(self.end_session)
        self.end_button.hide()
        layout.addWidget(self.end_button)
        self.record_label = QLabel()
        self.record_label.setStyleSheet(f"font-size: {DESK_TEXT_PX}px; color: #ccc;")
        self.record_label.setWordWrap(True)
        layout.addWidget(self.record_label)
        self._refresh_record_label()
        self.sound_label = QLabel()
        self.sound_label.setWordWrap(True)
        layout.addWidget(self.sound_label)
        self.stats_label = QLabel()
        self.stats_label.setStyleSheet("font-size: 15px; color: #aaa;")
        layout.addWidget(self.stats_label)
        keys = QLabel(SHORTCUT_HELP)
        keys.setWordWrap(True)
        keys.setStyleSheet(f"font-size: {DESK_TEXT_PX - 2}px; color: #aaa;")
        layout.addWidget(keys)
        self.keys_label = keys
        keys.hide()  # on H: room for what the patient reads
        note = QLabel("An exercise aid, not a diagnosis. H: keys")
        note.setStyleSheet(f"font-size: {DESK_TEXT_PX - 2}px; color: #aaa;")
        layout.addWidget(note)
        self.note_label = note
        no_focus(self.pain_button, self.end_button, self.routine_panel.skip_button, self.exercise_box)
        return panel

    def _build_problem_frame(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("problem")
        layout = QVBoxLayout(frame)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("font-size: 24px; font-weight: bold; color: #ffe6a8;")
        layout.addWidget(self.problem_label)
        self.retry_button = QPushButton("↻ Try again [R]")
        self.retry_button.clicked.connect(self.restart)
        self.camera_box = QComboBox()
        self.camera_box.setMinimumWidth(300)
        self.camera_button = QPushButton("Use this camera [C]")
        self.camera_button.clicked.connect(self.use_selected_camera)
        self.sample_button = QPushButton("Open a sample video [S]")
        self.sample_button.clicked.connect(self.open_sample)
        self.file_button = QPushButton("Open a video file [O]")
        self.file_button.clicked.connect(self.open_file_dialog)
        rows = [
            (self.retry_button, self.camera_box, self.camera_button),
            (self.sample_button, self.file_button),
        ]
        for row in rows:
            line = QHBoxLayout()
            for w in row:
                line.addWidget(w)
            line.addStretch(1)
            layout.addLayout(line)
        no_focus(self.retry_button, self.camera_box, self.camera_button, self.sample_button, self.file_button)
        frame.hide()
        return frame

    def _bind_keys(self) -> None:
        keys: list[tuple[str, Callable[[], object]]] = [
            ("Space", self.pain_stop),
            ("E", self.end_session),
            ("N", self.skip_step),
            ("M", self.toggle_mute),
            ("P", self.toggle_pause),
            ("K", self.toggle_pause),
            ("Right", lambda: self.seek_by(SEEK_STEP_S)),
            ("Left", lambda: self.seek_by(-SEEK_STEP_S)),
            (".", self.step),
            (",", self.step_back),
            ("]", lambda: self.change_speed(+1)),
            ("[", lambda: self.change_speed(-1)),
            ("R", self.restart),
            ("C", self.use_selected_camera),
            ("S", self.open_sample),
            ("O", self.open_file_dialog),
            ("F", self.toggle_full_screen),
            ("F11", self.toggle_full_screen),
            ("Esc", self.showNormal),
            ("Q", self.close),
            ("I", lambda: self.stats_label.setVisible(not self.stats_label.isVisible())),
            ("X", self.next_exercise_choice),
            ("D", self.toggle_demonstration),
            ("H", self.toggle_key_help),
        ]
        self.shortcuts = {}
        for key, action in keys:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(action)
            self.shortcuts[key] = shortcut

    def _apply_config(self, config: ExerciseConfig) -> None:
        self.config = config
        self.video.set_config(config)
        self.setWindowTitle(f"formcheck: {config.spec.title}")
        # Settings that are not the exercise's own say where they came from (a clip's prescription, --set).
        notes = "<br>".join(f"⚙ {n}" for n in self.sources.notes(config.spec.name, config.variant.name))
        self.title_label.setText(
            config.spec.title
            + (
                f"<br><span style='font-size:{DESK_TEXT_PX}px; font-weight:normal; color:#ccc'>{notes}</span>"
                if notes
                else ""
            )
        )
        self.title_label.setToolTip(config.variant.description)
        self.steps = Demonstration(config.spec.name, config.variant.name).step_captions()
        self.instructions.setToolTip("\n".join(config.spec.instructions))
        self._step_index = -1
        self._show_step("setup")
        self.counters.set_counts(dict.fromkeys(side_keys(config.variant.sides), 0), 0)
        # Left / right balance: for a replay of an exercise with sides, once both sides have a rep (the
        # patient on the floor sees it in review; it would push the readable type off the panel).
        self.balance_wanted = config.variant.sides in ("either", "signed")
        self.asymmetry.hide()
        self.asymmetry.set_summary({}, None)
        self._refresh_sound_label()

    # --- starting runs -------------------------------------------------------------------------

    def start_replay(self, source_factory: SourceFactory, name: str, speed: float | None = 1.0) -> None:
        self.mode = "replay"
        self.speed = speed
        self.speed_box.blockSignals(True)
        self.speed_box.setCurrentIndex(SPEEDS.index(speed))
        self.speed_box.blockSignals(False)
        self._begin(source_factory, name)

    def start_live(self, source_factory: SourceFactory, name: str) -> None:
        """Coach from a camera. With ``ask_pain`` the pain-before question comes first (skippable)."""
        self.mode = "live"
        self.speed = None
        self._source_factory = source_factory
        self.source_name = name
        self.replay_bar.hide()
        self.end_button.show()
        self.keys_label.setText(LIVE_HELP)
        self._live_layout()
        if self.ask_pain:
            self.video.set_overlay("Before you start: how much pain do you have now?")
            self._ask_pain("before", lambda score: (self._note_pain_before(score), self._begin_live()))
            return
        self._note_pain_before(self.preset_pain_before)
        self._begin_live()

    def _begin_live(self) -> None:
        if self._source_factory is not None:
            self._begin(self._source_factory, self.source_name)

    def _note_pain_before(self, score: int | None) -> None:
        if score is None:
            return
        event = PainScore(0.0, "before", score)
        self.pain_scores["before"] = score
        self._before_events = [event]
        self.user_events.append(event)

    def _begin(self, source_factory: SourceFactory, name: str) -> None:
        self._source_factory = source_factory
        self.source_name = name
        if self.auto and self._routine_id is None:
            # One sitting, several exercises: their sessions share an id, so review and reports keep
            # them together, one after the other.
            self._routine_id = new_routine_id()
        self.replay_bar.setVisible(self.mode == "replay")
        self._earlier_reps = []
        if self._demo_pinned is None:
            self.video.show_demonstration(True)  # until the first rep
        self._paused = False
        self._forget_replay_file()
        if self.mode == "replay":
            self._pose_memory = PoseMemory(self.estimator_factory)
            self._replay_file = ReplayFile(source_factory, self._pose_memory)
        self._restart_at(0, paused=False)

    def _forget_replay_file(self) -> None:
        if self._worker is not None and self._worker.is_running():
            self._worker.stop()
            self._worker.wait(5.0)
        if self._replay_file is not None:
            self._replay_file.close()
        if self._pose_memory is not None:
            self._pose_memory.close()
        self._replay_file = self._pose_memory = None

    def _restart_at(self, index: int, paused: bool, discard_old: bool = False, start: int = 0) -> None:
        """Start a run that shows frame ``index`` first, checking from frame ``start`` (the start of
        the file, or of the exercise the person turned out to be doing). ``discard_old``: the run it
        replaces (a replay being sought) was only a step on the way, so its recording is thrown away."""
        self._discard_superseded = discard_old
        self._pending = (index, paused)
        self._pending_start = min(start, index)
        old = self._worker
        if old is not None and old.is_running():
            old.stop()  # its finished signal starts the pending run
        else:
            self._start_pending()

    def _start_pending(self) -> None:
        if self._pending is None or self._source_factory is None:
            return
        index, paused = self._pending
        self._pending = None
        self._close_run_sinks()  # a routine keeps a set's recorder open through the rest after it
        self.ended = False
        self._ending = False
        self.play_button.setText("▶ [P]" if paused else "❚❚ [P]")
        self.problem = None
        self.problem_frame.hide()
        self._run_reps = []
        self._hold_peak_s = 0.0
        self._audio_from_s = self._time_of(index) if index else 0.0
        start = self._pending_start
        if not index:
            self.video.set_overlay("Starting…")
        elif not start:  # from a start position (a switch of exercise) it takes a moment: no word
            self.video.set_overlay(f"Catching up to {fmt_time(self._time_of(index))}…")
        control = ReplayControl(self.speed, catch_up_until=index, paused=paused, first_index=start)
        step = self.routine.current if self.routine is not None else None
        source_factory, estimator_factory = self._source_factory, self.estimator_factory
        file, memory = self._replay_file, self._pose_memory
        if self.mode == "replay" and file is not None and memory is not None:
            # Frames before the one shown first are only checked: without a picture where their pose
            # is known, unless the recording keeps the video.
            pictures_from = start if self.recording is not None and self.recording.video else index
            source_factory = lambda: file.view(start, pictures_from)  # noqa: E731
            estimator_factory = memory.estimator
        worker = PipelineWorker(
            source_factory,
            estimator_factory,
            self.config,
            control,
            sink_factory=self._sink_factory(self.config, step),
        )
        worker.step_number = step.number if step is not None else None  # type: ignore[attr-defined]
        worker.frame_ready.connect(lambda w=worker: self._on_frame_ready(w))
        worker.finished.connect(lambda result, w=worker: self._on_finished(w, result))
        worker.failed.connect(lambda message, w=worker: self._on_failed(w, message))
        self._worker = worker
        worker.start()

    def _sink_factory(
        self, config: ExerciseConfig, step: Step | None
    ) -> Callable[[FrameSource], list[DeferredCloseSink]]:
        """The run's extra sinks, made on the pipeline thread once the source is open: the window's
        fixed ``extra_sinks`` and, when recording, a new session recorder (one per run)."""
        recogniser = self._new_auto_sink()
        fixed = (*self.extra_sinks, *([recogniser] if recogniser is not None else []))
        recording, routine, routine_id = self.recording, self.routine, self._routine_id
        before = list(self._before_events)
        problem = self.recording_problem.emit

        def make(source: FrameSource) -> list[DeferredCloseSink]:
            sinks = [DeferredCloseSink(s) for s in fixed]
            if recording is None:
                return sinks
            try:
                recorder = recording.recorder(config, source, problem, routine, step, routine_id)
            except FormcheckError as exc:  # no recording, but the exercise goes on
                problem(exc.message)
                return sinks
            for event in before:
                recorder.on_event(event)
            return [*sinks, DeferredCloseSink(recorder)]

        return make

    @property
    def _run_sinks(self) -> list[DeferredCloseSink]:
        return self._worker.run_sinks if self._worker is not None else []

    def _show_recording_problem(self, message: str) -> None:
        """The recorder had to stop (disk full): say so once, calmly; the exercise goes on."""
        self.recording_problems.append(message)
        self.record_banner.setText(f"⚠ {message} You can carry on exercising.")
        self.record_banner.show()
        self._refresh_record_label()

    def _refresh_record_label(self) -> None:
        if self.recording is None:
            self.record_label.setText("")
            self.record_label.hide()
            return
        self.record_label.show()
        if self.recording_problems:
            self.record_label.setText("✕ Not recording (see the message above)")
        elif self.recording.video:
            self.record_label.setText("● Recording this session, with video (stays on this computer)")
        else:
            self.record_label.setText("● Recording this session (movements only, no video)")

    # --- from the pipeline ---------------------------------------------------------------------

    def _on_frame_ready(self, worker: PipelineWorker) -> None:
        if self._shut or worker is not self._worker or self._pending is not None:
            return
        packet = worker.take()
        if packet is None:
            return
        self._show_packet(worker, packet)

    def _show_packet(self, worker: PipelineWorker, packet: DisplayPacket) -> None:
        state = packet.update.state
        self.last_state = state
        if not packet.catching_up:  # frames checked on the way to the one to show are not shown
            self.position = packet.index
        self.display_dropped = worker.sink.dropped if worker.sink else 0
        if worker.source is not None:
            self.fps = worker.source.fps
            if self.frame_count != worker.source.frame_count:
                self.frame_count = worker.source.frame_count
                self.slider.setRange(0, max(0, (self.frame_count or 1) - 1))
        self._hold_peak_s = max(self._hold_peak_s, state.hold_s)
        new_rep = False
        for event in packet.events:
            if isinstance(event, RepCompleted):
                self._run_reps.append(event.rep)
                self.hold_peaks.append((event.rep.side, max(self._hold_peak_s, packet.update.state.hold_s)))
                self._hold_peak_s = 0.0
                new_rep = True
                if self._demo_pinned is None and self.video.demo is not None:
                    self.video.show_demonstration(False)  # shown before the first rep; D brings it back
            elif isinstance(event, CueGiven) and not packet.catching_up:
                self.video.cue_kind = event.kind
                if not self.cues_shown or self.cues_shown[-1] != event.text:
                    self.cues_shown.append(event.text)
        if packet.catching_up:
            self._hold_peak_s = 0.0
        routine_counts = self._feed_routine(worker, packet.events)
        self.audio.on_events([e for e in packet.events if e.t_s >= self._audio_from_s - 1e-6])
        counts = dict(state.reps_by_side)
        for rep in self._earlier_reps:
            key = rep.side or "all"
            counts[key] = counts.get(key, 0) + 1
        good = state.good_reps + sum(r.result == "good" for r in self._earlier_reps)
        if routine_counts is not None:  # reps against the prescription, as the routine counts them
            counts, good = routine_counts
        self.counters.set_counts(counts, good)
        self.checklist.set_problems(state.setup_problems, state.ready, seen=True)
        panel_key = (tuple(counts.items()), good, self.checklist._key)
        if panel_key != self._panel_key:
            self._panel_key = panel_key
            self._fit_panel_height()
        self._show_step(state.phase)
        if new_rep and self.balance_wanted:
            reps = self._earlier_reps + self._run_reps
            summary = summarize(
                reps, side_keys(self.config.variant.sides), self.config.params["asymmetry_flag_pct"]
            )
            self.asymmetry.set_summary(summary, asymmetry_sentence(summary, self.config.spec.name))
            peaks = summary.get("peak_deg_by_side", {})
            both = isinstance(peaks, dict) and all(peaks.get(side) is not None for side in ("left", "right"))
            self.asymmetry.setVisible(both and self.mode != "live")
        if packet.image_bgr is not None:
            fits = self._coaching_fits(packet.update) and not self._stopped_by_person()
            shown = packet.update if fits else neutral_update(packet.update)
            if not self._stopped_by_person():  # late frames must not wipe "Stopped for pain" etc.
                self.video.set_overlay("❚❚ Paused  (P: play)" if self._paused else None)
            self.video.show_frame(packet.image_bgr, shown, packet.decoded_at)
            if not self.slider.isSliderDown():
                self.slider.blockSignals(True)
                self.slider.setValue(packet.index)
                self.slider.blockSignals(False)
        else:
            target, first = worker.control.catch_up_until, worker.control.first_index
            pct = 100 * (packet.index - first) // max(1, target - first)
            if not first:
                self.video.set_overlay(f"Catching up to {fmt_time(self._time_of(target))}… {pct}%")
            return  # the picture and the clock stay where they are: these frames are in the past
        total = getattr(worker.source, "duration_s", None) or (self.frame_count or 0) / self.fps
        self.time_label.setText(f"{fmt_time(state.t_s)} / {fmt_time(total)}")
        self._auto_check(state.t_s)

    def _time_of(self, index: int) -> float:
        """When frame ``index`` was recorded: its own timestamp once its pose is known (a phone's
        variable frame rate), else the nominal frame rate's estimate."""
        memory = self._pose_memory
        t_s = memory.t_s(index) if memory is not None else None
        return t_s if t_s is not None else index / self.fps

    def _stopped_by_person(self) -> bool:
        """The run was stopped on purpose (pain stop, "I'm done", a routine's set done or skipped)."""
        routine_moved_on = self.routine is not None and self.routine.state != "exercise"
        return self._pain_t_s is not None or self._ending or routine_moved_on

    def _on_finished(self, worker: PipelineWorker, result: AnalysisResult) -> None:
        if self._shut or worker is not self._worker:
            return
        if worker.run_sinks and not (self._pending is not None and self._discard_superseded):
            self._before_events = []  # the pain-before score went to this run's recorder
        if self._pending is not None:  # a restart (seek) stopped it; this run's result is superseded
            self._close_run_sinks(discard=self._discard_superseded)
            self._start_pending()
            return
        leftover = worker.take()
        if leftover is not None:
            self._show_packet(worker, leftover)
        self.last_result = result
        self.ended = True
        self.play_button.setText("▶ [P]")
        if self.pain_dialog is None and not self._routine_holds_sinks():
            self._close_run_sinks()
        self.run_finished.emit(result)
        if self.pain_dialog is not None or self._pain_t_s is not None or self._ending:
            return
        if self.routine is not None and self.routine.state != "exercise":
            self._routine_advance()
            return
        if result.error is not None:
            self._earlier_reps += self._run_reps
            self._run_reps = []
            self.show_problem(result.error.message, camera=True)
        elif self.mode == "replay":
            note = " (the file ends early: it may be damaged)" if result.truncated else ""
            self.video.set_overlay(f"End of the clip{note}. R: play again · O: open another")
        else:
            self.video.set_overlay("The camera stopped. R: try again")

    def _on_failed(self, worker: PipelineWorker, message: str) -> None:
        if self._shut or worker is not self._worker:
            return
        if self._pending is not None:
            self._start_pending()
            return
        self.ended = True
        self._earlier_reps += self._run_reps
        self._run_reps = []
        self.show_problem(message, camera=self.mode == "live")

    def _close_run_sinks(self, discard: bool = False) -> None:
        for sink in self._run_sinks:
            if discard:
                sink.discard()
            else:
                sink.really_close()

    # --- problems (no camera, camera lost) -----------------------------------------------------

    def show_problem(self, message: str, camera: bool = True) -> None:
        """A clear message with a way on: retry, another camera, a sample video, a file."""
        self.problem = message
        self.problem_label.setText(f"⚠ {message}")
        for w in (self.camera_box, self.camera_button):
            w.setVisible(camera)
        self.problem_frame.show()
        self.video.set_overlay("No picture. See the message above.")
        if camera:
            self._probe_cameras()

    def _probe_cameras(self) -> None:
        from ui.cameras import CameraProbe

        self.camera_box.clear()
        self.camera_box.addItem("looking for cameras…", None)
        self._probe = CameraProbe(self.camera_probe)
        self._probe.found.connect(self._cameras_found)
        self._probe.start()

    def _cameras_found(self, cameras: list[int]) -> None:
        self.camera_box.clear()
        for index in cameras:
            self.camera_box.addItem(f"camera {index}", index)
        if not cameras:
            self.camera_box.addItem("no camera found", None)

    def use_selected_camera(self) -> None:
        index = self.camera_box.currentData()
        if index is None or not self.problem_frame.isVisible():
            return
        from formcheck.video.sources import CameraSource

        self.mode = "live"
        self._source_factory = lambda: CameraSource(int(index))
        self.source_name = f"camera {index}"
        self.replay_bar.hide()
        self._restart_at(0, paused=False)

    def open_sample(self) -> None:
        from formcheck.clip_settings import demo_clip
        from formcheck.spec import load_exercise

        try:
            video, exercise, variant, _ = demo_clip()
            self.sources = SettingsSources(clip_prescription(video))
            config = load_exercise(exercise, variant, self.sources.for_exercise(exercise))
        except FormcheckError as exc:
            self.show_problem(exc.message, camera=False)
            return
        self.open_video(video, config)

    def open_video(self, path: str | Path, config: ExerciseConfig | None = None) -> None:
        from formcheck.spec import load_exercise
        from formcheck.video.sources import VideoFileSource

        try:  # another clip, its own prescription (--set stays)
            self.sources = SettingsSources(clip_prescription(path), self.sources.user)
        except FormcheckError as exc:
            self.show_problem(exc.message, camera=False)
            return
        if config is None:
            name, variant = self.config.spec.name, self.config.variant.name
            config = load_exercise(name, variant, self.sources.for_exercise(name))
        self._apply_config(config)
        self._earlier_reps = []
        self.start_replay(lambda: VideoFileSource(path), Path(path).name, self.speed or 1.0)

    def open_file_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a video", "", "Videos (*.mp4 *.mov *.m4v *.mkv *.webm *.avi)"
        )
        if path:
            self.open_video(path)

    def toggle_mute(self) -> None:
        self.audio.toggle_mute()
        self.settings.setValue("audio/muted", self.audio.muted)
        self._refresh_sound_label()

    def _refresh_sound_label(self) -> None:
        if self.audio.muted:
            self.sound_label.setText("✕ Sound OFF  [M]")
            self.sound_label.setStyleSheet(
                f"font-size: {DESK_TEXT_PX + 4}px; color: #ffb000; font-weight: bold;"
            )
        else:
            what = f"tones + {self.audio.speech_name}" if self.audio.has_speech else "tones"
            self.sound_label.setText(f"♪ Sound on ({what})  [M]")
            self.sound_label.setStyleSheet(f"font-size: {DESK_TEXT_PX}px; color: white;")

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    # --- readable from the floor (layout and type sizes) ----------------------------------------

    def _apply_text_sizes(self) -> None:
        """Type sizes from the screen's physical size and the viewing distance (ui/readable.py)."""
        sizes = self.text_sizes
        reading, glance = sizes.reading_px, sizes.glance_px
        self.pain_button.setStyleSheet(f"font-size: {reading}px; padding: 8px 4px;")
        self.end_button.setStyleSheet(f"font-size: {max(DESK_TEXT_PX + 4, reading * 2 // 3)}px;")
        self.title_label.setStyleSheet(
            f"font-size: {max(DESK_TEXT_PX + 8, reading * 3 // 5)}px; font-weight: bold;"
        )
        self.instructions.setStyleSheet(f"font-size: {reading}px; color: #eee;")
        self.counters.apply_text_sizes(sizes)
        self.checklist.apply_text_sizes(sizes)
        self.video.apply_text_sizes(sizes)
        assert glance >= reading
        self._fit_panel()

    def _fit_panel(self) -> None:
        width = int(min(max(self.width() * PANEL_SHARE, PANEL_WIDTH_PX[0]), PANEL_WIDTH_PX[1]))
        self.panel.setFixedWidth(width)
        self._fit_panel_height()

    def _fit_panel_height(self) -> None:
        """Type sized for the floor fills a small screen fast: when the panel cannot hold everything,
        the step goes first (the demonstration and the cue say it too), never cut in half."""
        layout = self.panel.layout()
        central = self.centralWidget()
        if layout is None or central is None or central.layout() is None:
            return
        width = self.panel.width() - 28
        # What the panel can have: the window less the cue band and anything above the panel's row.
        outer = central.layout()
        available = central.height() - outer.contentsMargins().top() - outer.contentsMargins().bottom()
        for w in (self.safety_banner, self.notice_label, self.cue_band):
            if not w.isHidden():
                available -= w.height() if w is self.cue_band else w.sizeHint().height()
                available -= outer.spacing()

        # Left out first to last: the step, what only someone at the keyboard reads, "good reps".
        # Last, the exercise box (X still chooses).
        droppable: list[QWidget] = [
            self.checklist.detail,
            self.instructions,
            self.note_label,
            self.sound_label,
            self.counters.good_label,
            self.exercise_box,
        ]
        if self.mode == "live":
            droppable.insert(1, self.record_label)
        wanted = {
            self.counters.good_label: sum(self.counters.counts.values()) > 0,
            self.record_label: self.recording is not None,
            self.exercise_box: self.routine is None,  # a routine chooses the exercise
            self.checklist.detail: bool(self.checklist.detail.text()),
        }
        candidates = [w for w in droppable if wanted.get(w, True)]

        def needed(left_out: list[QWidget]) -> int:
            total, shown = 28, 0
            for i in range(layout.count()):
                w = layout.itemAt(i).widget()
                if w is None or w in left_out or (w.isHidden() and w not in candidates):
                    continue
                shown += 1
                if w in (self.counters, self.checklist):
                    h = 0
                    for part in (self.counters.label, self.counters.good_label, self.checklist.label,
                                 self.checklist.detail):  # fmt: skip
                        if part.parentWidget() is not w or part in left_out:
                            continue
                        if part in droppable and part not in candidates:
                            continue
                        h += part.heightForWidth(width) if part.wordWrap() else part.sizeHint().height()
                else:
                    h = (
                        w.heightForWidth(width)
                        if w.hasHeightForWidth()
                        else max(w.sizeHint().height(), w.minimumSizeHint().height())
                    )
                total += h
            return total + layout.spacing() * max(0, shown - 1)

        left_out: list[QWidget] = []
        for w in candidates:
            if needed(left_out) <= available:
                break
            left_out.append(w)
        # Only what changes is touched: every show or hide lays the panel out again (and resizes it).
        for w in droppable:
            show = w in candidates and w not in left_out
            if w.isHidden() == show:
                w.setVisible(show)

    def _show_step(self, phase: str) -> None:
        index = PHASE_STEP.get(phase, 0)
        if index != self._step_index:
            self._step_index = index
            self.instructions.setText(f"{index + 1}. {self.steps[index]}")
            self._fit_panel_height()

    def _live_layout(self) -> None:
        """A patient on the floor: full screen, only what they read; the tester's help on H."""
        self.keys_label.hide()
        self.asymmetry.hide()
        if self.full_screen_live:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowFullScreen)

    def toggle_key_help(self) -> None:
        self.keys_label.setVisible(self.keys_label.isHidden())
        self._fit_panel_height()

    def toggle_demonstration(self) -> None:
        """D: the looping demonstration of the exercise, on or off."""
        on = self.video.demo is None
        self._demo_pinned = on
        self.video.show_demonstration(on)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_panel()

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if watched is self.panel and event is not None and event.type() == QEvent.Type.Resize:
            self._fit_panel_height()  # the cue band grew or shrank
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        sizes = text_sizes(self.screen())
        if sizes != self.text_sizes:  # the window opened on another screen than the primary one
            self.text_sizes = sizes
            self._apply_text_sizes()

    # --- pain before and after ------------------------------------------------------------------

    def _ask_pain(self, when: str, on_answer: Callable[[int | None], None]) -> None:
        """The 0-10 question ("before" / "after"), not blocking the event loop; Skip gives None."""
        dialog = PainDialog(self, when)
        self.pain_dialog = dialog

        def answered(code: int) -> None:
            score = dialog.score if code == PainDialog.DialogCode.Accepted.value else None
            self.pain_dialog = None
            dialog.deleteLater()
            on_answer(score)

        dialog.finished.connect(answered)
        dialog.open()

    def _send_to_run(self, event: Event) -> None:
        """A person's event to this run's sinks (its recorder), once the run has stopped."""
        if self._worker is not None:
            self._worker.wait(5.0)
        for sink in self._run_sinks:
            sink.on_event(event)
        self.user_events.append(event)

    def _pain_after_sentence(self) -> str:
        before, after = self.pain_scores.get("before"), self.pain_scores.get("after")
        if after is None:
            return "No pain score after."
        if before is not None and after > before:
            return f"Pain {before} before, {after} now: higher than before, so tell your therapist."
        return f"Pain score {after} saved." if before is None else f"Pain {before} before, {after} now."

    def end_session(self) -> None:
        """ "I'm done" (E): stop the live session, ask the pain-after score, then close the recording."""
        if (
            self.mode != "live"
            or self.routine is not None
            or self.pain_dialog is not None
            or self._worker is None
            or not self._worker.is_running()
        ):
            return
        self._ending = True
        t_s = self.last_state.t_s if self.last_state is not None else 0.0
        self._worker.stop()
        self.audio.hush()
        self._clear_coaching()
        self.video.set_overlay("Finished. How much pain do you have now?")

        def answered(score: int | None) -> None:
            if score is not None:
                self.pain_scores["after"] = score
                self._send_to_run(PainScore(t_s, "after", score))
            elif self._worker is not None:
                self._worker.wait(5.0)
            self._close_run_sinks()
            saved = " Session saved." if self.recording is not None and not self.recording_problems else ""
            self.video.set_overlay(f"Well done.{saved} {self._pain_after_sentence()}\nR: start again")

        if self.ask_pain:
            self._ask_pain("after", answered)
        else:
            answered(None)

    # --- pain stop -----------------------------------------------------------------------------

    def pain_stop(self) -> None:
        """Stop the exercise now, then ask for a pain score and a note. Everything so far is kept."""
        if self.pain_dialog is not None:
            return
        self._pain_t_s = self.last_state.t_s if self.last_state is not None else 0.0
        self._pending = None  # a run about to start (next set, seek) must not start after a pain stop
        if self._worker is not None:
            self._worker.stop()
        self.video.set_overlay("Stopped for pain.")
        self._clear_coaching()
        self.audio.hush()
        dialog = PainDialog(self)
        dialog.finished.connect(self._pain_answered)
        self.pain_dialog = dialog
        dialog.open()

    def _clear_coaching(self) -> None:
        """Take the cue, angles and hold ring off the picture: the exercise has stopped, and an old
        "Hold it there." behind the pain question would tell the person to keep going."""
        self.video.cue_kind = None
        if self.video.update_shown is not None:
            self.video.set_state(neutral_update(self.video.update_shown))

    def _pain_answered(self, code: int) -> None:
        dialog = self.pain_dialog
        assert dialog is not None
        accepted = code == PainDialog.DialogCode.Accepted.value
        score = dialog.score if accepted else None
        note = dialog.note if accepted else ""
        t = self._pain_t_s or 0.0
        events: list[Event] = [PainStop(t, score, note)]
        if score is not None:
            events.append(PainScore(t, "pain_stop", score))
        if self._worker is not None:
            self._worker.wait(5.0)
        for event in events:
            if self._worker is not None and self._worker.sink is not None:
                self._worker.sink.on_event(event)
            for sink in self._run_sinks:
                sink.on_event(event)
        self._close_run_sinks()
        self.user_events.extend(events)
        self.pain_dialog = None
        dialog.deleteLater()
        said = f"Pain score {score} saved." if score is not None else "No score given."
        if self.routine is not None and self.routine.state not in ("done", "stopped"):
            for event in events:
                self.routine.on_event(event)
            if self.routine.state == "stopped":
                self.routine.skip()  # no score: the routine ends all the same
            self._routine_advance()
            self.video.set_overlay(f"Stopped for pain. {said} Everything so far is kept.")
            return
        self.video.set_overlay(f"Stopped for pain. {said} Everything so far is kept.\nR: start again")

    # --- stats, screenshots, closing -----------------------------------------------------------

    def display_stats(self) -> dict[str, float]:
        """Displayed frames per second and frame-to-screen latency (decode -> painted), in ms."""
        times = list(self.video.paint_times_s)
        lat = sorted(self.video.latencies_s)
        out: dict[str, float] = {"painted": float(len(times)), "dropped": float(self.display_dropped)}
        if len(times) >= 2 and times[-1] > times[0]:
            out["fps"] = (len(times) - 1) / (times[-1] - times[0])
        if lat:
            out["latency_p50_ms"] = 1000 * statistics.median(lat)
            out["latency_p95_ms"] = 1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))]
        return out

    def _refresh_stats(self) -> None:
        if not self.stats_label.isVisible():
            return
        s = self.display_stats()
        self.stats_label.setText(
            f"display {s.get('fps', 0):.1f} fps (source {self.fps:.0f}) · latency p50 "
            f"{s.get('latency_p50_ms', 0):.0f} ms, p95 {s.get('latency_p95_ms', 0):.0f} ms · "
            f"dropped {int(s['dropped'])}"
        )

    def save_screenshot(self, path: str | Path) -> Path:
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FormcheckError(f"Cannot write the screenshot {path}: {exc.strerror}.") from exc
        if not self.grab().save(str(path), "PNG"):
            raise FormcheckError(f"Cannot write the screenshot {path}; choose another path.")
        return path

    def shutdown(self) -> None:
        """Stop the run and close everything; safe to call twice."""
        self._shut = True  # signals still queued from the pipeline thread are ignored from now on
        self.video.stop_animation()
        if self._worker is not None:
            self._pending = None
            self._worker.stop()
            self._worker.wait(5.0)
            self._close_run_sinks()
        self._forget_replay_file()
        self.audio.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()
        self.shutdown()
        super().closeEvent(event)
