"""The command line: `cexpert check`, `infer`, `test`, `kb`...; bare `cexpert` opens the TUI.

stdout carries data, stderr diagnostics. Exit codes: 0 success, 1 the
knowledge base has errors, 2 usage or case-file errors, 70 a bug in cexpert (the
traceback goes to a file in the user log folder; one line says where). No input
file, however broken, produces a Python traceback. Output never fails on an
encoding (a character the terminal cannot show is written as an escape), and
control characters on stderr are escaped, so input cannot drive the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from cexpert.resources import rules_dir


class Exit(IntEnum):
    OK = 0
    KB_ERRORS = 1
    USAGE = 2
    BUG = 70  # EX_SOFTWARE in sysexits.h: an internal error, not the user's input


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors, as we do
        self.print_usage(sys.stderr)
        self.exit(Exit.USAGE, f"{self.prog}: error: {message}\n")


PROFILE_HELP = "the table profile to use instead of the rules' setting (e.g. cpt7)"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command's parser, or only `command`'s: building all of them was a tenth of
    a cold `cexpert check`, and a command never needs the others."""
    parser = _Parser(prog="cexpert", description="Corrective-exercise expert system.",
                     epilog="Without a command, `cexpert [CASE.toml] [--clients DIR]` opens "
                            "the consultation TUI.")
    parsers = _command_parsers()
    # named as argparse names them all, so a usage line looks the same either way
    sub = parser.add_subparsers(dest="command", parser_class=_Parser,
                                metavar="{" + ",".join(parsers) + "}")
    for name, add in parsers.items():
        if command is None or name == command:
            add(sub)
    return parser


def _command_parsers() -> dict[str, Callable[[Any], None]]:
    """Each command's parser builder, in the order `cexpert --help` lists them."""
    return {"check": _check_parser, "infer": _infer_parser, "why": _why_parser,
            "why-not": _why_not_parser, "trace": _trace_parser, "test": _test_parser,
            "graph": _graph_parser, "serve": _serve_parser, "fmt": add_fmt_parser,
            "refs": add_refs_parser, "lsp": _lsp_parser, "explain": _explain_parser,
            "kb": _kb_parser, "clients": _clients_parser, "db": _db_parser}


def _graph_parser(sub) -> None:
    from cexpert.cli import graph  # argparse only: the code loads when it runs

    graph.add_parser(sub)


def _serve_parser(sub) -> None:
    from cexpert.cli import serve  # imported when its parser is built (shlex, typing)

    serve.add_parser(sub)


def _check_parser(sub) -> None:
    check = sub.add_parser("check", help="parse and check a knowledge base")
    check.add_argument("paths", nargs="*", help="rule files or directories (default: shipped)")
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check.add_argument("--max-errors", type=int, default=0, help="show at most N (0: all)")
    add_check_options(check)
    check.add_argument("--watch", action="store_true", help="check again whenever a file "
                       "changes (Ctrl+C stops)")


def _infer_parser(sub) -> None:
    infer = sub.add_parser("infer", help="run one consultation on a case file")
    infer.add_argument("case", help="a case file (.toml)")
    infer.add_argument("--format", choices=("text", "json", "markdown", "html"),
                       default="text", help="html: the standalone, print-friendly handout")
    infer.add_argument("--why", action="store_true",
                       help="each reasoning chain under its recommendation (default: in a "
                       "trainer's appendix after the handout)")
    infer.add_argument("--graph", action="store_true",
                       help="for educators: add the reasoning graph to the appendix "
                            "(HTML draws it with Graphviz; other formats list its arrows)")
    infer.add_argument("--rules", action="append", help="knowledge base (default: shipped)")
    infer.add_argument("--profile", help=PROFILE_HELP)


def _why_parser(sub) -> None:
    why = sub.add_parser("why", help="explain a conclusion of a consultation")
    why.add_argument("case", help="a case file (.toml)")
    why.add_argument("item", help="a fact id (f12), or a muscle, exercise or finding id")
    why.add_argument("--rules", action="append", help="knowledge base (default: shipped)")
    why.add_argument("--profile", help=PROFILE_HELP)


def _why_not_parser(sub) -> None:
    why_not = sub.add_parser("why-not", help="explain why a muscle was not concluded, or an "
                             "exercise is not in the program")
    why_not.add_argument("case", help="a case file (.toml)")
    why_not.add_argument("state", choices=("overactive", "underactive", "exercise"))
    why_not.add_argument("muscle", help="a muscle (or, after 'exercise', an exercise) id or name")
    why_not.add_argument("--rules", action="append", help="knowledge base (default: shipped)")
    why_not.add_argument("--profile", help=PROFILE_HELP)


