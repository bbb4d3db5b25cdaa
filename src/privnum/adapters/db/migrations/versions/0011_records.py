"""records and statistics (issue 13): binding events for bind statistics; indexes for CDR and push listings

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "binding_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("binding_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_binding_events")),
    )
    with op.batch_alter_table("binding_events") as batch_op:
        batch_op.create_index("ix_binding_events_at", ["at_ms"], unique=False)
        batch_op.create_index("ix_binding_events_app_at", ["app_id", "at_ms"], unique=False)
    with op.batch_alter_table("cdrs") as batch_op:
        batch_op.create_index("ix_cdrs_started", ["started_at_ms"], unique=False)
        batch_op.create_index("ix_cdrs_app_started", ["app_id", "started_at_ms"], unique=False)
    with op.batch_alter_table("pushes") as batch_op:
        batch_op.create_index("ix_pushes_app", ["app_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pushes") as batch_op:
        batch_op.drop_index("ix_pushes_app")
    with op.batch_alter_table("cdrs") as batch_op:
        batch_op.drop_index("ix_cdrs_app_started")
        batch_op.drop_index("ix_cdrs_started")
    op.drop_table("binding_events")
