"""Runs ``formcheck.pipeline.run`` off the GUI thread and hands the newest frame to the GUI.

The GUI never waits for the pipeline and the pipeline never waits for the GUI: ``DisplaySink`` keeps a
one-slot mailbox. If the GUI has not taken the previous frame yet, the new one replaces it (a dropped
display frame) while its events are kept, so no rep, hold or cue is missed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from formcheck.errors import FormcheckError
from formcheck.events import Event, FrameUpdate
from formcheck.pipeline import AnalysisResult, Sink, run
from formcheck.pose import PoseEstimator
from formcheck.pose_frame import PoseFrame
from formcheck.spec import ExerciseConfig
from formcheck.video.sources import Frame, FrameSource

log = logging.getLogger(__name__)

SPEEDS: tuple[float | None, ...] = (0.5, 1.0, 2.0, None)  # None: as fast as possible


def speed_label(speed: float | None) -> str:
    return "max" if speed is None else f"{speed:g}x"


class ReplayControl:
    """Play/pause, step, speed and stop for one run, shared by the GUI and the pipeline threads.

    Pacing happens here, just before each frame is decoded, instead of through ``run(pace=...)``: a
    run's pace is fixed when it starts, and a pause or a speed change must not leave the next frames
    overdue. ``catch_up_until`` is the frame a seek aims at: frames before it are not paced.
    """

    def __init__(
        self, speed: float | None = 1.0, catch_up_until: int = 0, paused: bool = False, first_index: int = 0
    ) -> None:
        self._cond = threading.Condition()
        self.first_index = first_index  # the run's first frame (a run may start mid-file)
        self.speed = speed
        self.paused = paused
        self.stopped = False
        self.catch_up_until = catch_up_until
        self._steps = 0
        self._polls = 0
        self._anchor: tuple[float, float] | None = None  # (wall clock, video time) pacing starts from

    def set_speed(self, speed: float | None) -> None:
        with self._cond:
            self.speed = speed
            self._anchor = None
            self._cond.notify_all()

    def set_paused(self, paused: bool) -> None:
        with self._cond:
            self.paused = paused
            self._anchor = None
            self._cond.notify_all()

    def step(self) -> None:
        """Let exactly one more frame through while paused."""
        with self._cond:
            self._steps += 1
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self.stopped = True
            self._cond.notify_all()

    def should_stop(self) -> bool:
        """The run's ``stop`` callable, polled before every frame: waits here while paused."""
        with self._cond:
            upcoming = self.first_index + self._polls  # the index of the frame about to be read
            self._polls += 1
            if upcoming <= self.catch_up_until:  # a seek shows its target frame even while paused
                return self.stopped
            while self.paused and not self._steps and not self.stopped:
                self._cond.wait(0.1)
            if self._steps:
                self._steps -= 1
            return self.stopped

    def wait_until_due(self, index: int, t_s: float, late_s: float = 0.1) -> None:
        """Called as frame ``index`` (at video time ``t_s``) is handed on: sleeps until it is due.

        A frame more than ``late_s`` overdue restarts the clock from itself.
        """
        if index < self.catch_up_until:
            return
        with self._cond:
            while not self.stopped:
                if self.speed is None or self.paused:
                    return
                now = time.perf_counter()
                if self._anchor is None:
                    self._anchor = (now, t_s)
                    return
                due = self._anchor[0] + (t_s - self._anchor[1]) / self.speed
                if due <= now - late_s:
                    # The pipeline stalled (model start-up, a slow frame): carry on at this speed from
                    # here, like a video player, instead of rushing stale frames through to catch up.
                    self._anchor = (now, t_s)
                    return
                if due <= now:
                    return
                self._cond.wait(due - now)


