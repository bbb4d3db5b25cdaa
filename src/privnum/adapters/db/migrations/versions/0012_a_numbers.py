"""A numbers on file and their live photos (Huawei's A号码报备, issue 13)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "a_numbers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", name=op.f("fk_a_numbers_tenant_id_tenants")),
                  nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("number_type", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("identity_card_masked", sa.String(length=20), nullable=False),
        sa.Column("live_face_image", sa.String(length=64), nullable=False),
        sa.Column("operator_number", sa.String(length=20)),
        sa.Column("report_status", sa.Integer(), nullable=False),
        sa.Column("fail_reason", sa.String(length=255)),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_a_numbers")),
        sa.UniqueConstraint("tenant_id", "number", name="uq_a_numbers_tenant_number"),
    )
    op.create_table(
        "a_number_photos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", name=op.f("fk_a_number_photos_tenant_id_tenants")), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_a_number_photos")),
        sa.UniqueConstraint("tenant_id", "name", name="uq_a_number_photos_tenant_name"),
    )
    op.create_index("ix_a_number_photos_tenant_created", "a_number_photos", ["tenant_id", "created_at_ms"])


def downgrade() -> None:
    op.drop_index("ix_a_number_photos_tenant_created", table_name="a_number_photos")
    op.drop_table("a_number_photos")
    op.drop_table("a_numbers")
