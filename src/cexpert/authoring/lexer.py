"""A Pygments lexer for `.cex` rule files, to highlight rules in documentation.

Keywords are coloured where they are keywords in the grammar's sense: the statement
words at the start of a line, the reserved words anywhere, the attribute names of a
declaration. Everything else that is a word is a name, as the checker reads it.
"""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text

STATEMENTS = ("assessment", "muscle", "finding", "condition", "equipment", "dysfunction",
              "exercise", "phase", "checkpoint", "limitation", "clinician", "region", "rule",
              "setting", "section", "source", "include", "extend")
RESERVED = ("and", "or", "not", "when", "then", "because", "source", "salience", "profile",
            "overactive", "underactive", "always", "is", "exclude", "substitute", "with",
            "prescribe", "refer", "hold", "program", "reassess", "note", "stop", "tagged", "set",
            "dose", "for", "referral", "pain", "cleared", "fms", "parq", "age", "target",
            "priority", "asymmetric", "followup", "by", "within", "months", "at", "of",
            "resolved", "persists", "new", "visits",
            "suggest", "test", "assessed", "evidence")
ATTRIBUTES = ("in", "view", "views", "checkpoint", "side", "sided", "aka", "region", "phase",
              "targets", "covers", "equipment", "position", "sets", "reps", "hold", "tempo",
              "substitutes", "tags", "integrates", "treats", "cap", "clears", "scored",
              "unilateral", "group", "statuses", "within", "regional", "measures", "setup",
              "cues", "feel", "mistake", "easier", "harder", "toward", "away")


class CexLexer(RegexLexer):
    name = "cexpert rules"
    aliases: ClassVar[list[str]] = ["cex", "cexpert"]
    filenames: ClassVar[list[str]] = ["*.cex"]

    tokens: ClassVar[dict] = {
        "root": [
            (r"#.*$", Comment.Single),
            (r'"(?:[^"\\\n]|\\.)*"', String.Double),
            (r"^(rule)(\s+)([A-Za-z][\w]*)", bygroups(Keyword.Declaration, Text,
                                                      Name.Function)),
            (r"^(extend)(\s+)(\w+)(\s+)(\w+)", bygroups(Keyword.Declaration, Text,
                                                       Keyword.Type, Text, Name.Constant)),
            (words(STATEMENTS, prefix=r"^", suffix=r"\b"), Keyword.Declaration),
            (words(RESERVED, suffix=r"\b"), Keyword),
            (words(ATTRIBUTES, suffix=r"\b"), Name.Attribute),
            (r"→|->", Operator),
            (r"<=|>=|==|!=|<|>|=", Operator),
            (r"[+-]?\d+(\.\d+)?", Number),
            (r"[,;:()]", Punctuation),
            (r"[A-Za-z](?:[A-Za-z0-9_'/]|-(?=[A-Za-z]))*", Name),
            (r"\s+", Text),
        ],
    }


def highlight_html(text: str) -> str:
    """Rule text as HTML with Pygments' classes (for the docs)."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter

    return highlight(text, CexLexer(), HtmlFormatter())
