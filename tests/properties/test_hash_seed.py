"""The JSON of a consultation is byte-identical whatever PYTHONHASHSEED is.

Set and dict iteration order of strings changes with the hash seed; the JSON
contract must not. Each run is a fresh interpreter running `cexpert infer
--format json` (the CLI's own code) over the same case files: the shipped
examples and a handful of generated consultations.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from consultations import Vocabulary, case_documents, to_toml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from runs import COUNTS, SEED

ROOT = Path(__file__).parents[2]
HASH_SEEDS = ("0", "1", "4242")
#: One interpreter, every case in turn through the CLI; outputs split by a line that
#: no JSON document contains.
RUN = ("import sys\nfrom cexpert.cli.main import main\n"
       "for path in sys.argv[1:]:\n"
       "    assert main(['infer', path, '--format', 'json']) == 0, path\n"
       "    print('\\x00', flush=True)\n")


def infer_json(paths: list[Path], hash_seed: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", RUN, *map(str, paths)], cwd=ROOT,
                          env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin",
                               "PYTHONIOENCODING": "utf-8"},
                          capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\x00\n")[:-1]


@seed(SEED)
@settings(max_examples=1, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_the_json_is_byte_identical_across_hash_seeds(data, words: Vocabulary,
                                                      tmp_path: Path):
    documents = data.draw(st.lists(case_documents(words), min_size=4, max_size=4),
                          label="cases")
    paths = sorted((ROOT / "examples").glob("*.toml"))
    for n, document in enumerate(documents):
        path = tmp_path / f"generated-{n}.toml"
        path.write_text(to_toml(document), encoding="utf-8")
        paths.append(path)
    first, *others = (infer_json(paths, s) for s in HASH_SEEDS)
    assert len(first) == len(paths)
    for hash_seed, outputs in zip(HASH_SEEDS[1:], others, strict=True):
        for path, a, b in zip(paths, first, outputs, strict=True):
            assert a == b, f"{path.name}: PYTHONHASHSEED={HASH_SEEDS[0]} and {hash_seed} differ"
    COUNTS["hash-seed runs compared (cases x seeds)"] += len(paths) * len(HASH_SEEDS)
