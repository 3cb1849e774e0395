"""Generated bad input at the engine's three doors, on the time-skipping server with a worker:
raw workflow Updates (as any Temporal client may send them: the Web UI, `temporal workflow
update`, another SDK), the `ovop` command line, and the HTTP API.

Decisions come generated (tests/strategies.py): wrong types, missing and unknown fields,
out-of-range scores, unknown people, the wrong stage, odd Unicode, oversize text; half of
them well formed, and half of those sent by the right person at the right stage, so that
some are taken. Each is either taken, or refused with a message that names a field,
leaving nothing in the history; no workflow task ever fails, the workflow keeps answering,
and every nomination the examples touched can still be withdrawn and ends (the fixture
withdraws each and awaits its end).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from api.app import ApiDeps, create_app
from api.idempotency import IdempotencyKeys
from api.keys import KeyRing, hash_key
from domain.decisions import DECISIONS, Actor, DecisionResult, VerifyDecision, VerifyOutcome
from domain.labs import Lab
from domain.nomination import Nomination
from domain.scoring import Criterion
from domain.stages import Role, Stage
from integrations import ApiKey
from records import RecordStore
from starter import app
from tests.strategies import FIELDS, broken_proposals, decision_bodies, decisions, on_loop
from tests.support import (
    LAB_ASSESSOR,
    OFFICIAL,
    OPERATOR,
    VERIFIER,
    assert_no_trace,
    fresh,
    history_events,
    juror,
    passes,
    proposer,
    sheet,
)
from tests.workflow.conftest import Handle, Nominations, state, to_panel
from workflows.client import decide

pytestmark = pytest.mark.slow

PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
STAGES = [
    Stage.ADMIN_VERIFICATION,
    Stage.REVISION_REQUESTED,
    Stage.TECHNICAL_ASSESSMENT,
    Stage.PANEL_SCORING,
    Stage.AWARD_DECISION,
]
# Where each decision belongs, and who takes it there.
BELONGS = {
    "verify": Stage.ADMIN_VERIFICATION,
    "resubmit": Stage.REVISION_REQUESTED,
    "assess": Stage.TECHNICAL_ASSESSMENT,
    "score": Stage.PANEL_SCORING,
    "decide_award": Stage.AWARD_DECISION,
    "withdraw": Stage.PANEL_SCORING,
    "extend_deadline": Stage.TECHNICAL_ASSESSMENT,
    "reassign_juror": Stage.PANEL_SCORING,
    "declare_conflict": Stage.PANEL_SCORING,
}


def right_person(update: str, nom: Nomination) -> Actor:
    return {
        "verify": VERIFIER,
        "resubmit": proposer(nom.proposal),
        "assess": LAB_ASSESSOR[nom.lab],
        "score": juror(nom.panel[0]) if nom.panel else OPERATOR,
        "decide_award": OFFICIAL,
        "declare_conflict": juror(nom.panel[0]) if nom.panel else OPERATOR,
    }.get(update, OPERATOR)


Sender = Callable[[str, dict[str, Any], bool], Callable[[Handle], Awaitable[str | None]]]


class Waiting:
    """A nomination waiting at each stage; one a decision moved on is replaced by a fresh
    one, taken to that stage by the right people."""

    def __init__(self, nominations: Nominations) -> None:
        self.nominations = nominations
        self.at: dict[Stage, Handle] = {}
        self.outcomes: Counter[str] = Counter()

    async def get(self, stage: Stage) -> Handle:
        if stage not in self.at:
            self.at[stage] = await self._drive(stage)
        return self.at[stage]

    def moved(self, stage: Stage) -> None:
        self.at.pop(stage, None)

    async def _drive(self, stage: Stage) -> Handle:
        # A NIB of its own from the system's randomness: hypothesis seeds `random`.
        p = fresh(0)
        p = p.model_copy(
            update={"ikm": p.ikm.model_copy(update={"nib": str(uuid.uuid4().int)[:13]})}
        )
        handle, p = await self.nominations.start(p)
        if stage == Stage.REVISION_REQUESTED:
            revise = VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="SK")
            await decide(handle, revise)
        elif stage == Stage.TECHNICAL_ASSESSMENT:
            await decide(handle, passes())
        elif stage in (Stage.PANEL_SCORING, Stage.AWARD_DECISION):
            await to_panel(handle, p)
        if stage == Stage.AWARD_DECISION:
            for someone in (await state(handle)).panel:
                await decide(handle, sheet(someone, 85))
        assert (await state(handle)).stage == stage
        return handle

    async def attempt(
        self, stage: Stage, send: Callable[[Handle], Awaitable[str | None]], what: str
    ) -> None:
        """Send a decision with `send`, which returns None when it was taken, or what the
        refusal said; check that a refusal left no trace and that nothing failed."""
        handle = await self.get(stage)
        before = await history_events(handle)
        refusal = await send(handle)
        if refusal is None:
            self.outcomes[f"taken: {what}"] += 1
            self.moved(stage)
        else:
            self.outcomes[f"refused: {refusal}"] += 1
            await assert_no_trace(handle, before, [])
        events = await history_events(handle)
        assert not [e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
        await state(handle)  # still answering

    async def throw(self, count: int, send: Sender, door: str) -> None:
        """`count` generated decisions, each at a stage (or, when `right`, where it belongs
        and by whom it is taken there), sent through `door` by `send`."""
        run = on_loop(asyncio.get_running_loop())

        @examples(count)
        @given(decision=decisions, stage=st.sampled_from(STAGES), right=st.booleans())
        def property_holds(decision: tuple[str, dict[str, Any]], stage: Stage, right: bool) -> None:
            update, body = decision
            sent = send(update, body, right)

            async def by_whom(handle: Handle) -> str | None:
                if right and "actor" in body:
                    person = right_person(update, await state(handle))
                    body["actor"] = person.model_dump(mode="json")
                return await sent(handle)

            run(self.attempt(BELONGS[update] if right else stage, by_whom, update))

        await asyncio.to_thread(property_holds)
        self.report(door)

    def report(self, door: str) -> None:
        refused = sum(v for k, v in self.outcomes.items() if k.startswith("refused"))
        print(f"\n{door}: {sum(self.outcomes.values())} generated, {refused} refused;", end=" ")
        print(dict(sorted(self.outcomes.items())))
        assert refused and refused < sum(self.outcomes.values())  # both kinds were tried


@pytest.fixture
def waiting(nominations: Nominations) -> Waiting:
    return Waiting(nominations)


def examples(count: int) -> Callable[[Any], Any]:
    return settings(PROPERTY, max_examples=count)


# --- 1. raw workflow Updates ----------------------------------------------------------------


def names_a_field(cause: ApplicationError, update: str, body: dict[str, Any]) -> bool:
    if cause.type == "Refused":
        [said] = cause.details
        return bool(said["problems"]) and all(field and text for field, text in said["problems"])
    # Arguments that are not the decision's model at all: "Failed decoding arguments",
    # caused by pydantic's ValidationError, which lists each field at fault on a line.
    said = []
    error: BaseException | None = cause
    while error is not None:
        said.append(str(error))
        error = error.cause if isinstance(error, ApplicationError) else None
    return any(f"\n{name}" in "\n".join(said) for name in [*FIELDS[update], "actor", *body])


async def test_raw_updates(waiting: Waiting) -> None:
    def send(
        update: str, body: dict[str, Any], right: bool
    ) -> Callable[[Handle], Awaitable[str | None]]:
        async def go(handle: Handle) -> str | None:
            update_id = f"generated-{uuid.uuid4()}"
            try:
                await handle.execute_update(update, body, id=update_id, result_type=DecisionResult)
            except WorkflowUpdateFailedError as failed:
                cause = failed.cause
                assert isinstance(cause, ApplicationError), failed
                assert names_a_field(cause, update, body), (cause.type, str(cause), cause.details)
                return cause.type
            return None

        return go

    await waiting.throw(60, send, "raw updates")


# --- 2. the command line ----------------------------------------------------------------------

COMMAND = {kind.update: kind.command for kind in DECISIONS}
# What `ovop` says when it refuses: the rules' fields, its own checks, or click's usage errors
# (each naming the option).
SAYS_WHY = ("Ditolak:", "pilih tepat satu", "tulis sebagai", "Invalid value", "Missing option")


def command_line(update: str, body: dict[str, Any], nomination_id: str, folder: Path) -> list[str]:
    """The `ovop` command a person would type for the decision `body` describes."""
    args = [COMMAND.get(update, update), nomination_id]

    def opt(name: str, value: Any) -> None:
        if value is not None:
            args.extend([name, value if isinstance(value, str) else json.dumps(value)])

    person = body.get("actor") if isinstance(body.get("actor"), dict) else {}
    assert isinstance(person, dict)
    opt("--as", person.get("user_id", "orang.luar"))
    opt("--role", person.get("role"))
    opt("--institution", person.get("institution"))
    match update:
        case "verify":
            outcome = body.get("outcome")
            if outcome == "pass":
                args.append("--pass")
            opt(
                f"--{outcome}" if outcome in ("reject", "revise") else "--reject",
                body.get("reason"),
            )
        case "resubmit":
            path = folder / f"usulan-{uuid.uuid4()}.json"
            path.write_text(json.dumps(body.get("proposal"), ensure_ascii=False), encoding="utf-8")
            args.insert(2, str(path))
            opt("--note", body.get("note"))
        case "assess":
            opt("--report", body.get("report_number"))
            opt("--score", body.get("score"))
            opt("--summary", body.get("summary"))
            tests = body.get("tests") if isinstance(body.get("tests"), list) else []
            for t in tests or [{}]:
                t = t if isinstance(t, dict) else {}
                verdict = "pass" if t.get("passed") else "fail"
                opt(
                    "--test",
                    f"{t.get('parameter')}={t.get('result')};{t.get('standard') or ''};{verdict}",
                )
            args.append("--conforms" if body.get("conforms") else "--does-not-conform")
        case "score":
            scores = body.get("scores")
            scores = scores if isinstance(scores, dict) else {}
            for c in Criterion:
                opt(f"--{c.value.replace('_', '-')}", scores.get(c.value))
            opt("--comment", body.get("comment"))
        case "decide_award":
            if body.get("override_stars") is None:
                args.append("--confirm")
            opt("--override", body.get("override_stars"))
            opt("--reason", body.get("reason"))
        case "extend_deadline":
            opt("--until", body.get("until"))
            opt("--working-days", body.get("working_days"))
            opt("--reason", body.get("reason"))
        case "reassign_juror":
            opt("--juror", body.get("juror_id"))
            opt("--reason", body.get("reason"))
        case _:
            opt("--reason", body.get("reason"))
    return args


async def test_the_command_line(
    waiting: Waiting, time_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = {
        "TEMPORAL_ADDRESS": time_env.client.service_client.config.target_host,
        "OVOP_CLI_TIMEOUT_SECONDS": "30",
    }
    runner = CliRunner()

    def send(
        update: str, body: dict[str, Any], right: bool
    ) -> Callable[[Handle], Awaitable[str | None]]:
        async def go(handle: Handle) -> str | None:
            args = command_line(update, body, handle.id, tmp_path)
            result = await asyncio.to_thread(runner.invoke, app, args, env=env)
            said = result.output
            assert result.exit_code in (0, 2), (args, result.exit_code, said, result.exception)
            assert result.exception is None or isinstance(result.exception, SystemExit), args
            assert "Traceback" not in said
            if result.exit_code == 0:
                return None
            assert any(why in said for why in SAYS_WHY), (args, said)
            return "Ditolak" if "Ditolak:" in said else "usage"

        return go

    await waiting.throw(40, send, "ovop")


# --- 3. the HTTP API ----------------------------------------------------------------------------

ROUTE = {kind.update: kind.command for kind in DECISIONS}
ROLE_OF = {kind.update: kind.roles[0] for kind in DECISIONS}
PEKALONGAN = "Dinas Perdagangan, Koperasi dan UKM Kota Pekalongan"
KEYS = {
    role: ApiKey(
        name=f"uji-{role.value}",
        sha256=hash_key(f"key-{role.value}"),
        roles=[role],
        institution=PEKALONGAN if role == Role.PROPOSER else "Ditjen IKMA",
        **({"province": "Jawa Tengah"} if role == Role.PROPOSER else {}),
        **({"lab": Lab.KERAJINAN_BATIK} if role == Role.LAB_ASSESSOR else {}),
    )
    for role in Role
    if role != Role.SYSTEM
}


@pytest.fixture
async def http(nominations: Nominations, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    store = RecordStore.connect(f"sqlite+aiosqlite:///{tmp_path / 'records.db'}")
    await store.migrate_to_head()
    deps = ApiDeps(
        client=nominations.client,
        store=store,
        idempotency=IdempotencyKeys(store.engine),
        keys=KeyRing(KEYS.values()),
        task_queue=nominations.task_queue,
    )
    transport = httpx.ASGITransport(app=create_app(deps))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client
    await store.close()


def as_json(body: Any) -> bytes:
    """JSON as a careless client writes it: NaN and Infinity included, UTF-8."""
    return json.dumps(body, ensure_ascii=False, allow_nan=True).encode()


def problem_names_a_field(response: httpx.Response) -> str:
    assert response.status_code in (403, 404, 409, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json().get("errors") or []
    assert errors and all(e["field"] and e["message"] for e in errors), response.text
    return str(response.status_code)


async def test_the_http_api(waiting: Waiting, http: httpx.AsyncClient) -> None:
    run = on_loop(asyncio.get_running_loop())

    def send(
        update: str, body: dict[str, Any], key: Role, user: str
    ) -> Callable[[Handle], Awaitable[str | None]]:
        async def go(handle: Handle) -> str | None:
            if user == "(the right person)":
                user_id = right_person(update, await state(handle)).user_id
            else:
                user_id = user
            response = await http.post(
                f"/nominations/{handle.id}/{ROUTE[update]}",
                content=as_json(body),
                headers=[  # the person's id in UTF-8, as some clients send it
                    (b"Content-Type", b"application/json"),
                    (b"X-API-Key", f"key-{key.value}".encode()),
                    (b"X-OVOP-User", user_id.encode()),
                ],
            )
            if response.status_code == 200:
                assert DecisionResult.model_validate(response.json())
                return None
            return problem_names_a_field(response)

        return go

    @examples(60)
    @given(
        update=st.sampled_from(sorted(FIELDS)),
        data=st.data(),
        stage=st.sampled_from(STAGES),
        right=st.booleans(),
    )
    def property_holds(update: str, data: st.DataObject, stage: Stage, right: bool) -> None:
        body = data.draw(decision_bodies(update, with_actor=False))
        key = ROLE_OF[update] if right else data.draw(st.sampled_from(sorted(KEYS)))
        user = (
            "(the right person)"
            if right
            else data.draw(
                st.sampled_from(["verif.rina", "juri.budi", "op.sari", "lab.kb.1", "x\u202e"])
            )
        )
        run(
            waiting.attempt(
                BELONGS[update] if right else stage, send(update, body, key, user), update
            )
        )

    await asyncio.to_thread(property_holds)
    waiting.report("HTTP API, decisions")

    # Proposals: nothing is created, since no 2026 cycle is open on this server; each is
    # refused naming a field (by the edge, the model, eligibility, or the closed cycle).
    said: Counter[str] = Counter()

    @examples(40)
    @given(raw=broken_proposals())
    def proposals(raw: dict[str, Any]) -> None:
        response = run(
            http.post(
                "/nominations",
                content=as_json(raw),
                headers={"X-API-Key": "key-proposer", "Content-Type": "application/json"},
            )
        )
        said[problem_names_a_field(response)] += 1

    await asyncio.to_thread(proposals)
    print(f"HTTP API, proposals: {dict(said)}")
