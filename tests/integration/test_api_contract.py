"""The API checked against its own contract, docs/openapi.json, by Schemathesis: every
operation called with each kind of key, on the real stack (uvicorn on loopback, the
Temporal dev server with a worker, the records database, the SMTP server).

Schemathesis generates each operation's requests from the document, valid ones and
invalid ones, and checks each answer: no 5xx, a documented status code and content type,
a body that matches its documented schema, invalid data refused; and every error is
`application/problem+json` said in Indonesian (`problem_in_indonesian`).

The servers run on the session's event loop, so the generated calls are made from a
thread (`asyncio.to_thread`), with Schemathesis's strategies under hypothesis's `given`,
rather than by `schema.parametrize()`, whose tests pytest would run on the loop's thread.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, CheckContext, GenerationMode
from schemathesis.core.failures import Failure
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.openapi import CHECKED_IN
from api.problems import PROBLEM_JSON, ProblemDetails
from domain.cycle_book import cycle_workflow_id
from tests.integration.api_stack import Api, as_
from tests.support import fresh_raw

pytestmark = [pytest.mark.integration, pytest.mark.slow(seconds=270)]

AnyCase = Case[Any]
Operation = APIOperation[Any, Any, Any, Any]

# The rule on email addresses is more than JSON Schema's `format: email` (its description
# says it): addresses of special-use domains (`.test`) and IDNs (`xn--`) are refused.
schemathesis.openapi.format("email", st.emails().filter(lambda e: "xn--" not in e.lower()))

EXAMPLES = 10  # per operation, kind of key and mode: enough to meet each rule, and quick

VALID = (GenerationMode.POSITIVE,)
# One key of each kind: a regency's office and a province's, a lab, each ministry role;
# and a key nobody configured. Invalid requests are refused before a key's roles or reach
# are looked at, so one key sends them.
CALLERS = {
    "operator": (as_("operator"), tuple(GenerationMode)),
    "regency office": (as_("pekalongan"), VALID),
    "province office": (as_("jateng"), VALID),
    "lab": (as_("lab_kb"), VALID),
    "verifier": (as_("verifier"), VALID),
    "official": (as_("official"), VALID),
    "juror": (as_("juror"), VALID),
    "unknown key": ({"X-API-Key": "key-nobody"}, VALID),
}

# Words of the English that frameworks answer with ("Field required", "Not Found",
# "Input should be...", "Encoded failure"); quoted values, which echo the request, aside.
ENGLISH = re.compile(
    r"\b(the|should|required|not|found|failed|failure|invalid|input|value|error|must|"
    r"allowed|method|expected|or|and|is|an?)\b",
    re.I,
)
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(QUOTED.sub("", text))


def problem_in_indonesian(
    ctx: CheckContext, response: schemathesis.Response, case: AnyCase
) -> None:
    """An error is problem details (RFC 9457) with its title, detail and each field's
    message in Indonesian."""
    if response.status_code < 400:
        return
    kind = response.headers.get("content-type", [""])[0]
    if kind != PROBLEM_JSON:
        raise Failure(
            operation=case.operation.label,
            title="Not problem details",
            message=f"{response.status_code} answered as {kind!r}, not {PROBLEM_JSON}",
        )
    body = ProblemDetails.model_validate(response.json())
    # The detail lists the fields at fault by name, as sent: their messages speak for it.
    said = [body.title, *([e.message for e in body.errors] or [body.detail])]
    english = [(text, words) for text in said if (words := english_in(text))]
    if body.status != response.status_code or english:
        raise Failure(
            operation=case.operation.label,
            title="Problem details not in Indonesian",
            message=f"status {body.status} for {response.status_code}; English: {english}",
        )


def accepted_unless_unstored(
    ctx: CheckContext, response: schemathesis.Response, case: AnyCase
) -> bool | None:
    """Schemathesis's own check that valid data is accepted, but for one precondition JSON
    Schema cannot state: a document cited by its hash must have been uploaded first
    (`POST /documents`), which no generated hash ever was. Such a request is refused with
    422 naming each cited hash, and that alone is let through."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Failure:
        if response.status_code == 422 and response.headers.get("content-type", [""])[0] == (
            PROBLEM_JSON
        ):
            errors = ProblemDetails.model_validate(response.json()).errors
            if errors and all(
                e.field.endswith(".sha256") and "belum diunggah" in e.message for e in errors
            ):
                return None
        raise


def breaches(
    operation: Operation, mode: GenerationMode, key: dict[str, str], ids: list[str | None]
) -> str | None:
    """Schemathesis on one operation, with one key, valid or invalid requests: what failed.

    The key goes with the call, not the generated case, so Schemathesis knows it for a
    real one and checks that the operation refuses the request without it, or with a
    made-up one (`ignored_auth`)."""
    has_id = "{nomination_id}" in operation.path

    def cases(nomination: str | None) -> st.SearchStrategy[AnyCase]:
        fixed = {"nomination_id": nomination} if has_id and nomination else None
        return operation.as_strategy(mode, path_parameters=fixed)

    # Built once per id: built in the draw, each example paid for building and validating
    # the operation's strategies again, a tenth of the test's time.
    by_id = {nomination: cases(nomination) for nomination in ids}

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.sampled_from(ids).flatmap(by_id.__getitem__))
    def holds(case: AnyCase) -> None:
        case.call_and_validate(
            headers=key,
            additional_checks=[problem_in_indonesian, accepted_unless_unstored],
            excluded_checks=[positive_data_acceptance],
        )

    try:
        holds()
    except Unsatisfiable:
        # Nothing of it can be made invalid but what is fixed (the key, the id).
        assert mode == GenerationMode.NEGATIVE, operation.label
    except (Exception, BaseExceptionGroup) as error:
        return f"{operation.label} {mode.value}: {error}"
    return None


def contract_breaches(base: str, ids: list[str | None]) -> list[str]:
    """Every operation, with each kind of key, valid and invalid requests: what failed."""
    schema = schemathesis.openapi.from_path(CHECKED_IN)
    schema.config.update(base_url=base)
    # An uploaded document is judged by its content, which no schema can describe: a file
    # of another type than its slot takes is a 415, one larger than it takes a 413.
    schema.config.checks.positive_data_acceptance.expected_statuses += ["413", "415"]
    found = []
    for caller, (key, modes) in CALLERS.items():
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), result
            operation = result.ok()
            for mode in modes:
                if breach := breaches(operation, mode, key, ids):
                    found.append(f"{caller}: {breach}")
    return found


# The contract does not depend on the records database: one backend keeps the suite short.
@pytest.mark.parametrize("records_url", ["sqlite"], indirect=True)
async def test_every_operation_keeps_its_contract_with_every_kind_of_key(api: Api) -> None:
    nomination = await api.propose(fresh_raw(0))
    # A nomination, a cycle's id where a nomination's belongs, and ids Schemathesis makes up.
    ids: list[str | None] = [nomination, cycle_workflow_id("2026"), None]
    started = time.monotonic()
    found = await asyncio.to_thread(contract_breaches, api.base, ids)
    print(f"Schemathesis: {time.monotonic() - started:.1f}s")
    assert found == [], "\n\n".join(found)
