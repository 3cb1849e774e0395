"""What an operator watches over a cycle: the nominations past their deadline, grouped by
whom they wait for, and how many panels each juror sits on.

An operator of a cycle is someone with an operator seat on it (`Person.seat`); the people
a nomination waits for are the ones it holds an open task for (`domain.tasks.people_asked`),
or, where no one listed holds it (a desk, the engine), the role the stage waits for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.cycle import CycleConfig
from domain.nomination import Nomination
from domain.people import Person
from domain.proposal import Model
from domain.stages import Role
from domain.tasks import people_asked


def operates(person: Person, cycle: str) -> bool:
    """Whether `person` holds an operator seat on `cycle`."""
    return person.seat(cycle, Role.OPERATOR) is not None


def operated_cycles(person: Person) -> list[str]:
    return [cycle for cycle in person.cycles if operates(person, cycle)]


def is_overdue(nom: Nomination, now: datetime) -> bool:
    """Its stage's deadline has passed while it still waits in that stage."""
    return nom.deadline is not None and nom.deadline < now and not nom.stage.is_terminal


class Awaited(Model):
    """Someone a nomination waits for: a listed person, or a role no one listed holds."""

    name: str
    email: str | None = None  # None: the role's label stands for whoever holds its desk

    @property
    def key(self) -> str:
        return self.email or f"role:{self.name}"


def waits_for(nom: Nomination) -> list[Awaited]:
    """Whom `nom` waits for: each person asked, else the role its stage waits for."""
    asked = [Awaited(name=p.name, email=p.email) for p in people_asked(nom)]
    if asked:
        return asked
    role = nom.waiting_for()
    return [Awaited(name=role.label)] if role is not None else []


class OverdueGroup(Model):
    """One person's (or role's) overdue nominations, the longest overdue first."""

    who: Awaited
    nomination_ids: list[str]

    @property
    def count(self) -> int:
        return len(self.nomination_ids)


def overdue_by_person(noms: Iterable[Nomination], now: datetime) -> list[OverdueGroup]:
    """The overdue nominations under each one they wait for; the most overdue tasks first."""
    late = sorted((n for n in noms if is_overdue(n, now)), key=lambda n: (n.deadline, n.id))
    groups: dict[str, OverdueGroup] = {}
    for nom in late:
        for who in waits_for(nom):
            group = groups.setdefault(who.key, OverdueGroup(who=who, nomination_ids=[]))
            group.nomination_ids.append(nom.id)
    return sorted(groups.values(), key=lambda g: (-g.count, g.who.name))


class JurorLoad(Model):
    user_id: str
    name: str
    panels: int


def juror_loads(loads: dict[str, int], config: CycleConfig) -> list[JurorLoad]:
    """Each juror's panel count with their name from the roster, the busiest first; a
    juror no longer on the roster keeps their user id as their name."""
    found = []
    for user_id, panels in loads.items():
        juror = config.juror(user_id)
        found.append(
            JurorLoad(user_id=user_id, name=juror.name if juror else user_id, panels=panels)
        )
    return sorted(found, key=lambda j: (-j.panels, j.name))
