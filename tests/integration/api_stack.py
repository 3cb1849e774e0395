"""The HTTP API as the integration tests call it: one key of each kind, and helpers to read
its answers (`problem`, `fields`). The `api` fixture (conftest.py) serves it on loopback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment

from api.keys import hash_key
from documents import DocumentStore
from domain.labs import Lab
from domain.nomination import Nomination
from domain.stages import Role
from integrations import ApiKey
from workflows.nomination import NominationWorkflow

PEKALONGAN = "Dinas Perdagangan, Koperasi dan UKM Kota Pekalongan"
BANTUL = "Dinas Perindustrian dan Perdagangan Kabupaten Bantul"

KEYS = {
    "pekalongan": ApiKey(
        name="disperin-pekalongan",
        sha256=hash_key("key-pekalongan"),
        roles=[Role.PROPOSER],
        institution=PEKALONGAN,
        province="Jawa Tengah",
        regency="Kota Pekalongan",
    ),
    "bantul": ApiKey(
        name="disperin-bantul",
        sha256=hash_key("key-bantul"),
        roles=[Role.PROPOSER],
        institution=BANTUL,
        province="DI Yogyakarta",
        regency="Kabupaten Bantul",
    ),
    "ditjen": ApiKey(
        name="ditjen-ikma",
        sha256=hash_key("key-ditjen"),
        roles=[Role.VERIFIER, Role.OFFICIAL, Role.OPERATOR],
        institution="Ditjen IKMA",
    ),
    "lab_kb": ApiKey(
        name="bbspji-kb",
        sha256=hash_key("key-lab-kb"),
        roles=[Role.LAB_ASSESSOR],
        institution="BBSPJI Kerajinan dan Batik",
        lab=Lab.KERAJINAN_BATIK,
    ),
    "lab_agro": ApiKey(
        name="bbspji-agro",
        sha256=hash_key("key-lab-agro"),
        roles=[Role.LAB_ASSESSOR],
        institution="BBSPJI Agro",
        lab=Lab.AGRO,
    ),
    # One ministry role each, and a province's office (Jawa Tengah, any regency): the
    # systematic test below walks every route with every kind of key.
    **{
        role.value: ApiKey(
            name=f"ditjen-{role.value}",
            sha256=hash_key(f"key-{role.value.replace('_', '-')}"),
            roles=[role],
            institution="Ditjen IKMA",
        )
        for role in (Role.VERIFIER, Role.OFFICIAL, Role.OPERATOR, Role.JUROR)
    },
    "jateng": ApiKey(
        name="disperindag-jateng",
        sha256=hash_key("key-jateng"),
        roles=[Role.PROPOSER],
        institution="Dinas Perindustrian dan Perdagangan Provinsi Jawa Tengah",
        province="Jawa Tengah",
    ),
}


# A lab's findings as a batik lab sends them (`/nominations/{id}/assess`).
FINDINGS = {
    "report_number": "LHU-0042",
    "score": 86,
    "conforms": True,
    "tests": [{"parameter": "luntur", "result": "4-5", "passed": True}],
    "summary": "sesuai SNI",
}


def as_(who: str, user: str | None = None, idempotency: str | None = None) -> dict[str, str]:
    headers = {"X-API-Key": f"key-{who.replace('_', '-')}"}
    if user:
        headers["X-OVOP-User"] = user
    if idempotency:
        headers["Idempotency-Key"] = idempotency
    return headers


@dataclass
class Api:
    """The API served by uvicorn on loopback (`base`), the Temporal server behind it, and
    the document store it keeps uploads in."""

    http: httpx.AsyncClient
    env: WorkflowEnvironment
    base: str
    documents: DocumentStore | None = None

    async def propose(self, raw: dict[str, Any], who: str = "pekalongan") -> str:
        response = await self.http.post("/nominations", json=raw, headers=as_(who))
        assert response.status_code == 201, response.text
        nomination: str = response.json()["id"]
        return nomination

    async def state(self, nomination: str) -> Nomination:
        handle = self.env.client.get_workflow_handle(nomination)
        state: Nomination = await handle.query(NominationWorkflow.state)
        return state


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"].startswith("https://")
    return body


def fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body["errors"]]
