"""call_commands: commands to live calls (callStop) for the process that owns them

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_commands",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(length=16), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("done_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_commands")),
    )
    with op.batch_alter_table("call_commands", schema=None) as batch_op:
        batch_op.create_index("ix_call_commands_owner_pending", ["owner", "done_at_ms"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("call_commands", schema=None) as batch_op:
        batch_op.drop_index("ix_call_commands_owner_pending")
    op.drop_table("call_commands")
