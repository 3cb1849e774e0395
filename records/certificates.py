"""Award certificates: a serial per cycle, each nomination's number issued once; what each
certificate says, read back for anyone to verify; and the certificates revoked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError

from domain.certificates import (
    PublicCertificate,
    Revocation,
    certificate_number,
    check_revocation,
    is_certificate_number,
)
from domain.events import EventKind
from domain.stages import Stage
from records.database import Database
from records.schema import (
    certificate_counters,
    certificate_revocations,
    certificates,
    nominations,
    transitions,
)

__all__ = ["CertificateLedger", "CertificateRow", "certificate_number"]


@dataclass(frozen=True, slots=True)
class CertificateRow:
    """An awarded nomination's certificate as recorded; `public` is all anyone else sees."""

    nomination_id: str
    province: str
    regency: str
    lab: str
    public: PublicCertificate


class CertificateLedger(Database):
    """The certificates issued, the last serial of each cycle, and the revocations."""

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

    async def certificate(self, number: str) -> CertificateRow | None:
        """Certificate `number` once its award is recorded (the nomination's row says it
        was awarded with it), with its revocation if any; None for any other number."""
        if not is_certificate_number(number):
            return None
        query = (
            select(
                certificates.c.number,
                nominations.c.id.label("nomination_id"),
                nominations.c.cycle,
                nominations.c.ikm_name,
                nominations.c.product_name,
                nominations.c.commodity,
                nominations.c.regency,
                nominations.c.province,
                nominations.c.lab,
                nominations.c.stars,
                transitions.c.at.label("awarded_at"),
                certificate_revocations.c.revoked_at,
                certificate_revocations.c.reason.label("revocation_reason"),
            )
            .join(
                nominations,
                and_(
                    nominations.c.id == certificates.c.nomination_id,
                    nominations.c.certificate_number == certificates.c.number,
                    nominations.c.stage == Stage.AWARDED.value,
                ),
            )
            .join(
                transitions,
                and_(
                    transitions.c.nomination_id == nominations.c.id,
                    transitions.c.kind == EventKind.AWARDED.value,
                ),
            )
            .outerjoin(
                certificate_revocations, certificate_revocations.c.number == certificates.c.number
            )
            .where(certificates.c.number == number)
        )
        async with self.engine.connect() as conn:
            found = (await conn.execute(query)).first()
        if found is None:
            return None
        row = found._mapping
        return CertificateRow(
            nomination_id=row["nomination_id"],
            province=row["province"],
            regency=row["regency"],
            lab=row["lab"],
            public=PublicCertificate.model_validate(
                {k: v for k, v in row.items() if k in PublicCertificate.model_fields}
            ),
        )

    async def public_certificate(self, number: str) -> PublicCertificate | None:
        found = await self.certificate(number)
        return None if found is None else found.public

    async def revoke_certificate(self, revocation: Revocation, at: datetime) -> PublicCertificate:
        """Record `revocation` once the rules allow it (`domain.certificates`); the
        certificate as it now stands."""
        check_revocation(revocation, await self.public_certificate(revocation.number))
        try:
            async with self._tx() as conn:
                await conn.execute(
                    certificate_revocations.insert().values(
                        number=revocation.number,
                        reason=revocation.reason,
                        revoked_by=revocation.actor.user_id,
                        revoked_role=revocation.actor.role.value,
                        revoked_institution=revocation.actor.institution,
                        revoked_at=at,
                    )
                )
        except IntegrityError:
            # Revoked by someone else in the meantime: refused as already revoked.
            check_revocation(revocation, await self.public_certificate(revocation.number))
            raise
        revoked = await self.public_certificate(revocation.number)
        assert revoked is not None
        return revoked
