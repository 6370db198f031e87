"""Diagnostics as SARIF 2.1.0, the format CI systems read to annotate a line.

One run, one tool (`cexpert`), one reporting rule per code that occurs; each result
points at its file (relative to the working folder, as `uri`) and its region.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from cexpert.language.diagnostics import Diagnostic, sort_key

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def to_sarif(diagnostics: Sequence[Diagnostic], titles: Mapping[str, str],
             base: Path | None = None) -> str:
    """The SARIF log for `diagnostics`; `titles` gives each code's short description."""
    ordered = sorted(diagnostics, key=sort_key)
    codes = sorted({d.code for d in ordered})
    rules = [{"id": code, "shortDescription": {"text": titles.get(code, code)},
              "helpUri": f"docs/rule-language.md#{code.lower()}"} for code in codes]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "cexpert", "informationUri":
                                "docs/rule-language.md", "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": [_result(d, codes.index(d.code), base) for d in ordered],
        }],
    }
    return json.dumps(log, indent=2)


def _result(d: Diagnostic, index: int, base: Path | None) -> dict:
    text = d.message
    if d.help:
        text += f" (help: {d.help})"
    result: dict = {"ruleId": d.code, "ruleIndex": index,
                    "level": "error" if d.is_error else "warning", "message": {"text": text}}
    if d.span is not None:
        result["locations"] = [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(d.span.file, base)},
            "region": {"startLine": d.span.line, "startColumn": d.span.column,
                       "endLine": d.span.end_line, "endColumn": d.span.end_column},
        }}]
    return result


def _uri(file: str, base: Path | None) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to((base or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()
