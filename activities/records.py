"""The award certificate's number, taken from the records database; the cycle's decree,
kept there."""

from __future__ import annotations

from temporalio import activity

from activities.heartbeat import heartbeating
from domain.decree import Decree
from domain.proposal import Model
from records import RecordStore


class IssueCertificateInput(Model):
    nomination_id: str
    cycle: str


class RecordActivities:
    def __init__(self, store: RecordStore) -> None:
        self._store = store

    @activity.defn(name="issue_certificate")
    async def issue_certificate(self, input: IssueCertificateInput) -> str:
        """The award certificate number, unique within the cycle, the same on every retry."""
        async with heartbeating():
            return await self._store.issue_certificate(input.nomination_id, input.cycle)

    @activity.defn(name="record_decree")
    async def record_decree(self, decree: Decree) -> None:
        """Keep the cycle's decree, once however often this runs."""
        async with heartbeating():
            await self._store.record_decree(decree)
