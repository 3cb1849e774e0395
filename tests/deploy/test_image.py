"""The package and the image hold every module of the engine: a new top-level module or
package left out of either would start locally (an editable install sees the checkout) and
fail in production with an ImportError."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Not part of the engine that is deployed: the tests, and the benchmark run from a checkout.
NOT_SHIPPED = {"tests", "bench"}


def engine_parts() -> set[str]:
    modules = {p.name for p in ROOT.glob("*.py")}
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - NOT_SHIPPED
    return modules | packages


def test_the_wheel_includes_every_module_and_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    included = set(project["tool"]["hatch"]["build"]["targets"]["wheel"]["only-include"])
    assert included == engine_parts()


def test_the_image_copies_every_module_and_package() -> None:
    copied: set[str] = set()
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if match := re.fullmatch(r"COPY (.+) \./?\S*", line.strip()):
            copied |= {Path(src).name for src in match[1].split()}
    assert engine_parts() <= copied
