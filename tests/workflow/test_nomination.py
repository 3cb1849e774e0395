"""NominationWorkflow on the time-skipping server: every terminal state, the revision loop,
deadlines, and refusals that leave no trace in the history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.decisions import AwardDecision, Resubmission, VerifyDecision, VerifyOutcome
from domain.errors import Refused
from domain.examples import example_cycle_config
from domain.labs import route_lab
from domain.nomination import Nomination
from domain.proposal import Proposal
from domain.scoring import SCALE_2013
from domain.stages import Role, Stage
from tests.support import (
    OFFICIAL,
    OPERATOR,
    VERIFIER,
    assert_no_trace,
    confirm,
    findings,
    fresh,
    history_events,
    juror,
    passes,
    proposer,
    sheet,
    started_on_results,
    withdrawal,
)
from tests.workflow.conftest import CONFIG, Calls, Handle, Nominations, state, to_panel
from workflows import names
from workflows.client import decide
from workflows.inputs import NominationInput
from workflows.nomination import NominationWorkflow
from workflows.refusals import refused_from


async def sleep_until(nominations: Nominations, moment: datetime) -> None:
    await nominations.env.sleep(moment - await nominations.env.get_current_time())


async def score_all(handle: Handle, value: float) -> None:
    for j in (await state(handle)).panel:
        await decide(handle, sheet(j, value))


@pytest.mark.parametrize(("score", "stars"), [(85, 3), (72, 2), (62, 1)])
async def test_awarded_at_each_star_level(
    nominations: Nominations, calls: Calls, score: float, stars: int
) -> None:
    handle, p = await nominations.start()
    await to_panel(handle, p)
    await score_all(handle, score)
    result = await decide(handle, confirm())

    assert result.stage == Stage.AWARDED
    assert result.certificate_number is not None
    summary = await handle.result()
    assert summary.stage == Stage.AWARDED
    assert summary.stars == stars
    assert summary.certificate_number == calls.certificates[handle.id]
    assert summary.final_score == round(0.8 * score + 0.2 * 85, 2)
    assert calls.stages(handle.id) == [
        "ADMIN_VERIFICATION",
        "TECHNICAL_ASSESSMENT",
        "PANEL_SCORING",
        "AWARD_DECISION",
        "AWARDED",
    ]
    assert calls.kinds(handle.id).count("scored") == 3
    assert calls.mail_to(handle.id, "awarded") == {
        str(p.proposing_office.contact.email),
        str(p.provincial_office.contact.email),
        str(p.ikm.owner.email),
    }


async def test_search_attributes_and_details_follow_each_decision(nominations: Nominations) -> None:
    handle, p = await nominations.start()
    await to_panel(handle, p)
    description = await handle.describe()
    attrs = description.typed_search_attributes
    nom = await state(handle)
    assert attrs.get(names.STAGE) == "PANEL_SCORING"
    assert attrs.get(names.CYCLE) == "2026"
    assert attrs.get(names.COMMODITY) == "kain_batik"
    assert attrs.get(names.PROVINCE) == "Jawa Tengah"
    assert attrs.get(names.REGENCY) == "Kota Pekalongan"
    assert attrs.get(names.LAB) == "BBSPJI_KERAJINAN_BATIK"
    assert attrs.get(names.DEADLINE) == nom.deadline
    assert attrs.get(names.SCORE) is None
    assert attrs.get(names.STARS) is None
    assert await description.static_summary() == (
        "OVOP 2026 · Batik Tulis Jlamprang · Kain Batik · Kota Pekalongan, Jawa Tengah"
    )

    for j in nom.panel:
        await decide(handle, sheet(j, 85))
    attrs = (await handle.describe()).typed_search_attributes
    assert attrs.get(names.STAGE) == "AWARD_DECISION"
    assert attrs.get(names.SCORE) == 85.0


async def test_five_star_scale_is_configuration_only(nominations: Nominations) -> None:
    config = example_cycle_config("2026", star_scale=SCALE_2013)
    handle, p = await nominations.start(config=config)
    await to_panel(handle, p)
    await score_all(handle, 95)
    await decide(handle, confirm())
    assert (await handle.result()).stars == 5


async def test_panel_score_below_the_lowest_threshold_is_not_awarded(
    nominations: Nominations, calls: Calls
) -> None:
    handle, p = await nominations.start()
    await to_panel(handle, p)
    await score_all(handle, 50)
    summary = await handle.result()
    assert summary.stage == Stage.NOT_AWARDED
    assert summary.final_score == 57.0
    assert calls.stages(handle.id)[-2:] == ["PANEL_SCORING", "NOT_AWARDED"]


async def test_lab_non_conformity_is_not_awarded(nominations: Nominations, calls: Calls) -> None:
    handle, p = await nominations.start(fresh(4))
    await decide(handle, passes())
    result = await decide(handle, findings(route_lab(p.product.commodity), 40, conforms=False))
    assert result.stage == Stage.NOT_AWARDED
    assert (await handle.result()).stage == Stage.NOT_AWARDED
    assert calls.stages(handle.id) == ["ADMIN_VERIFICATION", "TECHNICAL_ASSESSMENT", "NOT_AWARDED"]


async def test_official_overrides_with_a_reason(nominations: Nominations, calls: Calls) -> None:
    handle, p = await nominations.start()
    await to_panel(handle, p)
    await score_all(handle, 85)
    before = await history_events(handle)
    with pytest.raises(Refused) as refused:
        await decide(handle, AwardDecision(actor=OFFICIAL, override_stars=2), "override-1")
    assert refused.value.fields == ["reason"]
    await assert_no_trace(handle, before, ["override-1"])

    await decide(
        handle,
        AwardDecision(actor=OFFICIAL, override_stars=2, reason="mutu kemasan belum konsisten"),
    )
    summary = await handle.result()
    assert summary.stars == 2
    awarded = calls.records[-1].event
    assert awarded.kind.value == "awarded"
    assert awarded.facts["overridden"] is True
    assert awarded.reason == "mutu kemasan belum konsisten"


async def test_official_overrides_to_no_award(nominations: Nominations, calls: Calls) -> None:
    handle, p = await nominations.start()
    await to_panel(handle, p)
    await score_all(handle, 85)
    result = await decide(
        handle,
        AwardDecision(actor=OFFICIAL, override_stars=0, reason="produk tidak lagi diproduksi"),
    )
    assert result.stage == Stage.NOT_AWARDED
    assert (await handle.result()).stage == Stage.NOT_AWARDED
    assert handle.id not in calls.certificates


async def test_rejected_at_verification(nominations: Nominations, calls: Calls) -> None:
    handle, p = await nominations.start()
    reject = VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REJECT, reason="SK sentra palsu")
    assert (await decide(handle, reject)).stage == Stage.REJECTED
    assert (await handle.result()).stage == Stage.REJECTED
    assert calls.records[-1].event.reason == "SK sentra palsu"
    assert str(p.ikm.owner.email) in calls.mail_to(handle.id, "rejected")


async def test_revision_loop_then_award(nominations: Nominations, calls: Calls) -> None:
    handle, p = await nominations.start()
    revise = VerifyDecision(
        actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="lampirkan foto proses produksi"
    )
    assert (await decide(handle, revise)).stage == Stage.REVISION_REQUESTED
    corrected = p.model_copy(
        update={
            "product": p.product.model_copy(update={"description": "Batik tulis, foto terlampir."})
        }
    )
    resubmitted = await decide(
        handle, Resubmission(actor=proposer(p), proposal=corrected, note="foto ditambahkan")
    )
    assert resubmitted.stage == Stage.ADMIN_VERIFICATION
    assert (await state(handle)).proposal.product.description == "Batik tulis, foto terlampir."
    await to_panel(handle, p)
    await score_all(handle, 85)
    await decide(handle, confirm())
    assert (await handle.result()).stage == Stage.AWARDED
    assert calls.stages(handle.id)[:4] == [
        "ADMIN_VERIFICATION",
        "REVISION_REQUESTED",
        "ADMIN_VERIFICATION",
        "TECHNICAL_ASSESSMENT",
    ]


async def test_revision_limit_is_enforced(nominations: Nominations) -> None:
    config = example_cycle_config("2026", max_revisions=1)
    handle, p = await nominations.start(config=config)
    revise = VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="lengkapi data")
    await decide(handle, revise)
    await decide(handle, Resubmission(actor=proposer(p), proposal=p))
    with pytest.raises(Refused) as refused:
        await decide(handle, revise)
    assert refused.value.fields == ["outcome"]


async def test_missed_revision_deadline_expires(nominations: Nominations, calls: Calls) -> None:
    handle, _ = await nominations.start()
    revise = VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="lengkapi SK")
    await decide(handle, revise)
    revision = await state(handle)
    assert revision.deadline is not None
    await sleep_until(nominations, revision.deadline)
    summary = await handle.result()
    assert summary.stage == Stage.EXPIRED
    expired = calls.records[-1].event
    assert expired.kind.value == "expired"
    assert expired.actor.role == Role.SYSTEM
    assert revision.deadline is not None
    assert revision.deadline <= expired.at < revision.deadline + timedelta(seconds=1)


@pytest.mark.parametrize(
    "stage", ["ADMIN_VERIFICATION", "TECHNICAL_ASSESSMENT", "PANEL_SCORING", "AWARD_DECISION"]
)
async def test_withdrawn_at_any_open_stage(
    nominations: Nominations, calls: Calls, stage: str
) -> None:
    handle, p = await nominations.start()
    if stage != "ADMIN_VERIFICATION":
        await decide(handle, passes())
    if stage in ("PANEL_SCORING", "AWARD_DECISION"):
        await decide(handle, findings(route_lab(p.product.commodity)))
    if stage == "AWARD_DECISION":
        await score_all(handle, 85)
    assert (await state(handle)).stage == stage
    result = await decide(handle, withdrawal(proposer(p)))
    assert result.stage == Stage.WITHDRAWN
    assert (await handle.result()).stage == Stage.WITHDRAWN
    assert calls.records[-1].event.from_stage == stage


async def test_operator_may_withdraw(nominations: Nominations) -> None:
    handle, _ = await nominations.start()
    await decide(handle, withdrawal(OPERATOR, "permintaan tertulis pemerintah daerah"))
    assert (await handle.result()).stage == Stage.WITHDRAWN


async def test_panel_closes_at_the_deadline_with_quorum(
    nominations: Nominations, calls: Calls
) -> None:
    handle, p = await nominations.start()
    nom = await to_panel(handle, p)
    for j in nom.panel[: CONFIG.panel.quorum]:
        await decide(handle, sheet(j, 85))
    assert nom.deadline is not None
    await sleep_until(nominations, nom.deadline + timedelta(minutes=1))
    nom = await state(handle)
    assert nom.stage == Stage.AWARD_DECISION
    assert nom.result is not None
    assert len(nom.result.juror_totals) == CONFIG.panel.quorum


async def test_late_jurors_are_chased_and_a_late_quorum_closes_the_panel(
    nominations: Nominations, calls: Calls
) -> None:
    handle, p = await nominations.start()
    nom = await to_panel(handle, p)
    first, *late = nom.panel
    await decide(handle, sheet(first, 85))
    assert nom.deadline is not None
    await sleep_until(nominations, nom.deadline + timedelta(minutes=1))
    nom = await state(handle)
    assert nom.stage == Stage.PANEL_SCORING and nom.escalated
    late_mail = {str(j.email) for j in CONFIG.jurors if j.user_id in late}
    supervisor = str(CONFIG.staff.supervisors[Role.JUROR].email)
    assert await calls.mailed(handle.id, "escalated") == late_mail | {supervisor}
    reminded = calls.mail_to(handle.id, "reminded")
    assert reminded == late_mail, "a juror who has scored is not reminded"
    await decide(handle, sheet(late[0], 75))
    nom = await state(handle)
    assert nom.stage == Stage.AWARD_DECISION
    assert nom.events[-1].reason == "kuorum tercapai setelah batas waktu"


async def test_a_second_start_is_refused(nominations: Nominations) -> None:
    handle, p = await nominations.start()
    with pytest.raises(WorkflowAlreadyStartedError):
        await nominations.start(p)
    await decide(handle, withdrawal(proposer(p)))
    await handle.result()
    with pytest.raises(WorkflowAlreadyStartedError):
        await nominations.start(p)


async def test_ineligible_proposal_never_starts(nominations: Nominations) -> None:
    p = fresh(4)
    no_halal = p.model_copy(
        update={"product": p.product.model_copy(update={"permits": p.product.permits[:1]})}
    )
    with pytest.raises(Refused) as refused:
        await nominations.start(no_halal)
    assert refused.value.fields == ["product.permits"]


# --- refusals leave no trace ---------------------------------------------------------


def _refusals(p: Proposal, nom: Nomination) -> list[tuple[str, Any, str]]:
    """(update name, raw argument, field named in the refusal) for a nomination in panel scoring."""
    panelist = nom.panel[0]
    outsider = next(j.user_id for j in CONFIG.jurors if j.user_id not in nom.panel)
    good = sheet(panelist, 80).model_dump(mode="json")
    return [
        ("verify", passes().model_dump(mode="json"), "stage"),
        ("score", {**good, "actor": {**good["actor"], "role": "verifier"}}, "actor.role"),
        ("score", sheet(outsider, 80).model_dump(mode="json"), "actor.user_id"),
        ("score", {**good, "scores": {"local_resources": 80}}, "scores"),
        (
            "score",
            {**good, "scores": {**good["scores"], "market_potential": 150}},
            "scores.market_potential",
        ),
        ("score", {**good, "scores": "tinggi"}, "scores"),
        ("decide_award", confirm().model_dump(mode="json"), "stage"),
        ("withdraw", withdrawal(juror(panelist)).model_dump(mode="json"), "actor.role"),
        (
            "withdraw",
            {
                **withdrawal(proposer(p)).model_dump(mode="json"),
                "actor": {**proposer(p).model_dump(mode="json"), "institution": "Dinas Lain"},
            },
            "actor.institution",
        ),
    ]


async def test_refused_decisions_leave_the_history_unchanged(nominations: Nominations) -> None:
    handle, p = await nominations.start()
    nom = await to_panel(handle, p)
    before = await history_events(handle)
    ids = []
    for i, (update, arg, field) in enumerate(_refusals(p, nom)):
        ids.append(f"refused-{i}-{update}")
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update(update, arg, id=ids[-1], result_type=dict)
        refused = refused_from(failed.value)
        assert refused.problems[0].field == field, (update, arg, str(refused))
        assert str(refused), "a refusal must say what is wrong"
    await assert_no_trace(handle, before, ids)
    assert (await state(handle)).stage == Stage.PANEL_SCORING
    assert (await state(handle)).scores == {}


async def test_the_state_query_tells_everything(nominations: Nominations) -> None:
    handle, p = await nominations.start()
    nom = await to_panel(handle, p)
    assert nom.proposal == p
    assert nom.stage == Stage.PANEL_SCORING
    assert nom.findings is not None and nom.findings.report_number.startswith("LHU-")
    assert len(nom.panel) == CONFIG.panel.size
    kinds = [e.kind.value for e in nom.events]
    # The registry pre-check answers whenever it answers: its event may fall anywhere.
    assert kinds == [
        "proposed",
        "verified",
        "assessed",
        "panel_assigned",
    ]
    summary = await handle.query(NominationWorkflow.summary)
    assert summary.stage == Stage.PANEL_SCORING


async def test_each_event_goes_out_in_one_activity_started_by_what_made_it(
    nominations: Nominations, calls: Calls
) -> None:
    """Record, mail and webhooks of an event: one activity, started in the workflow task of
    the decision (or jurors, or deadline) that made the event. No activity's result starts
    anything on its own while a decision can be taken (sdk-python#1591, docs/faults.md)."""
    calls.subscribers.append("siinas")
    handle, p = await nominations.start()
    await to_panel(handle, p)
    await score_all(handle, 85)
    await decide(handle, confirm())
    await handle.result()

    events = await history_events(handle)
    seqs = [r.event.seq for r in calls.records if r.nomination.id == handle.id]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 9
    assert sorted(w.event.seq for w in calls.webhooks if w.nomination.id == handle.id) == seqs
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    assert scheduled.count("handle_event") == len(seqs)
    assert started_on_results(events) == []


async def test_a_nomination_started_before_the_rules_were_corrected_keeps_its_rules(
    nominations: Nominations,
) -> None:
    """Its start input has no `corrected_rules` (docs/versioning.md): the same-province
    conflict still holds for it, and its resubmissions' regency is not looked up. One
    started now runs under the corrected rules."""
    p = fresh(0)
    legacy = await nominations.client.start_workflow(
        NominationWorkflow.run,
        NominationInput(proposal=p, config=CONFIG, submitted_by=proposer(p)),
        id=f"sebelum-{p.ikm.nib}",
        task_queue=nominations.task_queue,
    )
    nominations.handles.append(legacy)
    before = await state(legacy)
    assert before.config.panel.same_province_conflict and not before.regency_checked

    now, _ = await nominations.start(fresh(1))
    after = await state(now)
    assert not after.config.panel.same_province_conflict and after.regency_checked
