"""The worker's workflow runner: the SDK's sandbox with the workflows passed through, and
the codec's question about context answered without entering the sandbox.

The sandbox imports a workflow's module afresh for every run it starts or takes back into
its cache, so that module-level state is the run's own and calls that are not
deterministic are caught as they run. Our workflows keep no module-level state and their
rules are in `domain/`, which was passed through already; re-importing `workflows/` was
most of the cost of starting a run. So `workflows` is passed through too, and
`tests/unit/test_workflow_determinism.py` reads every module a workflow imports, `domain/`
included, for clock reads, randomness and threads. It does not look for I/O, which the
sandbox would also have refused in `workflows/` at run time. The sandbox still checks what a
workflow imports, and gives each run its own copy of any module not passed through.

With a payload codec, the SDK asks the workflow which serialization context applies to each
payload of every activation and completion, and the sandbox answers each time by compiling
and running a statement inside it. The answer chooses only the codec (and external storage)
the SDK applies outside the workflow; the converters inside take their context there,
unchanged. This worker's codec reads one thing from a context: listening for payloads sent
in clear (`worker.UnsealedStarts`), it notes the id of the workflow one came to, and the
purge looks at that workflow's start, deleting nothing unless the start came in clear
(`codec.EncryptionCodec.with_context`). So `OwnContextRunner` answers every question with
the workflow's own context. The differences from the SDK's answers: a payload in clear in an
activity's result, or in a failed signal to another workflow, is noted against this
workflow, whose start the purge then finds sealed. With any other codec, or in the SDK's
debug mode, the worker keeps the SDK's runner.
"""

from __future__ import annotations

from collections.abc import Sequence

import temporalio.workflow
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.converter import (
    ActivitySerializationContext,
    DataConverter,
    SerializationContext,
    StorageDriverStoreContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from codec import EncryptionCodec

# Any context, to ask a converter whether it would use one.
SAMPLE_CONTEXTS: tuple[SerializationContext, ...] = (
    WorkflowSerializationContext(namespace="default", workflow_id="any"),
    ActivitySerializationContext(
        namespace="default",
        workflow_id="any",
        workflow_type="any",
        activity_type="any",
        activity_id="1",
        activity_task_queue="any",
        is_local=False,
    ),
)


# pydantic imports email_validator (and it idna) on the first EmailStr it checks, inside a
# workflow: passed through, not imported afresh into each run.
PASSED_THROUGH = SandboxRestrictions.default.with_passthrough_modules(
    "workflows", "email_validator", "idna"
)


def workflow_runner(converter: DataConverter) -> WorkflowRunner:
    """The runner for a worker whose client has `converter`."""
    sandbox = SandboxedWorkflowRunner(restrictions=PASSED_THROUGH)
    return OwnContextRunner(sandbox) if own_context_serves(converter) else sandbox


def own_context_serves(converter: DataConverter) -> bool:
    """True if `converter` has no codec, this project's (see the module; or a subclass
    that says it reads a context as its parent does, as the bench's timed one), or one
    that reads no context; and it stores nothing outside the history."""
    codec = converter.payload_codec
    return converter.external_storage is None and (
        codec is None or _reads_context_as_ours(codec) or _ignores_context(codec)
    )


def _reads_context_as_ours(codec: object) -> bool:
    """This project's codec, or a subclass of it that says, in its own class body, that it
    reads a context as its parent does (`CONTEXT_AS_PARENT`): a subclass could read the
    bound workflow id in more places than `with_context` (its seal, say), so keeping the
    parent's `with_context` is not enough, and what a class says is not inherited."""
    kind = type(codec)
    return kind is EncryptionCodec or (
        issubclass(kind, EncryptionCodec) and vars(kind).get("CONTEXT_AS_PARENT") is True
    )


def _ignores_context(part: object) -> bool:
    if not isinstance(part, WithSerializationContext):
        return True
    return all(part.with_context(context) is part for context in SAMPLE_CONTEXTS)


class OwnContextRunner(WorkflowRunner):
    """`inner`'s workflows, whose instances answer the codec's question about context
    themselves, without the sandbox: the workflow's own (`own_context_serves` must hold
    for the converter)."""

    def __init__(self, inner: WorkflowRunner) -> None:
        self._inner = inner

    def prepare_workflow(self, defn: temporalio.workflow._Definition) -> None:
        self._inner.prepare_workflow(defn)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _OwnContext(self._inner.create_instance(det), det.info)

    def set_worker_level_failure_exception_types(
        self, types: Sequence[type[BaseException]]
    ) -> None:
        self._inner.set_worker_level_failure_exception_types(types)


class _OwnContext(WorkflowInstance):
    def __init__(self, inner: WorkflowInstance, info: temporalio.workflow.Info) -> None:
        self._inner = inner
        # As the SDK's worker builds it, so that it is recognised as the workflow's own.
        self._context = WorkflowSerializationContext(
            namespace=info.namespace, workflow_id=info.workflow_id
        )

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        return self._inner.activate(act)

    def get_serialization_context(self, command_info: object) -> SerializationContext | None:
        return self._context

    def get_external_store_context(self, command_info: object) -> StorageDriverStoreContext:
        return StorageDriverStoreContext(target=None)  # no external storage: never read

    def get_info(self) -> temporalio.workflow.Info:
        return self._inner.get_info()

    def get_thread_id(self) -> int | None:
        return self._inner.get_thread_id()
