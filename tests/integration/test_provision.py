"""`ovop temporal setup` on the real server: a namespace registered once, and the custom search
attributes the code upserts added once, with the types the code gives them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from bootstrap import connect_temporal
from provision import ensure_namespace, ensure_search_attributes
from settings import Settings
from starter import app
from workflows.names import SEARCH_ATTRIBUTES

pytestmark = pytest.mark.integration


def test_setup_registers_the_namespace_and_its_search_attributes_once(
    dev_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    namespace = f"ovop-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_env.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_NAMESPACE", namespace)
    runner = CliRunner()

    first = runner.invoke(app, ["temporal", "setup", "--retention-days", "3"])
    second = runner.invoke(app, ["temporal", "setup"])

    assert first.exit_code == 0, first.output
    assert f"Namespace {namespace} didaftarkan (retensi 3 hari)." in first.output
    assert "Atribut pencarian ditambahkan" in first.output and "OvopStage" in first.output
    assert second.exit_code == 0, second.output
    assert second.output.strip() == f"Semua atribut pencarian sudah ada di {namespace}."


async def test_the_attributes_get_the_types_the_code_upserts(dev_env: WorkflowEnvironment) -> None:
    client = await connect_temporal(
        Settings(),
        target_host=dev_env.client.service_client.config.target_host,
        namespace=f"ovop-{uuid.uuid4().hex[:8]}",
    )
    assert await ensure_namespace(client, timedelta(days=1)) is True
    assert await ensure_namespace(client, timedelta(days=1)) is False
    await ensure_search_attributes(client)

    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    assert {k.name: int(k.indexed_value_type) for k in SEARCH_ATTRIBUTES}.items() <= dict(
        listed.custom_attributes
    ).items()
