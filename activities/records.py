"""Activities that write the records database."""

from __future__ import annotations

from temporalio import activity

from activities.heartbeat import heartbeating
from domain.events import NominationEvent
from domain.presentation import NominationSummary
from domain.proposal import Model
from records import RecordStore


class RecordEventInput(Model):
    nomination: NominationSummary
    event: NominationEvent


class IssueCertificateInput(Model):
    nomination_id: str
    cycle: str


class RecordActivities:
    def __init__(self, store: RecordStore) -> None:
        self._store = store

    @activity.defn(name="record_event")
    async def record_event(self, input: RecordEventInput) -> None:
        """Append the event to the transitions table and update the nomination's row."""
        async with heartbeating():
            written = await self._store.record(input.nomination, input.event)
        if not written:
            activity.logger.info(
                "event %s of %s was already recorded", input.event.seq, input.nomination.id
            )

    @activity.defn(name="issue_certificate")
    async def issue_certificate(self, input: IssueCertificateInput) -> str:
        """The award certificate number, unique within the cycle, the same on every retry."""
        async with heartbeating():
            return await self._store.issue_certificate(input.nomination_id, input.cycle)
