"""The command line: `main` parses the arguments and hands each command to its module."""

from cexpert.cli.main import main

__all__ = ["main"]
