"""The inbox's records: sign-in links taken once, and proposals being written."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from domain.access import folded
from records.database import Database
from records.schema import proposal_drafts, sign_in_links


def email_sha256(email: str) -> str:
    return hashlib.sha256(folded(email).encode()).hexdigest()


class InboxLedger(Database):
    async def note_link_requested(self, nonce: str, email: str, at: datetime) -> None:
        async with self._tx() as conn:
            await conn.execute(
                self._insert(sign_in_links).values(
                    nonce=nonce, email_sha256=email_sha256(email), requested_at=at
                )
            )

    async def links_requested_since(self, email: str, since: datetime) -> int:
        async with self.engine.connect() as conn:
            found = await conn.scalar(
                select(func.count())
                .select_from(sign_in_links)
                .where(
                    sign_in_links.c.email_sha256 == email_sha256(email),
                    sign_in_links.c.requested_at >= since,
                )
            )
        return int(found or 0)

    async def link_used(self, nonce: str) -> bool:
        async with self.engine.connect() as conn:
            used = await conn.scalar(
                select(sign_in_links.c.used_at).where(sign_in_links.c.nonce == nonce)
            )
        return used is not None

    async def take_link(self, nonce: str, email: str, at: datetime) -> bool:
        """Mark the link `nonce` used; False when it was used before (by anyone, on any
        API process: the database decides which of two at once is first)."""
        async with self._tx() as conn:
            inserted = await conn.execute(
                self._insert_ignoring_duplicates(sign_in_links).values(
                    nonce=nonce, email_sha256=email_sha256(email), used_at=at
                )
            )
            if inserted.rowcount == 1:
                return True
            taken = await conn.execute(
                update(sign_in_links)
                .where(sign_in_links.c.nonce == nonce, sign_in_links.c.used_at.is_(None))
                .values(used_at=at)
            )
            return taken.rowcount == 1

    # --- drafts --------------------------------------------------------------------------

    async def save_draft(
        self,
        draft_id: str | None,
        cycle: str,
        office: str,
        fields: dict[str, Any],
        by: str,
        at: datetime,
    ) -> str:
        """Keep the form's fields as the office's draft; returns its id (new when None)."""
        draft_id = draft_id or secrets.token_hex(16)
        values = {"cycle": cycle, "fields": fields, "updated_by": by, "updated_at": at}
        async with self._tx() as conn:
            await conn.execute(
                self._insert(proposal_drafts)
                .values(id=draft_id, office=office, **values)
                .on_conflict_do_update(index_elements=["id"], set_=values)
            )
        return draft_id

    async def drafts_of(self, office: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(proposal_drafts)
                .where(proposal_drafts.c.office == office)
                .order_by(proposal_drafts.c.updated_at.desc())
            )
        return [dict(r._mapping) for r in rows]

    async def draft(self, draft_id: str) -> dict[str, Any] | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(proposal_drafts).where(proposal_drafts.c.id == draft_id))
            ).first()
        return dict(row._mapping) if row else None

    async def drop_draft(self, draft_id: str) -> None:
        async with self._tx() as conn:
            await conn.execute(delete(proposal_drafts).where(proposal_drafts.c.id == draft_id))
