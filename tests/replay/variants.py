"""Variants of the workflows for the replay tests, in a module of their own: the
sandbox re-imports a workflow's module to check it, and this one imports nothing else."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  (as in workflows/nomination.py)

    from domain.cycle_book import CycleStatus
    from domain.presentation import NominationSummary
    from workflows.cycle import CycleWorkflow
    from workflows.inputs import CycleInput, NominationInput
    from workflows.nomination import NominationWorkflow


@workflow.defn(name="NominationWorkflow")
class UnguardedChange(NominationWorkflow):
    """Today's workflow with one more timer at the start, added without a patch."""

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        await workflow.sleep(1)
        return await super().run(input)


@workflow.defn(name="NominationWorkflow")
class GuardedChange(NominationWorkflow):
    """The same change behind `workflow.patched`: old runs skip it, new runs take it."""

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        if workflow.patched("pause-before-verification"):
            await workflow.sleep(1)
        return await super().run(input)


@workflow.defn(name="CycleWorkflow")
class UnguardedCycleChange(CycleWorkflow):
    """Today's cycle with one more timer at the start, added without a patch."""

    @workflow.run
    async def run(self, input: CycleInput) -> CycleStatus:
        await workflow.sleep(1)
        return await super().run(input)
