"""A sample of every letter the engine sends, rendered for example nominations into
`docs/letters/` so that a reviewer can read them all in one place.

`python -m activities.letters` writes them; a test fails when the checked-in copies drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from activities.mail import MailRenderer, RenderedMail
from domain.decisions import (
    Actor,
    AwardDecision,
    DeadlineExtension,
    Decision,
    JurorReassignment,
    Resubmission,
    ScoreSheet,
    VerifyDecision,
    VerifyOutcome,
    Withdrawal,
)
from domain.events import EventKind, NominationEvent
from domain.examples import (
    example_cycle_config,
    example_findings,
    example_proposal,
    proposer_of,
)
from domain.nomination import Nomination
from domain.notifications import Audience, Recipient, recipients_for
from domain.presentation import summarize
from domain.proposal import PreviousAward
from domain.scoring import Criterion
from domain.stages import Role, Stage

CHECKED_IN = Path(__file__).resolve().parent.parent / "docs" / "letters"

START = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)  # 09.00 WIB, a working day
LATE = timedelta(days=40)  # past every reminder and deadline of a stage
CERTIFICATE = "0001/OVOP/IKMA/2026"
CONFIG = example_cycle_config("2026")
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

    def start(self, index: int = 0, previous: PreviousAward | None = None) -> Nomination:
        proposal = example_proposal("2026", index).model_copy(update={"previous_award": previous})
        nom = Nomination.propose(proposal, CONFIG, proposer_of(proposal))
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

    def score(self, nom: Nomination, value: float) -> None:
        for user_id in list(nom.panel):
            juror = Actor(user_id=user_id, role=Role.JUROR, institution="Tim Seleksi OVOP")
            sheet = ScoreSheet(
                actor=juror,
                scores=dict.fromkeys(Criterion, value),
                comment="Produk khas daerah dengan mutu yang konsisten.",
            )
            self.apply(nom, sheet)

    def at(self, stage: Stage, index: int = 0) -> Nomination:
        """An example nomination taken, decision by decision, to an open `stage`."""
        nom = self.start(index)
        if stage == Stage.REVISION_REQUESTED:
            self.verify(nom, VerifyOutcome.REVISE, "Lampirkan salinan SK sentra IKM yang sah.")
        if stage in (Stage.TECHNICAL_ASSESSMENT, Stage.PANEL_SCORING, Stage.AWARD_DECISION):
            self.verify(nom, VerifyOutcome.PASS)
        if stage in (Stage.PANEL_SCORING, Stage.AWARD_DECISION):
            self.apply(nom, example_findings(CONFIG, nom.proposal))
        if stage == Stage.AWARD_DECISION:
            self.score(nom, 85)
        assert nom.stage == stage, (stage, nom.stage)
        return nom

    def _send(self, nom: Nomination, seen: int) -> None:
        summary = summarize(nom)
        lab_address = nom.config.staff.lab_desk(nom.lab).address
        for event in nom.events[seen:]:
            for r in recipients_for(nom, event):
                mail = self.renderer.render(
                    event.kind.value, n=summary, e=event, r=r, lab_address=lab_address
                )
                self.letters.append(Letter(nom, event, r, mail))


def every_letter(renderer: MailRenderer | None = None) -> list[Letter]:
    """Every letter sent by example nominations that between them pass through every kind
    of event, and are reminded and escalated at every stage that waits for someone."""
    walk = _Walk(renderer or MailRenderer())

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

    walk.start(6, PreviousAward(cycle="2022", certificate_number="0007/OVOP/IKMA/2022", stars=3))

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


# --- the samples in docs/letters/ ------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One letter in `docs/letters/`: which event and recipient, and what the index says."""

    name: str
    kind: EventKind
    audience: Audience
    what: str
    when: str
    to_stage: Stage | None = None
    step: str | None = None  # a reminder's step: H-3, H, lewat 1
    from_stage: Stage | None = None
    reassessment: bool = False

    def matches(self, letter: Letter) -> bool:
        e = letter.event
        return (
            e.kind == self.kind
            and (letter.nomination.proposal.previous_award is not None) == self.reassessment
            and letter.recipient.audience == self.audience
            and self.to_stage in (None, e.to_stage)
            and self.from_stage in (None, e.from_stage)
            and self.step in (None, e.facts.get("step"))
        )


APPLICANTS = "the applicants"