class TimedSource:
    """Wraps a frame source: paces replays and notes when each frame was decoded (for latency)."""

    def __init__(self, source: FrameSource, control: ReplayControl | None = None) -> None:
        self.source = source
        self.control = control
        self.name, self.live, self.fps = source.name, source.live, source.fps
        self.width, self.height, self.frame_count = source.width, source.height, source.frame_count
        self.duration_s: float | None = getattr(source, "duration_s", None)
        self.decoded_at: dict[int, float] = {}
        self._next = 0

    def read(self) -> Frame | None:
        frame = self.source.read()
        if frame is None:
            return None
        if self.control is not None and not self.live:
            # Paced on the frame's own timestamp (a variable frame rate plays as recorded), not index / fps.
            self.control.wait_until_due(frame.index, frame.t_s, late_s=2.0 / self.fps)
        self._next = frame.index + 1
        self.decoded_at[frame.index] = time.perf_counter()
        self.width, self.height = frame.size_px
        return frame

    def take_decoded_at(self, index: int) -> float | None:
        stamp = self.decoded_at.pop(index, None)
        if len(self.decoded_at) > 256:  # live sources drop frames; forget their stamps
            for old in [i for i in self.decoded_at if i < index]:
                self.decoded_at.pop(old, None)
        return stamp

    @property
    def truncated(self) -> bool:
        return bool(getattr(self.source, "truncated", False))

    def close(self) -> None:
        self.source.close()


@dataclass
class DisplayPacket:
    """What the GUI takes from the mailbox: the newest frame and every event since the last take."""

    image_bgr: np.ndarray | None  # None while a seek is catching up (nothing to show yet)
    update: FrameUpdate
    index: int
    decoded_at: float | None
    events: list[Event] = field(default_factory=list)
    catching_up: bool = False
    dropped: int = 0  # display frames replaced before the GUI took them


class DisplaySink:
    """The window's sink. ``on_frame`` runs on the pipeline thread and only fills the mailbox."""

    def __init__(self, notify: Callable[[], None], source: TimedSource, catch_up_until: int = 0) -> None:
        self._notify = notify
        self._source = source
        self._catch_up_until = catch_up_until
        self._lock = threading.Lock()
        self._packet: DisplayPacket | None = None
        self.frames = 0
        self.dropped = 0

    def on_frame(self, frame: Frame, update: FrameUpdate) -> None:
        stamp = self._source.take_decoded_at(frame.index)
        catching_up = frame.index < self._catch_up_until
        with self._lock:
            self.frames += 1
            old = self._packet
            events = (old.events if old else []) + list(update.events)
            image = None if catching_up else frame.bgr()
            self._packet = DisplayPacket(image, update, frame.index, stamp, events, catching_up)
            if old is None:
                notify = True
            else:
                notify = False
                if old.image_bgr is not None:
                    self.dropped += 1
                self._packet.dropped = old.dropped + int(old.image_bgr is not None)
        if notify:
            self._notify()

    def on_event(self, event: Event) -> None:
        pass  # user events (pain stop) come from the window itself

    def close(self, result: AnalysisResult) -> None:
        pass  # the worker reports the result

    def take(self) -> DisplayPacket | None:
        with self._lock:
            packet, self._packet = self._packet, None
        return packet


class DeferredCloseSink:
    """Wraps another sink (a session recorder) so its ``close`` waits until the window says so.

    A pain stop ends the run first and asks for the score afterwards; the wrapped sink must still get
    ``PainStop`` and ``PainScore`` before it is closed.
    """

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.result: AnalysisResult | None = None
        self.closed = False

    def on_frame(self, frame: Frame, update: FrameUpdate) -> None:
        self.sink.on_frame(frame, update)

    def on_event(self, event: Event) -> None:
        if not self.closed:
            self.sink.on_event(event)

    def close(self, result: AnalysisResult) -> None:
        self.result = result

    def really_close(self) -> None:
        if not self.closed and self.result is not None:
            self.closed = True
            self.sink.close(self.result)

    def abort(self, reason: str) -> None:
        """The run raised instead of ending: a recorder keeps what it wrote (``Recorder.abort``)."""
        if not self.closed:
            self.closed = True
            abort = getattr(self.sink, "abort", None)
            if abort is not None:
                abort(reason)

    def discard(self) -> None:
        """The run was superseded (a seek restarts it): a recorder throws its session away."""
        discard = getattr(self.sink, "discard", None)
        if discard is None:
            self.really_close()
        elif not self.closed:
            self.closed = True
            discard()


SourceFactory = Callable[[], FrameSource]
EstimatorFactory = Callable[[], PoseEstimator]
SinkFactory = Callable[[FrameSource], Sequence[DeferredCloseSink]]


