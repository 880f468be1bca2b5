"""Exercise specifications: one declarative TOML file per exercise in ``exercises/``.

A spec names the measurement that drives the phases, the thresholds (all overridable), the variants,
the form faults (each a named rule from ``formcheck.rules`` with a limit and a cue) and the cue texts.
Loading validates everything and turns every mistake into one sentence naming the file and the key.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from formcheck import landmarks as lm
from formcheck.errors import FormcheckError
from formcheck.resources import exercises_dir

EXERCISES_DIR = exercises_dir()

VIEWS = ("side", "front")
POSTURES = ("lying", "standing")
SIDE_MODES = ("none", "either", "both", "signed")
PHASES = ("start", "raising", "hold", "lowering")

# Parameters every exercise has, with the defaults used when the file does not give them.
COMMON_PARAMS: dict[str, float] = {
    "hysteresis_deg": 5.0,
    # A movement that comes back before the target is still listed (as an incomplete rep) once it got
    # this share of the way from the release angle to the target: less is a fidget.
    "attempt_frac": 0.5,
    "grace_s": 0.5,
    "visibility_min": 0.5,
    # A side view's far leg: MediaPipe reports it at 0.25-0.5 on real footage yet places it well. Read
    # only when it is plainly the leg moving (see checker._with_faint_far_leg); smoothed from here up.
    "far_visibility_min": 0.2,
    "baseline_s": 1.0,
    "still_frac": 0.06,
    # A recording measured from a rest moment found later starts counting once the person has kept
    # this still at rest (clips start moving within a third of a second, REAL_WORLD.md).
    "start_still_s": 0.25,
    "fault_min_s": 0.2,
    "setup_min_s": 0.5,
    "speed_window_s": 0.3,
    "glitch_speed_deg_s": 500.0,  # faster than any body part moves here: a tracking glitch
    "lost_side_s": 1.0,  # how long a rep waits for its unseen working leg before the seen one decides
    "lost_held_s": 5.0,  # the same for a working leg lost while held up (hidden by the other leg lifting)
    "cue_gap_s": 2.5,
    "cue_repeat_s": 8.0,
    "view_ratio": 0.45,
    "asymmetry_flag_pct": 15.0,
    # The start position: how far (deg of the exercise's rest score, see measurements.rest_score) a
    # pose may be from it and still be taken as the start, and how close to its own start angle a
    # side must come back to count as back at rest (hook-lying legs start at 40-50 deg).
    "rest_max_deg": 30.0,
    "start_margin_deg": 0.0,
    # A recording whose quietest rest moment is this much nearer the start position than the moment
    # the baseline was first taken from is measured again from that moment.
    "rebaseline_deg": 8.0,
}
# The range each common setting may be given in (--set, a prescription, a variant): outside it a value
# is a typing slip or a hostile file, not a choice (an exercise file may narrow one in its [ranges]).
COMMON_RANGES: dict[str, tuple[float, float]] = {
    "hysteresis_deg": (0.0, 20.0),
    "attempt_frac": (0.0, 1.0),
    "grace_s": (0.0, 5.0),
    "visibility_min": (0.0, 1.0),
    "far_visibility_min": (0.0, 1.0),
    "baseline_s": (0.1, 10.0),
    "still_frac": (0.0, 0.5),
    "fault_min_s": (0.0, 5.0),
    "setup_min_s": (0.0, 10.0),
    "speed_window_s": (0.05, 2.0),
    "glitch_speed_deg_s": (100.0, 5000.0),
    "lost_side_s": (0.0, 10.0),
    "lost_held_s": (0.0, 30.0),
    "cue_gap_s": (0.0, 30.0),
    "cue_repeat_s": (0.0, 120.0),
    "view_ratio": (0.0, 1.0),
    "asymmetry_flag_pct": (0.0, 100.0),
    "rest_max_deg": (0.0, 90.0),
    "start_margin_deg": (0.0, 45.0),
    "rebaseline_deg": (0.0, 45.0),
    "start_still_s": (0.0, 5.0),
}
MAX_SPEC_BYTES = 256 * 1024  # an exercise file is a few kB; more is not one


@dataclass(frozen=True)
class FaultSpec:
    code: str
    rule: str
    cue: str
    priority: int
    above: str | None = None
    below: str | None = None
    phases: tuple[str, ...] = PHASES
    args: Mapping[str, Any] = field(default_factory=dict)
    neutral: float = 0.0  # the quantity in good form (0 for angles and rises, 1 for ratios)
    min_s: float | None = None  # how long it must last to count (default: the fault_min_s setting)
    segments: tuple[tuple[int, int], ...] = ()
    needs: tuple[str, ...] = ()  # body parts it cannot be judged without (off while they are not seen)
    unless: tuple[str, ...] = ()  # faults that explain its quantity when active (it is not judged then)

    @property
    def label(self) -> str:
        from formcheck.words import word

        return word(self.code)


@dataclass(frozen=True)
class VariantSpec:
    name: str
    description: str
    sides: str
    params: Mapping[str, float]
    faults: tuple[str, ...] | None  # None: every fault of the exercise


@dataclass(frozen=True)
class ExerciseSpec:
    name: str
    title: str
    description: str
    view: str
    posture: str
    camera: str  # where the camera goes, said to the person when it sees the wrong thing
    measurement: str
    hold_at: str
    release_at: str
    required_parts: tuple[str, ...]  # the counted angle needs them: nothing counts while one is unseen
    instructions: tuple[str, ...]
    params: Mapping[str, float]
    variants: Mapping[str, VariantSpec]
    faults: tuple[FaultSpec, ...]
    cues: Mapping[str, str]
    angle_joints: Mapping[str, tuple[str, str, str]]
    path: Path
    checked_parts: tuple[str, ...] = ()  # some form checks need them; counting goes on without
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # every param's (low, high)

    @property
    def default_variant(self) -> str:
        return next(iter(self.variants))


@dataclass(frozen=True)
class ExerciseConfig:
    """One exercise and variant with its parameters resolved: what a checker runs on."""

    spec: ExerciseSpec
    variant: VariantSpec
    params: Mapping[str, float]
    faults: tuple[FaultSpec, ...]

    @property
    def hold_deg(self) -> float:
        return self.params[self.spec.hold_at]

    @property
    def release_deg(self) -> float:
        return self.params[self.spec.release_at]

    def with_overrides(self, overrides: Mapping[str, float]) -> ExerciseConfig:
        return replace(self, params=_merge_params(self.spec, self.params, overrides, "--set"))


def _fail(path: Path, what: str) -> FormcheckError:
    return FormcheckError(f"Exercise file {path.name}: {what}. Fix the file or restore it from the project.")


def _take(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], path: Path, where: str) -> Any:
    if key not in table:
        raise _fail(path, f"'{where}{key}' is missing")
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise _fail(path, f"'{where}{key}' has the wrong type ({type(value).__name__})")
    return value


def _check_keys(table: Mapping[str, Any], allowed: set[str], path: Path, where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _fail(path, f"unknown key '{where}{unknown[0]}'")


def _numbers(table: Any, path: Path, where: str) -> dict[str, float]:
    if not isinstance(table, dict):
        raise _fail(path, f"'{where}' must be a table of numbers")
    out: dict[str, float] = {}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _fail(path, f"'{where}.{key}' must be a number")
        out[key] = float(value)
    return out


def _merge_params(
    spec: ExerciseSpec, base: Mapping[str, float], overrides: Mapping[str, float], origin: str
) -> dict[str, float]:
    merged = dict(base)
    for key, value in overrides.items():
        if key not in merged:
            known = ", ".join(sorted(spec.params))
            raise FormcheckError(
                f"{origin}: '{key}' is not a setting of {spec.name}; known settings: {known}."
            )
        if not math.isfinite(value) or value < 0:
            raise FormcheckError(f"{origin}: '{key}' must be a non-negative number, not {value:g}.")
        low, high = spec.ranges.get(key, (0.0, math.inf))
        if not low <= value <= high:
            raise FormcheckError(
                f"{origin}: '{key}' must be between {low:g} and {high:g} for {spec.name}, not {value:g}."
            )
        merged[key] = float(value)
    hold, release = merged[spec.hold_at], merged[spec.release_at]
    if not release < hold:
        raise FormcheckError(
            f"{origin}: {spec.release_at} ({release:g}) must be below {spec.hold_at} ({hold:g}) "
            f"for {spec.name}."
        )
    return merged


def load_spec(path: Path) -> ExerciseSpec:
    from formcheck import measurements, rules  # registries of measurement and rule names

    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise _fail(path, f"it is larger than {MAX_SPEC_BYTES // 1024} kB, which no exercise file needs")
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FormcheckError(f"Cannot read exercise file {path}: {exc.strerror}.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(path, f"it is not valid TOML ({exc})") from exc
    except RecursionError:
        raise _fail(path, "it nests tables or lists too deeply to be read") from None

    top_keys = {
        "name", "title", "description", "view", "posture", "camera", "measurement", "hold_at", "release_at",
        "required_parts", "instructions", "params", "variants", "faults", "cues", "angle_joints",
        "checked_parts", "ranges",
    }  # fmt: skip
    _check_keys(raw, top_keys, path, "")
    name = _take(raw, "name", str, path, "")
    if name != path.stem:
        raise _fail(path, f"'name' is '{name}' but the file is named {path.stem}.toml")
    view = _take(raw, "view", str, path, "")
    if view not in VIEWS:
        raise _fail(path, f"'view' must be one of {', '.join(VIEWS)}")
    posture = _take(raw, "posture", str, path, "")
    if posture not in POSTURES:
        raise _fail(path, f"'posture' must be one of {', '.join(POSTURES)}")
    measurement = _take(raw, "measurement", str, path, "")
    if measurement not in measurements.SIGNALS:
        raise _fail(path, f"'measurement' names unknown measurement '{measurement}'")
    parts = tuple(_take(raw, "required_parts", list, path, ""))
    checked = tuple(raw.get("checked_parts", ()))
    for key, names in (("required_parts", parts), ("checked_parts", checked)):
        for part in names:
            if part not in lm.BODY_PARTS:
                raise _fail(path, f"'{key}' names unknown body part '{part}'")

    params = dict(COMMON_PARAMS)
    params.update(_numbers(_take(raw, "params", dict, path, ""), path, "params"))
    hold_at = _take(raw, "hold_at", str, path, "")
    release_at = _take(raw, "release_at", str, path, "")
    for key in (hold_at, release_at):
        if key not in params:
            raise _fail(path, f"'hold_at'/'release_at' name '{key}', which is not in [params]")
    ranges = _ranges(raw.get("ranges"), params, path)

    cues = _take(raw, "cues", dict, path, "")
    for key, text in cues.items():
        if not isinstance(text, str) or not text.strip():
            raise _fail(path, f"'cues.{key}' must be a sentence")

    faults = []
    codes: set[str] = set()
    for i, f in enumerate(raw.get("faults", [])):
        where = f"faults[{i}]."
        if not isinstance(f, dict):
            raise _fail(path, f"'faults[{i}]' must be a table")
        _check_keys(
            f,
            {"code", "rule", "cue", "priority", "above", "below", "phases", "args", "segments", "neutral"}
            | {"min_s", "needs", "unless"},
            path,
            where,
        )
        code = _take(f, "code", str, path, where)
        if code in codes:
            raise _fail(path, f"fault '{code}' is defined twice")
        codes.add(code)
        rule = _take(f, "rule", str, path, where)
        if rule not in rules.RULES:
            raise _fail(path, f"fault '{code}' uses unknown rule '{rule}'")
        above, below = f.get("above"), f.get("below")
        if above is None and below is None:
            raise _fail(path, f"fault '{code}' needs 'above' or 'below' (a parameter name)")
        for limit in (above, below):
            if limit is not None and limit not in params:
                raise _fail(path, f"fault '{code}' limit '{limit}' is not in [params]")
        phases = tuple(f.get("phases", PHASES))
        if any(p not in PHASES for p in phases):
            raise _fail(path, f"fault '{code}' names an unknown phase; phases are {', '.join(PHASES)}")
        segments = []
        for seg in f.get("segments", []):
            if not (isinstance(seg, list) and len(seg) == 2 and all(s in lm.INDEX for s in seg)):
                raise _fail(path, f"fault '{code}' segments must be pairs of landmark names")
            segments.append((lm.INDEX[seg[0]], lm.INDEX[seg[1]]))
        needs = f.get("needs", [])
        if not isinstance(needs, list) or any(n not in lm.BODY_PARTS for n in needs):
            raise _fail(path, f"fault '{code}' needs must list body parts ({', '.join(lm.BODY_PARTS)})")
        args = f.get("args", {})
        for lname in args.get("landmarks", []):
            if lname not in lm.INDEX:
                raise _fail(path, f"fault '{code}' names unknown landmark '{lname}'")
        faults.append(
            FaultSpec(
                code=code,
                rule=rule,
                cue=_take(f, "cue", str, path, where),
                priority=int(_take(f, "priority", int, path, where)),
                above=above,
                below=below,
                phases=phases,
                args=args,
                segments=tuple(segments),
                neutral=float(f.get("neutral", 0.0)),
                min_s=float(f["min_s"]) if "min_s" in f else None,
                needs=tuple(needs),
                unless=tuple(f.get("unless", [])),
            )
        )

    for f in faults:
        for other in f.unless:
            if other not in codes:
                raise _fail(path, f"fault '{f.code}' unless names unknown fault '{other}'")
    variants: dict[str, VariantSpec] = {}
    raw_variants = _take(raw, "variants", dict, path, "")
    if not raw_variants:
        raise _fail(path, "it defines no [variants]")
    for vname, v in raw_variants.items():
        where = f"variants.{vname}."
        if not isinstance(v, dict):
            raise _fail(path, f"'variants.{vname}' must be a table")
        _check_keys(v, {"description", "sides", "params", "faults"}, path, where)
        sides = _take(v, "sides", str, path, where)
        if sides not in SIDE_MODES:
            raise _fail(path, f"'{where}sides' must be one of {', '.join(SIDE_MODES)}")
        vparams = _numbers(v.get("params", {}), path, f"variants.{vname}.params")
        for key in vparams:
            if key not in params:
                raise _fail(path, f"'{where}params.{key}' is not in [params]")
        vfaults = v.get("faults")
        if vfaults is not None:
            for code in vfaults:
                if code not in codes:
                    raise _fail(path, f"'{where}faults' names unknown fault '{code}'")
            vfaults = tuple(vfaults)
        variants[vname] = VariantSpec(
            name=vname,
            description=_take(v, "description", str, path, where),
            sides=sides,
            params=vparams,
            faults=vfaults,
        )

    angle_joints = {}
    for key, joints in raw.get("angle_joints", {}).items():
        if not (isinstance(joints, list) and len(joints) == 3 and all(j in lm.INDEX for j in joints)):
            raise _fail(path, f"'angle_joints.{key}' must list three landmark names")
        angle_joints[key] = (joints[0], joints[1], joints[2])

    spec = ExerciseSpec(
        name=name,
        title=_take(raw, "title", str, path, ""),
        description=_take(raw, "description", str, path, ""),
        view=view,
        posture=posture,
        camera=_take(raw, "camera", str, path, ""),
        measurement=measurement,
        hold_at=hold_at,
        release_at=release_at,
        required_parts=parts,
        checked_parts=checked,
        instructions=tuple(raw.get("instructions", ())),
        params=params,
        variants=variants,
        faults=tuple(faults),
        cues=cues,
        angle_joints=angle_joints,
        path=path,
        ranges=ranges,
    )
    for vname in variants:
        try:
            _merge_params(spec, params, variants[vname].params, f"Exercise file {path.name}")
        except FormcheckError as exc:
            raise _fail(path, f"variant '{vname}': {exc.message.rstrip('.')}") from exc
    return spec


def _ranges(table: Any, params: Mapping[str, float], path: Path) -> dict[str, tuple[float, float]]:
    """Every setting's range: the file's [ranges] (required for its own [params]), else the common one;
    each default must lie inside its range."""
    table = {} if table is None else table
    if not isinstance(table, dict):
        raise _fail(path, "'ranges' must be a table of [low, high] pairs")
    ranges = dict(COMMON_RANGES)
    for key, pair in table.items():
        if key not in params:
            raise _fail(path, f"'ranges.{key}' is not in [params]")
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) for x in pair)
            and 0 <= pair[0] <= pair[1]
        ):
            raise _fail(path, f"'ranges.{key}' must be [low, high] with 0 <= low <= high")
        ranges[key] = (float(pair[0]), float(pair[1]))
    for key, value in params.items():
        if key not in ranges:
            raise _fail(path, f"'params.{key}' has no range: add {key} = [low, high] under [ranges]")
        low, high = ranges[key]
        if not low <= value <= high:
            raise _fail(path, f"'params.{key}' ({value:g}) is outside its range {low:g} to {high:g}")
    return ranges


def available_exercises(directory: Path = EXERCISES_DIR) -> dict[str, Path]:
    return {p.stem: p for p in sorted(directory.glob("*.toml"))}


def load_exercise(
    name: str,
    variant: str | None = None,
    overrides: Mapping[str, float] | None = None,
    directory: Path = EXERCISES_DIR,
    known_only: bool = False,
) -> ExerciseConfig:
    """Resolve an exercise and variant with parameter overrides into a runnable configuration.

    ``name`` may be the path of an exercise file (a tester's own), unless ``known_only``: a name that
    came from a file someone else wrote (a prescription, an imported session) must be one of this
    installation's exercises, so it can never make formcheck read a file of the user's choosing."""
    known = available_exercises(directory)
    path = Path(name)
    if not known_only and path.suffix == ".toml" and path.exists():
        spec = load_spec(path)
    elif name in known:
        spec = load_spec(known[name])
    else:
        raise FormcheckError(
            f"Unknown exercise '{name}'; choose one of: {', '.join(known)} (see 'formcheck exercises')."
        )
    vname = variant or spec.default_variant
    if vname not in spec.variants:
        raise FormcheckError(
            f"Exercise {spec.name} has no variant '{vname}'; choose one of: {', '.join(spec.variants)}."
        )
    v = spec.variants[vname]
    params = _merge_params(spec, spec.params, v.params, f"Variant {vname}")
    faults = spec.faults if v.faults is None else tuple(f for f in spec.faults if f.code in v.faults)
    config = ExerciseConfig(spec=spec, variant=v, params=params, faults=faults)
    return config.with_overrides(overrides or {})


def parse_settings(items: list[str] | None) -> dict[str, float]:
    """Parse ``key=value`` strings from the command line."""
    out: dict[str, float] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise FormcheckError(f"--set '{item}' must look like key=value, for example --set hold_s=20.")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise FormcheckError(f"--set '{item}': '{value}' is not a number.") from None
    return out


def check_settings_without_exercise(settings: Mapping[str, float], variant: str | None = None) -> None:
    """Settings given with no exercise named (the exercises are recognised later): each must be a setting
    of at least one exercise and in its range there, else one sentence now rather than silence later.
    A variant means nothing without its exercise."""
    if variant is not None:
        raise FormcheckError(
            f"--variant {variant} needs --exercise: variants belong to one exercise "
            "(see 'formcheck exercises')."
        )
    specs = [load_spec(path) for path in available_exercises().values()]
    for key, value in settings.items():
        having = [s for s in specs if key in s.params]
        if not having:
            raise FormcheckError(
                f"--set: '{key}' is not a setting of any exercise; see 'formcheck exercises' for them."
            )
        fits = [s for s in having if s.ranges[key][0] <= value <= s.ranges[key][1]]
        if not math.isfinite(value) or not fits:
            allowed = "; ".join(f"{s.name} {s.ranges[key][0]:g} to {s.ranges[key][1]:g}" for s in having)
            raise FormcheckError(f"--set: '{key}' = {value:g} is outside every exercise's range ({allowed}).")
