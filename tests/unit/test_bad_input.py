"""Bad input at the domain, generated: each proposal and decision is either accepted, and then
something every part of the engine can carry (JSON payloads, mail headers, PostgreSQL text),
or refused with every problem naming its field, in Indonesian. Nothing else ever happens.
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError

from activities.mail import MailRenderer, build_message
from bootstrap import plain_converter
from domain.decisions import (
    AssessmentFindings,
    AwardDecision,
    ConflictDeclaration,
    DeadlineExtension,
    JurorReassignment,
    Resubmission,
    ScoreSheet,
    VerifyDecision,
    Withdrawal,
)
from domain.eligibility import parse_proposal
from domain.errors import Problem, Refused, problems_from
from domain.events import NominationEvent
from domain.examples import example_proposals
from domain.nomination import Nomination
from domain.notifications import recipients_for
from domain.presentation import summarize
from domain.proposal import PreviousAward, Proposal
from domain.stages import Stage
from tests.strategies import CONFIG, broken_proposals, decisions
from tests.support import NOW, at_stage, proposer

MODELS: dict[str, type[BaseModel]] = {
    "verify": VerifyDecision,
    "resubmit": Resubmission,
    "assess": AssessmentFindings,
    "score": ScoreSheet,
    "decide_award": AwardDecision,
    "withdraw": Withdrawal,
    "extend_deadline": DeadlineExtension,
    "reassign_juror": JurorReassignment,
    "declare_conflict": ConflictDeclaration,
}
RENDERER = MailRenderer()


def assert_names_its_fields(
    problems: list[Problem], model: type[BaseModel], sent: object = None
) -> None:
    """Each problem names a field of the model, or one that was sent (one it does not know)."""
    known = {*model.model_fields, *(sent if isinstance(sent, dict) else ()), "(input)", "stage"}
    for problem in problems:
        assert problem.field.split(".")[0] in known, problem
        assert problem.message.strip(), problem
        assert "Traceback" not in problem.message


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in strings(k) + strings(v)]
    if isinstance(node, list | tuple):
        return [s for v in node for s in strings(v)]
    return []


def assert_carriable(model: BaseModel) -> None:
    """What was accepted can be sent as a Temporal payload and stored in PostgreSQL."""
    assert not [s for s in strings(model.model_dump(mode="json")) if "\x00" in s]
    [payload] = plain_converter().payload_converter.to_payloads([model])
    assert plain_converter().payload_converter.from_payloads([payload], [type(model)]) == [model]


def assert_mailable(nom: Nomination, event: NominationEvent) -> None:
    """Every stakeholder's mail for the event renders and builds (headers included)."""
    summary = summarize(nom)
    lab_address = nom.config.staff.lab_desk(nom.lab).address
    for r in recipients_for(nom, event):
        mail = RENDERER.letter(summary, event, r, lab_address)
        build_message("OVOP <ovop@example.id>", summary, event, r, mail).as_bytes()


@settings(max_examples=150)
@given(raw=broken_proposals())
def test_a_proposal_is_accepted_and_carried_or_refused_by_field(raw: dict[str, Any]) -> None:
    try:
        p = parse_proposal(raw)
    except Refused as refused:
        assert_names_its_fields(refused.problems, Proposal, raw)
        return
    assert_carriable(p)
    nom = Nomination.propose(p, CONFIG, proposer(p))
    nom.start(NOW)
    assert_mailable(nom, nom.events[0])


# The points of a nomination's life the generated decisions meet (built once: the rules'
# own builders take a few milliseconds each).
NOMINATIONS = {stage: at_stage(stage) for stage in (Stage.ADMIN_VERIFICATION, Stage.PANEL_SCORING)}
NOMINATIONS[Stage.REVISION_REQUESTED] = at_stage(Stage.REVISION_REQUESTED)
NOMINATIONS[Stage.TECHNICAL_ASSESSMENT] = at_stage(Stage.TECHNICAL_ASSESSMENT)
NOMINATIONS[Stage.AWARD_DECISION] = at_stage(Stage.AWARD_DECISION)


@settings(max_examples=300)
@given(decision=decisions, stage=st.sampled_from(sorted(NOMINATIONS)))
def test_a_decision_is_taken_and_carried_or_refused_by_field(
    decision: tuple[str, dict[str, Any]], stage: Stage
) -> None:
    update, body = decision
    model = MODELS[update]
    try:
        taken = model.model_validate(body)
    except ValidationError as error:
        assert_names_its_fields(problems_from(error), model, body)
        return
    assert_carriable(taken)
    nom = NOMINATIONS[stage].model_copy(deep=True)
    before = nom.model_dump_json()
    try:
        nom.check(taken)  # type: ignore[arg-type]
    except Refused as refused:
        assert_names_its_fields(refused.problems, model)
        assert nom.model_dump_json() == before
        return
    seen = len(nom.events)
    nom.apply(taken, NOW)  # type: ignore[arg-type]
    assert Nomination.model_validate_json(nom.model_dump_json()) == nom
    for event in nom.events[seen:]:
        assert_mailable(nom, event)


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("product.name", "Batik Tulis\nJlamprang"),  # a cell with Alt+Enter in a spreadsheet
        ("ikm.owner.name", "Ratna\u2028Dewi"),
        ("ikm.name", "Batik Bu Ratna\x00"),
        ("proposing_office.contact.name", "Kabid \u202eIndustri"),
        ("product.description", "Batik tulis\x00 pewarna alam"),
    ],
)
def test_hidden_characters_are_refused_naming_the_field(where: str, text: str) -> None:
    """Found by the property above: a line break in a name reached the mail's headers (the
    mail activity then failed at every retry, and the nomination waited forever), and a NUL
    reached the records, which PostgreSQL cannot store."""
    raw = example_proposals("2026")[0]
    node = raw
    *parents, last = where.split(".")
    for step in parents:
        node = node[step]
    node[last] = text
    with pytest.raises(Refused) as refused:
        parse_proposal(raw)
    assert refused.value.fields == [where]
    assert "karakter" in refused.value.problems[0].message


@pytest.mark.parametrize(
    ("model", "raw", "told"),
    [
        (Proposal, "cycle", "harus berupa tahun dengan empat angka (contoh: 2026)"),
        (PreviousAward, "cycle", "harus berupa tahun dengan empat angka (contoh: 2026)"),
    ],
)
def test_a_pattern_is_told_in_words(model: type[BaseModel], raw: str, told: str) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate({raw: "26"})
    problems = {p.field: p.message for p in problems_from(refused.value)}
    assert problems[raw] == told


def test_a_choice_pattern_is_told_as_its_choices() -> None:
    class Filter(BaseModel):
        status: Annotated[str, Field(pattern="^(pending|delivered|failed)$")]

    with pytest.raises(ValidationError) as refused:
        Filter(status="semua")
    [problem] = problems_from(refused.value)
    assert problem.message == "harus salah satu dari: 'pending', 'delivered' atau 'failed'"
