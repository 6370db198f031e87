"""The footer, with the keys a trainer needs most never cut off at 80 columns.

Textual's Footer lists the focused widget's and the screen's keys, then the
app's, in binding order, and cuts what does not fit. Here the app's essential
keys (`keys.ESSENTIAL`: Program, Export, Save) come straight after the screen's
own keys, before the other app keys, so a narrow terminal cuts Help or Client
(still on F1, F3 and in the palette), never Save.

Textual recomposes the footer each time the bindings may have changed (every
focus change: six times while the first screen starts), and each recompose
styles its keys afresh (≈ 20 ms). Here the footer recomposes only when the keys it
would show differ from those on display.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from cexpert.tui.keys import ESSENTIAL

#: one key as the footer shows it: the binding, enabled, tooltip
Shown = tuple[Binding, bool, str]


class KeysFooter(Footer):
    _shown: tuple[Shown, ...] | None = None  # the keys on display (None: none composed)

    def keys_to_show(self) -> tuple[Shown, ...]:
        """The screen's own keys, the essential app keys, the other app keys, the palette."""
        active = self.screen.active_bindings
        own, app_keys, seen = [], [], set()
        for node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                (app_keys if node is self.app else own).append((binding, enabled, tooltip))
        essential = [k for k in app_keys if k[0].action in ESSENTIAL]
        rest = [k for k in app_keys if k[0].action not in ESSENTIAL]
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette:
            rest.append(palette[1:])  # last, in line (Textual docks it over the others)
        return (*own, *essential, *rest)

    def compose(self) -> ComposeResult:
        """The keys at once: Textual's footer waits for the screen's first bindings
        update, after the first frame, so the screen was painted twice to show them."""
        ordered = self.keys_to_show()
        self._shown = ordered
        self.styles.grid_size_columns = len(ordered)
        compact = "-compact" if self.compact else ""  # styled once, not again on binding
        for binding, enabled, tooltip in ordered:
            yield FooterKey(binding.key, self.app.get_key_display(binding),
                            binding.description, binding.action, disabled=not enabled,
                            tooltip=tooltip, classes=compact).data_bind(compact=Footer.compact)

    async def recompose(self) -> None:
        """Recompose only if other keys (or the same keys enabled otherwise) would show."""
        if self._shown is not None and self.is_attached and self.keys_to_show() == self._shown:
            return
        await super().recompose()
