"""One clip, one set of settings, one verdict: where a setting that is not the exercise's own comes from.

A sample clip was recorded to a prescription (mostly shorter holds, so clips stay short); its
``<clip>.truth.json`` beside it says so, in ``settings`` (one exercise) or in each segment's ``settings``
(a routine). That file is the one source every command and window reads: ``demo``, ``analyze``,
``replay`` and the window's recognised switches all check the knee-to-chest sample with its 2.5 s hold.
``--set`` on the command line comes on top. A video with no such file beside it gets the exercise's own
settings, and every setting that differs from them is said, with where it came from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.spec import load_exercise


@dataclass(frozen=True)
class ClipPrescription:
    """The settings a clip was recorded to, per exercise (from the truth file beside it)."""

    file: Path
    settings: Mapping[str, Mapping[str, float]]  # exercise -> its settings
    variants: Mapping[str, str | None] = field(default_factory=dict)  # exercise -> variant in the clip

    @property
    def source(self) -> str:
        return f"the sample clip's prescription ({self.file.name})"

    def for_exercise(self, exercise: str) -> dict[str, float]:
        return dict(self.settings.get(exercise, {}))


def clip_prescription(video: str | Path) -> ClipPrescription | None:
    """The prescription shipped beside ``video`` (``<clip>.truth.json``), or None when there is none."""
    path = Path(video)
    truth = path.with_name(f"{path.stem}.truth.json")
    if not truth.is_file():
        return None
    try:
        data = json.loads(truth.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormcheckError(
            f"{truth.name} beside the video cannot be read ({exc}); restore it or move it away."
        ) from exc
    settings: dict[str, dict[str, float]] = {}
    variants: dict[str, str | None] = {}
    parts = data.get("segments") or ([data] if data.get("exercise") else [])
    for part in parts:
        exercise = part.get("exercise")
        if not isinstance(exercise, str):
            continue
        values = part.get("settings") or {}
        if not isinstance(values, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values.values()
        ):
            raise FormcheckError(f"{truth.name}: 'settings' must map names to numbers; restore the file.")
        settings.setdefault(exercise, {}).update({k: float(v) for k, v in values.items()})
        variants.setdefault(exercise, part.get("variant"))
    return ClipPrescription(truth, settings, variants)


@dataclass(frozen=True)
class SettingsSources:
    """Where settings come from for one run: the clip's prescription, then the command line."""

    clip: ClipPrescription | None = None
    user: Mapping[str, float] = field(default_factory=dict)  # --set

    def for_exercise(self, exercise: str) -> dict[str, float]:
        """The settings to load ``exercise`` with: the clip's for it, then the --set values it has."""
        from formcheck.segments import settings_for

        own = self.clip.for_exercise(exercise) if self.clip is not None else {}
        return {**own, **settings_for(dict(self.user), exercise)}

    def notes(self, exercise: str, variant: str | None = None) -> list[str]:
        """One phrase per setting that is not the exercise's own: "hold 2.5 s (the exercise's own is
        10 s) — from the sample clip's prescription (k2c_single_good_male_left.truth.json)"."""
        defaults = load_exercise(exercise, variant).params
        user = self.user
        out = []
        for key, value in self.for_exercise(exercise).items():
            default = defaults.get(key)
            if default is not None and abs(default - value) < 1e-9:
                continue
            source = (
                "from the command line (--set)"
                if key in user
                else (f"from {self.clip.source}" if self.clip is not None else "")
            )
            own = (
                f" (the exercise's own is {describe(key, default, name=False)})"
                if default is not None
                else ""
            )
            out.append(f"{describe(key, value)}{own} — {source}")
        return out


def describe(key: str, value: float, name: bool = True) -> str:
    """A setting in words: hold_s=2.5 -> "hold 2.5 s", target_deg=100 -> "target 100°" (without
    ``name``: "2.5 s")."""
    for suffix, unit in (("_s", " s"), ("_deg", "°"), ("_pct", "%"), ("", "")):
        if key.endswith(suffix):
            words = key[: len(key) - len(suffix)].replace("_", " ")
            return f"{words} {value:g}{unit}" if name else f"{value:g}{unit}"
    raise AssertionError("unreachable: every key ends with the empty suffix")


def settings_line(sources: SettingsSources, exercise: str, variant: str | None = None) -> str:
    """For text output: "Settings: …" or the exercise's own."""
    notes = sources.notes(exercise, variant)
    return "Settings: " + ("; ".join(notes) if notes else "the exercise's own") + "."


def demo_clip() -> tuple[Path, str, str | None, dict[str, float]]:
    """The bundled sample clip the demo replays, with its exercise, variant and settings."""
    from formcheck.resources import DEMO_CLIP, samples_dir

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

    data = json.loads(truth.read_text(encoding="utf-8"))
    prescription = clip_prescription(video)  # the same file, read the way every command reads it
    settings = prescription.for_exercise(data["exercise"]) if prescription is not None else {}
    return video, data["exercise"], data.get("variant"), settings
