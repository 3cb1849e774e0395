"""How `decide` looks for what a decision set going: soon at first, then less often."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError

from domain.decisions import DecisionResult
from domain.stages import Stage
from workflows.client import LONGEST_PAUSE, before_deadline, look_pauses, settled

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
    """A handle whose `outcome` is settled after `looks` Queries, or from `at` (loop time)."""

    def __init__(self, looks: int, at: float = float("inf")) -> None:
        self.looks = looks
        self.at = at
        self.asked = 0

    async def query(self, _query: Any, rpc_timeout: timedelta) -> DecisionResult:
        self.asked += 1
        now = asyncio.get_running_loop().time()
        return GRANTED if self.asked >= self.looks or now >= self.at else TAKEN


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


async def test_a_time_shorter_than_the_first_pause_still_looks_once() -> None:
    nomination = Nomination(looks=1)
    result = await settled(nomination, TAKEN, timedelta(seconds=0.001))  # type: ignore[arg-type]
    assert result == GRANTED
    assert nomination.asked == 1


async def test_the_last_look_comes_at_the_end_of_the_time() -> None:
    # Settled only at the very end: between the pauses' looks, a last one must find it.
    within = 0.3
    nomination = Nomination(looks=10**6, at=asyncio.get_running_loop().time() + within)
    result = await settled(nomination, TAKEN, timedelta(seconds=within))  # type: ignore[arg-type]
    assert result == GRANTED


async def never_answered() -> DecisionResult:
    """An Update call that waits for ever and, cancelled, raises as the SDK's calls do."""
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        raise WorkflowUpdateRPCTimeoutOrCancelledError() from None
    raise AssertionError("unreachable")


async def test_an_answer_past_its_deadline_is_none() -> None:
    assert await before_deadline(timedelta(seconds=0.01), never_answered()) is None


async def test_a_cancellation_from_outside_is_not_taken_for_the_deadline() -> None:
    call = asyncio.create_task(before_deadline(timedelta(seconds=30), never_answered()))
    await asyncio.sleep(0.01)
    call.cancel()
    with pytest.raises(WorkflowUpdateRPCTimeoutOrCancelledError):
        await call
