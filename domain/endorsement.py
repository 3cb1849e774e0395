"""The provincial office's endorsement (release 1.5, `CycleConfig.endorsement`): before
the ministry verifies a regency's proposal, the industry office of its province endorses it
or returns it to the regency, within its deadline and, where the cycle sets one, within a
quota of endorsements per province and commodity.

A quota spans nominations, so the cycle decides an endorsement: its book knows every
nomination's province, commodity and stage, and takes one decision at a time, so two
offices' clicks cannot both take the last place. The cycle then tells the nomination,
which moves on (`Nomination.take_endorsement`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field

from domain.access import ACCESS, folded, require_role
from domain.decisions import EndorseOutcome, ProvincialEndorsement
from domain.errors import RefusalKind, Refused
from domain.proposal import Commodity, Model, Text
from domain.regions import Province
from domain.stages import Role, Stage


class EndorsementRules(Model):
    """Endorsement by the provincial office; its working days are
    `deadlines.endorsement_days`."""

    quota: dict[Commodity, int] = Field(
        default_factory=dict,
        description=(
            "Jumlah usulan paling banyak yang dapat direkomendasikan satu provinsi untuk "
            "setiap komoditas; komoditas yang tidak disebut tidak dibatasi"
        ),
    )


class EndorsementRequest(Model):
    """What the cycle takes: the endorsement, and the nomination it is for."""

    nomination_id: Text
    endorsement: ProvincialEndorsement


class Endorsee(Model):
    """A nomination as the cycle sees it for endorsement (`CycleBook.entries`)."""

    nomination_id: str
    commodity: Commodity
    province: Province
    provincial_office: str | None
    stage: Stage
    endorsed: bool


def endorsed_alike(entries: Iterable[Any], province: Province, commodity: Commodity) -> list[str]:
    """The nominations of a province and commodity its office has endorsed, but those that
    ended since before any decision on their merit (withdrawn, rejected at verification,
    expired in a revision): each of those frees its place in the quota."""
    return [
        e.nomination_id
        for e in entries
        if e.endorsed
        and e.province == province
        and e.commodity == commodity
        and e.stage not in FREED
    ]


FREED = frozenset({Stage.WITHDRAWN, Stage.REJECTED, Stage.EXPIRED})


def check_endorsement(
    d: ProvincialEndorsement,
    who: Endorsee,
    rules: EndorsementRules | None,
    endorsed_alike: list[str],
    revisions_left: bool,
) -> None:
    """Raise `Refused`, naming the field, unless `d` may be taken on `who` now.
    `endorsed_alike` are the nominations of its province and commodity endorsed so far;
    `revisions_left` says whether it may still be returned (`max_revisions`)."""
    if rules is None:
        raise Refused.one(
            "stage",
            "siklus ini tidak memakai rekomendasi dinas provinsi; usulan langsung diverifikasi",
            RefusalKind.STAGE,
        )
    require_role(d.actor, (Role.PROPOSER,))
    office = who.provincial_office
    if office is None or folded(d.actor.institution) != folded(office):
        raise Refused.one(
            "actor.institution",
            f"hanya {office or 'dinas provinsi usulan ini'} yang dapat merekomendasikan atau "
            "mengembalikan usulan ini",
            ACCESS,
        )
    if who.stage != Stage.PROVINCIAL_ENDORSEMENT or who.endorsed:
        raise Refused.one(
            "stage",
            f"usulan ini tidak sedang menunggu rekomendasi dinas provinsi (tahap "
            f"{who.stage.label})",
            RefusalKind.STAGE,
        )
    if d.outcome == EndorseOutcome.RETURN:
        if not d.reason:
            raise Refused.one("reason", "alasan wajib diisi bila usulan dikembalikan")
        if not revisions_left:
            raise Refused.one(
                "outcome",
                "batas perbaikan usulan sudah tercapai; usulan hanya dapat direkomendasikan",
            )
        return
    quota = rules.quota.get(who.commodity)
    if quota is not None and len(endorsed_alike) >= quota:
        raise Refused.one(
            "outcome",
            f"kuota rekomendasi {who.province.value} untuk komoditas {who.commodity.label} "
            f"sudah penuh ({quota} usulan: {', '.join(endorsed_alike)})",
        )
