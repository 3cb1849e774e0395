"""Release 1.5's rules where they were easiest to get wrong: who endorses (the cycle's
listed provincial office, not whatever a proposal names), what a resubmission may not
change under a province's quota, which places a quota frees, how far a visit or an
extension may go, and who hears of a withdrawal from the new stages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from api.schemas import NominationView
from domain.cycle_book import CycleBook, CycleSetup, Registration
from domain.cycle_records import Entry
from domain.decisions import DeadlineExtension, Decision, Resubmission
from domain.documents import Slot, checked_document
from domain.endorsement import endorsed_alike
from domain.errors import Refused
from domain.events import EventKind
from domain.examples import example_cycle_config, example_lab_testing
from domain.nomination import Nomination
from domain.notifications import Audience, recipients_for
from domain.proposal import Commodity
from domain.regions import Province
from domain.stages import Role, Stage
from tests.documents import png
from tests.support import (
    ENDORSING,
    NOW,
    OPERATOR,
    VERIFIER,
    at_stage,
    endorses,
    nomination,
    proposer,
    visit_reported,
    visit_scheduled,
    withdrawal,
)

SAMPLED_AND_VISITED = example_cycle_config(
    "2026", lab_testing=example_lab_testing(), site_visits={}
)


def refused(nom: Nomination, decision: Decision) -> list[str]:
    with pytest.raises(Refused) as error:
        nom.check(decision, NOW)
    return error.value.fields


def test_a_regency_naming_itself_the_provincial_office_still_cannot_endorse() -> None:
    nom = nomination(0, ENDORSING)
    regency = proposer(nom.proposal)
    spoofed = nom.proposal.provincial_office.model_copy(update={"name": regency.institution})
    nom.proposal = nom.proposal.model_copy(update={"provincial_office": spoofed})
    own = endorses(nom.proposal).model_copy(update={"actor": regency})
    assert refused(nom, own) == ["actor.institution"]
    listed = ENDORSING.provincial_office(nom.proposal.sentra.province)
    assert listed is not None and nom.endorsing_office == listed.name


def test_a_cycle_that_endorses_admits_no_proposal_from_a_province_without_its_office() -> None:
    setup = CycleSetup(
        config=ENDORSING,
        window={"opens": date(2026, 1, 5), "closes": date(2026, 12, 31)},
        opened_by=OPERATOR,
        previous_cycle="2024",
    )
    book = CycleBook.open(setup, NOW)
    stranger = Registration(
        nomination_id="ovop-2026-x-0123456789",
        commodity=Commodity.GERABAH,
        province=Province("Bali"),
        proposed_on=NOW.date(),
    )
    with pytest.raises(Refused) as error:
        book.check_register(stranger, NOW)
    assert error.value.fields == ["sentra.province"] and "Bali" in str(error.value)


def test_under_a_province_s_quota_a_resubmission_keeps_its_commodity_and_province() -> None:
    nom = at_stage(Stage.REVISION_REQUESTED, config=ENDORSING)
    p = nom.proposal
    other = p.model_copy(
        update={"product": p.product.model_copy(update={"commodity": Commodity.ANYAMAN})}
    )
    assert refused(nom, Resubmission(actor=proposer(p), proposal=other)) == [
        "proposal.product.commodity"
    ]


def test_a_place_in_the_quota_is_freed_by_an_end_before_any_decision_on_merit() -> None:
    def entry(n: int, stage: Stage) -> Entry:
        return Entry(
            nomination_id=f"n{n}",
            commodity=Commodity.GERABAH,
            province=Province("DI Yogyakarta"),
            version=1,
            stage=stage,
            endorsed=True,
        )

    ended = [Stage.WITHDRAWN, Stage.REJECTED, Stage.EXPIRED]
    kept = [Stage.ADMIN_VERIFICATION, Stage.NOT_AWARDED, Stage.AWARDED]
    entries = [entry(i, s) for i, s in enumerate(ended + kept)]
    held = endorsed_alike(entries, Province("DI Yogyakarta"), Commodity.GERABAH)
    assert held == ["n3", "n4", "n5"]


def test_a_visit_is_within_the_stage_s_deadline_and_reported_after_it_was_scheduled() -> None:
    nom = at_stage(Stage.SITE_VISIT)
    assert nom.plan is not None
    assert refused(nom, visit_scheduled(nom.plan.due_date + timedelta(days=1))) == ["visit_on"]
    assert refused(nom, visit_scheduled(date(9999, 12, 30))) == ["visit_on"]
    nom.apply(visit_scheduled(NOW.date() + timedelta(days=2)), NOW + timedelta(days=1))
    early = visit_reported(VERIFIER, NOW.date())  # before it was scheduled
    assert refused(nom, early) == ["visited_on"]


def test_an_extension_moves_a_deadline_by_a_year_at_most() -> None:
    nom = at_stage(Stage.ADMIN_VERIFICATION)
    assert nom.plan is not None
    far = DeadlineExtension(actor=OPERATOR, until=date(9999, 12, 30), reason="x")
    assert refused(nom, far) == ["until"]


@pytest.mark.parametrize(
    ("stage", "told"),
    [(Stage.SAMPLE_AWAITED, Audience.LAB), (Stage.SITE_VISIT, Audience.VISIT_TEAM)],
)
def test_a_withdrawal_tells_whoever_the_new_stages_had_asked_to_act(
    stage: Stage, told: Audience
) -> None:
    nom = at_stage(stage)
    if stage == Stage.SITE_VISIT:
        nom.apply(visit_scheduled(), NOW)
    nom.apply(withdrawal(OPERATOR), NOW)
    event = nom.events[-1]
    assert event.kind == EventKind.WITHDRAWN
    assert told in {r.audience for r in recipients_for(nom, event)}


def test_the_api_s_view_carries_the_sample_the_findings_and_the_visit() -> None:
    nom = at_stage(Stage.SITE_VISIT, config=SAMPLED_AND_VISITED)
    nom.apply(visit_scheduled(), NOW)
    photo = checked_document(Slot.VISIT_PHOTO, "tungku.png", png(b"tungku"))
    report = visit_reported(VERIFIER).model_copy(update={"photos": [photo]})
    nom.apply(report, NOW)
    view = NominationView.of(nom, {Role.JUROR})
    assert view.sample == nom.sample and view.sample is not None
    assert view.findings is not None and view.findings.tests == nom.findings.tests  # type: ignore[union-attr]
    assert view.visit == nom.visit and view.visit_report == report
    assert view.visit_report is not None and view.visit_report.photos == [photo]
