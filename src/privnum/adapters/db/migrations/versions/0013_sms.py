"""Privacy SMS relay (issue 14): one row per logical message, the app's SMS control URL and content switch

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("sms_control_url", sa.Text()))
        batch.add_column(sa.Column("sms_content", sa.Boolean(), nullable=False, server_default="0"))
    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sms_id", sa.String(length=64), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("gateway_ref", sa.String(length=128), nullable=False),
        sa.Column("sender", sa.String(length=32), nullable=False),
        sa.Column("x_number", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lease_until_ms", sa.BigInteger()),
        sa.Column("next_attempt_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("app_id", sa.Integer(), sa.ForeignKey("apps.id", name=op.f("fk_sms_messages_app_id_apps"))),
        sa.Column("mode", sa.String(length=8)),
        sa.Column("binding_id", sa.String(length=64)),
        sa.Column("receiver", sa.String(length=32)),
        sa.Column("from_number", sa.String(length=32)),
        sa.Column("forwarded_text", sa.Text()),
        sa.Column("segments", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("direction", sa.Integer()),
        sa.Column("user_data", sa.String(length=256)),
        sa.Column("notification_mode", sa.String(length=8)),
        sa.Column("send_result", sa.Integer()),
        sa.Column("send_attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("send_started_at_ms", sa.BigInteger()),
        sa.Column("last_error", sa.Text()),
        sa.Column("delivery", sa.String(length=16)),
        sa.Column("delivery_detail", sa.Text()),
        sa.Column("delivery_at_ms", sa.BigInteger()),
        sa.Column("finished_at_ms", sa.BigInteger()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
        sa.UniqueConstraint("sms_id", name="uq_sms_messages_sms_id"),
        sa.UniqueConstraint("gateway", "gateway_ref", name="uq_sms_messages_gateway_ref"),
    )
    op.create_index("ix_sms_messages_due", "sms_messages", ["state", "next_attempt_at_ms"])
    op.create_index("ix_sms_messages_app_received", "sms_messages", ["app_id", "received_at_ms"])


def downgrade() -> None:
    op.drop_index("ix_sms_messages_app_received", table_name="sms_messages")
    op.drop_index("ix_sms_messages_due", table_name="sms_messages")
    op.drop_table("sms_messages")
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("sms_content")
        batch.drop_column("sms_control_url")
