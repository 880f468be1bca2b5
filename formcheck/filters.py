"""One Euro filter over all landmarks at once (Casiez, Roussel and Vogel, CHI 2012).

A low-pass filter whose cut-off rises with speed: still landmarks are smoothed hard (no jitter to
cross thresholds with), moving ones lightly (little lag). Tuned in pixels and seconds; time comes
from frame timestamps, so a replay filters exactly as the live run did.
"""

from __future__ import annotations

import math

import numpy as np


def _alpha(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """Filters an array of points (any shape, e.g. (33, 2)) sample by sample.

    Points that are NaN (not seen) keep their state and come out NaN; a point unseen for longer than
    ``reset_after_s`` starts afresh when it reappears, instead of sliding from where it was.
    """

    def __init__(
        self,
        min_cutoff_hz: float = 1.5,
        beta: float = 0.02,
        d_cutoff_hz: float = 1.0,
        reset_after_s: float = 0.5,
    ) -> None:
        if min_cutoff_hz <= 0 or d_cutoff_hz <= 0 or beta < 0:
            raise ValueError("One Euro cut-offs must be positive and beta non-negative")
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self.reset_after_s = reset_after_s
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._last_seen_s: np.ndarray | None = None
        self._t_s: float | None = None

    def reset(self) -> None:
        self._x = self._dx = self._last_seen_s = None
        self._t_s = None

    def __call__(self, x: np.ndarray, t_s: float) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        seen = ~np.isnan(x)
        if self._x is None or self._t_s is None or self._last_seen_s is None or self._dx is None:
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            self._last_seen_s = np.where(seen, t_s, -math.inf)
            self._t_s = t_s
            return x.copy()
        dt_s = t_s - self._t_s
        if dt_s <= 0:
            # Same or earlier timestamp (a duplicated frame): nothing new to learn from it.
            return np.where(seen, self._x, np.nan)
        self._t_s = t_s
        fresh = seen & ((t_s - self._last_seen_s) > self.reset_after_s)
        fresh |= seen & np.isnan(self._x)
        prev = np.where(fresh, x, self._x)
        dx = np.where(seen & ~fresh, (x - prev) / dt_s, 0.0)
        a_d = _alpha(self.d_cutoff_hz, dt_s)
        dx_hat = np.where(seen, a_d * dx + (1 - a_d) * self._dx, self._dx)
        # One cut-off per point from its speed; both coordinates of a point share it.
        speed = np.abs(dx_hat)
        if speed.ndim == 2:
            speed = np.repeat(np.hypot(dx_hat[:, 0], dx_hat[:, 1])[:, None], speed.shape[1], axis=1)
        cutoff = self.min_cutoff_hz + self.beta * speed
        a = _alpha(cutoff, dt_s)
        x_hat = np.where(seen, a * np.where(seen, x, 0.0) + (1 - a) * prev, self._x)
        self._x = x_hat
        self._dx = dx_hat
        self._last_seen_s = np.where(seen, t_s, self._last_seen_s)
        return np.where(seen, x_hat, np.nan)
