"""The sign-in page's limit per client address (web.deps.ClientLimiter)."""

from __future__ import annotations

from datetime import timedelta

from web.deps import ClientLimiter


def test_a_client_is_refused_past_its_share_and_let_in_once_the_window_passes() -> None:
    now = [0.0]
    limiter = ClientLimiter(most=3, window=timedelta(minutes=15), clock=lambda: now[0])
    assert [limiter.allows("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allows("10.0.0.2")  # another client has its own share
    now[0] = 15 * 60 + 1
    assert limiter.allows("10.0.0.1")


def test_clients_quiet_for_a_window_are_forgotten() -> None:
    now = [0.0]
    limiter = ClientLimiter(most=3, window=timedelta(minutes=15), clock=lambda: now[0])
    for n in range(100):
        limiter.allows(f"10.0.{n}.1")
    assert len(limiter) == 100
    now[0] = 15 * 60 + 1
    limiter.allows("10.0.0.200")
    assert len(limiter) == 1
