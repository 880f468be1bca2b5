"""A desktop-menu entry for formcheck (Linux: freedesktop .desktop file and icon in the user's folders).

``formcheck install-desktop`` writes them; ``--remove`` takes them away. Nothing needs root.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

ICON = Path(__file__).resolve().parent / "assets" / "formcheck.svg"
APP_ID = "formcheck"


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launcher() -> list[str]:
    """The command that starts this formcheck: its installed script if there is one, else this Python."""
    script = Path(sys.argv[0])
    if script.name == "formcheck" and script.exists():
        return [str(script.resolve())]
    found = shutil.which("formcheck")
    if found:
        return [str(Path(found).resolve())]
    return [sys.executable, "-m", "formcheck.cli"]


def desktop_entry(command: list[str], icon: Path) -> str:
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.0",
            "Name=formcheck",
            "GenericName=Exercise form coach",
            "Comment=Coaches your back exercises through the webcam: form, holds and reps",
            f"Exec={' '.join(shlex.quote(c) for c in command)}",
            f"Icon={icon}",
            "Terminal=false",
            "Categories=Education;Sports;MedicalSoftware;",
            "Keywords=exercise;physiotherapy;back pain;sciatica;webcam;",
            "StartupWMClass=formcheck",
            "",
        ]
    )


def install(base: Path | None = None, command: list[str] | None = None) -> tuple[Path, Path]:
    base = base or data_home()
    icon = base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    entry = base / "applications" / f"{APP_ID}.desktop"
    icon.parent.mkdir(parents=True, exist_ok=True)
    entry.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ICON, icon)
    entry.write_text(desktop_entry(command or launcher(), icon), encoding="utf-8")
    entry.chmod(0o755)
    return entry, icon


def remove(base: Path | None = None) -> list[Path]:
    base = base or data_home()
    gone = []
    for path in (
        base / "applications" / f"{APP_ID}.desktop",
        base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
    ):
        if path.exists():
            path.unlink()
            gone.append(path)
    return gone
