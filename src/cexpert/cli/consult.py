"""`cexpert infer` and `cexpert kb`: consultations and summaries from the command line.

Each command imports the renderers and explanations it uses where it runs: every
command pays for the imports at the top, and `infer` is the one a trainer waits for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from cexpert.engine.case import CaseError
from cexpert.engine.compile import FiringLimitExceeded
from cexpert.language import diagnostics as diag
from cexpert.language.kb_cache import kept_for_the_process
from cexpert.language.span import name_key
from cexpert.present.escape import visible
from cexpert.service import Service, load_kb


def open_service(rules, profile: str | None = None) -> Service | int:
    """The service over a knowledge base, or exit code 1 after printing its errors."""
    # The CLI owns its process: nothing the knowledge base and its engine allocate is
    # garbage (at 10k rules the collector walking the growing heap was more than half
    # of loading), and frozen they stay out of the consultation's collections.
    # main() unfreezes when the command ends.
    with kept_for_the_process():
        loaded = load_kb(rules, profile)
        if loaded.kb is None:
            sys.stderr.write(diag.render_text(loaded.diagnostics, loaded.sources))
            return 1
        service = Service(loaded.kb)
        service.engine  # noqa: B018  compiled now, inside the pause
    return service


def cmd_infer(args: argparse.Namespace) -> int:
    service, _, result = consult_args(args)
    if result is None:
        return service
    if args.format == "json":
        print(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        return 0
    # the document and its renderers load here: JSON (and why, trace, kb) need none
    from cexpert.present.consultation import consultation
    from cexpert.present.text import render_text

    # one document for every format: chains under each item with --why, else in the
    # trainer's appendix after the handout
    doc = consultation(result, service.kb, chains="inline" if args.why else "appendix",
                       today=dt.date.today())
    if getattr(args, "graph", False):  # for educators: the whole chaining at a glance
        from cexpert.present.reasoning_graph import graph_section, with_graph

        doc = with_graph(doc, graph_section(result, service.kb,
                                            draw=args.format == "html"))
    if args.format == "html":
        from cexpert.present.html import render_html as render
    elif args.format == "markdown":
        from cexpert.present.markdown import render_markdown as render
    else:
        render = render_text
    print(render(doc), end="")
    return 0


def consult_args(args: argparse.Namespace, record: bool = False):
    """(service, case, result) of the case file in `args`, or (exit code, None, None)
    after saying on stderr what went wrong."""
    service = open_service(args.rules, args.profile)
    if isinstance(service, int):
        return service, None, None
    try:
        case = service.read_case(args.case)
    except CaseError as error:
        sys.stderr.write(f"error: the case file cannot be used\n{error}\n")
        return 2, None, None
    try:
        return service, case, service.consult(case, record=record)
    except FiringLimitExceeded as error:
        sys.stderr.write(f"error: {error}\n")
        return 1, None, None


def say(text: str) -> None:
    """A line of text output, with the control characters of user text made visible."""
    print(visible(text))


def cmd_why(args: argparse.Namespace) -> int:
    service, _, result = consult_args(args)
    if result is None:
        return service
    key = name_key(args.item)
    facts = [args.item] if args.item in result.facts else [
        *(p.fact for p in result.program if p.exercise == key),
        *(m.fact for m in result.muscles if m.id == key),
        *(d.fact for d in result.dysfunctions if d.id == key),
        *(e.fact for e in result.excluded if key in (e.exercise, e.muscle)),
        *(t.fact for t in result.suggested_tests if t.test == key),
    ]
    if not facts:
        sys.stderr.write(f"error: '{args.item}' is not a conclusion of this consultation\n")
        return 2
    from cexpert.explain.why import render_tree

    for fact in facts:
        say("\n".join(render_tree(service.why(result, fact))))
    return 0


def cmd_why_not(args: argparse.Namespace) -> int:
    service, _, result = consult_args(args)
    if result is None:
        return service
    if args.state == "exercise":
        from cexpert.cli.authoring import why_not_exercise_lines

        lines = why_not_exercise_lines(service, result, args.muscle)
        if isinstance(lines, int):
            return lines
        print("\n".join(lines))
        return 0
    muscle = name_key(args.muscle)
    matches = [m.id for m in service.kb.of("muscle").values()
               if muscle in {m.id, name_key(m.name), *(name_key(a) for a in m.aliases)}]
    if not matches:
        hint = diag.did_you_mean(muscle, service.kb.of("muscle"))
        sys.stderr.write(f"error: unknown muscle '{args.muscle}'" + (f"; {hint}" if hint
                                                                     else "") + "\n")
        return 2
    answer = service.why_not(result, args.state, matches[0])
    say(answer.question)
    say(answer.answer)
    for rule in answer.rules:
        say(f"  rule {rule.rule}: {rule.title} [{rule.source}]")
        for check in rule.checks:
            say(f"    {'holds ' if check.holds else 'FAILS '} {check.text}")
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    """The chaining replayed: what was entered, each firing, each builtin step;
    with --show, the agenda the engine recorded during the run."""
    show = getattr(args, "show", None)
    service, _, result = consult_args(args, record=bool(show))
    if result is None:
        return service
    if show:
        from cexpert.explain.agenda import as_json, watch_lines

        if args.format == "json":
            print(json.dumps(as_json(result, service.kb), indent=2, ensure_ascii=False))
        else:
            for line in watch_lines(result, service.kb, show):
                say(line)
        return 0
    from cexpert.explain.describe import describe
    from cexpert.explain.trace import render_steps, steps, trace_lines

    if args.format == "json":
        facts = {f.id: {**f.as_json(), "text": describe(f, service.kb)}
                 for f in result.facts.values()}
        print(json.dumps({"steps": [s.as_json() for s in steps(result, service.kb)],
                          "facts": facts}, indent=2, ensure_ascii=False))
        return 0
    lines = trace_lines if args.facts else render_steps
    for line in lines(result, service.kb):
        say(line)
    return 0


def cmd_kb(args: argparse.Namespace) -> int:
    service = open_service(args.rules, args.profile)
    if isinstance(service, int):
        return service
    from cexpert.present.kb_summary import kb_summary, render_kb_text

    summary = kb_summary(service.kb)
    if args.format == "json":
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(render_kb_text(summary), end="")
    return 0
