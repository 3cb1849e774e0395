"""A cold takeover with an Update, on demand, without killing anything: the conditions under
which temporalio 1.35 writes a history that does not replay, as in our kept
`upstream/update-ordering-after-cold-takeover.json` (filed under sdk-python#1591).

What has to happen (found by experiment; see `test_sdk_update_ordering.py`):
1. The run waits on activities; the worker that ran it is gone.
2. A Query reaches the server while no workflow task is pending, so it is sent straight to
   the sticky queue of the dead worker, where it waits out the sticky timeout.
3. Meanwhile the activity results land (a workflow task is scheduled for them, on the same
   dead sticky queue) and an Update is admitted.
4. The Query falls back to the normal queue, and a fresh worker answers it: to do so it
   replays the history *including the activity results*, runs the workflow code on them
   outside of any workflow task and keeps the commands that code issued.
5. The workflow task then times out of the sticky queue and reaches the same worker with the
   Update: it sends the kept commands first, then the Update's acceptance. On replay the SDK
   applies the Update first, and the history does not replay.
Without steps 2 and 4 the fresh worker gets results and Update in one activation, applies the
Update first, and writes what replay expects. The fault lies in the SDK (Core answering a
Query over events no workflow task has taken yet), not in the workflow.

How the harness plays the dead worker: the first workflow worker stops; the harness itself
completes one workflow task (a probe signal's, no commands) naming a sticky queue that only
the harness polls; it takes the Query there and never answers it, as a killed worker would.
Each step waits on something the server or a worker reports, within a time limit; the only
clock is the server's sticky timeout (STICKY), which a killed worker would cost as well.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from google.protobuf.duration_pb2 import Duration
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import (
    EventType,
    TaskQueueKind,
    TaskQueueType,
    UpdateWorkflowExecutionLifecycleStage,
)
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.taskqueue.v1 import StickyExecutionAttributes, TaskQueue
from temporalio.api.update.v1 import UpdateRef, WaitPolicy
from temporalio.api.workflowservice.v1 import (
    DescribeTaskQueueRequest,
    PollWorkflowExecutionUpdateRequest,
    PollWorkflowTaskQueueRequest,
    PollWorkflowTaskQueueResponse,
    RespondWorkflowTaskCompletedRequest,
)
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    Replayer,
    Worker,
)
from temporalio.worker._workflow_instance import _WorkflowLogicFlag

from tests.support import eventually

Handle = WorkflowHandle[Any, Any]
# (client, workflow id, workflow task queue, activity task queue) -> the started workflow
StartWorkflow = Callable[[Client, str, str, str], Awaitable[Handle]]
# (handle, update id) -> returns once the Update is accepted (or refused)
SendUpdate = Callable[[Handle, str], Coroutine[Any, Any, Any]]
# handle -> a Query's answer
AskQuery = Callable[[Handle], Coroutine[Any, Any, Any]]

SINGLE_BATCH = _WorkflowLogicFlag.PROCESS_WORKFLOW_ACTIVATION_JOBS_AS_SINGLE_BATCH
WITHIN = 20.0  # seconds any one step may take on a busy two-core machine
# How long a task (or a Query) waits on the dead worker's sticky queue before the server
# gives it to the normal queue. Long enough for the steps between the Query and the Update.
STICKY = timedelta(seconds=2)
PROBE_SIGNAL = "cold-update-probe"  # no workflow handles it: the SDK buffers it, no commands
IDENTITY = "cold-update-harness"


@dataclass(frozen=True)
class Queues:
    workflows: str
    activities: str
    dead_sticky: str

    @staticmethod
    def fresh(one_queue: bool = False) -> Queues:
        tag = uuid.uuid4().hex[:12]
        activities = f"cold-wf-{tag}" if one_queue else f"cold-act-{tag}"
        return Queues(f"cold-wf-{tag}", activities, f"cold-dead-sticky-{tag}")


class _Gate:
    """Holds every activity until opened: their results must land once the worker that
    scheduled them is gone."""

    def __init__(self) -> None:
        self._open = asyncio.Event()

    def open(self) -> None:
        self._open.set()

    async def passage(self) -> None:
        await self._open.wait()


class _HoldActivities(Interceptor):
    def __init__(self, gate: _Gate) -> None:
        self._gate = gate

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Held(next, self._gate)


class _Held(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, gate: _Gate) -> None:
        super().__init__(next)
        self._gate = gate

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        await self._gate.passage()
        return await super().execute_activity(input)


def _update_id(accepted: HistoryEvent) -> str:
    return (
        accepted.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id
    )


def _short(event_type: EventType.ValueType) -> str:
    return EventType.Name(event_type).removeprefix("EVENT_TYPE_")


# What a workflow task's completion writes (its commands' events), as opposed to what
# arrives between tasks.
_COMMAND_EVENTS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_TIMER_CANCELED,
    EventType.EVENT_TYPE_MARKER_RECORDED,
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
}


@dataclass(frozen=True)
class ColdRun:
    history: WorkflowHistory
    update_id: str
    # The Query's answer, if one was asked, and whether it came before the Update's
    # acceptance (as it must for the bug's condition).
    answer: Any = None
    answered_first: bool = False

    def _takeover(self) -> tuple[list[HistoryEvent], list[HistoryEvent]]:
        events = list(self.history.events)
        accepted = next(
            i
            for i, e in enumerate(events)
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
            and _update_id(e) == self.update_id
        )
        completed = max(
            i
            for i in range(accepted)
            if events[i].event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
        )
        # Given: everything since the last task that completed (one that failed or timed out
        # hands its events on to the next).
        before = max(
            (
                i
                for i in range(completed)
                if events[i].event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
            ),
            default=-1,
        )
        written: list[HistoryEvent] = []
        for e in events[completed + 1 :]:
            if e.event_type not in _COMMAND_EVENTS:
                break
            written.append(e)
        return events[before + 1 : completed], written

    def given(self) -> list[str]:
        """What the workflow task that accepted the Update was given, in order."""
        return [_short(e.event_type) for e in self._takeover()[0]]

    def written(self) -> list[str]:
        """What that workflow task wrote, in order."""
        return [_short(e.event_type) for e in self._takeover()[1]]

    def update_came_with_activity_results(self) -> bool:
        return "ACTIVITY_TASK_COMPLETED" in self.given()

    def wrote_commands_before_acceptance(self) -> bool:
        """The out-of-order write: a command event ahead of the Update's acceptance."""
        written = self.written()
        return written.index("WORKFLOW_EXECUTION_UPDATE_ACCEPTED") > 0


