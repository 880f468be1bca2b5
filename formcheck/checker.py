"""The spec-driven exercise checker: smoothed poses in, phases, holds, reps, faults and cues out.

It never sees pixels and never reads the clock: time is the frame timestamp, so a replay is decided
exactly as the live session was. Every threshold comes from the exercise configuration.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from formcheck import landmarks as lm
from formcheck import measurements as ms
from formcheck import picture, setup_check
from formcheck.baseline import spread_in_torsos
from formcheck.debounce import GlitchGate, Latch
from formcheck.events import (
    BaselineCaptured,
    CheckerState,
    CueGiven,
    Event,
    FaultEnded,
    FaultStarted,
    FrameUpdate,
    HoldCompleted,
    HoldStarted,
    Interval,
    PhaseChanged,
    Rep,
    RepCompleted,
    SetupProblemEnded,
    SetupProblemStarted,
)
from formcheck.pose_frame import PoseFrame
from formcheck.rules import RULES, RuleContext
from formcheck.spec import ExerciseConfig, FaultSpec

# The longest frame gap that still counts fully toward a hold: a stalled camera is not holding.
MAX_STEP_S = 0.1

SETUP_PRIORITY = 20
NOTICE_PRIORITY = 2  # below form faults and the hold's cues, above "keep still"
FAULT_PRIORITY_BASE = 10
PHASE_CUE_PRIORITY = {"hold_done": 5, "start": 4, "hold": 4, "incomplete": 3, "short_hold": 3, "rep_done": 2}
READY_PRIORITY = 1
ONE_SHOT_LIFETIME_S = 2.0


def _blocks(raw: Mapping[str, str]) -> bool:
    """Whether this frame's set-up problems pause counting (notices never do)."""
    return any(code not in setup_check.NOTICES for code in raw)


# How far back "the working leg was held up when it went out of sight" looks (see ``_signal``): in its
# last few frames before dropping a limb the tracker slides it (on the clips, 111 -> 100 -> 84 deg in
# 0.3 s). Taken for lowering, the rep would end and a second one start when the leg reappears; taken
# for held when it was really lowering, the rep only ends later (seen again lowered, or lost_held_s).
LOST_LOOKBACK_S = 0.3

# A recording whose very first frame (up to this late) shows the person at rest starts in the start
# position: trimmed clips start moving within a third of a second (REAL_WORLD.md).
CLIP_START_S = 0.2

# A far leg seen only faintly (see ``_with_faint_far_leg``) is read when it has risen this much more
# from its start than the near leg, which is at rest: about half the way from hook-lying to the target.
FAR_LEAD_DEG = 30.0


@dataclass
class _RepInProgress:
    start_s: float
    side: str | None
    peak_deg: float = -math.inf
    peak_s: float = 0.0
    best_hold_s: float = 0.0
    stretch_s: float = 0.0
    dip_s: float = 0.0
    hold_done: bool = False
    side_locked: bool = False
    beyond: bool = False  # went past what the exercise's movement can be (``beyond_deg``): not a rep
    unseen_hold_s: float = 0.0  # hold time while the working leg was hidden, credited if still up
    faults: set[str] = field(default_factory=set)


