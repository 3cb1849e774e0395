"""A letter that asks someone to act gives the address of that task in the inbox: a sign-in
link of their own for a person, the bare task address for a desk; no other letter gives one."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr

from activities.letters import Letter, every_letter
from activities.mail import MailRenderer
from bootstrap import CodecNotConfigured
from domain.access import folded
from domain.events import EventKind
from domain.notifications import LETTER_LINK, Audience
from domain.stages import Stage
from settings import Settings
from web.links import SignInLinks
from worker import letter_links

PUBLIC = "https://ovop.kemenperin.go.id"
SECRET = "s" * 40
LINKS = SignInLinks(SECRET, PUBLIC)
SIGNED = every_letter(MailRenderer(PUBLIC, LINKS.for_letter))

SIGN_IN_LINK = re.compile(re.escape(PUBLIC) + r"/masuk/tautan/(\S+)")
TASK = re.escape(PUBLIC) + r"/tugas/\S+"

# The provincial office hears of a revision, but the proposing office takes it.
REVISERS = {Audience.PROPOSER}
HOLDERS = {*REVISERS, Audience.VERIFICATION_DESK, Audience.LAB, Audience.JUROR, Audience.OFFICIAL}
# Whose letter of each kind asks them to act: whoever the nomination now waits for.
ASKED = {
    EventKind.PROPOSED: {Audience.VERIFICATION_DESK},
    EventKind.RESUBMITTED: {Audience.VERIFICATION_DESK},
    EventKind.VERIFIED: {Audience.LAB},
    EventKind.REVISION_REQUESTED: REVISERS,
    EventKind.PANEL_ASSIGNED: {Audience.JUROR},
    EventKind.PANEL_CLOSED: {Audience.OFFICIAL},
    EventKind.REMINDED: HOLDERS,
    EventKind.ESCALATED: HOLDERS - REVISERS,  # a missed revision expires instead
    EventKind.DEADLINE_EXTENDED: HOLDERS,
    EventKind.CONFLICT_DECLARED: {Audience.OPERATOR},  # asked to replace the juror
    EventKind.SAMPLE_RECEIVED: {Audience.LAB},
    EventKind.ENDORSED: {Audience.VERIFICATION_DESK},
    EventKind.VISIT_SCHEDULED: {Audience.VISIT_TEAM},
    EventKind.ASSESSED: set(),  # but where a site visit follows (`asked`)
    EventKind.RETURNED: REVISERS,
}


def asked(letter: Letter) -> bool:
    """Whether the letter asks its reader to act. While a sample is awaited, the proposing
    office sends it but the lab records its receipt: only the lab holds a task."""
    audience = letter.recipient.audience
    if letter.event.to_stage == Stage.SAMPLE_AWAITED:
        return audience == Audience.LAB and letter.event.kind in ASKED
    if letter.event.kind == EventKind.VISIT_SCHEDULED:  # its team reports the visit
        return audience == Audience.VISIT_TEAM
    if letter.event.to_stage == Stage.SITE_VISIT:  # the operators schedule it
        return audience == Audience.OPERATOR and letter.event.kind in ASKED
    if letter.event.to_stage == Stage.PROVINCIAL_ENDORSEMENT:  # the province endorses
        return audience == Audience.PROVINCIAL_OFFICE and letter.event.kind in ASKED
    return audience in ASKED.get(letter.event.kind, set())


def links_in(letter: Letter) -> list[str]:
    return re.findall(TASK, letter.mail.body) + SIGN_IN_LINK.findall(letter.mail.body)


def test_the_letters_that_ask_someone_to_act_are_the_ones_with_a_link() -> None:
    assert [x for x in SIGNED if bool(links_in(x)) != asked(x)] == []
    linked = {(x.event.kind, x.recipient.audience) for x in SIGNED if links_in(x)}
    assert {(kind, a) for kind, audiences in ASKED.items() for a in audiences} <= linked


@pytest.mark.parametrize(
    "letter",
    [x for x in SIGNED if asked(x)],
    ids=lambda x: f"{x.event.kind}-{x.recipient.audience}",
)
def test_a_person_is_signed_in_to_their_task_and_a_desk_given_its_address(
    letter: Letter,
) -> None:
    r, body, task = letter.recipient, letter.mail.body, f"/tugas/{letter.nomination.id}"
    tokens = SIGN_IN_LINK.findall(body)
    if r.is_desk:
        assert tokens == []
        assert f"\n  {PUBLIC}{task}\n" in body
        assert "masuk dengan alamat surat elektronik masing-masing" in body
        return
    [token] = tokens
    claim = LINKS.read(token)
    assert (claim.email, claim.next) == (folded(str(r.email)), task)
    assert f"berlaku {LETTER_LINK.days} hari, dan hanya dapat dipakai sekali" in body
    assert f"\n  {PUBLIC}/masuk\n" in body  # where a new one is asked for


def test_each_letter_signs_in_with_a_link_of_its_own() -> None:
    tokens = [t for x in SIGNED for t in SIGN_IN_LINK.findall(x.mail.body)]
    assert tokens and len(set(tokens)) == len(tokens)
    assert len({LINKS.read(t).nonce for t in tokens}) == len(tokens)


def test_without_a_signer_every_letter_that_asks_gives_the_bare_task_address() -> None:
    for x in every_letter(MailRenderer(PUBLIC)):
        assert not SIGN_IN_LINK.search(x.mail.body)
        assert (f"\n  {PUBLIC}/tugas/{x.nomination.id}\n" in x.mail.body) == asked(x)
        if asked(x) and not x.recipient.is_desk:
            assert f"setelah masuk dengan alamat\nsurat elektronik {x.recipient.you}:" in (
                x.mail.body
            )


def test_a_juror_declares_a_conflict_of_interest_on_the_task_page() -> None:
    assigned = next(x for x in SIGNED if x.event.kind == EventKind.PANEL_ASSIGNED)
    assert 'tombol "Nyatakan konflik kepentingan" pada halaman tugas' in assigned.mail.body
    assert "memberitahukannya kepada Sekretariat" not in assigned.mail.body


def test_the_worker_signs_letter_links_with_the_api_s_session_secret() -> None:
    assert letter_links(Settings(session_secret=None)) is None
    with pytest.raises(CodecNotConfigured, match="OVOP_SESSION_SECRET terlalu pendek"):
        letter_links(Settings(session_secret=SecretStr("pendek")))

    signed = letter_links(Settings(session_secret=SecretStr(SECRET), public_url=PUBLIC))
    assert signed is not None
    letter = next(x for x in SIGNED if x.event.kind == EventKind.REVISION_REQUESTED)
    [token] = SIGN_IN_LINK.findall(signed(letter.nomination.id, letter.recipient))
    assert LINKS.read(token).email == folded(str(letter.recipient.email))
