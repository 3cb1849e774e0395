"""The registry pre-check runs beside verification and never holds it up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from domain.decisions import Resubmission, VerifyDecision, VerifyOutcome
from domain.events import EventKind
from domain.nomination import Nomination
from domain.presentation import current_details
from domain.registry import CheckStatus
from domain.stages import Stage
from tests.conftest import skip
from tests.support import VERIFIER, eventually, passes, proposer
from tests.workflow.conftest import Calls, Handle, Nominations
from workflows.client import decide
from workflows.nomination import NominationWorkflow


async def state(handle: Handle) -> Nomination:
    return await handle.query(NominationWorkflow.state)


async def test_a_registry_that_is_down_delays_the_precheck_not_the_nomination(
    nominations: Nominations, calls: Calls
) -> None:
    calls.registry_down = True
    handle, _ = await nominations.start()
    nom = await state(handle)
    assert nom.registry is not None and nom.registry.status == CheckStatus.PENDING
    assert "menunggu jawaban registri" in current_details(nom)

    # The verifier decides before the registry answers.
    result = await decide(handle, passes())
    assert result.stage == Stage.TECHNICAL_ASSESSMENT

    calls.registry_down = False
    await skip(nominations.env, timedelta(minutes=15))  # the activity's next retry comes

    async def answered() -> Nomination | None:
        nom = await state(handle)
        done = nom.registry is not None and nom.registry.status == CheckStatus.DONE
        return nom if done else None

    nom = await eventually(answered, "the registry's answer")
    assert nom.registry is not None and nom.registry.outcome == "perlu_diperiksa"
    # Its findings are in the state and the details; an activity's answer starts nothing,
    # no event (NominationWorkflow's docstring).
    assert [e.kind for e in nom.events] == [EventKind.PROPOSED, EventKind.VERIFIED]


async def test_each_resubmission_is_checked_again(nominations: Nominations, calls: Calls) -> None:
    handle, p = await nominations.start()

    def done(revision: int) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            found = (await state(handle)).registry
            return found is not None and found.revision == revision and found.status == "done"

        return check

    await eventually(done(0), "the pre-check of the proposal")
    await decide(handle, VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="SK"))
    await decide(handle, Resubmission(actor=proposer(p), proposal=p, note="SK dilampirkan"))
    await eventually(done(1), "the pre-check of the resubmitted proposal")
    assert [c.revision for c in calls.registry_checks if c.proposal.ikm.nib == p.ikm.nib] == [0, 1]
