"""The award certificate's number, taken from the records database."""

from __future__ import annotations

from temporalio import activity

from activities.heartbeat import heartbeating
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
