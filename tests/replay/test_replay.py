"""Running nominations must survive a deploy: every kept history replays on today's code,
and a change that would break them is caught here (and passes once it is patched)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from bootstrap import plain_converter
from tests.replay.scenarios import HISTORIES, RELEASE, SCENARIOS, record
from tests.replay.variants import (
    GuardedChange,
    IntegrationsForEveryone,
    LocalLookupForEveryone,
    LookupPerEvent,
    SharedLookupForEveryone,
    SubscriptionsForEveryone,
    UnguardedChange,
    WorkingDaysForEveryone,
)
from tests.support import update_ordering_bug
from workflows.nomination import NominationWorkflow

KEPT = sorted(HISTORIES.glob("*.json"))
UPSTREAM = HISTORIES.parent / "upstream"


def history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


def replayer(*workflows: type) -> Replayer:
    return Replayer(workflows=list(workflows), data_converter=plain_converter())


def test_every_scenario_of_this_release_has_a_kept_history() -> None:
    assert {f"{name}-{RELEASE}" for name in SCENARIOS} <= {p.stem for p in KEPT}


@pytest.mark.parametrize("path", KEPT, ids=lambda p: p.stem)
async def test_kept_history_replays(path: Path) -> None:
    await replayer(NominationWorkflow).replay_workflow(history(path))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_a_fresh_run_replays(time_env: WorkflowEnvironment, name: str) -> None:
    fresh = WorkflowHistory.from_json(name, await record(time_env, name))
    await replayer(NominationWorkflow).replay_workflow(fresh)


async def test_working_day_deadlines_needed_their_patch() -> None:
    """A first-release nomination that expired on its calendar-day deadline does not replay
    on the working-day rules (they plan more timers): the patch is what keeps it running."""
    with pytest.raises(NondeterminismError):
        await replayer(WorkingDaysForEveryone).replay_workflow(
            history(HISTORIES / "expired-r1.json")
        )


@pytest.mark.parametrize(
    "name", sorted(p.stem.removesuffix("-r2") for p in KEPT if p.stem.endswith("-r2"))
)
async def test_webhooks_and_registry_check_needed_their_patches(name: str) -> None:
    """A second-release nomination runs no webhook or registry activity: without the
    patches, today's code would schedule them on replay and break it."""
    with pytest.raises(NondeterminismError):
        await replayer(IntegrationsForEveryone).replay_workflow(
            history(HISTORIES / f"{name}-r2.json")
        )


async def test_the_shared_webhook_lookup_needed_its_patch() -> None:
    """A nomination nobody subscribes to asks once (r6); one from r5 asked at every event.
    Each replays only on its own path: the patch is what keeps both running."""
    with pytest.raises(NondeterminismError):
        await replayer(LookupPerEvent).replay_workflow(
            history(HISTORIES / "awarded_unsubscribed-r6.json")
        )
    with pytest.raises(NondeterminismError):
        await replayer(SharedLookupForEveryone).replay_workflow(
            history(HISTORIES / "awarded_after_revision-r5.json")
        )


@pytest.mark.parametrize("name", ["awarded_after_revision", "awarded_unsubscribed"])
async def test_the_subscriptions_activity_needed_its_patch(name: str) -> None:
    """From r7 the subscriber look-up is an activity; r6 asked a local activity. Each
    history replays only on its own path."""
    with pytest.raises(NondeterminismError):
        await replayer(LocalLookupForEveryone).replay_workflow(
            history(HISTORIES / f"{name}-r7.json")
        )
    with pytest.raises(NondeterminismError):
        await replayer(SubscriptionsForEveryone).replay_workflow(
            history(HISTORIES / f"{name}-r6.json")
        )


async def test_a_history_the_sdk_wrote_out_of_order_is_told_apart() -> None:
    """Kept from a SIGKILL fault-test run: a worker that took the nomination over cold
    answered a juror's update after the record and mail activities that two activity
    results led to (events 66-69); on replay the SDK applies the update first and fails.
    The fault test counts such histories apart from the workflow's own nondeterminism;
    this test shows the two are told apart, and fails once the SDK replays it, which is
    when that allowance should go."""
    result = await replayer(NominationWorkflow).replay_workflow(
        history(UPSTREAM / "update-ordering-after-cold-takeover.json"),
        raise_on_replay_failure=False,
    )
    assert result.replay_failure is not None, "the SDK replays it now: drop the allowance"
    assert update_ordering_bug(str(result.replay_failure)), result.replay_failure
    assert not update_ordering_bug(
        "[TMPRL1100] Nondeterminism error: Timer machine does not handle this event"
    )


@pytest.mark.parametrize("path", KEPT, ids=lambda p: p.stem)
async def test_an_unguarded_change_is_caught(path: Path) -> None:
    with pytest.raises(NondeterminismError):
        await replayer(UnguardedChange).replay_workflow(history(path))


@pytest.mark.parametrize("path", KEPT, ids=lambda p: p.stem)
async def test_a_patched_change_replays(path: Path) -> None:
    await replayer(GuardedChange).replay_workflow(history(path))
