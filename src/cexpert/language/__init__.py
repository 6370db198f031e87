"""The rule language: grammar, parser, syntax tree, checker, diagnostics, and the
checked knowledge base that the engine compiles."""
