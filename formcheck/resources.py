"""Where formcheck's own files are: the exercise files, the model registry and the bundled sample clip.

In a clone they are the top-level folders ``exercises/``, ``models/`` and ``sample_videos/``. An installed
wheel carries copies under ``formcheck/data/`` (pyproject.toml maps them in at build time), so the same
question has one answer wherever formcheck runs: the installed copy if there is one, else the source tree.
"""

from __future__ import annotations

import json
from pathlib import Path

from formcheck.errors import FormcheckError

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


def demo_clip() -> tuple[Path, str, str | None, dict[str, float]]:
    """The bundled sample clip the demo replays, with its exercise, variant and settings."""
    folder = samples_dir()
    truth = folder / f"{DEMO_CLIP}.truth.json"
    video = folder / f"{DEMO_CLIP}.mp4"
    if not video.exists() or not truth.exists():
        clips = sorted(
            t
            for t in folder.glob("*.truth.json")
            if t.with_name(t.name.replace(".truth.json", ".mp4")).exists()
        )
        if not clips:
            raise FormcheckError(
                f"No sample clip found in {folder}; reinstall formcheck or restore sample_videos/."
            )
        truth = clips[0]
        video = truth.with_name(truth.name.replace(".truth.json", ".mp4"))
    from formcheck.clip_settings import clip_prescription

    data = json.loads(truth.read_text(encoding="utf-8"))
    prescription = clip_prescription(video)  # the same file, read the way every command reads it
    settings = prescription.for_exercise(data["exercise"]) if prescription is not None else {}
    return video, data["exercise"], data.get("variant"), settings
