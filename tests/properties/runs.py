"""The property runs' profile, seed and counts (one module, imported by conftest and tests).

`uv run pytest` runs the short profile (a few hundred consultations);
`CEXPERT_PROPERTIES=long uv run pytest tests/properties -q` the long one (10,000
generated consultations; `CEXPERT_PROPERTIES_EXAMPLES=N` another number).
`CEXPERT_PROPERTIES_SEED=N` replays a run's seed; the seed is printed on failure
and in the summary. Under pytest-xdist every worker derives the same seed from the
run's id, so one seed replays the whole run. `CEXPERT_PROPERTIES_PROGRESS=FILE`
keeps the counts so far in FILE.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("CEXPERT_PROPERTIES", "short")


def _seed() -> int:
    """The given seed, else one shared by the run's xdist workers, else a fresh one."""
    given = os.environ.get("CEXPERT_PROPERTIES_SEED")
    if given:
        return int(given)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run:
        return int(hashlib.sha256(run.encode()).hexdigest()[:8], 16)
    return random.SystemRandom().randrange(2**32)


SEED = _seed()
EXAMPLES = {"short": 100, "long": 10_000}
COUNT = int(os.environ.get("CEXPERT_PROPERTIES_EXAMPLES") or EXAMPLES[PROFILE])
#: A file to rewrite with the counts as a long run goes (CEXPERT_PROPERTIES_PROGRESS);
#: one per xdist worker (FILE.gw0, FILE.gw1, ...), since each counts its own tests.
PROGRESS = os.environ.get("CEXPERT_PROPERTIES_PROGRESS")
if PROGRESS and os.environ.get("PYTEST_XDIST_WORKER"):
    PROGRESS = f"{PROGRESS}.{os.environ['PYTEST_XDIST_WORKER']}"

settings.register_profile(
    "cexpert-properties", max_examples=COUNT, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: What the runs did, printed at the end (consultations, outputs, violations).
COUNTS: Counter[str] = Counter()


def report_progress(every: int = 25) -> None:
    """Rewrite the progress file every `every` consultations (a long run's counts)."""
    if PROGRESS and COUNTS["consultations"] % every == 0:
        lines = [f"profile {PROFILE}, seed {SEED}, {COUNT} wanted"]
        lines += [f"{value:>9,}  {key}" for key, value in sorted(COUNTS.items())]
        Path(PROGRESS).write_text("\n".join(lines) + "\n", encoding="utf-8")
