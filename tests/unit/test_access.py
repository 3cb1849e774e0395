"""Who may decide what: every decision, at every stage, by every role, assigned or not.

The table below is the rulebook's access rule written out on its own; the test walks all
its combinations (13 decisions x 7 roles x assigned or not, at 14 points of a nomination's
life) through `Nomination.check`, the function the workflow's update validators call, and
asserts that exactly the allowed ones pass, and that each refusal names a field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from domain.decisions import (
    SYSTEM,
    Actor,
    AwardDecision,
    ConflictDeclaration,
    DeadlineExtension,
    Decision,
    EndorseOutcome,
    JurorReassignment,
    ProvincialEndorsement,
    Resubmission,
    SampleReceipt,
    ScoreSheet,
    VerifyDecision,
    VerifyOutcome,
    VisitReport,
    VisitSchedule,
    Withdrawal,
)
from domain.errors import Refused
from domain.labs import Lab
from domain.nomination import OPEN_STAGES, Nomination
from domain.scoring import Criterion
from domain.stages import Role, Stage
from tests.support import (
    CONFIG,
    LAB_ASSESSOR,
    NOW,
    OFFICIAL,
    OPERATOR,
    VERIFIER,
    at_stage,
    confirm,
    findings,
    juror,
    proposer,
    visit_scheduled,
    withdrawal,
)

# The points of a nomination's life a decision may meet. "CERTIFICATE" is the award
# decided, its certificate number not issued yet: an open stage where nothing more is taken.
CERTIFICATE = "AWARD_DECISION, certificate pending"
POINTS = [*sorted(s.value for s in OPEN_STAGES), CERTIFICATE] + [
    s.value
    for s in (Stage.AWARDED, Stage.NOT_AWARDED, Stage.REJECTED, Stage.EXPIRED, Stage.WITHDRAWN)
]
OPEN = {s.value for s in OPEN_STAGES}


@dataclass(frozen=True)
class Rule:
    points: frozenset[str]  # where the decision may be taken
    roles: frozenset[Role]  # by whom, when assigned to this nomination


RULES = {
    "verify": Rule(frozenset({Stage.ADMIN_VERIFICATION.value}), frozenset({Role.VERIFIER})),
    "resubmit": Rule(frozenset({Stage.REVISION_REQUESTED.value}), frozenset({Role.PROPOSER})),
    "assess": Rule(frozenset({Stage.TECHNICAL_ASSESSMENT.value}), frozenset({Role.LAB_ASSESSOR})),
    "score": Rule(frozenset({Stage.PANEL_SCORING.value}), frozenset({Role.JUROR})),
    "award": Rule(frozenset({Stage.AWARD_DECISION.value}), frozenset({Role.OFFICIAL})),
    "withdraw": Rule(frozenset(OPEN), frozenset({Role.PROPOSER, Role.OPERATOR})),
    "extend": Rule(frozenset(OPEN), frozenset({Role.OPERATOR})),
    "reassign": Rule(frozenset({Stage.PANEL_SCORING.value}), frozenset({Role.OPERATOR})),
    "declare-conflict": Rule(frozenset({Stage.PANEL_SCORING.value}), frozenset({Role.JUROR})),
    "endorse": Rule(frozenset({Stage.PROVINCIAL_ENDORSEMENT.value}), frozenset({Role.PROPOSER})),
    "schedule-visit": Rule(frozenset({Stage.SITE_VISIT.value}), frozenset({Role.OPERATOR})),
    "report-visit": Rule(
        frozenset({Stage.SITE_VISIT.value}),
        frozenset({Role.VERIFIER, Role.OPERATOR, Role.JUROR}),
    ),
    "receive-sample": Rule(frozenset({Stage.SAMPLE_AWAITED.value}), frozenset({Role.LAB_ASSESSOR})),
}

# What a refusal may name, for each rule the decision breaks.
STAGE_FIELDS = {"stage"}
ROLE_FIELDS = {"actor.role"}
ASSIGNMENT_FIELDS = {"actor.user_id", "actor.institution"}


def nomination_at(point: str) -> Nomination:
    if point == Stage.SITE_VISIT.value:  # scheduled: its team may report it
        nom = at_stage(Stage.SITE_VISIT)
        nom.apply(visit_scheduled(), NOW)
        return nom
    if point in OPEN:
        return at_stage(Stage(point))
    if point in (CERTIFICATE, Stage.AWARDED.value):
        nom = at_stage(Stage.AWARD_DECISION)
        nom.apply(confirm(), NOW)
        if point == Stage.AWARDED.value:
            nom.grant("0001/OVOP/IKMA/2026", NOW)
        return nom
    if point == Stage.NOT_AWARDED.value:
        nom = at_stage(Stage.TECHNICAL_ASSESSMENT)
        nom.apply(findings(nom.lab, conforms=False), NOW)
    elif point == Stage.REJECTED.value:
        nom = at_stage(Stage.ADMIN_VERIFICATION)
        nom.apply(VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REJECT, reason="x"), NOW)
    elif point == Stage.EXPIRED.value:
        nom = at_stage(Stage.REVISION_REQUESTED)
        nom.take_due_steps(NOW + timedelta(days=120))
    else:
        nom = at_stage(Stage.ADMIN_VERIFICATION)
        nom.apply(withdrawal(OPERATOR), NOW)
    assert nom.stage.value == point
    return nom


def person(role: Role, assigned: bool, nom: Nomination) -> Actor:
    """Someone acting in `role`: the one this nomination has for it, or someone who is not."""
    match role:
        case Role.VERIFIER:
            return VERIFIER if assigned else VERIFIER.model_copy(update={"user_id": "verif.x"})
        case Role.PROPOSER:
            office = proposer(nom.proposal)
            other = "Dinas Perindustrian Kabupaten Lain"
            return office if assigned else office.model_copy(update={"institution": other})
        case Role.LAB_ASSESSOR:
            other_lab = next(lab for lab in Lab if lab != nom.lab)
            return LAB_ASSESSOR[nom.lab if assigned else other_lab]
        case Role.JUROR:
            on_panel = nom.panel or [j.user_id for j in CONFIG.jurors]
            team = nom.visit.team if nom.visit else []  # a site visit's jurors are its own
            off_panel = [j.user_id for j in CONFIG.jurors if j.user_id not in [*nom.panel, *team]]
            return juror(on_panel[0] if assigned else off_panel[0])
        case Role.OFFICIAL:
            return OFFICIAL if assigned else OFFICIAL.model_copy(update={"user_id": "sesditjen"})
        case Role.OPERATOR:
            return OPERATOR if assigned else OPERATOR.model_copy(update={"user_id": "op.x"})
        case Role.SYSTEM:
            return SYSTEM if assigned else SYSTEM.model_copy(update={"user_id": "mesin.lain"})


def on_panel(nom: Nomination) -> str:
    return nom.panel[0] if nom.panel else CONFIG.jurors[0].user_id


# Each decision, valid in every respect but who takes it and when.
MAKE: dict[str, Callable[[Actor, Nomination], Decision]] = {
    "verify": lambda a, nom: VerifyDecision(actor=a, outcome=VerifyOutcome.PASS),
    "resubmit": lambda a, nom: Resubmission(actor=a, proposal=nom.proposal),
    "assess": lambda a, nom: findings(nom.lab).model_copy(update={"actor": a}),
    "score": lambda a, nom: ScoreSheet(
        actor=a, scores=dict.fromkeys(Criterion, 80), comment="baik"
    ),
    "award": lambda a, nom: AwardDecision(actor=a),
    "withdraw": lambda a, nom: Withdrawal(actor=a, reason="IKM mengundurkan diri"),
    "extend": lambda a, nom: DeadlineExtension(actor=a, working_days=3, reason="sampel"),
    "reassign": lambda a, nom: JurorReassignment(
        actor=a, juror_id=on_panel(nom), reason="berhalangan"
    ),
    "declare-conflict": lambda a, nom: ConflictDeclaration(actor=a, reason="kerabat pemilik"),
    # The province's own office endorses: the proposer's seat, at its provincial office.
    "endorse": lambda a, nom: ProvincialEndorsement(
        actor=a.model_copy(update={"institution": nom.proposal.provincial_office.name})
        if a.institution == nom.proposal.proposing_office.name
        else a,
        outcome=EndorseOutcome.ENDORSE,
    ),
    "schedule-visit": lambda a, nom: VisitSchedule(
        actor=a, visit_on=NOW.date(), team=[VERIFIER.user_id, OPERATOR.user_id]
    ),
    "report-visit": lambda a, nom: VisitReport(
        actor=a,
        visited_on=NOW.date(),
        findings=dict.fromkeys(Criterion, "sesuai usulan"),
        summary="sentra aktif berproduksi",
    ),
    "receive-sample": lambda a, nom: SampleReceipt(
        actor=a, received_on=NOW.date(), received_by="petugas sampel"
    ),
}


def test_the_table_covers_every_decision_and_role() -> None:
    assert set(MAKE) == set(RULES)
    assert set(Decision.__args__) == {
        type(make(OPERATOR, at_stage(Stage.PANEL_SCORING))) for make in MAKE.values()
    }
    assert len(POINTS) == 14 and {r for rule in RULES.values() for r in rule.roles} < set(Role)


@pytest.mark.parametrize("point", POINTS)
def test_exactly_the_allowed_decisions_pass(point: str) -> None:
    nom = nomination_at(point)
    before = nom.model_dump_json()
    wrong, allowed = [], 0
    for name, rule in RULES.items():
        for role in Role:
            for assigned in (True, False):
                decision = MAKE[name](person(role, assigned, nom), nom)
                breaks = set()
                if point not in rule.points:
                    breaks |= STAGE_FIELDS
                if role not in rule.roles:
                    breaks |= ROLE_FIELDS
                elif not assigned:
                    breaks |= ASSIGNMENT_FIELDS
                try:
                    nom.check(decision)
                except Refused as refused:
                    if not breaks or refused.problems[0].field not in breaks:
                        wrong.append(f"{name} by {role} ({assigned=}): refused {refused}")
                    continue
                allowed += 1
                if breaks:
                    wrong.append(f"{name} by {role} ({assigned=}): allowed, breaks {breaks}")
    assert wrong == []
    assert nom.model_dump_json() == before  # checking decides nothing
    expected = sum(
        len(rule.roles) for rule in RULES.values() if point in rule.points
    )  # one assigned person per allowed role
    assert allowed == expected


def test_applying_a_refused_decision_changes_nothing() -> None:
    """`apply` checks again: a decision that slips past a stale check is still refused."""
    for point in (Stage.ADMIN_VERIFICATION.value, CERTIFICATE, Stage.WITHDRAWN.value):
        nom = nomination_at(point)
        before = nom.model_dump_json()
        for name, make in MAKE.items():
            for role in Role:
                decision = make(person(role, False, nom), nom)
                with pytest.raises(Refused):
                    nom.apply(decision, datetime(2026, 4, 2, 2, 0, tzinfo=NOW.tzinfo))
                assert nom.model_dump_json() == before, (name, role)
