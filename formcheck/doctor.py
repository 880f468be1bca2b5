"""``formcheck doctor``: what a home set-up needs, checked one line each, with what to do about it.

The core checks Python, the packages, the pose model, the camera, the display (including the system
libraries Qt's X11 plugin needs, found here before Qt would abort on them) and the data folder. The
window part adds its own checks (speech) with ``register_check``. The home screen shows the same list.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

# Shared libraries the Qt 6 X11 (xcb) platform plugin loads, with the Debian/Ubuntu package of each.
# PyQt6's wheels bundle Qt itself but not these; a fresh Debian or Ubuntu often lacks the first three.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
}
OPENCV_DISTRIBUTIONS = (
    "opencv-python",
    "opencv-contrib-python",
    "opencv-python-headless",
    "opencv-contrib-python-headless",
)
MEDIAPIPE_VERSION = "0.10.21"
LOW_SPACE_MB = 500  # a session with video kept is ~5-20 MB a minute
TOO_LITTLE_SPACE_MB = 50


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    needed: bool = True  # a failed needed check makes 'formcheck doctor' exit non-zero

    @property
    def word(self) -> str:
        if self.ok:
            return "ok"
        return "MISSING" if self.needed else "note"

    def line(self) -> str:
        return f"  {self.word:<8} {self.name}: {self.detail}"


# --- the X11 libraries Qt needs ----------------------------------------------------------------------


@cache
def _known_libraries() -> frozenset[str] | None:
    """Sonames the dynamic loader knows (from its cache), or None when that cannot be read."""
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig", shutil.which("ldconfig")):
        if ldconfig and os.path.exists(ldconfig):
            try:
                out = subprocess.run(
                    [ldconfig, "-p"], capture_output=True, text=True, timeout=10, check=False
                ).stdout
            except (OSError, subprocess.SubprocessError):
                continue
            return frozenset(line.split()[0] for line in out.splitlines()[1:] if line.strip())
    return None


def _library_present(soname: str) -> bool:
    for folder in filter(None, os.environ.get("LD_LIBRARY_PATH", "").split(":")):
        if (Path(folder) / soname).exists():
            return True
    known = _known_libraries()
    if known is not None:
        return soname in known
    import ctypes  # no loader cache to read: try to load it (these are small X11 helper libraries)

    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def qt_uses_xcb(env: dict[str, str] | None = None) -> bool:
    """True when Qt would open its window through X11 here (Linux, an X display, no other platform set)."""
    env = dict(os.environ) if env is None else env
    if not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0].split(";")[0] == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def missing_xcb_packages(present: Callable[[str], bool] = _library_present) -> list[str]:
    """The Debian/Ubuntu packages of the X11 libraries Qt's window plugin needs that are not installed."""
    return [package for soname, package in XCB_LIBRARIES.items() if not present(soname)]


def xcb_sentence(packages: list[str]) -> str:
    names = ", ".join(packages[:-1]) + (" and " if len(packages) > 1 else "") + packages[-1]
    return (
        f"The window cannot open: this system lacks {names}, which Qt needs for X11; install "
        f"{'them' if len(packages) > 1 else 'it'} with 'sudo apt install {' '.join(packages)}' "
        "(or your distribution's equivalent)."
    )


# --- the checks ----------------------------------------------------------------------------------


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_python() -> Check:
    v = sys.version_info
    ok = (3, 11) <= v[:2] < (3, 12)
    return Check(
        "Python",
        ok,
        f"{v.major}.{v.minor}.{v.micro}"
        + ("" if ok else " (formcheck needs 3.11: mediapipe 0.10.21 is built for it)"),
    )


def check_packages() -> list[Check]:
    checks = [Check("formcheck", True, _version("formcheck") or "running from a source tree")]
    mp = _version("mediapipe")
    checks.append(
        Check(
            "mediapipe",
            mp == MEDIAPIPE_VERSION,
            f"{mp}"
            if mp == MEDIAPIPE_VERSION
            else f"{mp or 'not installed'}; formcheck needs "
            f"{MEDIAPIPE_VERSION} (the last with its pose model inside): reinstall formcheck",
        )
    )
    np_v = _version("numpy")
    checks.append(Check("numpy", np_v is not None, np_v or "not installed: reinstall formcheck"))
    cvs = [f"{d} {_version(d)}" for d in OPENCV_DISTRIBUTIONS if _version(d)]
    if len(cvs) == 1:
        checks.append(Check("OpenCV", True, cvs[0]))
    elif not cvs:
        checks.append(Check("OpenCV", False, "not installed: reinstall formcheck"))
    else:
        checks.append(
            Check(
                "OpenCV",
                False,
                f"{len(cvs)} distributions installed side by side ({', '.join(cvs)}), all writing cv2/; "
                "uninstall all but opencv-contrib-python",
            )
        )
    qt = _version("PyQt6")
    checks.append(
        Check("PyQt6", qt is not None, qt or "not installed: the window cannot open (pip install PyQt6)")
    )
    return checks


