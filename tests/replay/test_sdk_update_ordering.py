"""The SDK's update-ordering bug (sdk-python#1591, open; temporalio 1.35), on demand: which
workflow shapes write a history that does not replay after a cold takeover, and which do not.

What it takes (`cold_update.py` plays it without killing anything): activity results land
while the run's worker is dead; a fresh worker answers a Query over that history before it is
given the workflow task with the results and an Update. Answering, it runs the workflow code
on the results outside any workflow task and keeps the commands that code issued; it sends
them ahead of the Update's acceptance. On replay the SDK applies the Update first.

So what matters is whether an activity's result, by itself, leads to a command that is still
there when the Update's task completes (here: the next activity). Sync or async handlers,
gather, background tasks, timers and `all_handlers_finished` matter only through that.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    # The sandbox re-imports this module to run the workflows below; these it need not.
    import pytest
    from temporalio.client import Client, WorkflowHandle, WorkflowUpdateStage
    from temporalio.testing import WorkflowEnvironment

    from bootstrap import plain_converter
    from domain.presentation import NominationSummary
    from domain.stages import Stage
    from tests.conftest import binary
    from tests.replay.cold_update import (
        ColdRun,
        SendUpdate,
        StartWorkflow,
        cold_update_run,
        replay_failure,
    )
    from tests.support import OPERATOR, fresh, passes, proposer, withdrawal
    from tests.workflow.conftest import CONFIG, Calls, stub_activities
    from workflows.client import decide, start_nomination
    from workflows.names import SEARCH_ATTRIBUTES
    from workflows.nomination import NominationWorkflow

TIMEOUT = timedelta(seconds=10)
FINAL = "final"  # the decision the takeover's Update carries; the runs end once it is recorded

FIXED_UPSTREAM = (
    "this history replays now: temporalio no longer writes an Update's acceptance after "
    "the commands a cold worker issued for activity results while answering a Query "
    "(sdk-python#1591 fixed?). The bad shapes' tests can go, and docs/faults.md's section."
)


def update_ordering_bug(failure: str) -> bool:
    """The SDK's misorder, by its message: the Update's machine meeting the command the
    activity result led to."""
    return "Nondeterminism error" in failure and "Update machine does not handle" in failure


@activity.defn
async def step(name: str) -> str:
    return name


@workflow.defn
class TwoSteps:
    """The smallest shape that breaks: one activity's result leads, by itself, to the next
    activity. The Update is a plain `def` that returns at once."""

    def __init__(self) -> None:
        self.decisions: list[str] = []

    @workflow.run
    async def run(self, queue: str) -> list[str]:
        for name in ("one", "two"):
            await workflow.execute_activity(
                step, name, task_queue=queue, start_to_close_timeout=TIMEOUT
            )
        await workflow.wait_condition(lambda: bool(self.decisions))
        return self.decisions

    @workflow.update
    def decide(self, decision: str) -> str:
        self.decisions.append(decision)
        return decision

    @workflow.query
    def seen(self) -> list[str]:
        return self.decisions


@workflow.defn
class MainLoop:
    """The shape we meant to adopt: validator and handler decide at once (plain `def`,
    nothing awaited), the main loop alone calls activities, no background tasks. Breaks as
    soon as a decision waits behind the record of the one before: that record's result
    leads to the next record."""

    @workflow.init
    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.events = ["proposed"]
        self.recorded = 0

    @workflow.run
    async def run(self, queue: str) -> list[str]:
        while True:
            while self.recorded < len(self.events):
                await workflow.execute_activity(
                    step,
                    self.events[self.recorded],
                    task_queue=self.queue,
                    start_to_close_timeout=TIMEOUT,
                )
                self.recorded += 1
            if self.events[-1] == FINAL:
                return self.events
            await workflow.wait_condition(lambda: self.recorded < len(self.events))

    @workflow.update
    def decide(self, decision: str) -> str:
        self.events.append(decision)
        return decision

    @decide.validator
    def _check_decide(self, decision: str) -> None:
        if self.events[-1] == FINAL:
            raise ValueError("already decided")

    @workflow.query
    def seen(self) -> list[str]:
        return self.events


@workflow.defn
class HandlerRecords:
    """A shape that holds: every command is issued in the activation of the Update that
    causes it (the handler starts its event's record, not awaited); the main loop only waits
    for those records, so no activity result leads to a command. Left exposed: the run's own
    end (a command issued on the last result; validators refuse decisions by then) and any
    timer started on a result that the Update does not cancel within its task."""

    @workflow.init
    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.events: list[str] = []
        self.records: list[workflow.ActivityHandle[str]] = []
        self.done = 0  # records finished
        self._record("proposed")

    def _record(self, event: str) -> None:
        self.events.append(event)
        self.records.append(
            workflow.start_activity(
                step, event, task_queue=self.queue, start_to_close_timeout=TIMEOUT
            )
        )

    @workflow.run
    async def run(self, queue: str) -> list[str]:
        while True:
            await workflow.wait_condition(lambda: self.done < len(self.records))
            await self.records[self.done]
            self.done += 1
            if self.done == len(self.records) and self.events[-1] == FINAL:
                return self.events

    @workflow.update
    def decide(self, decision: str) -> str:
        self._record(decision)
        return decision

    @decide.validator
    def _check_decide(self, decision: str) -> None:
        if self.events[-1] == FINAL:
            raise ValueError("already decided")

    @workflow.query
    def seen(self) -> list[str]:
        return self.events


Handle = WorkflowHandle[Any, Any]


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[WorkflowEnvironment]:
    """A dev server of this module's own: `dev_env` lives in tests/integration, and these
    workflows need neither its converter nor its search attributes."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"),
        dev_server_log_level="error",
        search_attributes=SEARCH_ATTRIBUTES,  # the nomination's, for the last test
    )
    yield env
    await env.shutdown()


