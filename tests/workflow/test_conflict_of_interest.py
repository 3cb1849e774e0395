"""A juror's conflict of interest on the time-skipping server: the declaration is
recorded as a note, the operators hear of it, the juror's scores are refused, the panel
waits, and the operator's reassignment seats a juror whose score closes it."""

from __future__ import annotations

import pytest

from domain.decisions import ConflictDeclaration, JurorReassignment
from domain.errors import Refused
from domain.events import EventKind
from domain.stages import Stage
from tests.support import OPERATOR, juror, sheet
from tests.workflow.conftest import CONFIG, Calls, Nominations, state, to_panel
from workflows.client import decide


async def test_a_declared_conflict_is_recorded_and_the_reassignment_follows(
    nominations: Nominations, calls: Calls
) -> None:
    handle, p = await nominations.start()
    nom = await to_panel(handle, p)
    conflicted, *others = nom.panel
    await decide(handle, sheet(conflicted, 95))
    reason = "Pemilik IKM ini adalah saudara sepupu saya."
    said = await decide(handle, ConflictDeclaration(actor=juror(conflicted), reason=reason))
    assert said.stage == Stage.PANEL_SCORING and "konflik kepentingan" in said.message

    nom = await state(handle)
    declared = nom.events[-1]
    assert declared.kind == EventKind.CONFLICT_DECLARED and declared.reason == reason
    assert conflicted not in nom.scores and nom.conflicts_declared() == {conflicted: reason}
    operators = {str(o.email) for o in CONFIG.staff.operators}
    assert await calls.mailed(handle.id, "conflict_declared") == operators
    with pytest.raises(Refused) as refused:
        await decide(handle, sheet(conflicted, 90))
    assert refused.value.problems[0].field == "actor.user_id"

    for j in others:
        await decide(handle, sheet(j, 80))
    assert (await state(handle)).stage == Stage.PANEL_SCORING  # waits for the replacement

    await decide(handle, JurorReassignment(actor=OPERATOR, juror_id=conflicted, reason="konflik"))
    nom = await state(handle)
    assert conflicted in nom.dropped and not nom.conflicts_declared()
    replacement = next(j for j in nom.panel if j not in nom.scores)
    await decide(handle, sheet(replacement, 80))
    nom = await state(handle)
    assert nom.stage == Stage.AWARD_DECISION
    assert nom.result is not None and set(nom.result.juror_totals) == {*others, replacement}
    kinds = calls.kinds(handle.id)
    assert kinds.index("conflict_declared") < kinds.index("juror_reassigned")
