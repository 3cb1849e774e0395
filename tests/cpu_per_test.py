"""CPU seconds per test, to see where the suite's time goes on a 2-core machine: opt in with
`pytest -p tests.cpu_per_test` (`CPU_PER_TEST_OUT` names the JSON-lines file, by default
var/cpu-per-test.jsonl). Each line: the test, its CPU seconds (this process, the children it
has reaped, and the live ones: servers, workers, the browser) and its wall seconds.

`python -m tests.cpu_per_test [FILE]` sums them per file, heaviest first."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

OUT = Path(os.environ.get("CPU_PER_TEST_OUT", "var/cpu-per-test.jsonl"))


def cpu_seconds(process: psutil.Process) -> float:
    own, reaped = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    live = 0.0
    for child in process.children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # gone meanwhile: reaped, and counted there
            continue
        live += times.user + times.system
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime + live


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    process = psutil.Process()
    cpu, wall = cpu_seconds(process), time.monotonic()
    yield
    line = {
        "test": item.nodeid,
        "cpu": round(cpu_seconds(process) - cpu, 2),
        "wall": round(time.monotonic() - wall, 2),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("a") as out:
        out.write(json.dumps(line) + "\n")


def by_file(path: Path) -> list[tuple[str, float, float, int]]:
    totals: dict[str, list[Any]] = defaultdict(lambda: [0.0, 0.0, 0])
    for raw in path.read_text().splitlines():
        row = json.loads(raw)
        total = totals[row["test"].split("::")[0]]
        total[0] += row["cpu"]
        total[1] += row["wall"]
        total[2] += 1
    return sorted(((f, c, w, n) for f, (c, w, n) in totals.items()), key=lambda t: -t[1])


if __name__ == "__main__":
    rows = by_file(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    total = sum(r[1] for r in rows)
    print(f"{'CPU s':>8} {'wall s':>8} {'tests':>5}  file   (total CPU {total:.0f} s)")
    for file, cpu, wall, count in rows:
        print(f"{cpu:8.1f} {wall:8.1f} {count:5d}  {file}")
