"""Two costs of a nomination measured without a server, quick to repeat where the full
bench takes minutes (run it two or three times: each figure moves by up to a tenth):
`python -m bench.micro`.

- the workflow's side: the CPU of replaying a kept history of an awarded nomination, on the
  SDK's sandbox as it ships and on the worker's (`workflows.runner`);
- a record: the CPU of `RecordStore.record` per event, on SQLite.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from bench.actors import CYCLE, VERIFIER, bench_proposal
from bootstrap import plain_converter
from domain.decisions import VerifyDecision, VerifyOutcome
from domain.examples import example_cycle_config, proposer_of
from domain.nomination import Nomination
from domain.presentation import summarize
from records import RecordStore
from workflows.nomination import NominationWorkflow
from workflows.runner import workflow_runner

# A kept history of release 1.5 (tests/replay): proposed, revised once, awarded.
HISTORY = Path(__file__).parents[1] / "tests/replay/histories/awarded_unsubscribed-1.5.json"


async def replay_ms(runner: WorkflowRunner, history: WorkflowHistory, times: int = 20) -> float:
    replayer = Replayer(
        workflows=[NominationWorkflow], data_converter=plain_converter(), workflow_runner=runner
    )
    await replayer.replay_workflow(history)  # the first pays the imports
    began = clock.process_time()
    for _ in range(times):
        await replayer.replay_workflow(history)
    return (clock.process_time() - began) / times * 1000


async def record_ms(nominations: int = 400) -> float:
    proposal = bench_proposal(0, 0)
    nom = Nomination.propose(proposal, example_cycle_config(CYCLE), proposer_of(proposal))
    proposed = datetime.combine(proposal.proposed_on, time(1, 30), UTC)  # 08:30 WIB
    nom.start(proposed)
    passed = VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.PASS)
    nom.apply(passed, proposed + timedelta(hours=2))
    with tempfile.TemporaryDirectory() as tmp:
        store = RecordStore.connect(f"sqlite+aiosqlite:///{Path(tmp) / 'records.db'}")
        try:
            await store.migrate_to_head()
            began = clock.process_time()
            for i in range(nominations):
                for seq, event in enumerate(nom.events, 1):
                    # As the workflow sends it: the nomination as this event left it, so
                    # that each event brings the row up to date.
                    summary = summarize(nom).model_copy(
                        update={"id": f"bench-{i}", "last_seq": seq, "stage": event.to_stage}
                    )
                    await store.record(summary, event)
            spent = clock.process_time() - began
        finally:
            await store.close()
    return spent / (nominations * len(nom.events)) * 1000


async def main() -> None:
    kept = json.loads(HISTORY.read_text())
    history = WorkflowHistory.from_json(kept.pop("workflowId"), kept)
    sdk = await replay_ms(SandboxedWorkflowRunner(), history)
    ours = await replay_ms(workflow_runner(plain_converter()), history)
    print(
        f"replaying {HISTORY.name}: {sdk:.1f} ms of CPU on the SDK's sandbox, "
        f"{ours:.1f} ms on the worker's"
    )
    print(f"recording an event on SQLite: {await record_ms():.2f} ms of CPU")


if __name__ == "__main__":
    asyncio.run(main())
