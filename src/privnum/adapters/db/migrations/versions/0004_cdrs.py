"""cdrs: one call detail record per released call, written with its CDR push

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Existing released calls get their record from the saved session (``calls.data``).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cdrs",
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("icid", sa.String(length=128), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("binding_id", sa.String(length=64), nullable=True),
        sa.Column("direction", sa.Integer(), nullable=False),
        sa.Column("caller", sa.String(length=32), nullable=False),
        sa.Column("called", sa.String(length=32), nullable=False),
        sa.Column("callee", sa.String(length=32), nullable=True),
        sa.Column("display", sa.String(length=32), nullable=True),
        sa.Column("extension", sa.String(length=8), nullable=True),
        sa.Column("area_code", sa.String(length=8), nullable=True),
        sa.Column("started_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("forwarded_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("alerting_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("answered_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("ended_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("cause", sa.Integer(), nullable=False),
        sa.Column("q850", sa.Integer(), nullable=False),
        sa.Column("sip_status", sa.Integer(), nullable=False),
        sa.Column("released_by", sa.String(length=16), nullable=True),
        sa.Column("talk_seconds", sa.Integer(), nullable=False),
        sa.Column("recording_object_name", sa.String(length=128), nullable=True),
        sa.Column("recording_bucket", sa.String(length=64), nullable=True),
        sa.Column("recording_domain", sa.String(length=128), nullable=True),
        sa.Column("recording_started_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("user_data", sa.Text(), nullable=True),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_cdrs")),
        sa.UniqueConstraint("app_id", "icid", name="uq_cdrs_app_icid"),
    )
    with op.batch_alter_table("cdrs", schema=None) as batch_op:
        batch_op.create_index("ix_cdrs_app_ended", ["app_id", "ended_at_ms"], unique=False)
    _records_of_released_calls()


def _records_of_released_calls() -> None:
    """Every call released before this revision gets its record, built as the call core builds it."""
    from privnum.adapters.db.call_store import INSERT_CDR, cdr_row
    from privnum.domain.calls.cdr import Cdr
    from privnum.domain.calls.session import CallSession

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT data, updated_at_ms FROM calls WHERE state = 'released'")).all()
    records = []
    seen: set[tuple[int, str]] = set()
    for row in rows:
        session = CallSession.from_dict(json.loads(row.data))
        cdr = Cdr.from_session(session)
        if (cdr.app_id, cdr.icid) not in seen:
            seen.add((cdr.app_id, cdr.icid))
            records.append(cdr_row(cdr, int(row.updated_at_ms)))
    if records:
        conn.execute(INSERT_CDR, records)



def downgrade() -> None:
    with op.batch_alter_table("cdrs", schema=None) as batch_op:
        batch_op.drop_index("ix_cdrs_app_ended")
    op.drop_table("cdrs")
