"""The records database: nominations kept current, transitions appended, mail and
certificates and the decree remembered so that an activity run twice writes once, webhook deliveries
logged. One `RecordStore` reads and writes them all, made of a part per aggregate."""

from __future__ import annotations

from records.certificates import CertificateLedger, CertificateRow, certificate_number
from records.decrees import DecreeLedger
from records.inbox import InboxLedger
from records.mail import MailLedger, NotificationRow
from records.nominations import NominationRecords, NominationRow, TransitionRow
from records.webhooks import WebhookAttemptRow, WebhookDeliveryRow, WebhookLedger

__all__ = [
    "CertificateRow",
    "NominationRow",
    "NotificationRow",
    "RecordStore",
    "TransitionRow",
    "WebhookAttemptRow",
    "WebhookDeliveryRow",
    "certificate_number",
]


class RecordStore(
    NominationRecords, MailLedger, CertificateLedger, DecreeLedger, InboxLedger, WebhookLedger
):
    """All reads and writes of the records database."""
