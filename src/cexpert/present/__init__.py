"""Renderings of a result for people: one document model, rendered as text, Markdown and HTML."""
