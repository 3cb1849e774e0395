"""The records database's tables: the code's picture of the schema.

The database gets them from the Alembic revision in `migrations/`, and a test keeps the
two in step.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Named constraints, so a later revision can drop or alter them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

nominations = Table(
    "nominations",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("cycle", String(4), nullable=False, index=True),
    Column("ikm_name", String(200), nullable=False),
    Column("product_name", String(200), nullable=False),
    Column("commodity", String(40), nullable=False),
    Column("province", String(60), nullable=False),
    Column("regency", String(120), nullable=False),
    Column("lab", String(40), nullable=False),
    Column("stage", String(40), nullable=False, index=True),
    Column("deadline", UtcDateTime()),
    Column("final_score", Float),
    Column("stars", Integer),
    Column("certificate_number", String(60)),
    Column("coaching_level", String(20)),
    Column("previous_certificate", String(60)),
    Column("last_seq", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

transitions = Table(
    "transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nomination_id", String(120), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("from_stage", String(40), nullable=False),
    Column("to_stage", String(40), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor_user_id", String(200), nullable=False),
    Column("actor_role", String(40), nullable=False),
    Column("actor_institution", String(200), nullable=False),
    Column("reason", Text),
    Column("facts", JSON, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    UniqueConstraint("nomination_id", "seq", name="uq_transitions_nomination_seq"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nomination_id", String(120), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("audience", String(40), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("message_id", String(300), nullable=False),
    # sending (handed to the mail server, not yet confirmed) | sent | refused
    Column("status", String(20), nullable=False),
    Column("error", Text),
    Column("at", UtcDateTime(), nullable=False),
    # How many times the message was handed to the mail server: more than one only when
    # an earlier handover was never confirmed (the worker died, the connection broke).
    Column("handovers", Integer, nullable=False, server_default=text("1")),
    UniqueConstraint("nomination_id", "seq", "recipient", name="uq_notifications_event_recipient"),
)

# The last serial issued in each cycle: incremented in the transaction that issues a
# certificate, so two awards at the same moment queue on the row instead of colliding.
certificate_counters = Table(
    "certificate_counters",
    metadata,
    Column("cycle", String(4), primary_key=True),
    Column("last_serial", Integer, nullable=False),
)

certificates = Table(
    "certificates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cycle", String(4), nullable=False),
    Column("serial", Integer, nullable=False),
    Column("nomination_id", String(120), nullable=False, unique=True),
    Column("number", String(60), nullable=False, unique=True),
    Column("issued_at", UtcDateTime(), nullable=False),
    UniqueConstraint("cycle", "serial", name="uq_certificates_cycle_serial"),
)

# A certificate withdrawn by an operator: at most one row per number, kept for good.
certificate_revocations = Table(
    "certificate_revocations",
    metadata,
    Column("number", String(60), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("revoked_by", String(200), nullable=False),
    Column("revoked_role", String(40), nullable=False),
    Column("revoked_institution", String(200), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=False),
)


# The cycle's decree (one a cycle), as issued: what its PDF is drawn from.
decrees = Table(
    "decrees",
    metadata,
    Column("cycle", String(4), primary_key=True),
    Column("number", String(60), nullable=False, unique=True),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("body", JSON, nullable=False),
)


# Integration with the ministry's systems (issue 6). One delivery row per event and webhook
# subscriber, kept current; one attempt row per HTTP request made for it.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nomination_id", String(120), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("subscriber", String(100), nullable=False),
    Column("event_kind", String(40), nullable=False),
    Column("status", String(20), nullable=False, index=True),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("first_attempt_at", UtcDateTime(), nullable=False),
    Column("last_attempt_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime()),
    Column("last_error", Text),
    UniqueConstraint("nomination_id", "seq", "subscriber", name="uq_webhook_deliveries_event"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nomination_id", String(120), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("subscriber", String(100), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("duration_ms", Integer, nullable=False),
)


# The inbox's sign-in links (web/links.py): each is taken once. A link asked for on the
# sign-in page is written when it is sent (so requests can be counted per address); one in
# a letter only when it is used. The address is kept as its SHA-256, never in clear.
sign_in_links = Table(
    "sign_in_links",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("email_sha256", String(64), nullable=False, index=True),
    Column("requested_at", UtcDateTime(), nullable=True),
    Column("used_at", UtcDateTime(), nullable=True),
)

# Proposals a regional office is still writing in the inbox, kept as the form's fields
# (the spreadsheet's columns, intake/spreadsheet.py) until submitted.
proposal_drafts = Table(
    "proposal_drafts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("cycle", String(4), nullable=False),
    Column("office", String(200), nullable=False, index=True),
    Column("fields", JSON, nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
