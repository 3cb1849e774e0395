"""With the codec on, the worker takes sealed payloads only: what a client sends in clear
(`temporal workflow update --input`, the Web UI without the codec endpoint) is refused at
once, with a message its sender can read without the codec.

On the real dev server, with a worker that seals; the sender is a client without a codec.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.mail import Mailer
from bootstrap import plain_converter
from codec import NOT_SEALED, CodecKeys, encrypted
from converter import NOT_SEALED_MESSAGE
from domain.examples import example_cycle_config
from domain.proposal import Proposal
from records import RecordStore
from tests.integration.test_personal_data import RawServer
from tests.support import fresh, fresh_raw, proposer
from worker import activities_for, build_worker
from workflows.client import start_nomination
from workflows.inputs import NominationInput

pytestmark = pytest.mark.integration


def says_not_sealed(error: BaseException | None) -> None:
    assert isinstance(error, ApplicationError), error
    assert error.type == NOT_SEALED and error.message == NOT_SEALED_MESSAGE
    assert "/codec/masuk" in error.message and "`ovop`" in error.message


async def test_payloads_in_clear_are_refused_readably(
    dev_env: WorkflowEnvironment, mailer: Mailer, tmp_path: Path
) -> None:
    store = RecordStore.connect(f"sqlite+aiosqlite:///{tmp_path / 'records.db'}")
    await store.migrate_to_head()
    sealed = Client(
        dev_env.client.service_client,
        namespace=dev_env.client.namespace,
        data_converter=encrypted(plain_converter(), CodecKeys.generate("uji-1")),
    )
    in_clear = dev_env.client  # no codec: as `temporal` or the Web UI without its endpoint
    task_queue = f"unsealed-{uuid.uuid4()}"
    config = example_cycle_config("2026")
    p = fresh(0)
    try:
        async with build_worker(sealed, task_queue, activities_for(store, mailer)):
            handle = await start_nomination(sealed, p, config, proposer(p), task_queue)

            # An Update in clear: refused before its validator, and nothing of it kept.
            raw = fresh_raw(1)
            other = Proposal.model_validate(raw)
            secrets = {other.ikm.nib, other.ikm.name, str(other.ikm.owner.email)}
            with pytest.raises(WorkflowUpdateFailedError) as failed:
                await in_clear.get_workflow_handle(handle.id).execute_update(
                    "resubmit", {"actor": proposer(other).model_dump(), "proposal": raw}
                )
            says_not_sealed(failed.value.cause)
            server = b"".join(
                m.SerializeToString()
                for m in (await RawServer(sealed).everything(handle.id, [])).values()
            )
            assert not {s for s in secrets if s.encode() in server}

            # A start in clear: the workflow fails at once, saying why. Its input is in the
            # start event all the same: the server wrote it before any worker saw it.
            plain = await in_clear.start_workflow(
                "NominationWorkflow",
                NominationInput(proposal=other, config=config, submitted_by=proposer(other)),
                id=f"unsealed-start-{uuid.uuid4()}",
                task_queue=task_queue,
            )
            with pytest.raises(WorkflowFailureError) as ended:
                await asyncio.wait_for(plain.result(), timeout=20)
            says_not_sealed(ended.value.cause)
    finally:
        await store.close()