class PipelineWorker(QObject):
    """One run of the pipeline on a background thread.

    Signals: ``frame_ready`` (the mailbox has something), ``finished(result)`` with the AnalysisResult
    (its ``error`` set if a camera was lost), ``failed(message)`` when the run could not start.
    """

    frame_ready = pyqtSignal()
    finished = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(
        self,
        source_factory: SourceFactory,
        estimator_factory: EstimatorFactory,
        config: ExerciseConfig,
        control: ReplayControl,
        extra_sinks: Sequence[Sink] = (),
        sink_factory: SinkFactory | None = None,
    ) -> None:
        super().__init__()
        self.source_factory = source_factory
        self.estimator_factory = estimator_factory
        self.config = config
        self.control = control
        self.extra_sinks = tuple(extra_sinks)
        # Sinks made once the source is open (a session recorder needs its frame rate): run_sinks.
        self.sink_factory = sink_factory
        self.run_sinks: list[DeferredCloseSink] = []
        self.sink: DisplaySink | None = None
        self.source: TimedSource | None = None
        self.result: AnalysisResult | None = None
        self._thread = threading.Thread(target=self._run, name="formcheck-pipeline", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.control.stop()

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout_s: float = 5.0) -> bool:
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def take(self) -> DisplayPacket | None:
        return self.sink.take() if self.sink is not None else None

    def _run(self) -> None:
        try:
            source = self.source_factory()
        except FormcheckError as exc:
            self.failed.emit(exc.message)
            return
        try:
            estimator = self.estimator_factory()
        except FormcheckError as exc:
            source.close()
            self.failed.emit(exc.message)
            return
        self.source = TimedSource(source, self.control)
        self.sink = DisplaySink(self.frame_ready.emit, self.source, self.control.catch_up_until)
        try:
            if self.sink_factory is not None:
                self.run_sinks = list(self.sink_factory(source))
            result = run(
                self.source,
                estimator,
                self.config,
                sinks=(self.sink, *self.extra_sinks, *self.run_sinks),
                stop=self.control.should_stop,
                pace=None,
            )
        except FormcheckError as exc:
            self._abort(exc.message)
            self.failed.emit(exc.message)
            return
        except Exception as exc:  # a bug must not leave the window hanging without a word
            log.exception("pipeline failed")
            self._abort(f"The analysis stopped unexpectedly ({exc})")
            self.failed.emit(f"The analysis stopped unexpectedly ({exc}); try again or open another video.")
            return
        finally:
            estimator.close()
        self.result = result
        self.finished.emit(result)

    def _abort(self, reason: str) -> None:
        for sink in self.run_sinks:
            try:
                sink.abort(reason.rstrip("."))
            except Exception:  # noqa: BLE001 - one broken sink must not hide the run's own error
                log.exception("could not abort a sink")


# --- what a replayed file has given so far, kept across runs -------------------------------------------

MAX_REMEMBERED_POSES = 72_000  # 20 minutes at 60 fps, as the pipeline keeps (a few kB a pose)
RECENT_IMAGES = 48  # decoded pictures kept: more than the decoder reads ahead of the model (4 + queue)


class PoseMemory:
    """The poses already estimated for one replayed file, by frame index, and the model, kept open.

    A restart (a seek, or a switch to the exercise the person turned out to be doing) runs the checker
    over frames already seen: their poses come from here, so no frame is estimated twice. The model is
    fed strictly later frames only (its tracking assumes a video played forwards); a frame before the
    last one it saw and not remembered gets a fresh model.
    """

    def __init__(self, factory: EstimatorFactory) -> None:
        self._factory = factory
        self._model: PoseEstimator | None = None
        self._last_index = -1
        self._poses: dict[int, PoseFrame] = {}
        self._lock = threading.Lock()
        self.estimated = 0  # frames the model was run on
        self.remembered = 0  # frames answered from memory

    def has(self, index: int) -> bool:
        with self._lock:
            return index in self._poses

    def t_s(self, index: int) -> float | None:
        """When frame ``index`` was recorded (its own timestamp), if its pose is remembered."""
        with self._lock:
            pose = self._poses.get(index)
        return None if pose is None else pose.t_s

    def estimator(self) -> RememberingEstimator:
        """For one run, on its thread: opens the model now if it is not open (so a model that cannot
        load fails the run at its start, as before)."""
        with self._lock:
            if self._model is None:
                self._model = self._factory()
                self._last_index = -1
        return RememberingEstimator(self)

    def estimate(self, frame: Frame) -> PoseFrame:
        with self._lock:
            pose = self._poses.get(frame.index)
            if pose is not None:
                self.remembered += 1
                return pose
            if self._model is None or frame.index <= self._last_index:
                if self._model is not None:
                    self._model.close()
                self._model = self._factory()
            model = self._model
        pose = model.estimate(frame)
        with self._lock:
            self._last_index = frame.index
            self.estimated += 1
            if len(self._poses) < MAX_REMEMBERED_POSES:
                self._poses[frame.index] = pose
        return pose

    def close(self) -> None:
        with self._lock:
            model, self._model = self._model, None
            self._poses.clear()
        if model is not None:
            model.close()


