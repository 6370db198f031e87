"""Hypothesis strategies for rule-file text over the shipped knowledge base's own
vocabulary, written with the whitespace, comments and arrows authors vary."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as hs

from cexpert.language.load import load
from cexpert.resources import rules_dir


@cache
def vocabulary() -> dict[str, list[str]]:
    kb = load([rules_dir()]).kb
    assert kb is not None
    words = {kind: list(kb.of(kind)) for kind in ("finding", "muscle", "exercise", "condition",
                                                    "phase", "region", "assessment")}
    words["regional"] = [c for c, e in kb.of("condition").items() if e.flag("regional")]
    return words


def ids(kind: str):
    return hs.sampled_from(vocabulary()[kind])


spaces = hs.sampled_from([" ", "  ", "   ", "\t"])
indent = hs.sampled_from(["  ", "    ", "\t", "      ", " "])
comment = hs.sampled_from(["# a note", "#tight", "# with \"quotes\" and # hashes", "#"])
arrow = hs.sampled_from(["→", "->"])


@hs.composite
def joined(draw, words: list[str]) -> str:
    """Words with varied spaces between them."""
    out = words[0]
    for word in words[1:]:
        out += draw(spaces) + word
    return out


@hs.composite
def muscle_list(draw) -> str:
    muscles = draw(hs.lists(ids("muscle"), min_size=1, max_size=3, unique=True))
    sep = draw(hs.sampled_from([", ", ",", " , "]))
    return sep.join(muscles)


@hs.composite
def table_row(draw) -> str:
    state = draw(hs.sampled_from(["overactive", "underactive"]))
    row = draw(joined([draw(ids("finding")), draw(arrow), state, draw(muscle_list())]))
    if draw(hs.booleans()):
        row += f"\n{draw(indent)}source \"generated\""
    return row


@hs.composite
def condition(draw, depth: int = 0) -> str:
    atom = hs.one_of(ids("finding"), ids("condition").map(lambda c: f"condition {c}"),
                     hs.tuples(ids("regional"), ids("region")).map(
                         lambda cr: f"condition {cr[0]} at {cr[1]}"),
                     ids("assessment").map(lambda a: f"assessed {a}"),
                     ids("muscle").map(lambda m: f"evidence overactive {m} <= 1"))
    if depth >= 2 or draw(hs.booleans()):
        return draw(atom)
    left, right = draw(condition(depth + 1)), draw(condition(depth + 1))
    operator = draw(hs.sampled_from(["and", "or"]))
    text = f"{left} {operator} {right}"
    if draw(hs.booleans()):
        text = f"({text})"
    if draw(hs.booleans()):
        text = f"not {text}" if text.startswith("(") else f"not ({text})"
    return text


@hs.composite
def full_rule(draw, number: int) -> str:
    head = f"rule generated_{number} \"Rule {number}\""
    when = f"when {draw(condition())}"
    conclusions = hs.sampled_from([
        f"overactive {draw(muscle_list())}",
        f"exclude phase {draw(ids('phase'))} because \"a reason, with a comma\"",
        f"exclude phase {draw(ids('phase'))} at {draw(ids('region'))} because \"a region\"",
        f"prescribe {draw(ids('exercise'))}",
        "note \"see # not a comment\"",
        f"suggest test {draw(ids('assessment'))} with \"a support, a wall\" because \"why\"",
        f"suggest test {draw(ids('assessment'))} because \"why, with a comma\"",
    ])
    then = "then " + "; ".join(draw(hs.lists(conclusions, min_size=1, max_size=2)))
    parts = [head, when, then, 'source "generated"']
    breaks = draw(hs.lists(hs.booleans(), min_size=3, max_size=3))
    text = parts[0]
    for part, broken in zip(parts[1:], breaks, strict=True):
        if broken:
            if draw(hs.booleans()):
                text += f"  {draw(comment)}"
            text += "\n" + (f"{draw(comment)}\n" if draw(hs.booleans()) else "")
            text += draw(indent) + part
        else:
            text += draw(spaces) + part
    return text


@hs.composite
def rule_file(draw) -> str:
    """A rule file that parses: rows and rules between comments and blank lines."""
    statements = draw(hs.lists(hs.one_of(table_row(), hs.integers(0, 999).flatmap(full_rule)),
                               min_size=1, max_size=6))
    text = ""
    for statement in statements:
        text += draw(hs.sampled_from(["", "\n", "\n\n\n", f"{draw(comment)}\n",
                                      f"  {draw(comment)}\n"]))
        text += statement + draw(hs.sampled_from(["", "   ", f"  {draw(comment)}"])) + "\n"
    return 'source "generated file"\n' + text
