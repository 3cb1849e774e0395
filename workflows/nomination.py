"""`NominationWorkflow`: one OVOP nomination, from the regional proposal to the award."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import Priority, RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    # pydantic imports email_validator on the first EmailStr it checks; import it here so
    # that a sandbox without the worker's passthrough list (a `Replayer`, the tests'
    # workers) passes it through rather than re-importing it in every workflow run.
    import email_validator  # noqa: F401

    from activities.events import EventActivities, HandleEventInput
    from activities.records import IssueCertificateInput, RecordActivities
    from activities.registry import RegistryActivities, RegistryCheckInput
    from domain.access import on_panel, scores_visible
    from domain.cycle_book import StageReport
    from domain.decisions import (
        DECISIONS,
        Decision,
        DecisionKind,
        DecisionResult,
        DecreeOutcome,
        ProvincialEndorsement,
    )
    from domain.errors import Refused
    from domain.events import EventKind, NominationEvent
    from domain.nomination import Nomination
    from domain.notifications import recipients_for
    from domain.panel import PanelAssignment, PanelNeed
    from domain.plenary import nominee_of
    from domain.presentation import NominationSummary, current_details, summarize
    from domain.stages import Stage
    from workflows import names
    from workflows.inputs import JurorView, JurorViewRequest, NominationInput
    from workflows.refusals import refusal

# What an event calls for (the record, the mail, the webhooks) is retried until the database,
# the mail server and the receivers are back; the nomination does not wait for it. A
# receiver that stays down is given up by the activity itself after the configured time.
EVENT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
EVENT_TIMEOUT = timedelta(minutes=2)
RECORD_RETRY = EVENT_RETRY
RECORD_TIMEOUT = timedelta(seconds=30)
# The event and certificate activities heartbeat while they run: one that a dead worker held
# is retried after this, not after its whole timeout.
HEARTBEAT_TIMEOUT = timedelta(seconds=10)
REGISTRY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
)
REGISTRY_TIMEOUT = timedelta(seconds=30)
# What a person's decision waits for (the award's certificate number) goes before the
# letters and records queued behind the busy hours' decisions (Temporal serves a task
# queue's lower priority keys first; the default is 3).
SOMEONE_WAITS = Priority(priority_key=1)


def decision_updates(cls: type[NominationWorkflow]) -> type[NominationWorkflow]:
    """One Update per kind of decision in `DECISIONS`, named as the table names it, whose
    validator checks the decision and whose handler takes it."""
    for kind in DECISIONS:
        if not kind.by_cycle:  # the cycle's Update, told to the nomination by a signal
            setattr(cls, kind.update, _decision_update(kind))
    return cls


def _decision_update(kind: DecisionKind) -> object:
    async def handler(self: NominationWorkflow, decision: Decision) -> DecisionResult:
        return await self.take(decision)

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

    Updates, one per decision in `domain.decisions.DECISIONS` (verify, resubmit,
    receive_sample, assess, score, decide_award, withdraw, extend_deadline, reassign_juror,
    declare_conflict), each carrying its
    actor: the validator refuses the wrong stage, role, actor or data before anything
    reaches the history; the handler takes the decision and starts what it calls for in one
    workflow task, and answers once what it set going (the certificate number, the jurors the
    cycle seats) has come with the nomination's next events: the person deciding sees it in
    the answer, with no Query asked after it. A nomination started before release 1.6
    answers at once, `settling` (`NominationInput.answers_settled`).
    Signals: panel_assigned (jurors from the cycle), decreed (the cycle's decree, where it
      settles the award: `plenary.by_decree`), endorsed (the provincial office's
      endorsement, which the cycle takes: `endorsement`).
    Queries: state (the whole `Nomination`, for operators), summary (`NominationSummary`),
      outcome (where the last decision led: `DecisionResult`, `settling` until it has come),
      juror_view (what one juror may see: no other juror's scores before the panel closes).

    Every event is recorded, mailed to its stakeholders and sent to the webhook subscribers
    by one activity, started by whatever made the event (a decision, the cycle's jurors, a
    deadline) in the same workflow task. No activity's result starts anything on its own
    while a decision could still be taken: a worker that takes the nomination over, answers
    a query and then a decision cannot write them in an order that would not replay
    (sdk-python#1591; docs/faults.md), nor leaves a trace a decision's commands would depend
    on. The registry pre-check, started with the proposal and each resubmission, leaves its
    findings in the state and the Web UI's details.
    """

    @workflow.init
    def __init__(self, input: NominationInput) -> None:
        corrected = input.corrected_rules
        config = input.config if corrected else input.config.keeping_province_conflicts()
        self._nom = Nomination.propose(
            input.proposal, config, input.submitted_by, id=workflow.info().workflow_id
        )
        self._nom.regency_checked = corrected
        self._cycle_id = input.cycle_workflow_id
        self._answers_settled = input.answers_settled
        self._nom.panel_from_cycle = self._cycle_id is not None
        # Started here, not in run(): an update may arrive with the start, and its validator
        # runs before run() does.
        self._nom.start(workflow.now())
        self._dispatched = 0  # events whose activity has been started
        self._in_flight: set[asyncio.Task[None]] = set()
        # Registry pre-checks under way: not waited for, as their answer matters only while
        # the proposal is being verified (one about an earlier revision is dropped).
        self._checks: set[asyncio.Task[None]] = set()
        self._certificate: asyncio.Task[None] | None = None
        self._attributes: dict[str, Any] = {}
        self._details = ""

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        nom = self._nom
        self._dispatch()
        while not nom.stage.is_terminal:
            await self._wait_for_step()
        await workflow.wait_condition(lambda: not self._in_flight)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return summarize(nom)

    async def _wait_for_step(self) -> None:
        """Wait until the stage's plan changes (a decision, the jurors), or its next reminder
        or deadline falls due; then take the steps due."""
        nom = self._nom
        step = nom.next_step

        def replanned() -> bool:
            return nom.stage.is_terminal or nom.next_step != step

        if step is None:
            await workflow.wait_condition(replanned)
            return
        left = step.at - workflow.now()
        if left > timedelta(0):
            # One durable timer at a time, to the next step only: a waiting nomination
            # costs the worker nothing, and a decision cancels what it made moot.
            try:
                await workflow.wait_condition(
                    replanned, timeout=left, timeout_summary=f"{step.label}: {nom.stage.label}"
                )
                return
            except TimeoutError:
                pass
        nom.take_due_steps(workflow.now())
        self._dispatch()

    def _dispatch(self) -> None:
        """Start, here and now, what the nomination's new events call for: each event's
        activity, the cycle told of a change of stage, the registry asked about a new
        proposal, the cycle asked for jurors, the certificate number asked for."""
        nom = self._nom
        while self._dispatched < len(nom.events):
            event = nom.events[self._dispatched]
            self._dispatched += 1
            self._follow(self._handle(event))
            if event.is_transition and self._cycle_id is not None:
                self._follow(self._tell_cycle(event.to_stage))
            if event.kind in (EventKind.PROPOSED, EventKind.RESUBMITTED):
                self._ask_registry()
        request = nom.take_panel_request()
        if request is not None:
            self._follow(self._ask_cycle_for_jurors(request))
        if nom.awaiting_certificate and self._certificate is None:
            self._certificate = self._follow(self._issue_certificate())
        self._update_visibility()

    def _follow(
        self, work: Coroutine[Any, Any, None], held: set[asyncio.Task[None]] | None = None
    ) -> asyncio.Task[None]:
        """Run `work` alongside; the nomination ends only once it is done (unless held
        apart). Its first step, which starts its activity or signal, runs in this same
        workflow task."""
        tasks = self._in_flight if held is None else held
        task = asyncio.create_task(work)
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return task

    async def _handle(self, event: NominationEvent) -> None:
        nom = self._nom
        recipients = recipients_for(nom, event)
        await workflow.execute_activity_method(
            EventActivities.handle_event,
            HandleEventInput(
                nomination=summarize(nom),
                event=event,
                recipients=recipients,
                lab_address=nom.config.staff.lab_desk(nom.lab).address,
            ),
            start_to_close_timeout=EVENT_TIMEOUT,
            heartbeat_timeout=HEARTBEAT_TIMEOUT,
            retry_policy=EVENT_RETRY,
            summary=f"catat dan kirim: {event.kind.label} ({len(recipients)} penerima)",
        )

    async def _tell_cycle(self, stage: Stage) -> None:
        assert self._cycle_id is not None
        nom = self._nom
        s = summarize(nom)
        # Where the cycle's decree settles the award, its plenary needs the panel's scores.
        waits_for_decree = stage == Stage.AWARD_DECISION and nom.config.plenary.by_decree
        report = StageReport(
            nomination_id=s.id,
            stage=stage,
            final_score=s.final_score,
            stars=s.stars,
            nominee=nominee_of(nom) if waits_for_decree else None,
        )
        try:
            await workflow.get_external_workflow_handle(self._cycle_id).signal(
                "nomination_moved", report
            )
        except ApplicationError:
            workflow.logger.warning("cycle %s unreachable; progress not counted", self._cycle_id)

    async def _ask_cycle_for_jurors(self, need: PanelNeed) -> None:
        assert self._cycle_id is not None
        try:
            await workflow.get_external_workflow_handle(self._cycle_id).signal("panel_needed", need)
        except ApplicationError:
            # The cycle is gone (closed early): seat jurors from the nomination's own roster.
            workflow.logger.warning("cycle %s unreachable; panel from own roster", self._cycle_id)
            self._nom.seat(self._nom.from_roster(need), workflow.now())
            self._dispatch()

    async def _issue_certificate(self) -> None:
        nom = self._nom
        number = await workflow.execute_activity_method(
            RecordActivities.issue_certificate,
            IssueCertificateInput(nomination_id=nom.id, cycle=nom.proposal.cycle),
            start_to_close_timeout=RECORD_TIMEOUT,
            heartbeat_timeout=HEARTBEAT_TIMEOUT,
            retry_policy=RECORD_RETRY,
            priority=SOMEONE_WAITS,
            summary="terbitkan nomor sertifikat penghargaan",
        )
        # Safe to start the award's activity on this result: while the number is being
        # issued every decision is refused, so none can share this workflow task.
        nom.grant(number, workflow.now())
        self._dispatch()

    def _ask_registry(self) -> None:
        """Start the registry pre-check of the proposal as it now stands, without waiting."""
        self._nom.ask_registry()
        self._follow(self._check_registry(self._nom.revisions), held=self._checks)

    async def _check_registry(self, revision: int) -> None:
        check = await workflow.execute_activity_method(
            RegistryActivities.check,
            RegistryCheckInput(proposal=self._nom.proposal, revision=revision),
            start_to_close_timeout=REGISTRY_TIMEOUT,
            retry_policy=REGISTRY_RETRY,
            summary="periksa NIB dan SK sentra di registri",
        )
        # Noted in the state only, shown in the details: it starts nothing (see the class).
        if not self._nom.stage.is_terminal and self._nom.note_registry(check):
            self._show_details()

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
        self._show_details()

    def _show_details(self) -> None:
        """The Web UI's current details (metadata, not a command: safe at any time)."""
        details = current_details(self._nom)
        if details != self._details:
            workflow.set_current_details(details)
            self._details = details

    # --- decisions (the Updates themselves come from `decision_updates`) -------------

    def check(self, decision: Decision) -> None:
        """Refuse a decision that may not be taken now; nothing reaches the history."""
        try:
            self._nom.check(decision, workflow.now())
        except Refused as error:
            raise refusal(error) from None

    async def take(self, decision: Decision) -> DecisionResult:
        """Take the decision, and answer once what it set going has come (a certificate
        number, jurors): the answer is written in the workflow task that brings it. A run
        started before release 1.6 answers at once, in the decision's own workflow task, as
        its history says."""
        try:
            result = self._nom.apply(decision, workflow.now())
        except Refused as error:
            # The validator has just passed it: this runs only if a rule changed under a
            # recorded decision (docs/versioning.md says how to change one).
            raise refusal(error) from None
        # Started and shown at once, in the same workflow task as the decision: an operator
        # who looks right after deciding sees the new stage, not the one before.
        self._dispatch()
        if self._answers_settled and result.settling:
            await workflow.wait_condition(lambda: not self._nom.settling)
            result = self._nom.result_message()
        return result

    # --- signals --------------------------------------------------------------------

    @workflow.signal
    def panel_assigned(self, assignment: PanelAssignment) -> None:
        """The cycle's jurors for this nomination."""
        self._nom.seat(assignment, workflow.now())
        self._dispatch()

    @workflow.signal
    def endorsed(self, endorsement: ProvincialEndorsement) -> None:
        """The provincial office's endorsement or return, as the cycle took it
        (`endorsement`)."""
        self._nom.take_endorsement(endorsement, workflow.now())
        self._dispatch()

    @workflow.signal
    def decreed(self, outcome: DecreeOutcome) -> None:
        """The cycle's decree: the stars it awards this nomination, or none
        (`plenary.by_decree`)."""
        self._nom.take_decree(outcome, workflow.now())
        self._dispatch()

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
