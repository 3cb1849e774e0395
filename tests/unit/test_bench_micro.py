"""`python -m bench.micro`: its two measurements run, on the history and the records they
name (a history that no longer replays on either runner fails here, not in the figures)."""

from __future__ import annotations

import json

from temporalio.client import WorkflowHistory

from bench.micro import HISTORY, record_ms, replay_ms
from bootstrap import plain_converter
from workflows.runner import workflow_runner


async def test_the_micro_bench_replays_and_records() -> None:
    kept = json.loads(HISTORY.read_text())
    history = WorkflowHistory.from_json(kept.pop("workflowId"), kept)
    # The SDK's own sandbox replays the kept histories in tests/replay already.
    assert await replay_ms(workflow_runner(plain_converter()), history, times=1) > 0
    assert await record_ms(nominations=1) > 0
