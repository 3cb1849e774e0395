"""A sample of every letter the engine sends, rendered for example nominations into
`docs/letters/` so that a reviewer can read them all in one place.

`python -m activities.letters` writes them; a test fails when the checked-in copies drift.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from activities.mail import LOCAL_PUBLIC_URL, MailRenderer, RenderedMail
from domain.cycle import CycleConfig
from domain.decisions import (
    Actor,
    AwardDecision,
    ConflictDeclaration,
    DeadlineExtension,
    Decision,
    DecreeOutcome,
    EndorseOutcome,
    JurorReassignment,
    ProvincialEndorsement,
    Resubmission,
    ScoreSheet,
    VerifyDecision,
    VerifyOutcome,
    Withdrawal,
)
from domain.events import NominationEvent
from domain.examples import (
    DEMO_EXAMPLES,
    example_cycle_config,
    example_findings,
    example_lab_testing,
    example_proposal,
    example_sample_receipt,
    example_visit_report,
    example_visit_schedule,
    proposer_of,
    provincial_office_of,
)
from domain.nomination import Nomination
from domain.notifications import LINK_PATH, Recipient, recipients_for, task_url
from domain.presentation import summarize
from domain.proposal import PreviousAward
from domain.scoring import Criterion
from domain.stages import Role, Stage

CHECKED_IN = Path(__file__).resolve().parent.parent / "docs" / "letters"

START = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)  # 09.00 WIB, a working day
LATE = timedelta(days=40)  # past every reminder and deadline of a stage
CERTIFICATE = "0001/OVOP/IKMA/2026"
CONFIG = example_cycle_config("2026")
BY_DECREE = example_cycle_config("2026", plenary={"by_decree": True})
SAMPLED = example_cycle_config("2026", lab_testing=example_lab_testing())
ENDORSING = example_cycle_config("2026", endorsement={})
VISITING = example_cycle_config("2026", site_visits={})
DECREE = "0001/KEP/OVOP/IKMA/2026"
DITJEN = "Ditjen IKMA"
VERIFIER = Actor(user_id=CONFIG.staff.verifiers[0].user_id, role=Role.VERIFIER, institution=DITJEN)
OFFICIAL = Actor(user_id=CONFIG.staff.officials[0].user_id, role=Role.OFFICIAL, institution=DITJEN)
OPERATOR = Actor(user_id=CONFIG.staff.operators[0].user_id, role=Role.OPERATOR, institution=DITJEN)


@dataclass(frozen=True)
class Letter:
    """One email as sent: the event it tells of, to whom, and what it reads."""

    nomination: Nomination
    event: NominationEvent
    recipient: Recipient
    mail: RenderedMail

    def text(self) -> str:
        return f"Subject: {self.mail.subject}\n\n{self.mail.body}"


# --- example nominations that between them send every letter ------------------------------


class _Walk:
    """Takes example nominations through their decisions and deadlines, and sends, as the
    workflow does, each new event's letters from the nomination as it stands just then."""

    def __init__(self, renderer: MailRenderer) -> None:
        self.renderer = renderer
        self.letters: list[Letter] = []

    def start(
        self, index: int = 0, previous: PreviousAward | None = None, config: CycleConfig = CONFIG
    ) -> Nomination:
        proposal = example_proposal("2026", index).model_copy(update={"previous_award": previous})
        nom = Nomination.propose(proposal, config, proposer_of(proposal))
        nom.start(START)
        self._send(nom, 0)
        return nom

    def apply(self, nom: Nomination, decision: Decision, now: datetime = START) -> None:
        seen = len(nom.events)
        nom.apply(decision, now)
        self._send(nom, seen)

    def grant(self, nom: Nomination, certificate_number: str) -> None:
        seen = len(nom.events)
        nom.grant(certificate_number, START)
        self._send(nom, seen)

    def run_late(self, nom: Nomination) -> None:
        """Every reminder and deadline of the stage, one by one, with nothing done."""
        while (step := nom.next_step) is not None and step.at <= START + LATE:
            seen, stage = len(nom.events), nom.stage
            nom.take_due_steps(step.at)
            self._send(nom, seen)
            if nom.stage != stage:
                return

    def verify(self, nom: Nomination, outcome: VerifyOutcome, reason: str | None = None) -> None:
        self.apply(nom, VerifyDecision(actor=VERIFIER, outcome=outcome, reason=reason))

    def score(self, nom: Nomination, value: float, now: datetime = START) -> None:
        for user_id in list(nom.panel):
            juror = Actor(user_id=user_id, role=Role.JUROR, institution="Tim Seleksi OVOP")
            sheet = ScoreSheet(
                actor=juror,
                scores=dict.fromkeys(Criterion, value),
                comment="Produk khas daerah dengan mutu yang konsisten.",
            )
            self.apply(nom, sheet, now)

    def decree(self, nom: Nomination, stars: int, reason: str | None = None) -> None:
        """The cycle's decree settles it (`plenary.by_decree`); a winner's number follows."""
        seen = len(nom.events)
        nom.take_decree(
            DecreeOutcome(number=DECREE, issued_by=OFFICIAL, stars=stars, reason=reason), START
        )
        if stars:
            nom.grant(CERTIFICATE, START)
        self._send(nom, seen)

    def at(self, stage: Stage, index: int = 0, config: CycleConfig = CONFIG) -> Nomination:
        """An example nomination taken, decision by decision, to an open `stage`."""
        nom = self.start(index, config=config)
        if stage == Stage.REVISION_REQUESTED:
            self.verify(nom, VerifyOutcome.REVISE, "Lampirkan salinan SK sentra IKM yang sah.")
        later = (
            Stage.TECHNICAL_ASSESSMENT,
            Stage.SITE_VISIT,
            Stage.PANEL_SCORING,
            Stage.AWARD_DECISION,
        )
        if stage in (Stage.SAMPLE_AWAITED, *later):
            self.verify(nom, VerifyOutcome.PASS)
        if stage in later and config.lab_testing is not None:
            self.apply(nom, example_sample_receipt(config, nom.proposal, START.date()))
        if stage in later[1:]:
            self.apply(nom, example_findings(config, nom.proposal))
        if stage in later[2:] and config.site_visits is not None:
            self.apply(nom, example_visit_schedule(config, START.date()))
            self.apply(nom, example_visit_report(config, START.date()))
        if stage == Stage.AWARD_DECISION:
            self.score(nom, 85)
        assert nom.stage == stage, (stage, nom.stage)
        return nom

    def _send(self, nom: Nomination, seen: int) -> None:
        summary = summarize(nom)
        lab_address = nom.config.staff.lab_desk(nom.lab).address
        for event in nom.events[seen:]:
            for r in recipients_for(nom, event):
                mail = self.renderer.letter(summary, event, r, lab_address)
                self.letters.append(Letter(nom, event, r, mail))