def starting(wf: Any, *early: str) -> StartWorkflow:
    """Start `wf`; the first worker takes the `early` decisions, before the takeover."""

    async def start(client: Client, workflow_id: str, queue: str, activities: str) -> Handle:
        handle = await client.start_workflow(wf.run, activities, id=workflow_id, task_queue=queue)
        for decision in early:
            await handle.execute_update(wf.decide, decision)
        return handle

    return start


def deciding(wf: Any) -> SendUpdate:
    async def send(handle: Handle, update_id: str) -> Any:
        return await handle.start_update(
            wf.decide, FINAL, id=update_id, wait_for_stage=WorkflowUpdateStage.ACCEPTED
        )

    return send


async def takeover(
    server: WorkflowEnvironment, wf: Any, *early: str, query: bool = True, cache: bool = True
) -> ColdRun:
    run = await cold_update_run(
        server.client,
        wf,
        [step],
        starting(wf, *early),
        deciding(wf),
        query=(lambda handle: handle.query(wf.seen)) if query else None,
        takeover_cache=cache,
    )
    # The condition itself, read from the history: the task that accepted the Update was
    # the one given the activity results.
    assert run.update_came_with_activity_results(), run.given()
    if query:
        assert run.answered_first, "the fresh worker answered the Query after the Update"
    return run


async def test_the_smallest_shape_writes_a_history_that_does_not_replay(
    server: WorkflowEnvironment,
) -> None:
    run = await takeover(server, TwoSteps)
    assert run.answer == [], "the Query saw the workflow before the Update"
    # Written out of order: the next activity (caused by the result) before the acceptance.
    assert run.written()[:2] == [
        "ACTIVITY_TASK_SCHEDULED",
        "WORKFLOW_EXECUTION_UPDATE_ACCEPTED",
    ], run.written()
    failure = await replay_failure(run.history, TwoSteps)
    assert failure is not None, FIXED_UPSTREAM
    assert update_ordering_bug(failure), failure


async def test_sync_handlers_and_a_main_loop_do_not_prevent_it(
    server: WorkflowEnvironment,
) -> None:
    run = await takeover(server, MainLoop, "early")
    assert run.answer == ["proposed", "early"]
    assert run.wrote_commands_before_acceptance(), run.written()
    failure = await replay_failure(run.history, MainLoop)
    assert failure is not None, FIXED_UPSTREAM
    assert update_ordering_bug(failure), failure


async def test_commands_issued_only_by_the_update_replay(server: WorkflowEnvironment) -> None:
    run = await takeover(server, HandlerRecords, "early")
    assert run.answer == ["proposed", "early"]
    assert not run.wrote_commands_before_acceptance(), run.written()
    assert await replay_failure(run.history, HandlerRecords) is None


async def test_without_the_query_a_cold_takeover_replays(server: WorkflowEnvironment) -> None:
    """Results and Update in one task of a cold worker are not enough: it applies the
    Update first, as replay does."""
    run = await takeover(server, TwoSteps, query=False)
    assert not run.wrote_commands_before_acceptance(), run.written()
    assert await replay_failure(run.history, TwoSteps) is None


async def test_a_worker_that_keeps_no_runs_writes_what_replays(
    server: WorkflowEnvironment,
) -> None:
    """With no cache the commands issued for the Query are dropped with the run, and the
    next task replays from the start: results and Update in one activation again."""
    run = await takeover(server, TwoSteps, cache=False)
    assert not run.wrote_commands_before_acceptance(), run.written()
    assert await replay_failure(run.history, TwoSteps) is None


async def test_the_nomination_replays_under_the_same_conditions(
    server: WorkflowEnvironment,
) -> None:
    """NominationWorkflow itself, as in the kept history that was stuck: a decision's event
    still being handled when the worker dies, a Query answered by the worker that takes
    over, then a decision. Each command is started by what caused it: nothing out of
    order, and the history replays."""
    client = Client(
        server.client.service_client,
        namespace=server.client.namespace,
        data_converter=plain_converter(),
    )
    p = fresh(0)

    async def start(_: Client, workflow_id: str, queue: str, activities: str) -> Handle:
        handle = await start_nomination(client, p, CONFIG, proposer(p), queue)
        await decide(handle, passes())  # its event's activity is held over the takeover
        return handle

    async def withdraw(handle: Handle, update_id: str) -> Any:
        handle = client.get_workflow_handle(handle.id)
        return await handle.start_update(
            "withdraw",
            withdrawal(OPERATOR),
            id=update_id,
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
        )

    async def ask(handle: Handle) -> Any:
        return await client.get_workflow_handle(handle.id).query(NominationWorkflow.summary)

    run = await cold_update_run(
        client,
        NominationWorkflow,
        stub_activities(Calls()),
        start,
        withdraw,
        query=ask,
        one_queue=True,
    )
    assert run.update_came_with_activity_results(), run.given()
    assert run.answered_first, "the fresh worker answered the Query after the Update"
    assert not run.wrote_commands_before_acceptance(), run.written()
    failure = await replay_failure(run.history, NominationWorkflow, converter=plain_converter())
    assert failure is None, failure
    ended = client.get_workflow_handle(run.history.workflow_id, result_type=NominationSummary)
    assert (await ended.result()).stage == Stage.WITHDRAWN