SAMPLES = [
    Sample(
        "01-proposed-applicant",
        EventKind.PROPOSED,
        Audience.PROPOSER,
        "The proposal has been received and awaits administrative verification.",
        f"On proposal; to {APPLICANTS} (this copy: the proposing office's).",
    ),
    Sample(
        "01-proposed-reassessment",
        EventKind.PROPOSED,
        Audience.PROVINCIAL_OFFICE,
        "The same, for a product proposed again to be re-assessed after an earlier award "
        "(every letter about it names that award).",
        "On proposal; to the applicants (this copy: the provincial office's).",
        reassessment=True,
    ),
    Sample(
        "02-proposed-verification-desk",
        EventKind.PROPOSED,
        Audience.VERIFICATION_DESK,
        "A new proposal to verify, and what to check.",
        "On proposal; to the verification desk.",
    ),
    Sample(
        "03-verified-applicant",
        EventKind.VERIFIED,
        Audience.IKM_OWNER,
        "The proposal passed administrative verification: where to send the product sample.",
        f"When the verifier passes the proposal; to {APPLICANTS} (this copy: the IKM owner's).",
    ),
    Sample(
        "04-verified-lab",
        EventKind.VERIFIED,
        Audience.LAB,
        "A sample is coming to the lab for technical assessment.",
        "When the verifier passes the proposal; to the lab's desk.",
    ),
    Sample(
        "05-revision-requested",
        EventKind.REVISION_REQUESTED,
        Audience.PROPOSER,
        "The verifier asks for a corrected proposal, with the deadline.",
        "When the verifier asks for a revision; to the proposing and provincial offices.",
    ),
    Sample(
        "06-resubmitted",
        EventKind.RESUBMITTED,
        Audience.VERIFICATION_DESK,
        "The corrected proposal is back for administrative verification.",
        "When the proposing office resubmits; to the verification desk and provincial office.",
    ),
    Sample(
        "07-rejected",
        EventKind.REJECTED,
        Audience.PROPOSER,
        "The proposal failed administrative verification, with the verifier's reason.",
        f"When the verifier rejects the proposal; to {APPLICANTS}.",
    ),
    Sample(
        "08-assessed-passed",
        EventKind.ASSESSED,
        Audience.PROVINCIAL_OFFICE,
        "The product met the standard in the lab and goes to the Tim Seleksi.",
        "When the lab reports a conforming product; to the proposing and provincial offices.",
        to_stage=Stage.PANEL_SCORING,
    ),
    Sample(
        "09-assessed-failed",
        EventKind.ASSESSED,
        Audience.PROPOSER,
        "The product did not meet the standard; the proposal ends, with the lab's summary.",
        f"When the lab reports a non-conforming product; to {APPLICANTS}.",
        to_stage=Stage.NOT_AWARDED,
    ),
    Sample(
        "10-panel-assigned",
        EventKind.PANEL_ASSIGNED,
        Audience.JUROR,
        "A juror is seated on the proposal's panel: the criteria and the deadline.",
        "When the cycle seats a juror (at first, and after a replacement); to that juror.",
    ),
    Sample(
        "11-panel-closed-award-decision",
        EventKind.PANEL_CLOSED,
        Audience.OFFICIAL,
        "The Tim Seleksi's scoring is closed: the recommended stars, for the award decision.",
        "When the panel closes with a score that earns stars; to the officials.",
        to_stage=Stage.AWARD_DECISION,
    ),
    Sample(
        "12-panel-closed-not-awarded",
        EventKind.PANEL_CLOSED,
        Audience.PROPOSER,
        "The final score is below the cycle's minimum: no award.",
        f"When the panel closes with a score below the minimum; to {APPLICANTS}.",
        to_stage=Stage.NOT_AWARDED,
    ),
    Sample(
        "13-awarded",
        EventKind.AWARDED,
        Audience.PROPOSER,
        "The award: stars, final score, certificate number and who coaches the IKM next.",
        f"When the certificate number is issued after the award decision; to {APPLICANTS}.",
    ),
    Sample(
        "14-not-awarded",
        EventKind.NOT_AWARDED,
        Audience.PROPOSER,
        "The official decided on no award, with the reason.",
        f"When the official sets the stars to none; to {APPLICANTS}.",
    ),
    Sample(
        "15-expired",
        EventKind.EXPIRED,
        Audience.PROPOSER,
        "No corrected proposal came by the deadline: the proposal has expired.",
        f"At the revision deadline; to {APPLICANTS} and the verification desk.",
    ),
    Sample(
        "16-withdrawn-applicant",
        EventKind.WITHDRAWN,
        Audience.PROPOSER,
        "The proposal was withdrawn, by whom, at which stage and why.",
        f"When the proposal is withdrawn; to {APPLICANTS}.",
    ),
    Sample(
        "17-withdrawn-holder",
        EventKind.WITHDRAWN,
        Audience.LAB,
        "The same, telling whoever held the proposal that nothing more is needed of them.",
        "When the proposal is withdrawn; to whoever the stage waited for (here, the lab).",
    ),
    Sample(
        "18-reminded-before-proposer",
        EventKind.REMINDED,
        Audience.PROPOSER,
        "A reminder some working days before the revision deadline.",
        "At 09.00 local time, H-n working days before a deadline; to whoever the stage waits "
        "for (here, the proposing office).",
        step="H-3",
    ),
    Sample(
        "19-reminded-due-day-lab",
        EventKind.REMINDED,
        Audience.LAB,
        "A reminder on the deadline's day.",
        "At 09.00 local time on the due day; to whoever the stage waits for (here, the lab).",
        step="H",
    ),
    Sample(
        "20-reminded-overdue-juror",
        EventKind.REMINDED,
        Audience.JUROR,
        "A reminder after the deadline has passed.",
        "At 09.00 local time, every few working days after the deadline; to whoever the stage "
        "still waits for (here, a juror who has not scored).",
        step="lewat 1",
    ),
    Sample(
        "21-reminded-official",
        EventKind.REMINDED,
        Audience.OFFICIAL,
        "A reminder to decide the award.",
        "As the other reminders, at the award decision stage; to the officials.",
        step="H-1",
    ),
    Sample(
        "22-reminded-verification-desk",
        EventKind.REMINDED,
        Audience.VERIFICATION_DESK,
        "A reminder to decide the administrative verification.",
        "As the other reminders, at the administrative verification stage; to the "
        "verification desk.",
        step="H-1",
    ),
    Sample(
        "23-escalated-supervisor",
        EventKind.ESCALATED,
        Audience.SUPERVISOR,
        "A deadline passed with nothing done: the supervisor is asked to follow it up.",
        "At a missed deadline (but the revision's, which expires); to the supervisor of the "
        "role waited for (here, the Tim Seleksi's chair).",
        from_stage=Stage.PANEL_SCORING,
    ),
    Sample(
        "24-escalated-holder",
        EventKind.ESCALATED,
        Audience.JUROR,
        "The same escalation, asking whoever is late to act now.",
        "At a missed deadline; to whoever the stage still waits for (here, a juror).",
    ),
    Sample(
        "25-deadline-extended",
        EventKind.DEADLINE_EXTENDED,
        Audience.JUROR,
        "The operator extended the stage's deadline: the old and new deadlines, and why.",
        "When an operator extends a deadline; to whoever the stage waits for (here, a juror).",
    ),
]


