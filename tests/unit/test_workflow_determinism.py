"""No code a workflow runs reads the clock, draws a random number or starts a thread.

The workflows and the domain they call are passed through the SDK's sandbox (built once per
worker, `workflows.runner`), so the sandbox's runtime check of such calls does not reach
them; this reads their source instead, every module a workflow imports, and fails naming
the file, line and call. The clock a workflow reads is `workflow.now()`; a random value
would be `workflow.random()`; waiting is a timer.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import workflows.cycle
import workflows.nomination
import workflows.propose

ROOT = Path(__file__).resolve().parents[2]
# Packages of this project whose modules a workflow may import: all of them are read.
OWN = ("workflows", "domain", "activities")
# Not workflow code: the client side and the worker's runner (never imported in a workflow).
OUTSIDE = {"workflows/client.py", "workflows/runner.py"}

FORBIDDEN_MODULES = {"random", "secrets", "uuid", "time", "threading", "subprocess", "socket"}
CLOCK_CALLS = {"now", "utcnow", "today"}


def workflow_modules() -> list[Path]:
    """The project's modules loaded once the three workflows are imported: those a workflow
    can reach (activities' modules only for their input and result models)."""
    assert workflows.nomination and workflows.cycle and workflows.propose
    paths = set()
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in OWN or not getattr(module, "__file__", None):
            continue
        path = Path(str(module.__file__)).resolve().relative_to(ROOT)
        if path.as_posix() not in OUTSIDE and path.parts[0] != "activities":
            paths.add(path)
    return sorted(paths)


def problems(path: Path, source: str | None = None) -> list[str]:
    text = (ROOT / path).read_text() if source is None else source
    tree = ast.parse(text, filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
            for name in names:
                if name.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"{path}:{node.lineno} imports {name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            is_workflow = isinstance(owner, ast.Name) and owner.id == "workflow"
            if node.func.attr in CLOCK_CALLS and not is_workflow:
                found.append(f"{path}:{node.lineno} calls {ast.unparse(node.func)}()")
            if node.func.attr == "urandom":
                found.append(f"{path}:{node.lineno} calls {ast.unparse(node.func)}()")
    return found


def test_the_workflows_reach_the_domain() -> None:
    # The check below reads what the workflows import: make sure that is the domain.
    paths = {p.as_posix() for p in workflow_modules()}
    assert {"workflows/nomination.py", "domain/nomination.py", "domain/calendar.py"} <= paths


@pytest.mark.parametrize("path", workflow_modules(), ids=lambda p: p.as_posix())
def test_no_clock_randomness_or_threads(path: Path) -> None:
    assert problems(path) == []


def test_the_check_finds_a_clock_read() -> None:
    source = (
        "import random\nfrom datetime import date, datetime\n\n"
        "def due():\n    return datetime.now(), date.today(), random.random()\n"
    )
    assert problems(Path("domain/sample.py"), source) == [
        "domain/sample.py:1 imports random",
        "domain/sample.py:5 calls datetime.now()",
        "domain/sample.py:5 calls date.today()",
    ]
