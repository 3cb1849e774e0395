"""With the codec on, the worker takes sealed payloads only: what a client sends in clear
(`temporal workflow update --input`, the Web UI without the codec endpoint) is refused at
once, with a message its sender can read without the codec, and nothing of it stays in the
server's database: an Update in clear never reaches the history, and the run of a start in
clear is deleted once refused.

On a real dev server of its own, its database in a file that the test reads byte by byte,
with a worker that seals; the sender is a client without a codec.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.mail import Mailer
from bootstrap import plain_converter
from codec import NOT_SEALED, CodecKeys, encrypted
from converter import NOT_SEALED_MESSAGE
from devstack import SECURE_DELETE
from domain.examples import example_cycle_config
from domain.proposal import Proposal
from records import RecordStore
from tests.conftest import binary
from tests.integration.conftest import SHORT_POLLS
from tests.integration.test_personal_data import RawServer
from tests.support import fresh, fresh_raw, proposer
from worker import activities_for, build_worker
from workflows.client import start_nomination
from workflows.inputs import NominationInput
from workflows.names import SEARCH_ATTRIBUTES

pytestmark = pytest.mark.integration


def says_not_sealed(error: BaseException | None) -> None:
    assert isinstance(error, ApplicationError), error
    assert error.type == NOT_SEALED and error.message == NOT_SEALED_MESSAGE
    assert "/codec/masuk" in error.message and "`ovop`" in error.message


QUICK_DELETES = ("--dynamic-config-value", 'history.transferProcessorUpdateAckInterval="1s"')


def personal(p: Proposal) -> set[str]:
    return {p.ikm.nib, p.ikm.name, p.ikm.owner.name, str(p.ikm.owner.email)}


def found_in(database: Path, secrets: set[str]) -> set[str]:
    """The secrets in the server's database files (and any journal beside them), raw."""
    files = b"".join(f.read_bytes() for f in database.parent.glob(database.name + "*"))
    return {s for s in secrets if s.encode() in files}


async def test_payloads_in_clear_are_refused_readably_and_not_kept(
    mailer: Mailer, tmp_path: Path
) -> None:
    database = tmp_path / "temporal.db"
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"),
        dev_server_database_filename=str(database),
        search_attributes=SEARCH_ATTRIBUTES,
        data_converter=plain_converter(),
        dev_server_log_level="error",
        # A closed run is deleted once the transfer queue's position is saved: each second
        # here, not each 30 s (`worker.UnsealedStarts`).
        dev_server_extra_args=[*SHORT_POLLS, *SECURE_DELETE, *QUICK_DELETES],
    )
    store = RecordStore.connect(f"sqlite+aiosqlite:///{tmp_path / 'records.db'}")
    await store.migrate_to_head()
    sealed = Client(
        env.client.service_client,
        namespace=env.client.namespace,
        data_converter=encrypted(plain_converter(), CodecKeys.generate("uji-1")),
    )
    in_clear = env.client  # no codec: as `temporal` or the Web UI without its endpoint
    task_queue = f"unsealed-{uuid.uuid4()}"
    config = example_cycle_config("2026")
    p = fresh(0)
    try:
        worker = build_worker(sealed, task_queue, activities_for(store, mailer))
        async with worker:
            handle = await start_nomination(sealed, p, config, proposer(p), task_queue)

            # An Update in clear: refused before its validator, and nothing of it kept.
            raw = fresh_raw(1)
            other = Proposal.model_validate(raw)
            with pytest.raises(WorkflowUpdateFailedError) as failed:
                await in_clear.get_workflow_handle(handle.id).execute_update(
                    "resubmit", {"actor": proposer(other).model_dump(), "proposal": raw}
                )
            says_not_sealed(failed.value.cause)
            server = b"".join(
                m.SerializeToString()
                for m in (await RawServer(sealed).everything(handle.id, [])).values()
            )
            assert not {s for s in personal(other) if s.encode() in server}

            # A start in clear: the workflow fails at once, saying why; then the worker
            # deletes the run, and with it the input the server wrote before any worker saw
            # it.
            third = fresh(2)
            plain = await in_clear.start_workflow(
                "NominationWorkflow",
                NominationInput(proposal=third, config=config, submitted_by=proposer(third)),
                id=f"unsealed-start-{uuid.uuid4()}",
                task_queue=task_queue,
            )
            with pytest.raises(WorkflowFailureError) as ended:
                await asyncio.wait_for(plain.result(), timeout=20)
            says_not_sealed(ended.value.cause)
            await asyncio.wait_for(worker.unsealed_starts.settled(plain.id), timeout=20)
            assert worker.unsealed_starts.deleted == [plain.id]
            with pytest.raises(RPCError) as gone:
                await plain.describe()
            assert gone.value.status == RPCStatusCode.NOT_FOUND
            # The sealed nomination is not touched.
            assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING

        # The server's database, read raw: of the two proposals sent in clear, nothing; the
        # one sealed is there, but only as ciphertext (the check finds what is in clear).
        assert found_in(database, personal(other) | personal(third)) == set()
        assert found_in(database, {handle.id}) == {handle.id}
    finally:
        await store.close()
        await env.shutdown()
