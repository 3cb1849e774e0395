"""The rulebook without Temporal: labs, scores, stars, panels, and who may decide what."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.cycle import CycleConfig, Juror, PanelRules
from domain.cycle_book import cycle_workflow_id
from domain.decisions import (
    AwardDecision,
    Decision,
    JurorReassignment,
    Resubmission,
    VerifyDecision,
    VerifyOutcome,
)
from domain.errors import Refused
from domain.events import EventKind
from domain.examples import example_cycle_config
from domain.labs import Lab, route_lab
from domain.nomination import (
    Nomination,
    assign_panel,
    is_conflicted,
    is_nomination_id,
    nomination_id,
)
from domain.proposal import Commodity, Proposal
from domain.regions import Province
from domain.scoring import (
    SCALE_2013,
    SCALE_2024,
    CriteriaWeights,
    Criterion,
    StarScale,
    final_score,
    juror_total,
    panel_score,
)
from domain.stages import Stage
from tests.support import (
    CONFIG,
    NOW,
    OFFICIAL,
    OPERATOR,
    VERIFIER,
    at_stage,
    confirm,
    findings,
    fresh,
    passes,
    proposer,
    sheet,
    withdrawal,
)

# --- labs, scores and stars -----------------------------------------------------------


def test_each_commodity_goes_to_its_balai_besar() -> None:
    assert route_lab(Commodity.MAKANAN_MINUMAN) == Lab.AGRO
    assert route_lab(Commodity.KAIN_BATIK) == Lab.KERAJINAN_BATIK
    assert route_lab(Commodity.KAIN_TENUN) == Lab.KERAJINAN_BATIK
    assert route_lab(Commodity.ANYAMAN) == Lab.KERAJINAN_BATIK
    assert route_lab(Commodity.GERABAH) == Lab.KERAMIK_MINERAL


def test_weights_must_add_up_to_100() -> None:
    with pytest.raises(ValidationError, match="berjumlah 100"):
        CriteriaWeights(local_resources=30)
    assert sum(CriteriaWeights().of(c) for c in Criterion) == 100


def test_juror_total_weighs_each_criterion() -> None:
    weights = CriteriaWeights()
    scores = {
        Criterion.LOCAL_RESOURCES: 80,
        Criterion.CULTURE_AUTHENTICITY: 90,
        Criterion.QUALITY_PRESENTATION: 70,
        Criterion.MARKET_POTENTIAL: 60,
        Criterion.SUSTAINABLE_PRODUCTION: 100,
    }
    expected = (80 * 20 + 90 * 20 + 70 * 25 + 60 * 20 + 100 * 15) / 100
    assert juror_total(scores, weights) == pytest.approx(expected)
    assert panel_score([70, 80, 90]) == 80
    assert final_score(80, 90, 0.2) == 82.0


@pytest.mark.parametrize(
    ("score", "stars"), [(0, 0), (59.99, 0), (60, 1), (69.99, 1), (70, 2), (80, 3), (100, 3)]
)
def test_the_2024_scale(score: float, stars: int) -> None:
    assert SCALE_2024.stars_for(score) == stars


@pytest.mark.parametrize(("score", "stars"), [(49, 0), (50, 1), (75, 3), (89.99, 4), (90, 5)])
def test_the_2013_scale_of_five_stars(score: float, stars: int) -> None:
    assert SCALE_2013.stars_for(score) == stars


def test_next_star_level() -> None:
    level = SCALE_2024.next_level(74)
    assert level is not None and (level.stars, level.min_score) == (3, 80)
    assert SCALE_2024.next_level(95) is None


def test_a_scale_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="berurutan"):
        StarScale.model_validate(
            {"levels": [{"stars": 1, "min_score": 60}, {"stars": 3, "min_score": 70}]}
        )
    with pytest.raises(ValidationError, match="naik"):
        StarScale.model_validate(
            {"levels": [{"stars": 1, "min_score": 70}, {"stars": 2, "min_score": 60}]}
        )


def test_quorum_cannot_exceed_the_panel() -> None:
    with pytest.raises(ValidationError, match="kuorum"):
        PanelRules(size=2, quorum=3)


# --- ids and panels -------------------------------------------------------------------


def test_nomination_id_is_stable_and_keeps_the_nib_out() -> None:
    a = nomination_id("2026", "9120001234561", "Batik Tulis Jlamprang")
    assert a == nomination_id("2026", "9120001234561", "batik tulis  jlamprang")
    assert a.startswith("ovop-2026-batik-tulis-jlamprang-")
    assert "9120001234561" not in a
    assert a != nomination_id("2026", "9120001234562", "Batik Tulis Jlamprang")
    assert a != nomination_id("2028", "9120001234561", "Batik Tulis Jlamprang")


@pytest.mark.parametrize(
    "product", ["Batik Tulis Jlamprang", "Kopi Gayo 100% Arabika", "敷物", "?"]
)
def test_a_nomination_id_is_known_by_its_shape_and_a_cycles_is_not_one(product: str) -> None:
    assert is_nomination_id(nomination_id("2026", "9120001234561", product))
    assert not is_nomination_id(cycle_workflow_id("2026"))
    assert not is_nomination_id("ovop-2026-nope")
    assert not is_nomination_id(nomination_id("2026", "9120001234561", product) + "\n")


def test_panel_judges_the_commodity_and_keeps_to_the_province_rule_only_when_set() -> None:
    p = fresh(0)  # batik from Jawa Tengah; juri.siti's home province is Jawa Tengah
    siti = CONFIG.juror("juri.siti")
    assert siti is not None and not CONFIG.panel.same_province_conflict
    assert is_conflicted(siti, p, CONFIG) is None
    panels = [assign_panel(CONFIG, p, f"key{n}") for n in range(20)]
    assert all(len(panel) == CONFIG.panel.size for panel in panels)
    assert all(Commodity.KAIN_BATIK in j.commodities for panel in panels for j in panel)
    assert any(siti in panel for panel in panels)

    strict = CONFIG.keeping_province_conflicts()
    assert "provinsi yang sama" in (is_conflicted(siti, p, strict) or "")
    for n in range(20):
        panel = assign_panel(strict, p, f"key{n}")
        assert all(j.home_province != Province.JAWA_TENGAH for j in panel)


def kerajinan_batik_lab_expert() -> Juror:
    """The Kerajinan dan Batik lab's own batik expert, at home in DI Yogyakarta."""
    return Juror(
        user_id="juri.sekar",
        name="Sekar Ayu",
        email="sekar@example.id",
        institution="BBSPJI Kerajinan dan Batik",
        home_province=Province.DI_YOGYAKARTA,
        commodities=[Commodity.KAIN_BATIK],
    )


