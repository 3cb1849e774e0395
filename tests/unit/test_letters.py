"""Every letter the engine sends reads as a letter of the Directorate General, in formal
Indonesian, with no English, raw validation text or short dates; the samples in
docs/letters/ are the letters the templates render today."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from activities.letter_samples import SAMPLES, samples
from activities.letters import CHECKED_IN, Letter, every_letter
from activities.mail import MailRenderer
from domain.decisions import Decision
from domain.eligibility import parse_proposal
from domain.errors import Refused, problems_from
from domain.events import EventKind
from domain.notifications import Audience, recipients_for
from domain.presentation import summarize
from domain.stages import Stage
from tests.strategies import broken_proposals, decisions
from tests.support import at_stage, fresh
from tests.unit.test_bad_input import MODELS, NOMINATIONS

LETTERS = every_letter()
TEMPLATES = sorted(
    p.stem for p in (CHECKED_IN.parent.parent / "activities" / "templates").glob("[!_]*.txt")
)

# Words of the English that frameworks and libraries answer with.
ENGLISH = re.compile(
    r"\b(the|should|required|not|found|failed|failure|invalid|input|value|error|must|"
    r"allowed|method|expected|or|and|is|an?|pattern|match|field|string)\b",
    re.I,
)
QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
NOT_FOR_PEOPLE = {
    "a validation message": re.compile(
        r"Field required|Input should|String should|should (?:be|match|have)|"
        r"value is not a valid|validation error|Value error|Extra inputs",
        re.I,
    ),
    "a regular expression": re.compile(r"\^[\[(\\]|[)\]+*?}]\$|\\[dswDSW]|\(\?[:=!]|\[\^"),
    "a month cut short": re.compile(
        r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|Jun|Jul|Agu|Agt|Sep|Okt|Nov|Des)\.? \d{4}\b"
    ),
    "a time without 'pukul'": re.compile(r"\d{4},? \d{1,2}[.:]\d{2}\b"),
    "a decimal point": re.compile(r"\bNilai[^\n]*:\s*\d+\.\d"),
}


# Not in the words, though in quoted values: what people typed, or a code (`walikota`).
NOT_IN_PROSE = {
    "a template left unrendered": re.compile(r"\{\{|\}\}|\{%|%\}|\bNone\b"),
    "English": ENGLISH,
    "'walikota' (KBBI: wali kota)": re.compile(r"walikota", re.I),
}


def unfit(text: str) -> list[str]:
    """What in `text` a stakeholder should never read."""
    prose = QUOTED.sub("", text)
    return [
        f"{what}: {m.group(0)!r}"
        for checks, within in ((NOT_FOR_PEOPLE, text), (NOT_IN_PROSE, prose))
        for what, rx in checks.items()
        for m in rx.finditer(within)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "tahun: String should match pattern '^\\d{4}$'",
        "cycle: Field required",
        "Batas waktu: 9 Des 2026 16.00 WIB",
        "Batas waktu: 9 Desember 2026 16.00 WIB",
        "SK bupati/walikota",
        "Nilai akhir : 85.2",
        "Yth. None,",
        "the value is invalid",
    ],
)
def test_the_check_catches_what_it_names(text: str) -> None:
    assert unfit(text)


def test_the_check_passes_a_letter_as_it_should_read() -> None:
    assert not unfit("Batas waktu tahap ini : 9 Desember 2026 pukul 16.00 WIB; SK wali kota")


APPLICANTS = {Audience.PROPOSER, Audience.PROVINCIAL_OFFICE, Audience.IKM_OWNER}
REVISERS = {Audience.PROPOSER, Audience.PROVINCIAL_OFFICE}
HOLDERS = {*REVISERS, Audience.VERIFICATION_DESK, Audience.LAB, Audience.JUROR, Audience.OFFICIAL}

# Who gets each kind of letter; every pair is rendered below.
MAILED = {
    EventKind.PROPOSED: {*APPLICANTS, Audience.VERIFICATION_DESK},
    EventKind.VERIFIED: {*APPLICANTS, Audience.LAB},
    EventKind.REVISION_REQUESTED: REVISERS,
    EventKind.RESUBMITTED: {Audience.VERIFICATION_DESK, Audience.PROVINCIAL_OFFICE},
    EventKind.REJECTED: APPLICANTS,
    EventKind.ASSESSED: APPLICANTS | {Audience.OPERATOR},  # asked to schedule a site visit
    EventKind.PANEL_ASSIGNED: {Audience.JUROR},
    EventKind.PANEL_CLOSED: {*APPLICANTS, Audience.OFFICIAL},
    EventKind.AWARDED: APPLICANTS,
    EventKind.NOT_AWARDED: APPLICANTS,
    EventKind.EXPIRED: {*APPLICANTS, Audience.VERIFICATION_DESK},
    EventKind.WITHDRAWN: APPLICANTS | HOLDERS,
    EventKind.ESCALATED: HOLDERS | {Audience.SUPERVISOR},
    EventKind.REMINDED: HOLDERS | {Audience.OPERATOR},  # a site visit's schedulers
    EventKind.DEADLINE_EXTENDED: HOLDERS | {Audience.OPERATOR},
    EventKind.CONFLICT_DECLARED: {Audience.OPERATOR},
    EventKind.SAMPLE_RECEIVED: {Audience.PROPOSER, Audience.LAB},
    EventKind.ENDORSED: {*APPLICANTS, Audience.VERIFICATION_DESK},
    EventKind.VISIT_SCHEDULED: {*APPLICANTS, Audience.VISIT_TEAM},
    EventKind.VISITED: REVISERS,
    EventKind.RETURNED: REVISERS,
}


def test_every_kind_of_letter_is_rendered_for_everyone_who_gets_it() -> None:
    rendered = {(x.event.kind, x.recipient.audience) for x in LETTERS}
    assert rendered == {(kind, a) for kind, audiences in MAILED.items() for a in audiences}
    assert set(MAILED) == set(EventKind) - {EventKind.SCORED, EventKind.JUROR_REASSIGNED}
    assert {x.event.to_stage for x in LETTERS if x.event.kind == EventKind.ASSESSED} == {
        Stage.PANEL_SCORING,
        Stage.SITE_VISIT,
        Stage.NOT_AWARDED,
    }
    assert {x.event.to_stage for x in LETTERS if x.event.kind == EventKind.PANEL_CLOSED} == {
        Stage.AWARD_DECISION,
        Stage.NOT_AWARDED,
    }
    steps = {str(x.event.facts["step"]) for x in LETTERS if x.event.kind == EventKind.REMINDED}
    assert {"H", "lewat 1"} <= steps and any(s.startswith("H-") for s in steps)


_DESKS = {Audience.VERIFICATION_DESK, Audience.LAB, Audience.SUPERVISOR}
SENDER = (
    "\nSekretariat Program OVOP\n"
    "Direktorat Jenderal Industri Kecil, Menengah, dan Aneka\n"
    "Kementerian Perindustrian Republik Indonesia\n"
)


@pytest.mark.parametrize("letter", LETTERS, ids=lambda x: f"{x.event.kind}-{x.recipient.audience}")
def test_every_letter_reads_as_the_ministry_writes(letter: Letter) -> None:
    r, body = letter.recipient, letter.mail.body
    assert unfit(letter.mail.subject + "\n" + body) == []
    assert letter.mail.subject.startswith(f"[OVOP {letter.nomination.proposal.cycle}] ")
    assert body.startswith(f"Yth. {r.addressee}\n")
    assert ("Bapak/Ibu" in r.addressee) == (r.audience not in _DESKS), r
    if r.unit:
        assert f"\n{r.unit}\ndi tempat\n" in body
    opening = body.index("\nDengan hormat,\n\n")
    assert body.index(f"Nomor usulan : {letter.nomination.id}\n") < opening
    closing = body.index(f"\nAtas perhatian {r.you}, kami ucapkan terima kasih.\n")
    signed = body.index(SENDER)
    assert opening < closing < signed
    # Moments in full; a day alone only where the letter gives a day (a sample's receipt).
    moments = re.sub(r"Tanggal (diterima|kunjungan) +: [^\n]*", "", body)
    for when in re.findall(r"\b\d{1,2} [A-Z][a-z]+ \d{4}\b[^\n]{0,16}", moments):
        assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4} pukul \d{2}\.\d{2} WI[BT]A?.*", when)


def test_the_sample_is_asked_to_copy_the_number_printed_above() -> None:
    body = next(
        x.mail.body
        for x in LETTERS
        if x.event.kind == EventKind.VERIFIED and x.recipient.audience == Audience.IKM_OWNER
    )
    number = next(x.nomination.id for x in LETTERS if x.mail.body == body)
    asked = body.index("mencantumkan nomor usulan")
    assert body.index(f"Nomor usulan : {number}") < asked
    assert "di bagian atas surat ini" in body[asked:]


@pytest.mark.parametrize(
    ("kind", "to_stage", "reason"),
    [
        # What the rules themselves write as a reason, where a letter shows it.
        (EventKind.ESCALATED, None, "batas waktu tahap Penilaian Tim Seleksi terlampaui"),
        (
            EventKind.ASSESSED,
            Stage.NOT_AWARDED,
            "produk tidak memenuhi standar pada uji Balai Besar: kadar air",
        ),
    ],
)
def test_reasons_the_rules_write_reach_the_letters_as_written(
    kind: EventKind, to_stage: Stage | None, reason: str
) -> None:
    shown = [
        (x.event.reason, x.mail.body)
        for x in LETTERS
        if x.event.kind == kind and to_stage in (None, x.event.to_stage)
    ]
    assert shown and all(said and said in body for said, body in shown)
    assert any(said and said.startswith(reason) for said, _ in shown)


def test_a_reason_typed_by_a_person_reaches_the_letter_as_typed() -> None:
    """A reason is quoted as the verifier wrote it, under its heading."""
    nom = at_stage(Stage.ADMIN_VERIFICATION)
    event = nom.events[-1].model_copy(
        update={"kind": EventKind.REJECTED, "reason": "NIB tidak terdaftar di OSS"}
    )
    summary = summarize(nom)
    recipients = recipients_for(nom, event)
    assert recipients
    for r in recipients:
        mail = MailRenderer().render("rejected", n=summary, e=event, r=r, lab_address="-")
        assert "Alasan:\n  NIB tidak terdaftar di OSS\n" in mail.body


def test_the_samples_in_docs_are_current() -> None:
    files = samples(LETTERS)
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in CHECKED_IN.iterdir()}
    assert on_disk == files, (
        "docs/letters/ has drifted from the templates: run `.venv/bin/python -m activities.letters`"
    )


def test_the_samples_cover_every_template_and_the_index_lists_them() -> None:
    assert {s.kind.value for s in SAMPLES} == set(TEMPLATES)
    index = (CHECKED_IN / "README.md").read_text(encoding="utf-8")
    for s in SAMPLES:
        assert f"[{s.name}.txt]({s.name}.txt)" in index


# --- what the rules answer people who send something wrong ------------------------------------


@settings(max_examples=150)
@given(raw=broken_proposals())
def test_a_refused_proposal_is_told_in_indonesian(raw: dict[str, Any]) -> None:
    told_in_indonesian(raw)


def test_a_refusal_quoting_an_escaped_value_is_told_in_indonesian() -> None:
    # Found by the test above: the value comes back as `repr` writes it, "\\w" and all.
    raw = fresh().model_dump(mode="json")
    raw["sentra"]["decree"]["issuer_region"] = "\u202eKabupaten Jaya\\wijaya"
    with pytest.raises(Refused):
        parse_proposal(raw)
    told_in_indonesian(raw)


def told_in_indonesian(raw: dict[str, Any]) -> None:
    """Every problem of the refusal of `raw` (if refused) in the ministry's words."""
    try:
        parse_proposal(raw)
    except Refused as refused:
        typed = sorted(strings_in(raw), key=len, reverse=True)
        for problem in refused.problems:
            # What the sender typed is quoted back as typed ("{{ X }}" included), or as
            # `repr` escapes it (a backslash, a control character such as U+202E): only the
            # message's own words must read as the ministry writes.
            said = problem.message
            for value in typed:
                said = said.replace(repr(value), "").replace(value, "")
            assert unfit(said) == [], problem


