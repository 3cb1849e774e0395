"""Variants of NominationWorkflow for the replay tests, in a module of their own: the
sandbox re-imports a workflow's module to check it, and this one imports nothing else."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  (as in workflows/nomination.py)

    from domain.nomination import RULES_WORKING_DAYS
    from domain.presentation import NominationSummary
    from workflows.inputs import NominationInput
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


@workflow.defn(name="NominationWorkflow")
class WorkingDaysForEveryone(NominationWorkflow):
    """Today's workflow as if working-day deadlines had been shipped without their patch."""

    @workflow.init
    def __init__(self, input: NominationInput) -> None:
        super().__init__(input)
        self._nom.rules = RULES_WORKING_DAYS

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        return await super().run(input)


@workflow.defn(name="NominationWorkflow")
class IntegrationsForEveryone(NominationWorkflow):
    """Today's workflow as if webhooks and the registry pre-check had been shipped without
    their patches."""

    @workflow.init
    def __init__(self, input: NominationInput) -> None:
        super().__init__(input)
        self._webhooks = self._registry_check = True

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        return await super().run(input)


@workflow.defn(name="NominationWorkflow")
class LookupPerEvent(NominationWorkflow):
    """Today's workflow as if the shared webhook look-up had not been shipped (or, replaying
    older histories, as if it had been shipped without its patch)."""

    @workflow.init
    def __init__(self, input: NominationInput) -> None:
        super().__init__(input)
        self._shared_lookup = False

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        return await super().run(input)


@workflow.defn(name="NominationWorkflow")
class SharedLookupForEveryone(NominationWorkflow):
    @workflow.init
    def __init__(self, input: NominationInput) -> None:
        super().__init__(input)
        self._shared_lookup = True

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        return await super().run(input)


@workflow.defn(name="NominationWorkflow")
class LocalLookupForEveryone(NominationWorkflow):
    """Today's workflow as if the subscriptions activity had not been shipped."""

    @workflow.init
    def __init__(self, input: NominationInput) -> None:
        super().__init__(input)
        self._subscriptions_activity = False

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        return await super().run(input)


@workflow.defn(name="NominationWorkflow")
class SubscriptionsForEveryone(NominationWorkflow):
    """Today's workflow as if the subscriptions activity had been shipped without a patch."""

    @workflow.init
    def __init__(self, input: NominationInput) -> None:
        super().__init__(input)
        self._subscriptions_activity = self._webhooks

    @workflow.run
    async def run(self, input: NominationInput) -> NominationSummary:
        return await super().run(input)
