"""The HTTP API under uvicorn on loopback, on the real Temporal dev server with a worker:
keys and roles, idempotent intake, decisions that reach the workflow, problem details."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.openapi import CHECKED_IN
from domain.cycle_book import cycle_workflow_id
from domain.decisions import DECISIONS
from domain.events import EventKind
from domain.scoring import Criterion
from domain.stages import Role, Stage
from tests.integration.api_stack import FINDINGS, KEYS, Api, as_, fields, problem
from tests.support import eventually, fresh_raw

pytestmark = pytest.mark.integration


async def test_no_key_or_an_unknown_key_is_refused(api: Api) -> None:
    body = problem(await api.http.get("/nominations"), 401)
    assert fields(body) == ["X-API-Key"]
    response = await api.http.get("/nominations", headers={"X-API-Key": "key-pekalongan-2"})
    assert "tidak dikenal" in problem(response, 401)["detail"]
    assert response.headers["www-authenticate"].startswith("ApiKey")


async def test_each_key_acts_only_in_its_roles_and_reach(api: Api) -> None:
    raw = fresh_raw(0)  # Kota Pekalongan, batik: routed to BBSPJI Kerajinan dan Batik

    # Only a regional office proposes, and only for its own region and office.
    body = problem(await api.http.post("/nominations", json=raw, headers=as_("ditjen")), 403)
    assert fields(body) == ["X-API-Key"]
    body = problem(await api.http.post("/nominations", json=raw, headers=as_("bantul")), 403)
    assert fields(body) == ["sentra.province"] and "di luar wilayah" in body["detail"]
    nomination = await api.propose(raw)

    # Bantul's office can neither read nor withdraw Pekalongan's nomination.
    problem(await api.http.get(f"/nominations/{nomination}", headers=as_("bantul")), 403)
    response = await api.http.post(
        f"/nominations/{nomination}/withdraw",
        json={"reason": "salah usul"},
        headers=as_("bantul", "op.bantul"),
    )
    assert fields(problem(response, 403)) == ["nomination_id"]

    # A regional key cannot verify; the agro lab cannot assess batik.
    response = await api.http.post(
        f"/nominations/{nomination}/verify",
        json={"outcome": "pass"},
        headers=as_("pekalongan", "disperin.pekalongan"),
    )
    assert "tidak berperan verifier" in problem(response, 403)["detail"]
    await api.http.post(
        f"/nominations/{nomination}/verify",
        json={"outcome": "pass"},
        headers=as_("ditjen", "verif.rina"),
    )
    findings = FINDINGS
    response = await api.http.post(
        f"/nominations/{nomination}/assess", json=findings, headers=as_("lab_agro", "lab.agro.1")
    )
    assert "Kerajinan dan Batik" in problem(response, 403)["detail"]
    # The rules still apply within a key's reach: this person is not the lab's assessor.
    response = await api.http.post(
        f"/nominations/{nomination}/assess", json=findings, headers=as_("lab_kb", "someone")
    )
    assert fields(problem(response, 403)) == ["actor.user_id"]
    assert (await api.state(nomination)).stage == Stage.TECHNICAL_ASSESSMENT


async def test_the_actor_comes_from_the_key_never_from_the_body(api: Api) -> None:
    nomination = await api.propose(fresh_raw(0))
    forged = {
        "outcome": "pass",
        "actor": {"user_id": "verif.rina", "role": "verifier", "institution": "Ditjen IKMA"},
    }
    response = await api.http.post(
        f"/nominations/{nomination}/verify", json=forged, headers=as_("ditjen", "verif.rina")
    )
    body = problem(response, 422)
    assert fields(body) == ["actor"] and body["errors"][0]["message"] == "kolom tidak dikenal"
    response = await api.http.post(
        f"/nominations/{nomination}/verify", json={"outcome": "pass"}, headers=as_("ditjen")
    )
    assert fields(problem(response, 422)) == ["header.X-OVOP-User"]


async def test_create_is_idempotent_with_its_key(api: Api) -> None:
    raw = fresh_raw(0)
    first = await api.http.post("/nominations", json=raw, headers=as_("pekalongan", None, "k-1"))
    assert first.status_code == 201, first.text
    nomination = first.json()["id"]
    assert first.headers["location"] == f"/nominations/{nomination}"

    # The same key and body, however spaced: the same nomination, not a second one.
    again = await api.http.post(
        "/nominations",
        content=json.dumps(raw, indent=4).encode(),
        headers={**as_("pekalongan", None, "k-1"), "Content-Type": "application/json"},
    )
    assert again.status_code == 200, again.text
    assert again.json()["id"] == nomination and again.headers["idempotent-replayed"] == "true"

    # The same key with another body is refused; another key for the same proposal is a 409.
    other = {**raw, "product": {**raw["product"], "name": "Batik Cap Jlamprang"}}
    body = problem(
        await api.http.post("/nominations", json=other, headers=as_("pekalongan", None, "k-1")),
        422,
    )
    assert fields(body) == ["Idempotency-Key"]
    body = problem(
        await api.http.post("/nominations", json=raw, headers=as_("pekalongan", None, "k-2")), 409
    )
    assert body["nomination_id"] == nomination
    events = (await api.state(nomination)).events
    assert [e.kind for e in events if e.kind == EventKind.PROPOSED] == [EventKind.PROPOSED]


async def test_an_invalid_or_ineligible_proposal_names_its_fields(api: Api) -> None:
    raw = fresh_raw(0)
    raw["ikm"]["nib"] = "12345"
    raw["sentra"]["decree"]["issued_by"] = "bupati"  # Kota Pekalongan has a wali kota
    body = problem(await api.http.post("/nominations", json=raw, headers=as_("pekalongan")), 422)
    assert fields(body) == ["ikm.nib"]
    raw = fresh_raw(0)
    raw["sentra"]["decree"]["issued_by"] = "bupati"
    body = problem(await api.http.post("/nominations", json=raw, headers=as_("pekalongan")), 422)
    assert fields(body) == ["sentra.decree.issued_by"]


async def test_a_decision_through_the_api_is_the_workflows_decision(api: Api) -> None:
    nomination = await api.propose(fresh_raw(0))
    headers = as_("ditjen", "verif.rina", idempotency="verify-1")
    response = await api.http.post(
        f"/nominations/{nomination}/verify", json={"outcome": "pass"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["stage"] == "TECHNICAL_ASSESSMENT"

    nom = await api.state(nomination)
    verified = [e for e in nom.events if e.kind == EventKind.VERIFIED]
    assert nom.stage == Stage.TECHNICAL_ASSESSMENT and len(verified) == 1
    assert verified[0].actor.model_dump() == {
        "user_id": "verif.rina",
        "role": "verifier",
        "institution": "Ditjen IKMA",
    }

    # A retried POST with the same Idempotency-Key returns the first result, again.
    retried = await api.http.post(
        f"/nominations/{nomination}/verify", json={"outcome": "pass"}, headers=headers
    )
    assert retried.status_code == 200 and retried.json() == response.json()
    # Without it, the same decision now meets the rules: wrong stage, nothing recorded.
    body = problem(
        await api.http.post(
            f"/nominations/{nomination}/verify",
            json={"outcome": "pass"},
            headers=as_("ditjen", "verif.rina"),
        ),
        409,
    )
    assert fields(body) == ["stage"] and "Penilaian Teknis" in body["errors"][0]["message"]
    after = (await api.state(nomination)).events
    assert [e.kind for e in after].count(EventKind.VERIFIED) == 1

    view = (await api.http.get(f"/nominations/{nomination}", headers=as_("lab_kb"))).json()
    assert view["stage"] == "TECHNICAL_ASSESSMENT" and view["waiting_for"] == "lab_assessor"
    assert view["deadline"] is not None
    assert [e["kind"] for e in view["events"]] == [
        "proposed",
        "verified",
    ]
    # A lab judges the product, not its owner (domain.access.sees_owner): as in the inbox.
    assert view["proposal"]["ikm"]["owner"] is None and view["proposal"]["ikm"]["nib"]
    ministry = (await api.http.get(f"/nominations/{nomination}", headers=as_("ditjen"))).json()
    assert ministry["proposal"]["ikm"]["owner"]["email"].startswith("pemilik.")

    response = await api.http.post(
        f"/nominations/{nomination}/extend",
        json={"working_days": 3, "reason": "sampel tertahan di ekspedisi"},
        headers=as_("ditjen", "op.sari"),
    )
    assert response.status_code == 200, response.text
    assert (await api.state(nomination)).events[-1].kind == EventKind.DEADLINE_EXTENDED


async def test_unknown_nomination_is_404(api: Api) -> None:
    body = problem(await api.http.get("/nominations/ovop-2026-nope", headers=as_("ditjen")), 404)
    assert body["nomination_id"] == "ovop-2026-nope"
    response = await api.http.post(
        "/nominations/ovop-2026-nope/withdraw",
        json={"reason": "x"},
        headers=as_("ditjen", "op.sari"),
    )
    problem(response, 404)


async def test_a_cycles_id_where_a_nominations_belongs_is_404(api: Api) -> None:
    """The cycle's workflow runs on the same server; its id is still no nomination's."""
    cycle = cycle_workflow_id("2026")
    body = problem(await api.http.get(f"/nominations/{cycle}", headers=as_("ditjen")), 404)
    assert fields(body) == ["nomination_id"] and body["nomination_id"] == cycle
    assert body["title"] == "Usulan tidak ditemukan"
    key_of = {role: who for who, key in KEYS.items() for role in key.roles}
    for path, (roles, raw) in ROUTES.items():
        who = key_of[sorted(roles)[0]]  # a key that may take the decision
        response = await api.http.post(
            f"/nominations/{cycle}/{path}", json=raw, headers=as_(who, "orang.luar")
        )
        assert fields(problem(response, 404)) == ["nomination_id"], path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"reason": "salah', "isi permintaan bukan JSON yang sah"),
        ('{"reason": "ditarik, lihat café"}'.encode("latin-1"), "isi permintaan harus teks UTF-8"),
    ],
    ids=["not JSON", "not UTF-8"],
)
async def test_a_body_that_is_not_json_or_not_utf8_is_refused_naming_the_body(
    api: Api, body: bytes, message: str
) -> None:
    nomination = await api.propose(fresh_raw(0))
    for path, headers in [
        ("/nominations", as_("pekalongan")),
        (f"/nominations/{nomination}/withdraw", as_("pekalongan", "disperin.pekalongan")),
    ]:
        response = await api.http.post(
            path, content=body, headers={**headers, "Content-Type": "application/json"}
        )
        said = problem(response, 422)
        assert said["title"] == "Permintaan tidak valid", path
        assert said["errors"] == [{"field": "body", "message": message}], path
    assert (await api.state(nomination)).stage == Stage.ADMIN_VERIFICATION


async def test_list_filters_like_the_operators_command_within_each_keys_reach(api: Api) -> None:
    pekalongan = await api.propose(fresh_raw(0))
    bantul = await api.propose(fresh_raw(2), who="bantul")

    async def ids(who: str, **query: str) -> set[str]:
        response = await api.http.get("/nominations", params=query, headers=as_(who))
        assert response.status_code == 200, response.text
        return {row["id"] for row in response.json()["items"]}

    async def both_listed() -> bool:
        return {pekalongan, bantul} <= await ids("ditjen", stage="ADMIN_VERIFICATION")

    await eventually(both_listed, "visibility to list both new nominations")
    assert pekalongan in await ids("ditjen", province="jawa tengah", commodity="kain_batik")
    assert bantul not in await ids("ditjen", province="Jawa Tengah")
    assert bantul not in await ids("pekalongan")
    assert pekalongan not in await ids("bantul", province="Jawa Tengah")
    assert pekalongan not in await ids("lab_agro")

    # A value that would end its literal is not a cycle at all (and quoting would hold it in
    # its literal anyway: tests/unit/test_operator_view.py).
    response = await api.http.get(
        "/nominations", params={"cycle": '2026" OR OvopStage != "x'}, headers=as_("ditjen")
    )
    assert fields(problem(response, 422)) == ["query.cycle"]

    # At most `limit` rows, 1 to 1000.
    response = await api.http.get("/nominations", params={"limit": 1}, headers=as_("ditjen"))
    assert response.status_code == 200, response.text
    assert response.json()["count"] == len(response.json()["items"]) == 1
    for wrong in (0, 1001, "semua"):
        response = await api.http.get(
            "/nominations", params={"limit": wrong}, headers=as_("ditjen")
        )
        assert fields(problem(response, 422)) == ["query.limit"], wrong
    problem(await api.http.get("/nominations", params={"stage": "X"}, headers=as_("ditjen")), 422)


async def test_the_served_openapi_document_is_the_checked_in_one(api: Api) -> None:
    served = (await api.http.get("/openapi.json")).json()
    assert served == json.loads(CHECKED_IN.read_text(encoding="utf-8"))


# --- every route, every kind of key ------------------------------------------------------

# A batik nomination from Kota Pekalongan (lab: Kerajinan dan Batik). Which keys reach it;
# Pekalongan's own office, which may withdraw it, is not walked here (it is above).
REACHES = {
    "jateng": True,
    "bantul": False,
    "ditjen": True,
    "lab_kb": True,
    "lab_agro": False,
    "verifier": True,
    "official": True,
    "operator": True,
    "juror": True,
}
ROUTES: dict[str, tuple[set[Role], dict[str, Any]]] = {
    "verify": ({Role.VERIFIER}, {"outcome": "pass"}),
    "resubmit": ({Role.PROPOSER}, {"proposal": fresh_raw(0)}),
    "assess": (
        {Role.LAB_ASSESSOR},
        {
            "report_number": "LHU-1",
            "score": 80,
            "conforms": True,
            "tests": [{"parameter": "luntur", "result": "4", "passed": True}],
            "summary": "sesuai",
        },
    ),
    "score": ({Role.JUROR}, {"scores": dict.fromkeys(Criterion, 80), "comment": "baik"}),
    "award": ({Role.OFFICIAL}, {}),
    "withdraw": ({Role.OPERATOR, Role.PROPOSER}, {"reason": "uji"}),
    "extend": ({Role.OPERATOR}, {"working_days": 3, "reason": "uji"}),
    "reassign": ({Role.OPERATOR}, {"juror_id": "juri.budi", "reason": "uji"}),
    "declare-conflict": ({Role.JUROR}, {"reason": "uji"}),
    # Release 1.5's steps, which a cycle without them refuses for the stage.
    "endorse": ({Role.PROPOSER}, {"outcome": "endorse"}),
    "receive-sample": ({Role.LAB_ASSESSOR}, {"received_on": "2026-04-01", "received_by": "uji"}),
    "schedule-visit": ({Role.OPERATOR}, {"visit_on": "2026-04-01", "team": ["verif.rina"]}),
    "report-visit": (
        {Role.VERIFIER, Role.OPERATOR, Role.JUROR},
        {"visited_on": "2026-04-01", "findings": dict.fromkeys(Criterion, "uji"), "summary": "uji"},
    ),
}


async def test_every_route_lets_through_exactly_the_keys_with_its_role_and_reach(
    api: Api,
) -> None:
    """Each key meets the edge first (role, then reach: 403 naming X-API-Key or the
    nomination); what passes meets the rules, here refused for the stage or the person
    (`orang.luar` is nobody's), so that nothing changes, whoever calls."""
    assert set(REACHES) == set(KEYS) - {"pekalongan"}
    assert set(ROUTES) == {kind.command for kind in DECISIONS}
    nomination = await api.propose(fresh_raw(0))

    before = (await api.state(nomination)).events
    wrong = []
    for who in REACHES:
        key = KEYS[who]
        headers = as_(who, "orang.luar")
        for path, (roles, body) in ROUTES.items():
            response = await api.http.post(
                f"/nominations/{nomination}/{path}", json=body, headers=headers
            )
            found = (response.json().get("errors") or [{"field": response.text}])[0]["field"]
            if not roles & set(key.roles):
                expected = (403, "X-API-Key")
            elif not REACHES[who]:
                expected = (403, "nomination_id")
            else:  # through the edge, refused by the rules
                expected = (response.status_code, found)
                if response.status_code not in (403, 409) or found in ("X-API-Key", None):
                    expected = (0, "a refusal by the rules")
            if (response.status_code, found) != expected:
                wrong.append(f"{who} {path}: {response.status_code} {found}, not {expected}")
        read = await api.http.get(f"/nominations/{nomination}", headers=headers)
        if read.status_code != (200 if REACHES[who] else 403):
            wrong.append(f"{who} reads: {read.status_code}")
        deliveries = await api.http.get("/webhooks/deliveries", headers=headers)
        if deliveries.status_code != (200 if Role.OPERATOR in key.roles else 403):
            wrong.append(f"{who} webhook deliveries: {deliveries.status_code}")
    assert wrong == []
    assert (await api.state(nomination)).events == before
