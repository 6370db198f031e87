"""Widgets of the consultation TUI; each renders knowledge-base and user text as plain text."""
