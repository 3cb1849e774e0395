"""`NominationWorkflow`: one OVOP nomination, from the regional proposal to the award."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    # pydantic imports email_validator on the first EmailStr it checks; import it here so
    # the sandbox passes it through rather than re-importing it in every workflow run.
    import email_validator  # noqa: F401

    from activities.notify import NotifyActivities, NotifyInput
    from activities.records import IssueCertificateInput, RecordActivities, RecordEventInput
    from activities.registry import RegistryActivities, RegistryCheckInput
    from activities.webhooks import (
        DeliverWebhookInput,
        Subscriptions,
        WebhookActivities,
        WebhookTargetsInput,
    )
    from domain.cycle_book import StageReport
    from domain.decisions import (
        AssessmentFindings,
        AwardDecision,
        DeadlineExtension,
        Decision,
        DecisionResult,
        JurorReassignment,
        Resubmission,
        ScoreSheet,
        VerifyDecision,
        Withdrawal,
    )
    from domain.errors import Refused
    from domain.nomination import (
        RULES_CALENDAR_DAYS,
        RULES_PANEL_EVENTS,
        RULES_PANEL_SHORTFALL,
        RULES_WORKING_DAYS,
        EventKind,
        Nomination,
        NominationEvent,
    )
    from domain.notifications import recipients_for
    from domain.panel import PanelAssignment, PanelNeed
    from domain.presentation import NominationSummary, current_details, summarize
    from domain.stages import Stage
    from workflows import names
    from workflows.inputs import JurorView, JurorViewRequest, NominationInput

# Activities retry until the database or mail server is back; the nomination just waits.
RECORD_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
NOTIFY_RETRY = RECORD_RETRY
RECORD_TIMEOUT = timedelta(seconds=30)
NOTIFY_TIMEOUT = timedelta(minutes=2)
# The record and mail activities heartbeat while they run: one that a dead worker held is
# retried after this, not after its whole timeout.
HEARTBEAT_TIMEOUT = timedelta(seconds=10)


# Each release of the rules that changes what a running nomination does is behind a patch,
# so a nomination keeps the rules it started under and its history replays.
WORKING_DAY_DEADLINES = "working-day-deadlines"  # RULES_WORKING_DAYS
PANEL_EVENTS = "panel-events"  # RULES_PANEL_EVENTS
PANEL_SHORTFALL = "panel-shortfall"  # RULES_PANEL_SHORTFALL


def rules_in_force() -> int:
    """The release of the rules this run follows (see `Nomination.rules`)."""
    if not workflow.patched(WORKING_DAY_DEADLINES):
        return RULES_CALENDAR_DAYS
    if not workflow.patched(PANEL_EVENTS):
        return RULES_WORKING_DAYS
    if not workflow.patched(PANEL_SHORTFALL):
        return RULES_PANEL_EVENTS
    return RULES_PANEL_SHORTFALL


# Webhooks to the ministry's systems and the registry pre-check at verification; nominations
# started before them replay as they ran, without either.
WEBHOOKS = "webhooks"
REGISTRY_CHECK = "registry-check"
# A receiver or registry that is down is tried again, more and more slowly; the webhook
# activity itself gives up after the configured time and records the delivery as failed.
WEBHOOK_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
)
WEBHOOK_TIMEOUT = timedelta(seconds=60)
WEBHOOK_TARGETS_TIMEOUT = timedelta(seconds=10)
# One look-up of the webhook subscribers serves every event of the nomination for a while,
# rather than one local activity per event (each a marker in the history, a workflow
# activation and a round trip through the server: a third of the worker's CPU in
# `make bench`). Subscribers change only with the worker's configuration, that is with a
# deploy; a nomination sees the change within this long.
WEBHOOK_LOOKUP = "webhook-lookup-shared"
# From that release on, the look-up is an activity that returns every subscription, and the
# workflow picks the subscribers of each event from it. A local activity's result is not
# tied to a place in the history the way an activity's is: one that came back together
# with a decision could replay in the other order and break the nomination.
WEBHOOK_SUBSCRIPTIONS = "webhook-subscriptions"
WEBHOOK_TARGETS_FRESH = timedelta(minutes=5)
REGISTRY_RETRY = WEBHOOK_RETRY
REGISTRY_TIMEOUT = timedelta(seconds=30)


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
      verify, resubmit, assess, score, decide_award, withdraw, extend_deadline,
      reassign_juror.
    Signals: panel_assigned (jurors from the cycle).
    Queries: state (the whole `Nomination`, for operators), summary (`NominationSummary`),
      juror_view (what one juror may see: no other juror's scores before the panel closes).
    Every event is recorded in the records database and mailed to its stakeholders, and
    sent to each webhook subscriber that wants it (in order, apart from the rest). On entering
    verification, a registry pre-check runs alongside; its findings arrive as an event.
    """

    @workflow.init
    def __init__(self, input: NominationInput) -> None:
        self._nom = Nomination.propose(
            input.proposal, input.config, input.submitted_by, id=workflow.info().workflow_id
        )
        self._nom.rules = rules_in_force()
        self._cycle_id = input.cycle_workflow_id
        self._nom.panel_from_cycle = self._cycle_id is not None
        self._webhooks = workflow.patched(WEBHOOKS)
        self._registry_check = workflow.patched(REGISTRY_CHECK)
        self._shared_lookup = self._webhooks and workflow.patched(WEBHOOK_LOOKUP)
        self._subscriptions_activity = self._shared_lookup and workflow.patched(
            WEBHOOK_SUBSCRIPTIONS
        )
        self._subscriptions: Subscriptions | None = None
        # With the shared look-up: whether anyone subscribes at all (with the subscriptions
        # activity: every subscription), and until when that answer stands.
        self._anyone: bool = True
        self._lookup_until: datetime | None = None
        # Per subscriber, the events still to deliver, oldest first; one sender each.
        self._outbox: dict[str, list[DeliverWebhookInput]] = {}
        self._registry_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
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
            request = nom.take_panel_request()
            if request is not None:
                await self._ask_cycle_for_jurors(request)
                continue
            if nom.awaiting_certificate:
                number = await workflow.execute_activity_method(
                    RecordActivities.issue_certificate,
                    IssueCertificateInput(nomination_id=nom.id, cycle=nom.proposal.cycle),
                    start_to_close_timeout=RECORD_TIMEOUT,
                    heartbeat_timeout=HEARTBEAT_TIMEOUT,
                    retry_policy=RECORD_RETRY,
                    summary="terbitkan nomor sertifikat penghargaan",
                )
                nom.grant(number, workflow.now())
                self._show()
                continue
            await self._wait_for_action()
        if self._registry_task is not None:
            self._registry_task.cancel()  # the verdict is in; the pre-check is moot
        await workflow.wait_condition(lambda: not self._outbox)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return summarize(nom)

    async def _wait_for_action(self) -> None:
        """Wait for the next event, or for the stage's next reminder or deadline."""
        nom = self._nom
        seen = len(nom.events)

        def moved() -> bool:
            return len(nom.events) != seen or nom.awaiting_certificate

        step = nom.next_step
        if step is None:
            await workflow.wait_condition(moved)
            return
        left = step.at - workflow.now()
        if left > timedelta(0):
            # One durable timer at a time, to the next step only: a waiting nomination
            # costs the worker nothing, and a decision cancels what it made moot.
            try:
                await workflow.wait_condition(
                    moved, timeout=left, timeout_summary=f"{step.label}: {nom.stage.label}"
                )
                return
            except TimeoutError:
                pass
        nom.clock(workflow.now())
        self._show()

    async def _ask_cycle_for_jurors(self, need: PanelNeed) -> None:
        assert self._cycle_id is not None
        try:
            await workflow.get_external_workflow_handle(self._cycle_id).signal("panel_needed", need)
        except ApplicationError:
            # The cycle is gone (closed early): seat jurors from the nomination's own roster.
            workflow.logger.warning("cycle %s unreachable; panel from own roster", self._cycle_id)
            self._nom.seat(self._nom.from_roster(need), workflow.now())
            self._show()

    async def _handle_events(self) -> None:
        """Record and notify every event not yet handled, in order; tell the cycle where
        the nomination stands after each change of stage."""
        nom = self._nom
        while self._handled < len(nom.events):
            event = nom.events[self._handled]
            if self._registry_check and event.kind in (EventKind.PROPOSED, EventKind.RESUBMITTED):
                self._ask_registry()
            await asyncio.gather(self._record(event), self._notify(event), self._publish(event))
            self._handled += 1
            if event.is_transition and self._cycle_id is not None:
                await self._tell_cycle(event.to_stage)

    async def _tell_cycle(self, stage: Stage) -> None:
        assert self._cycle_id is not None
        s = summarize(self._nom)
        report = StageReport(
            nomination_id=s.id, stage=stage, final_score=s.final_score, stars=s.stars
        )
        try:
            await workflow.get_external_workflow_handle(self._cycle_id).signal(
                "nomination_moved", report
            )
        except ApplicationError:
            workflow.logger.warning("cycle %s unreachable; progress not counted", self._cycle_id)

    async def _record(self, event: NominationEvent) -> None:
        await workflow.execute_activity_method(
            RecordActivities.record_event,
            RecordEventInput(nomination=summarize(self._nom), event=event),
            start_to_close_timeout=RECORD_TIMEOUT,
            heartbeat_timeout=HEARTBEAT_TIMEOUT,
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
            heartbeat_timeout=HEARTBEAT_TIMEOUT,
            retry_policy=NOTIFY_RETRY,
            summary=f"email: {event.kind.label} ({len(recipients)} penerima)",
        )

    async def _publish(self, event: NominationEvent) -> None:
        """Queue the event for each webhook subscriber that wants it; delivery runs apart,
        in order per subscriber, so a receiver that is down holds up no record or mail."""
        if not self._webhooks:
            return
        subscribers = await self._subscribers(event.kind)
        if not subscribers:
            return
        summary = summarize(self._nom)
        delivery = [
            DeliverWebhookInput(nomination=summary, event=event, subscriber=name)
            for name in subscribers
        ]
        for item in delivery:
            outbox = self._outbox.get(item.subscriber)
            if outbox is not None:
                outbox.append(item)
                continue
            self._outbox[item.subscriber] = [item]
            self._spawn(self._send_webhooks(item.subscriber))

    async def _subscribers(self, kind: EventKind) -> list[str]:
        """The subscribers that want this kind of event, as configured now; with the shared
        look-up, none at all is known for a while from one question; with the subscriptions
        activity, all of them are."""
        if self._subscriptions_activity:
            now = workflow.now()
            stale = self._lookup_until is None or now >= self._lookup_until
            if self._subscriptions is None or stale:
                self._subscriptions = await workflow.execute_activity_method(
                    WebhookActivities.subscriptions,
                    start_to_close_timeout=WEBHOOK_TARGETS_TIMEOUT,
                    retry_policy=RECORD_RETRY,
                    summary="webhook: daftar pelanggan",
                )
                self._lookup_until = now + WEBHOOK_TARGETS_FRESH
            return self._subscriptions.for_kind(kind)
        if self._shared_lookup:
            now = workflow.now()
            if self._lookup_until is None or now >= self._lookup_until:
                anyone = await self._ask_subscribers(WebhookTargetsInput(kind=None))
                self._anyone = bool(anyone)
                self._lookup_until = now + WEBHOOK_TARGETS_FRESH
            if not self._anyone:
                return []
        return await self._ask_subscribers(WebhookTargetsInput(kind=kind))

    async def _ask_subscribers(self, question: WebhookTargetsInput) -> list[str]:
        return await workflow.execute_local_activity_method(
            WebhookActivities.subscribers_for,
            question,
            start_to_close_timeout=WEBHOOK_TARGETS_TIMEOUT,
        )

    async def _send_webhooks(self, subscriber: str) -> None:
        outbox = self._outbox[subscriber]
        while outbox:
            item = outbox[0]
            try:
                await workflow.execute_activity_method(
                    WebhookActivities.deliver,
                    item,
                    start_to_close_timeout=WEBHOOK_TIMEOUT,
                    retry_policy=WEBHOOK_RETRY,
                    summary=f"webhook {subscriber}: {item.event.kind.label}",
                )
            except ActivityError as error:
                # Only a non-retryable failure ends up here; the next event must still go.
                workflow.logger.error("webhook %s, event %s: %s", subscriber, item.event.seq, error)
            outbox.pop(0)
        del self._outbox[subscriber]

    def _ask_registry(self) -> None:
        """Start the registry pre-check of the proposal as it now stands, without waiting."""
        if self._registry_task is not None:
            self._registry_task.cancel()  # about a version of the proposal now replaced
        self._nom.ask_registry()
        self._registry_task = self._spawn(self._check_registry(self._nom.revisions))
        self._show()

    async def _check_registry(self, revision: int) -> None:
        check = await workflow.execute_activity_method(
            RegistryActivities.check,
            RegistryCheckInput(proposal=self._nom.proposal, revision=revision),
            start_to_close_timeout=REGISTRY_TIMEOUT,
            retry_policy=REGISTRY_RETRY,
            summary="periksa NIB dan SK sentra di registri",
        )
        if not self._nom.stage.is_terminal and self._nom.note_registry(check, workflow.now()):
            self._show()

    def _spawn(self, work: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

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
        # The decision's answer says what came of it: wait for the certificate number, or for
        # the jurors the cycle assigns (moments, both: the next workflow tasks bring them).
        nom = self._nom
        if nom.awaiting_certificate or nom.jurors_wanted:
            await workflow.wait_condition(
                lambda: (
                    not nom.awaiting_certificate
                    and (not nom.jurors_wanted or nom.stage != Stage.PANEL_SCORING)
                )
            )
            result = nom.result_message()
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

    @workflow.update
    async def extend_deadline(self, decision: DeadlineExtension) -> DecisionResult:
        return await self._decide(decision)

    @extend_deadline.validator
    def _check_extend_deadline(self, decision: DeadlineExtension) -> None:
        self._validate(decision)

    @workflow.update
    async def reassign_juror(self, decision: JurorReassignment) -> DecisionResult:
        return await self._decide(decision)

    @reassign_juror.validator
    def _check_reassign_juror(self, decision: JurorReassignment) -> None:
        self._validate(decision)

    # --- signals --------------------------------------------------------------------

    @workflow.signal
    def panel_assigned(self, assignment: PanelAssignment) -> None:
        """The cycle's jurors for this nomination."""
        self._nom.seat(assignment, workflow.now())
        self._show()

    # --- queries --------------------------------------------------------------------

    @workflow.query
    def state(self) -> Nomination:
        return self._nom

    @workflow.query
    def summary(self) -> NominationSummary:
        return summarize(self._nom)

    @workflow.query
    def juror_view(self, request: JurorViewRequest) -> JurorView:
        nom = self._nom
        closed = nom.result is not None
        record = nom.scores.get(request.user_id)
        return JurorView(
            nomination=summarize(nom),
            assigned=request.user_id in nom.panel,
            my_scores=record.sheet if record else None,
            jurors_scored=len(nom.scores),
            panel_size=len(nom.panel),
            panel_closed=closed,
            result=nom.result if closed else None,
        )
