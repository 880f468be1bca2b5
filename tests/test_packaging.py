"""An installable formcheck: the core stands alone, the wheel carries what the program needs, one OpenCV.

The wheel test builds the wheel, installs it with pip into a fresh virtual environment (as a clinic's IT
or a patient's 'pipx install' would) and uses it; it is marked slow (about a minute, most of it pip).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from formcheck import clip_settings, resources

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "formcheck"
FORBIDDEN = ("ui", "PyQt6")


def _imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                names.append((node.lineno, node.args[0].value))
    return names


def test_no_core_module_imports_the_window_or_qt():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, name in _imported_names(tree):
            if name.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not offenders, "the core must not import ui/ or Qt:\n" + "\n".join(offenders)


def test_the_import_scan_catches_every_form_of_import():
    # The scan above must be able to fail: each way of importing ui is seen.
    src = (
        "import ui.window\nfrom ui import home\nfrom PyQt6.QtCore import Qt\n"
        "importlib.import_module('ui.x')\n"
    )
    assert [n for _, n in _imported_names(ast.parse(src))] == ["ui.window", "ui", "PyQt6.QtCore", "ui.x"]


def test_importing_every_core_module_loads_no_qt():
    code = (
        "import importlib, pkgutil, sys, formcheck\n"
        "for m in pkgutil.walk_packages(formcheck.__path__, 'formcheck.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('ui', 'PyQt6')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_window_commands_arrive_through_entry_points():
    from formcheck.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("live", "replay", "review", "install-desktop", "doctor", "analyze"):
        assert name in sub.choices, name
    prescription = sub.choices["prescription"]
    inner = next(a for a in prescription._actions if a.dest == "prescription_command")
    assert set(inner.choices) == {"check", "edit"}


def test_report_formats_that_draw_come_from_the_window_part():
    from formcheck.cli import build_parser
    from formcheck.sessions.reports import WRITERS

    build_parser()
    assert {"html", "pdf"} <= set(WRITERS)


def test_resources_prefer_the_installed_copy(tmp_path, monkeypatch):
    installed = tmp_path / "data"
    (installed / "exercises").mkdir(parents=True)
    monkeypatch.setattr(resources, "INSTALLED_DATA", installed)
    assert resources.exercises_dir() == installed / "exercises"
    assert resources.models_dir() == ROOT / "models"  # not installed: the clone's


def test_demo_clip_says_what_is_missing(tmp_path, monkeypatch):
    from formcheck.errors import FormcheckError

    monkeypatch.setattr(resources, "samples_dir", lambda: tmp_path)
    with pytest.raises(FormcheckError, match="No sample clip found"):
        clip_settings.demo_clip()


def test_version_is_the_package_version(capsys):
    from importlib import metadata

    from formcheck.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"formcheck {metadata.version('formcheck')}"


def test_desktop_entry_installs_and_removes(tmp_path):
    from ui import desktop

    entry, icon = desktop.install(tmp_path, ["/opt/formcheck/bin/formcheck"])
    text = entry.read_text()
    assert "Exec=/opt/formcheck/bin/formcheck" in text and f"Icon={icon}" in text
    assert icon.read_bytes() == desktop.ICON.read_bytes() and icon.suffix == ".svg"
    assert text.startswith("[Desktop Entry]") and "Categories=" in text
    assert desktop.remove(tmp_path) == [entry, icon] and not entry.exists()


@pytest.mark.slow
def test_the_wheel_installed_with_pip_works_on_its_own(tmp_path):
    built = subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(tmp_path / "dist")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("formcheck-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    pip = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if pip.returncode != 0 and any(
        s in pip.stderr for s in ("Could not find a version", "NewConnectionError", "Temporary failure")
    ):
        pytest.skip(f"pip cannot reach the package index here: {pip.stderr.strip().splitlines()[-1]}")
    assert pip.returncode == 0, pip.stderr[-3000:]
    clean_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_", "PYTHONPATH"))
    }
    clean_env.pop("FORMCHECK_DATA_DIR", None)
    clean_env["FORMCHECK_DATA_DIR"] = str(tmp_path / "data")
    formcheck = str(bin_dir / "formcheck")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # Run from an empty folder: nothing of the clone may be found by accident.
        return subprocess.run(
            [formcheck, *args], capture_output=True, text=True, timeout=600, cwd=tmp_path, env=clean_env
        )

    listed = run("exercises")
    assert listed.returncode == 0, listed.stderr
    # An exercise's line is its name then its title in brackets; the common settings follow them.
    names = [m.group(1) for m in re.finditer(r"^([a-z_]+)  \(", listed.stdout, re.MULTILINE)]
    assert names == [
        "knee_to_chest",
        "prone_extension",
        "side_bend",
    ]
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    clip = site / "formcheck" / "data" / "sample_videos" / f"{resources.DEMO_CLIP}.mp4"
    assert clip.exists()
    out = tmp_path / "out.json"
    analysed = run("analyze", str(clip), "-e", "knee_to_chest", "--set", "hold_s=2.5", "--json", str(out))
    assert analysed.returncode == 0, analysed.stderr
    report = json.loads(out.read_text())
    assert report["summary"]["good_reps"] == 3 and len(report["reps"]) == 3

    listed_packages = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "list", "--format", "json"], capture_output=True, text=True
    )
    opencv = [p["name"] for p in json.loads(listed_packages.stdout) if p["name"].lower().startswith("opencv")]
    assert len(opencv) == 1, opencv

    version = run("--version")
    assert version.stdout.strip().startswith("formcheck ")
    doctor = run("doctor")
    assert "OpenCV: opencv-contrib-python" in doctor.stdout and "pose model: loads" in doctor.stdout
    # The voice comes with the wheel (espeakng-loader): plain pip gives spoken cues, and doctor says so
    # by synthesising a phrase, not by finding a plug-in.
    speech = next(line for line in doctor.stdout.splitlines() if "speech:" in line)
    assert speech.split()[0] == "ok" and "eSpeak NG" in speech, doctor.stdout
    assert "PulseAudio" not in doctor.stderr, doctor.stderr  # no probing noise for a tester
    if "camera: none found" in doctor.stdout:  # no camera here (CI): doctor names it and fails
        assert doctor.returncode == 1 and "MISSING  camera" in doctor.stdout
