"""`make bench` in miniature, so that it cannot rot: every phase, tiny numbers, seconds.

Speed is measured by the benchmark itself, not here; this checks that it runs end to end,
that its report carries every figure, and that the baseline keeps the engine's shape.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow(seconds=40)]

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_runs_every_phase_and_reports_it(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--nominations=4",
            "--waiting=8",
            "--growth=2,4,8",
            "--concurrency=8",
            "--latency-nominations=2",
            "--latency-think=0",
            "--empty-idle-seconds=0.5",
            "--idle-seconds=0.5",
            "--growth-window=1",
            f"--json={out}",
        ],
        cwd=ROOT,
        # The codec on, as deployed (the bench makes throwaway keys): its share is reported.
        env={**os.environ, "OVOP_CODEC": "true"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text())

    for kind in ("real", "baseline"):
        assert result["throughput"][kind]["nominations"] == 4
        assert result["throughput"][kind]["per_second"] > 0
        assert result["latency"]["light"][kind]["count"] == 2 * 6
        assert result["growth"]["2"][kind]["nominations"] == 2
        # The codec's own CPU in the worker, on its own columns.
        assert result["settings"]["codec"] is True
        assert result["throughput"][kind]["codec_cpu_ms_per_nomination"] > 0
        assert 0 < result["throughput"][kind]["codec_share_of_worker_pct"] < 100
    assert result["growth"]["8"]["real"]["windowed"] is True
    assert result["waiting"]["nominations"] == 8
    assert result["waiting"]["waiting"]["worker_rss_mb"] > 0

    # The baseline is a fixed yardstick: the engine's happy path as it was before release 1.0
    # (6 Updates, 19 activities); the engine now does less per nomination: one activity per
    # event (9), the registry pre-check and the certificate.
    happy, base = result["history"]["happy_real"], result["history"]["happy_baseline"]
    assert base["activity_task_completed"] == 19
    assert base["workflow_execution_update_completed"] == 6
    assert happy["activity_task_completed"] == 11
    assert happy["workflow_execution_update_completed"] == 6
    assert sum(happy.values()) < sum(base.values()), (happy, base)
    # ...and the worst path waits out every stage's reminders after two revisions: four
    # stages of 3 reminders, the deadline and 3 overdue reminders each (the panel's jurors
    # in two time zones double theirs).
    worst = result["history"]["worst_real"]
    assert worst["timer_fired"] >= 4 * 7
    assert worst["workflow_execution_update_completed"] == 5 + 4  # a late panel: its quorum

    assert {t["target"].split(" ")[0] for t in result["targets"]} == {
        "throughput",
        "decision",
        "waiting",
        "cost",
    }
    # The decision's three: p95 against the baseline at both loads, and p99 under the load.
    assert sum(t["target"].startswith("decision") for t in result["targets"]) == 3
    assert "Throughput: nominations through every stage" in run.stdout
    assert "real / baseline" in run.stdout
    assert "codec % of worker" in run.stdout
