"""Awards by decree (`plenary.by_decree`): the cycle opens a commodity's plenary only once
its panels have closed, issues its one decree only once every commodity's list is agreed,
and tells each nominee what the decree says; a nomination waits for it, with no deadline of
its own, and no official may award it alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from activities.mail import MailRenderer
from domain.cycle import ProposalWindow
from domain.cycle_book import (
    ConfigChange,
    CycleBook,
    CycleSetup,
    PlenaryOpening,
    Registration,
    StageReport,
)
from domain.decisions import DecreeOutcome
from domain.decree import DecreeOrder
from domain.errors import RefusalKind, Refused
from domain.events import EventKind
from domain.examples import example_cycle_config
from domain.notifications import recipients_for
from domain.plenary import AgreedList, AgreedWinner, DroppedNominee, nominee_of
from domain.presentation import summarize
from domain.proposal import Commodity
from domain.stages import Stage
from tests.support import NOW, OFFICIAL, OPERATOR, at_stage, confirm, on_schedule

CONFIG = example_cycle_config("2026", plenary={"by_decree": True})
WINDOW = ProposalWindow(opens=date(2026, 3, 1), closes=date(2026, 6, 30))
AFTER = date(2026, 7, 1)  # the window is over: the decree may be issued
AFTER_NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)


def book_with(*noms: tuple[str, Commodity, Stage]) -> CycleBook:
    """A cycle whose nominations stand at the given stages; those at the award decision
    reported with their panel's scores, as the nomination reports itself."""
    book = CycleBook.open(
        CycleSetup(
            config=CONFIG,
            window=WINDOW,
            opened_by=OPERATOR,
            previous_cycle=on_schedule("2026"),
        ),
        NOW,
    )
    for nomination_id, commodity, stage in noms:
        index = {Commodity.KAIN_BATIK: 0, Commodity.MAKANAN_MINUMAN: 4}[commodity]
        nom = at_stage(Stage.AWARD_DECISION, index, CONFIG)
        nom.id = nomination_id
        book.register(
            Registration(
                nomination_id=nomination_id,
                commodity=commodity,
                province=nom.proposal.sentra.province,
                proposed_on=date(2026, 3, 2),
            ),
            NOW,
        )
        waits = stage == Stage.AWARD_DECISION
        book.report(
            StageReport(
                nomination_id=nomination_id,
                stage=stage,
                nominee=nominee_of(nom) if waits else None,
            )
        )
    return book


def opening(commodity: Commodity) -> PlenaryOpening:
    return PlenaryOpening(actor=OPERATOR, commodity=commodity)


def as_recommended(book: CycleBook, commodity: Commodity) -> AgreedList:
    ranking = book.plenaries[commodity]
    return AgreedList(
        actor=OPERATOR,
        cycle="2026",
        commodity=commodity,
        winners=[
            AgreedWinner(nomination_id=e.nominee.nomination_id, stars=e.nominee.recommended_stars)
            for e in ranking.entries
        ],
    )


def test_a_plenary_opens_once_every_panel_of_its_commodity_has_closed() -> None:
    book = book_with(
        ("batik-1", Commodity.KAIN_BATIK, Stage.AWARD_DECISION),
        ("batik-2", Commodity.KAIN_BATIK, Stage.PANEL_SCORING),
        ("food-1", Commodity.MAKANAN_MINUMAN, Stage.AWARD_DECISION),
    )
    with pytest.raises(Refused) as refused:
        book.open_plenary(opening(Commodity.KAIN_BATIK))
    [problem] = refused.value.problems
    assert problem.field == "commodity" and "batik-2" in problem.message
    assert refused.value.kind == RefusalKind.STAGE
    ranking = book.open_plenary(opening(Commodity.MAKANAN_MINUMAN))  # its panels have closed
    assert [e.nominee.nomination_id for e in ranking.entries] == ["food-1"]


def test_a_plenary_with_nobody_waiting_is_refused() -> None:
    book = book_with(("batik-1", Commodity.KAIN_BATIK, Stage.AWARD_DECISION))
    with pytest.raises(Refused) as refused:
        book.open_plenary(opening(Commodity.GERABAH))
    assert "tidak ada usulan komoditas" in refused.value.problems[0].message


