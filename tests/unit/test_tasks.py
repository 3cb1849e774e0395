"""Who may sign in to the inbox (domain/people.py) and whose task a nomination holds
(domain/tasks.py): the rules every page of the inbox, and `make run`'s banner, call."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.examples import example_cycle_config
from domain.nomination import Nomination
from domain.people import Person, find_person, listed_emails
from domain.stages import Role, Stage
from domain.tasks import looked_for, people_asked, task_of, working_days_left
from tests.support import NOW, VERIFIER, at_stage, sheet, visit_scheduled

CONFIG = example_cycle_config("2026")


def command(email: str, nom: Nomination) -> str | None:
    task = task_of(person(email), nom)
    return task.command if task else None


def person(email: str) -> Person:
    found = find_person([CONFIG], email)
    assert found is not None, email
    return found


def test_people_are_found_by_address_in_every_place_they_are_listed() -> None:
    rina = person("  RINA@example.id ")
    assert rina.email == "rina@example.id" and rina.name == "Rina Marlina"
    assert [(s.role, s.user_id, s.institution) for s in rina.seats] == [
        (Role.VERIFIER, "verif.rina", "Ditjen IKMA")
    ]
    assessor = person("penilai1.kb@example.id")
    assert assessor.seats[0].lab is not None and assessor.seats[0].role == Role.LAB_ASSESSOR
    office = person("disperin.pekalongan@example.id")
    seat = office.seats[0]
    assert (seat.role, seat.regency) == (Role.PROPOSER, "Kota Pekalongan")
    juror = person("juri_yohanes@example.id")
    assert juror.zone.value == "WITA"  # Nusa Tenggara Timur: his deadlines read in WITA


def test_a_desk_or_a_stranger_is_no_one() -> None:
    assert find_person([CONFIG], "verifikasi.ovop@example.id") is None  # the verification desk
    assert find_person([CONFIG], "bbspji-kb@example.id") is None  # a lab's desk
    assert find_person([CONFIG], "orang.lain@example.id") is None


def test_each_open_stage_is_the_task_of_its_people_and_no_one_else() -> None:
    verifying = at_stage(Stage.ADMIN_VERIFICATION)  # Pekalongan's batik
    assert command("rina@example.id", verifying) == "verify"
    assert task_of(person("agus@example.id"), verifying) is not None
    for other in ("dirjen.ikma@example.id", "disperin.pekalongan@example.id", "sari@example.id"):
        assert task_of(person(other), verifying) is None

    returned = at_stage(Stage.REVISION_REQUESTED)
    assert command("disperin.pekalongan@example.id", returned) == "resubmit"
    assert task_of(person("disperin.bantul@example.id"), returned) is None  # another office

    assessing = at_stage(Stage.TECHNICAL_ASSESSMENT)
    assert command("penilai1.kb@example.id", assessing) == "assess"
    assert task_of(person("penilai1.agro@example.id"), assessing) is None  # another lab

    deciding = at_stage(Stage.AWARD_DECISION)
    assert command("dirjen.ikma@example.id", deciding) == "award"
    by_decree = CONFIG.model_copy(
        update={"plenary": CONFIG.plenary.model_copy(update={"by_decree": True})}
    )
    assert (
        task_of(person("dirjen.ikma@example.id"), at_stage(Stage.AWARD_DECISION, config=by_decree))
        is None
    )


def test_a_juror_s_task_is_on_their_own_panel_and_stays_theirs_to_revise() -> None:
    nom = at_stage(Stage.PANEL_SCORING)
    seated = [
        e
        for e in listed_emails(CONFIG)
        if (p := find_person([CONFIG], e)) and any(s.user_id in nom.panel for s in p.seats)
    ]
    assert len(seated) == len(nom.panel)
    first = person(seated[0])
    assert (task_of(first, nom) or pytest.fail()).done is False
    nom.apply(sheet(first.seats[0].user_id, 80), NOW)
    assert (
        task_of(first, nom) or pytest.fail()
    ).done is True  # scored: still theirs until the panel closes
    outsiders = [e for e in listed_emails(CONFIG) if e.startswith("juri_") and e not in seated]
    assert outsiders and all(task_of(person(e), nom) is None for e in outsiders)
    assert {p.email for p in people_asked(nom)} == set(seated[1:])


def test_a_task_is_looked_for_where_it_can_be() -> None:
    juror = person("juri_yohanes@example.id").seats[0]
    assert looked_for(juror) == [
        *({"stage": "PANEL_SCORING", "cycle": "2026", "commodity": c} for c in juror.commodities),
        {"stage": "SITE_VISIT", "cycle": "2026"},  # any commodity's visit may take a juror
    ]
    office = person("disperin.pekalongan@example.id").seats[0]
    assert looked_for(office) == [
        {
            "stage": "REVISION_REQUESTED",
            "cycle": "2026",
            "province": "Jawa Tengah",
            "regency": "Kota Pekalongan",
        }
    ]


def test_working_days_left_count_down_to_the_deadline_and_below_after_it() -> None:
    nom = at_stage(Stage.ADMIN_VERIFICATION)
    assert nom.deadline is not None
    zone = person("rina@example.id").zone
    assert (working_days_left(nom, NOW, zone) or 0) > 0
    assert working_days_left(nom, nom.deadline, zone) == 0
    assert working_days_left(nom, nom.deadline + timedelta(days=7), zone) == -5


def test_a_site_visit_is_scheduled_by_an_operator_and_reported_by_its_team() -> None:
    nom = at_stage(Stage.SITE_VISIT)
    operator = person("sari@example.id")
    assert command("sari@example.id", nom) == "schedule-visit"
    assert command("rina@example.id", nom) is None  # no team before the schedule
    nom.apply(visit_scheduled(), NOW)
    team = [operator.seats[0].user_id, VERIFIER.user_id]
    assert set(team) <= set(nom.visit.team)  # type: ignore[union-attr]
    # Each on the team reports it, the operator who scheduled it too.
    assert command("rina@example.id", nom) == "report-visit"
    assert command("sari@example.id", nom) == "report-visit"
    # Moved to a team without the operator: theirs is the scheduling, done.
    verifiers = [v.user_id for v in CONFIG.staff.verifiers]
    nom.apply(visit_scheduled().model_copy(update={"team": verifiers}), NOW)
    task = task_of(operator, nom)
    assert task is not None and (task.command, task.done) == ("schedule-visit", True)
    assert command("agus@example.id", nom) == "report-visit"
