"""Who sits on a nomination's panel: jurors of its commodity, never one with a conflict of
interest, the least loaded first."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from pydantic import Field

from domain.cycle import Juror
from domain.proposal import Commodity, Model, Nib
from domain.regions import Province


class PanelNeed(Model):
    """A nomination asks its cycle for jurors."""

    nomination_id: str
    commodity: Commodity
    province: Province
    nib: Nib
    count: int
    # Jurors who may not be (re)assigned: on the panel already, or dropped from it.
    exclude: list[str] = Field(default_factory=list)
    # Jurors who left the panel: their load goes down.
    release: list[str] = Field(default_factory=list)


class PanelAssignment(Model):
    """The cycle's answer: the jurors assigned, and how many it could not find."""

    jurors: list[Juror]
    shortfall: int = 0


def conflict_of(
    juror: Juror, province: Province, nib: str, same_province: bool = False
) -> str | None:
    """Why this juror may not judge an IKM of this province and NIB, or None if they may:
    a conflict they declared, or, where the cycle sets `same_province_conflict`, their home
    province."""
    if same_province and juror.home_province == province:
        return f"berasal dari provinsi yang sama dengan IKM ({juror.home_province.value})"
    if nib in juror.declared_conflicts:
        return "telah menyatakan konflik kepentingan dengan IKM ini"
    return None


def assign_jurors(
    roster: Iterable[Juror],
    need: PanelNeed,
    loads: Mapping[str, int] | None = None,
    same_province: bool = False,
) -> PanelAssignment:
    """The jurors chosen for `need`, and how many of those asked for could not be found."""
    jurors = choose_jurors(roster, need, loads, same_province)
    return PanelAssignment(jurors=jurors, shortfall=need.count - len(jurors))


def choose_jurors(
    roster: Iterable[Juror],
    need: PanelNeed,
    loads: Mapping[str, int] | None = None,
    same_province: bool = False,
) -> list[Juror]:
    """Up to `need.count` jurors for the nomination, least loaded first.

    Eligible: they judge its commodity, have no conflict, and are not excluded. Among equal
    loads a hash of nomination and juror decides (rendezvous hashing), so the choice is
    stable and, without a load count at all, still spreads evenly.
    """
    loads = loads or {}
    candidates = [
        j
        for j in roster
        if need.commodity in j.commodities
        and j.user_id not in need.exclude
        and conflict_of(j, need.province, need.nib, same_province) is None
    ]
    candidates.sort(
        key=lambda j: (
            loads.get(j.user_id, 0),
            hashlib.sha256(f"{need.nomination_id}|{j.user_id}".encode()).hexdigest(),
        )
    )
    return candidates[: need.count]
