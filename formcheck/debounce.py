"""Debouncing what the checker reads: on/off conditions that must last, and impossible jumps of an angle."""

from __future__ import annotations

import math

__all__ = ["GlitchGate", "Latch"]


class Latch:
    """A debounced on/off condition: it flips only after the raw condition held for ``min_s``.

    The flip is dated back to when the raw condition first changed, so intervals are not late by the
    debounce time. ``None`` (cannot tell) leaves everything as it is.
    """

    def __init__(self, min_s: float) -> None:
        self.min_s = min_s
        self.active = False
        self.since_s: float | None = None  # when the raw condition started to disagree with the state

    def update(self, raw: bool | None, t_s: float) -> float | None:
        """Feed one frame; returns the (backdated) time of a flip, or None."""
        if raw is None:
            return None
        if raw == self.active:
            self.since_s = None
            return None
        if self.since_s is None:
            self.since_s = t_s
        if t_s - self.since_s + 1e-9 >= self.min_s:
            flipped_at = self.since_s
            self.active = raw
            self.since_s = None
            return flipped_at
        return None


class GlitchGate:
    """Treats physically impossible jumps of the main angle as missing, not as movement.

    Pose trackers occasionally lose a limb for a few frames (a leg collapsing onto the other in a
    side view). A value that would mean moving faster than ``max_speed_deg_s`` since the last trusted
    value is held back. While values are held back, one is trusted again when it comes back within a
    frame's worth of movement of the last trusted value (a one-frame spike), or when the held-back
    values have agreed with each other for ``settle_s`` (the tracker has settled, or the person really
    is there), or after ``give_up_s``.
    """

    FRAME_S = 1 / 25

    def __init__(self, max_speed_deg_s: float, settle_s: float = 0.3, give_up_s: float = 1.0) -> None:
        self.max_speed = max_speed_deg_s
        self.settle_s = settle_s
        self.give_up_s = give_up_s
        self._trusted: tuple[float, float] | None = None
        self._held: list[tuple[float, float]] = []

    def _plausible(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        dt = b[0] - a[0]
        return dt <= 0 or abs(b[1] - a[1]) <= self.max_speed * dt

    def __call__(self, t_s: float, value: float) -> bool:
        """True if this frame's value can be trusted."""
        if math.isnan(value):
            return False
        sample = (t_s, value)
        if self._trusted is None or (
            self._plausible(self._trusted, sample)
            if not self._held
            else abs(value - self._trusted[1]) <= self.max_speed * self.FRAME_S
        ):
            self._trusted, self._held = sample, []
            return True
        if self._held and not self._plausible(self._held[-1], sample):
            self._held = []
        self._held.append(sample)
        since = self._held[-1][0] - self._held[0][0]
        if since + 1e-9 >= self.settle_s or t_s - self._trusted[0] >= self.give_up_s:
            self._trusted, self._held = sample, []
            return True
        return False
