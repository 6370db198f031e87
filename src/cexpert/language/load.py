"""Load a knowledge base: find its files, parse them, check them.

A knowledge base is one or more `.cex` files or directories of them (read in
sorted order), plus the files they `include`. Reading a rule file never runs
code: it is parsed by the grammar and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from cexpert.language.diagnostics import Diagnostic
from cexpert.language.knowledge import KnowledgeBase
from cexpert.language.reading import RULE_FILE_LIMIT, ReadProblem, read_text
from cexpert.language.span import Span

if TYPE_CHECKING:  # parsing imports it: a load from the cache never builds a syntax tree
    from cexpert.language import syntax_tree as st

EXTENSION = ".cex"


@dataclass(frozen=True)
class Loaded:
    """The outcome of loading: a knowledge base if there were no errors."""

    kb: KnowledgeBase | None
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, str]  # display path -> text, for rendering diagnostics
    files: tuple[st.RuleFile, ...] = ()  # the syntax trees, for authoring tools (lints, lsp)

    @property
    def ok(self) -> bool:
        return self.kb is not None


def load(paths: Sequence[str | Path], label: str | None = None,
         profile: str | None = None, cache: bool = False) -> Loaded:
    """Parse and check the knowledge base at `paths`; never raises for bad content.

    Each path given is a root: what it includes must resolve (symlinks followed) to a
    file inside it, so a rule file never makes cexpert read anything else. `profile`
    selects the table profile instead of the files' `setting profile`; it is part of
    the hash, since the same files give other conclusions under it.

    With `cache`, a knowledge base checked before from the same files is taken from
    the user's cache (`kb_cache`: verified against every file's content; Lark and the
    checker are not even imported), and a fresh one is kept there. A cached load has
    no syntax trees (`files` is empty): authoring tools that need them load uncached."""
    from cexpert.language import kb_cache

    if cache:
        hit = kb_cache.read(paths, label, profile, rule_files)
        if hit is not None:
            (kb, diagnostics), sources = hit
            return Loaded(kb, diagnostics, sources, ())
    with kb_cache.paused_collector():  # parse trees and the KB are kept: collections only cost
        loaded = _load(paths, label, profile)
    if cache and loaded.kb is not None:
        roots = [(str(p), [str(f) for f in rule_files(Path(p)) or ()]) for p in paths]
        kb_cache.write(paths, label, profile, roots, loaded.sources,
                       (loaded.kb, loaded.diagnostics))
    return loaded


def rule_files(root: Path) -> list[Path] | None:
    """A root's rule files in the order loading reads them (includes aside), None if
    finding them had a problem: the cache keys on this listing, the bench reads it."""
    problems: list[Diagnostic] = []
    found = _expand(_Pending(root, _root_of(root), None, ()), problems)
    return None if problems else found


def _load(paths: Sequence[str | Path], label: str | None, profile: str | None) -> Loaded:
    from cexpert.language import syntax_tree as st
    from cexpert.language.check import check

    diagnostics: list[Diagnostic] = []
    files: list[st.RuleFile] = []
    sources: dict[str, str] = {}
    roots = [Path(p) for p in paths]
    queue = [_Pending(Path(p), _root_of(Path(p)), None, ()) for p in paths]
    seen: set[Path] = set()
    while queue:
        pending = queue.pop(0)
        for file in _expand(pending, diagnostics):
            resolved = file.resolve()
            if resolved in pending.chain:
                cycle = " → ".join(p.name for p in (*pending.chain, resolved))
                diagnostics.append(Diagnostic("E000", f"include cycle: {cycle}",
                                              pending.included_at,
                                              help="remove one of these includes"))
                continue
            if resolved in seen:  # included twice, not in a cycle: read once
                continue
            seen.add(resolved)
            display = str(file)
            parsed = _read(file, display, pending.included_at, diagnostics, sources)
            if parsed is None:
                continue
            files.append(parsed)
            for statement in parsed.statements:
                if isinstance(statement, st.Include):
                    queue.append(_Pending(file.parent / statement.path.value, pending.root,
                                          statement.path.span, (*pending.chain, resolved),
                                          statement.path.value))
    portable = label  # an explicit label (the shipped rules') is already portable
    label = label or ", ".join(str(p) for p in paths)
    kb_hash = content_hash(files, roots)
    if profile:
        import hashlib  # here, as in content_hash: a load from the cache hashes nothing here

        kb_hash = "sha256:" + hashlib.sha256(f"{kb_hash}\nprofile {profile}".encode()
                                             ).hexdigest()
    if any(d.is_error for d in diagnostics):
        return Loaded(None, tuple(diagnostics) + _beside_syntax_errors(
            files, diagnostics, label, kb_hash, profile), sources, tuple(files))
    kb, problems = check(files, label, kb_hash, profile)
    if kb is not None:
        kb = replace(kb, portable_path=portable or ", ".join(_name(p) for p in roots),
                     file_labels={f.path: _portable(f.path, roots) for f in files})
    return Loaded(kb, tuple(diagnostics) + tuple(problems), sources, tuple(files))


def _beside_syntax_errors(files, diagnostics, label, kb_hash, profile
                          ) -> tuple[Diagnostic, ...]:
    """The check's errors in the files that parsed, so one syntax error does not hide
    the name errors of every other file. A name may be declared by the statement that
    failed to parse, so unknown names say so; the files with syntax errors get none."""
    broken = {d.span.file for d in diagnostics if d.is_error and d.span is not None}
    from cexpert.language.check import check

    _, problems = check(files, label, kb_hash, profile)
    kept = []
    for d in problems:
        if not d.is_error or d.span is None or d.span.file in broken:
            continue
        if d.code == "E201":
            d = replace(d, notes=(*d.notes, "a statement with a syntax error may declare it: "
                                  + ", ".join(sorted(broken))))
        kept.append(d)
    return tuple(kept)


def _name(path: Path) -> str:
    return path.resolve().name or str(path)


def _portable(path: str, roots: Sequence[Path]) -> str:
    """A file's path relative to its root; with several roots, under the root's name."""
    relative = _relative(path, roots)
    if len(roots) < 2:
        return relative
    resolved = Path(path).resolve()
    for root in roots:
        base = root.resolve()
        if base.is_dir() and resolved.is_relative_to(base):
            return f"{_name(root)}/{relative}"
    return relative


@dataclass(frozen=True)
class _Pending:
    """A path still to read: the root it must stay inside, where it was included and
    the chain of files that led to it (to tell a cycle from a file included twice)."""

    path: Path
    root: Path
    included_at: Span | None
    chain: tuple[Path, ...]
    written: str | None = None  # the include's path as the rule file wrote it


def _root_of(path: Path) -> Path:
    """The folder a knowledge base path confines its includes to."""
    resolved = path.resolve()
    return resolved if resolved.is_dir() else resolved.parent


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root)


def _read(file: Path, display: str, included_at: Span | None,
          diagnostics: list[Diagnostic], sources: dict[str, str]) -> st.RuleFile | None:
    """Parse one file, or report why it cannot be read (with a caret at a bad byte)."""
    try:
        text = read_text(file, RULE_FILE_LIMIT, "rule file")
    except ReadProblem as problem:
        bad = problem.not_utf8
        if bad is None:
            diagnostics.append(Diagnostic("E000", f"cannot read {display}: {problem.message}",
                                          included_at))
            return None
        sources[display] = bad.text
        span = Span(display, bad.line, bad.column, bad.line, bad.column + 1)
        diagnostics.append(Diagnostic(
            "E000", f"this file is not UTF-8 text: byte 0x{bad.value:02x} cannot be decoded",
            span, help="save the file as UTF-8"))
        return None
    from cexpert.language.parse import parse_text

    parsed, problems = parse_text(text, display)
    sources[display] = parsed.source
    diagnostics.extend(problems)
    return parsed


def _expand(pending: _Pending, diagnostics: list[Diagnostic]) -> list[Path]:
    path, included_at = pending.path, pending.included_at
    if pending.included_at is not None and (
            Path(pending.written or "").is_absolute() or not _inside(path, pending.root)):
        diagnostics.append(Diagnostic(
            "E000", f"include {_quoted(pending.written or str(path))} is outside the "
            "knowledge base", included_at,
            help=f"an include names a file inside {pending.root.name or pending.root}/, "
            "relative to the including file"))
        return []
    try:
        if path.is_dir():
            found = sorted(p for p in path.rglob(f"*{EXTENSION}") if p.is_file())
            for outside in [p for p in found if not _inside(p, pending.root)]:
                diagnostics.append(Diagnostic(
                    "E000", f"{outside} links to a file outside the knowledge base "
                    f"({pending.root}); it is not read", included_at))
                found.remove(outside)
            if not found:
                diagnostics.append(Diagnostic("E000", f"no {EXTENSION} files in {path}",
                                              included_at))
            return found
        if path.exists():
            return [path]
    except OSError as error:
        diagnostics.append(Diagnostic("E000", f"cannot read {path}: "
                                      f"{error.strerror or error}", included_at))
        return []
    diagnostics.append(Diagnostic("E000", f"no such file or directory: {path}", included_at))
    return []


def _quoted(path: str) -> str:
    """A path as the rule file wrote it (the renderer escapes control characters)."""
    return f'"{path}"'

def content_hash(files: Sequence[st.RuleFile], roots: Sequence[Path]) -> str:
    """sha256 over the sorted relative paths and contents: the same on any machine."""
    import hashlib  # parsing only: kb_cache hashes without loading OpenSSL

    digest = hashlib.sha256()
    for relative, text in sorted((_relative(f.path, roots), f.source) for f in files):
        digest.update(relative.encode())
        digest.update(b"\0")
        digest.update(text.encode())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def _relative(path: str, roots: Sequence[Path]) -> str:
    resolved = Path(path).resolve()
    for root in roots:
        base = root.resolve()
        base = base if base.is_dir() else base.parent
        try:
            return resolved.relative_to(base).as_posix()
        except ValueError:
            continue
    return Path(path).name