class ExerciseChecker:
    """Feed it one pose per frame with ``update``; read ``reps``, ``fault_intervals``, ``setup_intervals``.

    Without a ``baseline`` it takes one from the first still second in the start position; with one
    (found in a whole recording, see ``formcheck.baseline``) it counts from the first frame.
    """

    def __init__(
        self,
        config: ExerciseConfig,
        baseline: ms.Baseline | None = None,
        baseline_score_deg: float = math.nan,
    ) -> None:
        self.config = config
        self.params = p = config.params
        self.sides = config.variant.sides
        self.signal_fn, self.signal_needs_baseline = ms.SIGNALS[config.spec.measurement]
        self.signal_names = ms.SIGNAL_NAMES[config.spec.measurement]
        self.vis = p["visibility_min"]
        self.hold_deg = config.hold_deg
        self.release_deg = config.release_deg
        self.h = p["hysteresis_deg"]
        self.attempt_deg = self.release_deg + p["attempt_frac"] * (self.hold_deg - self.release_deg)

        self.baseline: ms.Baseline | None = None
        self.baseline_score_deg = math.nan  # how far from the start position the baseline was
        self._start_pair = (0.0, 0.0)  # each side's signal in the start position
        self._release_pair = (self.release_deg, self.release_deg)
        self.rest_score_deg = math.nan  # this frame's distance from the start position
        self.frame_usable = False  # this frame could be part of a baseline (seen, no set-up problem)
        self._still: deque[PoseFrame] = deque()
        self.phase = "start"
        self._rep: _RepInProgress | None = None
        self._last_rest_s = 0.0
        self._seen_at_rest = False  # the signal has been back at rest since counting began
        self.up_before_rest_s: float | None = None  # at the target before ever at rest (not a rep)
        self._prev_t: float | None = None
        self._ghost_hold_s = 0.0  # hold time a second person not (yet) reported has held back
        self._histories: tuple[deque[tuple[float, float]], ...] = (deque(), deque())
        self._gates = (GlitchGate(p["glitch_speed_deg_s"]), GlitchGate(p["glitch_speed_deg_s"]))
        self._seen_s = {"left": -math.inf, "right": -math.inf}  # when each leg's signal was last seen
        self._seen_value = {"left": 0.0, "right": 0.0}  # and what it was then
        # Each leg's readings over the last LOST_LOOKBACK_S: a limb going out of sight is read lower and
        # lower by the tracker before it is dropped, so "was it held up?" looks at this, not the last one.
        self._seen_recent: dict[str, deque[tuple[float, float]]] = {"left": deque(), "right": deque()}
        self._held_out_of_sight = False  # the working leg is hidden, last seen held up
        self._rest: ms.RestAnchor | None = None  # hips when last at rest
        self._earlier_baselines: list[ms.Baseline] = []  # start positions of pictures seen before
        self._drift_band_px = 0.0

        self._setup_latches: dict[str, Latch] = {}
        self._setup_messages: dict[str, str] = {}
        self._fault_latches = {
            f.code: Latch(f.min_s if f.min_s is not None else p["fault_min_s"]) for f in config.faults
        }
        self._open_faults: dict[str, float] = {}
        self._fault_values: dict[str, float] = {}  # each fault rule's quantity this frame, for plots
        self._open_setup: dict[str, float] = {}

        self.reps: list[Rep] = []
        self.fault_intervals: list[Interval] = []
        self.setup_intervals: list[Interval] = []
        self.frames = 0
        self.frames_with_pose = 0

        self._cue_last_s = -math.inf
        self._cue_given: dict[str, float] = {}
        self._one_shot: list[tuple[float, int, str, str]] = []
        self._cue_text: str | None = None
        self._announce_baseline_s: float | None = None  # a given baseline, said on the first frame
        # Nothing counts before the person has been seen in the start position: found live with the
        # baseline's still second; with a given baseline (a recording measured again from its quietest
        # rest moment), at that moment or at an earlier still moment at rest (see ``_look_for_start``).
        self.start_found = baseline is None
        self._start_from_s = math.inf
        self._rest_run: deque[PoseFrame] = deque()
        if baseline is not None:
            self._install_baseline(baseline, baseline_score_deg)
            self._announce_baseline_s = baseline.t_s
            self._start_from_s = baseline.t_s - p["baseline_s"]

    # --- the signal ----------------------------------------------------------------------------

    def _measure(self, pose: PoseFrame) -> tuple[tuple[float, float], bool]:
        """The (left, right) pair, each side through its own glitch gate (unsided: one value twice),
        and whether a glitch is being held back (then nothing may be decided from the other side).

        Each leg is judged against its own history, so a far leg coming into view mid-movement is a
        new series, not a jump of the other leg's.
        """
        if not pose.person_found:
            return (math.nan, math.nan), False
        raw = self.signal_fn(pose, self.baseline, self.vis, self._rest)
        if self.sides == "either" and (math.isnan(raw[0]) != math.isnan(raw[1])):
            raw = self._with_faint_far_leg(pose, raw)
        sides = 2 if self.sides in ("either", "both") else 1
        trusted = [self._gates[i](pose.t_s, raw[i]) for i in range(sides)]
        glitch = any(not ok and not math.isnan(v) for ok, v in zip(trusted, raw, strict=False))
        pair = tuple(v if ok else math.nan for ok, v in zip(trusted, raw, strict=False))
        return ((pair[0], pair[1]) if sides == 2 else (pair[0], pair[0])), glitch

    def _with_faint_far_leg(self, pose: PoseFrame, raw: tuple[float, float]) -> tuple[float, float]:
        """The pair with a faintly seen far leg read too, when it is plainly the one moving.

        In a side view the far leg's landmarks come with visibility 0.25-0.5 on real footage, below
        what a measurement needs, yet well placed. Such a reading is taken only while the near leg is
        seen at rest and the far one has risen FAR_LEAD_DEG more from its start: the far leg is then
        the working one, and it is followed until its rep ends. A tracker that moves a hidden far leg
        along with the near one never passes (the near leg is not at rest), so it never makes a rep or
        a resting-leg fault of it.
        """
        far = 0 if math.isnan(raw[0]) else 1
        near = 1 - far
        faint = self.signal_fn(pose, self.baseline, self.params["far_visibility_min"], self._rest)[far]
        near_side, far_side = ("left", "right")[near], ("left", "right")[far]
        near_at_rest = raw[near] <= self.release_for(near_side)
        lead = (faint - self._start_of(far_side)) - (raw[near] - self._start_of(near_side))
        its_rep = self._rep is not None and self._rep.side == far_side  # followed down to rest
        if near_at_rest and (lead >= FAR_LEAD_DEG or its_rep):
            return (faint, raw[1]) if far == 0 else (raw[0], faint)
        return raw

    def _read(self, pose: PoseFrame) -> tuple[tuple[float, float], bool, float, float, str | None]:
        """This frame's (left, right) pair, whether a glitch is held back, and the combined signal
        (value, signed value, side); the signal is missing while a glitch is."""
        pair, glitch = self._measure(pose)
        if glitch:
            return pair, glitch, math.nan, math.nan, None
        return (pair, glitch, *self._signal(pair, pose.t_s))

    def _signal(self, pair: tuple[float, float], t_s: float) -> tuple[float, float, str | None]:
        """The combined value driving the phases, the signed value, and its side."""
        left, right = pair
        self._held_out_of_sight = False
        # In a side view the far leg is often hidden behind the near one. The legs that are seen decide:
        # a hidden leg is taken to be where the camera cannot see it (lying behind, or moving with, the
        # near leg), never guessed from its low-confidence landmarks.
        seen = {side: v for side, v in (("left", left), ("right", right)) if not math.isnan(v)}
        if self.sides == "either":
            for side in seen:
                self._seen_s[side] = t_s
                self._seen_value[side] = seen[side]
                recent = self._seen_recent[side]
                recent.append((t_s, seen[side]))
                while recent and t_s - recent[0][0] > LOST_LOOKBACK_S:
                    recent.popleft()
            working = self._rep.side if self._rep is not None else None
            # The working leg lost for a moment (arms hugging the knee, a tracking blink, the near leg
            # lifting in front of it): the rep waits for it, as for a lost person; the other leg must not
            # end it. Lost while lowering, it is going back to rest out of sight: after a second the legs
            # that are seen decide. Lost while held up, it waits longer (``lost_held_s``).
            if working is not None and working not in seen:
                last_s = self._seen_s[working]
                before = [v for t, v in self._seen_recent[working] if last_s - t <= LOST_LOOKBACK_S]
                held = max(before, default=self._seen_value[working]) >= self.hold_deg - self.h
                wait_s = self.params["lost_held_s" if held else "lost_side_s"]
                if t_s - self._seen_s[working] <= wait_s:
                    self._held_out_of_sight = held
                    return math.nan, math.nan, None
            if not seen:
                return math.nan, math.nan, None
            if working is not None and working in seen and self._rep is not None and self._rep.side_locked:
                return seen[working], seen[working], working
            # The working leg is the one that rose from its own start (hook-lying legs start at ~45 deg).
            side = max(seen, key=lambda s: seen[s] - self._start_of(s))
            return seen[side], seen[side], side
        if self.sides == "both":
            value = min(seen.values()) if seen else math.nan  # both knees must reach the target
            return value, value, "both"
        if self.sides == "signed":
            if math.isnan(left):
                return math.nan, math.nan, None
            return abs(left), left, "left" if left > 0 else "right"
        return left, left, None

    def _speed(self, t_s: float, pair: tuple[float, float], side: str | None) -> float:
        """Angular speed of the exercise's movement, deg/s (NaN until there is a full window).

        Single leg: the working leg's (the resting leg lifting is a fault of its own); both legs: the
        faster one.
        """
        sides = 2 if self.sides in ("either", "both") else 1
        speeds = [abs(self._side_speed(self._histories[i], t_s, pair[i])) for i in range(sides)]
        if self.sides == "either":
            return speeds[0 if side == "left" else 1] if side is not None else math.nan
        moving = [s for s in speeds if not math.isnan(s)]
        return max(moving) if moving else math.nan

    def _side_speed(self, history: deque[tuple[float, float]], t_s: float, value: float) -> float:
        if math.isnan(value):
            history.clear()
            return math.nan
        history.append((t_s, value))
        window = self.params["speed_window_s"]
        while len(history) > 2 and t_s - history[1][0] >= window:
            history.popleft()
        t0, v0 = history[0]
        # Only over a full window: right after a gap the tracker is still catching up with the body.
        if t_s - t0 + 1e-9 < 0.9 * window:
            return math.nan
        return (value - v0) / (t_s - t0)

    # --- baseline ------------------------------------------------------------------------------

    def _start_of(self, side: str) -> float:
        return self._start_pair[0 if side == "left" else 1]

    def release_for(self, side: str | None) -> float:
        """Back at start: below the release angle, or close to where this side started if that is
        higher (hook-lying legs start at 40-50 deg of hip flexion)."""
        if side in ("left", "right"):
            return self._release_pair[0 if side == "left" else 1]
        return max(self._release_pair)

    def _try_baseline(self, pose: PoseFrame, at_start: bool) -> bool:
        if not at_start:
            self._still.clear()
            return False
        self._still.append(pose)
        while self._still and pose.t_s - self._still[0].t_s > self.params["baseline_s"]:
            self._still.popleft()
        if pose.t_s - self._still[0].t_s + 1e-6 < self.params["baseline_s"] * 0.95:
            return False
        if not spread_in_torsos(list(self._still), self.vis) <= self.params["still_frac"]:
            # Not still yet: keep only the newest frame and wait for a quiet stretch.
            self._still = deque([pose])
            return False
        baseline = ms.make_baseline(list(self._still), self.config.spec.posture, self.vis)
        if baseline is None:
            return False
        self._install_baseline(baseline, self.rest_score_deg)
        return True

    def _look_for_start(self, pose: PoseFrame, value: float, side: str | None, blocked: bool) -> bool:
        """Whether the start position is found with this frame: the baseline's own still moment is
        reached, or the person has kept still at rest (the signal back at its release angle) for
        ``start_still_s``. Before, a reading that happens to be low for a moment (a tracker settling,
        someone still getting into position) is no start: what follows it is not a rep."""
        if pose.t_s >= self._start_from_s:
            return True
        if blocked or math.isnan(value) or value > self.release_for(side):
            self._rest_run.clear()
            return False
        if self.frames == 1 and pose.t_s <= CLIP_START_S:
            return True  # a clip that starts at rest and moves at once: its first frame is its start
        self._rest_run.append(pose)
        need_s = self.params["start_still_s"]
        while len(self._rest_run) > 2 and pose.t_s - self._rest_run[1].t_s >= need_s:
            self._rest_run.popleft()
        if pose.t_s - self._rest_run[0].t_s + 1e-6 < need_s:
            return False
        return spread_in_torsos(list(self._rest_run), self.vis) <= self.params["still_frac"]

    def _install_baseline(self, baseline: ms.Baseline, score_deg: float) -> None:
        """Take ``baseline`` as the start position: reference lines, each side's start, rest anchor."""
        self.baseline = baseline
        self.baseline_score_deg = score_deg
        band = self.params.get("hip_drift_band", 0.0) * baseline.hip_width_px
        self._drift_band_px = 0.0 if math.isnan(band) else band
        b = baseline
        lh, rh = (b.xy_px[i] if b.visible[i] else None for i in (lm.LEFT_HIP, lm.RIGHT_HIP))
        self._rest = ms.RestAnchor(b.origin, self._drift_band_px, lh, rh)
        # Each side's own start: the signal measured on the baseline pose itself. A side not seen
        # then (the far leg hidden) is taken to start where the seen one did.
        ref = b.as_pose()
        start = self.signal_fn(ref, b, 0.5, self._rest)
        seen = [v for v in start if not math.isnan(v)]
        fallback = min(seen) if seen else 0.0
        left, right = (fallback if math.isnan(v) else v for v in start)
        if not self.signal_needs_baseline:
            self._start_pair = (left, right)
        margin = self.params["start_margin_deg"]
        self._release_pair = (
            max(self.release_deg, self._start_pair[0] + margin),
            max(self.release_deg, self._start_pair[1] + margin),
        )

    def _follow_picture(self, pose: PoseFrame) -> bool:
        """Whether the body is not where (or not the size) it was in the start position: a cut to a
        close-up, or a knocked camera. Everything measured against the start position would be wrong
        then: counting pauses until the picture is back, or a new start position is taken there. The
        exercises move the limbs and the trunk, never the hips this far nor the torso's length this much.

        A picture seen before (the wide shot again after a close-up) is followed: its start position,
        kept when a new one was taken, is installed again and the answer is no.
        """
        if self.baseline is None or not pose.person_found:
            return False
        if not picture.seen_enough(pose, self.vis):
            return False
        if picture.fits(pose, self.baseline, self.vis):
            return False
        # Back to a picture seen before (the wide shot after a close-up): its start position holds again.
        for earlier in reversed(self._earlier_baselines):
            if picture.fits(pose, earlier, self.vis):
                self._earlier_baselines.remove(earlier)
                self._earlier_baselines.append(self.baseline)
                self._install_baseline(earlier, self.baseline_score_deg)
                return False
        return True

    # --- cues ----------------------------------------------------------------------------------

    def _queue(self, t_s: float, key: str) -> None:
        text = self.config.spec.cues.get(key)
        if text:
            self._one_shot.append((t_s, PHASE_CUE_PRIORITY.get(key, 2), text, "phase"))

    def _choose_cue(self, t_s: float, persistent: list[tuple[int, str, str]]) -> CueGiven | None:
        self._one_shot = [c for c in self._one_shot if t_s - c[0] <= ONE_SHOT_LIFETIME_S]
        candidates = [(prio, text, kind) for prio, text, kind in persistent]
        candidates += [(prio, text, kind) for _, prio, text, kind in self._one_shot]
        candidates.sort(key=lambda c: -c[0])
        if t_s - self._cue_last_s < self.params["cue_gap_s"]:
            return None
        for prio, text, kind in candidates:
            if t_s - self._cue_given.get(text, -math.inf) < self.params["cue_repeat_s"]:
                continue
            self._cue_last_s = t_s
            self._cue_given[text] = t_s
            self._cue_text = text
            self._one_shot = [c for c in self._one_shot if c[2] != text]
            return CueGiven(t_s, text, kind, prio)
        return None

    # --- the main step -------------------------------------------------------------------------

    def update(self, pose: PoseFrame) -> FrameUpdate:
        t = pose.t_s
        dt = 0.0 if self._prev_t is None else min(max(t - self._prev_t, 0.0), MAX_STEP_S)
        self._prev_t = t
        self.frames += 1
        self.frames_with_pose += int(pose.person_found)
        events: list[Event] = []

        if self._announce_baseline_s is not None:
            events.append(BaselineCaptured(self._announce_baseline_s))
            self._announce_baseline_s = None
        pair, glitch, value, signed, side_now = self._read(pose)
        self.rest_score_deg = ms.rest_score(self.config.spec.measurement, pose, self.vis)
        if abs(signed) <= 0.5 * self.release_deg:
            # Back at rest: the person may have shifted their stance since.
            self._rest = ms.RestAnchor.at(pose, self.vis, self._drift_band_px) or self._rest
        speed = self._speed(t, pair, side_now)
        # Posture and view describe the start position: judged only there, never mid-rep (a press-up
        # top is still lying prone), and before the baseline only on frames that look like the start.
        near_start = math.isnan(self.rest_score_deg) or self.rest_score_deg <= self.params["rest_max_deg"]
        at_rest = self.phase == "start" and (self.baseline is not None or near_start)

        # Set-up problems, debounced; while any is active nothing counts.
        counting_began = self.baseline is not None and self.start_found
        raw, unseen = setup_check.frame_problems(pose, self.config, at_rest, counting_began)
        moved = self._follow_picture(pose)
        if moved:
            raw["picture_changed"] = setup_check.MESSAGES["picture_changed"]
        for code in set(raw) | set(self._setup_latches):
            latch = self._setup_latches.setdefault(code, Latch(self.params["setup_min_s"]))
            if code in raw:
                self._setup_messages[code] = raw[code]
            flipped = latch.update(code in raw, t)
            if flipped is None:
                continue
            if latch.active:
                self._open_setup[code] = flipped
                events.append(SetupProblemStarted(flipped, code, self._setup_messages[code]))
            else:
                self.setup_intervals.append(Interval(code, self._open_setup.pop(code), flipped))
                events.append(SetupProblemEnded(flipped, code))
        setup_active = {
            c: self._setup_messages[c] for c, latch in self._setup_latches.items() if latch.active
        }
        # Counting pauses on this frame's problems; the debounced ones are for reports and cues. A part
        # out of view that only some checks need pauses just those checks.
        blocked = _blocks(raw)

        if self.baseline is None:
            if not blocked:
                at_start = pose.person_found and not math.isnan(self.rest_score_deg) and near_start
                if self._try_baseline(pose, at_start):
                    events.append(BaselineCaptured(t))
                    self._last_rest_s = t
                    self._queue(t, "start")
                    # The signal may need the baseline: measure this frame again now that it exists.
                    pair, glitch, value, signed, side_now = self._read(pose)
            else:
                self._still.clear()
        elif moved and not set(raw) - {"picture_changed"} - setup_check.NOTICES:
            # Not back in a picture seen before: a moved camera. Still in the start position (measured
            # without the old baseline), the person gets a new one; the old one is kept to go back to.
            at_start = not math.isnan(self.rest_score_deg) and near_start and self._rep is None
            previous = self.baseline
            if self._try_baseline(pose, at_start):
                self._earlier_baselines.append(previous)
                events.append(BaselineCaptured(t))
                self._last_rest_s = t
                pair, glitch, value, signed, side_now = self._read(pose)
                raw.pop("picture_changed")
                blocked = _blocks(raw)

        ready = self.baseline is not None
        if ready and not self.start_found:
            self.start_found = self._look_for_start(pose, value, side_now, blocked)
            if (
                not self.start_found
                and not blocked
                and value >= self.hold_deg
                and self.up_before_rest_s is None
            ):
                self.up_before_rest_s = t  # a trimmed clip starting mid-rep: said, not counted
        self._keep_ghost_time(raw, setup_active, value, dt)
        counting = ready and not blocked and self.start_found
        self.frame_usable = pose.person_found and not blocked
        active_faults = (
            self._update_faults(pose, pair, speed, t, events, unseen) if counting else self._held_faults()
        )
        if counting and self._held_out_of_sight and self._rep is not None and self.phase == "hold":
            # Hidden while held up (the other leg lifting in front of it): the time is credited to the
            # hold if the leg is still up when it is seen again, and only while the form was correct.
            self._rep.unseen_hold_s += 0.0 if active_faults else dt
        if counting and not math.isnan(value):
            self._step_phases(t, dt, value, side_now, active_faults, events)

        persistent: list[tuple[int, str, str]] = []
        for code, message in setup_active.items():
            # A notice (counting goes on) is said when nothing more important is to be said.
            prio = NOTICE_PRIORITY if code in setup_check.NOTICES else SETUP_PRIORITY
            persistent.append((prio, message, "setup"))
        for f in self.config.faults:
            if f.code in active_faults:
                persistent.append((FAULT_PRIORITY_BASE + f.priority, f.cue, "fault"))
        if not ready and not setup_active and "ready" in self.config.spec.cues:
            persistent.append((READY_PRIORITY, self.config.spec.cues["ready"], "phase"))
        cue = self._choose_cue(t, persistent)
        if cue is not None:
            events.append(cue)

        measurements = {self.signal_names[0]: pair[0], self.signal_names[1]: pair[1]}
        if counting:
            measurements.update(self._fault_values)
        state = CheckerState(
            t_s=t,
            ready=ready,
            phase=self.phase if ready else "setup",
            side=self._rep.side if self._rep else side_now,
            signal_deg=value,
            target_deg=self.params.get("target_deg", self.hold_deg),  # the aim (side bends count from 15)
            release_deg=self.release_deg,
            hold_s=self._rep.stretch_s if self._rep else 0.0,
            hold_target_s=self.params["hold_s"],
            reps_by_side=self.reps_by_side(),
            good_reps=sum(r.result == "good" for r in self.reps),
            active_faults=tuple(sorted(active_faults)),
            setup_problems=setup_active,
            cue=self._cue_text,
            fault_segments=frozenset(
                s for f in self.config.faults if f.code in active_faults for s in f.segments
            ),
            measurements=measurements,
        )
        return FrameUpdate(pose=pose, state=state, events=tuple(events))

    def _keep_ghost_time(
        self, raw: Mapping[str, str], reported: Mapping[str, str], value: float, dt: float
    ) -> None:
        """Someone else in the picture pauses a hold from their first frame, as the report dates them.
        One gone before they were ever said (shorter than the set-up debounce) was a ghost: the hold time
        held back while the person kept the target, with nothing else wrong, is given back then."""
        code = "multiple_people"
        rep = self._rep
        if code in reported or rep is None or self.phase != "hold":
            self._ghost_hold_s = 0.0
        elif code in raw:
            others = {c: m for c, m in raw.items() if c != code}
            if not _blocks(others) and value >= self.hold_deg and not self._held_faults():
                self._ghost_hold_s += dt
        elif self._ghost_hold_s:
            rep.stretch_s += self._ghost_hold_s
            self._ghost_hold_s = 0.0

    # --- faults --------------------------------------------------------------------------------

    def _held_faults(self) -> set[str]:
        return {code for code, latch in self._fault_latches.items() if latch.active}

    def _fault_raw(self, f: FaultSpec, q: float, active: bool) -> bool | None:
        """Past the limit to start; back by a tenth of the way to good form to end (hysteresis)."""
        if math.isnan(q):
            return None
        hit = False
        for limit, sign in ((f.above, 1.0), (f.below, -1.0)):
            if limit is None:
                continue
            value = self.params[limit]
            exit_at = value - sign * 0.1 * abs(value - f.neutral)
            hit |= sign * (q - (exit_at if active else value)) > 0
        return hit

    def _update_faults(
        self,
        pose: PoseFrame,
        pair: tuple[float, float],
        speed: float,
        t: float,
        events: list[Event],
        unseen: set[str],
    ) -> set[str]:
        assert self.baseline is not None
        working = self._rep.side if self._rep is not None and self._rep.side_locked else None
        ctx = RuleContext(pose, self.baseline, self.params, pair, speed, self.vis, self._start_pair, working)
        self._fault_values.clear()
        for f in self.config.faults:
            latch = self._fault_latches[f.code]
            q = RULES[f.rule](ctx, f.args)
            self._fault_values[f"{f.code}_value"] = q
            judged = (
                self.phase in f.phases
                and not (unseen and unseen.intersection(f.needs))
                and not any(self._fault_latches[c].active for c in f.unless if c in self._fault_latches)
            )
            raw = self._fault_raw(f, q, latch.active) if judged else False
            flipped = latch.update(raw, t)
            if flipped is None:
                continue
            if latch.active:
                self._open_faults[f.code] = flipped
                events.append(FaultStarted(flipped, f.code, f.cue))
            else:
                self.fault_intervals.append(Interval(f.code, self._open_faults.pop(f.code), flipped))
                events.append(FaultEnded(flipped, f.code))
        active = self._held_faults()
        if self._rep is not None:
            self._rep.faults |= active
        return active

    # --- phases, holds and reps ----------------------------------------------------------------

    def _set_phase(self, phase: str, t: float, events: list[Event]) -> None:
        if phase != self.phase:
            self.phase = phase
            events.append(PhaseChanged(t, phase, self._rep.side if self._rep else None))

    def _step_phases(
        self, t: float, dt: float, value: float, side_now: str | None, faults: set[str], events: list[Event]
    ) -> None:
        rep = self._rep
        release = self.release_for(rep.side if rep is not None else side_now)
        if rep is None:
            if value <= release:
                self._last_rest_s = t
                self._seen_at_rest = True
                return
            # A rep starts from rest: someone still getting into position (a knee up) is not doing one.
            if value > release + self.h and self._seen_at_rest:
                self._rep = rep = _RepInProgress(start_s=self._last_rest_s, side=side_now)
                rep.faults |= faults
                self._set_phase("raising", t, events)
            else:
                if not self._seen_at_rest and value >= self.hold_deg and self.up_before_rest_s is None:
                    self.up_before_rest_s = t  # a trimmed clip starting mid-rep: said, not counted
                return

        if self.sides == "either" and not rep.side_locked and side_now is not None:
            rep.side = side_now  # the leg rising most from its start, until the hold decides it
            release = self.release_for(rep.side)
        if value > rep.peak_deg:
            rep.peak_deg, rep.peak_s = value, t
        rep.beyond |= value > self.params.get("beyond_deg", math.inf)

        if value <= release:
            self._finish_rep(t, events, complete=True)
            return

        if self.phase in ("raising", "lowering"):
            if value >= self.hold_deg:
                rep.stretch_s = 0.0
                rep.dip_s = 0.0
                rep.side_locked = True  # a swap of legs later (a cut, a tracker swap) cannot move the rep
                self._set_phase("hold", t, events)
                events.append(HoldStarted(t, rep.side, self.params["hold_s"]))
                self._queue(t, "hold")
            return

        # Hold: time accrues only at the target, with correct form; a short dip pauses it.
        if value >= self.hold_deg:
            rep.stretch_s += rep.unseen_hold_s
            rep.unseen_hold_s = 0.0
            rep.dip_s = 0.0
            if not faults:
                rep.stretch_s += dt
        elif value < self.hold_deg - self.h:
            rep.unseen_hold_s = 0.0  # seen again lowered: when it came down is not known
            rep.dip_s += dt
            if rep.dip_s > self.params["grace_s"]:
                rep.best_hold_s = max(rep.best_hold_s, rep.stretch_s)
                rep.stretch_s = 0.0
                self._set_phase("lowering", t, events)
                return
        rep.best_hold_s = max(rep.best_hold_s, rep.stretch_s)
        if not rep.hold_done and rep.stretch_s + 1e-9 >= self.params["hold_s"]:
            rep.hold_done = True
            events.append(HoldCompleted(t, rep.side, rep.stretch_s))
            self._queue(t, "hold_done")

    def _finish_rep(self, t: float | None, events: list[Event], complete: bool) -> None:
        rep = self._rep
        assert rep is not None
        self._rep = None
        if t is not None:
            self._last_rest_s = t
            self._set_phase("start", t, events)
        hold = max(rep.best_hold_s, rep.stretch_s)
        if rep.peak_deg < self.attempt_deg and complete:
            return  # a small movement, not an attempt at a rep
        if rep.beyond:
            return  # another movement (a forward fold seen obliquely): its own faults say what it was
        if rep.peak_deg < self.hold_deg or not complete:
            result = "incomplete"
        elif rep.faults:
            result = "faulty"
        elif hold + 1e-6 < self.params["hold_s"]:
            result = "short_hold"
        else:
            result = "good"
        record = Rep(
            index=len(self.reps) + 1,
            side=rep.side,
            start_s=rep.start_s,
            peak_s=rep.peak_s,
            end_s=t,
            peak_deg=rep.peak_deg,
            hold_s=hold,
            complete=complete,
            result=result,
            faults=tuple(sorted(rep.faults)),
        )
        self.reps.append(record)
        events.append(RepCompleted(t if t is not None else rep.peak_s, record))
        if complete:
            key = {"good": "rep_done", "short_hold": "short_hold", "incomplete": "incomplete"}.get(result)
            if key:
                self._queue(t if t is not None else rep.peak_s, key)

    def finish(self, t_s: float | None = None) -> list[Event]:
        """Close the session: a rep still in progress is kept as incomplete, open intervals are closed."""
        events: list[Event] = []
        end = t_s if t_s is not None else (self._prev_t or 0.0)
        if self._rep is not None:
            self._finish_rep(None, events, complete=False)
        for code, start in sorted(self._open_faults.items()):
            self.fault_intervals.append(Interval(code, start, end))
        for code, start in sorted(self._open_setup.items()):
            self.setup_intervals.append(Interval(code, start, end))
        self._open_faults.clear()
        self._open_setup.clear()
        return events

    def reps_by_side(self) -> dict[str, int]:
        keys = {"either": ("left", "right"), "signed": ("left", "right"), "both": ("both",), "none": ("all",)}
        counts = dict.fromkeys(keys[self.sides], 0)
        for r in self.reps:
            counts[r.side or "all"] = counts.get(r.side or "all", 0) + 1
        return counts
