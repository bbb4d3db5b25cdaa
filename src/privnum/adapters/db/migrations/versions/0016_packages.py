"""Packages (issue 15, billing.md R-9…R-14): the operator's catalogue of package products, the packages tenants
bought, and what is left of each package's quotas

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package_products",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("price_micros", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=False),
        sa.Column("quotas", sa.Text(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("price_micros >= 0", name=op.f("ck_package_products_price_not_negative")),
        sa.CheckConstraint("validity_months > 0", name=op.f("ck_package_products_validity_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_products")),
        sa.UniqueConstraint("name", name=op.f("uq_package_products_name")),
    )
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("purchase_key", sa.String(length=96), nullable=False),
        sa.Column("bought_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("effective_from_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_packages_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["product_id"], ["package_products.id"],
                                name=op.f("fk_packages_product_id_package_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("purchase_key", name=op.f("uq_packages_purchase_key")),
    )
    op.create_index("ix_packages_tenant_expiry", "packages", ["tenant_id", "expires_at_ms"])
    op.create_table(
        "package_quotas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("meter", sa.String(length=32), nullable=False),
        sa.Column("number_class", sa.String(length=16)),
        sa.Column("units_total", sa.BigInteger(), nullable=False),
        sa.Column("units_left", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("units_left >= 0", name=op.f("ck_package_quotas_units_left_not_negative")),
        sa.CheckConstraint("units_left <= units_total", name=op.f("ck_package_quotas_units_left_within_total")),
        sa.ForeignKeyConstraint(["package_id"], ["packages.id"], name=op.f("fk_package_quotas_package_id_packages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_quotas")),
    )
    op.create_index("ix_package_quotas_package_id", "package_quotas", ["package_id"])


def downgrade() -> None:
    op.drop_index("ix_package_quotas_package_id", table_name="package_quotas")
    op.drop_table("package_quotas")
    op.drop_index("ix_packages_tenant_expiry", table_name="packages")
    op.drop_table("packages")
    op.drop_table("package_products")
