"""The samples in docs/letters/: one letter of each kind and branch, picked from those the
example nominations of `activities.letters` send, and the index that says what each is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from activities.letters import CHECKED_IN, Letter, every_letter
from domain.events import EventKind
from domain.notifications import Audience
from domain.stages import Stage


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
    by_decree: bool = False  # settled by the cycle's decree (the letter names it)
    sampled: bool = False  # the cycle's labs take samples (`lab_testing`)
    endorsing: bool = False  # the provincial offices endorse first (`endorsement`)
    visiting: bool = False  # the cycle visits each sentra (`site_visits`)

    def matches(self, letter: Letter) -> bool:
        e = letter.event
        return (
            e.kind == self.kind
            and (letter.nomination.proposal.previous_award is not None) == self.reassessment
            and letter.recipient.audience == self.audience
            and self.to_stage in (None, e.to_stage)
            and self.from_stage in (None, e.from_stage)
            and self.step in (None, e.facts.get("step"))
            and ("decree" in e.facts) == self.by_decree
            and (letter.nomination.config.lab_testing is not None) == self.sampled
            and (letter.nomination.config.endorsement is not None) == self.endorsing
            and (letter.nomination.config.site_visits is not None) == self.visiting
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
        "13-awarded-by-decree",
        EventKind.AWARDED,
        Audience.IKM_OWNER,
        "The same award where the cycle's decree settled it: the decree's number, and where "
        "anyone reads it.",
        f"When the certificate number is issued after the cycle's decree; to {APPLICANTS}.",
        by_decree=True,
    ),
    Sample(
        "14-not-awarded-by-decree",
        EventKind.NOT_AWARDED,
        Audience.PROVINCIAL_OFFICE,
        "Not among the decree's winners, with the plenary's reason, the decree's number and "
        "where to read it.",
        f"When the cycle's decree is issued, to each nominee it does not award; to {APPLICANTS}.",
        by_decree=True,
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
    Sample(
        "26-conflict-declared",
        EventKind.CONFLICT_DECLARED,
        Audience.OPERATOR,
        "A juror declared a conflict of interest: the operators are asked to replace them.",
        "When a juror on the panel declares a conflict of interest; to the cycle's operators.",
    ),
    Sample(
        "27-verified-sample-asked",
        EventKind.VERIFIED,
        Audience.PROPOSER,
        "Where the cycle's labs take samples: the proposal passed verification, and what "
        "sample to send, where, and by when.",
        "When the verifier passes the proposal; to the applicants and the lab.",
        to_stage=Stage.SAMPLE_AWAITED,
        sampled=True,
    ),
    Sample(
        "28-verified-sample-lab",
        EventKind.VERIFIED,
        Audience.LAB,
        "The lab is told what sample is coming, and to record its receipt on arrival.",
        "When the verifier passes the proposal; to the lab's desk.",
        to_stage=Stage.SAMPLE_AWAITED,
        sampled=True,
    ),
    Sample(
        "29-reminded-sample",
        EventKind.REMINDED,
        Audience.PROPOSER,
        "A reminder that the sample has not arrived.",
        "At 09.00 local time before and after the sample's deadline; to the proposing office.",
        from_stage=Stage.SAMPLE_AWAITED,
        step="H-1",
        sampled=True,
    ),
    Sample(
        "30-escalated-sample",
        EventKind.ESCALATED,
        Audience.SUPERVISOR,
        "The sample did not arrive by its deadline: the supervisor is asked to follow it up.",
        "At the sample's deadline; to the proposing offices' supervisor (or the operators) "
        "and the proposing office.",
        from_stage=Stage.SAMPLE_AWAITED,
        sampled=True,
    ),
    Sample(
        "31-sample-received",
        EventKind.SAMPLE_RECEIVED,
        Audience.LAB,
        "The lab recorded the sample's receipt: the day, its condition, and the lab's "
        "deadline counted from that day.",
        "When the lab records the receipt; to the lab's desk and the proposing office.",
        sampled=True,
    ),
    Sample(
        "32-assessed-advised-against",
        EventKind.ASSESSED,
        Audience.PROPOSER,
        "The product did not meet the standard on its template: the lab's recommendation, "
        "and the proposal goes on to the Tim Seleksi.",
        "When the lab reports a non-conforming product, where its labs take samples; to the "
        "proposing and provincial offices.",
        to_stage=Stage.PANEL_SCORING,
        sampled=True,
    ),
    Sample(
        "33-panel-closed-lab-advised-against",
        EventKind.PANEL_CLOSED,
        Audience.OFFICIAL,
        "The award decision for a product the lab found not to conform: its report named, "
        "and a reason needed to award stars.",
        "When the panel closes with a score that earns stars; to the officials.",
        to_stage=Stage.AWARD_DECISION,
        sampled=True,
    ),
    Sample(
        "34-proposed-endorsement-asked",
        EventKind.PROPOSED,
        Audience.PROVINCIAL_OFFICE,
        "Where the provincial offices endorse first: a regency's proposal is in, and the "
        "province is asked to endorse or return it by its deadline.",
        "On proposal; to the applicants (this copy: the provincial office's, with its task).",
        to_stage=Stage.PROVINCIAL_ENDORSEMENT,
        endorsing=True,
    ),
    Sample(
        "35-returned",
        EventKind.RETURNED,
        Audience.PROPOSER,
        "The provincial office returned the proposal for correction, with its reason.",
        "When the provincial office returns it; to the proposing and provincial offices.",
        endorsing=True,
    ),
    Sample(
        "36-resubmitted-to-the-province",
        EventKind.RESUBMITTED,
        Audience.PROVINCIAL_OFFICE,
        "The corrected proposal is back with the province to endorse.",
        "When the proposing office resubmits after the province's return; to the province.",
        to_stage=Stage.PROVINCIAL_ENDORSEMENT,
        endorsing=True,
    ),
    Sample(
        "37-endorsed",
        EventKind.ENDORSED,
        Audience.VERIFICATION_DESK,
        "The provincial office endorsed the proposal: on to administrative verification.",
        "When the province endorses; to the applicants and the verification desk.",
        endorsing=True,
    ),
    Sample(
        "38-reminded-endorsement",
        EventKind.REMINDED,
        Audience.PROVINCIAL_OFFICE,
        "A reminder to the provincial office to endorse or return the proposal.",
        "At 09.00 local time before and after the endorsement's deadline; to the province.",
        from_stage=Stage.PROVINCIAL_ENDORSEMENT,
        step="H-1",
        endorsing=True,
    ),
    Sample(
        "39-assessed-visit-ahead",
        EventKind.ASSESSED,
        Audience.OPERATOR,
        "Where the cycle visits each sentra: the lab's assessment is in, and the operators "
        "are asked to schedule the site visit.",
        "When the lab reports; to the operators (and the proposing and provincial offices).",
        to_stage=Stage.SITE_VISIT,
        visiting=True,
    ),
    Sample(
        "40-visit-scheduled-team",
        EventKind.VISIT_SCHEDULED,
        Audience.VISIT_TEAM,
        "A member of the visit's team: the day, the team, and the report asked for.",
        "When an operator schedules (or moves) the visit; to its team.",
        visiting=True,
    ),
    Sample(
        "41-visit-scheduled-applicant",
        EventKind.VISIT_SCHEDULED,
        Audience.IKM_OWNER,
        "The IKM is told the day of the visit and the team coming.",
        f"When an operator schedules (or moves) the visit; to {APPLICANTS}.",
        visiting=True,
    ),
    Sample(
        "42-visited",
        EventKind.VISITED,
        Audience.PROPOSER,
        "The visit is reported: its conclusion, and the proposal goes to the Tim Seleksi.",
        "When a member of the team reports; to the proposing and provincial offices.",
        visiting=True,
    ),
    Sample(
        "43-reminded-visit",
        EventKind.REMINDED,
        Audience.OPERATOR,
        "A reminder to the operators that the site visit is due.",
        "At 09.00 WIB before and after the visit's deadline; to the operators.",
        from_stage=Stage.SITE_VISIT,
        step="H-1",
        visiting=True,
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
        "A letter that asks its reader to act (a task to verify, revise, assess, score or",
        "decide, and its reminders, escalations and extensions) ends with the address of that",
        "task in the inbox: for a person, a sign-in link that is theirs alone, lives 7 days and",
        "is used once (the samples show a stand-in token); for a desk, the task's page, where",
        "whoever handles it signs in with their own address.",
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
