"""Award certificates: a serial per cycle, each nomination's number issued once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from records.database import Database
from records.schema import certificate_counters, certificates


def certificate_number(cycle: str, serial: int) -> str:
    """`0007/OVOP/IKMA/2026`: the serial within the cycle, then program, issuer, cycle."""
    return f"{serial:04d}/OVOP/IKMA/{cycle}"


class CertificateLedger(Database):
    """The certificates issued, and the last serial of each cycle."""

    async def issue_certificate(self, nomination_id: str, cycle: str) -> str:
        """The nomination's certificate number: the next serial in its cycle, issued once."""
        existing = await self._certificate_of(nomination_id)
        if existing is not None:
            return existing
        try:
            async with self._tx() as conn:
                await conn.execute(
                    self._insert_ignoring_duplicates(certificate_counters).values(
                        cycle=cycle, last_serial=0
                    )
                )
                serial = await conn.scalar(
                    update(certificate_counters)
                    .where(certificate_counters.c.cycle == cycle)
                    .values(last_serial=certificate_counters.c.last_serial + 1)
                    .returning(certificate_counters.c.last_serial)
                )
                number = certificate_number(cycle, int(serial))
                await conn.execute(
                    certificates.insert().values(
                        cycle=cycle,
                        serial=serial,
                        nomination_id=nomination_id,
                        number=number,
                        issued_at=datetime.now(UTC),
                    )
                )
                return number
        except IntegrityError:
            # The same award issued by a retry running alongside: its number stands.
            existing = await self._certificate_of(nomination_id)
            if existing is None:
                raise
            return existing

    async def _certificate_of(self, nomination_id: str) -> str | None:
        async with self.engine.connect() as conn:
            number = await conn.scalar(
                select(certificates.c.number).where(certificates.c.nomination_id == nomination_id)
            )
            return None if number is None else str(number)
