"""One visual language for the whole program: the colours of the coaching window, the review window and
the HTML/PDF reports, as hex strings (the core writes HTML; ui/ makes QColors of the same values).

Two surfaces share the meanings: ``SCREEN`` is the dark one of every window (read from across a room,
calm in a dim living room) and ``PAPER`` the light one of printed reports. Each meaning has one hue on
both, a shade apart so it reads on its background: good is green, a warning amber, a fault red, pain a
deep red. Each side has its own hue everywhere (left blue, right violet), never a warning's colour, so
the right side is the same colour in every session, whichever side is weaker; the weaker side is
marked by hatching and a word, not by changing its colour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    panel: str
    ink: str  # text and axes
    muted: str  # secondary text
    grid: str
    good: str
    warn: str
    bad: str
    pain: str
    accent: str  # the skeleton, links, the selection
    left: str
    right: str
    both: str  # a two-sided exercise done with both sides at once, or one without sides
    release: str  # the release line of the timeline


SCREEN = Theme(
    name="screen",
    background="#0c0c0c",
    panel="#161616",
    ink="#f2f2f2",
    muted="#b0b0b0",
    grid="#3a3a3a",
    good="#3cdc78",
    warn="#ffb000",
    bad="#ff3c3c",
    pain="#ff4d6a",
    accent="#50dcff",
    left="#4fa3ff",
    right="#c08cff",
    both="#4fd1c5",
    release="#9a9a9a",
)
PAPER = Theme(
    name="paper",
    background="#ffffff",
    panel="#f4f4f4",
    ink="#222222",
    muted="#555555",
    grid="#dddddd",
    good="#1a7f37",
    warn="#b86e00",
    bad="#c62828",
    pain="#b00020",
    accent="#1f5fbf",
    left="#1f6fd1",
    right="#7b3fb5",
    both="#127a70",
    release="#777777",
)


def side_color(theme: Theme, side: str | None) -> str:
    """The fixed colour of a side ('left', 'right'; anything else: the both-sides colour)."""
    return {"left": theme.left, "right": theme.right}.get(side or "", theme.both)


def signal_side(label: str) -> str | None:
    """The side a plotted angle belongs to, from its label ('left hip flexion' -> 'left')."""
    for side in ("left", "right"):
        if label.startswith(side):
            return side
    return None
