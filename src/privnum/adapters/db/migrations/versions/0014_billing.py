"""Billing (issue 15): accounts per tenant, price plans, usage records, rated lines, journals and postings

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "price_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("effective_from_ms", sa.BigInteger(), nullable=False),
        sa.Column("rates", sa.Text(), nullable=False),
        sa.Column("truncate_to_cents", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_plans")),
        sa.UniqueConstraint("name", "version", name="uq_price_plans_name_version"),
    )
    op.create_table(
        "billing_accounts",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("price_plan", sa.String(length=64), nullable=False),
        sa.Column("balance_micros", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("credit_limit_micros", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("standing", sa.String(length=16), nullable=False, server_default="active"),
        sa.Column("standing_since_ms", sa.BigInteger()),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_billing_accounts_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_billing_accounts")),
    )
    op.create_table(
        "usage_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("meter", sa.String(length=32), nullable=False),
        sa.Column("number_class", sa.String(length=16), nullable=False),
        sa.Column("x_number", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("settlement_key", sa.String(length=96)),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_records")),
        sa.UniqueConstraint("app_id", "source", "key", "meter", name="uq_usage_records_app_source_key_meter"),
    )
    op.create_index("ix_usage_records_unsettled", "usage_records", ["tenant_id", "settlement_key", "occurred_at_ms"])
    op.create_table(
        "rated_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("usage_record_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer()),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("unit_price_micros", sa.BigInteger(), nullable=False),
        sa.Column("amount_micros", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["usage_record_id"], ["usage_records.id"],
                                name=op.f("fk_rated_lines_usage_record_id_usage_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rated_lines")),
    )
    op.create_index("ix_rated_lines_usage_record_id", "rated_lines", ["usage_record_id"])
    op.create_table(
        "journals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("memo", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journals")),
        sa.UniqueConstraint("key", name=op.f("uq_journals_key")),
    )
    op.create_index("ix_journals_tenant_id", "journals", ["tenant_id"])
    op.create_table(
        "postings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("journal_id", sa.Integer(), nullable=False),
        sa.Column("ledger_account", sa.String(length=64), nullable=False),
        sa.Column("amount_micros", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["journal_id"], ["journals.id"], name=op.f("fk_postings_journal_id_journals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postings")),
    )
    op.create_index("ix_postings_journal_id", "postings", ["journal_id"])
    op.create_index("ix_postings_ledger_account", "postings", ["ledger_account"])


def downgrade() -> None:
    for index, table in (("ix_postings_ledger_account", "postings"), ("ix_postings_journal_id", "postings")):
        op.drop_index(index, table_name=table)
    op.drop_table("postings")
    op.drop_index("ix_journals_tenant_id", table_name="journals")
    op.drop_table("journals")
    op.drop_index("ix_rated_lines_usage_record_id", table_name="rated_lines")
    op.drop_table("rated_lines")
    op.drop_index("ix_usage_records_unsettled", table_name="usage_records")
    op.drop_table("usage_records")
    op.drop_table("billing_accounts")
    op.drop_table("price_plans")
