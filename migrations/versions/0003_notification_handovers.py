"""Mail handovers: a notification is written down as `sending` before it goes to the mail
server, and counts how many times it went (more than once only when an earlier handover
was never confirmed). Rows from before were written after the server's answer: one each.

Revision ID: 0003
Revises: 0002
Created: 2026-11-29 09:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("handovers", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("handovers")
