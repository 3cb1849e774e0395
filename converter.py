"""Payloads to and from the pydantic models, refusing at once what a workflow cannot take.

A workflow's input, an Update's or a query's that does not fit its model is refused as a
`Refused` naming each field (`workflows/refusals.py`), not left to fail the workflow task
over and over: the SDK fails the workflow, or rejects the Update, on an `ApplicationError`
raised while it converts the payloads. With the codec on, a payload that was not sealed
(`codec.UNSEALED`) is refused the same way, with a message readable without the codec.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

from pydantic import ValidationError
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticPayloadConverter
from temporalio.converter import (
    DataConverter,
    PayloadConverter,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)
from temporalio.exceptions import ApplicationError

from codec import NOT_SEALED, UNSEALED
from domain.errors import Refused, problems_from
from workflows.refusals import refusal

NOT_SEALED_MESSAGE = (
    "data tidak disegel: server ini hanya menerima data yang dienkripsi. Masuklah dulu di "
    "/codec/masuk pada API OVOP (Web UI Temporal lalu menyegel yang dikirimnya), "
    "atau gunakan `ovop`"
)

# One converter, and its type adapters, for the whole process (they take a while to build).
_PYDANTIC = PydanticPayloadConverter()


class CheckedPayloadConverter(PayloadConverter, WithSerializationContext):
    """The pydantic converter; for a workflow's own payloads, a mismatch is a refusal.

    Activity results keep failing the workflow task (retried until the code is fixed): a
    recorded result that no longer fits is a bug to mend, not input to refuse.
    """

    def __init__(self, workflow_side: bool = False) -> None:
        self._workflow_side = workflow_side

    def with_context(self, context: SerializationContext) -> Self:
        return type(self)(isinstance(context, WorkflowSerializationContext))

    def to_payloads(self, values: Sequence[Any]) -> list[Payload]:
        return _PYDANTIC.to_payloads(values)

    def from_payloads(
        self, payloads: Sequence[Payload], type_hints: list[type] | None = None
    ) -> list[Any]:
        if not self._workflow_side:
            return _PYDANTIC.from_payloads(payloads, type_hints)
        if any(UNSEALED in p.metadata for p in payloads) and not _replaying():
            raise ApplicationError(NOT_SEALED_MESSAGE, type=NOT_SEALED, non_retryable=True)
        try:
            return _PYDANTIC.from_payloads(payloads, type_hints)
        except ValidationError as error:
            raise refusal(Refused(problems_from(error))) from None


def _replaying() -> bool:
    """Replaying a history whose Update payloads were taken in before the codec refused
    them. Only an Update's payloads are read inside the workflow: a start input and a
    signal are read before it runs, where this is False, so they are refused on replay as
    well (consistent for a start refused the first time; why OVOP_CODEC is never switched
    while nominations are open, docs/deployment.md)."""
    return workflow.in_workflow() and workflow.unsafe.is_replaying()


checked_converter = DataConverter(payload_converter_class=CheckedPayloadConverter)
