"""The people who move nominations on, simulated: verifiers, proposers, labs, jurors and
officials, each taking their decisions through `workflows.client.decide` as the API and
the `ovop` command do.

While workers die and servers restart, a decision may meet an error after the server
has taken it. The actors then send it again with the same update id, as a careful client
does: the server takes an update id once, so the decision counts once.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from domain.decisions import (
    Decision,
    DecisionResult,
    Resubmission,
    VerifyDecision,
    VerifyOutcome,
)
from domain.labs import route_lab
from domain.nomination import Nomination
from domain.proposal import Proposal
from domain.stages import Stage
from tests.support import (
    OPERATOR,
    VERIFIER,
    confirm,
    findings,
    passes,
    proposer,
    sheet,
    withdrawal,
)
from workflows.client import Handle, decide
from workflows.nomination import NominationWorkflow

T = TypeVar("T")


class Fate(StrEnum):
    """Where a nomination's people take it."""

    AWARDED = "awarded"
    REVISED_THEN_AWARDED = "revised_then_awarded"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    LAB_FAILS = "lab_fails"
    BELOW_STARS = "below_stars"
    EXPIRED = "expired"  # sent back for revision, and nobody resubmits it in time

    @property
    def stage(self) -> Stage:
        return {
            Fate.AWARDED: Stage.AWARDED,
            Fate.REVISED_THEN_AWARDED: Stage.AWARDED,
            Fate.REJECTED: Stage.REJECTED,
            Fate.WITHDRAWN: Stage.WITHDRAWN,
            Fate.LAB_FAILS: Stage.NOT_AWARDED,
            Fate.BELOW_STARS: Stage.NOT_AWARDED,
            Fate.EXPIRED: Stage.EXPIRED,
        }[self]

    def decisions(self, panel_size: int) -> int:
        """How many decisions its people take."""
        return {
            Fate.AWARDED: 3 + panel_size,
            Fate.REVISED_THEN_AWARDED: 5 + panel_size,
            Fate.REJECTED: 1,
            Fate.WITHDRAWN: 2,
            Fate.LAB_FAILS: 2,
            Fate.BELOW_STARS: 2 + panel_size,
            Fate.EXPIRED: 1,
        }[self]


def fates(count: int, rng: random.Random) -> list[Fate]:
    """Every ending represented; most nominations go all the way to an award."""
    few = [Fate.REVISED_THEN_AWARDED, Fate.REJECTED, Fate.WITHDRAWN, Fate.LAB_FAILS]
    plan = [f for f in few for _ in range(max(1, count // 12))]
    plan += [Fate.BELOW_STARS] * max(1, count // 12)
    plan += [Fate.AWARDED] * (count - len(plan))
    rng.shuffle(plan)
    return plan[:count]


@dataclass
class Actors:
    """Everyone who decides, sharing a count of the decisions taken (and re-sent)."""

    patience: float = 120.0  # seconds a decision may take through faults before the test fails
    taken: int = 0
    in_flight: int = 0  # decisions sent and not yet answered
    resent: int = 0
    done: set[str] = field(default_factory=set)  # "<nomination>/<step>" of each decision taken
    errors: Counter[str] = field(default_factory=Counter)  # what made a decision go again
    progress: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def decided(self, at_least: int) -> None:
        """Wait until this many decisions have been taken."""
        async with self.progress:
            await self.progress.wait_for(lambda: self.taken >= at_least)

    async def surely(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call, made again after an error on the way to the server (a worker or the
        server itself gone for a while) until `patience` runs out."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.patience
        while True:
            try:
                return await call()
            except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as error:
                self.errors[f"{type(error).__name__}: {error}"[:100]] += 1
                if loop.time() > give_up:
                    raise
                self.resent += 1
                await asyncio.sleep(0.2)  # a client's back-off before it tries again

    async def decide(self, handle: Handle, decision: Decision, step: str) -> DecisionResult:
        self.in_flight += 1
        try:
            result = await self.surely(lambda: decide(handle, decision, f"{handle.id}/{step}"))
        finally:
            self.in_flight -= 1
        async with self.progress:
            self.taken += 1
            self.done.add(f"{handle.id}/{step}")
            self.progress.notify_all()
        return result

    async def state(self, handle: Handle) -> Nomination:
        return await self.surely(lambda: handle.query(NominationWorkflow.state))

    async def drive(self, handle: Handle, p: Proposal, fate: Fate) -> None:
        """Take the decisions that bring a fresh nomination to its fate."""
        if fate == Fate.REJECTED:
            reason = "SK sentra tidak sah"
            reject = VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REJECT, reason=reason)
            await self.decide(handle, reject, "reject")
            return
        if fate in (Fate.REVISED_THEN_AWARDED, Fate.EXPIRED):
            reason = "lampirkan SK sentra yang dilegalisasi"
            revise = VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason=reason)
            await self.decide(handle, revise, "revise")
            if fate == Fate.EXPIRED:
                return  # the revision deadline's timer ends it
            again = Resubmission(actor=proposer(p), proposal=p, note="SK terlampir")
            await self.decide(handle, again, "resubmit")
        await self.decide(handle, passes(), "verify")
        if fate == Fate.WITHDRAWN:
            await self.decide(handle, withdrawal(OPERATOR), "withdraw")
            return
        lab = route_lab(p.product.commodity)
        if fate == Fate.LAB_FAILS:
            await self.decide(handle, findings(lab, 40, conforms=False), "assess")
            return
        await self.decide(handle, findings(lab, 85), "assess")
        nom = await self.state(handle)
        for juror in nom.panel:
            await self.decide(handle, sheet(juror, 30 if fate == Fate.BELOW_STARS else 85), juror)
        if fate == Fate.BELOW_STARS:
            return
        await self.decide(handle, confirm(), "award")