def strings_in(value: Any) -> set[str]:
    """Every non-empty string in a JSON-like value, and each stripped, as a message quotes."""
    if isinstance(value, str):
        return {value, value.strip()} - {""}
    if isinstance(value, dict):
        return {s for v in value.values() for s in strings_in(v)}
    if isinstance(value, list):
        return {s for v in value for s in strings_in(v)}
    return set()


@settings(max_examples=300)
@given(decision=decisions)
def test_a_refused_decision_is_told_in_indonesian(decision: tuple[str, dict[str, Any]]) -> None:
    update, body = decision
    try:
        taken: Decision = MODELS[update].model_validate(body)  # type: ignore[assignment]
    except ValidationError as error:
        problems = problems_from(error)
    else:
        problems = []
        for nom in NOMINATIONS.values():
            try:
                nom.check(taken)
            except Refused as refused:
                problems += refused.problems
    for problem in problems:
        assert unfit(problem.message) == [], problem


def test_the_award_letter_gives_the_certificate_s_verification_address() -> None:
    """The address anyone checks the certificate at: the public address of this
    deployment's API (`OVOP_PUBLIC_URL`), then the number."""
    awarded = next(x for x in LETTERS if x.event.kind == EventKind.AWARDED)
    number = str(awarded.event.facts["certificate_number"])
    public = "https://ovop.kemenperin.go.id"
    mail = MailRenderer(public).render(
        "awarded",
        n=summarize(awarded.nomination),
        e=awarded.event,
        r=awarded.recipient,
        lab_address="-",
    )
    assert f"\n  {public}/verifikasi/{number}\n" in mail.body