def check_model() -> Check:
    try:
        import numpy as np

        from formcheck import native
        from formcheck.pose import create_estimator
        from formcheck.video.sources import Frame

        t0 = time.perf_counter()
        with native.quiet_stderr():
            estimator = create_estimator(None)
            try:
                estimator.estimate(Frame(0, 0.0, np.zeros((480, 640, 3), np.uint8)))
            finally:
                estimator.close()
        threads = getattr(estimator, "threads", 1)
        return Check(
            "pose model",
            True,
            f"loads and runs on {threads} thread{'s' if threads > 1 else ''} "
            f"({time.perf_counter() - t0:.1f} s to start)",
        )
    except Exception as exc:  # whatever breaks here is what the user must hear about
        return Check("pose model", False, f"does not load ({exc}); reinstall formcheck")


def check_camera() -> Check:
    from formcheck.video.sources import probe_cameras

    try:
        cameras = probe_cameras(measure_s=1.0)
    except Exception as exc:
        return Check("camera", False, f"probing failed ({exc})")
    if not cameras:
        return Check(
            "camera",
            False,
            "none found (looked at cameras 0-4); plug in a webcam, close other programs that use it, "
            "or analyse recorded videos instead ('formcheck analyze VIDEO')",
        )
    first = cameras[0]
    more = f"; {len(cameras) - 1} more" if len(cameras) > 1 else ""
    low = " (below 15 fps: more light helps)" if 0 < first.fps < 15 else ""
    return Check(
        "camera",
        True,
        f"camera {first.index} gives {first.width}x{first.height} at {first.fps:g} fps{low}{more}",
    )


def check_display(
    env: dict[str, str] | None = None, present: Callable[[str], bool] = _library_present
) -> Check:
    env = dict(os.environ) if env is None else env
    if sys.platform.startswith("linux") and not (
        env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM")
    ):
        return Check(
            "display",
            False,
            "none (no DISPLAY or WAYLAND_DISPLAY): the window needs a desktop; text analysis still works",
        )
    if qt_uses_xcb(env):
        missing = missing_xcb_packages(present)
        if missing:
            return Check("display", False, xcb_sentence(missing))
        return Check("display", True, f"X11 display {env.get('DISPLAY', '')}, Qt's libraries present")
    where = env.get("QT_QPA_PLATFORM") or ("Wayland" if env.get("WAYLAND_DISPLAY") else "the system's")
    return Check("display", True, f"{where} display")


def check_data_folder(folder: Path | None = None) -> Check:
    from formcheck.sessions.storage import data_dir

    folder = folder or data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-", delete=True) as f:
            f.write(b"formcheck")
            f.flush()
        free_mb = shutil.disk_usage(folder).free / 1e6
    except OSError as exc:
        return Check(
            "data folder", False, f"{folder} is not writable ({exc.strerror or exc}); set FORMCHECK_DATA_DIR"
        )
    if free_mb < TOO_LITTLE_SPACE_MB:
        return Check("data folder", False, f"{folder}: only {free_mb:.0f} MB free; free some space")
    note = " (low: sessions with video need more)" if free_mb < LOW_SPACE_MB else ""
    free = f"{free_mb / 1000:.1f} GB" if free_mb >= 1000 else f"{free_mb:.0f} MB"
    return Check("data folder", True, f"{folder}, writable, {free} free{note}")


# Extra checks from other parts of the program: name -> function returning a Check.
EXTRA_CHECKS: dict[str, Callable[[], Check]] = {}


def register_check(name: str, check: Callable[[], Check]) -> None:
    EXTRA_CHECKS[name] = check


def run_extra_checks() -> list[Check]:
    checks = []
    for name, extra in EXTRA_CHECKS.items():
        try:
            checks.append(extra())
        except Exception as exc:
            checks.append(Check(name, False, f"could not be checked ({exc})", needed=False))
    return checks


def run_checks(camera: bool = True, model: bool = True, extras: bool = True) -> list[Check]:
    checks = [check_python(), *check_packages()]
    if model:
        checks.append(check_model())
    if camera:
        checks.append(check_camera())
    checks.append(check_display())
    if extras:
        checks.extend(run_extra_checks())
    checks.append(check_data_folder())
    return checks


def cmd_doctor(args: argparse.Namespace) -> int:
    checks = run_checks(camera=not args.no_camera)
    print("formcheck doctor: what this computer has for home exercise coaching")
    for c in checks:
        print(c.line())
    missing = [c.name for c in checks if c.needed and not c.ok]
    if missing:
        print(
            f"Missing: {', '.join(missing)}. Fix the lines marked MISSING, then run 'formcheck doctor' again."
        )
        return 1
    print("Everything formcheck needs is here.")
    return 0


def register(subparsers: Any, parser: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("doctor", help="check this computer's set-up (camera, display, model, disk)")
    p.add_argument("--no-camera", action="store_true", help="skip the camera (for analysing videos only)")
    p.set_defaults(func=cmd_doctor)