def test_the_decree_waits_for_every_commodity_s_agreed_list() -> None:
    book = book_with(
        ("batik-1", Commodity.KAIN_BATIK, Stage.AWARD_DECISION),
        ("food-1", Commodity.MAKANAN_MINUMAN, Stage.AWARD_DECISION),
    )
    book.open_plenary(opening(Commodity.KAIN_BATIK))
    book.agree(as_recommended(book, Commodity.KAIN_BATIK))
    with pytest.raises(Refused) as refused:
        book.check_decree(DecreeOrder(actor=OFFICIAL), AFTER)
    assert refused.value.problems[0].field == "agreed_lists"
    assert Commodity.MAKANAN_MINUMAN.label in refused.value.problems[0].message
    book.open_plenary(opening(Commodity.MAKANAN_MINUMAN))
    with pytest.raises(Refused):
        book.check_decree(DecreeOrder(actor=OFFICIAL), AFTER)  # opened, not yet agreed


def test_the_decree_tells_each_nominee_its_stars_and_closes_the_plenaries() -> None:
    book = book_with(
        ("batik-1", Commodity.KAIN_BATIK, Stage.AWARD_DECISION),
        ("batik-2", Commodity.KAIN_BATIK, Stage.AWARD_DECISION),
    )
    book.open_plenary(opening(Commodity.KAIN_BATIK))
    agreed = as_recommended(book, Commodity.KAIN_BATIK)
    kept, left = agreed.winners
    agreed = agreed.model_copy(
        update={
            "winners": [kept],
            "dropped": [DroppedNominee(nomination_id=left.nomination_id, reason="tidak aktif")],
        }
    )
    book.agree(agreed)
    decree = book.issue_decree(DecreeOrder(actor=OFFICIAL), AFTER_NOW)
    assert [w.nomination_id for w in decree.winners] == [kept.nomination_id]
    outcomes = book.outcomes()
    assert outcomes[kept.nomination_id].stars == kept.stars
    assert outcomes[left.nomination_id] == DecreeOutcome(
        number=decree.number, issued_by=OFFICIAL, stars=0, reason="tidak aktif"
    )
    for late in (
        lambda: book.open_plenary(opening(Commodity.KAIN_BATIK)),
        lambda: book.agree(agreed),
        lambda: book.issue_decree(DecreeOrder(actor=OFFICIAL), AFTER_NOW),
    ):
        with pytest.raises(Refused) as refused:
            late()
        assert decree.number in refused.value.problems[0].message


def test_no_decree_while_the_window_is_open_or_a_nomination_is_still_being_assessed() -> None:
    book = book_with(("batik-1", Commodity.KAIN_BATIK, Stage.AWARD_DECISION))
    book.open_plenary(opening(Commodity.KAIN_BATIK))
    book.agree(as_recommended(book, Commodity.KAIN_BATIK))
    with pytest.raises(Refused) as refused:
        book.check_decree(DecreeOrder(actor=OFFICIAL), WINDOW.closes)
    assert "masa pengusulan masih berjalan" in refused.value.problems[0].message
    book.check_decree(DecreeOrder(actor=OFFICIAL), AFTER)  # the window over: it may
    late = book_with(
        ("batik-1", Commodity.KAIN_BATIK, Stage.AWARD_DECISION),
        ("food-1", Commodity.MAKANAN_MINUMAN, Stage.TECHNICAL_ASSESSMENT),
    )
    late.open_plenary(opening(Commodity.KAIN_BATIK))
    late.agree(as_recommended(late, Commodity.KAIN_BATIK))
    with pytest.raises(Refused) as refused:
        late.check_decree(DecreeOrder(actor=OFFICIAL), AFTER)
    assert "food-1" in refused.value.problems[0].message


def test_a_plenary_whose_nominees_changed_since_it_opened_is_opened_again() -> None:
    """A nominee withdrawn since, or one that reached the award decision since: the
    decree waits until the plenary has ranked exactly those waiting now."""
    book = book_with(
        ("batik-1", Commodity.KAIN_BATIK, Stage.AWARD_DECISION),
        ("batik-2", Commodity.KAIN_BATIK, Stage.AWARD_DECISION),
    )
    book.open_plenary(opening(Commodity.KAIN_BATIK))
    book.agree(as_recommended(book, Commodity.KAIN_BATIK))
    book.report(StageReport(nomination_id="batik-2", stage=Stage.WITHDRAWN))
    with pytest.raises(Refused) as refused:
        book.check_decree(DecreeOrder(actor=OFFICIAL), AFTER)
    assert "berubah sejak dibuka" in refused.value.problems[0].message
    book.open_plenary(opening(Commodity.KAIN_BATIK))
    book.agree(as_recommended(book, Commodity.KAIN_BATIK))
    decree = book.issue_decree(DecreeOrder(actor=OFFICIAL), AFTER_NOW)
    assert [w.nomination_id for w in decree.winners] == ["batik-1"]


