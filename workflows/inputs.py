"""The nomination workflow's input model, kept out of the workflow module on purpose.

The sandbox runs the workflow module afresh for every workflow it creates; a pydantic
model defined there is built again each time, with its validator and the converter's
type adapter (a few milliseconds each, a third of what starting a nomination cost the
worker). Imported through `imports_passed_through()`, it is built once per worker.
"""

from __future__ import annotations

from domain.cycle import CycleConfig
from domain.decisions import Actor
from domain.proposal import Model, Proposal


class NominationInput(Model):
    proposal: Proposal
    config: CycleConfig
    submitted_by: Actor
