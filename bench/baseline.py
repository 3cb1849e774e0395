"""Bare Temporal in the shape of a nomination: the yardstick the engine is measured against.

`BaselineWorkflow` makes the same Temporal calls as `NominationWorkflow` on the happy path,
in the same order and with the same concurrency, and does nothing else: no rules, no
pydantic state, no search attributes, no records, no mail. Per nomination:

- 6 updates (verify, assess, one score per juror, award), each with a validator; the award
  update waits, as the real one does, for the certificate activity;
- a registry pre-check started with the nomination, alongside everything else, whose
  answer is one more event;
- 10 events, each followed by a "record" activity and, for the 6 that mail someone, a
  "notify" activity started at the same time (the scores and the registry's answer mail no
  one; the assessment also seats the panel, an event of its own that mails the jurors; the
  last score closes the panel, which does); plus the pre-check, the "issue certificate"
  activity and, beside the first event's, the look-up of webhook subscriptions (which
  serves the rest of the nomination's minutes): 19 activities;
- between decisions, a wait for the next one with the stage's deadline as its timeout,
  which starts a timer exactly when the real workflow would start one.

`bench.history` counts both histories per event type, so a drift from the real shape shows.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.common import RetryPolicy

RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))
TIMEOUT = timedelta(seconds=30)


class BaselineInput(BaseModel):
    panel_size: int
    deadline: timedelta


class Step(BaseModel):
    kind: str  # verify | assess | score | award


class Nothing(BaseModel):
    seq: int


@activity.defn(name="bench_record")
async def record(input: Nothing) -> None:
    return None


@activity.defn(name="bench_notify")
async def notify(input: Nothing) -> None:
    return None


@activity.defn(name="bench_issue")
async def issue(input: Nothing) -> str:
    return "0000"


@activity.defn(name="bench_check")
async def check(input: Nothing) -> None:
    return None


@activity.defn(name="bench_subscriptions")
async def subscriptions(input: Nothing) -> None:
    return None


ACTIVITIES = [record, notify, issue, check, subscriptions]


@workflow.defn
class BaselineWorkflow:
    """A nomination's Temporal shape and nothing more. Update: act(Step)."""

    @workflow.init
    def __init__(self, input: BaselineInput) -> None:
        self._panel_size = input.panel_size
        self._deadline = input.deadline
        self._mails = [True]  # one entry per event: does it notify anyone
        self._handled = 0
        self._scores = 0
        self._awaiting = False
        self._done = False
        self._escalated = False

    @workflow.run
    async def run(self, input: BaselineInput) -> int:
        pre_check = asyncio.create_task(self._pre_check())
        while True:
            await self._handle_events()
            if self._done:
                break
            if self._awaiting:
                await workflow.execute_activity(
                    issue, Nothing(seq=0), start_to_close_timeout=TIMEOUT, retry_policy=RETRY
                )
                self._awaiting = False
                self._done = True
                self._mails.append(True)
                continue
            await self._wait_for_action()
        await pre_check
        await workflow.wait_condition(workflow.all_handlers_finished)
        return len(self._mails)

    async def _pre_check(self) -> None:
        await workflow.execute_activity(
            check, Nothing(seq=0), start_to_close_timeout=TIMEOUT, retry_policy=RETRY
        )
        self._mails.append(False)

    async def _wait_for_action(self) -> None:
        seen = len(self._mails)

        def moved() -> bool:
            return len(self._mails) != seen or self._awaiting

        if self._escalated:
            await workflow.wait_condition(moved)
            return
        try:
            await workflow.wait_condition(moved, timeout=self._deadline)
        except TimeoutError:
            self._escalated = True

    async def _handle_events(self) -> None:
        while self._handled < len(self._mails):
            seq = self._handled + 1
            calls = [
                workflow.execute_activity(
                    record, Nothing(seq=seq), start_to_close_timeout=TIMEOUT, retry_policy=RETRY
                )
            ]
            if seq == 1:
                calls.append(
                    workflow.execute_activity(
                        subscriptions,
                        Nothing(seq=seq),
                        start_to_close_timeout=TIMEOUT,
                        retry_policy=RETRY,
                    )
                )
            if self._mails[self._handled]:
                calls.append(
                    workflow.execute_activity(
                        notify, Nothing(seq=seq), start_to_close_timeout=TIMEOUT, retry_policy=RETRY
                    )
                )
            await asyncio.gather(*calls)
            self._handled += 1

    @workflow.update
    async def act(self, step: Step) -> str:
        if step.kind == "award":
            self._awaiting = True
            await workflow.wait_condition(lambda: not self._awaiting)
            return step.kind
        self._escalated = False
        if step.kind == "score":
            self._scores += 1
            self._mails.append(False)
            if self._scores == self._panel_size:
                self._mails.append(True)
        elif step.kind == "assess":
            self._mails += [True, True]  # assessed, and the panel seated
        else:
            self._mails.append(True)
        return step.kind

    @act.validator
    def _check(self, step: Step) -> None:
        if self._done or self._awaiting:
            raise ValueError(f"{step.kind}: nothing more to decide")
