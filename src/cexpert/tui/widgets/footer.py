"""The footer, with the keys a trainer needs most never cut off at 80 columns.

Textual's Footer lists the focused widget's and the screen's keys, then the
app's, in binding order, and cuts what does not fit. Here the app's essential
keys (`keys.ESSENTIAL`: Program, Export, Save) come straight after the screen's
own keys, before the other app keys, so a narrow terminal cuts Help or Client
(still on F1, F3 and in the palette), never Save.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from cexpert.tui.keys import ESSENTIAL


class KeysFooter(Footer):
    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
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
        ordered = own + essential + rest
        self.styles.grid_size_columns = len(ordered)
        for binding, enabled, tooltip in ordered:
            yield FooterKey(binding.key, self.app.get_key_display(binding),
                            binding.description, binding.action, disabled=not enabled,
                            tooltip=tooltip).data_bind(compact=Footer.compact)