async def _pending(handle: Handle) -> tuple[bool, set[str]]:
    """Whether a workflow task is pending, and the ids of the pending activities."""
    raw = (await handle.describe()).raw_description
    return raw.HasField("pending_workflow_task"), {a.activity_id for a in raw.pending_activities}


async def _admitted(client: Client, handle: Handle, update_id: str) -> bool:
    """Waits (a long poll) until the server has admitted the Update; False if it does not
    know of it yet."""
    request = PollWorkflowExecutionUpdateRequest(
        namespace=client.namespace,
        update_ref=UpdateRef(
            workflow_execution=WorkflowExecution(
                workflow_id=handle.id, run_id=handle.result_run_id or ""
            ),
            update_id=update_id,
        ),
        identity=IDENTITY,
        wait_policy=WaitPolicy(
            lifecycle_stage=UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED
        ),
    )
    try:
        await client.workflow_service.poll_workflow_execution_update(
            request, timeout=timedelta(seconds=5)
        )
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def _poll(client: Client, queue: TaskQueue) -> PollWorkflowTaskQueueResponse:
    """One workflow task from `queue`, as a worker would poll it; fails if none comes."""
    response = await asyncio.wait_for(
        client.workflow_service.poll_workflow_task_queue(
            PollWorkflowTaskQueueRequest(
                namespace=client.namespace, task_queue=queue, identity=IDENTITY
            ),
            timeout=timedelta(seconds=WITHIN),
        ),
        WITHIN,
    )
    assert response.task_token, f"no task on {queue.name} within {WITHIN}s"
    return response


async def _play_dead_worker(client: Client, handle: Handle, queues: Queues) -> None:
    """Make the run sticky to a queue nobody serves, as a killed worker leaves it: send a
    signal no handler takes and complete its workflow task with no commands, naming that
    queue. (The workflow, on every replay, only buffers the signal: no commands either.)"""
    await handle.signal(PROBE_SIGNAL)
    task = await _poll(
        client, TaskQueue(name=queues.workflows, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL)
    )
    assert not task.HasField("query")
    await client.workflow_service.respond_workflow_task_completed(
        RespondWorkflowTaskCompletedRequest(
            namespace=client.namespace,
            task_token=task.task_token,
            identity=IDENTITY,
            sticky_attributes=StickyExecutionAttributes(
                worker_task_queue=TaskQueue(
                    name=queues.dead_sticky,
                    kind=TaskQueueKind.TASK_QUEUE_KIND_STICKY,
                    normal_name=queues.workflows,
                ),
                schedule_to_start_timeout=Duration(seconds=int(STICKY.total_seconds())),
            ),
        )
    )


async def _polling(client: Client, queue: TaskQueue, identity: str) -> bool:
    """Whether the server has seen `identity` poll `queue` for workflow tasks."""
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=queue,
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return any(p.identity == identity for p in response.pollers)


