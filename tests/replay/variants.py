"""Variants of the workflows for the replay tests, in a module of their own: the
sandbox re-imports a workflow's module to check it, and this one imports nothing else."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  (as in workflows/nomination.py)

    from domain.cycle_book import CycleStatus
    from domain.presentation import NominationSummary
    from workflows.cycle import CycleWorkflow
    from workflows.inputs import CycleInput, NominationInput
    from workflows.nomination import NominationWorkflow


async def one_more_activity() -> None:
    """A command no kept history holds, wherever it lands among the others: an activity of
    a type of its own (a timer can line up with one the workflow starts anyway)."""
    await workflow.execute_activity("one_more_check", start_to_close_timeout=timedelta(minutes=1))


@workflow.defn(name="NominationWorkflow")
class UnguardedChange(NominationWorkflow):
    """Today's workflow with one more activity at the start, added without a patch."""

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        await one_more_activity()
        return await super().run(input)


@workflow.defn(name="NominationWorkflow")
class GuardedChange(NominationWorkflow):
    """The same change behind `workflow.patched`: old runs skip it, new runs take it."""

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        if workflow.patched("check-before-verification"):
            await one_more_activity()
        return await super().run(input)


@workflow.defn(name="CycleWorkflow")
class UnguardedCycleChange(CycleWorkflow):
    """Today's cycle with one more activity at the start, added without a patch."""

    @workflow.run
    async def run(self, input: CycleInput) -> CycleStatus:
        await one_more_activity()
        return await super().run(input)
