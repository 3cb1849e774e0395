"""py-spy on the worker process: where its CPU goes, as shares of the samples.

Only threads holding the GIL are sampled (`--gil`), so the shares are of Python CPU time,
not of threads waiting on a queue or a socket.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

PYSPY = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"


def _frame(frame: str) -> str:
    """`function (path/to/file.py:12)` -> `function (file.py)`."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.split(':')[0].rsplit('/', 1)[-1]})" if where else name


def summarize(collapsed: str, top: int = 25) -> dict[str, Any]:
    """Inclusive and self shares of the functions in py-spy's collapsed stacks."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_frame(f) for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    if not total:
        return {"samples": 0}

    def share(counter: Counter[str]) -> dict[str, float]:
        return {k: round(100 * v / total, 1) for k, v in counter.most_common(top)}

    return {"samples": total, "inclusive_pct": share(inclusive), "self_pct": share(own)}


class Profiler:
    """`py-spy record` attached to a process until stopped."""

    def __init__(self, output: Path, rate: int = 50) -> None:
        self.output = output
        self.rate = rate
        self.process: asyncio.subprocess.Process | None = None
        self.task: asyncio.Task[None] | None = None

    def start(self, pid: int) -> None:
        # The folder may not exist yet (the JSON is written at the end): py-spy would then
        # fail at once, and silently. Its own messages go beside the stacks.
        self.output.parent.mkdir(parents=True, exist_ok=True)

        async def run() -> None:
            with self.output.with_suffix(".log").open("wb") as log:
                self.process = await asyncio.create_subprocess_exec(
                    PYSPY,
                    "record",
                    "--pid",
                    str(pid),
                    "--gil",
                    "--rate",
                    str(self.rate),
                    "--format",
                    "raw",
                    "--output",
                    str(self.output),
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=log,
                )
                await self.process.wait()

        self.task = asyncio.create_task(run())

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(2)  # SIGINT: py-spy writes what it has and exits
        if self.task is not None:
            await asyncio.wait_for(self.task, 60)

    def summary(self) -> dict[str, Any]:
        if not self.output.exists():
            return {
                "samples": 0,
                "error": f"py-spy wrote nothing: see {self.output.with_suffix('.log')}",
            }
        return {"file": str(self.output), **summarize(self.output.read_text())}
