"""Specifications for where the grammar and the shipped rules are found, installed or not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cexpert.resources import data_dir, examples_dir, grammar_path, rules_dir

ROOT = Path(__file__).resolve().parent.parent
# Only names that the shipped 20_ohsa.cex uses: the knee valgus row.
SHIPPED_CASE = '[client]\nname = "Kim"\n[assessment]\nohsa = ["knee valgus"]\n'
OFFLINE_HINTS = ("failed to fetch", "network", "dns", "connect", "offline",
                 "not found in the cache", "no solution found", "timed out")


def test_grammar_is_found():
    assert grammar_path().name == "cex.lark"
    assert grammar_path().is_file()


def test_shipped_rules_are_found():
    assert rules_dir().is_dir()
    assert (rules_dir() / "20_ohsa.cex").is_file()
    assert (rules_dir() / "30_exercises.cex").is_file()


def test_examples_are_found():
    assert any(examples_dir().glob("*.toml"))


def test_unknown_data_folder_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="without its 'nonsense' folder"):
        data_dir("nonsense")


def test_infer_with_the_shipped_rules_works_from_another_directory(tmp_path):
    case = tmp_path / "case.toml"
    case.write_text(SHIPPED_CASE, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([sys.executable, "-m", "cexpert.cli", "infer", str(case),
                           "--format", "json"], cwd=elsewhere, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["knowledge_base"]["path"] == "<shipped rules>"
    assert "adductor_complex" in {m["id"] for m in data["muscles"]}


def test_check_with_the_shipped_rules_works_from_another_directory(tmp_path):
    done = subprocess.run([sys.executable, "-m", "cexpert.cli", "check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # a clean knowledge base is summarised on stdout, warnings go to stderr: either
    # way the files named are the shipped ones
    assert str(rules_dir()) in done.stdout + done.stderr


# --- the built wheel, in a fresh virtual environment --------------------------------------------


def _uv(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run(["uv", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)


def _require(done: subprocess.CompletedProcess, step: str) -> None:
    if done.returncode == 0:
        return
    if any(hint in done.stderr.lower() for hint in OFFLINE_HINTS):
        pytest.skip(f"{step} needs packages that cannot be fetched here (offline?): "
                    f"{done.stderr.strip().splitlines()[-1]}")
    pytest.fail(f"{step} failed:\n{done.stderr}")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv with only the built wheel installed."""
    if shutil.which("uv") is None:
        pytest.skip("uv is not on PATH: cannot build and install the wheel")
    work = tmp_path_factory.mktemp("wheel")
    _require(_uv("build", "--wheel", "-o", str(work / "dist"), str(ROOT), cwd=work),
             "uv build --wheel")
    (wheel,) = (work / "dist").glob("cexpert-*.whl")
    _require(_uv("venv", str(work / "venv"), cwd=work), "uv venv")
    bin_dir = work / "venv" / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    _require(_uv("pip", "install", "--python", str(python), str(wheel), cwd=work),
             "uv pip install")
    return bin_dir


def _run_installed(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return subprocess.run([str(bin_dir / "cexpert"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.mark.slow
def test_installed_wheel_checks_its_own_shipped_rules(installed, tmp_path):
    done = _run_installed(installed, "check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # the rules came from the package data, not from this checkout
    output = done.stdout + done.stderr
    assert f"cexpert{os.sep}_data{os.sep}rules" in output
    assert str(ROOT) not in output


@pytest.mark.slow
def test_installed_wheel_locates_grammar_and_rules_in_package_data(installed, tmp_path):
    python = installed / ("python.exe" if os.name == "nt" else "python")
    done = subprocess.run(
        [str(python), "-c", "from cexpert.resources import data_dir\n"
         "for name in ('grammar', 'rules', 'examples'): print(data_dir(name))"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    folders = [Path(line) for line in done.stdout.splitlines()]
    assert [f.name for f in folders] == ["grammar", "rules", "examples"]
    assert all(f.parent.name == "_data" and f.parent.parent.name == "cexpert"
               for f in folders)


@pytest.mark.slow
def test_installed_wheel_runs_a_consultation(installed, tmp_path):
    case = tmp_path / "case.toml"
    case.write_text(SHIPPED_CASE, encoding="utf-8")
    done = _run_installed(installed, "infer", str(case), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "adductor_complex" in {m["id"] for m in data["muscles"]}
