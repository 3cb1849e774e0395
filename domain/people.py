"""The people who decide, as the cycles list them: who may sign in to the inbox, and in
which roles they act there.

A person is found by their email address among the staff and the roster of each open
cycle: verifiers, officials and operators of Ditjen IKMA; the assessors of each Balai
Besar lab; the jurors of the Tim Seleksi; the contacts of each regional office
(`Staff.regional_offices`). A desk's shared address (the verification desk, a lab's desk)
is no one's: its letters lead to the task, where a person signs in with their own address.

Each place a person is listed in is a `Seat`: the role they act in, the user id and the
institution a decision of theirs carries, and the reach (`domain.access.Reach`) that role
gives them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from domain.access import Reach, folded
from domain.cycle import CycleConfig
from domain.decisions import Actor
from domain.labs import Lab
from domain.regions import Province, TimeZone
from domain.stages import Role

MINISTRY = "Ditjen IKMA"  # the institution verifiers, officials and operators act for


@dataclass(frozen=True)
class Seat:
    """One place a person is listed in: a role on one cycle."""

    cycle: str
    role: Role
    user_id: str
    institution: str
    province: Province | None = None
    regency: str | None = None
    lab: Lab | None = None
    commodities: tuple[str, ...] = ()  # a juror's

    @property
    def office(self) -> str:
        """Which office the seat acts for, as its drafts are kept under: its name, province
        and regency (two offices may share a name in different places)."""
        place = f"{folded(self.institution)}|{self.province}|{folded(self.regency or '')}"
        return hashlib.sha256(place.encode()).hexdigest()

    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, role=self.role, institution=self.institution)

    @property
    def reach(self) -> Reach:
        return Reach(frozenset({self.role}), self.province, self.regency, self.lab)


@dataclass(frozen=True)
class Person:
    """Someone who may sign in: their address, their name and every seat they hold."""

    email: str
    name: str
    seats: tuple[Seat, ...]
    zone: TimeZone = TimeZone.WIB  # where their deadlines are read
    # Signed in with an operator's API key: their seats come from the key, not a roster.
    by_key: bool = False

    def seat(self, cycle: str, *roles: Role) -> Seat | None:
        """Their seat on `cycle` in the first of `roles` they hold there."""
        for role in roles:
            for seat in self.seats:
                if seat.cycle == cycle and seat.role == role:
                    return seat
        return None

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(s.role for s in self.seats)

    @property
    def cycles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.cycle for s in self.seats))


@dataclass(frozen=True)
class Listing:
    """One place someone is listed on a cycle: their address (as compared), their name, the
    seat it gives them and the zone their deadlines are read in."""

    email: str
    name: str
    seat: Seat
    zone: TimeZone


def roster(config: CycleConfig) -> list[Listing]:
    """Everyone the cycle lists, in every place they are listed: its verifiers, officials
    and operators, each lab's assessors, its jurors, each regional office's contacts."""
    staff, cycle = config.staff, config.cycle
    found: list[Listing] = []

    def add(email: str, name: str, seat: Seat, zone: TimeZone) -> None:
        found.append(Listing(folded(email), name, seat, zone))

    ministry = (
        (Role.VERIFIER, staff.verifiers),
        (Role.OFFICIAL, staff.officials),
        (Role.OPERATOR, staff.operators),
    )
    for role, members in ministry:
        for m in members:
            add(str(m.email), m.name, Seat(cycle, role, m.user_id, MINISTRY), TimeZone.WIB)
    for desk in staff.labs:
        for m in desk.assessors:
            seat = Seat(cycle, Role.LAB_ASSESSOR, m.user_id, desk.lab.label, lab=desk.lab)
            add(str(m.email), m.name, seat, desk.zone)
    for j in config.jurors:
        commodities = tuple(c.value for c in j.commodities)
        seat = Seat(cycle, Role.JUROR, j.user_id, j.institution, commodities=commodities)
        add(str(j.email), j.name, seat, j.home_province.timezone)
    for office in staff.regional_offices:
        for m in office.contacts:
            seat = Seat(
                cycle,
                Role.PROPOSER,
                m.user_id,
                office.name,
                province=office.province,
                regency=office.regency,
            )
            add(str(m.email), m.name, seat, office.province.timezone)
    return found


def listed_emails(config: CycleConfig) -> list[str]:
    """Every person's address on the cycle's staff and roster, each once."""
    return list(dict.fromkeys(listing.email for listing in roster(config)))


def find_person(configs: Iterable[CycleConfig], email: str) -> Person | None:
    """The person listed under `email` on any of these cycles, or None."""
    wanted = folded(email)
    found = [hit for config in configs for hit in roster(config) if hit.email == wanted]
    if not found:
        return None
    first = found[0]
    return Person(wanted, first.name, tuple(hit.seat for hit in found), first.zone)
