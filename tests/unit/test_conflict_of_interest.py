"""A juror on the panel declares a conflict of interest: it is noted, they score no more,
the panel waits, and the cycle's operators are asked (by letter and by a task) to replace
them; once replaced, the task is gone from both."""

from __future__ import annotations

from itertools import pairwise

import pytest

from domain.decisions import ConflictDeclaration, DecisionResult, JurorReassignment
from domain.errors import RefusalKind, Refused
from domain.events import EventKind
from domain.nomination import Nomination
from domain.notifications import Audience, asks_to_act, recipients_for
from domain.people import find_person
from domain.rubric import BANDS, rubric
from domain.scoring import Criterion
from domain.stages import Role, Stage
from domain.tasks import looked_for, people_asked, task_of
from tests.support import CONFIG, NOW, OPERATOR, at_stage, juror, sheet

OPERATOR_EMAIL = "sari@example.id"


def email_of(user_id: str) -> str:
    return str(next(j.email for j in CONFIG.jurors if j.user_id == user_id))


def declared(
    reason: str = "Pemilik IKM ini kerabat saya.",
) -> tuple[Nomination, str, DecisionResult]:
    nom = at_stage(Stage.PANEL_SCORING)
    first = nom.panel[0]
    nom.apply(sheet(first, 90), NOW)
    result = nom.apply(ConflictDeclaration(actor=juror(first), reason=reason), NOW)
    return nom, first, result


def test_a_declaration_is_noted_without_moving_the_stage_and_drops_the_score() -> None:
    nom, first, result = declared()
    event = nom.events[-1]
    assert event.kind == EventKind.CONFLICT_DECLARED and not event.is_transition
    assert event.reason == "Pemilik IKM ini kerabat saya."
    assert event.facts["juror"] == first and event.facts["score_dropped"] is True
    assert nom.stage == Stage.PANEL_SCORING and first not in nom.scores
    assert nom.conflicts_declared() == {first: "Pemilik IKM ini kerabat saya."}
    assert "operator diminta" in result.message


def test_a_juror_who_declared_may_not_score_nor_declare_again() -> None:
    nom, first, _ = declared()
    with pytest.raises(Refused) as scoring:
        nom.check(sheet(first, 80))
    assert scoring.value.problems[0].field == "actor.user_id"
    assert scoring.value.kind == RefusalKind.ACCESS
    with pytest.raises(Refused) as again:
        nom.check(ConflictDeclaration(actor=juror(first), reason="lagi"))
    assert again.value.problems[0].field == "actor.user_id"
    assert again.value.kind == RefusalKind.CONFLICT


def test_only_a_juror_on_the_panel_declares_and_only_while_it_scores() -> None:
    nom = at_stage(Stage.PANEL_SCORING)
    outsider = next(j.user_id for j in CONFIG.jurors if j.user_id not in nom.panel)
    with pytest.raises(Refused) as off_panel:
        nom.check(ConflictDeclaration(actor=juror(outsider), reason="kerabat"))
    assert off_panel.value.problems[0].field == "actor.user_id"
    with pytest.raises(Refused) as by_operator:
        nom.check(ConflictDeclaration(actor=OPERATOR, reason="kerabat"))
    assert by_operator.value.problems[0].field == "actor.role"
    later = at_stage(Stage.AWARD_DECISION)
    with pytest.raises(Refused) as closed:
        later.check(ConflictDeclaration(actor=juror(later.panel[0]), reason="kerabat"))
    assert closed.value.problems[0].field == "stage"


def test_the_panel_waits_for_the_replacement_and_closes_with_its_score() -> None:
    nom, first, _ = declared()
    for j in nom.panel[1:]:
        nom.apply(sheet(j, 80), NOW)
    assert nom.waiting_for() == Role.JUROR  # the declared juror's place is still open
    nom.apply(JurorReassignment(actor=OPERATOR, juror_id=first, reason="konflik"), NOW)
    replacement = next(j for j in nom.panel if j not in nom.scores)
    assert replacement != first and not nom.conflicts_declared()
    nom.apply(sheet(replacement, 80), NOW)
    assert nom.waiting_for() == Role.OFFICIAL
    assert nom.result is not None and first not in nom.result.juror_totals
    seated = find_person([CONFIG], email_of(replacement))
    assert seated is not None
    closed = task_of(seated, nom)  # theirs to read the panel's scores, nothing to do
    assert closed is not None and closed.done and closed.deadline is None
    assert seated not in people_asked(nom)


def test_the_operators_are_written_to_and_asked_to_replace_the_juror() -> None:
    nom, _, _ = declared()
    to = recipients_for(nom, nom.events[-1])
    assert [(r.email, r.audience) for r in to] == [(OPERATOR_EMAIL, Audience.OPERATOR)]
    assert asks_to_act(nom.events[-1], to[0])


def test_the_operator_holds_a_replacement_task_until_the_juror_is_replaced() -> None:
    nom, first, _ = declared()
    operator = find_person([CONFIG], OPERATOR_EMAIL)
    conflicted = find_person([CONFIG], email_of(first))
    assert operator is not None and conflicted is not None
    task = task_of(operator, nom)
    assert task is not None and task.command == "reassign" and task.title == "Penggantian juri"
    assert {"stage": Stage.PANEL_SCORING.value, "cycle": "2026"} in looked_for(operator.seats[0])
    theirs = task_of(conflicted, nom)
    assert theirs is not None and theirs.done and theirs.conflict_declared
    assert conflicted not in people_asked(nom) and operator in people_asked(nom)

    nom.apply(JurorReassignment(actor=OPERATOR, juror_id=first, reason="konflik"), NOW)
    assert task_of(operator, nom) is None
    assert task_of(conflicted, nom) is None  # off the panel


def test_no_operator_task_without_a_declaration() -> None:
    operator = find_person([CONFIG], OPERATOR_EMAIL)
    assert operator is not None
    assert task_of(operator, at_stage(Stage.PANEL_SCORING)) is None


@pytest.mark.parametrize("criterion", list(Criterion))
def test_each_criterion_s_rubric_covers_every_score_once(criterion: Criterion) -> None:
    bands = rubric(criterion)
    assert [(b.low, b.high) for b in bands] == list(BANDS)
    assert bands[0].low == 0 and bands[-1].high == 100
    assert all(b.high + 1 == c.low for b, c in pairwise(bands))
    assert len({b.meaning for b in bands}) == len(bands)
