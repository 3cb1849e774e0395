"""The simulated people: proposals from the regions, and the decisions of verifiers, labs,
jurors and officials, for the real nomination and for the baseline of the same shape.

A nomination's decisions come in groups: the members of a group act at the same time (the
jurors of a panel), a group starts when the one before it has been answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle

from bench.baseline import BaselineInput, BaselineWorkflow, Step
from domain.decisions import (
    Actor,
    AwardDecision,
    ScoreSheet,
    VerifyDecision,
    VerifyOutcome,
)
from domain.examples import (
    example_cycle_config,
    example_findings,
    example_proposals,
    proposer_of,
)
from domain.nomination import assign_panel, nomination_id
from domain.proposal import Proposal
from domain.scoring import Criterion
from domain.stages import Role
from workflows.client import decide, start_nomination

CYCLE = "2026"
VERIFIER = Actor(user_id="verif.rina", role=Role.VERIFIER, institution="Ditjen IKMA")
OFFICIAL = Actor(user_id="dirjen.ikma", role=Role.OFFICIAL, institution="Ditjen IKMA")


def bench_proposal(batch: int, index: int) -> Proposal:
    """An example proposal with a NIB of its own: batch and index make every id unique."""
    raws = example_proposals(CYCLE)
    raw = raws[index % len(raws)]
    raw["ikm"]["nib"] = f"{batch:03d}{index:010d}"
    return Proposal.model_validate(raw)


def score_sheet(juror: str) -> ScoreSheet:
    return ScoreSheet(
        actor=Actor(user_id=juror, role=Role.JUROR, institution="Tim Seleksi OVOP"),
        scores=dict.fromkeys(Criterion, 85),
        comment="Produk khas daerah dengan mutu baik dan pasar yang jelas.",
    )


@dataclass
class Case:
    """One nomination being driven: its handle and the groups of decisions still to come."""

    handle: WorkflowHandle[Any, Any]
    groups: list[list[tuple[str, Any]]]  # (decision name, what is sent)
    real: bool

    async def send(self, decision: Any) -> None:
        if self.real:
            await decide(self.handle, decision)
        else:
            await self.handle.execute_update(BaselineWorkflow.act, decision)


class Pipeline:
    """Starts nominations of one kind (the real engine, or the baseline) on a task queue."""

    def __init__(self, client: Client, task_queue: str, real: bool, batch: int) -> None:
        self.client = client
        self.task_queue = task_queue
        self.real = real
        self.batch = batch
        self.config = example_cycle_config(CYCLE)

    @property
    def kind(self) -> str:
        return "real" if self.real else "baseline"

    def workflow_id(self, index: int) -> str:
        proposal = bench_proposal(self.batch, index)
        if self.real:
            return nomination_id(proposal.cycle, proposal.ikm.nib, proposal.product.name)
        return f"baseline-{self.batch:03d}-{index:07d}"

    async def propose(self, index: int) -> Case:
        """Start a fresh nomination and return the decisions it will need."""
        proposal = bench_proposal(self.batch, index)
        if self.real:
            handle: WorkflowHandle[Any, Any] = await start_nomination(
                self.client, proposal, self.config, proposer_of(proposal), self.task_queue
            )
        else:
            handle = await self.client.start_workflow(
                BaselineWorkflow.run,
                BaselineInput(
                    panel_size=self.config.panel.size,
                    deadline=timedelta(days=self.config.deadlines.verification_days),
                ),
                id=self.workflow_id(index),
                task_queue=self.task_queue,
            )
        return self.case(index, handle)

    def attach(self, index: int) -> Case:
        """A nomination proposed earlier (left waiting), to be decided from here on."""
        return self.case(index, self.client.get_workflow_handle(self.workflow_id(index)))

    def case(self, index: int, handle: WorkflowHandle[Any, Any]) -> Case:
        if not self.real:
            steps = [
                [("verify", Step(kind="verify"))],
                [("assess", Step(kind="assess"))],
                [("score", Step(kind="score")) for _ in range(self.config.panel.size)],
                [("award", Step(kind="award"))],
            ]
            return Case(handle, [list(g) for g in steps], real=False)
        proposal = bench_proposal(self.batch, index)
        panel = [j.user_id for j in assign_panel(self.config, proposal, handle.id)]
        decisions: list[list[tuple[str, Any]]] = [
            [("verify", VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.PASS))],
            [("assess", example_findings(self.config, proposal))],
            [("score", score_sheet(j)) for j in panel],
            [("award", AwardDecision(actor=OFFICIAL))],
        ]
        return Case(handle, decisions, real=True)
