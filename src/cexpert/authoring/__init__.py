"""Tools for the experts who write the rules: tests of a knowledge base, the
formatter, lints and the language server."""
