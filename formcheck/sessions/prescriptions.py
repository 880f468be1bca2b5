"""Prescriptions: a therapist's TOML file naming the patient and, per exercise, variant, sides, sets,
reps, hold time, target and limit angles, rest between sets and notes.

Every mistake becomes one sentence naming the file and the entry. Prescription values become exercise
settings through ``ExerciseConfig.with_overrides``: ``hold_s`` and ``target_deg`` directly, anything
else under ``[exercise.settings]``. ``limit_deg`` is not a checker setting: it is the angle the patient
should not go past, checked per rep by the routine and shown in the review.

Example::

    patient = "Ann Example"
    therapist = "J. Physio"
    notes = "Stop if the pain spreads down the leg."

    [[exercise]]
    name = "knee_to_chest"
    variant = "single"
    sides = ["left", "right"]
    sets = 2
    reps = 5          # per side
    hold_s = 20
    target_deg = 100
    limit_deg = 130
    rest_s = 60
    notes = "Hands behind the thigh, not on the shin."
    settings = { max_speed_deg_s = 60 }
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.spec import ExerciseConfig, load_exercise

TOP_KEYS = ("patient", "therapist", "written", "notes", "exercise")
ENTRY_KEYS = (
    "name",
    "variant",
    "sides",
    "sets",
    "reps",
    "hold_s",
    "target_deg",
    "limit_deg",
    "rest_s",
    "notes",
    "settings",
)
SIDES_BY_MODE = {
    "either": ("left", "right"),
    "signed": ("left", "right"),
    "both": ("both",),
    "none": ("all",),
}
DEFAULT_REST_S = 30.0
MAX_SETS, MAX_REPS = 20, 100
# Bounds no real prescription comes near; past them a file is a slip or an attack (checking 18,000
# entries took minutes). Settings have their ranges in the exercise files.
MAX_EXERCISES = 50
MAX_BYTES = 1_000_000
MAX_TEXT_CHARS = 2000  # a name, a note
REST_RANGE_S = (0.0, 600.0)
LIMIT_RANGE_DEG = (0.0, 180.0)


@dataclass(frozen=True)
class PrescribedExercise:
    position: int  # 1-based, as the therapist reads the file
    exercise: str
    variant: str
    sides: tuple[str, ...]  # "left"/"right", or ("both",) / ("all",) when the exercise has no sides
    sets: int
    reps: int  # per side
    hold_s: float | None
    target_deg: float | None
    limit_deg: float | None
    rest_s: float
    notes: str
    settings: Mapping[str, float]
    config: ExerciseConfig = field(repr=False, compare=False)

    @property
    def title(self) -> str:
        return self.config.spec.title

    def describe(self) -> str:
        """One line for lists: 'Supine knee-to-chest (single): 2 x 5 reps each side, hold 20 s'."""
        each = " each side" if set(self.sides) <= {"left", "right"} and len(self.sides) > 1 else ""
        if self.sides in (("left",), ("right",)):
            each = f", {self.sides[0]} side"
        hold = f", hold {self.config.params['hold_s']:g} s" if self.config.params["hold_s"] > 0 else ""
        return f"{self.title} ({self.variant}): {self.sets} x {self.reps} reps{each}{hold}"


@dataclass(frozen=True)
class Prescription:
    patient: str
    therapist: str
    notes: str
    exercises: tuple[PrescribedExercise, ...]
    text: str
    name: str = "prescription"
    path: Path | None = None


def _fail(name: str, where: str, what: str) -> FormcheckError:
    place = f"Prescription {name}" + (f", {where}" if where else "")
    return FormcheckError(f"{place}: {what}.")


def _number(value: Any, name: str, where: str, key: str, whole: bool = False, minimum: float = 0.0) -> float:
    kind = "a whole number" if whole else "a number"
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (whole and not isinstance(value, int))
    ):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise _fail(name, where, f"'{key}' must be {kind}, not {type(value).__name__} {shown}")
    if not math.isfinite(value) or value < minimum:
        lowest = f"{minimum:g} or more" if minimum > 0 else "zero or more"
        raise _fail(name, where, f"'{key}' must be {lowest}, not {value:g}")
    return float(value)


def _text(value: Any, name: str, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise _fail(name, where, f"'{key}' must be text in quotes, not {type(value).__name__}")
    if len(value) > MAX_TEXT_CHARS:
        raise _fail(name, where, f"'{key}' is longer than {MAX_TEXT_CHARS} characters")
    return value.strip()


def _in_range(value: float, bounds: tuple[float, float], name: str, where: str, key: str) -> float:
    if not bounds[0] <= value <= bounds[1]:
        raise _fail(name, where, f"'{key}' must be between {bounds[0]:g} and {bounds[1]:g}, not {value:g}")
    return value


def _entry(raw: Any, i: int, name: str) -> PrescribedExercise:
    where = f"exercise {i}"
    if not isinstance(raw, dict):
        raise _fail(name, where, "each exercise must be a [[exercise]] table")
    ex_name = raw.get("name")
    if ex_name is None:
        raise _fail(name, where, "'name' is missing (which exercise? see 'formcheck exercises')")
    ex_name = _text(ex_name, name, where, "name")
    where = f"exercise {i} ({ex_name})"
    unknown = sorted(set(raw) - set(ENTRY_KEYS))
    if unknown:
        raise _fail(name, where, f"unknown key '{unknown[0]}'; known keys: {', '.join(ENTRY_KEYS)}")
    for key in ("sets", "reps"):
        if key not in raw:
            raise _fail(name, where, f"'{key}' is missing")
    variant = None if "variant" not in raw else _text(raw["variant"], name, where, "variant")
    try:
        base = load_exercise(ex_name, variant, known_only=True)
    except FormcheckError as exc:
        raise _fail(name, where, exc.message.rstrip(".")) from None

    sets = int(_number(raw["sets"], name, where, "sets", whole=True, minimum=1))
    reps = int(_number(raw["reps"], name, where, "reps", whole=True, minimum=1))
    if sets > MAX_SETS or reps > MAX_REPS:
        raise _fail(
            name, where, f"{sets} sets of {reps} reps is more than formcheck allows ({MAX_SETS} x {MAX_REPS})"
        )
    mode = base.variant.sides
    allowed = SIDES_BY_MODE[mode]
    if "sides" in raw:
        sides_raw = raw["sides"]
        if isinstance(sides_raw, str):
            sides_raw = [sides_raw]
        if (
            not isinstance(sides_raw, list)
            or not 0 < len(sides_raw) <= 2
            or not all(isinstance(s, str) for s in sides_raw)
        ):
            raise _fail(name, where, '\'sides\' must be a list such as ["left", "right"]')
        if mode in ("both", "none"):
            raise _fail(name, where, f"variant {base.variant.name} has no sides, so leave 'sides' out")
        bad = [s for s in sides_raw if s not in allowed]
        if bad:
            raise _fail(name, where, f"'sides' may only name {' and '.join(allowed)}, not '{bad[0]}'")
        sides = tuple(dict.fromkeys(sides_raw))
    else:
        sides = allowed

    numbers = {}
    for key in ("hold_s", "target_deg", "limit_deg", "rest_s"):
        if key in raw:
            numbers[key] = _number(raw[key], name, where, key)
    if "rest_s" in numbers:
        _in_range(numbers["rest_s"], REST_RANGE_S, name, where, "rest_s")
    if "limit_deg" in numbers:
        _in_range(numbers["limit_deg"], LIMIT_RANGE_DEG, name, where, "limit_deg")
    settings_raw = raw.get("settings", {})
    if not isinstance(settings_raw, dict):
        raise _fail(name, where, "'settings' must be a table such as { max_speed_deg_s = 60 }")
    if len(settings_raw) > len(base.params):
        raise _fail(name, where, f"'settings' lists more than the {len(base.params)} settings it has")
    settings = {k: _number(v, name, where, f"settings.{k}") for k, v in settings_raw.items()}
    overrides = dict(settings)
    for key in ("hold_s", "target_deg"):
        if key in numbers:
            if key in settings:
                raise _fail(name, where, f"'{key}' is given twice (also under settings)")
            overrides[key] = numbers[key]
    try:
        config = base.with_overrides(overrides)
    except FormcheckError as exc:
        text = exc.message.removeprefix("--set: ").rstrip(".")
        raise _fail(name, where, text) from None
    limit = numbers.get("limit_deg")
    if limit is not None and limit <= config.params["target_deg"]:
        raise _fail(
            name,
            where,
            f"'limit_deg' ({limit:g}) must be above the target angle ({config.params['target_deg']:g})",
        )
    notes = _text(raw.get("notes", ""), name, where, "notes")
    return PrescribedExercise(
        position=i,
        exercise=base.spec.name,
        variant=base.variant.name,
        sides=sides,
        sets=sets,
        reps=reps,
        hold_s=numbers.get("hold_s"),
        target_deg=numbers.get("target_deg"),
        limit_deg=limit,
        rest_s=numbers.get("rest_s", DEFAULT_REST_S),
        notes=notes,
        settings=settings,
        config=config,
    )


def parse_prescription(text: str, name: str = "prescription", path: Path | None = None) -> Prescription:
    if len(text) > MAX_BYTES:
        raise _fail(name, "", "it is larger than 1 MB, which no prescription needs")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(name, "", f"it is not valid TOML ({exc})") from None
    except RecursionError:
        raise _fail(name, "", "it nests tables or lists too deeply to be a prescription") from None
    unknown = sorted(set(raw) - set(TOP_KEYS))
    if unknown:
        hint = " (each exercise goes in an [[exercise]] table)" if unknown[0] in ENTRY_KEYS else ""
        raise _fail(name, "", f"unknown key '{unknown[0]}'{hint}; known keys: {', '.join(TOP_KEYS)}")
    if "patient" not in raw:
        raise _fail(name, "", "'patient' is missing (the patient's name)")
    patient = _text(raw["patient"], name, "", "patient")
    if not patient:
        raise _fail(name, "", "'patient' is empty")
    entries = raw.get("exercise")
    if not entries:
        raise _fail(name, "", "it lists no exercises (add an [[exercise]] table per exercise)")
    if not isinstance(entries, list):
        raise _fail(name, "", "'exercise' must be written as [[exercise]] tables")
    if len(entries) > MAX_EXERCISES:
        raise _fail(
            name, "", f"it lists {len(entries)} exercises, more than the {MAX_EXERCISES} formcheck allows"
        )
    exercises = tuple(_entry(e, i, name) for i, e in enumerate(entries, start=1))
    return Prescription(
        patient=patient,
        therapist=_text(raw.get("therapist", ""), name, "", "therapist"),
        notes=_text(raw.get("notes", ""), name, "", "notes"),
        exercises=exercises,
        text=text,
        name=name,
        path=path,
    )


def load_prescription(path: str | Path) -> Prescription:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _fail(path.name, "", "the file is larger than 1 MB, which no prescription needs")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormcheckError(f"No such prescription file: {path}. Check the path and try again.") from None
    except IsADirectoryError:
        raise FormcheckError(
            f"{path} is a folder, not a prescription file; give the path of a .toml file."
        ) from None
    except UnicodeDecodeError:
        raise _fail(path.name, "", "it is not a text file (save it as UTF-8 text)") from None
    except OSError as exc:
        raise FormcheckError(f"Cannot read prescription {path}: {exc.strerror}.") from None
    return parse_prescription(text, path.name, path)


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return repr(value)


def prescription_toml(
    patient: str, exercises: list[Mapping[str, Any]], therapist: str = "", notes: str = ""
) -> str:
    """A prescription file's text (what the prescription dialog saves); check it with parse_prescription."""
    lines = [f"patient = {_toml_value(patient)}"]
    if therapist:
        lines.append(f"therapist = {_toml_value(therapist)}")
    if notes:
        lines.append(f"notes = {_toml_value(notes)}")
    for entry in exercises:
        lines += ["", "[[exercise]]"]
        for key in ENTRY_KEYS:
            if key in entry and entry[key] not in (None, "", {}):
                lines.append(f"{key} = {_toml_value(entry[key])}")
    return "\n".join(lines) + "\n"
