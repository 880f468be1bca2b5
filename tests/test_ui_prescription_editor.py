"""The prescription editor: fill it, save, load it back; mistakes are one sentence and write nothing."""

from __future__ import annotations

import pytest

from formcheck.sessions.prescriptions import load_prescription
from ui.prescription_editor import PrescriptionEditor


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CONFIG_DIR", str(tmp_path / "config"))


def make_editor(qtbot, path=None):
    editor = PrescriptionEditor(path)
    qtbot.addWidget(editor)
    return editor


def fill(editor):
    editor.patient_edit.setText("Ann Example")
    editor.therapist_edit.setText("J. Physio")
    editor.notes_edit.setText('Stop if the pain spreads down the leg, "at once".')
    # row 1: knee_to_chest single, left only, 2 x 5, hold 20, target 100, limit 130, rest 60
    editor.exercise_box.setCurrentIndex(editor.exercise_box.findData("knee_to_chest"))
    editor.variant_box.setCurrentIndex(editor.variant_box.findData("single"))
    editor.right_box.setChecked(False)
    editor.sets_box.setValue(2)
    editor.reps_box.setValue(5)
    editor.numbers["hold_s"].setValue(20)
    editor.numbers["target_deg"].setValue(100)
    editor.numbers["limit_deg"].setValue(130)
    editor.numbers["rest_s"].setValue(60)
    editor.item_notes.setText("Hands behind the thigh.")
    editor.settings_edit.setText("max_speed_deg_s = 60")
    # row 2: prone extension press-up, defaults
    editor.add_row()
    editor.exercise_box.setCurrentIndex(editor.exercise_box.findData("prone_extension"))
    editor.variant_box.setCurrentIndex(editor.variant_box.findData("press-up"))
    editor.sets_box.setValue(3)
    editor.reps_box.setValue(8)


def test_a_filled_dialog_saves_a_prescription_that_loads_back(qtbot, tmp_path):
    editor = make_editor(qtbot)
    fill(editor)
    out = tmp_path / "ann.toml"
    assert editor.save(out), editor.message.text()
    p = load_prescription(out)
    assert (p.patient, p.therapist) == ("Ann Example", "J. Physio")
    assert p.notes == 'Stop if the pain spreads down the leg, "at once".'
    first, second = p.exercises
    assert (first.exercise, first.variant, first.sides) == ("knee_to_chest", "single", ("left",))
    assert (first.sets, first.reps, first.hold_s, first.target_deg) == (2, 5, 20.0, 100.0)
    assert (first.limit_deg, first.rest_s, first.notes) == (130.0, 60.0, "Hands behind the thigh.")
    assert dict(first.settings) == {"max_speed_deg_s": 60.0}
    assert (second.exercise, second.variant, second.sides) == ("prone_extension", "press-up", ("all",))
    assert (second.sets, second.reps, second.hold_s, second.target_deg, second.limit_deg) == (3, 8) + (
        None,
    ) * 3
    assert second.rest_s == 60.0  # a new row starts with the rest of the row above
    assert editor.result() == editor.DialogCode.Accepted and editor.saved is not None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda e: e.reps_box.setValue(0), "'reps' must be 1 or more, not 0"),
        (lambda e: e.numbers["limit_deg"].setValue(90), "'limit_deg' (90) must be above the target angle"),
        (lambda e: e.patient_edit.setText(""), "'patient' is empty"),
        (lambda e: e.settings_edit.setText("max_speed ="), "other settings must look like"),
    ],
)
def test_a_mistake_is_one_sentence_in_the_dialog_and_nothing_is_written(qtbot, tmp_path, change, words):
    editor = make_editor(qtbot)
    fill(editor)
    editor.list.setCurrentRow(0)
    change(editor)
    out = tmp_path / "ann.toml"
    assert not editor.save(out)
    message = editor.message.text()
    assert words in message and message.count(". ") == 0 and message.endswith(".")
    assert [f for f in tmp_path.iterdir() if f.name != "config"] == []
    assert editor.result() != editor.DialogCode.Accepted


