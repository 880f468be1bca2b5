"""Where formcheck's own files are: the exercise files, the model registry and the bundled sample clip.

In a clone they are the top-level folders ``exercises/``, ``models/`` and ``sample_videos/``. An installed
wheel carries copies under ``formcheck/data/`` (pyproject.toml maps them in at build time), so the same
question has one answer wherever formcheck runs: the installed copy if there is one, else the source tree.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent
INSTALLED_DATA = PACKAGE_DIR / "data"
DEMO_CLIP = "k2c_single_good_male_left"


def data_dir(name: str) -> Path:
    """Folder ``name`` ('exercises', 'models' or 'sample_videos'): the installed copy, else the clone's."""
    for candidate in (INSTALLED_DATA / name, SOURCE_ROOT / name):
        if candidate.is_dir():
            return candidate
    return SOURCE_ROOT / name  # absent everywhere: callers say what is missing


def exercises_dir() -> Path:
    return data_dir("exercises")


def models_dir() -> Path:
    return data_dir("models")


def samples_dir() -> Path:
    return data_dir("sample_videos")
