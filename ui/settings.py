"""Where the window remembers things (safety screen accepted, window size, last choices).

``FORMCHECK_CONFIG_DIR`` moves the file elsewhere; tests point it at a temporary folder so they never
touch the real home directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PyQt6.QtCore import QSettings

CONFIG_ENV = "FORMCHECK_CONFIG_DIR"
FILE_NAME = "formcheck-ui.ini"


def settings_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override) / FILE_NAME
    import platformdirs

    return Path(platformdirs.user_config_dir("formcheck")) / FILE_NAME


def open_settings() -> QSettings:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def has_display() -> bool:
    """True when Qt can open a window: a display server, or a platform chosen explicitly (offscreen)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True
