"""Personal data out of Temporal: with the codec on, the server keeps ciphertext only.

A nomination goes from the API's intake to its award on the real dev server, with a worker,
the API and its codec endpoint all sealing payloads. Then the server is read raw, with no
codec at all (the gRPC responses as protobuf bytes): the histories, the descriptions, the
visibility listing, the search attributes and the answers to queries. No NIB, name, email
address or phone number of the proposal or of the cycle's people may appear in them. Last,
an operator reads the same payloads back through the codec endpoint (and the `temporal`
CLI through it), which shows that the check had personal data to find.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from secrets import token_urlsafe
from typing import Any

import httpx
import pytest
from google.protobuf.json_format import MessageToDict, ParseDict
from google.protobuf.message import Message
from temporalio import activity
from temporalio.api.common.v1 import Payload, Payloads, WorkflowExecution
from temporalio.api.query.v1 import WorkflowQuery
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    GetWorkflowExecutionHistoryRequest,
    ListWorkflowExecutionsRequest,
    QueryWorkflowRequest,
)
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.events import EventHandled, HandleEventInput
from activities.mail import Mailer
from api.app import ApiDeps, create_app
from api.deps import CodecDeps
from api.idempotency import IdempotencyKeys
from api.keys import KeyRing, hash_key
from api.sessions import SessionCookies
from bootstrap import plain_converter
from codec import CodecKeys, EncryptionCodec, encrypted
from domain.cycle import CycleConfig, ProposalWindow
from domain.cycle_book import CycleSetup, cycle_workflow_id
from domain.decisions import DeadlineExtension, Resubmission
from domain.examples import example_cycle_config
from domain.labs import route_lab
from domain.nomination import Nomination
from domain.proposal import Proposal
from domain.stages import Role, Stage
from integrations import ApiKey
from records import RecordStore
from tests.conftest import binary
from tests.integration.api_stack import KEYS
from tests.integration.conftest import serving
from tests.support import OPERATOR, OWN_CYCLE, confirm, findings, fresh_raw, passes, proposer, sheet
from tests.support import unique_cycle as new_cycle
from worker import activities_for, build_worker
from workflows import names
from workflows.client import Handle, decide, open_cycle
from workflows.nomination import NominationWorkflow

pytestmark = pytest.mark.integration

API_KEYS = [
    KEYS["pekalongan"],  # the regional office of the API tests, `key-pekalongan`
    ApiKey(
        name="ditjen-verifikasi",
        sha256=hash_key("key-verifier"),
        roles=[Role.VERIFIER],
        institution="Ditjen IKMA",
    ),
    ApiKey(
        name="op.sari", sha256=hash_key("key-operator"), roles=[Role.OPERATOR], institution="IKMA"
    ),
]
SYSTEM_ATTRIBUTES = {"TemporalChangeVersion", "BuildIds"}  # patch ids, worker builds


def personal_data(raw: dict[str, Any], config: CycleConfig) -> set[str]:
    """Every NIB, name, email address, phone number and user id of the proposal as sent, and
    of the cycle's people (staff and jurors)."""
    p = Proposal.model_validate(raw)
    found = {p.ikm.nib, p.ikm.name}
    for contact, sent in [
        (p.ikm.owner, raw["ikm"]["owner"]),
        (p.proposing_office.contact, raw["proposing_office"]["contact"]),
        (p.provincial_office.contact, raw["provincial_office"]["contact"]),
    ]:
        found |= {contact.name, str(contact.email), contact.phone, sent["phone"]}

    def people(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if "email" in node:
                yield from (node[k] for k in ("email", "name", "user_id") if node.get(k))
            for value in node.values():
                yield from people(value)
        elif isinstance(node, list):
            for value in node:
                yield from people(value)

    found |= set(people(config.model_dump(mode="json")))
    return found


def in_clear(secrets: set[str], blob: bytes) -> set[str]:
    return {s for s in secrets if s.encode() in blob}


def payloads_in(message: Message) -> Iterator[Payload]:
    """Every payload anywhere in a protobuf message (events, failures, memo, metadata)."""
    if isinstance(message, Payload):
        yield message
        return
    for described, value in message.ListFields():
        if described.message_type is None:
            continue
        if described.message_type.GetOptions().map_entry:
            items = list(value.values())
        elif isinstance(value, Message):
            items = [value]
        else:  # a repeated field
            items = list(value)
        for item in items:
            if isinstance(item, Message):
                yield from payloads_in(item)


def mail_refused_once(real: Sequence[Callable[..., Any]], address: str) -> list[Callable[..., Any]]:
    """The real activities; the first mail fails once, its error quoting an address, as a
    relay's refusal does (the failure is kept in the history of the attempt that follows)."""
    by_name = {activity._Definition.must_from_callable(fn).name: fn for fn in real}
    failed: list[str] = []

    @activity.defn(name="handle_event")
    async def handle_event(input: HandleEventInput) -> EventHandled:
        if not failed and input.recipients:
            failed.append(address)
            raise RuntimeError(f"550 5.1.1 <{address}>: mailbox tidak dikenal")
        result: EventHandled = await by_name["handle_event"](input)
        return result

    return [handle_event if name == "handle_event" else fn for name, fn in by_name.items()]


class RawServer:
    """The server as anyone with access to it, or to its database, reads it: no codec."""

    def __init__(self, client: Client) -> None:
        self.service, self.namespace = client.workflow_service, client.namespace

    async def history(self, workflow_id: str) -> list[Message]:
        events: list[Message] = []
        token = b""
        while True:
            page = await self.service.get_workflow_execution_history(
                GetWorkflowExecutionHistoryRequest(
                    namespace=self.namespace,
                    execution=WorkflowExecution(workflow_id=workflow_id),
                    next_page_token=token,
                )
            )
            events += page.history.events
            token = page.next_page_token
            if not token:
                return events

    async def everything(self, workflow_id: str, queries: list[str]) -> dict[str, Message]:
        execution = WorkflowExecution(workflow_id=workflow_id)
        found: dict[str, Message] = {
            f"history event {e.event_id} {e.event_type}": e  # type: ignore[attr-defined]
            for e in await self.history(workflow_id)
        }
        found["describe"] = await self.service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(namespace=self.namespace, execution=execution)
        )
        found["list"] = await self.service.list_workflow_executions(
            ListWorkflowExecutionsRequest(
                namespace=self.namespace, query=f'WorkflowId = "{workflow_id}"'
            )
        )
        for query in queries:
            found[f"query {query}"] = await self.service.query_workflow(
                QueryWorkflowRequest(
                    namespace=self.namespace,
                    execution=execution,
                    query=WorkflowQuery(query_type=query),
                )
            )
        return found


