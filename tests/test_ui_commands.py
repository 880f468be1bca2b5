"""The window's commands: registration, the headless fallbacks, and user errors as one sentence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from formcheck import cli
from ui import commands

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CONFIG_DIR", str(tmp_path / "config"))


def test_importing_the_commands_does_not_load_qt():
    code = (
        "import sys, ui.commands, formcheck.cli; formcheck.cli.build_parser(); print('PyQt6' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_commands_are_registered_and_demo_opens_the_window():
    parser = cli.build_parser()
    args = parser.parse_args(
        ["replay", "clip.mp4", "-e", "knee_to_chest", "--exit-after", "2", "--screenshot", "a.png"]
    )
    assert args.func is commands.cmd_replay and args.exit_after == 2.0 and args.screenshot == "a.png"
    args = parser.parse_args(["live", "-e", "side_bend", "--camera", "1", "--reps", "8"])
    assert args.func is commands.cmd_live and args.camera == 1 and args.reps == 8
    assert parser.parse_args(["demo", "--exit-after", "1"]).func is commands.cmd_demo_window
    assert parser.parse_args([]).command == "home"
    assert parser.parse_args(["exercises"]).func is cli.cmd_exercises


def test_demo_without_a_display_falls_back_to_the_text_analysis(monkeypatch, capsys):
    monkeypatch.setattr("ui.settings.has_display", lambda: False)
    calls = []
    monkeypatch.setattr(cli, "cmd_demo", lambda args: calls.append(args) or 0)
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("No display found")
    assert len(calls) == 1


def test_no_command_without_a_display_prints_help(monkeypatch, capsys):
    monkeypatch.setattr("ui.settings.has_display", lambda: False)
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert "usage: formcheck" in out and "No display found" in out


def test_has_display_follows_the_environment(monkeypatch):
    from ui.settings import has_display

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert has_display() is (not sys.platform.startswith("linux"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert has_display()


@pytest.mark.parametrize(
    "argv, words",
    [
        (["replay", "no/such/clip.mp4", "-e", "knee_to_chest"], "No such video file"),
        (["replay", "x.mp4", "-e", "cartwheel"], "Unknown exercise 'cartwheel'"),
        (["live", "-e", "knee_to_chest", "--set", "hold_s=abc"], "is not a number"),
    ],
)
def test_user_errors_are_one_sentence_and_a_non_zero_exit(argv, words, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("formcheck: ") and words in err and err.count("\n") == 1 and "Traceback" not in err


def test_live_without_a_display_says_so(monkeypatch, capsys):
    monkeypatch.setattr("ui.settings.has_display", lambda: False)
    assert cli.main(["live", "-e", "knee_to_chest"]) == 2
    assert "No display found" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_on_a_headless_machine_prints_the_text_analysis(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["FORMCHECK_CONFIG_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "formcheck.cli", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    first, *rest = out.stdout.splitlines()
    assert first.startswith("No display found")
    assert "Good reps" in out.stdout


def test_recording_options_and_which_runs_record(tmp_path, capsys):
    parser = cli.build_parser()
    args = parser.parse_args(
        [
            "live",
            "--prescription",
            "ann.toml",
            "--data-dir",
            str(tmp_path),
            "--patient",
            "Ann",
            "--pain-before",
            "4",
        ]
    )
    assert (args.prescription, args.patient, args.pain_before, args.keep_video) == (
        "ann.toml",
        "Ann",
        4,
        False,
    )
    recording, notice = commands.open_recording(args, "live")
    assert recording.store.root == tmp_path and recording.patient == "Ann" and not recording.video
    assert recording.kind == "live" and notice is None
    replay = parser.parse_args(["replay", "clip.mp4", "-e", "knee_to_chest", "--data-dir", str(tmp_path)])
    assert commands.open_recording(replay, "replay") == (None, None)  # replays record only with --record
    replay = parser.parse_args(
        ["replay", "clip.mp4", "-e", "knee_to_chest", "--record", "--keep-video", "--data-dir", str(tmp_path)]
    )
    recording, _ = commands.open_recording(replay, "replay")
    assert recording.kind == "replay" and recording.video
    assert parser.parse_args(["demo", "--record"]).record
    with pytest.raises(SystemExit):
        parser.parse_args(["live", "-e", "side_bend", "--pain-before", "11"])
    assert "from 0 to 10" in capsys.readouterr().err


@pytest.mark.parametrize(
    "cameras,extra,mode", [([0], [], "live"), ([], [], "replay"), ([0], ["--sample"], "replay")]
)
def test_demo_coaches_live_when_a_camera_is_there_and_replays_the_sample_otherwise(
    monkeypatch, cameras, extra, mode
):
    import ui.cameras

    calls = []
    monkeypatch.setattr(ui.cameras, "probe_cameras", lambda indices: cameras)
    monkeypatch.setattr(
        commands, "run_window", lambda args, config, m, source, banner, **kw: calls.append((m, config))
    )
    monkeypatch.setattr("ui.settings.has_display", lambda: True)
    args = cli.build_parser().parse_args(["demo", *extra])
    commands.cmd_demo_window(args)
    assert [c[0] for c in calls] == [mode]
    if mode == "live":
        assert calls[0][1].spec.name == "side_bend"
