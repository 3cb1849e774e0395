"""Who hears of each event, and the Indonesian mail each of them gets."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from activities.mail import MailRenderer, RenderedMail, build_message
from domain.decisions import (
    AwardDecision,
    ConflictDeclaration,
    DeadlineExtension,
    EndorseOutcome,
    JurorReassignment,
    Resubmission,
    VerifyDecision,
    VerifyOutcome,
)
from domain.events import EventKind
from domain.examples import example_findings
from domain.nomination import Nomination
from domain.notifications import Audience, Recipient, recipients_for
from domain.presentation import current_details, summarize, summary_line, when, when_compact
from domain.regions import TimeZone
from domain.registry import CheckStatus, RegistryCheck, compare
from domain.stages import Stage
from tests.support import (
    CONFIG,
    NOW,
    OFFICIAL,
    OPERATOR,
    SAMPLES,
    VERIFIER,
    at_stage,
    confirm,
    endorses,
    findings,
    juror,
    nomination,
    proposer,
    sheet,
    visit_reported,
    visit_scheduled,
    withdrawal,
)


def every_path() -> list[Nomination]:
    """Nominations that between them pass through every kind of event."""
    awarded = at_stage(Stage.AWARD_DECISION)
    awarded.apply(confirm(), NOW)
    awarded.grant("0001/OVOP/IKMA/2026", NOW)

    revised = at_stage(Stage.REVISION_REQUESTED)
    revised.apply(Resubmission(actor=proposer(revised.proposal), proposal=revised.proposal), NOW)
    revised.ask_registry()
    revised.note_registry(
        RegistryCheck(
            revision=revised.revisions,
            status=CheckStatus.DONE,
            findings=compare(revised.proposal, None),
        )
    )
    revised.apply(
        VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REJECT, reason="SK tidak sah"), NOW
    )

    expired = at_stage(Stage.REVISION_REQUESTED)
    expired.take_due_steps(NOW + timedelta(days=30))

    failed_lab = at_stage(Stage.TECHNICAL_ASSESSMENT, 4)
    failed_lab.apply(findings(failed_lab.lab, 30, conforms=False), NOW)

    low = at_stage(Stage.PANEL_SCORING, 2)
    for j in low.panel:
        low.apply(sheet(j, 40), NOW)

    overridden = at_stage(Stage.AWARD_DECISION, 3)
    overridden.apply(AwardDecision(actor=OFFICIAL, override_stars=0, reason="tidak aktif"), NOW)

    late = at_stage(Stage.PANEL_SCORING, 1)
    late.apply(ConflictDeclaration(actor=juror(late.panel[0]), reason="kerabat pemilik IKM"), NOW)
    late.apply(
        JurorReassignment(actor=OPERATOR, juror_id=late.panel[0], reason="juri mengundurkan diri"),
        NOW,
    )
    late.take_due_steps(NOW + timedelta(days=30))
    late.apply(
        DeadlineExtension(actor=OPERATOR, working_days=10, reason="juri sedang dinas luar"),
        NOW + timedelta(days=30),
    )
    late.apply(withdrawal(OPERATOR), NOW)

    returned = at_stage(Stage.PROVINCIAL_ENDORSEMENT, 6)
    returned.apply(
        endorses(returned.proposal).model_copy(
            update={"outcome": EndorseOutcome.RETURN, "reason": "lengkapi foto produksi"}
        ),
        NOW,
    )
    returned.apply(Resubmission(actor=proposer(returned.proposal), proposal=returned.proposal), NOW)
    returned.apply(endorses(returned.proposal), NOW)

    visited = at_stage(Stage.SITE_VISIT, 3)
    visited.apply(visit_scheduled(), NOW)
    visited.apply(visit_reported(VERIFIER), NOW)

    sampled = at_stage(Stage.TECHNICAL_ASSESSMENT, 5, config=SAMPLES)
    sampled.apply(example_findings(SAMPLES, sampled.proposal, conforms=False), NOW)
    return [
        awarded,
        revised,
        expired,
        failed_lab,
        low,
        overridden,
        late,
        returned,
        visited,
        sampled,
    ]


def test_every_event_kind_is_covered() -> None:
    kinds = {e.kind for nom in every_path() for e in nom.events}
    assert kinds == set(EventKind)


@pytest.mark.parametrize("nom", every_path(), ids=lambda n: n.stage.value)
def test_every_mail_renders_in_indonesian(nom: Nomination) -> None:
    renderer = MailRenderer()
    summary = summarize(nom)
    for event in nom.events:
        for r in recipients_for(nom, event):
            mail = renderer.letter(summary, event, r, "Jl. X")
            assert mail.subject.startswith(f"[OVOP {nom.proposal.cycle}] ")
            assert nom.proposal.product.name in mail.subject + mail.body
            assert mail.body.startswith(f"Yth. {r.addressee}\n")
            assert r.name in r.addressee
            assert "Kementerian Perindustrian" in mail.body
            assert "None" not in mail.subject + mail.body, (event.kind, r.audience, mail.body)
            msg = build_message("OVOP <ovop@kemenperin.go.id>", summary, event, r, mail)
            assert (
                msg["Message-ID"] == build_message("x@y.id", summary, event, r, mail)["Message-ID"]
            )


def audiences(nom: Nomination, kind: EventKind) -> set[Audience]:
    event = next(e for e in reversed(nom.events) if e.kind == kind)
    return {r.audience for r in recipients_for(nom, event)}


def test_the_right_people_hear_of_each_step() -> None:
    awarded, revised, expired, failed_lab, low, overridden, late, *_ = every_path()
    applicants = {Audience.PROPOSER, Audience.PROVINCIAL_OFFICE, Audience.IKM_OWNER}
    assert audiences(awarded, EventKind.PROPOSED) == applicants | {Audience.VERIFICATION_DESK}
    assert audiences(awarded, EventKind.VERIFIED) == applicants | {Audience.LAB}
    assert audiences(awarded, EventKind.ASSESSED) == {
        Audience.PROPOSER,
        Audience.PROVINCIAL_OFFICE,
    }
    assert audiences(awarded, EventKind.PANEL_ASSIGNED) == {Audience.JUROR}
    assert audiences(awarded, EventKind.SCORED) == set()
    assert audiences(awarded, EventKind.PANEL_CLOSED) == {Audience.OFFICIAL}
    assert audiences(awarded, EventKind.AWARDED) == applicants
    assert audiences(revised, EventKind.REVISION_REQUESTED) == {
        Audience.PROPOSER,
        Audience.PROVINCIAL_OFFICE,
    }
    assert audiences(revised, EventKind.RESUBMITTED) == {
        Audience.VERIFICATION_DESK,
        Audience.PROVINCIAL_OFFICE,
    }
    assert audiences(expired, EventKind.EXPIRED) == applicants | {Audience.VERIFICATION_DESK}
    assert audiences(overridden, EventKind.NOT_AWARDED) == applicants
    assert audiences(failed_lab, EventKind.ASSESSED) == applicants
    assert audiences(low, EventKind.PANEL_CLOSED) == applicants
    assert audiences(late, EventKind.ESCALATED) == {Audience.SUPERVISOR, Audience.JUROR}
    assert audiences(late, EventKind.WITHDRAWN) == applicants | {Audience.JUROR}


def test_jurors_hear_of_their_panel_and_only_theirs() -> None:
    nom = at_stage(Stage.PANEL_SCORING)
    event = nom.events[-1]
    assert event.kind == EventKind.PANEL_ASSIGNED
    emails = {str(r.email) for r in recipients_for(nom, event) if r.audience == Audience.JUROR}
    expected = {str(j.email) for j in CONFIG.jurors if j.user_id in nom.panel}
    assert emails == expected and len(emails) == CONFIG.panel.size


def test_one_mail_per_address() -> None:
    nom = nomination()
    same = nom.proposal.proposing_office.contact
    nom.proposal = nom.proposal.model_copy(
        update={
            "provincial_office": nom.proposal.provincial_office.model_copy(update={"contact": same})
        }
    )
    emails = [str(r.email) for r in recipients_for(nom, nom.events[0])]
    assert len(emails) == len(set(emails)) == 3


def test_what_operators_read() -> None:
    nom = at_stage(Stage.PANEL_SCORING)
    assert len(summary_line(nom.proposal).encode()) <= 200
    details = current_details(nom)
    assert "Penilaian Tim Seleksi" in details
    assert "Menunggu:** nilai dari juri Tim Seleksi: " + ", ".join(nom.panel) in details
    assert when(nom.deadline) in details
    assert "Keputusan terakhir:** Penilaian teknis Balai Besar selesai" in details
    assert when(NOW) == "1 April 2026 pukul 09.00 WIB"
    assert when_compact(NOW) == "1 Apr 2026 09.00 WIB"  # for a terminal table's column
    assert when(NOW, TimeZone.WIT) == "1 April 2026 pukul 11.00 WIT"


def test_a_message_reads_back_as_written_whatever_the_letters() -> None:
    nom = every_path()[0]
    summary, event = summarize(nom), nom.events[-1]
    r = Recipient(
        name="Ibu Ṡiti Nurhaliza — Dinas", email="siti@example.id", audience=Audience.PROPOSER
    )
    mail = RenderedMail(subject="[OVOP 2026] Tenun ikat — lolos ✓", body="Yth. Ibu Ṡiti,\n\nOk.\n")
    raw = build_message("Sekretariat OVOP <ovop@kemenperin.go.id>", summary, event, r, mail)
    back = message_from_bytes(raw.as_bytes(), policy=policy.default)
    assert isinstance(back, EmailMessage)
    assert back["Subject"] == mail.subject
    assert back["To"].addresses[0].display_name == r.name
    assert back["To"].addresses[0].addr_spec == "siti@example.id"
    assert back["From"].addresses[0].addr_spec == "ovop@kemenperin.go.id"
    assert back.get_content() == mail.body
    assert back["X-OVOP-Event"] == f"{event.seq}:{event.kind.value}"
