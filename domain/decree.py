"""The cycle's one decree (Surat Keputusan penetapan): issued by an official once every
commodity with nominees has its plenary's agreed list (domain/plenary.py), naming exactly
the agreed winners with their stars and coaching level.

Pure: no clock, no I/O, no randomness; the caller passes the moment and the number in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from pydantic import Field

from domain.access import require_decree_issuer
from domain.cycle import CycleConfig
from domain.decisions import Actor
from domain.errors import Problem, RefusalKind, Refused
from domain.plenary import AgreedList, Ranking, Winner, agreed_winners, check_agreed_list
from domain.proposal import Commodity, Model, Text

# `0001/KEP/OVOP/IKMA/2026`: the serial within the cycle, the kind (keputusan), program,
# issuer, cycle; shaped like a certificate's number, and never mistaken for one.
DECREE_NUMBER_PATTERN = re.compile(r"^[0-9]{4,}/KEP/OVOP/IKMA/[0-9]{4}$")
DECREE_PLACE = "Jakarta"
DECREE_SIGNATORY_TITLE = "Direktur Jenderal Industri Kecil, Menengah, dan Aneka"
# The laws a decree cites; the ministry's legal bureau may set others per decree.
LEGAL_BASES = (
    "Undang-Undang Nomor 20 Tahun 2008 tentang Usaha Mikro, Kecil, dan Menengah",
    "Undang-Undang Nomor 3 Tahun 2014 tentang Perindustrian",
    "Peraturan Pemerintah Nomor 7 Tahun 2021 tentang Kemudahan, Pelindungan, dan "
    "Pemberdayaan Koperasi dan Usaha Mikro, Kecil, dan Menengah",
    "Peraturan Presiden Nomor 107 Tahun 2020 tentang Kementerian Perindustrian",
)


DECREE_PREFIX = "/keputusan/"


def decree_url(public_url: str, cycle: str) -> str:
    """Where anyone reads the cycle's decree (the API's public route)."""
    return public_url.rstrip("/") + DECREE_PREFIX + cycle


def decree_number(cycle: str, serial: int) -> str:
    return f"{serial:04d}/KEP/OVOP/IKMA/{cycle}"


def is_decree_number(text: str) -> bool:
    return DECREE_NUMBER_PATTERN.fullmatch(text) is not None


class DecreeOrder(Model):
    """The official issues the cycle's decree from the agreed lists."""

    actor: Actor
    legal_bases: list[Text] = Field(default_factory=lambda: list(LEGAL_BASES), min_length=1)


class Decree(Model):
    """The cycle's decree (Surat Keputusan penetapan): numbered, dated, signed, and naming
    exactly the agreed winners of every commodity."""

    cycle: str
    number: str
    issued_at: datetime
    place: str = DECREE_PLACE
    issued_by: Actor
    signatory_name: str
    signatory_title: str = DECREE_SIGNATORY_TITLE
    legal_bases: list[str]
    winners: list[Winner]  # by commodity (in the order of `Commodity`), then by rank

    @property
    def commodities(self) -> list[Commodity]:
        return [c for c in Commodity if any(w.commodity == c for w in self.winners)]

    def winners_of(self, commodity: Commodity) -> list[Winner]:
        return [w for w in self.winners if w.commodity == commodity]


def check_decree(
    rankings: Mapping[Commodity, Ranking],
    agreed_lists: Mapping[Commodity, AgreedList],
    order: DecreeOrder,
    config: CycleConfig,
) -> None:
    """Raise `Refused` unless the decree may be issued now: by a listed official, once every
    commodity with nominees (a ranking with entries) has its agreed list, each still
    allowed by `check_agreed_list`, naming at least one winner in all."""
    require_decree_issuer(order.actor, config)
    with_nominees = [c for c in Commodity if c in rankings and rankings[c].entries]
    missing = [c for c in with_nominees if c not in agreed_lists]
    if missing:
        raise Refused.one(
            "agreed_lists",
            "daftar hasil sidang pleno belum dicatat untuk komoditas "
            + ", ".join(c.label for c in missing),
            RefusalKind.STAGE,
        )
    strays = [c for c in Commodity if c in agreed_lists and c not in with_nominees]
    if strays:
        raise Refused(
            [
                Problem(f"agreed_lists.{c.value}", f"komoditas {c.label} tidak memiliki peserta")
                for c in strays
            ]
        )
    for commodity in with_nominees:
        try:
            check_agreed_list(rankings[commodity], agreed_lists[commodity], config)
        except Refused as refused:
            raise refused.within(f"agreed_lists.{commodity.value}") from None
    if not any(agreed_lists[c].winners for c in with_nominees):
        raise Refused.one("agreed_lists", "tidak ada penerima penghargaan yang disepakati")


def issue_decree(
    rankings: Mapping[Commodity, Ranking],
    agreed_lists: Mapping[Commodity, AgreedList],
    order: DecreeOrder,
    config: CycleConfig,
    number: str,
    issued_at: datetime,
) -> Decree:
    """The decree `check_decree` allows, numbered `number` (`decree_number`) and dated
    `issued_at`, signed by the issuing official as the cycle's staff names them."""
    check_decree(rankings, agreed_lists, order, config)
    if not is_decree_number(number):
        raise ValueError(f"not a decree number: {number!r}")
    official = next(m for m in config.staff.officials if m.user_id == order.actor.user_id)
    return Decree(
        cycle=config.cycle,
        number=number,
        issued_at=issued_at,
        issued_by=order.actor,
        signatory_name=official.name,
        legal_bases=list(order.legal_bases),
        winners=[
            winner
            for commodity in Commodity
            if commodity in agreed_lists
            for winner in agreed_winners(rankings[commodity], agreed_lists[commodity], config)
        ],
    )