def test_a_mistake_leaves_an_existing_file_untouched(qtbot, tmp_path):
    editor = make_editor(qtbot)
    fill(editor)
    out = tmp_path / "ann.toml"
    assert editor.save(out)
    before = out.read_bytes()
    again = make_editor(qtbot, out)
    again.list.setCurrentRow(0)
    again.sets_box.setValue(0)
    assert not again.save()
    assert (
        "Prescription ann.toml, exercise 1 (knee_to_chest): 'sets' must be 1 or more" in again.message.text()
    )
    assert out.read_bytes() == before


def test_editing_an_existing_file_round_trips_and_rows_move(qtbot, tmp_path):
    editor = make_editor(qtbot)
    fill(editor)
    out = tmp_path / "ann.toml"
    assert editor.save(out)
    original = load_prescription(out)

    same = make_editor(qtbot, out)
    assert same.patient_edit.text() == "Ann Example" and len(same.rows) == 2
    assert "ann.toml" in same.title.text()
    assert same.save()  # unchanged: the same prescription comes back
    assert load_prescription(out).exercises == original.exercises

    moved = make_editor(qtbot, out)
    moved.list.setCurrentRow(1)
    moved.move_row(-1)
    moved.reps_box.setValue(12)  # edits the moved row, now first
    moved.add_row()
    moved.exercise_box.setCurrentIndex(moved.exercise_box.findData("side_bend"))
    moved.list.setCurrentRow(2)
    moved.remove_row()
    assert moved.save()
    p = load_prescription(out)
    assert [(i.exercise, i.reps) for i in p.exercises] == [("prone_extension", 12), ("knee_to_chest", 5)]
    assert p.exercises[1].limit_deg == 130.0 and p.exercises[1].sides == ("left",)


def test_no_sides_ticked_is_a_mistake(qtbot, tmp_path):
    editor = make_editor(qtbot)
    editor.patient_edit.setText("Ann")
    editor.left_box.setChecked(False)
    editor.right_box.setChecked(False)
    assert not editor.save(tmp_path / "ann.toml")
    assert "'sides' must be a list" in editor.message.text()


def test_the_home_screen_opens_the_editor(qtbot, tmp_path):
    from ui.home import HomeWindow
    from ui.settings import open_settings

    home = HomeWindow(open_settings(), lambda: None, probe=lambda: [], check_system=False)
    qtbot.addWidget(home)
    home.write_button.click()
    editor = home.editor
    assert editor.isVisible()
    editor.patient_edit.setText("Ann")
    assert editor.save(tmp_path / "ann.toml")
    assert home.routine_button.text() == "Today's routine (ann.toml)"
    assert "ann.toml" in home.message.text()


def test_hold_and_target_boxes_end_at_the_exercises_own_range(qtbot):
    """A box cannot be spun past what the exercise allows, and each row keeps its own range."""
    from formcheck.spec import available_exercises, load_spec

    editor = make_editor(qtbot)
    tops = {}
    for name in ("knee_to_chest", "side_bend"):
        editor.exercise_box.setCurrentIndex(editor.exercise_box.findData(name))
        spec = load_spec(available_exercises()[name])
        for key in ("hold_s", "target_deg"):
            assert editor.numbers[key].maximum() == spec.ranges[key][1]
        tops[name] = spec.ranges["hold_s"][1]
    assert tops["knee_to_chest"] != tops["side_bend"]  # the check can tell exercises apart
    editor.exercise_box.setCurrentIndex(editor.exercise_box.findData("side_bend"))
    editor.numbers["hold_s"].setValue(1000)
    assert editor.numbers["hold_s"].value() == tops["side_bend"]
    # a knee-to-chest row with a hold above side bend's top keeps it when shown again
    editor.add_row()
    editor.exercise_box.setCurrentIndex(editor.exercise_box.findData("knee_to_chest"))
    editor.numbers["hold_s"].setValue(tops["knee_to_chest"])
    editor.list.setCurrentRow(0)
    editor.list.setCurrentRow(1)
    assert editor.numbers["hold_s"].value() == tops["knee_to_chest"]
