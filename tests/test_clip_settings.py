"""One clip, one set of settings, one verdict: demo, analyze and replay (and the window's recognised
switches) check a sample clip with the prescription shipped beside it, and say so."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from formcheck.clip_settings import SettingsSources, clip_prescription, describe, settings_line
from formcheck.resources import DEMO_CLIP

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
DEMO = SAMPLES / f"{DEMO_CLIP}.mp4"
ROUTINE = SAMPLES / "routine_k2c_prone_sb_male.mp4"


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CONFIG_DIR", str(tmp_path / "config"))


def test_a_sample_clip_brings_its_prescription_and_says_where_it_came_from():
    truth = json.loads(DEMO.with_name(f"{DEMO_CLIP}.truth.json").read_text())
    clip = clip_prescription(DEMO)
    assert clip is not None and clip.for_exercise("knee_to_chest") == truth["settings"] == {"hold_s": 2.5}
    assert clip.for_exercise("side_bend") == {}  # nothing for an exercise the clip does not hold
    sources = SettingsSources(clip)
    (note,) = sources.notes("knee_to_chest", "single")
    assert note.startswith("hold 2.5 s (the exercise's own is 10 s) — from the sample clip's prescription")
    assert f"{DEMO_CLIP}.truth.json" in note
    assert sources.notes("side_bend") == []
    assert settings_line(SettingsSources(), "knee_to_chest") == "Settings: the exercise's own."


def test_the_command_line_comes_on_top_and_is_named():
    sources = SettingsSources(clip_prescription(DEMO), {"hold_s": 4.0})
    assert sources.for_exercise("knee_to_chest") == {"hold_s": 4.0}
    (note,) = sources.notes("knee_to_chest", "single")
    assert note.startswith("hold 4 s") and note.endswith("from the command line (--set)")


def test_a_routine_clip_has_settings_per_exercise():
    clip = clip_prescription(ROUTINE)
    assert clip is not None
    assert clip.for_exercise("knee_to_chest") == {"hold_s": 2.5}
    assert clip.for_exercise("prone_extension") == {"hold_s": 3.0}
    assert clip.for_exercise("side_bend") == {}


def test_a_video_without_a_prescription_gets_the_exercise_s_own(tmp_path):
    assert clip_prescription(tmp_path / "mine.mp4") is None
    (tmp_path / "broken.truth.json").write_text("{not json")
    from formcheck.errors import FormcheckError

    with pytest.raises(FormcheckError, match="broken.truth.json beside the video cannot be read"):
        clip_prescription(tmp_path / "broken.mp4")


def test_describe_settings_in_words():
    assert describe("hold_s", 2.5) == "hold 2.5 s"
    assert describe("target_deg", 100.0) == "target 100°"


def test_demo_analyze_and_replay_check_the_sample_clip_alike(monkeypatch, capsys):
    """The three commands load the same exercise with the same settings and print the same line."""
    import formcheck.cli as cli
    import ui.commands as commands

    loaded: dict[str, tuple[str, str | None, dict[str, float]]] = {}

    def fake_analyze(video, exercise, variant=None, settings=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        loaded["analyze" if "analyze" not in loaded else "demo"] = (exercise, variant, dict(settings or {}))
        return {}, argparse.Namespace(truncated=False, error=None, frames=1)

    monkeypatch.setattr(cli, "analyze_file", fake_analyze)
    monkeypatch.setattr(cli, "raise_if_cut_short", lambda *a: None)
    monkeypatch.setattr("formcheck.report.format_text", lambda report: "")
    assert cli.main(["analyze", str(DEMO), "-e", "knee_to_chest"]) == 0
    analyze_out = capsys.readouterr().out
    assert cli.cmd_demo(argparse.Namespace()) == 0
    demo_out = capsys.readouterr().out

    def fake_window(args, config, mode, source, banner, routine=None, auto=False, sources=None):  # type: ignore[no-untyped-def]
        loaded["replay"] = (
            config.spec.name,
            config.variant.name,
            dict(sources.for_exercise(config.spec.name)),
        )
        assert config.params["hold_s"] == 2.5
        return 0

    monkeypatch.setattr(commands, "run_window", fake_window)
    monkeypatch.setattr(commands, "require_display", lambda what: None)
    assert cli.main(["replay", str(DEMO), "-e", "knee_to_chest"]) == 0
    replay_out = capsys.readouterr().out
    assert loaded["analyze"][2] == loaded["demo"][2] == loaded["replay"][2] == {"hold_s": 2.5}
    line = "Settings: hold 2.5 s (the exercise's own is 10 s) — from the sample clip's prescription"
    assert line in analyze_out and line in demo_out and line in replay_out


def test_the_window_shows_where_a_setting_came_from_and_keeps_it_across_switches(qtbot):
    from formcheck.spec import load_exercise
    from ui.settings import open_settings
    from ui.testing import ScriptedEstimator
    from ui.window import CoachWindow

    sources = SettingsSources(clip_prescription(ROUTINE))
    window = CoachWindow(
        load_exercise("side_bend"), lambda: ScriptedEstimator([]), open_settings(), auto=True, sources=sources
    )
    qtbot.addWidget(window)
    assert "prescription" not in window.title_label.text()  # side bends: the exercise's own
    window._switch_to("knee_to_chest", "single", said=False)  # as a recognised switch does
    assert window.config.params["hold_s"] == 2.5
    assert "hold 2.5 s (the exercise's own is 10 s) — from the sample clip's prescription" in (
        window.title_label.text()
    )
    window._switch_to("prone_extension", "arms-forward", said=False)
    assert window.config.params["hold_s"] == 3.0