class RememberingEstimator:
    """One run's view of a ``PoseMemory``: closing it leaves the model open for the next run."""

    def __init__(self, memory: PoseMemory) -> None:
        self.memory = memory

    def estimate(self, frame: Frame) -> PoseFrame:
        return self.memory.estimate(frame)

    def close(self) -> None:
        pass


class ReplayFile:
    """One replayed file, kept open across runs, so a run can start anywhere in what was already played.

    ``view(start, pictures_from)`` is a frame source for one run that begins at frame ``start``. Frames
    before ``pictures_from`` whose pose is remembered are only checked, never shown, so they come without
    decoding (a blank picture, the pose from ``PoseMemory``); the file itself continues from where the
    last run left it, or is opened again from the start when the run needs a picture it has passed.
    """

    def __init__(self, factory: SourceFactory, poses: PoseMemory) -> None:
        self._factory = factory
        self._poses = poses
        self._source: FrameSource | None = None
        self._next = 0  # the index the open file reads next
        self._recent: dict[int, Frame] = {}
        self._blank: np.ndarray | None = None
        self._lock = threading.Lock()
        self.decoded = 0  # pictures decoded, for tests and the benchmark

    def _open(self) -> FrameSource:
        if self._source is None:
            self._source = self._factory()
            self._next = 0
        return self._source

    def view(self, start: int = 0, pictures_from: int = 0) -> ReplayView:
        with self._lock:
            source = self._open()
        return ReplayView(self, source, start, pictures_from)

    def frame(self, index: int, picture: bool) -> Frame | None:
        with self._lock:
            kept = self._recent.get(index)
            if kept is not None:
                return kept
            source = self._open()
            if not picture and index < self._next and self._poses.has(index):
                if self._blank is None:
                    self._blank = np.zeros((source.height, source.width, 3), np.uint8)
                return Frame(index, index / source.fps, self._blank)
            if index < self._next:  # a picture it has passed: read the file again from its start
                source.close()
                self._source = None
                source = self._open()
            while True:
                frame = source.read()
                if frame is None:
                    return None
                self.decoded += 1
                self._next = frame.index + 1
                self._recent[frame.index] = frame
                for old in [i for i in self._recent if i <= frame.index - RECENT_IMAGES]:
                    del self._recent[old]
                if frame.index >= index:
                    return frame

    @property
    def truncated(self) -> bool:
        return bool(getattr(self._source, "truncated", False))

    def close(self) -> None:
        with self._lock:
            if self._source is not None:
                self._source.close()
                self._source = None
            self._recent.clear()


class ReplayView:
    """One run's frame source over a ``ReplayFile`` (closing it leaves the file open)."""

    live = False

    def __init__(self, file: ReplayFile, source: FrameSource, start: int, pictures_from: int) -> None:
        self._file = file
        self.name, self.fps = source.name, source.fps
        self.width, self.height, self.frame_count = source.width, source.height, source.frame_count
        self.duration_s: float | None = getattr(source, "duration_s", None)
        self._next = start
        self._pictures_from = pictures_from

    def read(self) -> Frame | None:
        frame = self._file.frame(self._next, picture=self._next >= self._pictures_from)
        if frame is not None:
            self._next = frame.index + 1
        return frame

    @property
    def truncated(self) -> bool:
        return self._file.truncated

    def close(self) -> None:
        pass
