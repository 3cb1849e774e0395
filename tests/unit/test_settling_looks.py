"""How `decide` looks for what a decision set going: soon at first, then less often."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from typing import Any

from domain.decisions import DecisionResult
from domain.stages import Stage
from workflows.client import LONGEST_PAUSE, look_pauses, settled

TAKEN = DecisionResult(
    nomination_id="ovop-2026-x", stage=Stage.AWARD_DECISION, message="diproses", settling=True
)
GRANTED = TAKEN.model_copy(update={"settling": False, "certificate_number": "OVOP/2026/0001"})


def look_instants(count: int) -> list[float]:
    """When the first `count` looks come, in seconds after the decision's answer."""
    return list(itertools.accumulate(itertools.islice(look_pauses(), count)))


def test_the_looks_come_close_together_while_a_certificate_usually_comes() -> None:
    # An idle worker issues the number in about 25 ms (one activity, one workflow task):
    # four looks in the first 0.1 s, none more than 35 ms after the one before.
    early = [t for t in look_instants(20) if t <= 0.1]
    assert early[0] == 0.01
    assert len(early) == 4
    assert all(b - a <= 0.035 for a, b in itertools.pairwise([0.0, *early]))


def test_a_long_wait_is_asked_about_at_most_twice_a_second() -> None:
    pauses = list(itertools.islice(look_pauses(), 200))
    assert max(pauses) == LONGEST_PAUSE
    assert pauses == sorted(pauses)
    # 30 s (decide's default) of a certificate that never comes: about 70 looks, no more.
    assert sum(1 for t in look_instants(200) if t <= 30) <= 75


class Nomination:
    """A handle whose `outcome` is settled after `looks` Queries."""

    def __init__(self, looks: int) -> None:
        self.looks = looks
        self.asked = 0

    async def query(self, _query: Any, rpc_timeout: timedelta) -> DecisionResult:
        self.asked += 1
        return GRANTED if self.asked >= self.looks else TAKEN


async def test_the_settled_outcome_is_answered_at_the_look_that_finds_it() -> None:
    nomination = Nomination(looks=3)
    result = await settled(nomination, TAKEN, timedelta(seconds=5))  # type: ignore[arg-type]
    assert result == GRANTED
    assert nomination.asked == 3


async def test_after_its_time_the_decision_is_answered_as_taken_still_settling() -> None:
    nomination = Nomination(looks=10**6)
    loop = asyncio.get_running_loop()
    began = loop.time()
    result = await settled(nomination, TAKEN, timedelta(seconds=0.2))  # type: ignore[arg-type]
    assert result == TAKEN
    assert 0.2 <= loop.time() - began < 1.0
    assert 3 <= nomination.asked <= 10
