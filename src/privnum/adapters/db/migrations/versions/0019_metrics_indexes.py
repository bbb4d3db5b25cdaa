"""Two partial indexes for the ``/metrics`` census (issue 16): dead letters per app, and the oldest usage record
not yet settled. Both hold only the rows they count, so the scrape reads a few index pages and the hot paths
(enqueue, delivery, usage ingestion) pay almost nothing for them

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

DEAD = sa.text("state = 'dead'")
UNSETTLED = sa.text("settlement_key IS NULL")


def upgrade() -> None:
    op.create_index("ix_pushes_dead_app", "pushes", ["app_id"], sqlite_where=DEAD, postgresql_where=DEAD)
    op.create_index("ix_usage_records_unsettled_at", "usage_records", ["occurred_at_ms"], sqlite_where=UNSETTLED,
                    postgresql_where=UNSETTLED)


def downgrade() -> None:
    op.drop_index("ix_usage_records_unsettled_at", table_name="usage_records")
    op.drop_index("ix_pushes_dead_app", table_name="pushes")
