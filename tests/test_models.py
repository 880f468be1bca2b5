"""The pose-model registry: the bundled model verifies, an absent or unknown one says what to do."""

import pytest

from formcheck.errors import FormcheckError
from formcheck.models import ModelEntry, load_registry, resolve_model


def test_the_default_is_the_bundled_blazepose_full_and_its_checksum_matches():
    default, entries = load_registry()
    assert default == "blazepose_full"
    model = resolve_model()
    assert model.backend == "mediapipe_solutions" and model.model_complexity == 1
    assert model.path.name == "pose_landmark_full.tflite" and model.path.exists()


def test_absent_task_file_and_unknown_model_are_one_sentence():
    with pytest.raises(FormcheckError) as info:
        resolve_model("pose_landmarker_full")
    message = info.value.message
    assert "pose_landmarker_full.task" in message and "place the file in models/" in message
    with pytest.raises(FormcheckError) as info:
        resolve_model("yolo")
    assert "Unknown pose model 'yolo'" in info.value.message


def test_a_changed_model_file_is_caught(tmp_path):
    fake = tmp_path / "model.tflite"
    fake.write_bytes(b"not the model")
    entry = ModelEntry("x", "mediapipe_solutions", "", fake, sha256="0" * 64)
    with pytest.raises(FormcheckError) as info:
        entry.verify()
    assert "does not match its registered checksum" in info.value.message
