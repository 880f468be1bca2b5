"""The batch's progress on stderr: on a terminal, one bar redrawn in place with the recordings in hand
and an ETA; otherwise (a log file, a pipe) one plain line per started, finished or skipped recording.

The ETA is from bytes: the recordings' sizes are known before any is opened, and analysis time grows
with a recording's length, which its size follows for one camera and codec. Files that failed do not
count towards the rate (an unreadable file fails in a moment)."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from typing import TextIO

from formcheck.safe_text import printable


def duration_words(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class BatchProgress:
    def __init__(
        self,
        total: int,
        total_bytes: int,
        stream: TextIO | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.total = total
        self.remaining_bytes = total_bytes
        self.done = 0
        self.done_bytes = 0
        self.in_hand: dict[str, int] = {}
        self._clock = clock
        self._started = self._clock()

    def eta_s(self) -> float | None:
        """Seconds left at the rate so far (bytes analysed per second); None before the first file."""
        if not self.done_bytes:
            return None
        rate = self.done_bytes / max(1e-6, self._clock() - self._started)
        return self.remaining_bytes / rate

    def _eta_text(self) -> str:
        eta = self.eta_s()
        return "ETA unknown" if eta is None else f"ETA {duration_words(eta)}"

    def skipped(self, name: str, size_bytes: int, why: str = "already analysed") -> None:
        self.total -= 1
        self.remaining_bytes -= size_bytes
        self._line(f"skipped {name} ({why})")

    def started(self, name: str, size_bytes: int) -> None:
        self.in_hand[name] = size_bytes
        if self.tty:
            self._draw()
        else:
            self._line(f"started {name}")

    def finished(self, name: str, seconds: float, problem: str | None = None) -> None:
        size = self.in_hand.pop(name, 0)
        self.done += 1
        self.remaining_bytes -= size
        if problem is None:  # a file that failed at once says nothing about the rate
            self.done_bytes += size
        outcome = f"failed: {problem}" if problem else f"done in {seconds:.1f} s"
        self._line(f"{name} {outcome} ({self.done}/{self.total}, {self._eta_text()})")

    def _line(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(printable(f"batch: {text}") + "\n")
        if self.tty:
            self._draw()
        self.stream.flush()

    def bar_text(self, width: int = 100) -> str:
        cells = 20
        filled = cells * self.done // max(1, self.total)
        hand = ", ".join(self.in_hand) or "-"
        bar = "#" * filled + "." * (cells - filled)
        text = f"[{bar}] {self.done}/{self.total}  {self._eta_text()}  in hand: {hand}"
        return printable(text)[: max(10, width - 1)]

    def _draw(self) -> None:
        width = shutil.get_terminal_size((100, 20)).columns
        self.stream.write("\r\x1b[K" + self.bar_text(width))
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
