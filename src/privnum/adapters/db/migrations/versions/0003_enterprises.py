"""enterprises: accounts become enterprises (Huawei's word; the CDR's spId), each with its own app quota

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00

- table ``accounts`` -> ``enterprises`` (rows, ids and app counts kept);
- ``apps.account_id`` -> ``apps.enterprise_id``, its foreign key following;
- new ``enterprises.app_quota`` (Huawei: 5 apps per enterprise unless raised on request), and the
  check ``app_count <= 5`` becomes ``app_count <= app_quota``.

PostgreSQL renames in place (the id sequence and the constraint names follow). SQLite cannot alter
a constraint, so batch mode recreates both tables and copies their rows; env.py runs SQLite
migrations with foreign-key enforcement off (a referenced table is recreated) and checks every
foreign key before it commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APP_QUOTA_0003 = 5  # frozen here: a migration never follows later changes of the domain's default
CHECK_0002 = "app_count >= 0 AND app_count <= 5"
CHECK_0003 = "app_count >= 0 AND app_count <= app_quota"


def _is_sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def _tenancy_table(name: str) -> sa.Table:
    """SQLite batch source: the accounts/enterprises table without app_quota and check, named ``name``."""
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("app_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.UniqueConstraint("name", name=f"uq_{name}_name"),
    )


def _repoint_apps(old_column: str, new_column: str, old_fk: str, new_fk: str, referred: str) -> None:
    """SQLite: rename the apps column and its foreign key. The new key is declared on the old column name
    and the rename comes last: declared on the new name in the same batch, the key is silently lost."""
    with op.batch_alter_table("apps", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f(old_fk), type_="foreignkey")
        batch_op.create_foreign_key(op.f(new_fk), referred, [old_column], ["id"])
        batch_op.alter_column(old_column, new_column_name=new_column)


def upgrade() -> None:
    op.rename_table("accounts", "enterprises")  # SQLite (>= 3.26) repoints apps' foreign key itself
    quota = sa.Column("app_quota", sa.Integer(), server_default=str(APP_QUOTA_0003), nullable=False)
    if _is_sqlite():
        with op.batch_alter_table("enterprises", recreate="always",
                                  copy_from=_tenancy_table("enterprises")) as batch_op:
            batch_op.add_column(quota)
            batch_op.create_check_constraint(op.f("ck_enterprises_app_count_range"), CHECK_0003)
        _repoint_apps("account_id", "enterprise_id", "fk_apps_account_id_accounts",
                      "fk_apps_enterprise_id_enterprises", "enterprises")
        return
    op.execute("ALTER SEQUENCE accounts_id_seq RENAME TO enterprises_id_seq")
    op.execute('ALTER TABLE enterprises RENAME CONSTRAINT "pk_accounts" TO "pk_enterprises"')
    op.execute('ALTER TABLE enterprises RENAME CONSTRAINT "uq_accounts_name" TO "uq_enterprises_name"')
    op.add_column("enterprises", quota)
    op.drop_constraint(op.f("ck_accounts_app_count_range"), "enterprises", type_="check")
    op.create_check_constraint(op.f("ck_enterprises_app_count_range"), "enterprises", CHECK_0003)
    op.alter_column("apps", "account_id", new_column_name="enterprise_id")
    op.execute('ALTER TABLE apps RENAME CONSTRAINT "fk_apps_account_id_accounts" '
               'TO "fk_apps_enterprise_id_enterprises"')


def downgrade() -> None:
    """Back to accounts with at most 5 apps each; refused while an enterprise has more (apps are never deleted)."""
    over = op.get_bind().execute(sa.text("SELECT name FROM enterprises WHERE app_count > 5 ORDER BY name")).all()
    if over:
        names = ", ".join(repr(row.name) for row in over)
        raise RuntimeError(f"cannot go back below revision 0003: enterprises {names} have more than 5 apps")
    if _is_sqlite():
        op.rename_table("enterprises", "accounts")
        with op.batch_alter_table("accounts", recreate="always", copy_from=_tenancy_table("accounts")) as batch_op:
            batch_op.create_check_constraint(op.f("ck_accounts_app_count_range"), CHECK_0002)
        _repoint_apps("enterprise_id", "account_id", "fk_apps_enterprise_id_enterprises",
                      "fk_apps_account_id_accounts", "accounts")
        return
    op.execute('ALTER TABLE apps RENAME CONSTRAINT "fk_apps_enterprise_id_enterprises" '
               'TO "fk_apps_account_id_accounts"')
    op.alter_column("apps", "enterprise_id", new_column_name="account_id")
    op.drop_constraint(op.f("ck_enterprises_app_count_range"), "enterprises", type_="check")
    op.drop_column("enterprises", "app_quota")
    op.create_check_constraint(op.f("ck_accounts_app_count_range"), "enterprises", CHECK_0002)
    op.execute('ALTER TABLE enterprises RENAME CONSTRAINT "uq_enterprises_name" TO "uq_accounts_name"')
    op.execute('ALTER TABLE enterprises RENAME CONSTRAINT "pk_enterprises" TO "pk_accounts"')
    op.execute("ALTER SEQUENCE enterprises_id_seq RENAME TO accounts_id_seq")
    op.rename_table("enterprises", "accounts")
