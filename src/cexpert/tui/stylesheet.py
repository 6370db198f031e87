"""Textual's stylesheet with each CSS source parsed once per theme.

Textual 8.2 re-parses every source from scratch on each `reparse()` (a fresh
`Stylesheet`, an empty parse cache): once for the app, once per new screen's CSS
file, and again on each `refresh_css`, which also drops the cache even when the
theme's variables did not change. At start-up that was 56 parses of 30 sources,
half of them repeats. Here the parse cache survives a reparse and is cleared only
when the variables really change (a parse depends on nothing else: its key is the
source text, location, tie-breaker and scope).
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.css.stylesheet import Stylesheet

CACHE_SIZE = 512  # sources: every widget class's DEFAULT_CSS and our .tcss files


class ParsedOnceStylesheet(Stylesheet):
    def __init__(self, *, variables: dict[str, str] | None = None,
                 cache: LRUCache | None = None) -> None:
        super().__init__(variables=variables)
        self._parse_cache = cache if cache is not None else LRUCache(CACHE_SIZE)

    def set_variables(self, variables: dict[str, str]) -> None:
        """Unchanged variables (the same theme again) keep every parsed source."""
        if variables == self._variables:
            self._variables = variables
            return
        super().set_variables(variables)

    def copy(self) -> Stylesheet:
        stylesheet = ParsedOnceStylesheet(variables=self._variables.copy())
        stylesheet.source = self.source.copy()
        return stylesheet

    def reparse(self) -> None:
        """Textual's reparse (into a fresh stylesheet, so an error leaves this one
        intact), the fresh one sharing this one's parse cache."""
        fresh = ParsedOnceStylesheet(variables=self._variables, cache=self._parse_cache)
        for read_from, (css, is_defaults, tie_breaker, scope) in self.source.items():
            fresh.add_source(css, read_from=read_from, is_default_css=is_defaults,
                             tie_breaker=tie_breaker, scope=scope)
        try:
            fresh.parse()
        except Exception:
            self._invalid_css.update(fresh._invalid_css)
            raise
        self._rules = fresh.rules
        self._rules_map = None
        self.source = fresh.source
        self._require_parse = False