def samples(letters: list[Letter] | None = None) -> dict[str, str]:
    """Each sample's file name and text, and the index (`README.md`)."""
    letters = every_letter() if letters is None else letters
    files: dict[str, str] = {}
    for sample in SAMPLES:
        found = next((x for x in letters if sample.matches(x)), None)
        if found is None:
            raise LookupError(f"no example nomination sends the letter {sample.name}")
        files[f"{sample.name}.txt"] = found.text()
    files["README.md"] = _index()
    return files


def _index() -> str:
    lines = [
        "# The letters the engine sends",
        "",
        "Every email the nomination engine sends, as a formal letter of the Directorate General",
        "(Ditjen IKMA), rendered for example nominations. Each file is the message as sent: its",
        "`Subject:` line, then its body. Generated by `python -m activities.letters` from the",
        "templates in `activities/templates/`; a test fails when these copies drift from them.",
        "",
        "Every letter names its addressee after *Yth.* (a person as *Bapak/Ibu*, a lab by its",
        "head, a desk or supervisor by its title), the proposal's number and subject, opens with",
        "*Dengan hormat,*, states the proposal's stage and deadline, closes with thanks, and is",
        "signed by the Sekretariat Program OVOP of Ditjen IKMA, Kementerian Perindustrian.",
        "Moments are written in full, in the recipient's time zone: *9 Desember 2026 pukul",
        "16.00 WIB*. *The applicants* below are the proposing office (the regency's or city's",
        "industry office), the provincial office and the IKM's owner.",
        "",
        "| File | What it says | Who gets it, and when |",
        "| --- | --- | --- |",
    ]
    lines += [f"| [{s.name}.txt]({s.name}.txt) | {s.what} | {s.when} |" for s in SAMPLES]
    return "\n".join(lines) + "\n"


def write(directory: Path = CHECKED_IN) -> list[Path]:
    """Write the samples, removing any sample that is no longer sent."""
    directory.mkdir(parents=True, exist_ok=True)
    files = samples()
    for stale in directory.glob("*.txt"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    print(f"wrote {len(write())} files to {CHECKED_IN}")
