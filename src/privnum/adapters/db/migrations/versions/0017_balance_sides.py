"""Arrears (issue 15): since when a billing account's balance has been short of its credit line, or covered again

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("billing_accounts") as table:
        table.add_column(sa.Column("short_since_ms", sa.BigInteger()))
        table.add_column(sa.Column("covered_since_ms", sa.BigInteger()))


def downgrade() -> None:
    with op.batch_alter_table("billing_accounts") as table:
        table.drop_column("covered_since_ms")
        table.drop_column("short_since_ms")
