"""The web inbox: its single-use sign-in links, and the proposals offices are still writing.

Revision ID: 0004
Revises: 0003
Created: 2026-12-01 22:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_links",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("email_sha256", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_sign_in_links")),
    )
    op.create_index(
        op.f("ix_sign_in_links_email_sha256"), "sign_in_links", ["email_sha256"], unique=False
    )
    op.create_table(
        "proposal_drafts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("cycle", sa.String(length=4), nullable=False),
        sa.Column("office", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_drafts")),
    )
    op.create_index(op.f("ix_proposal_drafts_office"), "proposal_drafts", ["office"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_proposal_drafts_office"), table_name="proposal_drafts")
    op.drop_table("proposal_drafts")
    op.drop_index(op.f("ix_sign_in_links_email_sha256"), table_name="sign_in_links")
    op.drop_table("sign_in_links")
