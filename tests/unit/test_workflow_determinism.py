"""No code a workflow runs reads the clock, draws a random number or starts a thread.

The workflows and the domain they call are passed through the SDK's sandbox (imported once
per worker, `workflows.runner`), so the sandbox's runtime check of such calls does not reach
them; this reads their source instead: every module of `workflows/` and `domain/` that the
three workflows import, followed import by import from their files. It fails naming the
file, line and name. The clock a workflow reads is `workflow.now()`; a random value would be
`workflow.random()`; waiting is a timer. It does not look for I/O.

`activities/` is not read: its modules are the activities themselves, which may read the
clock; a workflow takes only their input and result models from them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ("workflows/nomination.py", "workflows/cycle.py", "workflows/propose.py")
READ = ("workflows", "domain")  # the packages followed and read

FORBIDDEN_MODULES = {"random", "secrets", "uuid", "time", "threading", "subprocess", "socket"}
CLOCK = {"now", "utcnow", "today", "urandom"}


def _file(module: str) -> Path | None:
    """The file of `module` if it is one of READ's."""
    if module.split(".")[0] not in READ:
        return None
    base = ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path.relative_to(ROOT)
    return None


def _imported(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}  # a submodule, maybe
    return names


def workflow_modules() -> list[Path]:
    """The modules of READ that the workflows' files import, directly or through others."""
    seen: set[Path] = set()
    todo = [Path(w) for w in WORKFLOWS]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        tree = ast.parse((ROOT / path).read_text())
        todo += [f for name in _imported(tree) if (f := _file(name)) is not None]
    return sorted(seen)


def _workflows(node: ast.Attribute) -> bool:
    """`workflow.now` and the like: the workflow's own, deterministic."""
    return isinstance(node.value, ast.Name) and node.value.id == "workflow"


def problems(path: Path, source: str | None = None) -> list[str]:
    text = (ROOT / path).read_text() if source is None else source
    found = []
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
            found += [
                f"{path}:{node.lineno} imports {name}"
                for name in names
                if name.split(".")[0] in FORBIDDEN_MODULES
            ]
        elif isinstance(node, ast.Attribute) and node.attr in CLOCK and not _workflows(node):
            # Called or not: `default_factory=datetime.now` reads the clock too.
            found.append(f"{path}:{node.lineno} reads {ast.unparse(node)}")
    return found


def test_the_workflows_reach_the_domain() -> None:
    # The check below reads what the workflows import: make sure that is the domain, and
    # only what a workflow runs (not the client side, nor the worker's runner).
    paths = {p.as_posix() for p in workflow_modules()}
    assert {"workflows/nomination.py", "domain/nomination.py", "domain/calendar.py"} <= paths
    assert not {"workflows/client.py", "workflows/runner.py"} & paths


@pytest.mark.parametrize("path", workflow_modules(), ids=lambda p: p.as_posix())
def test_no_clock_randomness_or_threads(path: Path) -> None:
    assert problems(path) == []


def test_the_check_finds_a_clock_read() -> None:
    source = (
        "import random\nfrom datetime import date, datetime\n\n"
        "def due():\n    return datetime.now(), date.today(), random.random()\n\n"
        "STAMP = Field(default_factory=datetime.utcnow)\n"
        "def ok():\n    return workflow.now()\n"
    )
    assert sorted(problems(Path("domain/sample.py"), source)) == [
        "domain/sample.py:1 imports random",
        "domain/sample.py:5 reads date.today",
        "domain/sample.py:5 reads datetime.now",
        "domain/sample.py:7 reads datetime.utcnow",
    ]
