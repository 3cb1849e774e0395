"""The cycle's decree as issued, one a cycle: recorded once, read back for its PDF."""

from __future__ import annotations

from sqlalchemy import select

from domain.decree import Decree
from records.database import Database
from records.schema import decrees


class DecreeLedger(Database):
    async def record_decree(self, decree: Decree) -> None:
        """Keep `decree`; a retry (or the cycle's next run) writes nothing more."""
        async with self._tx() as conn:
            await conn.execute(
                self._insert_ignoring_duplicates(decrees).values(
                    cycle=decree.cycle,
                    number=decree.number,
                    issued_at=decree.issued_at,
                    body=decree.model_dump(mode="json"),
                )
            )

    async def decree(self, cycle: str) -> Decree | None:
        async with self.engine.connect() as conn:
            body = await conn.scalar(select(decrees.c.body).where(decrees.c.cycle == cycle))
        return None if body is None else Decree.model_validate(body)
