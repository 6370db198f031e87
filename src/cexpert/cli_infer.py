"""`cexpert infer` and `cexpert kb`: consultations and summaries from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from cexpert import diagnostics as diag
from cexpert.case import CaseError
from cexpert.compile import FiringLimitExceeded
from cexpert.report import kb_summary, render_kb_text, render_markdown, render_text
from cexpert.service import Service, load_kb


def _open(rules) -> Service | int:
    loaded = load_kb(rules)
    if loaded.kb is None:
        sys.stderr.write(diag.render_text(loaded.diagnostics, loaded.sources))
        return 1
    return Service(loaded.kb)


def cmd_infer(args: argparse.Namespace) -> int:
    service = _open(args.rules)
    if isinstance(service, int):
        return service
    try:
        case = service.read_case(args.case)
    except CaseError as error:
        sys.stderr.write(f"error: the case file cannot be used\n{error}\n")
        return 2
    try:
        result = service.consult(case)
    except FiringLimitExceeded as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    if args.format == "json":
        print(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(render_markdown(result, service.kb), end="")
    else:
        print(render_text(result, service.kb), end="")
    return 0


def cmd_kb(args: argparse.Namespace) -> int:
    service = _open(args.rules)
    if isinstance(service, int):
        return service
    summary = kb_summary(service.kb)
    if args.format == "json":
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(render_kb_text(summary), end="")
    return 0
