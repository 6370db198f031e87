"""Fixtures for the property runs and their counts at the end (see runs.py)."""

from __future__ import annotations

import pytest
from consultations import Vocabulary
from runs import COUNTS, PROFILE, SEED

from cexpert.service import Service


@pytest.fixture(scope="session")
def shipped() -> Service:
    return Service.open()


@pytest.fixture(scope="session")
def words(shipped: Service) -> Vocabulary:
    return Vocabulary.of(shipped.kb)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under xdist, hand this worker's counts to the controller (tests/conftest.py)."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None and COUNTS:
        output["cexpert_properties"] = (f"{PROFILE}, seed {SEED}", dict(COUNTS))


def pytest_terminal_summary(terminalreporter) -> None:
    if not COUNTS:
        return
    terminalreporter.section(f"consultation properties ({PROFILE}, seed {SEED})")
    for key, value in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{value:>9,}  {key}")