def test_how_awards_are_decided_stays_as_the_cycle_opened() -> None:
    book = book_with(("batik-1", Commodity.KAIN_BATIK, Stage.AWARD_DECISION))
    per_nomination = CONFIG.model_copy(
        update={"plenary": CONFIG.plenary.model_copy(update={"by_decree": False})}
    )
    with pytest.raises(Refused) as refused:
        book.configure(ConfigChange(actor=OPERATOR, config=per_nomination, reason="x"), NOW)
    assert refused.value.problems[0].field == "config.plenary.by_decree"


def test_a_nominee_withdrawn_before_the_plenary_is_not_ranked() -> None:
    book = book_with(
        ("batik-1", Commodity.KAIN_BATIK, Stage.AWARD_DECISION),
        ("batik-2", Commodity.KAIN_BATIK, Stage.AWARD_DECISION),
    )
    book.report(StageReport(nomination_id="batik-2", stage=Stage.WITHDRAWN))
    ranking = book.open_plenary(opening(Commodity.KAIN_BATIK))
    assert [e.nominee.nomination_id for e in ranking.entries] == ["batik-1"]


def test_a_nomination_waits_for_the_decree_with_no_deadline_and_no_official_alone() -> None:
    nom = at_stage(Stage.AWARD_DECISION, 0, CONFIG)
    assert nom.plan is None and nom.deadline is None
    with pytest.raises(Refused) as refused:
        nom.check(confirm())
    assert refused.value.problems[0].field == "stage"
    assert "keputusan Direktur Jenderal" in refused.value.problems[0].message


def test_the_official_is_not_asked_to_decide_what_the_plenary_takes_up() -> None:
    nom = at_stage(Stage.AWARD_DECISION, 0, CONFIG)
    closed = next(e for e in nom.events if e.kind == EventKind.PANEL_CLOSED)
    assert recipients_for(nom, closed) == []


def test_a_long_plenary_reason_still_settles_the_award() -> None:
    nom = at_stage(Stage.AWARD_DECISION, 0, CONFIG)
    outcome = DecreeOutcome(
        number="0001/KEP/OVOP/IKMA/2026", issued_by=OFFICIAL, stars=0, reason="a" * 4000
    )
    nom.take_decree(outcome, NOW)
    assert nom.stage == Stage.NOT_AWARDED and len(nom.events[-1].reason or "") <= 4000


@pytest.mark.parametrize("stars", [0, 2])
def test_the_decree_settles_the_award(stars: int) -> None:
    nom = at_stage(Stage.AWARD_DECISION, 0, CONFIG)
    number = "0001/KEP/OVOP/IKMA/2026"
    nom.take_decree(
        DecreeOutcome(number=number, issued_by=OFFICIAL, stars=stars, reason="dibahas"), NOW
    )
    assert nom.award is not None and nom.award.stars == stars
    assert nom.award.decided_by == OFFICIAL and number in (nom.award.reason or "")
    if stars:
        assert nom.awaiting_certificate  # the number comes next, then the award event
    else:
        assert nom.stage == Stage.NOT_AWARDED
        assert nom.events[-1].kind == EventKind.NOT_AWARDED
        assert "tidak termasuk penerima" in (nom.events[-1].reason or "")
    settled = len(nom.events)
    nom.take_decree(DecreeOutcome(number=number, issued_by=OFFICIAL, stars=1), NOW + timedelta(1))
    assert len(nom.events) == settled  # a decree told twice settles once


@pytest.mark.parametrize("stars", [0, 2])
def test_the_letter_of_the_outcome_names_the_decree_and_where_to_read_it(stars: int) -> None:
    nom = at_stage(Stage.AWARD_DECISION, 0, CONFIG)
    number = "0001/KEP/OVOP/IKMA/2026"
    nom.take_decree(DecreeOutcome(number=number, issued_by=OFFICIAL, stars=stars), NOW)
    if stars:
        nom.grant("0001/OVOP/IKMA/2026", NOW)
    event = nom.events[-1]
    assert event.kind == (EventKind.AWARDED if stars else EventKind.NOT_AWARDED)
    recipients = recipients_for(nom, event)
    assert recipients
    renderer = MailRenderer("https://ovop.kemenperin.go.id")
    for r in recipients:
        mail = renderer.letter(summarize(nom), event, r, "-")
        assert number in mail.body
        assert "https://ovop.kemenperin.go.id/keputusan/2026" in mail.body