def yogyakarta_batik() -> Proposal:
    p = fresh(2)  # Kabupaten Bantul, DI Yogyakarta
    product = p.product.model_copy(update={"commodity": Commodity.KAIN_BATIK})
    assert p.sentra.province == Province.DI_YOGYAKARTA
    return p.model_copy(update={"product": product})


def test_a_yogyakarta_batik_nominee_is_judged_by_the_batik_lab_s_own_expert() -> None:
    """The Kerajinan dan Batik lab stands in DI Yogyakarta: under the default configuration
    its expert sits on, and scores, that province's batik; with the same-province setting on,
    the same expert is not seated."""
    expert = kerajinan_batik_lab_expert()
    others = [j for j in CONFIG.jurors if j.user_id in ("juri.budi", "juri.ani")]
    config = CONFIG.model_copy(update={"jurors": [expert, *others]})  # three batik jurors
    p = yogyakarta_batik()

    nom = panel_of(p, config)
    assert expert.user_id in nom.panel and len(nom.panel) == 3
    for j in nom.panel:
        nom.apply(sheet(j, 88), NOW)
    assert nom.stage == Stage.AWARD_DECISION
    assert nom.result is not None and expert.user_id in nom.result.juror_totals

    nom = panel_of(p, config.keeping_province_conflicts())
    assert expert.user_id not in nom.panel and len(nom.panel) == 2
    assert refused_field(nom, sheet(expert.user_id, 88)) == "actor.user_id"


def panel_of(p: Proposal, config: CycleConfig) -> Nomination:
    """The nomination of `p` with its panel seated from its own roster."""
    nom = Nomination.propose(p, config, proposer(p))
    nom.start(NOW)
    nom.apply(passes(), NOW)
    nom.apply(findings(nom.lab), NOW)
    assert nom.stage == Stage.PANEL_SCORING
    return nom


def test_a_declared_conflict_keeps_a_juror_off_the_panel() -> None:
    p = fresh(2)  # gerabah, candidates: budi, wayan, rahmat, ani
    jurors = [
        j.model_copy(update={"declared_conflicts": [p.ikm.nib]}) if j.user_id == "juri.wayan" else j
        for j in CONFIG.jurors
    ]
    config = CONFIG.model_copy(update={"jurors": jurors})
    for key in range(20):
        assert "juri.wayan" not in {j.user_id for j in assign_panel(config, p, str(key))}


