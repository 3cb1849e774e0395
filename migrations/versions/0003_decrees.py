"""The cycle's decree (Surat Keputusan penetapan), one a cycle, as issued: its PDF is drawn
from it.

Revision ID: 0003
Revises: 0002
Created: 2026-12-01 20:20:00
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
    op.create_table(
        "decrees",
        sa.Column("cycle", sa.String(length=4), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("cycle", name=op.f("pk_decrees")),
        sa.UniqueConstraint("number", name=op.f("uq_decrees_number")),
    )


def downgrade() -> None:
    op.drop_table("decrees")
