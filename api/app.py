"""The HTTP API for the ministry's systems: intake, decisions, status and history.

Every decision is sent as the same workflow Update the `ovop` command sends, so the rules
live in one place; the API adds who may call what (`api.keys`) and idempotency.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, FastAPI, Header, Path, Query, Request, Response
from pydantic import BaseModel, ValidationError
from temporalio.exceptions import WorkflowAlreadyStartedError

from api import certificates, codec, decrees, documents, limits, problems
from api.auth import Caller, require_role
from api.deps import ApiDeps as ApiDeps  # where the entry points and tests take it from
from api.deps import Deps
from api.documents import require_stored
from api.lookup import ask, place_of
from api.problems import ApiProblem, problem_responses
from api.schemas import (
    NominationCreated,
    NominationList,
    NominationQuery,
    NominationView,
    WebhookDeliveryView,
    request_model,
)
from domain.access import PROPOSING_ROLES, Place, require_may_propose
from domain.cycle import already_proposed
from domain.decisions import DECISIONS, Decision, DecisionResult, documents_referenced
from domain.eligibility import eligible
from domain.errors import Problem, Refused, problems_from
from domain.nomination import nomination_id
from domain.proposal import Proposal, Text
from domain.stages import Role
from workflows.client import decide, nominate
from workflows.nomination import NominationWorkflow
from workflows.visibility import NominationFilter, list_nominations

VERSION = "1.0.0"

log = logging.getLogger("ovop.api")
T = TypeVar("T")


# The person acting becomes the decision's `Actor.user_id`: the same rule, stated once.
User = Annotated[
    Text,
    Header(
        alias="X-OVOP-User",
        description="The person acting, as the calling system knows them (their user id).",
    ),
]
OptionalUser = Annotated[Text | None, Header(alias="X-OVOP-User", description="The person acting.")]
NominationId = Annotated[
    str,
    Path(
        description=(
            "The nomination's id, as `POST /nominations` answered it "
            "(`ovop-<cycle>-<product>-<10 hex digits>`); any other id is a 404."
        ),
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Send the same key again to retry safely: the first result comes back.",
    ),
]

PROBLEM_RESPONSES = problem_responses(
    (401, "No API key, or an unknown one"),
    (403, "The key may not do this, or not to this nomination"),
    (404, "No such nomination"),
    (409, "The nomination is not at a stage where this can be done, or exists already"),
    (422, "Invalid or refused, each field at fault named"),
    (503, "Temporal is unreachable"),
)


def canonical_sha256(raw: bytes) -> str:
    """The same JSON, however spaced or ordered, hashes the same."""
    text = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


router = APIRouter(responses=PROBLEM_RESPONSES)


@router.post(
    "/nominations",
    status_code=201,
    response_model=NominationCreated,
    tags=["nominations"],
    summary="Propose a nomination (regional office keys)",
)
async def create_nomination(
    proposal: Proposal,
    request: Request,
    response: Response,
    key: Caller,
    d: Deps,
    user: OptionalUser = None,
    idempotency_key: IdempotencyKey = None,
) -> NominationCreated:
    """Validate the proposal and start its nomination.

    With an `Idempotency-Key`, sending the same body again returns the same nomination
    (200, `Idempotent-Replayed: true`); the same key with another body is refused (422).
    A nomination already proposed (same cycle, NIB and product) is a 409.
    """
    role = require_role(key, *PROPOSING_ROLES)  # who may propose: one rule, domain.access
    require_may_propose(key.actor(role, user or key.name), key.reach, proposal)
    checked = eligible(proposal)
    await require_stored(d, documents_referenced(proposal))
    nid = nomination_id(proposal.cycle, proposal.ikm.nib, proposal.product.name)
    created = NominationCreated(id=nid, href=f"/nominations/{nid}")
    response.headers["Location"] = created.href
    memo: dict[str, Any] | None = None
    if idempotency_key is not None:
        digest = canonical_sha256(await request.body())
        first = await d.idempotency.claim(key.name, idempotency_key, digest, nid)
        if first.body_sha256 != digest:
            raise ApiProblem(
                422,
                "idempotency-key-reused",
                "Idempotency-Key sudah dipakai",
                "Idempotency-Key ini sudah dipakai untuk permintaan dengan isi lain",
                [Problem("Idempotency-Key", "sudah dipakai untuk isi yang lain")],
            )
        memo = {"idempotency": {"client": key.name, "key": idempotency_key}}
    submitted_by = key.actor(role, user or str(proposal.proposing_office.contact.email))
    try:
        await nominate(d.client, checked, submitted_by, d.task_queue, memo=memo)
    except WorkflowAlreadyStartedError:
        if memo is not None:
            description = await d.client.get_workflow_handle(nid).describe()
            if (await description.memo()).get("idempotency") == memo["idempotency"]:
                response.status_code = 200
                response.headers["Idempotent-Replayed"] = "true"
                return created
        refused = already_proposed(proposal.cycle, nid)
        raise ApiProblem(
            409,
            "already-proposed",
            "Usulan sudah pernah diajukan",
            str(refused),
            refused.problems,
            nomination_id=nid,
        ) from None
    return created


@router.get(
    "/nominations",
    response_model=NominationList,
    tags=["nominations"],
    summary="List nominations, filtered as `ovop list` filters them",
)
async def list_all(
    where: Annotated[NominationQuery, Query()], key: Caller, d: Deps
) -> NominationList:
    """Read from Temporal visibility. A regional key sees its region; a lab key its lab."""
    reach = NominationFilter()
    if not key.reach.everything:
        reach = NominationFilter(province=key.province, regency=key.regency, lab=key.lab)
    rows = await list_nominations(d.client, where, reach, limit=where.limit)
    return NominationList(items=rows, count=len(rows))


@router.get(
    "/nominations/{nomination_id}",
    response_model=NominationView,
    tags=["nominations"],
    summary="One nomination: stage, what it waits for, deadline, history",
)
async def read_one(nomination_id: NominationId, key: Caller, d: Deps) -> NominationView:
    nom = await ask(d, nomination_id, NominationWorkflow.state)
    key.reach.require(place_of(nom), "nomination_id")
    return NominationView.of(nom, key.roles)


@router.get(
    "/webhooks/deliveries",
    response_model=list[WebhookDeliveryView],
    tags=["webhooks"],
    summary="Webhook deliveries, e.g. those given up (operator keys)",
)
async def webhook_deliveries(
    key: Caller,
    d: Deps,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")] = "failed",
    nomination_id: str | None = None,
) -> list[WebhookDeliveryView]:
    require_role(key, Role.OPERATOR)
    rows = await d.store.webhook_deliveries(status=status, nomination_id=nomination_id)
    return [WebhookDeliveryView.model_validate(r, from_attributes=True) for r in rows]


# --- decisions: one route per workflow Update -----------------------------------------


def decision_route(
    decision: type[Decision], roles: tuple[Role, ...], body_model: type[BaseModel]
) -> Callable[..., Awaitable[DecisionResult]]:
    async def endpoint(
        nomination_id: NominationId,
        body: Any,
        key: Caller,
        d: Deps,
        user: User,
        idempotency_key: IdempotencyKey = None,
    ) -> DecisionResult:
        role = require_role(key, *roles)
        summary = await ask(d, nomination_id, NominationWorkflow.summary)
        key.reach.require(place_of(summary), "nomination_id")
        proposal = getattr(body, "proposal", None)
        if isinstance(proposal, Proposal):  # a resubmission stays within the key's reach
            key.reach.require(Place.of_proposal(proposal), "proposal.sentra.province")
        try:
            taken = decision.model_validate({**dict(body), "actor": key.actor(role, user)})
        except ValidationError as error:
            raise Refused(problems_from(error)) from None
        await require_stored(d, documents_referenced(taken))
        update_id = f"api:{key.name}:{idempotency_key}" if idempotency_key else None
        handle = d.client.get_workflow_handle(nomination_id)
        return await decide(handle, taken, update_id)

    # FastAPI reads the body's type from the signature: each route gets its own model.
    signature = inspect.signature(endpoint)
    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            p.replace(annotation=body_model) if p.name == "body" else p
            for p in signature.parameters.values()
        ]
    )
    return endpoint


for kind in DECISIONS:
    body_name = "".join(part.title() for part in kind.command.split("-")) + "Request"
    router.add_api_route(
        f"/nominations/{{nomination_id}}/{kind.command}",
        decision_route(kind.model, kind.roles, request_model(kind.model, body_name)),
        methods=["POST"],
        response_model=DecisionResult,
        tags=["decisions"],
        summary=f"{kind.title} ({', '.join(r.value for r in kind.roles)} keys)",
        description=(
            "Sent as the workflow's Update of the same name; the rules refuse a decision "
            "for the wrong stage, role or data (each field named) and nothing is recorded. "
            "With an `Idempotency-Key`, a retried request returns the first result."
        ),
    )


def create_app(d: ApiDeps | None = None) -> FastAPI:
    app = FastAPI(
        title="OVOP nomination engine API",
        version=VERSION,
        description=(
            "Intake, decisions, status and history of IKM OVOP award nominations "
            "(Kemenperin, Ditjen IKMA). Authenticate with `X-API-Key`; name the person "
            "acting in `X-OVOP-User`. Errors are `application/problem+json` (RFC 9457) "
            "with each field at fault under `errors`. Outbound webhooks are described in "
            "`docs/webhooks.md`."
        ),
    )
    app.state.deps = d
    problems.install(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problems.documented_as_problem_json(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.include_router(router)
    app.include_router(documents.router)
    app.include_router(certificates.router)
    app.include_router(certificates.public)
    app.include_router(decrees.public)
    body_limits = {"/documents": limits.UPLOAD_LIMIT}
    if d is not None and d.inbox is not None:
        from web.app import install as install_inbox

        body_limits |= install_inbox(app)
    if d is not None and d.codec is not None:
        app.include_router(codec.router)
        app.add_middleware(codec.CodecCors, origins=d.codec.origins)

    app.add_middleware(limits.BodyLimit, limits=body_limits)

    @app.get("/health", tags=["service"], summary="The API is up (for health checks)")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