def _trace_parser(sub) -> None:
    trace = sub.add_parser("trace", help="replay a consultation step by step, in firing order")
    trace.add_argument("case", help="a case file (.toml)")
    trace.add_argument("--facts", action="store_true",
                       help="one line per fact instead of one block per firing")
    trace.add_argument("--show", type=_watches, metavar="facts,activations,rules",
                       help="the agenda as CLIPS `watch` prints it: facts entering working "
                            "memory, activations joining the agenda, each firing and why "
                            "it won (any of the three, comma-separated)")
    trace.add_argument("--format", choices=("text", "json"), default="text")
    trace.add_argument("--rules", action="append", help="knowledge base (default: shipped)")
    trace.add_argument("--profile", help=PROFILE_HELP)


def _test_parser(sub) -> None:
    test = sub.add_parser("test", help="run a knowledge base's tests: case files with "
                          "NAME.expected.json beside them")
    test.add_argument("paths", nargs="+", help="test folders or case files")
    test.add_argument("--rules", action="append", help="knowledge base (default: shipped)")
    test.add_argument("--profile", help=PROFILE_HELP)
    test.add_argument("--format", choices=("text", "json", "junit"), default="text")
    test.add_argument("-v", "--verbose", action="store_true", help="list the passing tests too")
    test.add_argument("-k", metavar="PATTERN", help="only the tests whose path contains PATTERN")
    test.add_argument("--watch", action="store_true", help="run the tests again whenever a "
                      "rule, case or expectation changes (Ctrl+C stops)")
    test.add_argument("--bless", action="store_true", help="rewrite a failing test's "
                      "expectation from today's output, for the keys it states (shown as a "
                      "diff)")


def _explain_parser(sub) -> None:
    explain = sub.add_parser("explain", help="what a diagnostic code means, with a bad and "
                             "a fixed example")
    explain.add_argument("code", help="a code such as E201 or W401")


def _kb_parser(sub) -> None:
    kb = sub.add_parser("kb", help="summarise a knowledge base")
    kb.add_argument("--rules", action="append", help="knowledge base (default: shipped)")
    kb.add_argument("--profile", help=PROFILE_HELP)
    kb.add_argument("--format", choices=("text", "json"), default="text")


def _lsp_parser(sub) -> None:
    sub.add_parser("lsp", help="run the language server for .cex files on stdin/stdout")


def add_check_options(check: argparse.ArgumentParser) -> None:
    check.add_argument("--strict", action="store_true",
                       help="also report the W4xx warnings of rules that are valid but "
                       "probably wrong")
    check.add_argument("--select", type=_codes, default=[],
                       help="only warnings whose code starts with one of these (W401,W40)")
    check.add_argument("--ignore", type=_codes, default=[],
                       help="leave out warnings whose code starts with one of these")


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def add_fmt_parser(sub) -> None:
    fmt = sub.add_parser("fmt", help="format rule files in the one canonical layout")
    fmt.add_argument("paths", nargs="*", help="rule files or directories (default: shipped)")
    mode = fmt.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="change nothing; exit 1 if a file is not formatted")
    mode.add_argument("--diff", action="store_true",
                      help="change nothing; print what formatting would change")


def add_refs_parser(sub) -> None:
    refs = sub.add_parser("refs", help="where a name is declared and every place it is used")
    refs.add_argument("name", help="an id, display name or alias")
    refs.add_argument("--rules", action="append", help="knowledge base (default: shipped)")


WATCHES = ("facts", "activations", "rules")


