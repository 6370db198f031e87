"""The screens of the consultation TUI, one module each, with their .tcss beside them."""
