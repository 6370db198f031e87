"""Regenerate docs/screenshot.svg: the app on examples/runner.toml, overhead squat page.

    uv run python docs/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from cexpert.service import Service, load_kb
from cexpert.tui.app import make_app

HERE = Path(__file__).resolve().parent


async def main() -> None:
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    os.chdir(HERE.parent)  # the title shows the case path as a user would type it
    app = make_app(Service(load_kb().kb), case_path="examples/runner.toml", start="assess")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(1.0)
        await pilot.press("2")  # the overhead squat page
        await pilot.pause(1.0)  # the live conclusions are debounced
        app.save_screenshot(filename="screenshot.svg", path=str(HERE))


if __name__ == "__main__":
    asyncio.run(main())
