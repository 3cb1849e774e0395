"""`workflows.runner`: the worker's sandbox, the workflows passed through and the codec's
question about context answered by the runner itself, only for a converter where that
answer changes nothing; kept histories replay on it."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Self

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    ActivitySerializationContext,
    DataConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)
from temporalio.worker import Replayer, WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from bench.worker import TimedCodec
from bootstrap import plain_converter
from codec import CodecKeys, EncryptionCodec, encrypted
from tests.replay.scenarios import HISTORIES, read_kept
from workflows.nomination import NominationWorkflow
from workflows.runner import (
    PASSED_THROUGH,
    SAMPLE_CONTEXTS,
    OwnContextRunner,
    own_context_serves,
    workflow_runner,
)

KEYS = CodecKeys.generate()


class ReadsContext(PayloadCodec, WithSerializationContext):
    """A codec that would seal each workflow's payloads with a key of its own."""

    workflow_id: str | None = None

    def with_context(self, context: SerializationContext) -> Self:
        bound = type(self)()
        bound.workflow_id = getattr(context, "workflow_id", None)
        return bound

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(payloads)


def test_the_deployed_converters_fit() -> None:
    sealed = encrypted(plain_converter(), KEYS)
    assert own_context_serves(plain_converter())
    assert own_context_serves(sealed)
    # As the worker has it: the codec listening for payloads in clear, which binds the
    # workflow's id (`worker.UnsealedStarts.watching`).
    assert isinstance(sealed.payload_codec, EncryptionCodec)
    listening = sealed.payload_codec.listening(lambda _: None)
    assert own_context_serves(dataclasses.replace(sealed, payload_codec=listening))


def test_the_bench_measures_the_deployed_runner() -> None:
    # The bench's codec times the deployed one's sealing and opening, and takes a context
    # as it does: its worker must run the workflows as a deployed worker would.
    listening = EncryptionCodec(KEYS).listening(lambda _: None)
    assert own_context_serves(DataConverter(payload_codec=TimedCodec.of(listening)))


def test_the_codec_reads_only_a_workflow_id_from_the_context() -> None:
    # What the runner relies on (`workflows.runner`): an activity's context leaves the
    # listening codec as it is, a workflow's binds its id and nothing else.
    codec = EncryptionCodec(KEYS).listening(lambda _: None)
    activity = next(c for c in SAMPLE_CONTEXTS if isinstance(c, ActivitySerializationContext))
    assert codec.with_context(activity) is codec
    bound = codec.with_context(WorkflowSerializationContext(namespace="n", workflow_id="w"))
    assert {k: v for k, v in vars(bound).items() if vars(codec)[k] is not v} == {
        "_workflow_id": "w"
    }


def test_a_codec_that_reads_the_context_keeps_the_sdk_runner() -> None:
    assert not own_context_serves(DataConverter(payload_codec=ReadsContext()))

    class Subclass(EncryptionCodec):  # reads more of the context than its parent
        def with_context(self, context: SerializationContext) -> Self:
            return copy.copy(self)

    assert not own_context_serves(DataConverter(payload_codec=Subclass(KEYS)))

    class Sealing(EncryptionCodec):  # keeps the parent's with_context, but says nothing
        pass

    heard = Sealing(KEYS).listening(lambda _: None)  # binds a workflow's id, as deployed
    assert not own_context_serves(DataConverter(payload_codec=heard))

    class Under(TimedCodec):  # what its parent said is not said for it
        pass

    heard = EncryptionCodec(KEYS).listening(lambda _: None)
    assert not own_context_serves(DataConverter(payload_codec=Under.of(heard)))


class Inner(WorkflowRunner):
    def prepare_workflow(self, defn: object) -> None:
        pass

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return None  # type: ignore[return-value]  # not asked anything here


def test_the_answer_is_the_workflow_context_the_sdk_would_recognise() -> None:
    # The SDK's worker takes the workflow's own converter only for a context equal to the
    # one it built from the namespace and workflow id: the codec bound to that id.
    details = SimpleNamespace(info=SimpleNamespace(namespace="default", workflow_id="ovop-x"))
    instance = OwnContextRunner(Inner()).create_instance(details)  # type: ignore[arg-type]
    own = WorkflowSerializationContext(namespace="default", workflow_id="ovop-x")
    assert instance.get_serialization_context(None) == own


def test_the_worker_runner_answers_itself_only_where_it_may() -> None:
    assert isinstance(workflow_runner(plain_converter()), OwnContextRunner)
    assert isinstance(workflow_runner(encrypted(plain_converter(), KEYS)), OwnContextRunner)
    reads = workflow_runner(DataConverter(payload_codec=ReadsContext()))
    assert isinstance(reads, SandboxedWorkflowRunner)
    assert reads.restrictions is PASSED_THROUGH


@pytest.mark.parametrize("name", ["whole_selection-1.5", "awarded_unsubscribed-1.5"])
async def test_kept_histories_replay_on_the_worker_runner(name: str) -> None:
    # The workflows passed through rather than imported into each run's sandbox, and the
    # codec's context answered by the runner: the same commands, event for event.
    replayer = Replayer(
        workflows=[NominationWorkflow],
        data_converter=plain_converter(),
        workflow_runner=workflow_runner(plain_converter()),
    )
    await replayer.replay_workflow(read_kept(HISTORIES / f"{name}.json"))