def sample_task_link(nomination_id: str, recipient: Recipient) -> str:
    """A task's link as `web.links.SignInLinks.for_letter` gives it, but with a token that
    is the same on every run (a real one is signed when sent), so the samples do not drift."""
    if recipient.is_desk:
        return task_url(LOCAL_PUBLIC_URL, nomination_id)
    token = hashlib.sha256(f"{nomination_id} {recipient.email}".encode()).hexdigest()[:43]
    return LOCAL_PUBLIC_URL + LINK_PATH + token


def every_letter(renderer: MailRenderer | None = None) -> list[Letter]:
    """Every letter sent by example nominations that between them pass through every kind
    of event, and are reminded and escalated at every stage that waits for someone."""
    walk = _Walk(renderer or MailRenderer(task_link=sample_task_link))

    awarded = walk.at(Stage.AWARD_DECISION)
    walk.apply(awarded, AwardDecision(actor=OFFICIAL))
    walk.grant(awarded, CERTIFICATE)

    rejected = walk.at(Stage.REVISION_REQUESTED, 1)
    walk.apply(
        rejected,
        Resubmission(
            actor=proposer_of(rejected.proposal),
            proposal=rejected.proposal,
            note="Salinan SK sentra IKM yang sah kami lampirkan.",
        ),
    )
    walk.verify(rejected, VerifyOutcome.REJECT, "SK sentra IKM tidak ditetapkan oleh wali kota.")

    walk.run_late(walk.at(Stage.REVISION_REQUESTED, 2))  # reminded, then expired

    failed_lab = walk.at(Stage.TECHNICAL_ASSESSMENT, 3)
    failing = example_findings(CONFIG, failed_lab.proposal).model_copy(
        update={"score": 30, "conforms": False, "summary": "kadar air melebihi batas SNI"}
    )
    walk.apply(failed_lab, failing)

    walk.score(walk.at(Stage.PANEL_SCORING, 4), 40)

    overridden = walk.at(Stage.AWARD_DECISION, 5)
    walk.apply(
        overridden,
        AwardDecision(
            actor=OFFICIAL,
            override_stars=0,
            reason="IKM tidak aktif berproduksi sejak awal tahun menurut Dinas Perindustrian.",
        ),
    )

    late = walk.at(Stage.PANEL_SCORING)
    conflicted = Actor(user_id=late.panel[0], role=Role.JUROR, institution="Tim Seleksi OVOP")
    conflict = "Pemilik IKM ini adalah saudara sepupu saya."
    walk.apply(late, ConflictDeclaration(actor=conflicted, reason=conflict))
    walk.apply(
        late,
        JurorReassignment(actor=OPERATOR, juror_id=late.panel[0], reason="Juri mengundurkan diri."),
    )
    walk.run_late(late)
    extension = DeadlineExtension(
        actor=OPERATOR, working_days=30, reason="Sebagian juri sedang bertugas ke luar kota."
    )
    walk.apply(late, extension, START + LATE)
    walk.apply(late, Withdrawal(actor=OPERATOR, reason="IKM mengundurkan diri."), START + LATE)

    # Malang's, the example no demo nomination takes, awarded in 2022.
    previous = PreviousAward(cycle="2022", certificate_number="0007/OVOP/IKMA/2022", stars=3)
    walk.start(DEMO_EXAMPLES, previous)

    walk.decree(walk.at(Stage.AWARD_DECISION, 0, BY_DECREE), 3)
    dropped = "IKM tidak aktif berproduksi sejak awal tahun menurut Dinas Perindustrian."
    walk.decree(walk.at(Stage.AWARD_DECISION, 5, BY_DECREE), 0, dropped)

    # The provincial office's endorsement (`endorsement`): asked for, returned, the
    # correction endorsed; and one left to run late and escalated.
    endorsed = walk.start(3, config=ENDORSING)
    province = provincial_office_of(endorsed.proposal)
    returning = ProvincialEndorsement(
        actor=province,
        outcome=EndorseOutcome.RETURN,
        reason="Lengkapi foto proses produksi dan salinan izin edar PIRT yang masih berlaku.",
    )
    walk.apply(endorsed, returning)
    walk.apply(
        endorsed,
        Resubmission(
            actor=proposer_of(endorsed.proposal),
            proposal=endorsed.proposal,
            note="Foto proses produksi dan salinan PIRT kami lampirkan.",
        ),
    )
    walk.apply(endorsed, ProvincialEndorsement(actor=province, outcome=EndorseOutcome.ENDORSE))
    walk.run_late(walk.start(4, config=ENDORSING))

    # The site visit (`site_visits`): the operators asked to schedule it and chased, the
    # visit scheduled, moved, and reported; the panel follows.
    visited = walk.at(Stage.SITE_VISIT, 1, VISITING)
    walk.run_late(visited)
    walk.apply(visited, extension, START + LATE)  # to visit after the harvest
    later = (START + LATE).date()
    walk.apply(visited, example_visit_schedule(VISITING, later), START + LATE)
    moved = example_visit_schedule(VISITING, later + timedelta(days=2))
    walk.apply(visited, moved.model_copy(update={"note": "Menyesuaikan panen raya."}), START + LATE)
    walk.apply(
        visited,
        example_visit_report(VISITING, later + timedelta(days=2)),
        START + LATE + timedelta(days=2),
    )

    # Samples (`lab_testing`): asked for and chased until escalated, received late, a product
    # that does not conform on its template sent on to the panel, and awarded with a reason.
    sampled = walk.at(Stage.SAMPLE_AWAITED, 2, SAMPLED)
    walk.run_late(sampled)
    walk.apply(
        sampled,
        example_sample_receipt(SAMPLED, sampled.proposal, (START + LATE).date()),
        START + LATE,
    )
    walk.apply(sampled, example_findings(SAMPLED, sampled.proposal, conforms=False), START + LATE)
    walk.score(sampled, 85, START + LATE)
    walk.apply(
        sampled,
        AwardDecision(
            actor=OFFICIAL,
            reason="Kadar air melebihi batas pada satu kode produksi; IKM telah memperbaiki "
            "pengeringan menurut Balai Besar.",
        ),
        START + LATE,
    )
    walk.grant(sampled, CERTIFICATE)

    # Every other stage that waits for someone: left to run late, extended, then withdrawn.
    for stage in (
        Stage.ADMIN_VERIFICATION,
        Stage.REVISION_REQUESTED,
        Stage.TECHNICAL_ASSESSMENT,
        Stage.AWARD_DECISION,
    ):
        nom = walk.at(stage)
        if stage != Stage.REVISION_REQUESTED:  # a missed revision expires, as above
            walk.run_late(nom)
        walk.apply(nom, extension, START + LATE)
        walk.apply(nom, Withdrawal(actor=OPERATOR, reason="IKM tutup usaha."), START + LATE)
    return walk.letters


if __name__ == "__main__":
    from activities.letter_samples import write

    print(f"wrote {len(write())} files to {CHECKED_IN}")
