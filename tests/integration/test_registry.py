"""The registry pre-check against a registry service on loopback that is down at first."""

from __future__ import annotations

import uuid

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.testing import WorkflowEnvironment

from activities.mail import Mailer
from activities.registry import HttpRegistry
from domain.examples import example_cycle_config
from domain.nomination import Nomination
from domain.registry import CheckStatus, FindingStatus, RegistryRecord
from domain.stages import Stage
from records import RecordStore
from tests.integration.conftest import free_port, serving
from tests.support import OPERATOR, eventually, fresh, passes, proposer, withdrawal
from worker import activities_for, build_worker
from workflows.client import decide, start_nomination
from workflows.nomination import NominationWorkflow

pytestmark = pytest.mark.integration

CONFIG = example_cycle_config("2026")


def registry_service(*records: RegistryRecord) -> Starlette:
    """The ministry's registry as the engine expects it: `GET /ikm/{nib}`."""
    by_nib = {r.nib: r for r in records}

    async def ikm(request: Request) -> Response:
        record = by_nib.get(request.path_params["nib"])
        if record is None:
            return JSONResponse({"detail": "NIB tidak terdaftar"}, status_code=404)
        return JSONResponse(record.model_dump(mode="json"))

    return Starlette(routes=[Route("/ikm/{nib}", ikm)])


def record_of(nib: str, decree_number: str) -> RegistryRecord:
    p = fresh(0)
    return RegistryRecord(
        nib=nib,
        name=p.ikm.name,
        status="aktif",
        province=p.sentra.province,
        regency=p.sentra.regency,
        decree_number=decree_number,
        decree_date=p.sentra.decree.date,
    )


async def test_the_http_registry_finds_a_nib_or_says_it_is_unknown() -> None:
    known = record_of("9120009999991", "500/1/2021")
    async with serving(registry_service(known)) as base:
        registry = HttpRegistry(base)
        assert await registry.lookup(known.nib) == known
        assert await registry.lookup("9120009999992") is None
    with pytest.raises(httpx.ConnectError):  # down: the activity raises and is retried
        await registry.lookup(known.nib)


async def test_the_registry_down_delays_the_precheck_never_the_nomination(
    dev_env: WorkflowEnvironment, store: RecordStore, mailer: Mailer
) -> None:
    p = fresh(0)
    port = free_port()
    registry = HttpRegistry(f"http://127.0.0.1:{port}")
    task_queue = f"registry-{uuid.uuid4()}"
    async with build_worker(
        dev_env.client, task_queue, activities_for(store, mailer, registry=registry)
    ):
        handle = await start_nomination(dev_env.client, p, CONFIG, proposer(p), task_queue)
        assert (await decide(handle, passes())).stage == Stage.TECHNICAL_ASSESSMENT

        async def retried() -> bool:
            pending = (await handle.describe()).raw_description.pending_activities
            return any(a.activity_type.name == "check_registry" and a.attempt >= 2 for a in pending)

        await eventually(retried, "the pre-check to be retried while the registry is down")
        nom: Nomination = await handle.query(NominationWorkflow.state)
        assert nom.registry is not None and nom.registry.status == CheckStatus.PENDING

        async with serving(registry_service(record_of(p.ikm.nib, "500/999/2021")), port):

            async def answered() -> Nomination | None:
                nom = await handle.query(NominationWorkflow.state)
                done = nom.registry is not None and nom.registry.status == CheckStatus.DONE
                return nom if done else None

            nom = await eventually(answered, "the registry's findings")
        await decide(handle, withdrawal(OPERATOR))
        await handle.result()

    assert nom.registry is not None
    wrong = [f for f in nom.registry.findings if f.status != FindingStatus.OK]
    assert [f.field for f in wrong] == ["sentra.decree.number"]
    assert nom.registry.outcome == "perlu_diperiksa"
    assert any("500/999/2021" in p.message for p in nom.registry.problems)
