"""Load a knowledge base: find its files, parse them, check them.

A knowledge base is one or more `.cex` files or directories of them (read in
sorted order), plus the files they `include`. Reading a rule file never runs
code: it is parsed by the grammar and nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cexpert.language import syntax_tree as st
from cexpert.language.check import check
from cexpert.language.diagnostics import Diagnostic
from cexpert.language.knowledge import KnowledgeBase
from cexpert.language.parse import parse_text

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
         profile: str | None = None) -> Loaded:
    """Parse and check the knowledge base at `paths`; never raises for bad content.

    `profile` selects the table profile instead of the files' `setting profile`; it is
    part of the hash, since the same files give other conclusions under it."""
    diagnostics: list[Diagnostic] = []
    files: list[st.RuleFile] = []
    sources: dict[str, str] = {}
    queue = [(Path(p), None) for p in paths]
    roots = [Path(p) for p in paths]
    seen: set[Path] = set()
    while queue:
        path, included_at = queue.pop(0)
        for file in _expand(path, included_at, diagnostics):
            resolved = file.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            display = str(file)
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                diagnostics.append(Diagnostic("E000", f"cannot read {display}: {error}",
                                              included_at))
                continue
            parsed, problems = parse_text(text, display)
            sources[display] = parsed.source
            diagnostics.extend(problems)
            files.append(parsed)
            for statement in parsed.statements:
                if isinstance(statement, st.Include):
                    target = file.parent / statement.path.value
                    queue.append((target, statement.path.span))
    label = label or ", ".join(str(p) for p in paths)
    kb_hash = content_hash(files, roots)
    if profile:
        kb_hash = "sha256:" + hashlib.sha256(f"{kb_hash}\nprofile {profile}".encode()
                                             ).hexdigest()
    if any(d.is_error for d in diagnostics):
        return Loaded(None, tuple(diagnostics) + _beside_syntax_errors(
            files, diagnostics, label, kb_hash, profile), sources, tuple(files))
    kb, problems = check(files, label, kb_hash, profile)
    return Loaded(kb, tuple(diagnostics) + tuple(problems), sources, tuple(files))


def _beside_syntax_errors(files, diagnostics, label, kb_hash, profile
                          ) -> tuple[Diagnostic, ...]:
    """The check's errors in the files that parsed, so one syntax error does not hide
    the name errors of every other file. A name may be declared by the statement that
    failed to parse, so unknown names say so; the files with syntax errors get none."""
    broken = {d.span.file for d in diagnostics if d.is_error and d.span is not None}
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


def _expand(path: Path, included_at: st.Span | None, diagnostics: list[Diagnostic]):
    if path.is_dir():
        found = sorted(p for p in path.rglob(f"*{EXTENSION}") if p.is_file())
        if not found:
            diagnostics.append(Diagnostic("E000", f"no {EXTENSION} files in {path}",
                                          included_at))
        return found
    if path.is_file():
        return [path]
    diagnostics.append(Diagnostic("E000", f"no such file or directory: {path}", included_at))
    return []


def content_hash(files: Sequence[st.RuleFile], roots: Sequence[Path]) -> str:
    """sha256 over the sorted relative paths and contents: the same on any machine."""
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
