"""Type sizes for a patient reading the screen from the floor, as signage is sized: from distance.

The rule (docs/ui.md, "Readable from the floor"): a letter's x-height (the height of an "x") must
subtend a visual angle at the viewer's eye. Two tiers:

- **glance** text, read in a moment mid-movement (the cue, the rep counts, the hold seconds):
  x-height >= 14 arcmin, 4.1 mm per metre: 10.2 mm at 2.5 m (1 cm of x-height per 2.5 m).
- **reading** text, read while resting between reps (the steps, the set-up list, "good reps", side
  names, the pain-stop button): x-height >= 10 arcmin, 2.9 mm per metre: 7.3 mm at 2.5 m (1 cm per
  3.4 m).

10 arcmin (0.3 logMAR, where 0 logMAR is an x-height of 5 arcmin) is the critical print size, the
smallest print read at full speed, of older readers with normal-for-age sight; glance text gets 1.4
times that (0.45 logMAR), the reserve that makes reading a glance rather than an effort. For a
screen, millimetres become pixels through the screen's physical size (``QScreen.physicalSize``); a
platform that reports no usable size (offscreen, some VMs) gets 96 logical dots per inch, the desktop
default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from PyQt6.QtGui import QFont, QFontMetricsF, QGuiApplication, QScreen

VIEWING_DISTANCE_M = 2.5
GLANCE_X_HEIGHT_ARCMIN = 14.0
READING_X_HEIGHT_ARCMIN = 10.0
FALLBACK_DPI = 96.0
FONT_FAMILY = "DejaVu Sans"  # bundled with the platform fonts Qt finds on Linux; metrics are measured
MM_PER_INCH = 25.4
# A screen is believed when its physical size gives a diagonal of 9-45 inches and 2-12 logical px per
# mm; outside that (or on the offscreen platform, which invents 100 dpi) it is not.
PLAUSIBLE_DIAGONAL_IN = (9.0, 45.0)
PLAUSIBLE_PX_PER_MM = (2.0, 12.0)


def x_height_mm(distance_m: float, arcmin: float) -> float:
    """The x-height that subtends ``arcmin`` at ``distance_m``."""
    return 1000.0 * distance_m * math.tan(math.radians(arcmin / 60.0))


def x_height_at(px: int, family: str = FONT_FAMILY, bold: bool = False) -> float:
    """The x-height Qt gives a font at ``px`` pixels (whole pixels: hinting rounds it)."""
    font = QFont(family)
    font.setPixelSize(px)
    font.setBold(bold)
    return QFontMetricsF(font).xHeight()


@cache
def font_px_for_x_height(x_height_px: float, family: str = FONT_FAMILY, bold: bool = False) -> int:
    """The smallest pixel size whose x-height, as Qt draws it, is at least ``x_height_px``."""
    px = max(1, math.floor(x_height_px / 0.6))  # DejaVu's x-height is 0.55 of its size: start below
    while x_height_at(px, family, bold) < x_height_px:
        px += 1
    return px


def screen_px_per_mm(screen: QScreen | None) -> tuple[float, str]:
    """Logical pixels per millimetre on ``screen``, and where the figure came from."""
    if screen is not None and QGuiApplication.platformName() != "offscreen":
        size_mm = screen.physicalSize()
        geometry = screen.geometry()
        if size_mm.width() > 0 and size_mm.height() > 0:
            diagonal_in = math.hypot(size_mm.width(), size_mm.height()) / MM_PER_INCH
            px_per_mm = geometry.height() / size_mm.height()
            if (
                PLAUSIBLE_DIAGONAL_IN[0] <= diagonal_in <= PLAUSIBLE_DIAGONAL_IN[1]
                and PLAUSIBLE_PX_PER_MM[0] <= px_per_mm <= PLAUSIBLE_PX_PER_MM[1]
            ):
                return px_per_mm, f'{diagonal_in:.1f}" screen'
    return FALLBACK_DPI / MM_PER_INCH, f"{FALLBACK_DPI:g} dpi (screen size unknown)"


@dataclass(frozen=True)
class TextSizes:
    """Pixel sizes for one screen and viewing distance. ``*_x_px`` are the x-heights the rule asks for;
    ``*_px`` the font pixel sizes that give them (bold text uses the bold measurement)."""

    px_per_mm: float
    distance_m: float
    source: str
    glance_x_px: float
    reading_x_px: float
    glance_px: int
    reading_px: int

    @property
    def glance_x_mm(self) -> float:
        return self.glance_x_px / self.px_per_mm

    @property
    def reading_x_mm(self) -> float:
        return self.reading_x_px / self.px_per_mm

    def small_px(self) -> int:
        """Text for someone at the keyboard (a tester, a therapist): not sized for the floor."""
        return 16


def text_sizes(
    screen: QScreen | None = None,
    distance_m: float = VIEWING_DISTANCE_M,
    px_per_mm: float | None = None,
) -> TextSizes:
    """The type sizes for ``screen`` (the primary screen if None) seen from ``distance_m``."""
    source = "given"
    if px_per_mm is None:
        if screen is None:
            screen = QGuiApplication.primaryScreen()
        px_per_mm, source = screen_px_per_mm(screen)
    glance_x = x_height_mm(distance_m, GLANCE_X_HEIGHT_ARCMIN) * px_per_mm
    reading_x = x_height_mm(distance_m, READING_X_HEIGHT_ARCMIN) * px_per_mm
    return TextSizes(
        px_per_mm=px_per_mm,
        distance_m=distance_m,
        source=source,
        glance_x_px=glance_x,
        reading_x_px=reading_x,
        # Glance text is bold, whose x-height is the same as regular in DejaVu; measure bold anyway.
        glance_px=max(font_px_for_x_height(glance_x, bold=True), font_px_for_x_height(glance_x)),
        reading_px=max(font_px_for_x_height(reading_x, bold=True), font_px_for_x_height(reading_x)),
    )


def sizing_table(diagonals_in: tuple[float, ...] = (14.0, 15.6, 24.0)) -> list[dict[str, float]]:
    """The figures for docs/ui.md: 16:9 screens at 1920x1080 logical pixels (no scaling) and at the
    usual scaling of each size, at 2.5 m."""
    rows = []
    for diagonal in diagonals_in:
        height_mm = diagonal * MM_PER_INCH * 9 / math.hypot(16, 9)
        for logical_h in (1080, 720) if diagonal < 20 else (1080,):
            sizes = text_sizes(px_per_mm=logical_h / height_mm)
            rows.append(
                {
                    "diagonal_in": diagonal,
                    "height_mm": height_mm,
                    "logical_h": logical_h,
                    "glance_x_mm": sizes.glance_x_mm,
                    "glance_x_px": sizes.glance_x_px,
                    "glance_px": sizes.glance_px,
                    "reading_x_mm": sizes.reading_x_mm,
                    "reading_x_px": sizes.reading_x_px,
                    "reading_px": sizes.reading_px,
                }
            )
    return rows


if __name__ == "__main__":  # prints the table in docs/ui.md
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtWidgets import QApplication

    app = QApplication([])
    print("| screen | logical px | glance x-height | glance font | reading x-height | reading font |")
    print("|---|---|---|---|---|---|")
    for r in sizing_table():
        print(
            f'| {r["diagonal_in"]:g}" (16:9, {r["height_mm"]:.0f} mm tall) | {r["logical_h"]:.0f} p '
            f"| {r['glance_x_mm']:.1f} mm = {r['glance_x_px']:.0f} px | {r['glance_px']} px "
            f"| {r['reading_x_mm']:.1f} mm = {r['reading_x_px']:.0f} px | {r['reading_px']} px |"
        )
