"""Plane geometry on pixel coordinates. Angles in degrees; image y points down."""

from __future__ import annotations

import math

import numpy as np


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Angle ABC at vertex ``b`` in degrees, 0..180."""
    v1 = a - b
    v2 = c - b
    n1 = math.hypot(v1[0], v1[1])
    n2 = math.hypot(v2[0], v2[1])
    if n1 == 0.0 or n2 == 0.0:
        return math.nan
    cos = (v1[0] * v2[0] + v1[1] * v2[1]) / (n1 * n2)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def distance(p: np.ndarray, q: np.ndarray) -> float:
    return math.hypot(q[0] - p[0], q[1] - p[1])


def unit(v: np.ndarray) -> np.ndarray:
    n = math.hypot(v[0], v[1])
    if n == 0.0:
        return np.array([math.nan, math.nan])
    return np.asarray(v, dtype=np.float64) / n


def screen_up_normal(direction: np.ndarray) -> np.ndarray:
    """The unit normal of a line direction that points up on screen (negative image y)."""
    d = unit(direction)
    n = np.array([-d[1], d[0]])
    return n if n[1] <= 0 else -n


def midpoint(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return (np.asarray(p) + np.asarray(q)) / 2.0
