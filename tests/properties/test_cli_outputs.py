"""A sample of generated consultations through the command line itself, in-process:
every command and format exits 0 with output, the JSON ones parse."""

from __future__ import annotations

import json
from pathlib import Path

from consultations import Vocabulary, case_documents, to_toml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from runs import COUNTS, SEED

from cexpert.cli.main import main
from cexpert.service import Service


def commands(path: str, service: Service) -> list[list[str]]:
    case = service.read_case(path)
    result = service.consult(case)
    muscle = next(iter(service.kb.of("muscle")))
    out = [["infer", path, "--format", f] for f in ("text", "json", "markdown", "html")]
    out += [["infer", path, "--why"], ["infer", path, "--format", "markdown", "--why"],
            ["trace", path], ["trace", path, "--facts"], ["trace", path, "--format", "json"],
            ["why-not", path, "overactive", muscle], ["why-not", path, "underactive", muscle]]
    out += [["why", path, fact] for fact in list(result.facts)[-2:]]
    out += [["why", path, item.exercise] for item in result.program[:1]]
    return out


@seed(SEED)
@settings(max_examples=2, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_command_on_a_generated_case_file_exits_0_with_its_output(
        data, shipped: Service, words: Vocabulary, tmp_path: Path, capsys):
    path = tmp_path / "generated.toml"
    path.write_text(to_toml(data.draw(case_documents(words), label="case")),
                    encoding="utf-8")
    for argv in commands(str(path), shipped):
        assert main(argv) == 0, argv
        out, err = capsys.readouterr()
        assert out and not err, (argv, err)
        if "json" in argv:
            json.loads(out)
        COUNTS["CLI commands run"] += 1