async def cold_update_run(
    client: Client,
    workflow: type,
    activities: Sequence[Callable[..., Any]],
    start: StartWorkflow,
    send_update: SendUpdate,
    *,
    query: AskQuery | None = None,
    takeover_cache: bool = True,
    single_batch: bool = False,
    one_queue: bool = False,
) -> ColdRun:
    """Run `workflow` through a cold takeover whose one workflow task brings the results of
    every activity the run was waiting on and an Update together; returns the finished
    history. `start` may take decisions of its own first: the first worker handles them.

    With `query`, the fresh worker first answers that Query, over the history with the
    results but without the Update (see the module's docstring); without, it is simply given
    the task. `takeover_cache=False`: the fresh worker keeps no run between tasks.
    `single_batch`: the workflow workers run with the SDK's internal flag that applies all of
    an activation's jobs before any workflow code runs (private API; for comparison only).
    `one_queue`: the activities run on the workflow's own task queue (by an activity-only
    worker), for a workflow that names no queue for them."""
    queues = Queues.fresh(one_queue)
    workflow_id = f"cold-{uuid.uuid4()}"
    update_id = f"update-{uuid.uuid4()}"
    fresh = f"cold-takeover-{uuid.uuid4().hex[:8]}"
    gate = _Gate()

    def workflow_worker(identity: str, *, cache: bool) -> Worker:
        worker = Worker(
            client,
            task_queue=queues.workflows,
            workflows=[workflow],
            identity=identity,
            # The first worker keeps nothing, so it leaves no sticky queue of its own behind.
            max_cached_workflows=1000 if cache else 0,
        )
        if single_batch:
            worker._set_default_workflow_logic_flag(SINGLE_BATCH, enabled=True)
        return worker

    asked: asyncio.Task[Any] | None = None
    sent: asyncio.Task[Any] | None = None
    async with Worker(
        client,
        task_queue=queues.activities,
        activities=list(activities),
        interceptors=[_HoldActivities(gate)],
    ):
        async with workflow_worker(f"first-{fresh}", cache=False):
            handle = await start(client, workflow_id, queues.workflows, queues.activities)

            async def settled() -> set[str] | None:
                task_pending, held = await _pending(handle)
                return held if held and not task_pending else None

            # The first worker is done with the run for now: activities out, no task left.
            held = await eventually(settled, "the run to wait on its activities", WITHIN)

        async def land_results_and_send_update() -> asyncio.Task[Any]:
            gate.open()

            async def landed() -> bool:
                task_pending, pending = await _pending(handle)
                return task_pending and not (held & pending)

            await eventually(landed, "the activity results, with no worker for them", WITHIN)
            if asked is not None:
                assert not asked.done(), "the Query was answered before the results landed"
            update: asyncio.Task[Any] = asyncio.create_task(send_update(handle, update_id))

            async def admitted() -> bool:
                if update.done():
                    update.result()  # raises the client's error, if any
                return await _admitted(client, handle, update_id)

            await eventually(admitted, "the server to admit the Update", WITHIN)
            return update

        answer: Any = None
        answered_first = False
        try:
            if query is None:
                sent = await land_results_and_send_update()
                async with workflow_worker(fresh, cache=takeover_cache):
                    await asyncio.wait_for(sent, WITHIN)
                    await asyncio.wait_for(handle.result(), WITHIN)
            else:
                await _play_dead_worker(client, handle, queues)
                dead = TaskQueue(
                    name=queues.dead_sticky,
                    kind=TaskQueueKind.TASK_QUEUE_KIND_STICKY,
                    normal_name=queues.workflows,
                )
                taken = asyncio.create_task(_poll(client, dead))

                async def harness_polls() -> bool:
                    return await _polling(client, dead, IDENTITY)

                # A sticky queue nobody has polled is given up at once; this one must look
                # alive, as a worker's does for a while after it is killed.
                await eventually(harness_polls, "the harness to poll the dead queue", WITHIN)
                asked = asyncio.create_task(query(handle))
                # No task was pending, so the Query went straight to the sticky queue: the
                # harness takes it there and never answers, as a killed worker would not.
                assert (await taken).HasField("query"), "expected the Query on the sticky queue"
                async with workflow_worker(fresh, cache=takeover_cache):
                    normal = TaskQueue(
                        name=queues.workflows, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL
                    )

                    async def fresh_worker_polls() -> bool:
                        return await _polling(client, normal, fresh)

                    await eventually(fresh_worker_polls, "the fresh worker to poll", WITHIN)
                    # The task for the results goes to the dead sticky queue too; the Query
                    # leaves it first (it got there first) and reaches the fresh worker.
                    sent = await land_results_and_send_update()
                    answer = await asyncio.wait_for(asked, WITHIN)
                    answered_first = not sent.done()
                    await asyncio.wait_for(sent, WITHIN)
                    await asyncio.wait_for(handle.result(), WITHIN)
        finally:
            for task in (asked, sent):
                if task is not None:
                    task.cancel()
    return ColdRun(
        history=await handle.fetch_history(),
        update_id=update_id,
        answer=answer,
        answered_first=answered_first,
    )


async def replay_failure(
    history: WorkflowHistory,
    workflow: type,
    *,
    single_batch: bool = False,
    converter: DataConverter | None = None,
) -> str | None:
    """Why the history does not replay on `workflow`, or None if it does. `single_batch` as
    for `cold_update_run`."""
    replayer = Replayer(workflows=[workflow], data_converter=converter or DataConverter.default)
    if single_batch:
        replayer._set_default_workflow_logic_flag(SINGLE_BATCH, enabled=True)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    return None if result.replay_failure is None else str(result.replay_failure)
