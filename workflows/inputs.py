"""The workflows' input and query models, kept out of the workflow modules on purpose.

The sandbox runs a workflow module afresh for every workflow it creates; a pydantic model
defined there is built again each time, with its validator and the converter's type
adapter (a few milliseconds each, a third of what starting a nomination cost the worker).
Imported through `imports_passed_through()`, it is built once per worker.
"""

from __future__ import annotations

from domain.cycle import CycleConfig
from domain.cycle_book import CycleBook, CycleSetup
from domain.decisions import Actor, ScoreSheet
from domain.nomination import PanelResult
from domain.panel import PanelAssignment
from domain.presentation import NominationSummary
from domain.proposal import Model, Proposal


class NominationInput(Model):
    proposal: Proposal
    config: CycleConfig
    submitted_by: Actor
    # The cycle that admitted it, and assigns its panel; None: the nomination's own roster.
    cycle_workflow_id: str | None = None
    # True for a nomination started since the rules were corrected (release 1.1); the input
    # of one started before lacks it, and it keeps the rules it started under: the
    # same-province conflict, and resubmissions whose regency is not looked up
    # (docs/versioning.md). Carried in the input rather than by a patch marker.
    corrected_rules: bool = False
    # True for a nomination started since release 1.6: a decision's Update answers once
    # what it set going has come (the certificate number, the jurors), where one started
    # before answers at once, `settling`, and the client asks again (docs/versioning.md).
    answers_settled: bool = False


class JurorViewRequest(Model):
    user_id: str


class JurorView(Model):
    """What a juror may see: the nomination, their own scores, and the panel's result
    once it has closed, never another juror's scores before."""

    nomination: NominationSummary
    assigned: bool
    my_scores: ScoreSheet | None
    jurors_scored: int
    panel_size: int
    panel_closed: bool
    result: PanelResult | None


class CycleInput(Model):
    setup: CycleSetup
    book: CycleBook | None = None  # carried over when the cycle continues as new
    # True for a cycle opened since the rules were corrected (release 1.1): see
    # NominationInput.corrected_rules; a book carried over says it itself.
    corrected_rules: bool = False


class Delivery(Model):
    """Jurors the cycle assigned, waiting to be sent to their nomination."""

    nomination_id: str
    assignment: PanelAssignment