def _watches(text: str) -> tuple[str, ...]:
    chosen = tuple(w.strip() for w in text.split(",") if w.strip())
    unknown = [w for w in chosen if w not in WATCHES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown: {', '.join(unknown) or 'nothing given'} (choose from {', '.join(WATCHES)})")
    return chosen


DB_HELP = ("the client database: a URL (sqlite:///PATH, postgresql+psycopg://...) or a "
           "SQLite file (default: $CEXPERT_DB, else the user data folder)")


def _clients_parser(sub) -> None:
    """`cexpert clients ...` (the client database)."""
    clients = sub.add_parser("clients", help="the client database: list, show, history, "
                             "compare, export, import, note, clearance, photo, report")
    commands = clients.add_subparsers(dest="clients_command", parser_class=_Parser,
                                      required=True, metavar="COMMAND")

    def command(name: str, help: str, formats=("text", "json")) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help)
        parser.add_argument("--db", help=DB_HELP)
        parser.add_argument("--format", choices=formats, default=formats[0])
        return parser

    command("list", "every client, with visits and the latest date")
    command("show", "a client's details, clearances and visits").add_argument(
        "client", help="the client's id or the start of the name")
    command("history", "a client's visits in order: date, FMS, findings, referral, "
            "program").add_argument("client", help="the client's id or the start of the name")
    compare = command("compare", "compare two visits (default: the first and the latest)")
    compare.add_argument("client", help="the client's id or the start of the name")
    compare.add_argument("visit_a", nargs="?", help="a visit number or date")
    compare.add_argument("visit_b", nargs="?", help="a visit number or date")
    compare.add_argument("--rerun", action="store_true",
                         help="re-run both visits on today's knowledge base, and show what "
                              "today's rules change in each")
    compare.add_argument("--rules", action="append", help="knowledge base (default: shipped)")
    export = command("export", "a client's whole record as versioned JSON", ("json",))
    export.add_argument("client", help="the client's id or the start of the name")
    export.add_argument("-o", "--output", help="write to this file (default: stdout)")
    export.add_argument("--visits-as-toml", metavar="DIR",
                        help="also write each visit as a case file in DIR")
    imports = command("import", "case files (one, or a folder such as ./clients) and "
                      "exported records")
    imports.add_argument("paths", nargs="+", help="case files, exported .json records, folders")
    imports.add_argument("--trainer", help="the trainer recorded on imported visits "
                         "(default: your login name)")
    imports.add_argument("--rules", action="append", help="knowledge base (default: shipped)")
    note = command("note", "add a free-text note to a visit (closed visits too)")
    note.add_argument("client", help="the client's id or the start of the name")
    note.add_argument("visit", help="a visit number or date")
    note.add_argument("text", help="the note")
    note.add_argument("--author", help="who wrote it (default: your login name)")
    clearance = command("clearance", "record a clearance: what, by whom, when, scope")
    clearance.add_argument("client", help="the client's id or the start of the name")
    clearance.add_argument("what", help="what is cleared, e.g. pregnancy, 'PAR-Q+ 4', "
                           "'low back pain'")
    clearance.add_argument("--by", required=True, dest="by_whom",
                           help="who gave it, e.g. 'Dr Ruiz (physician)'")
    clearance.add_argument("--date", required=True, help="when it was given (YYYY-MM-DD)")
    clearance.add_argument("--scope", default="all exercise",
                           help="what it allows (default: all exercise)")
    photo = command("photo", "attach posture photos (JPEG, PNG or WebP, at most 10 MB) to "
                    "a visit (closed visits too); a view attached again is replaced")
    photo.add_argument("client", help="the client's id or the start of the name")
    photo.add_argument("visit", help="a visit number or date")
    for view in ("front", "side", "back"):
        photo.add_argument(f"--{view}", metavar="PATH", help=f"the {view} photo's file")
    report = command("report", "a progress report with a chart and the posture photos "
                     "(standalone HTML, or text)", ("html", "text"))
    report.add_argument("client", help="the client's id or the start of the name")
    report.add_argument("-o", "--output", help="write to this file (default: stdout)")


def _db_parser(sub) -> None:
    """`cexpert db upgrade` (the client database's schema)."""
    db = sub.add_parser("db", help="the client database's schema")
    db_commands = db.add_subparsers(dest="db_command", parser_class=_Parser, required=True,
                                    metavar="COMMAND")
    upgrade = db_commands.add_parser("upgrade", help="bring the schema to this cexpert's "
                                     "revision (on PostgreSQL: as the schema owner)")
    upgrade.add_argument("--db", help=DB_HELP)
    upgrade.add_argument("--trainers-role", default="cexpert_trainers",
                         help="PostgreSQL role whose members may use the tables "
                              "(default: cexpert_trainers)")


def main(argv: Sequence[str] | None = None) -> int:
    _never_fail_on_encoding()
    real_stderr = sys.stderr
    try:
        return _dispatch(argv)
    except BrokenPipeError:  # `cexpert trace case.toml | head` is not an error
        sys.stderr.close()
        return Exit.OK
    except Exception as error:  # a bug: say so in one line, keep the details
        sys.stderr = real_stderr
        return _report_bug(error)
    finally:
        sys.stderr = real_stderr
        gc.unfreeze()  # what a command froze is collectable again (main() run in-process)


def _never_fail_on_encoding() -> None:
    """Under any output encoding (`PYTHONIOENCODING=cp1252`, a C locale) a character
    the stream cannot encode, such as '→', is written as a backslash escape."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or detached stream
                reconfigure(errors="backslashreplace")


class _EscapingStream:
    """stderr with control characters escaped (newlines and tabs kept): messages
    quote user input, and ESC or BEL in a name must not drive the terminal."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        from cexpert.language.diagnostics import printable

        self.stream.write(printable(text, keep_newlines=True))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def _report_bug(error: Exception) -> int:
    """One line on stderr (it is a bug, where the traceback went); the traceback in a
    private file of the user log folder, since it may quote client data."""
    import traceback

    from cexpert.language import diagnostics as diag

    details = "".join(traceback.format_exception(error))
    where = _write_crash_report(details)
    summary = diag.printable(f"{type(error).__name__}: {error}")[:200]
    if where is None:
        sys.stderr.write(details)
        sys.stderr.write(f"cexpert: internal error (a bug in cexpert, not in your input): "
                         f"{summary}; the traceback is above\n")
    else:
        sys.stderr.write(f"cexpert: internal error (a bug in cexpert, not in your input): "
                         f"{summary}; details in {where}\n")
    return Exit.BUG