def test_panels_spread_the_load_across_jurors() -> None:
    p = fresh(3)  # anyaman from Jawa Barat: six candidate jurors, three per panel
    load = Counter(j.user_id for key in range(600) for j in assign_panel(CONFIG, p, f"n{key}"))
    assert len(load) == 6
    assert max(load.values()) - min(load.values()) < 0.25 * 300, load


# --- who may decide what --------------------------------------------------------------


def refused_field(nom: Nomination, decision: Decision) -> str:
    with pytest.raises(Refused) as caught:
        nom.check(decision)
    return caught.value.problems[0].field


def test_the_proposing_office_is_recognised_however_it_is_written() -> None:
    # Every role, stage and assignment: tests/unit/test_access.py.
    nom = at_stage(Stage.REVISION_REQUESTED)
    shouting = proposer(nom.proposal).model_copy(
        update={"institution": nom.proposal.proposing_office.name.upper()}
    )
    nom.check(withdrawal(shouting))
    nom.check(Resubmission(actor=shouting, proposal=nom.proposal))


def test_a_resubmission_keeps_cycle_and_nib_and_stays_eligible() -> None:
    nom = at_stage(Stage.REVISION_REQUESTED)
    p = nom.proposal
    other_nib = p.model_copy(update={"ikm": p.ikm.model_copy(update={"nib": "1111111111111"})})
    assert (
        refused_field(nom, Resubmission(actor=proposer(p), proposal=other_nib))
        == "proposal.ikm.nib"
    )
    late_decree = p.model_copy(
        update={
            "sentra": p.sentra.model_copy(
                update={
                    "decree": p.sentra.decree.model_copy(
                        update={"date": p.proposed_on + timedelta(days=1)}
                    )
                }
            )
        }
    )
    field = refused_field(nom, Resubmission(actor=proposer(p), proposal=late_decree))
    assert field == "proposal.sentra.decree.date"


def test_reject_and_revise_need_a_reason() -> None:
    nom = at_stage(Stage.ADMIN_VERIFICATION)
    for outcome in (VerifyOutcome.REJECT, VerifyOutcome.REVISE):
        assert refused_field(nom, VerifyDecision(actor=VERIFIER, outcome=outcome)) == "reason"


def test_override_stars_must_fit_the_scale() -> None:
    nom = at_stage(Stage.AWARD_DECISION)
    too_many = AwardDecision(actor=OFFICIAL, override_stars=4, reason="luar biasa")
    assert refused_field(nom, too_many) == "override_stars"
    same = AwardDecision(actor=OFFICIAL, override_stars=3)
    nom.check(same)  # the recommendation itself needs no reason


def test_a_juror_may_revise_until_the_panel_closes() -> None:
    nom = at_stage(Stage.PANEL_SCORING)
    first, *rest = nom.panel
    nom.apply(sheet(first, 60), NOW)
    nom.apply(sheet(first, 90), NOW)
    assert nom.scores[first].total == 90
    for j in rest:
        nom.apply(sheet(j, 90), NOW)
    assert nom.stage == Stage.AWARD_DECISION
    assert refused_field(nom, sheet(first, 10)) == "stage"


def test_a_panel_the_roster_cannot_refill_carries_on_with_the_jurors_it_has() -> None:
    """Found by the generated decisions: the roster had no batik juror left for Jawa Tengah,
    the nomination waited for one forever, and the reassignment never answered."""
    # Batik from Jawa Tengah, jurors kept off their home province: three of four possible.
    nom = at_stage(Stage.PANEL_SCORING, config=CONFIG.keeping_province_conflicts())
    leaving, *staying = nom.panel
    nom.apply(JurorReassignment(actor=OPERATOR, juror_id=leaving, reason="sakit"), NOW)
    assert (nom.panel, nom.jurors_wanted) == (staying, 0)
    for j in staying:
        nom.apply(sheet(j, 85), NOW)
    assert nom.stage == Stage.AWARD_DECISION


def test_no_reminder_once_the_award_is_decided() -> None:
    """Found in review: the award stage's reminders ran on while the certificate number was
    being issued, to an official who had already decided."""
    nom = at_stage(Stage.AWARD_DECISION)
    assert nom.next_step is not None
    nom.apply(confirm(), NOW)
    assert nom.awaiting_certificate and nom.next_step is None
    nom.take_due_steps(NOW + timedelta(days=60))
    assert nom.events[-1].kind != EventKind.REMINDED


def test_no_withdrawal_once_the_award_is_being_issued_or_final() -> None:
    nom = at_stage(Stage.AWARD_DECISION)
    nom.apply(confirm(), NOW)
    assert nom.awaiting_certificate
    assert refused_field(nom, withdrawal(OPERATOR)) == "stage"
    nom.grant("0001/OVOP/IKMA/2026", NOW)
    assert nom.stage == Stage.AWARDED
    assert refused_field(nom, withdrawal(OPERATOR)) == "stage"


