"""Running nominations must survive a deploy: every kept history replays on today's code,
and a change that would break them is caught here (and passes once it is patched).
docs/versioning.md says how a change reaches running nominations."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from bootstrap import plain_converter
from tests.replay.scenarios import (
    CYCLE_HISTORIES,
    CYCLES,
    HISTORIES,
    PROPOSAL_HISTORIES,
    PROPOSALS,
    RELEASE,
    SCENARIOS,
    read_kept,
    record_history,
    record_proposal,
)
from tests.replay.variants import GuardedChange, UnguardedChange, UnguardedCycleChange
from workflows.cycle import CycleWorkflow
from workflows.nomination import NominationWorkflow
from workflows.propose import ProposeNominationWorkflow

KEPT = sorted(HISTORIES.glob("*.json"))
KEPT_PROPOSALS = sorted(PROPOSAL_HISTORIES.glob("*.json"))
KEPT_CYCLES = sorted(CYCLE_HISTORIES.glob("*.json"))


def history(path: Path) -> WorkflowHistory:
    return read_kept(path)


def replayer(*workflows: type) -> Replayer:
    return Replayer(workflows=list(workflows), data_converter=plain_converter())


def test_every_scenario_of_this_release_has_a_kept_history() -> None:
    assert {f"{name}-{RELEASE}" for name in SCENARIOS} <= {p.stem for p in KEPT}


@pytest.mark.parametrize("path", KEPT, ids=lambda p: p.stem)
async def test_kept_history_replays(path: Path) -> None:
    await replayer(NominationWorkflow).replay_workflow(history(path))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_a_fresh_run_replays(time_env: WorkflowEnvironment, name: str) -> None:
    await replayer(NominationWorkflow).replay_workflow(await record_history(time_env, name))


@pytest.mark.parametrize("path", KEPT, ids=lambda p: p.stem)
async def test_an_unguarded_change_is_caught(path: Path) -> None:
    with pytest.raises(NondeterminismError):
        await replayer(UnguardedChange).replay_workflow(history(path))


@pytest.mark.parametrize("path", KEPT, ids=lambda p: p.stem)
async def test_a_patched_change_replays(path: Path) -> None:
    await replayer(GuardedChange).replay_workflow(history(path))


# `ProposeNomination`, the Web UI's small start, is guarded the same way.
def test_every_proposal_outcome_of_this_release_has_a_kept_history() -> None:
    assert {f"{outcome}-{RELEASE}" for outcome in PROPOSALS} <= {p.stem for p in KEPT_PROPOSALS}


@pytest.mark.parametrize("path", KEPT_PROPOSALS, ids=lambda p: p.stem)
async def test_kept_proposal_history_replays(path: Path) -> None:
    await replayer(ProposeNominationWorkflow).replay_workflow(history(path))


@pytest.mark.parametrize("outcome", PROPOSALS)
async def test_a_fresh_proposal_replays(time_env: WorkflowEnvironment, outcome: str) -> None:
    fresh = await record_proposal(time_env, outcome)
    await replayer(ProposeNominationWorkflow).replay_workflow(fresh)


# The cycle, the same way: its kept histories replay, and a change without a patch is caught.
def test_every_cycle_scenario_of_this_release_has_a_kept_history() -> None:
    assert {f"{name}-{RELEASE}" for name in CYCLES} <= {p.stem for p in KEPT_CYCLES}


@pytest.mark.parametrize("path", KEPT_CYCLES, ids=lambda p: p.stem)
async def test_kept_cycle_history_replays(path: Path) -> None:
    await replayer(CycleWorkflow).replay_workflow(history(path))


@pytest.mark.parametrize("path", KEPT_CYCLES, ids=lambda p: p.stem)
async def test_an_unguarded_change_to_the_cycle_is_caught(path: Path) -> None:
    with pytest.raises(NondeterminismError):
        await replayer(UnguardedCycleChange).replay_workflow(history(path))