async def test_temporal_keeps_no_personal_data_in_clear(
    dev_env: WorkflowEnvironment, mailer: Mailer, tmp_path: Path
) -> None:
    store = RecordStore.connect(f"sqlite+aiosqlite:///{tmp_path / 'records.db'}")
    await store.migrate_to_head()
    try:
        await nominate_and_read_raw(dev_env, store, mailer)
    finally:
        await store.close()


async def nominate_and_read_raw(
    dev_env: WorkflowEnvironment, store: RecordStore, mailer: Mailer
) -> None:
    keys = CodecKeys.generate("uji-1")
    sealed = Client(
        dev_env.client.service_client,
        namespace=dev_env.client.namespace,
        data_converter=encrypted(plain_converter(), keys),
    )
    task_queue = f"pd-{uuid.uuid4()}"
    cycle = new_cycle()
    config = example_cycle_config(cycle)
    today = datetime.now(UTC).date()
    raw = fresh_raw(0, cycle, today)
    p = Proposal.model_validate(raw)
    secrets = personal_data(raw, config)
    deps = ApiDeps(
        client=sealed,
        store=store,
        idempotency=IdempotencyKeys(store.engine),
        keys=KeyRing(API_KEYS),
        task_queue=task_queue,
        codec=CodecDeps(
            EncryptionCodec(keys), SessionCookies(token_urlsafe(32)), ("http://localhost:8233",)
        ),
    )
    activities = mail_refused_once(activities_for(store, mailer), str(p.ikm.owner.email))
    async with (
        build_worker(sealed, task_queue, activities),
        serving(create_app(deps)) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        setup = CycleSetup(
            config=config,
            window=ProposalWindow(opens=today - timedelta(days=1), closes=today + timedelta(30)),
            opened_by=OPERATOR,
            off_schedule_reason=OWN_CYCLE,
        )
        await open_cycle(sealed, setup, task_queue)

        # Intake and the revision request through the API (an Idempotency-Key: a memo).
        created = await http.post(
            "/nominations",
            json=raw,
            headers={"X-API-Key": "key-pekalongan", "Idempotency-Key": "usulan-1"},
        )
        assert created.status_code == 201, created.text
        handle: Handle = sealed.get_workflow_handle_for(
            NominationWorkflow.run, created.json()["id"]
        )
        revise = await http.post(
            f"/nominations/{handle.id}/verify",
            json={"outcome": "revise", "reason": f"NIB {p.ikm.nib} belum cocok di SIINas"},
            headers={"X-API-Key": "key-verifier", "X-OVOP-User": "verif.rina"},
        )
        assert revise.status_code == 200, revise.text

        # The rest as the `ovop` command sends it, through to the award.
        note = f"NIB diperbaiki; hubungi {p.ikm.owner.name} ({p.ikm.owner.phone})"
        await decide(handle, Resubmission(actor=proposer(p), proposal=p, note=note))
        extend = DeadlineExtension(actor=OPERATOR, working_days=2, reason="menunggu SK")
        await decide(handle, extend)
        await decide(handle, passes())
        await decide(handle, findings(route_lab(p.product.commodity)))
        nom: Nomination = await handle.query(NominationWorkflow.state)
        for juror in nom.panel:
            await decide(handle, sheet(juror, 88, f"Layak; pemilik {p.ikm.owner.name} hadir"))
        await decide(handle, confirm())
        summary = await handle.result()
        assert summary.stage == Stage.AWARDED

        raw_server = RawServer(dev_env.client)
        seen = {
            **await raw_server.everything(
                handle.id, ["state", "summary", "__temporal_workflow_metadata"]
            ),
            **{
                f"cycle {k}": v
                for k, v in (
                    await raw_server.everything(cycle_workflow_id(cycle), ["status"])
                ).items()
            },
        }
        clear = {where: in_clear(secrets, m.SerializeToString()) for where, m in seen.items()}
        assert {where: found for where, found in clear.items() if found} == {}
        assert len([w for w in seen if w.startswith("history")]) > 100  # a whole story read

        # The search attributes: only the Web UI's filters, none of them personal (the
        # deadline is gone: an awarded nomination has none).
        described = await handle.describe()
        attributes = set(
            described.raw_description.workflow_execution_info.search_attributes.indexed_fields
        )
        assert attributes - SYSTEM_ATTRIBUTES == {k.name for k in names.SEARCH_ATTRIBUTES} - {
            names.DEADLINE.name
        }
        values = {
            pair.key.name: str(pair.value)
            for pair in described.typed_search_attributes
            if pair.key.name not in SYSTEM_ATTRIBUTES
        }
        assert values == {
            names.STAGE.name: Stage.AWARDED.value,
            names.CYCLE.name: cycle,
            names.COMMODITY.name: p.product.commodity.value,
            names.PROVINCE.name: p.sentra.province.value,
            names.REGENCY.name: p.sentra.regency,
            names.LAB.name: nom.lab.value,
            names.SCORE.name: str(summary.final_score),
            names.STARS.name: str(summary.stars),
        }

        # An operator reads the payloads back through the codec endpoint: the personal data
        # was there to find, sealed.
        history = [m for w, m in seen.items() if w.startswith("history")]
        payloads = [p for m in history for p in payloads_in(m)]
        opened = await http.post(
            "/codec/decode",
            json=MessageToDict(Payloads(payloads=payloads)),
            headers={"Authorization": "Bearer key-operator", "X-Namespace": "default"},
        )
        assert opened.status_code == 200, opened.text
        decoded = ParseDict(opened.json(), Payloads())
        assert len(decoded.payloads) == len(payloads)
        plain = b"".join(x.SerializeToString() for x in decoded.payloads)
        sent_phones = {
            c["phone"]
            for c in (
                raw["ikm"]["owner"],
                raw["proposing_office"]["contact"],
                raw["provincial_office"]["contact"],
            )
        }
        assert in_clear(secrets, plain) == secrets - sent_phones  # phones kept normalised
        print(
            f"\nread raw: {len(seen)} responses and events ({len(history)} history events of "
            f"the nomination and its cycle, {len(payloads)} payloads); {len(secrets)} personal "
            "strings searched, none in clear; all of them but the phones as typed found in "
            "the payloads an operator opened"
        )
        refused = await http.post(
            "/codec/decode",
            json=MessageToDict(Payloads(payloads=payloads[:1])),
            headers={"Authorization": "Bearer key-pekalongan"},
        )
        assert refused.status_code == 403

        # So does the `temporal` CLI, given the endpoint and an operator's key; without the
        # codec, it shows ciphertext.
        show = [
            "workflow",
            "show",
            "-w",
            handle.id,
            "-o",
            "json",
            "--codec-endpoint",
            f"{base}/codec",
        ]
        shown = await temporal(dev_env, *show, "--codec-auth", "Bearer key-operator")
        assert p.ikm.nib.encode() in payload_bytes(shown)
        assert p.ikm.nib.encode() not in payload_bytes(await temporal(dev_env, *show[:-2]))
        await sealed.get_workflow_handle(cycle_workflow_id(cycle)).terminate("uji selesai")


async def temporal(env: WorkflowEnvironment, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        binary("temporal"),
        *args,
        "--address",
        env.client.service_client.config.target_host,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()


def payload_bytes(shown: str) -> bytes:
    """The payloads' data in `temporal ... -o json` output (base64 in protobuf JSON)."""
    return b"".join(base64.b64decode(d) for d in re.findall(r'"data": "([A-Za-z0-9+/=]*)"', shown))


def test_the_check_finds_personal_data_when_it_is_there() -> None:
    """The check itself, on a payload the plain converter writes: it does find what is there."""
    raw = fresh_raw(0)
    secrets = personal_data(raw, example_cycle_config("2026"))
    [payload] = plain_converter().payload_converter.to_payloads([Proposal.model_validate(raw)])
    found = in_clear(secrets, payload.SerializeToString())
    assert {raw["ikm"]["nib"], raw["ikm"]["owner"]["email"], raw["ikm"]["owner"]["name"]} <= found
    assert json.dumps(raw["ikm"]["owner"]["name"]).strip('"').encode() in payload.data
