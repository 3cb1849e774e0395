"""Certificates revoked by an operator, each with its reason, kept for the public
verification page.

Revision ID: 0002
Revises: 0001
Created: 2026-12-01 19:31:02.667517
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate_revocations",
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revoked_by", sa.String(length=200), nullable=False),
        sa.Column("revoked_role", sa.String(length=40), nullable=False),
        sa.Column("revoked_institution", sa.String(length=200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_certificate_revocations")),
    )


def downgrade() -> None:
    op.drop_table("certificate_revocations")
