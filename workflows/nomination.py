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
    from activities.webhooks import DeliverWebhookInput, Subscriptions, WebhookActivities
    from domain.access import on_panel, scores_visible
    from domain.cycle_book import StageReport
    from domain.decisions import DECISIONS, Decision, DecisionKind, DecisionResult
    from domain.errors import Refused
    from domain.events import EventKind, NominationEvent
    from domain.nomination import Nomination
    from domain.notifications import recipients_for
    from domain.panel import PanelAssignment, PanelNeed
    from domain.presentation import NominationSummary, current_details, summarize
    from domain.stages import Stage
    from workflows import names
    from workflows.inputs import JurorView, JurorViewRequest, NominationInput
    from workflows.refusals import refusal

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
# A receiver or registry that is down is tried again, more and more slowly; the webhook
# activity itself gives up after the configured time and records the delivery as failed.
WEBHOOK_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
)
WEBHOOK_TIMEOUT = timedelta(seconds=60)
SUBSCRIPTIONS_TIMEOUT = timedelta(seconds=10)
# One look-up of the webhook subscriptions serves every event of the nomination for this
# long. Subscriptions change only with the worker's configuration (a deploy).
SUBSCRIPTIONS_FRESH = timedelta(minutes=5)
REGISTRY_RETRY = WEBHOOK_RETRY
REGISTRY_TIMEOUT = timedelta(seconds=30)


def decision_updates(cls: type[NominationWorkflow]) -> type[NominationWorkflow]:
    """One Update per kind of decision in `DECISIONS`, named as the table names it, whose
    validator checks the decision and whose handler takes it."""
    for kind in DECISIONS:
        setattr(cls, kind.update, _decision_update(kind))
    return cls


def _decision_update(kind: DecisionKind) -> object:
    def handler(self: NominationWorkflow, decision: Decision) -> DecisionResult:
        return self.take(decision)

    def validator(self: NominationWorkflow, decision: Decision) -> None:
        self.check(decision)

    # The SDK reads the payload's type from the annotations: each Update takes its model.
    handler.__annotations__ = {"decision": kind.model, "return": DecisionResult}
    validator.__annotations__ = {"decision": kind.model, "return": None}
    handler.__name__ = handler.__qualname__ = kind.update
    update = workflow.update(name=kind.update, description=kind.title)(handler)
    update.validator(validator)
    return update


