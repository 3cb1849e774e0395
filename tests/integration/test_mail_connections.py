"""The mailer keeps SMTP connections open between batches, gets over one the server has
dropped meanwhile, and never sends a letter twice on its own account: against the real
(aiosmtpd) server on loopback."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import aiosmtplib
import pytest

from activities.mail import Mailer
from tests.integration.conftest import SmtpServer

pytestmark = pytest.mark.integration


class Greetings:
    """Counts the connections the server greeted (each client says EHLO once)."""

    def __init__(self, smtp: SmtpServer) -> None:
        self.count = 0
        inbox = smtp.inbox

        async def handle_EHLO(
            server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
        ) -> list[str]:
            self.count += 1
            session.host_name = hostname
            return responses

        inbox.handle_EHLO = handle_EHLO  # type: ignore[attr-defined]


def letter(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "ovop@kemenperin.go.id"
    message["To"] = f"penerima{n}@example.go.id"
    message["Subject"] = f"Surat {n}"
    message.set_content("Isi surat.")
    return message


async def test_batches_share_one_connection(smtp: SmtpServer, mailer: Mailer) -> None:
    greetings = Greetings(smtp)
    for n in range(3):
        async with mailer.session() as session:
            await session.send_message(letter(n))
    await mailer.close()
    assert [r for r, _ in smtp.inbox.received] == [f"penerima{n}@example.go.id" for n in range(3)]
    assert greetings.count == 1


async def test_batches_at_once_each_have_their_own(smtp: SmtpServer, mailer: Mailer) -> None:
    greetings = Greetings(smtp)
    async with mailer.session() as first, mailer.session() as second:
        await first.send_message(letter(1))
        await second.send_message(letter(2))
    async with mailer.session() as again:
        await again.send_message(letter(3))
    await mailer.close()
    assert len(smtp.inbox.received) == 3
    assert greetings.count == 2


async def test_a_connection_the_server_dropped_is_replaced(
    smtp: SmtpServer, mailer: Mailer
) -> None:
    async with mailer.session() as session:
        await session.send_message(letter(1))
    smtp.stop()  # the server goes away with the idle connection...
    smtp.start()  # ...and is back before the next batch
    async with mailer.session() as session:
        await session.send_message(letter(2))
        await session.send_message(letter(3))
    await mailer.close()
    assert [r for r, _ in smtp.inbox.received] == [f"penerima{n}@example.go.id" for n in (1, 2, 3)]


async def test_a_batch_that_failed_does_not_hand_its_connection_on(
    smtp: SmtpServer, mailer: Mailer
) -> None:
    greetings = Greetings(smtp)
    with pytest.raises(RuntimeError):
        async with mailer.session() as session:
            await session.send_message(letter(1))
            raise RuntimeError("the records database went away")
    async with mailer.session() as session:
        await session.send_message(letter(2))
    await mailer.close()
    assert len(smtp.inbox.received) == 2
    assert greetings.count == 2


async def test_a_letter_taken_before_the_connection_dropped_is_not_sent_again(
    smtp: SmtpServer, mailer: Mailer
) -> None:
    inbox = smtp.inbox
    taken = inbox.handle_DATA

    async def take_then_drop(server: Any, session: Any, envelope: Any) -> str:
        answer = await taken(server, session, envelope)
        if b"Surat 2" in envelope.content:
            server.transport.close()  # the server has the letter; the client never hears so
        return answer

    inbox.handle_DATA = take_then_drop  # type: ignore[method-assign]
    async with mailer.session() as session:
        await session.send_message(letter(1))
    with pytest.raises(aiosmtplib.SMTPServerDisconnected):
        async with mailer.session() as session:  # the pooled connection, still answering
            await session.send_message(letter(2))
    await mailer.close()
    # Once: whether it arrived is for the activity's retry and the mail ledger to decide.
    assert [r for r, _ in inbox.received] == ["penerima1@example.go.id", "penerima2@example.go.id"]