def _write_crash_report(details: str) -> str | None:
    import os
    import time

    from platformdirs import user_log_dir

    try:
        folder = user_log_dir("cexpert", appauthor=False, ensure_exists=False)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        name = time.strftime("crash-%Y%m%d-%H%M%S") + f"-{os.getpid()}.txt"
        path = os.path.join(folder, name)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(details)
        return path
    except OSError:
        return None


COMMANDS = ("check", "infer", "why", "why-not", "trace", "graph", "serve", "test", "kb",
            "fmt", "refs", "lsp", "explain", "clients", "db")


def build_tui_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cexpert", description="Open the consultation TUI.")
    parser.add_argument("case", nargs="?", help="a case file (.toml) to open or create")
    parser.add_argument("--clients", default="clients",
                        help="the folder of client case files (default: ./clients)")
    parser.add_argument("--rules", action="append", help="knowledge base (default: shipped)")
    parser.add_argument("--db", help=DB_HELP + "; the TUI lists its clients when given, or "
                        "when the default file exists")
    return parser


def _wants_tui(argv: Sequence[str]) -> bool:
    return not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"))


def _interactive() -> bool:
    """A terminal on both ends: only then can the TUI run."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _dispatch(argv: Sequence[str] | None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if not given and not _interactive():  # `cexpert | less`, scripts, CI: the usage
        build_parser().print_help()
        return Exit.OK
    if _wants_tui(given):
        tui_args = build_tui_parser().parse_args(given)
        if tui_args.case is not None and not tui_args.case.endswith(".toml"):
            build_tui_parser().error(f"unknown command or not a .toml case file: "
                                     f"'{tui_args.case}' (commands: {', '.join(COMMANDS)})")
        from cexpert.tui import run  # imported here: `import cexpert.cli` stays Textual-free

        return run(tui_args.case, tui_args.clients, tui_args.rules, tui_args.db)
    sys.stderr = _EscapingStream(sys.stderr)
    args = build_parser(given[0] if given and given[0] in COMMANDS else None
                        ).parse_args(given)
    if args.command == "check":
        from cexpert.cli.authoring import cmd_check

        if args.watch:
            from cexpert.cli.authoring import watch

            return watch(args.paths or [rules_dir()], lambda: cmd_check(args))
        return cmd_check(args)
    if args.command == "infer":
        from cexpert.cli.consult import cmd_infer

        return cmd_infer(args)
    if args.command in ("why", "why-not", "trace"):
        from cexpert.cli.consult import cmd_trace, cmd_why, cmd_why_not

        commands = {"why": cmd_why, "why-not": cmd_why_not, "trace": cmd_trace}
        return commands[args.command](args)
    if args.command == "serve":
        from cexpert.cli.serve import cmd_serve

        return cmd_serve(args)
    if args.command == "graph":
        from cexpert.cli.graph import cmd_graph

        return cmd_graph(args)
    if args.command == "test":
        from cexpert.cli.rules_test import cmd_test

        if args.watch:
            from cexpert.cli.authoring import watch

            return watch([*args.paths, *(args.rules or [rules_dir()])], lambda: cmd_test(args))
        return cmd_test(args)
    if args.command == "explain":
        from cexpert.authoring.codes import explain as explain_code

        text = explain_code(args.code)
        if text is None:
            sys.stderr.write(f"error: unknown code '{args.code}' (codes: E000-E303, W205-W407; "
                             "see docs/rule-language.md)\n")
            return Exit.USAGE
        print(text, end="")
        return Exit.OK
    if args.command == "lsp":
        from cexpert.authoring.lsp import serve

        return serve()
    if args.command == "refs":
        from cexpert.cli.authoring import cmd_refs

        return cmd_refs(args)
    if args.command == "fmt":
        from cexpert.cli.authoring import cmd_fmt

        return cmd_fmt(args)
    if args.command == "kb":
        from cexpert.cli.consult import cmd_kb

        return cmd_kb(args)
    if args.command in ("clients", "db"):  # SQLAlchemy loads only here (~0.3 s)
        from cexpert.cli.clients import cmd_clients, cmd_db

        return cmd_clients(args) if args.command == "clients" else cmd_db(args)
    build_parser().print_help()
    return Exit.OK


if __name__ == "__main__":
    sys.exit(main())
