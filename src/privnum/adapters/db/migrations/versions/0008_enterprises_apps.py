"""enterprise materials and review states, app tags and secret rotation (issue 13)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

- ``enterprises``: the profile a tenant declares (credit code, nature, scenario, carrier, legal person,
  handler, the authorisation letter's date); rows made from the CLI keep NULLs there and stay approved;
- the unique name becomes unique per tenant: ``uq_enterprises_name`` gives way to two partial unique
  indexes, (tenant_id, name) where tenant_id IS NOT NULL and (name) where tenant_id IS NULL (a plain
  unique (tenant_id, name) would let operators' enterprises share a name: NULLs never collide);
- ``enterprise_materials``: one stored file per enterprise and kind;
- ``apps``: tags (JSON), previous_secret + previous_secret_until_ms (a rotated secret's grace period).

SQLite cannot drop a constraint: batch mode recreates ``enterprises`` from an explicit copy of its current
shape (reflection would lose the CHECK on app_count), then its index is made again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CHECK = "app_count >= 0 AND app_count <= app_quota"


def _profile_columns() -> list[sa.Column]:
    return [
        sa.Column("credit_code", sa.String(length=18)),
        sa.Column("nature", sa.String(length=16)),
        sa.Column("industry", sa.String(length=64)),
        sa.Column("scenario_call", sa.Text()),
        sa.Column("scenario_sms", sa.Text()),
        sa.Column("call_script", sa.Text()),
        sa.Column("carrier_kind", sa.String(length=32)),
        sa.Column("carrier_name", sa.String(length=128)),
        sa.Column("carrier_is_third_party", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("legal_name", sa.String(length=64)),
        sa.Column("handler_name", sa.String(length=64)),
        sa.Column("handler_phone", sa.String(length=16)),
        sa.Column("auth_letter_valid_until", sa.Date()),
        sa.Column("updated_at_ms", sa.BigInteger()),
    ]


def _enterprises_0007(unique_name: bool) -> sa.Table:
    """SQLite batch source: ``enterprises`` as 0007 left it (with or without its unique name)."""
    return sa.Table(
        "enterprises",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("app_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("app_quota", sa.Integer(), server_default="5", nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="approved", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_enterprises"),
        sa.CheckConstraint(CHECK, name="ck_enterprises_app_count_range"),
        *([sa.UniqueConstraint("name", name="uq_enterprises_name")] if unique_name else []),
    )


def _is_sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def upgrade() -> None:
    if _is_sqlite():
        op.drop_index("ix_enterprises_tenant_id", "enterprises")
        with op.batch_alter_table("enterprises", recreate="always",
                                  copy_from=_enterprises_0007(unique_name=False)) as batch:
            for column in _profile_columns():
                batch.add_column(column)
        op.create_index("ix_enterprises_tenant_id", "enterprises", ["tenant_id"])
    else:
        op.drop_constraint("uq_enterprises_name", "enterprises", type_="unique")
        for column in _profile_columns():
            op.add_column("enterprises", column)
    op.create_index("uq_enterprises_tenant_name", "enterprises", ["tenant_id", "name"], unique=True,
                    sqlite_where=sa.text("tenant_id IS NOT NULL"), postgresql_where=sa.text("tenant_id IS NOT NULL"))
    op.create_index("uq_enterprises_operator_name", "enterprises", ["name"], unique=True,
                    sqlite_where=sa.text("tenant_id IS NULL"), postgresql_where=sa.text("tenant_id IS NULL"))
    op.create_table(
        "enterprise_materials",
        sa.Column("enterprise_id", sa.Integer(),
                  sa.ForeignKey("enterprises.id", name="fk_enterprise_materials_enterprise_id_enterprises"),
                  nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file_id", sa.Integer(),
                  sa.ForeignKey("stored_files.id", name="fk_enterprise_materials_file_id_stored_files"),
                  nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", "kind", name="pk_enterprise_materials"),
    )
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("tags", sa.Text()))
        batch.add_column(sa.Column("previous_secret", sa.String(length=128)))
        batch.add_column(sa.Column("previous_secret_until_ms", sa.BigInteger()))


def downgrade() -> None:
    """Back to globally unique names: refused while two tenants' enterprises share a name."""
    shared = op.get_bind().execute(sa.text(
        "SELECT name FROM enterprises GROUP BY name HAVING COUNT(*) > 1 ORDER BY name")).all()
    if shared:
        names = ", ".join(repr(row.name) for row in shared)
        raise RuntimeError(f"cannot go back below revision 0008: enterprises {names} share their name")
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("previous_secret_until_ms")
        batch.drop_column("previous_secret")
        batch.drop_column("tags")
    op.drop_table("enterprise_materials")
    op.drop_index("uq_enterprises_operator_name", "enterprises")
    op.drop_index("uq_enterprises_tenant_name", "enterprises")
    if _is_sqlite():
        op.drop_index("ix_enterprises_tenant_id", "enterprises")
        with op.batch_alter_table("enterprises", recreate="always",
                                  copy_from=_enterprises_0007(unique_name=True)):
            pass  # recreated from the 0007 shape: the profile columns go, the unique name comes back
        op.create_index("ix_enterprises_tenant_id", "enterprises", ["tenant_id"])
        return
    for column in reversed(_profile_columns()):
        op.drop_column("enterprises", column.name)
    op.create_unique_constraint("uq_enterprises_name", "enterprises", ["name"])
