"""The lab's rules where the cycle takes samples (`lab_testing`): the template's
parameters, the receipt's dates, the lab's deadline from the receipt (and a receipt
recorded too late for it), and the official's reason to award what the lab advised
against; a cycle without samples keeps its rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.calendar import at_local
from domain.decisions import AwardDecision, Decision, SampleReceipt
from domain.errors import Refused
from domain.examples import example_findings, example_sample_receipt
from domain.lab_testing import SampleCondition
from domain.nomination import Nomination
from domain.regions import TimeZone
from domain.stages import Stage
from tests.support import CONFIG, NOW, OFFICIAL, SAMPLES, at_stage, findings, sheet


def refused_fields(nom: Nomination, decision: Decision, now: datetime = NOW) -> list[str]:
    with pytest.raises(Refused) as refused:
        nom.check(decision, now)
    return refused.value.fields


def test_findings_follow_the_commodity_s_template_parameter_by_parameter() -> None:
    nom = at_stage(Stage.TECHNICAL_ASSESSMENT, config=SAMPLES)
    good = example_findings(SAMPLES, nom.proposal)
    tests = good.tests
    assert refused_fields(nom, good.model_copy(update={"tests": tests[1:]})) == ["tests"]
    unknown = tests[0].model_copy(update={"parameter": "warna"})
    assert refused_fields(nom, good.model_copy(update={"tests": [unknown, *tests[1:]]})) == [
        "tests.0.parameter",
        "tests",
    ]
    other_method = tests[0].model_copy(update={"method": "metode lain"})
    assert refused_fields(nom, good.model_copy(update={"tests": [other_method, *tests[1:]]})) == [
        "tests.0.method"
    ]
    failing = tests[0].model_copy(update={"passed": False})
    claims = good.model_copy(update={"tests": [failing, *tests[1:]]})
    assert refused_fields(nom, claims) == ["conforms"]
    nom.check(good, NOW)


def test_a_receipt_falls_between_verification_and_today_and_explains_a_bad_sample() -> None:
    nom = at_stage(Stage.SAMPLE_AWAITED)
    receipt = example_sample_receipt(SAMPLES, nom.proposal, NOW.date())
    day = timedelta(days=1)
    assert refused_fields(nom, receipt.model_copy(update={"received_on": NOW.date() - day})) == [
        "received_on"
    ]
    tomorrow = receipt.model_copy(update={"received_on": NOW.date() + day})
    assert refused_fields(nom, tomorrow) == ["received_on"]
    nom.check(tomorrow, NOW + timedelta(days=2))  # by then it is not tomorrow
    damaged = receipt.model_copy(update={"condition": SampleCondition.DAMAGED})
    assert refused_fields(nom, damaged) == ["note"]
    nom.check(damaged.model_copy(update={"note": "satu toples retak"}), NOW)


def test_the_lab_s_deadline_counts_from_the_receipt_and_still_comes_if_recorded_late() -> None:
    nom = at_stage(Stage.SAMPLE_AWAITED)
    later = NOW + timedelta(days=5)
    nom.apply(example_sample_receipt(SAMPLES, nom.proposal, NOW.date()), later)
    calendar, rules = nom.config.calendar, nom.config.deadlines
    assert calendar is not None
    due = calendar.add_working_days(NOW.date(), rules.assessment_days)
    assert nom.deadline == at_local(due, rules.closes_at, TimeZone.WIB)

    late = at_stage(Stage.SAMPLE_AWAITED, 1)
    much_later = NOW + timedelta(days=60)
    receipt = SampleReceipt(
        actor=example_sample_receipt(SAMPLES, late.proposal, NOW.date()).actor,
        received_on=NOW.date(),
        received_by="Petugas Sampel",
    )
    late.apply(receipt, much_later)
    assert late.deadline is not None and late.deadline > much_later
    assert late.next_step is not None  # the deadline, and its escalation, still come


def test_the_official_says_why_to_award_what_the_lab_advised_against() -> None:
    nom = at_stage(Stage.TECHNICAL_ASSESSMENT, config=SAMPLES)
    nom.apply(example_findings(SAMPLES, nom.proposal, conforms=False), NOW)
    assert nom.stage == Stage.PANEL_SCORING and nom.lab_advised_against
    for j in nom.panel:
        nom.apply(sheet(j, 85), NOW)
    assert refused_fields(nom, AwardDecision(actor=OFFICIAL)) == ["reason"]
    assert refused_fields(nom, AwardDecision(actor=OFFICIAL, override_stars=2)) == ["reason"]
    nom.check(AwardDecision(actor=OFFICIAL, override_stars=0, reason="tidak layak"), NOW)
    nom.check(AwardDecision(actor=OFFICIAL, reason="perbaikan terbukti"), NOW)


def test_a_cycle_without_samples_keeps_its_rules() -> None:
    nom = at_stage(Stage.TECHNICAL_ASSESSMENT, config=CONFIG)
    assert nom.sample is None and Stage.SAMPLE_AWAITED not in {e.to_stage for e in nom.events}
    free_form = findings(nom.lab, conforms=False)
    nom.apply(free_form, NOW)
    assert nom.stage == Stage.NOT_AWARDED and not nom.lab_advised_against
