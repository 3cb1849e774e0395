"""Deadlines on the time-skipping server, at their exact instants.

The scenario runs in March 2027: Nyepi (8 March), the cuti bersama around Idul Fitri (9, 12
and 15 March), Idul Fitri itself (10-11 March), the cuti bersama before Good Friday (25 and
26 March) and the weekends between them. The proposer is in Papua Pegunungan, on WIT
(UTC+9): reminders reach them at 09.00 WIT (00.00 UTC) and their deadline is 16.00 WIT.

It has a time-skipping server of its own, because its clock must start before March 2027.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bootstrap import plain_converter
from domain.decisions import DeadlineExtension, Resubmission, VerifyDecision, VerifyOutcome
from domain.errors import Refused
from domain.events import EventKind
from domain.examples import example_cycle_config
from domain.nomination import Nomination
from domain.regions import TimeZone
from domain.stages import Stage
from tests.conftest import binary, register_search_attributes, steady_client
from tests.support import OPERATOR, VERIFIER, fresh, passes, proposer, withdrawal
from tests.workflow.conftest import Calls, state, stub_activities
from workflows.client import decide, start_nomination
from workflows.names import SEARCH_ATTRIBUTES
from workflows.nomination import NominationWorkflow

CONFIG = example_cycle_config("2026")
WAMENA = 5  # Kopi Arabika Wamena, Kabupaten Jayawijaya, Papua Pegunungan (WIT)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


T0 = utc(2027, 3, 3, 3, 0)  # Wednesday 3 March 2027, 10.00 WIB / 12.00 WIT


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server"), data_converter=plain_converter()
    )
    await register_search_attributes(env.client, SEARCH_ATTRIBUTES)
    now = await env.get_current_time()
    if now >= T0 - timedelta(days=1):
        pytest.fail(
            f"this scenario is set in March 2027 and the clock reads {now:%Y-%m-%d}: "
            "move it to a later Idul Fitri (the holidays package knows the dates)"
        )
    yield env
    await env.shutdown()


async def sleep_until(env: WorkflowEnvironment, moment: datetime) -> None:
    await env.sleep(moment - await env.get_current_time())


def moments(nom: Nomination, *kinds: EventKind, after: datetime | None = None) -> list[Moment]:
    return [
        (e.kind.value, str(e.facts.get("step", "")), e.at)
        for e in nom.events
        if e.kind in kinds and (after is None or e.at > after)
    ]


def assert_at(actual: datetime, expected: datetime) -> None:
    # A timer fires at its instant; the workflow task that handles it runs a moment later.
    assert expected <= actual < expected + timedelta(seconds=2), (actual, expected)


Moment = tuple[str, str, datetime]


def assert_moments(got: list[Moment], expected: list[Moment]) -> None:
    """The same events and steps, in order, each at its instant."""
    assert [(k, s) for k, s, _ in got] == [(k, s) for k, s, _ in expected]
    for (_, _, actual), (_, _, want) in zip(got, expected, strict=True):
        assert_at(actual, want)


async def test_reminders_and_expiry_across_idul_fitri_in_wit(env: WorkflowEnvironment) -> None:
    calls = Calls()
    client: Client = steady_client(env)
    task_queue = "deadlines-2027"
    revise = VerifyDecision(
        actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="lampirkan sertifikat halal terbaru"
    )
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[NominationWorkflow],
        activities=stub_activities(calls),
    ):
        await sleep_until(env, T0)
        handles = []
        for _ in range(3):
            p = fresh(WAMENA)
            handle = await start_nomination(client, p, CONFIG, proposer(p), task_queue)
            await decide(handle, revise)
            handles.append((handle, p))
        (missed, p_missed), (resubmitted, p_resub), (extended, p_ext) = handles

        # Ten working days from 3 March in WIT: 4, 5, (Nyepi, cuti bersama, Idul Fitri x2,
        # cuti bersama, weekend, cuti bersama), 16, 17, 18, 19, 22, 23, 24, (cuti bersama,
        # Good Friday, weekend), 29 March.
        nom = await state(missed)
        assert nom.plan is not None and nom.plan.zone == TimeZone.WIT
        assert nom.plan.due_date.isoformat() == "2027-03-29"
        assert nom.deadline == utc(2027, 3, 29, 7, 0)  # 16.00 WIT

        # An operator moves the third one's deadline by five working days on 23 March.
        await sleep_until(env, utc(2027, 3, 23, 3, 0))
        with pytest.raises(Refused) as refused:
            await decide(
                extended,
                DeadlineExtension(actor=OPERATOR, until=datetime(2027, 4, 3).date(), reason="x"),
            )
        assert refused.value.fields == ["until"] and "akhir pekan" in str(refused.value)
        await decide(
            extended,
            DeadlineExtension(
                actor=OPERATOR, working_days=5, reason="Dinas menunggu sertifikat halal dari BPJPH"
            ),
        )

        # The second one acts on 24 March, after its H-1 reminder.
        await sleep_until(env, utc(2027, 3, 24, 1, 0))
        await decide(resubmitted, Resubmission(actor=proposer(p_resub), proposal=p_resub))

        await sleep_until(env, utc(2027, 4, 6, 0, 0))
        missed_final = await missed.result()
        extended_final = await extended.result()
        resub_nom = await state(resubmitted)
        missed_nom = await state(missed)
        extended_nom = await state(extended)
        await decide(resubmitted, withdrawal(OPERATOR))
        await resubmitted.result()  # an activity in flight as the worker stops would lock time

    # Missed: H-3, H-1 and H at 09.00 WIT on working days, then expiry at 16.00 WIT.
    assert missed_final.stage == Stage.EXPIRED
    got = moments(missed_nom, EventKind.REMINDED, EventKind.EXPIRED)
    expected = [
        ("reminded", "H-3", utc(2027, 3, 22, 0, 0)),
        ("reminded", "H-1", utc(2027, 3, 24, 0, 0)),
        ("reminded", "H", utc(2027, 3, 29, 0, 0)),
        ("expired", "", utc(2027, 3, 29, 7, 0)),
    ]
    assert_moments(got, expected)
    reminder_mail = [
        m
        for m in calls.mails
        if m.nomination.id == missed.id and m.event.kind == EventKind.REMINDED
    ]
    assert len(reminder_mail) == 3
    for mail in reminder_mail:
        assert {r.zone for r in mail.recipients} == {TimeZone.WIT}
        assert {str(r.email) for r in mail.recipients} == {
            str(p_missed.proposing_office.contact.email),
            str(p_missed.provincial_office.contact.email),
        }

    # Resubmitted after H-1: no H reminder, no expiry, and the new stage starts its own plan.
    assert resub_nom.stage == Stage.ADMIN_VERIFICATION
    got = moments(resub_nom, EventKind.REMINDED, EventKind.EXPIRED)
    assert [s for _, s, _ in got] == ["H-3", "H-1"]
    assert resub_nom.plan is not None and resub_nom.plan.zone == TimeZone.WIB
    # Ten working days from 24 March in WIB: (25, 26, weekend) 29, 30, 31 March,
    # 1, 2, 5, 6, 7, 8, 9 April.
    assert resub_nom.deadline == utc(2027, 4, 9, 9, 0)

    # Extended on 23 March by five working days, to 5 April: every pending reminder moved.
    assert extended_final.stage == Stage.EXPIRED
    nom = extended_nom
    got = moments(nom, EventKind.REMINDED, EventKind.DEADLINE_EXTENDED, EventKind.EXPIRED)
    expected = [
        ("reminded", "H-3", utc(2027, 3, 22, 0, 0)),
        ("deadline_extended", "", utc(2027, 3, 23, 3, 0)),
        ("reminded", "H-3", utc(2027, 3, 31, 0, 0)),
        ("reminded", "H-1", utc(2027, 4, 2, 0, 0)),
        ("reminded", "H", utc(2027, 4, 5, 0, 0)),
        ("expired", "", utc(2027, 4, 5, 7, 0)),
    ]
    assert_moments(got, expected)
    extension = next(e for e in nom.events if e.kind == EventKind.DEADLINE_EXTENDED)
    assert extension.facts["previous_deadline"] == "2027-03-29T16:00:00+09:00"
    assert extension.facts["deadline"] == "2027-04-05T16:00:00+09:00"
    assert extension.actor == OPERATOR and extension.reason.startswith("Dinas menunggu")  # type: ignore[union-attr]
    assert p_ext.sentra.province.timezone == TimeZone.WIT


async def test_escalation_and_overdue_reminders_go_out_in_wib(env: WorkflowEnvironment) -> None:
    """Verification waits on Ditjen IKMA in Jakarta: the deadline is 16.00 WIB, the
    escalation goes to the verifiers' supervisor, and overdue reminders follow every two
    working days, three times, then stop."""
    calls = Calls()
    client = steady_client(env)
    async with Worker(
        env.client,
        task_queue="escalation-2027",
        workflows=[NominationWorkflow],
        activities=stub_activities(calls),
    ):
        start = (await env.get_current_time()).replace(microsecond=0) + timedelta(seconds=1)
        p = fresh(0)
        handle = await start_nomination(client, p, CONFIG, proposer(p), "escalation-2027")
        nom = await state(handle)
        assert nom.plan is not None
        steps = [(s.kind.value, s.label) for s in nom.plan.steps]
        assert steps == [
            ("reminder", "H-3"),
            ("reminder", "H-1"),
            ("reminder", "H"),
            ("deadline", "batas waktu"),
            ("overdue", "lewat 1"),
            ("overdue", "lewat 2"),
            ("overdue", "lewat 3"),
        ]
        last = nom.plan.steps[-1].at
        await sleep_until(env, last + timedelta(days=30))
        nom = await state(handle)
        for step in nom.plan.steps:  # type: ignore[union-attr]
            local = step.at.astimezone(TimeZone.WIB.tzinfo)
            assert CONFIG.calendar is not None and CONFIG.calendar.is_working_day(local.date())
            assert (local.hour, local.minute) == (
                (16, 0) if step.kind.value == "deadline" else (9, 0)
            )
        got = moments(nom, EventKind.REMINDED, EventKind.ESCALATED, after=start)
        assert [(k, s) for k, s, _ in got] == [
            ("reminded", "H-3"),
            ("reminded", "H-1"),
            ("reminded", "H"),
            ("escalated", ""),
            ("reminded", "lewat 1"),
            ("reminded", "lewat 2"),
            ("reminded", "lewat 3"),
        ]
        for (_, _, actual), step in zip(got, nom.plan.steps, strict=True):  # type: ignore[union-attr]
            assert_at(actual, step.at)
        escalation = next(m for m in calls.mails if m.event.kind == EventKind.ESCALATED)
        supervisor = CONFIG.staff.supervisors[VERIFIER.role].email
        assert {str(r.email) for r in escalation.recipients} == {
            str(supervisor),
            str(CONFIG.staff.verification_desk.email),
        }
        # Nothing more is planned, and the verifier can still act.
        assert nom.next_step is None
        assert (await decide(handle, passes())).stage == Stage.TECHNICAL_ASSESSMENT
        await decide(handle, withdrawal(OPERATOR))
        await handle.result()
