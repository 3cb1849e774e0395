"""The worst a nomination's history can grow: every reminder sent at every stage and the
revision loop used to its limit, against the happy path. Temporal warns at 10,240 events
and stops a run at 51,200; a nomination must stay far below the first."""

from __future__ import annotations

from datetime import timedelta

from domain.decisions import Resubmission, VerifyDecision, VerifyOutcome
from domain.events import EventKind
from domain.labs import route_lab
from domain.stages import Stage
from tests.support import VERIFIER, confirm, findings, passes, proposer, sheet
from tests.workflow.conftest import CONFIG, Handle, Nominations, state
from workflows.client import decide

WARNING_THRESHOLD = 10_240


async def wait_out(nominations: Nominations, handle: Handle, *, keep_last: int = 0) -> None:
    """Let the current stage's plan run out: every reminder, the deadline, every overdue
    reminder (all but the last `keep_last` steps)."""
    nom = await state(handle)
    assert nom.plan is not None
    steps = nom.plan.steps[nom.plan.done :]
    target = steps[len(steps) - 1 - keep_last].at + timedelta(minutes=1)
    await nominations.env.sleep(target - await nominations.env.get_current_time())


async def test_worst_case_history_stays_far_below_the_limits(nominations: Nominations) -> None:
    happy, p = await nominations.start()
    await decide(happy, passes())
    await decide(happy, findings(route_lab(p.product.commodity)))
    for j in (await state(happy)).panel:
        await decide(happy, sheet(j, 85))
    await decide(happy, confirm())
    await happy.result()
    happy_events = len((await happy.fetch_history()).events)

    worst, p = await nominations.start()
    revise = VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="lengkapi")
    for _ in range(CONFIG.max_revisions):
        await wait_out(nominations, worst)
        await decide(worst, revise)
        await wait_out(nominations, worst, keep_last=1)  # every reminder, then just in time
        await decide(worst, Resubmission(actor=proposer(p), proposal=p))
    await wait_out(nominations, worst)
    await decide(worst, passes())
    await wait_out(nominations, worst)
    await decide(worst, findings(route_lab(p.product.commodity)))
    await wait_out(nominations, worst)
    for j in (await state(worst)).panel[: CONFIG.panel.quorum]:
        await decide(worst, sheet(j, 85))
    assert (await state(worst)).stage == Stage.AWARD_DECISION
    await wait_out(nominations, worst)
    await decide(worst, confirm())
    await worst.result()
    nom = await state(worst)
    worst_events = len((await worst.fetch_history()).events)
    reminders = sum(e.kind == EventKind.REMINDED for e in nom.events)

    print(
        f"\nhistory events per nomination: happy path {happy_events}, "
        f"worst path {worst_events} ({len(nom.events)} nomination events, {reminders} reminders, "
        f"{CONFIG.max_revisions} revisions); Temporal warns at {WARNING_THRESHOLD}"
    )
    assert nom.stage == Stage.AWARDED
    assert reminders >= 5 * 6  # five stages waited out, each with its ladder
    assert worst_events < WARNING_THRESHOLD // 4
