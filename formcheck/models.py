"""The pose-model registry (``models/registry.toml``): which model, which backend, which checksum."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.resources import models_dir

MODELS_DIR = models_dir()
BACKENDS = ("mediapipe_solutions", "mediapipe_tasks")


@dataclass(frozen=True)
class ModelEntry:
    name: str
    backend: str
    description: str
    path: Path
    sha256: str | None
    model_complexity: int = 1

    def verify(self) -> None:
        """Raise a clear error when the model file is absent or not the one registered."""
        if not self.path.exists():
            raise FormcheckError(
                f"Pose model '{self.name}' needs {self.path}, which is not there; place the file in models/ "
                "or use the default model (--model blazepose_full)."
            )
        if self.sha256 and _sha256(self.path) != self.sha256:
            raise FormcheckError(
                f"Pose model file {self.path} does not match its registered checksum; reinstall with "
                "'uv sync --reinstall-package mediapipe' or restore the file."
            )


@cache
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_registry(path: Path = MODELS_DIR / "registry.toml") -> tuple[str, dict[str, ModelEntry]]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FormcheckError(
            f"The model registry {path} cannot be read ({exc}); restore it from the project."
        ) from exc
    import mediapipe

    mp_dir = Path(mediapipe.__file__).resolve().parent
    entries = {}
    for name, m in raw.get("models", {}).items():
        backend = m.get("backend")
        if backend not in BACKENDS:
            raise FormcheckError(f"Model '{name}' in {path.name} has unknown backend '{backend}'.")
        file_path = mp_dir / m["resource"] if "resource" in m else path.parent / m.get("file", "")
        entries[name] = ModelEntry(
            name=name,
            backend=backend,
            description=m.get("description", ""),
            path=file_path,
            sha256=m.get("sha256"),
            model_complexity=int(m.get("model_complexity", 1)),
        )
    default = raw.get("default", "")
    if default not in entries:
        raise FormcheckError(f"The model registry names default model '{default}', which it does not define.")
    return default, entries


def resolve_model(name: str | None = None) -> ModelEntry:
    default, entries = load_registry()
    chosen = name or default
    if chosen not in entries:
        raise FormcheckError(f"Unknown pose model '{chosen}'; choose one of: {', '.join(entries)}.")
    entry = entries[chosen]
    entry.verify()
    return entry
