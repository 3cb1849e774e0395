"""The garbage collector of a long-lived process (`worker.quiet_collector`): what it does, in
a process of its own (the test process's collector is left as it is), and that the worker,
the API and `ovop dev` call it before they start."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

import worker
from worker import YOUNG_COLLECTION_AFTER

PROBE = """
import gc, json
import worker
before = gc.get_threshold()
worker.quiet_collector()
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def test_a_long_lived_process_collects_less_often_and_never_walks_its_imports() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    seen = json.loads(out.stdout)
    young, middle, old = seen["after"]
    assert young == YOUNG_COLLECTION_AFTER > seen["before"][0]
    assert [middle, old] == seen["before"][1:]  # the older generations as before
    # What the imports built (the SDK, pydantic, SQLAlchemy, the domain) is frozen.
    assert seen["frozen"] > 100_000, seen


def calls_before_running(monkeypatch: pytest.MonkeyPatch, start: Callable[[], None]) -> list[str]:
    """What `start` does, in order, of quieting the collector and running its event loop
    (which runs nothing here)."""
    done: list[str] = []

    def run(main: Coroutine[Any, Any, Any]) -> None:
        main.close()
        done.append("run")

    monkeypatch.setattr(worker, "quiet_collector", lambda: done.append("quiet"))
    monkeypatch.setattr(asyncio, "run", run)
    start()
    return done


def test_the_worker_and_the_api_quiet_the_collector_before_they_serve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api import server

    monkeypatch.setattr(sys, "argv", ["ovop-worker"])
    assert calls_before_running(monkeypatch, worker.main) == ["quiet", "run"]
    assert calls_before_running(monkeypatch, server.main) == ["quiet", "run"]


def test_ovop_dev_quiets_the_collector_before_it_starts_the_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cli.operations import dev

    assert calls_before_running(monkeypatch, dev) == ["quiet", "run"]
