"""Nominations kept current and their transitions appended: each event written once, and a
late retry never turning a nomination's row back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.events import NominationEvent
from domain.presentation import NominationSummary
from records.database import Database
from records.schema import nominations, transitions

# The nomination's row as each event leaves it (all but its id and creation time).
ROW_COLUMNS = tuple(c.name for c in nominations.c if c.name not in ("id", "created_at"))


@dataclass(frozen=True, slots=True)
class NominationRow:
    """A nomination as its newest recorded event left it."""

    id: str
    cycle: str
    ikm_name: str
    product_name: str
    commodity: str
    province: str
    regency: str
    lab: str
    stage: str
    deadline: datetime | None
    final_score: float | None
    stars: int | None
    certificate_number: str | None
    coaching_level: str | None
    previous_certificate: str | None
    last_seq: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TransitionRow:
    """One event of a nomination, as recorded."""

    id: int
    nomination_id: str
    seq: int
    kind: str
    from_stage: str
    to_stage: str
    at: datetime
    actor_user_id: str
    actor_role: str
    actor_institution: str
    reason: str | None
    facts: dict[str, Any]
    recorded_at: datetime


class NominationRecords(Database):
    """The nominations and their transitions."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        # Built once and run with parameters: building a statement anew with `.values()`
        # on every call cost the worker more CPU than running it (`make bench --profile`).
        self._add_transition = self._insert_ignoring_duplicates(transitions)
        # The row added by the first event and brought up to date by each later one, in one
        # statement; only a newer state replaces it, so a late retry never turns it back.
        adding = self._insert(nominations)
        self._keep_row = adding.on_conflict_do_update(
            index_elements=[nominations.c.id],
            set_={column: adding.excluded[column] for column in ROW_COLUMNS},
            where=nominations.c.last_seq < adding.excluded.last_seq,
        )

    async def record(self, summary: NominationSummary, event: NominationEvent) -> bool:
        """Append `event` and bring the nomination's row up to date; False if already there."""
        now = datetime.now(UTC)
        row = {
            "cycle": summary.cycle,
            "ikm_name": summary.ikm_name,
            "product_name": summary.product_name,
            "commodity": summary.commodity.value,
            "province": summary.province.value,
            "regency": summary.regency,
            "lab": summary.lab.value,
            "stage": summary.stage.value,
            "deadline": summary.deadline,
            "final_score": summary.final_score,
            "stars": summary.stars,
            "certificate_number": summary.certificate_number,
            "coaching_level": summary.coaching_level.value if summary.coaching_level else None,
            "previous_certificate": summary.previous_certificate,
            "last_seq": summary.last_seq,
            "updated_at": summary.updated_at or event.at,
        }
        async with self._tx() as conn:
            inserted = await conn.execute(
                self._add_transition,
                {
                    "nomination_id": summary.id,
                    "seq": event.seq,
                    "kind": event.kind.value,
                    "from_stage": event.from_stage.value,
                    "to_stage": event.to_stage.value,
                    "at": event.at,
                    "actor_user_id": event.actor.user_id,
                    "actor_role": event.actor.role.value,
                    "actor_institution": event.actor.institution,
                    "reason": event.reason,
                    "facts": event.facts,
                    "recorded_at": now,
                },
            )
            await conn.execute(self._keep_row, {"id": summary.id, "created_at": event.at, **row})
        return bool(inserted.rowcount)

    async def transitions_of(self, nomination_id: str) -> list[TransitionRow]:
        return await self._rows(
            select(transitions)
            .where(transitions.c.nomination_id == nomination_id)
            .order_by(transitions.c.seq),
            TransitionRow,
        )

    async def nomination(self, nomination_id: str) -> NominationRow | None:
        return await self._row(
            select(nominations).where(nominations.c.id == nomination_id), NominationRow
        )

    # --- a cycle as a whole (the results report) ----------------------------------------

    async def nominations_of_cycle(self, cycle: str) -> list[NominationRow]:
        """Every nomination of `cycle` as it stands now."""
        return await self._rows(
            select(nominations).where(nominations.c.cycle == cycle).order_by(nominations.c.id),
            NominationRow,
        )

    async def transitions_of_cycle(self, cycle: str) -> list[TransitionRow]:
        """Every recorded event of `cycle`'s nominations, in order within each nomination."""
        return await self._rows(
            select(transitions)
            .join(nominations, nominations.c.id == transitions.c.nomination_id)
            .where(nominations.c.cycle == cycle)
            .order_by(transitions.c.nomination_id, transitions.c.seq),
            TransitionRow,
        )
