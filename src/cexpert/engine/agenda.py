"""The agenda as recorded during a run, for teaching: plain frozen data, no Experta.

`compile.Engine.run(..., record=True)` fills a Recorder from the live agenda at
every firing (what was pending, in the strategy's order, and which criterion put
the chosen activation first); explain/agenda.py renders it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Activation:
    """A rule ready to fire on some facts, and what orders it on the agenda."""

    rule: str  # the DSL rule id
    facts: tuple[str, ...]  # the working facts it matched (fact ids, oldest first)
    stratum: int
    salience: int
    order: int  # knowledge-base order: file, then line


#: What put the chosen activation ahead of the next one, in the strategy's order.
CRITERIA = ("stratum", "salience", "order", "facts")


@dataclass(frozen=True)
class AgendaStep:
    """One firing as the engine saw it."""

    number: int
    memory: int  # how many facts of `Recording.memory` were in working memory
    agenda: tuple[Activation, ...]  # every activation pending, in firing order
    won_by: str | None  # a CRITERIA entry, "tie" (equal keys: Experta's order among
    # equals, e.g. two branches of one `or`), None when it was the only activation
    added: tuple[str, ...]  # the facts the firing declared into working memory
    concluded: tuple[str, ...]  # every fact it recorded (exclusions, notes too)

    @property
    def fired(self) -> Activation:
        return self.agenda[0]


@dataclass(frozen=True)
class Recording:
    """A recorded run: the facts in the order they entered working memory, the steps."""

    memory: tuple[str, ...]
    steps: tuple[AgendaStep, ...]


class Recorder:
    """Collects a Recording during a run (only when one is asked for)."""

    def __init__(self) -> None:
        self.memory: list[str] = []
        self.steps: list[AgendaStep] = []
        self.agenda: list = []  # the live agenda at the last update, next to fire last

    def step(self, added: Sequence[str], concluded: Sequence[str]) -> None:
        """The firing of the activation last on the live agenda: it declared `added`
        into working memory and recorded `concluded`."""
        pending = [a.cex for a in reversed(self.agenda)]
        won_by = None
        if len(self.agenda) > 1:
            chosen, runner_up = self.agenda[-1].key, self.agenda[-2].key
            won_by = next((c for c, x, y in zip(CRITERIA, chosen, runner_up, strict=True)
                           if x != y), "tie")
        self.steps.append(AgendaStep(len(self.steps) + 1, len(self.memory), tuple(pending),
                                     won_by, tuple(added), tuple(concluded)))
        self.memory.extend(added)

    def recording(self) -> Recording:
        return Recording(tuple(self.memory), tuple(self.steps))
