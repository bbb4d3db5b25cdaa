"""voice files reviewed per tenant (issue 13): state, description, what was uploaded and how it was converted,
who uploaded it, the tenant (through the app). Files that exist already were put there by an operator: approved.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COLUMNS = ("tenant_id", "uploaded_by", "size_bytes", "conversion", "original_format", "original_name",
            "description", "state")


def upgrade() -> None:
    with op.batch_alter_table("voice_files") as batch:
        batch.add_column(sa.Column("state", sa.String(length=16), server_default="approved", nullable=False))
        batch.add_column(sa.Column("description", sa.String(length=128), server_default="", nullable=False))
        batch.add_column(sa.Column("original_name", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("original_format", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("conversion", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("size_bytes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("uploaded_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("tenant_id", sa.Integer(), nullable=True))
    op.create_index("ix_voice_files_tenant_id", "voice_files", ["tenant_id"])
    op.execute("UPDATE voice_files SET tenant_id = (SELECT enterprises.tenant_id FROM apps JOIN enterprises "
               "ON enterprises.id = apps.enterprise_id WHERE apps.id = voice_files.app_id)")


def downgrade() -> None:
    op.drop_index("ix_voice_files_tenant_id", table_name="voice_files")
    with op.batch_alter_table("voice_files") as batch:
        for column in _COLUMNS:
            batch.drop_column(column)
