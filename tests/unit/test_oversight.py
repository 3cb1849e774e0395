"""What an operator's cycle page tells: which nominations are overdue, whom each waits for,
grouped by person, each juror's panel load by name, and the proposal window in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.cycle import ProposalWindow
from domain.examples import example_cycle_config
from domain.nomination import Nomination
from domain.oversight import (
    Awaited,
    is_overdue,
    juror_loads,
    operated_cycles,
    operates,
    overdue_by_person,
    waits_for,
)
from domain.people import MINISTRY, Person, Seat
from domain.presentation import full_date, window_text
from domain.stages import Role, Stage
from tests.support import (
    CONFIG,
    NOW,
    OPERATOR,
    at_stage,
    fresh,
    nomination,
    proposer,
    withdrawal,
)

VERIFIERS = [
    Awaited(name="Rina Marlina", email="rina@example.id"),
    Awaited(name="Agus Salim", email="agus@example.id"),
]


def test_a_nomination_is_overdue_once_its_stage_deadline_has_passed() -> None:
    nom = nomination()
    assert nom.deadline is not None
    assert not is_overdue(nom, NOW)
    assert not is_overdue(nom, nom.deadline)
    assert is_overdue(nom, nom.deadline + timedelta(minutes=1))


def test_a_nomination_that_has_ended_is_never_overdue() -> None:
    nom = nomination()
    nom.apply(withdrawal(OPERATOR), NOW)
    assert nom.stage == Stage.WITHDRAWN
    assert not is_overdue(nom, NOW + timedelta(days=365))


def test_it_waits_for_the_people_asked_or_else_the_role_of_its_stage() -> None:
    assert waits_for(nomination()) == VERIFIERS

    returned = at_stage(Stage.REVISION_REQUESTED)
    assert [w.email for w in waits_for(returned)] == ["disperin.pekalongan@example.id"]

    no_offices = example_cycle_config("2026", staff=_staff_without_offices())
    unlisted = at_stage(Stage.REVISION_REQUESTED, config=no_offices)
    assert waits_for(unlisted) == [Awaited(name="Dinas Perindustrian pengusul")]
    assert waits_for(unlisted)[0].key == "role:Dinas Perindustrian pengusul"


def _staff_without_offices() -> dict[str, Any]:
    staff: dict[str, Any] = CONFIG.staff.model_dump(mode="json")
    staff["regional_offices"] = []
    return staff


def test_overdue_nominations_are_grouped_by_whom_they_wait_for() -> None:
    verifying = [nomination(0), nomination(1)]
    scoring = at_stage(Stage.PANEL_SCORING, 2)
    on_time = at_stage(Stage.TECHNICAL_ASSESSMENT, 3)
    late = [*verifying, scoring]
    now = max(n.deadline for n in late if n.deadline) + timedelta(seconds=1)
    assert on_time.deadline is not None and on_time.deadline > now

    groups = overdue_by_person([on_time, scoring, *verifying], now)

    by_name = {g.who.name: g for g in groups}
    assert [g.who for g in groups[:2]] == sorted(VERIFIERS, key=lambda w: w.name)
    assert by_name["Rina Marlina"].count == 2
    assert set(by_name["Rina Marlina"].nomination_ids) == {n.id for n in verifying}
    jurors = [g for g in groups if g.who.name not in ("Rina Marlina", "Agus Salim")]
    assert len(jurors) == len(scoring.panel)
    assert all(g.nomination_ids == [scoring.id] for g in jurors)
    assert on_time.id not in {i for g in groups for i in g.nomination_ids}


def test_the_longest_overdue_comes_first_within_a_group() -> None:
    first = nomination(0)
    p = fresh(1)
    second = Nomination.propose(p, CONFIG, proposer(p))
    second.start(NOW + timedelta(days=1))  # due a day later
    assert second.deadline is not None
    now = second.deadline + timedelta(days=1)
    (rina, *_) = [g for g in overdue_by_person([second, first], now) if g.who == VERIFIERS[0]]
    assert rina.nomination_ids == [first.id, second.id]


def test_juror_loads_carry_their_names_the_busiest_first() -> None:
    config = example_cycle_config("2026")
    loads = juror_loads({"juri.ani": 1, "juri.budi": 3, "juri.lama": 1, "juri.dewi": 3}, config)
    assert [(j.name, j.panels) for j in loads] == [
        ("Budi Santoso", 3),
        ("Dewi Lestari", 3),
        ("Ani Kusuma", 1),
        ("juri.lama", 1),  # no longer on the roster
    ]


def test_an_operator_operates_only_the_cycles_of_their_operator_seats() -> None:
    person = Person(
        email="sari@example.id",
        name="Sari Wulandari",
        seats=(
            Seat("2026", Role.OPERATOR, "op.sari", MINISTRY),
            Seat("2028", Role.VERIFIER, "op.sari", MINISTRY),
        ),
    )
    assert operates(person, "2026") and not operates(person, "2028")
    assert operated_cycles(person) == ["2026"]


def test_a_proposal_window_reads_in_formal_dates() -> None:
    window = ProposalWindow(opens=date(2026, 1, 5), closes=date(2026, 12, 31))
    assert window_text(window) == "5 Januari 2026 sampai dengan 31 Desember 2026"
    late_evening = datetime(2026, 1, 4, 18, 0, tzinfo=UTC)  # already 5 January in Jakarta
    assert full_date(late_evening) == "5 Januari 2026"
