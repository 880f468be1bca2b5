"""End to end: the real MediaPipe model on the rendered sample clips, scored against their ground truth.

Slow (every clip through the model): marked ``slow``. ``uv run pytest -m "not slow"`` skips them.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
# Clips of one exercise each; routine clips (several exercises, truth in "segments") are scored by
# exercise recognition (issue 9) and, each true segment, per rep like a clip of one exercise (issue 15).
CLIPS = sorted(
    p.name.removesuffix(".truth.json")
    for p in SAMPLES.glob("*.truth.json")
    if "segments" not in json.loads(p.read_text())
)
ROUTINE_SEGMENTS = sum(
    len(truth["segments"])
    for p in SAMPLES.glob("*.truth.json")
    if "segments" in (truth := json.loads(p.read_text()))
)

pytestmark = pytest.mark.slow

# Clips still outside tolerance, and why (see docs/figures.md). A clip that starts failing, or one of
# these that starts passing, fails the test so the list stays true.
# None at present: every clip is within tolerance.
KNOWN_OUTSIDE_TOLERANCE: dict[str, str] = {}


@pytest.mark.skipif(not CLIPS, reason="no sample clips in sample_videos/")
def test_eval_passes_on_every_sample_clip(tmp_path):
    """`formcheck eval` on the committed set: every clip within its tolerances (exit 0)."""
    out = tmp_path / "eval.json"
    result = subprocess.run(
        [sys.executable, "-m", "formcheck.cli", "eval", str(SAMPLES), "--jobs", "2", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=3000,
    )
    print(result.stdout)
    doc = json.loads(out.read_text())
    scores = doc["clips"]
    assert len(scores) == len(CLIPS) + ROUTINE_SEGMENTS
    assert sum(s["segment"] is not None for s in scores) == ROUTINE_SEGMENTS
    failing = {s["label"]: s["problems"] for s in scores if not s["passed"]}
    assert set(failing) == set(KNOWN_OUTSIDE_TOLERANCE), result.stdout
    # Recognition ('analyze' without -e) on every clip, routine and other-movement clips included.
    recognition = doc["recognition"]
    assert len(recognition) == len(list(SAMPLES.glob("*.truth.json")))
    unrecognised = {r["clip"]: r["problems"] for r in recognition if not r["passed"]}
    assert not unrecognised, result.stdout
    assert result.returncode == (1 if failing else 0), result.stderr
    # The pose was found in (nearly) every frame of every clip that has a person in it.
    for s in scores:
        report = s["report"]
        if s["segment"] is not None:
            continue  # a routine's segment: its frames are the recording's
        if not any(i["code"] == "no_person" for i in report["setup"]):
            assert report["frames_with_pose"] >= 0.95 * report["frames"], s["clip"]


@pytest.mark.skipif(not CLIPS, reason="no sample clips in sample_videos/")
def test_analyze_is_deterministic_on_a_replay(tmp_path):
    from formcheck.analyze import analyze_file
    from formcheck.clip_settings import demo_clip

    video, exercise, variant, settings = demo_clip()
    first, _ = analyze_file(video, exercise, variant, settings)
    second, _ = analyze_file(video, exercise, variant, settings)
    assert first == second
    assert first["reps"], "the demo clip should contain reps"
