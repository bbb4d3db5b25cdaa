"""number inventory, orders, releases and locks (issue 13)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("numbers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number_type", sa.String(length=16)))
        batch_op.add_column(sa.Column("city", sa.String(length=32)))
        batch_op.add_column(sa.Column("order_id", sa.Integer()))
        batch_op.add_column(sa.Column("issued_at_ms", sa.BigInteger()))
        batch_op.add_column(sa.Column("released_at_ms", sa.BigInteger()))
        batch_op.add_column(sa.Column("locked", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("lock_reason", sa.String(length=200)))
        batch_op.create_index(batch_op.f("ix_numbers_order_id"), ["order_id"], unique=False)
    op.create_table(
        "number_orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer()),
        sa.Column("enterprise_id", sa.Integer(),
                  sa.ForeignKey("enterprises.id", name=op.f("fk_number_orders_enterprise_id_enterprises")),
                  nullable=False),
        sa.Column("app_id", sa.Integer(), sa.ForeignKey("apps.id", name=op.f("fk_number_orders_app_id_apps")),
                  nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sms_required", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("completed_at_ms", sa.BigInteger()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_orders")),
    )
    op.create_index("ix_number_orders_tenant_state", "number_orders", ["tenant_id", "state"], unique=False)
    op.create_table(
        "number_order_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(),
                  sa.ForeignKey("number_orders.id", name=op.f("fk_number_order_lines_order_id_number_orders")),
                  nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=8), nullable=False),
        sa.Column("city", sa.String(length=32)),
        sa.Column("number_type", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("quantity BETWEEN 1 AND 1000", name=op.f("ck_number_order_lines_quantity_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_order_lines")),
        sa.UniqueConstraint("order_id", "area_code", "number_type", name="uq_number_order_lines_order_area_type"),
    )
    op.create_table(
        "number_releases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer()),
        sa.Column("order_id", sa.Integer()),
        sa.Column("released_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("rent_through", sa.String(length=7), nullable=False),
        sa.Column("released_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_releases")),
    )
    op.create_index("ix_number_releases_tenant", "number_releases", ["tenant_id", "released_at_ms"], unique=False)
    op.create_index("ix_number_releases_number", "number_releases", ["number"], unique=False)


def downgrade() -> None:
    op.drop_table("number_releases")
    op.drop_table("number_order_lines")
    op.drop_index("ix_number_orders_tenant_state", table_name="number_orders")
    op.drop_table("number_orders")
    with op.batch_alter_table("numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_numbers_order_id"))
        for column in ("lock_reason", "locked", "released_at_ms", "issued_at_ms", "order_id", "city", "number_type"):
            batch_op.drop_column(column)
