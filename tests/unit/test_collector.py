"""The garbage collector of a long-lived process (`worker.quiet_collector`), in a process of
its own: the test process's collector is left as it is."""

from __future__ import annotations

import json
import subprocess
import sys

from worker import YOUNG_COLLECTION_AFTER

PROBE = """
import gc, json
import worker
before = gc.get_threshold()
worker.quiet_collector()
after = gc.get_threshold()
print(json.dumps({
    "before": before,
    "after": after,
    "frozen": gc.get_freeze_count(),
    "tracked_after": len(gc.get_objects()),
}))
"""


def test_a_long_lived_process_collects_less_often_and_never_walks_its_imports() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    seen = json.loads(out.stdout)
    young, middle, old = seen["after"]
    assert young == YOUNG_COLLECTION_AFTER > seen["before"][0]
    assert (middle, old) == tuple(seen["before"][1:])  # the older generations as before
    # What the imports built is frozen: the collections see almost nothing of it.
    assert seen["frozen"] > 100_000, seen
    assert seen["tracked_after"] < seen["frozen"] / 100, seen
