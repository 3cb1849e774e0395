"""Finding nominations through Temporal visibility: the search attributes every nomination
keeps current, filtered with the same queries an operator types into the Web UI."""

from __future__ import annotations

from datetime import datetime

from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus

from domain.labs import Lab
from domain.proposal import Commodity, Cycle, Model, ProvinceName, Regency
from domain.regions import Province
from domain.stages import Stage
from workflows import names
from workflows.cycle import CycleWorkflow
from workflows.nomination import NominationWorkflow

WORKFLOW_TYPE = NominationWorkflow.__name__
CYCLE_WORKFLOW_TYPE = CycleWorkflow.__name__


class NominationFilter(Model):
    """Which nominations to list; each field left empty matches every nomination."""

    stage: Stage | None = None
    cycle: Cycle | None = None
    province: ProvinceName | None = None
    regency: Regency | None = None
    commodity: Commodity | None = None
    lab: Lab | None = None


class NominationRow(Model):
    """One nomination as visibility holds it: what an operator filters and sorts by."""

    id: str
    status: str
    started_at: datetime
    stage: Stage | None
    cycle: str | None
    commodity: Commodity | None
    province: Province | None
    regency: str | None
    lab: Lab | None
    deadline: datetime | None
    score: float | None
    stars: int | None


def quote(value: str) -> str:
    """A string literal of Temporal's visibility query language.

    The filter's values are validated before they get here; quoting still escapes them,
    so a value can never end its literal and add a clause of its own.
    """
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def visibility_query(*filters: NominationFilter) -> str:
    """`WorkflowType = "NominationWorkflow" AND OvopStage = "PANEL_SCORING" AND ...`: every
    filter's clauses ANDed (the API adds the reach of the caller's key to its filter)."""
    clauses = [f"WorkflowType = {quote(WORKFLOW_TYPE)}"]
    for where in filters:
        wanted = [
            (names.STAGE, where.stage),
            (names.CYCLE, where.cycle),
            (names.PROVINCE, where.province),
            (names.REGENCY, where.regency),
            (names.COMMODITY, where.commodity),
            (names.LAB, where.lab),
        ]
        clauses += [
            f"{key.name} = {quote(str(value))}" for key, value in wanted if value is not None
        ]
    return " AND ".join(clauses)


async def list_nominations(
    client: Client, *filters: NominationFilter, limit: int = 100
) -> list[NominationRow]:
    """The nominations that match, newest first, read from visibility (no worker needed)."""
    rows = []
    async for execution in client.list_workflows(visibility_query(*filters), limit=limit):
        rows.append(row_of(execution))
    return rows


def row_of(execution: WorkflowExecution) -> NominationRow:
    attrs = execution.typed_search_attributes
    return NominationRow.model_validate(
        {
            "id": execution.id,
            "status": execution.status.name if execution.status else "UNKNOWN",
            "started_at": execution.start_time,
            "stage": attrs.get(names.STAGE),
            "cycle": attrs.get(names.CYCLE),
            "commodity": attrs.get(names.COMMODITY),
            "province": attrs.get(names.PROVINCE),
            "regency": attrs.get(names.REGENCY),
            "lab": attrs.get(names.LAB),
            "deadline": attrs.get(names.DEADLINE),
            "score": attrs.get(names.SCORE),
            "stars": attrs.get(names.STARS),
        }
    )


async def last_cycle(client: Client, other_than: str) -> str | None:
    """The latest cycle opened on this Temporal service, other than `other_than`; None when
    there is none. Read from visibility, so `ovop cycle open` knows what "two years after
    the last" means."""
    cycles = set()
    query = f"WorkflowType = {quote(CYCLE_WORKFLOW_TYPE)}"
    async for execution in client.list_workflows(query):
        cycle = execution.typed_search_attributes.get(names.CYCLE)
        if cycle and cycle != other_than and execution.status != WorkflowExecutionStatus.FAILED:
            cycles.add(cycle)
    return max(cycles, key=int, default=None)