WIB = timezone(timedelta(hours=7))


def test_deadlines_and_what_passing_them_does() -> None:
    # Entered Wednesday 1 April 2026, 09.00 WIB; Good Friday (3 April) is not a working day,
    # so the tenth working day is Thursday 16 April, and it falls due at 16.00 WIB.
    nom = at_stage(Stage.ADMIN_VERIFICATION)
    assert nom.deadline == datetime(2026, 4, 16, 16, 0, tzinfo=WIB)
    nom.take_due_steps(datetime(2026, 4, 16, 15, 59, tzinfo=WIB))
    assert not nom.escalated
    assert [e.facts["step"] for e in nom.events if e.kind == EventKind.REMINDED] == [
        "H-3",
        "H-1",
        "H",
    ]
    nom.take_due_steps(datetime(2026, 4, 16, 16, 0, tzinfo=WIB))
    assert nom.events[-1].kind == EventKind.ESCALATED
    assert nom.escalated and nom.stage == Stage.ADMIN_VERIFICATION
    nom.take_due_steps(datetime(2026, 6, 1, tzinfo=WIB))
    kinds = [e.kind for e in nom.events]
    assert kinds.count(EventKind.ESCALATED) == 1
    assert kinds.count(EventKind.REMINDED) == 3 + CONFIG.deadlines.reminders.overdue_limit
    assert nom.next_step is None

    nom = at_stage(Stage.REVISION_REQUESTED)
    nom.take_due_steps(datetime(2026, 6, 1, tzinfo=WIB))
    assert nom.stage == Stage.EXPIRED
    assert [e.kind for e in nom.events].count(EventKind.REMINDED) == 3

    nom = at_stage(Stage.PANEL_SCORING)
    nom.apply(sheet(nom.panel[0], 80), NOW)
    nom.take_due_steps(nom.deadline)  # one score, quorum two: escalate
    assert nom.stage == Stage.PANEL_SCORING and nom.escalated
    nom.apply(sheet(nom.panel[1], 80), NOW + timedelta(days=20))  # quorum, late: it closes
    assert nom.stage == Stage.AWARD_DECISION


def test_events_are_numbered_in_order() -> None:
    nom = at_stage(Stage.AWARD_DECISION)
    assert [e.seq for e in nom.events] == list(range(1, len(nom.events) + 1))
    transitions = [e.to_stage for e in nom.events if e.is_transition]
    assert transitions == [
        Stage.ADMIN_VERIFICATION,
        Stage.TECHNICAL_ASSESSMENT,
        Stage.PANEL_SCORING,
        Stage.AWARD_DECISION,
    ]


def test_a_proposal_roundtrips_through_json() -> None:
    p = fresh(4)
    assert Proposal.model_validate_json(p.model_dump_json()) == p
    nom = at_stage(Stage.AWARD_DECISION, 4)
    assert Nomination.model_validate_json(nom.model_dump_json()) == nom


def test_coaching_follows_the_stars() -> None:
    from domain.scoring import CoachingLevel, default_coaching

    assert default_coaching(5) == {
        1: CoachingLevel.REGENCY,
        2: CoachingLevel.REGENCY,
        3: CoachingLevel.PROVINCE,
        4: CoachingLevel.CENTRAL,
        5: CoachingLevel.CENTRAL,
    }
    assert default_coaching(3) == {
        1: CoachingLevel.REGENCY,
        2: CoachingLevel.PROVINCE,
        3: CoachingLevel.CENTRAL,
    }
    nom = at_stage(Stage.AWARD_DECISION)
    nom.apply(confirm(), NOW)
    nom.grant("0001/OVOP/IKMA/2026", NOW)
    assert nom.events[-1].facts["coaching_level"] == "pusat"
    with pytest.raises(ValidationError, match="pembinaan"):
        example_cycle_config("2026", coaching={1: "pusat"})


def test_a_re_assessment_links_an_earlier_award() -> None:
    from domain.eligibility import parse_proposal
    from tests.support import fresh_raw

    raw = fresh_raw(0)
    raw["previous_award"] = {
        "cycle": "2024",
        "certificate_number": "0012/OVOP/IKMA/2024",
        "stars": 2,
    }
    assert parse_proposal(raw).previous_award is not None
    raw["previous_award"]["cycle"] = "2026"
    with pytest.raises(Refused) as refused:
        parse_proposal(raw)
    assert refused.value.fields == ["previous_award.cycle"]