@workflow.defn
@decision_updates
class NominationWorkflow:
    """One nomination's life: verification, technical assessment, panel scoring, award.

    Updates, one per decision in `domain.decisions.DECISIONS` (verify, resubmit, assess,
    score, decide_award, withdraw, extend_deadline, reassign_juror), each carrying its
    actor: the validator refuses the wrong stage, role, actor or data before anything
    reaches the history; the handler takes the decision and answers in the same workflow
    task, never waiting. What follows a decision (the certificate number, the jurors the
    cycle seats) arrives as the nomination's next events.
    Signals: panel_assigned (jurors from the cycle).
    Queries: state (the whole `Nomination`, for operators), summary (`NominationSummary`),
      outcome (where the last decision led: `DecisionResult`, `settling` until it has come),
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
        self._cycle_id = input.cycle_workflow_id
        self._nom.panel_from_cycle = self._cycle_id is not None
        self._subscriptions: Subscriptions | None = None
        self._subscriptions_until: datetime | None = None
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
        self._update_visibility()
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
                self._update_visibility()
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
        nom.take_due_steps(workflow.now())
        self._update_visibility()

    async def _ask_cycle_for_jurors(self, need: PanelNeed) -> None:
        assert self._cycle_id is not None
        try:
            await workflow.get_external_workflow_handle(self._cycle_id).signal("panel_needed", need)
        except ApplicationError:
            # The cycle is gone (closed early): seat jurors from the nomination's own roster.
            workflow.logger.warning("cycle %s unreachable; panel from own roster", self._cycle_id)
            self._nom.seat(self._nom.from_roster(need), workflow.now())
            self._update_visibility()

    async def _handle_events(self) -> None:
        """Record and notify every event not yet handled, in order; tell the cycle where
        the nomination stands after each change of stage."""
        nom = self._nom
        while self._handled < len(nom.events):
            event = nom.events[self._handled]
            if event.kind in (EventKind.PROPOSED, EventKind.RESUBMITTED):
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
        subscribers = (await self._current_subscriptions()).for_kind(event.kind)
        if not subscribers:
            return
        summary = summarize(self._nom)
        for name in subscribers:
            item = DeliverWebhookInput(nomination=summary, event=event, subscriber=name)
            outbox = self._outbox.get(name)
            if outbox is not None:
                outbox.append(item)
                continue
            self._outbox[name] = [item]
            self._spawn(self._send_webhooks(name))

    async def _current_subscriptions(self) -> Subscriptions:
        """Every webhook subscription as configured now, asked again once it is stale."""
        now = workflow.now()
        if self._subscriptions is None or (
            self._subscriptions_until is not None and now >= self._subscriptions_until
        ):
            self._subscriptions = await workflow.execute_activity_method(
                WebhookActivities.subscriptions,
                start_to_close_timeout=SUBSCRIPTIONS_TIMEOUT,
                retry_policy=RECORD_RETRY,
                summary="webhook: daftar pelanggan",
            )
            self._subscriptions_until = now + SUBSCRIPTIONS_FRESH
        return self._subscriptions

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
        self._update_visibility()

    async def _check_registry(self, revision: int) -> None:
        check = await workflow.execute_activity_method(
            RegistryActivities.check,
            RegistryCheckInput(proposal=self._nom.proposal, revision=revision),
            start_to_close_timeout=REGISTRY_TIMEOUT,
            retry_policy=REGISTRY_RETRY,
            summary="periksa NIB dan SK sentra di registri",
        )
        if not self._nom.stage.is_terminal and self._nom.note_registry(check, workflow.now()):
            self._update_visibility()

    def _spawn(self, work: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.create_task(work)
        self._tasks.add(task)  # held until done: the loop keeps only a weak reference
        task.add_done_callback(self._tasks.discard)
        return task

    def _update_visibility(self) -> None:
        """Upsert the search attributes that changed, and the Web UI's current details."""
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

    # --- decisions (the Updates themselves come from `decision_updates`) -------------

    def check(self, decision: Decision) -> None:
        """Refuse a decision that may not be taken now; nothing reaches the history."""
        try:
            self._nom.check(decision)
        except Refused as error:
            raise refusal(error) from None

    def take(self, decision: Decision) -> DecisionResult:
        """Take the decision and answer at once: the handler never waits for a later
        workflow task, so no Update is in flight when a worker takes the nomination over."""
        try:
            result = self._nom.apply(decision, workflow.now())
        except Refused as error:
            # Two decisions raced in one workflow task; the first one taken wins.
            raise refusal(error) from None
        # Shown at once, in the same workflow task as the decision: an operator who looks
        # right after deciding sees the new stage, not the one before.
        self._update_visibility()
        return result

    # --- signals --------------------------------------------------------------------

    @workflow.signal
    def panel_assigned(self, assignment: PanelAssignment) -> None:
        """The cycle's jurors for this nomination."""
        self._nom.seat(assignment, workflow.now())
        self._update_visibility()

    # --- queries --------------------------------------------------------------------

    @workflow.query
    def state(self) -> Nomination:
        return self._nom

    @workflow.query
    def summary(self) -> NominationSummary:
        return summarize(self._nom)

    @workflow.query
    def outcome(self) -> DecisionResult:
        """Where the last decision has led, once what it set going has come (`settling`)."""
        return self._nom.result_message()

    @workflow.query
    def juror_view(self, request: JurorViewRequest) -> JurorView:
        nom = self._nom
        closed = scores_visible(nom)
        record = nom.scores.get(request.user_id)
        return JurorView(
            nomination=summarize(nom),
            assigned=on_panel(nom, request.user_id),
            my_scores=record.sheet if record else None,
            jurors_scored=len(nom.scores),
            panel_size=len(nom.panel),
            panel_closed=closed,
            result=nom.result if closed else None,
        )
