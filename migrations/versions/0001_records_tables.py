"""The records tables as they were before migrations: nominations, transitions,
notifications, certificates.

A database made by the old `create_all` holds exactly these; `ovop db upgrade` recognises
one and records it as this revision instead of creating the tables again.

Revision ID: 0001
Revises:
Created: 2026-11-29 07:24:09.134447
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle", sa.String(length=4), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.String(length=120), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("cycle", "serial", name="uq_certificates_cycle_serial"),
        sa.UniqueConstraint("nomination_id", name=op.f("uq_certificates_nomination_id")),
        sa.UniqueConstraint("number", name=op.f("uq_certificates_number")),
    )
    op.create_table(
        "nominations",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("cycle", sa.String(length=4), nullable=False),
        sa.Column("ikm_name", sa.String(length=200), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("commodity", sa.String(length=40), nullable=False),
        sa.Column("province", sa.String(length=60), nullable=False),
        sa.Column("regency", sa.String(length=120), nullable=False),
        sa.Column("lab", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("final_score", sa.Float(), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("certificate_number", sa.String(length=60), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominations")),
    )
    op.create_index(op.f("ix_nominations_cycle"), "nominations", ["cycle"], unique=False)
    op.create_index(op.f("ix_nominations_stage"), "nominations", ["stage"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nomination_id", sa.String(length=120), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("audience", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "nomination_id", "seq", "recipient", name="uq_notifications_event_recipient"
        ),
    )
    op.create_index(
        op.f("ix_notifications_nomination_id"), "notifications", ["nomination_id"], unique=False
    )
    op.create_table(
        "transitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nomination_id", sa.String(length=120), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("from_stage", sa.String(length=40), nullable=False),
        sa.Column("to_stage", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=40), nullable=False),
        sa.Column("actor_institution", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transitions")),
        sa.UniqueConstraint("nomination_id", "seq", name="uq_transitions_nomination_seq"),
    )
    op.create_index(
        op.f("ix_transitions_nomination_id"), "transitions", ["nomination_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_transitions_nomination_id"), table_name="transitions")
    op.drop_table("transitions")
    op.drop_index(op.f("ix_notifications_nomination_id"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_nominations_stage"), table_name="nominations")
    op.drop_index(op.f("ix_nominations_cycle"), table_name="nominations")
    op.drop_table("nominations")
    op.drop_table("certificates")
