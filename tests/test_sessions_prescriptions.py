# ruff: noqa: E501
"""Prescriptions (validation, settings) and the headless routine (steps, reps, rest, pain scores)."""

from __future__ import annotations

import pytest
from test_sessions_support import run_synthetic

from formcheck.errors import FormcheckError
from formcheck.events import PainScore, PainStop, Rep, RepCompleted
from formcheck.sessions.prescriptions import load_prescription, parse_prescription, prescription_toml
from formcheck.sessions.routine import Routine

GOOD = """
patient = "Ann Example"
therapist = "J. Physio"
notes = "Stop if the pain spreads down the leg."

[[exercise]]
name = "knee_to_chest"
variant = "single"
sides = ["left", "right"]
sets = 2
reps = 1
hold_s = 3
target_deg = 100
limit_deg = 130
rest_s = 20
notes = "Hands behind the thigh."
settings = { max_speed_deg_s = 200 }

[[exercise]]
name = "prone_extension"
variant = "press-up"
sets = 1
reps = 2
"""


def test_a_good_prescription_maps_values_to_exercise_settings():
    p = parse_prescription(GOOD, "ann.toml")
    assert p.patient == "Ann Example" and len(p.exercises) == 2
    k2c, ext = p.exercises
    assert k2c.config.params["hold_s"] == 3 and k2c.config.params["target_deg"] == 100
    assert k2c.config.params["max_speed_deg_s"] == 200
    assert k2c.sides == ("left", "right") and k2c.limit_deg == 130 and k2c.rest_s == 20
    assert ext.config.params["target_deg"] == 30  # the press-up variant's own default
    assert ext.sides == ("all",) and ext.rest_s == 30
    assert k2c.describe() == "Supine knee-to-chest (single): 2 x 1 reps each side, hold 3 s"


def test_the_writer_produces_a_file_the_reader_accepts(tmp_path):
    text = prescription_toml(
        "Bo",
        [
            {
                "name": "side_bend",
                "sets": 2,
                "reps": 5,
                "sides": ["left"],
                "target_deg": 18.0,
                "notes": 'say "hi"',
            }
        ],
    )
    path = tmp_path / "bo.toml"
    path.write_text(text)
    p = load_prescription(path)
    assert p.exercises[0].sides == ("left",) and p.exercises[0].config.params["target_deg"] == 18
    assert p.exercises[0].notes == 'say "hi"'


