"""`CycleWorkflow`: one OVOP award cycle (e.g. 2026), every two years."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  (pydantic imports it lazily; see nomination.py)

    from activities.records import RecordActivities
    from domain.cycle import CycleConfig
    from domain.cycle_book import (
        Admission,
        Closing,
        ConfigChange,
        CycleBook,
        CycleStatus,
        PlenaryOpening,
        Registration,
        StageReport,
    )
    from domain.decisions import DecisionResult, DecreeOutcome, EndorseOutcome
    from domain.decree import Decree, DecreeOrder
    from domain.endorsement import EndorsementRequest
    from domain.errors import Refused
    from domain.panel import PanelNeed
    from domain.plenary import AgreedList, Ranking
    from domain.presentation import when
    from workflows.inputs import CycleInput, Delivery
    from workflows.refusals import refusal

# A cycle hears from every nomination at every stage: past this many registrations in one
# run it continues as new, well inside Temporal's limit of 2,000 updates per run.
REGISTRATIONS_PER_RUN = 1_000
# Keeping the decree in the records is retried until the database is back.
DECREE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
DECREE_TIMEOUT = timedelta(seconds=30)


@workflow.defn
class CycleWorkflow:
    """A cycle: its configuration (versions, fixed per nomination), its proposal window,
    panel assignment with the juror load balanced, and where every nomination stands.

    Updates: register (a nomination's admission and rules), configure (a new version for
    new nominations), close, endorse (a provincial office's endorsement, within its
    province's quota, where the cycle asks for one: `endorsement`); where awards come by
    decree (`plenary.by_decree`), open_plenary (a commodity's nominees ranked), agree (its
    plenary's list), issue_decree.
    Each answers at once; the decree's record and its signals to every nominee start in the
    same workflow task.
    Signals: panel_needed, nomination_moved (from nominations). Queries: status, book, config.
    """

    @workflow.init
    def __init__(self, input: CycleInput) -> None:
        self._book = input.book or CycleBook.open(input.setup, workflow.now())
        # A cycle opened before the rules were corrected keeps the same-province conflict,
        # as its start input or the book it carried over says (docs/versioning.md).
        if not (input.book.province_rule_set if input.book else input.corrected_rules):
            self._book.keep_province_conflicts()
        self._deliveries: list[Delivery] = []
        # The decree's record and its signals to the nominees, started by the Update that
        # issued it, in the same workflow task; the run ends or continues only once done.
        self._in_flight: set[asyncio.Task[None]] = set()
        self._registrations = 0

    @workflow.run
    async def run(self, input: CycleInput) -> CycleStatus:
        book = self._book
        while True:
            self._update_visibility()
            await workflow.wait_condition(
                lambda: bool(self._deliveries) or book.closed or self._continue_as_new_due()
            )
            await self._deliver()
            if book.closed or self._continue_as_new_due():
                break
        # Nothing left behind when the run continues as new: what a handler set going while
        # the last assignments went out is waited for, and delivered, too.
        while True:
            await workflow.wait_condition(workflow.all_handlers_finished)
            await self._deliver()
            await workflow.wait_condition(lambda: not self._in_flight)
            if not self._deliveries and workflow.all_handlers_finished():
                break
        if not book.closed:
            workflow.continue_as_new(CycleInput(setup=input.setup, book=book))
        self._update_visibility()
        return book.status()

    def _continue_as_new_due(self) -> bool:
        return (
            self._registrations >= REGISTRATIONS_PER_RUN
            or workflow.info().is_continue_as_new_suggested()
        )

    async def _deliver(self) -> None:
        """Send each assignment to its nomination, in the order they were made."""
        while self._deliveries:
            delivery = self._deliveries.pop(0)
            handle = workflow.get_external_workflow_handle(delivery.nomination_id)
            try:
                await handle.signal("panel_assigned", delivery.assignment)
            except ApplicationError:
                # The nomination ended (withdrawn) before its jurors came: free them again.
                self._book.release([j.user_id for j in delivery.assignment.jurors])

    def _follow(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` alongside; its first step (an activity or a signal started) runs in
        this same workflow task, and the run ends only once it is done."""
        task = asyncio.create_task(work)
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _record_decree(self, decree: Decree) -> None:
        await workflow.execute_activity_method(
            RecordActivities.record_decree,
            decree,
            start_to_close_timeout=DECREE_TIMEOUT,
            retry_policy=DECREE_RETRY,
            summary=f"catat keputusan {decree.number}",
        )

    async def _tell_decree(self, nomination_id: str, outcome: DecreeOutcome) -> None:
        with contextlib.suppress(ApplicationError):  # ended before the decree: withdrawn
            await workflow.get_external_workflow_handle(nomination_id).signal("decreed", outcome)

    def _update_visibility(self) -> None:
        book = self._book
        status = book.status()
        lines = [
            f"**Siklus OVOP {book.cycle}** — konfigurasi versi {book.version}  ",
            f"**Masa pengusulan:** {book.window.describe()}  ",
            f"**Usulan:** {status.nominations}  ",
        ]
        lines += [f"- {stage.label}: {count}" for stage, count in status.by_stage.items()]
        if book.closed:
            lines.append(f"\n**Ditutup:** {when(book.closed_at)}")
        workflow.set_current_details("\n".join(lines))

    def _guard(self, check: object) -> None:
        """Run a validator's check, turning a refusal into the caller's error."""
        try:
            if callable(check):
                check()
        except Refused as error:
            raise refusal(error) from None

    # --- updates --------------------------------------------------------------------

    @workflow.update
    def register(self, registration: Registration) -> Admission:
        self._registrations += 1
        return self._book.register(registration, workflow.now())

    @register.validator
    def _check_register(self, registration: Registration) -> None:
        self._guard(lambda: self._book.check_register(registration, workflow.now()))

    @workflow.update
    def configure(self, change: ConfigChange) -> str:
        return self._book.configure(change, workflow.now())

    @configure.validator
    def _check_configure(self, change: ConfigChange) -> None:
        self._guard(lambda: self._book.check_configure(change))

    @workflow.update
    def close(self, closing: Closing) -> CycleStatus:
        self._book.close(closing, workflow.now())
        return self._book.status()

    @close.validator
    def _check_close(self, closing: Closing) -> None:
        today = (workflow.now() + timedelta(hours=7)).date()  # the ministry's day, in WIB
        self._guard(lambda: self._book.check_close(closing, today))

    @workflow.update
    def open_plenary(self, opening: PlenaryOpening) -> Ranking:
        return self._book.open_plenary(opening)

    @open_plenary.validator
    def _check_open_plenary(self, opening: PlenaryOpening) -> None:
        self._guard(lambda: self._book.check_open_plenary(opening))

    @workflow.update
    def agree(self, agreed: AgreedList) -> str:
        return self._book.agree(agreed)

    @agree.validator
    def _check_agree(self, agreed: AgreedList) -> None:
        self._guard(lambda: self._book.check_agree(agreed))

    @workflow.update
    def issue_decree(self, order: DecreeOrder) -> Decree:
        """The decree, answered at once; recorded and sent to the nominees after."""
        decree = self._book.issue_decree(order, workflow.now())
        # Recorded and told to every nominee at once: nothing waits on an activity's result
        # to start a command (sdk-python#1591; docs/faults.md).
        self._follow(self._record_decree(decree))
        for nomination_id, outcome in self._book.outcomes().items():
            self._follow(self._tell_decree(nomination_id, outcome))
        return decree

    @issue_decree.validator
    def _check_issue_decree(self, order: DecreeOrder) -> None:
        today = (workflow.now() + timedelta(hours=7)).date()  # the ministry's day, in WIB
        self._guard(lambda: self._book.check_decree(order, today))

    @workflow.update
    def endorse(self, request: EndorsementRequest) -> DecisionResult:
        """A provincial office endorses a nomination of its province, or returns it: taken
        here, where the province's quota is counted, then told to the nomination."""
        stage = self._book.endorse(request)
        self._follow(self._tell_endorsement(request))
        endorsed = request.endorsement.outcome == EndorseOutcome.ENDORSE
        return DecisionResult(
            nomination_id=request.nomination_id,
            stage=stage,
            message=(
                "usulan direkomendasikan dinas provinsi dan menuju verifikasi administrasi"
                if endorsed
                else "usulan dikembalikan kepada dinas pengusul untuk diperbaiki"
            ),
        )

    @endorse.validator
    def _check_endorse(self, request: EndorsementRequest) -> None:
        self._guard(lambda: self._book.check_endorse(request))

    async def _tell_endorsement(self, request: EndorsementRequest) -> None:
        with contextlib.suppress(ApplicationError):  # ended meanwhile: withdrawn
            await workflow.get_external_workflow_handle(request.nomination_id).signal(
                "endorsed", request.endorsement
            )

    # --- signals from nominations ---------------------------------------------------

    @workflow.signal
    def panel_needed(self, need: PanelNeed) -> None:
        assignment = self._book.assign(need)
        self._deliveries.append(Delivery(nomination_id=need.nomination_id, assignment=assignment))

    @workflow.signal
    def nomination_moved(self, report: StageReport) -> None:
        self._book.report(report)
        self._update_visibility()

    # --- queries --------------------------------------------------------------------

    @workflow.query
    def status(self) -> CycleStatus:
        return self._book.status()

    @workflow.query
    def book(self) -> CycleBook:
        return self._book

    @workflow.query
    def config(self) -> CycleConfig:
        """The configuration new nominations take now: what the inbox reads to know who
        may sign in, without the whole book (an entry per nomination)."""
        return self._book.config
