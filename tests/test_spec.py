"""Exercise files: loading, overrides and the one-sentence errors for every mistake."""

import pytest

from formcheck.errors import FormcheckError
from formcheck.spec import EXERCISES_DIR, available_exercises, load_exercise, load_spec, parse_settings


def test_every_exercise_and_variant_loads():
    names = available_exercises()
    assert set(names) == {"knee_to_chest", "prone_extension", "side_bend"}
    variants = {n: list(load_spec(p).variants) for n, p in names.items()}
    assert variants == {
        "knee_to_chest": ["single", "double"],
        "prone_extension": ["arms-forward", "press-up", "superman"],
        "side_bend": ["standing"],
    }


def test_variant_params_and_overrides_merge_in_order():
    config = load_exercise("prone_extension", "press-up", {"hold_s": 7})
    assert config.hold_deg == 30.0 and config.params["hold_s"] == 7.0
    assert load_exercise("prone_extension").hold_deg == 15.0
    assert [f.code for f in load_exercise("prone_extension", "superman").faults] == [
        "neck_overextension",
        "too_fast",
    ]


@pytest.mark.parametrize(
    "call,fragment",
    [
        (lambda: load_exercise("yoga"), "Unknown exercise 'yoga'"),
        (lambda: load_exercise("side_bend", "sitting"), "no variant 'sitting'"),
        (lambda: load_exercise("side_bend", None, {"nope": 1}), "'nope' is not a setting"),
        (lambda: load_exercise("side_bend", None, {"release_deg": 30}), "must be below"),
        (lambda: parse_settings(["hold_s"]), "must look like key=value"),
        (lambda: parse_settings(["hold_s=long"]), "is not a number"),
    ],
)
def test_user_errors_are_one_clear_sentence(call, fragment):
    with pytest.raises(FormcheckError) as info:
        call()
    assert fragment in info.value.message
    assert "\n" not in info.value.message


@pytest.mark.parametrize(
    "edit,fragment",
    [
        (lambda s: s.replace('view = "side"', 'view = "top"'), "'view' must be one of"),
        (lambda s: s.replace('rule = "rise_above_floor"', 'rule = "guess"', 1), "unknown rule 'guess'"),
        (
            lambda s: s.replace("target_deg = 100.0", 'target_deg = "high"'),
            "'params.target_deg' must be a number",
        ),
        (lambda s: s.replace("[cues]", "colour = 3\n[cues]"), "unknown key"),
        (lambda s: s.replace("release_deg = 60.0", "release_deg = 120.0"), "must be below"),
        (lambda s: s + "\n[[faults]\n", "not valid TOML"),
        (lambda s: s.replace('["nose", "left_ear"', '["snout", "left_ear"'), "unknown landmark 'snout'"),
    ],
)
def test_malformed_exercise_file_names_the_file_and_the_problem(tmp_path, edit, fragment):
    text = (EXERCISES_DIR / "knee_to_chest.toml").read_text()
    broken = tmp_path / "knee_to_chest.toml"
    broken.write_text(edit(text))
    with pytest.raises(FormcheckError) as info:
        load_spec(broken)
    assert fragment in info.value.message and "knee_to_chest.toml" in info.value.message


def test_a_fault_can_ask_to_last_longer_before_it_counts():
    rotation = next(f for f in load_exercise("side_bend").faults if f.code == "trunk_rotation")
    assert rotation.min_s == 0.5
    assert next(f for f in load_exercise("side_bend").faults if f.code == "hip_shift").min_s is None
