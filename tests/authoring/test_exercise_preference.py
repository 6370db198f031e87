"""Exercise choice never depends on file names: adding a file with a new exercise
keeps every shipped program (or says so with W305), whatever the file is called."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cexpert.language.load import load
from cexpert.resources import rules_dir
from cexpert.service import Service

CASES = sorted((Path(__file__).parents[1] / "cases").glob("*.toml"))

NEW_GLUTE_EXERCISE = """\
source "an author's addition"
exercise act_glute_kickback "Glute kickback" phase activate targets gluteus_maximus
"""


def programs(rules: Path) -> list[list[tuple[str, str, str]]]:
    """Each shipped case's program as (phase, exercise, side) rows."""
    service = Service.open([rules])
    return [[(i.phase, i.exercise, i.side) for i in
             service.consult(service.read_case(case)).program] for case in CASES]


@pytest.fixture(scope="module")
def shipped() -> list:
    return programs(rules_dir())


def with_file(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name.removesuffix(".cex")
    shutil.copytree(rules_dir(), folder)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["aa_glute.cex", "zz_glute.cex"])
def test_a_new_exercise_in_any_file_leaves_every_shipped_program_unchanged(
        tmp_path, shipped, name):
    folder = with_file(tmp_path, name, NEW_GLUTE_EXERCISE)
    assert load([folder]).diagnostics == ()  # no tie: the preference decides
    assert programs(folder) == shipped


def test_a_tie_nothing_decides_is_W305_naming_both_exercises(tmp_path):
    folder = with_file(tmp_path, "aa_delt.cex", 'source "x"\nexercise act_delt_raise '
                       '"Rear delt raise" phase activate targets posterior_deltoid\n')
    [warning] = load([folder]).diagnostics
    assert warning.code == "W305"
    assert warning.message == ("'act_delt_raise' and 'act_prone_reverse_fly' are equally "
                               "good for 'posterior_deltoid' in the activate phase, and "
                               "nothing says which comes first")
    assert Path(warning.span.file).name == "aa_delt.cex"


def test_an_undecided_tie_is_broken_by_id_not_by_file_name(tmp_path):
    text = ('source "x"\nexercise act_b "B" phase activate targets posterior_deltoid\n'
            'exercise act_a "A" phase activate targets posterior_deltoid\n')
    loads = [load([with_file(tmp_path, name, text)]) for name in ("aa.cex", "zz.cex")]
    for loaded in loads:
        kb = loaded.kb
        ranked = sorted(["act_prone_reverse_fly", "act_b", "act_a"], key=kb.preference)
        assert ranked == ["act_a", "act_b", "act_prone_reverse_fly"]
    first, second = ([d.message for d in loaded.diagnostics] for loaded in loads)
    assert first == second
