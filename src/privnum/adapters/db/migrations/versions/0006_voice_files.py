"""voice_files: prompts uploaded per app (app_id 0: platform defaults), kept as raw PCMU/PCMA files

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Platform defaults have app_id 0 rather than NULL, so the unique (app_id, name) holds for them too on both
SQLite and PostgreSQL (two NULLs are never equal in a unique constraint).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("app_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("duration_ms > 0", name=op.f("ck_voice_files_duration_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_files")),
        sa.UniqueConstraint("app_id", "name", name="uq_voice_files_app_name"),
    )


def downgrade() -> None:
    op.drop_table("voice_files")
