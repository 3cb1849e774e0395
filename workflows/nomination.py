"""`NominationWorkflow`: one OVOP nomination, from the regional proposal to the award."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    # pydantic imports email_validator on the first EmailStr it checks; import it here so
    # the sandbox passes it through rather than re-importing it in every workflow run.
    import email_validator  # noqa: F401

    from activities.notify import NotifyActivities, NotifyInput
    from activities.records import IssueCertificateInput, RecordActivities, RecordEventInput
    from domain.decisions import (
        AssessmentFindings,
        AwardDecision,
        Decision,
        DecisionResult,
        Resubmission,
        ScoreSheet,
        VerifyDecision,
        Withdrawal,
    )
    from domain.errors import Refused
    from domain.nomination import Nomination, NominationEvent
    from domain.notifications import recipients_for
    from domain.presentation import NominationSummary, current_details, summarize
    from workflows import names
    from workflows.inputs import NominationInput

# Activities retry until the database or mail server is back; the nomination just waits.
RECORD_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
NOTIFY_RETRY = RECORD_RETRY
RECORD_TIMEOUT = timedelta(seconds=30)
NOTIFY_TIMEOUT = timedelta(minutes=2)


def refusal(error: Refused) -> ApplicationError:
    """A refused decision as the caller receives it: the message, and each field at fault."""
    return ApplicationError(
        str(error),
        *({"field": p.field, "message": p.message} for p in error.problems),
        type="Refused",
        non_retryable=True,
    )


@workflow.defn
class NominationWorkflow:
    """One nomination's life: verification, technical assessment, panel scoring, award.

    Updates (each a decision carrying its actor; a validator refuses the wrong stage, role,
    actor or data before anything reaches the history):
      verify, resubmit, assess, score, decide_award, withdraw.
    Queries: state (the whole `Nomination`), summary (`NominationSummary`).
    Every event is recorded in the records database and mailed to its stakeholders.
    """

    @workflow.init
    def __init__(self, input: NominationInput) -> None:
        self._nom = Nomination.propose(
            input.proposal, input.config, input.submitted_by, id=workflow.info().workflow_id
        )
        # Started here, not in run(): an update may arrive with the start, and its validator
        # runs before run() does.
        self._nom.start(workflow.now())
        self._handled = 0  # events recorded and notified so far
        self._attributes: dict[str, Any] = {}
        self._details = ""

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        nom = self._nom
        self._show()
        while True:
            await self._handle_events()
            if nom.stage.is_terminal:
                break
            if nom.awaiting_certificate:
                number = await workflow.execute_activity_method(
                    RecordActivities.issue_certificate,
                    IssueCertificateInput(nomination_id=nom.id, cycle=nom.proposal.cycle),
                    start_to_close_timeout=RECORD_TIMEOUT,
                    retry_policy=RECORD_RETRY,
                    summary="terbitkan nomor sertifikat penghargaan",
                )
                nom.grant(number, workflow.now())
                self._show()
                continue
            await self._wait_for_action()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return summarize(nom)

    async def _wait_for_action(self) -> None:
        """Wait for the next event, or for the stage's deadline."""
        nom = self._nom
        seen = len(nom.events)

        def moved() -> bool:
            return len(nom.events) != seen or nom.awaiting_certificate

        if nom.deadline is None or nom.escalated:
            await workflow.wait_condition(moved)
            return
        left = nom.deadline - workflow.now()
        if left > timedelta(0):
            try:
                await workflow.wait_condition(
                    moved, timeout=left, timeout_summary=f"batas waktu {nom.stage.label}"
                )
                return
            except TimeoutError:
                pass
        nom.deadline_passed(workflow.now())
        self._show()

    async def _handle_events(self) -> None:
        """Record and notify every event not yet handled, in order."""
        nom = self._nom
        while self._handled < len(nom.events):
            event = nom.events[self._handled]
            await asyncio.gather(self._record(event), self._notify(event))
            self._handled += 1

    async def _record(self, event: NominationEvent) -> None:
        await workflow.execute_activity_method(
            RecordActivities.record_event,
            RecordEventInput(nomination=summarize(self._nom), event=event),
            start_to_close_timeout=RECORD_TIMEOUT,
            retry_policy=RECORD_RETRY,
            summary=f"catat: {event.kind.label}",
        )

    async def _notify(self, event: NominationEvent) -> None:
        recipients = recipients_for(self._nom, event)
        if not recipients:
            return
        await workflow.execute_activity_method(
            NotifyActivities.notify,
            NotifyInput(
                nomination=summarize(self._nom),
                event=event,
                recipients=recipients,
                lab_address=self._nom.config.staff.lab_desk(self._nom.lab).address,
            ),
            start_to_close_timeout=NOTIFY_TIMEOUT,
            retry_policy=NOTIFY_RETRY,
            summary=f"email: {event.kind.label} ({len(recipients)} penerima)",
        )

    def _show(self) -> None:
        """Keep the search attributes and the Web UI's current details up to date."""
        s = summarize(self._nom)
        wanted: dict[str, Any] = {
            names.STAGE.name: s.stage.value,
            names.CYCLE.name: s.cycle,
            names.COMMODITY.name: s.commodity.value,
            names.PROVINCE.name: s.province.value,
            names.REGENCY.name: s.regency,
            names.LAB.name: s.lab.value,
            names.DEADLINE.name: s.deadline,
            names.SCORE.name: s.final_score,
            names.STARS.name: s.stars,
        }
        updates: list[SearchAttributeUpdate[Any]] = []
        for key in names.SEARCH_ATTRIBUTES:
            value = wanted[key.name]
            if key.name in self._attributes and self._attributes[key.name] == value:
                continue
            if value is None and key.name not in self._attributes:
                continue
            updates.append(key.value_unset() if value is None else key.value_set(value))
            self._attributes[key.name] = value
        if updates:
            workflow.upsert_search_attributes(updates)
        details = current_details(self._nom)
        if details != self._details:
            workflow.set_current_details(details)
            self._details = details

    # --- decisions ------------------------------------------------------------------

    def _validate(self, decision: Decision) -> None:
        try:
            self._nom.check(decision)
        except Refused as error:
            raise refusal(error) from None

    async def _decide(self, decision: Decision) -> DecisionResult:
        try:
            result = self._nom.apply(decision, workflow.now())
        except Refused as error:
            # Two decisions raced in one workflow task; the first one taken wins.
            raise refusal(error) from None
        # Shown at once, in the same workflow task as the decision: an operator who looks
        # right after deciding sees the new stage, not the one before.
        self._show()
        if self._nom.awaiting_certificate:
            await workflow.wait_condition(lambda: not self._nom.awaiting_certificate)
            result = self._nom.result_message()
        return result

    @workflow.update
    async def verify(self, decision: VerifyDecision) -> DecisionResult:
        return await self._decide(decision)

    @verify.validator
    def _check_verify(self, decision: VerifyDecision) -> None:
        self._validate(decision)

    @workflow.update
    async def resubmit(self, decision: Resubmission) -> DecisionResult:
        return await self._decide(decision)

    @resubmit.validator
    def _check_resubmit(self, decision: Resubmission) -> None:
        self._validate(decision)

    @workflow.update
    async def assess(self, decision: AssessmentFindings) -> DecisionResult:
        return await self._decide(decision)

    @assess.validator
    def _check_assess(self, decision: AssessmentFindings) -> None:
        self._validate(decision)

    @workflow.update
    async def score(self, decision: ScoreSheet) -> DecisionResult:
        return await self._decide(decision)

    @score.validator
    def _check_score(self, decision: ScoreSheet) -> None:
        self._validate(decision)

    @workflow.update
    async def decide_award(self, decision: AwardDecision) -> DecisionResult:
        return await self._decide(decision)

    @decide_award.validator
    def _check_decide_award(self, decision: AwardDecision) -> None:
        self._validate(decision)

    @workflow.update
    async def withdraw(self, decision: Withdrawal) -> DecisionResult:
        return await self._decide(decision)

    @withdraw.validator
    def _check_withdraw(self, decision: Withdrawal) -> None:
        self._validate(decision)

    # --- queries --------------------------------------------------------------------

    @workflow.query
    def state(self) -> Nomination:
        return self._nom

    @workflow.query
    def summary(self) -> NominationSummary:
        return summarize(self._nom)