BAD = [
    (
        'patient = "A"\n[[exercise]]\nname = "jumping_jacks"\nsets = 1\nreps = 1\n',
        "exercise 1 (jumping_jacks): Unknown exercise",
    ),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nvariant = "triple"\nsets = 1\nreps = 1\n',
        "has no variant 'triple'",
    ),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = 1\nreps = 1\n'
        "settings = { wobble = 1 }\n",
        "'wobble' is not a setting",
    ),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = 1\nreps = 1\nhold_time = 5\n',
        "unknown key 'hold_time'",
    ),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = 1\nreps = 1\nhold_s = -5\n',
        "'hold_s' must be zero or more, not -5",
    ),
    ('patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = 0\nreps = 1\n', "'sets' must be 1 or more"),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = 1\n',
        "exercise 1 (knee_to_chest): 'reps' is missing",
    ),
    ('patient = "A"\n[[exercise]]\nsets = 1\nreps = 1\n', "exercise 1: 'name' is missing"),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = "two"\nreps = 1\n',
        "'sets' must be a whole number, not str",
    ),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = 1.5\nreps = 1\n',
        "'sets' must be a whole number",
    ),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = 1\nreps = 1\nsides = ["up"]\n',
        "may only name left and right",
    ),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nvariant = "double"\nsets = 1\nreps = 1\n'
        'sides = ["left"]\n',
        "has no sides",
    ),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = 1\nreps = 1\ntarget_deg = 100\n'
        "limit_deg = 90\n",
        "'limit_deg' (90) must be above",
    ),
    (
        'patient = "A"\n[[exercise]]\nname = "knee_to_chest"\nsets = 1\nreps = 1\ntarget_deg = 65\n'
        "settings = { release_deg = 70 }\n",
        "release_deg (70) must be below target_deg (65)",
    ),
    ('[[exercise]]\nname = "knee_to_chest"\nsets = 1\nreps = 1\n', "'patient' is missing"),
    ('patient = "A"\n', "lists no exercises"),
    ('patient = "A"\nsets = 3\n', "unknown key 'sets' (each exercise goes in an [[exercise]] table)"),
    ('patient = 5\n[[exercise]]\nname = "x"\n', "'patient' must be text"),
    ('patient = "A"\n[[exercise\n', "is not valid TOML"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_every_mistake_is_one_sentence_naming_the_file_and_entry(text, expected):
    with pytest.raises(FormcheckError) as info:
        parse_prescription(text, "ann.toml")
    message = info.value.message
    assert message.startswith("Prescription ann.toml"), message
    assert expected in message, message
    assert "\n" not in message and message.endswith(".")


def test_unreadable_prescription_files(tmp_path):
    with pytest.raises(FormcheckError, match="No such prescription file"):
        load_prescription(tmp_path / "missing.toml")
    with pytest.raises(FormcheckError, match="is a folder"):
        load_prescription(tmp_path)
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(FormcheckError, match="Prescription b.toml: it is not a text file"):
        load_prescription(binary)


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def rep(i: int, side: str | None, peak: float = 110.0) -> RepCompleted:
    return RepCompleted(float(i), Rep(i, side, 0, 1, 2, peak, 3.0, True, "good", ()))


def test_routine_walks_through_sets_with_rest_and_pain_scores():
    clock = Clock()
    r = Routine(parse_prescription(GOOD, "ann.toml"), clock=clock)
    assert [s.title() for s in r.steps] == [
        "Supine knee-to-chest, set 1 of 2: 1 rep each side",
        "Supine knee-to-chest, set 2 of 2: 1 rep each side",
        "Prone trunk extension, set 1 of 1: 2 reps",
    ]
    assert r.state == "pain_before"
    r.on_event(PainScore(0.0, "before", 4))
    assert r.state == "exercise" and r.current.set_index == 1 and "Hands behind the thigh" in r.message
    r.on_event(rep(1, "left"))
    r.on_event(rep(2, "left"))  # an extra left rep does not finish the right side
    assert r.state == "exercise" and r.progress().endswith("left 2/1, right 0/1.")
    r.on_event(rep(3, "right"))
    assert r.state == "rest" and r.rest_remaining_s() == 20
    clock.t += 19
    assert not r.tick() and r.state == "rest"
    clock.t += 1
    assert r.tick() and r.state == "exercise" and r.current.set_index == 2
    note = r.on_event(rep(1, "left", peak=140.0))
    assert note.startswith("That went past the 130 deg")
    r.on_event(rep(2, "right"))
    assert r.state == "rest"
    r.skip()
    assert r.current.item.exercise == "prone_extension"
    r.on_event(rep(1, None, 35.0))
    r.on_event(
        RepCompleted(2.0, Rep(2, None, 0, 1, None, 20.0, 0.0, False, "incomplete", ()))
    )  # not complete
    assert r.state == "exercise"
    r.on_event(rep(3, None, 35.0))
    assert r.state == "pain_after"
    r.on_event(PainScore(9.0, "after", 6))
    assert r.state == "done" and r.pain_after == 6 and "higher than before" in r.message
    assert r.adherence() == 1.0
    assert r.results[1].over_limit == 1


def test_pain_stop_ends_the_routine_and_asks_for_a_score():
    r = Routine(parse_prescription(GOOD, "ann.toml"), clock=Clock())
    r.set_pain_before(2)
    r.on_event(rep(1, "left"))
    r.on_event(PainStop(5.0))
    assert r.state == "stopped" and "0 to 10" in r.message
    r.set_pain_after(7)
    assert r.state == "done"
    assert r.adherence() == pytest.approx(1 / 6)
    with pytest.raises(FormcheckError, match="from 0 to 10"):
        Routine(parse_prescription(GOOD, "a.toml")).set_pain_before(11)


def test_routine_counts_reps_from_the_real_checker():
    p = parse_prescription(GOOD.replace("settings = { max_speed_deg_s = 200 }", ""), "ann.toml")
    r = Routine(p, clock=Clock())
    r.set_pain_before(3)
    result = run_synthetic(**{"hold_s": 3.0})
    for e in result.events:
        r.on_event(e)
    assert r.state == "rest" and r.results[0].counted == {"left": 1, "right": 1}


def test_unanswered_pain_questions_can_be_skipped():
    r = Routine(parse_prescription(GOOD, "ann.toml"), clock=Clock())
    r.skip()  # no score before
    assert r.state == "exercise" and r.pain_before is None
    while r.state in ("exercise", "rest"):
        r.skip()
    assert r.state == "pain_after"
    r.skip()  # no score after
    assert r.state == "done" and r.pain_after is None and r.adherence() == 0.0
    stopped = Routine(parse_prescription(GOOD, "ann.toml"), clock=Clock())
    stopped.set_pain_before(1)
    stopped.on_event(PainStop(2.0))
    stopped.skip()
    assert stopped.state == "done"
