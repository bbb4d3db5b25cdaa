"""Routing changes announced at commit (issue 16, the routing cache): on PostgreSQL, statement triggers on
``bindings``, ``binding_keys`` and ``numbers`` ``pg_notify('privnum_routing', <number>)`` once per number a
statement touched (and ``'*'`` on TRUNCATE), so every node's routing cache forgets it when, and only if, the
transaction commits. SQLite: nothing (no cache across processes there).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLES = ("bindings", "binding_keys", "numbers")
CHANNEL = "privnum_routing"
# one function per transition table: which rows a statement touched
FUNCTIONS = {
    "inserted": "SELECT DISTINCT number FROM new_rows",
    "deleted": "SELECT DISTINCT number FROM old_rows",
    "updated": "SELECT number FROM old_rows UNION SELECT number FROM new_rows",
}
TRIGGERS = {  # trigger suffix: (event, transition tables, function)
    "insert": ("INSERT", "NEW TABLE AS new_rows", "inserted"),
    "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "updated"),
    "delete": ("DELETE", "OLD TABLE AS old_rows", "deleted"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, rows in FUNCTIONS.items():
        op.execute(f"""
            CREATE FUNCTION privnum_routing_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('{CHANNEL}', changed.number) FROM ({rows}) AS changed
                    WHERE changed.number IS NOT NULL;
                RETURN NULL;
            END $$""")
    op.execute(f"""
        CREATE FUNCTION privnum_routing_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '*');
            RETURN NULL;
        END $$""")
    for table in TABLES:
        for suffix, (event, transitions, function) in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {table}_routing_{suffix} AFTER {event} ON {table} "
                       f"REFERENCING {transitions} FOR EACH STATEMENT EXECUTE FUNCTION privnum_routing_{function}()")
        op.execute(f"CREATE TRIGGER {table}_routing_truncate AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION privnum_routing_truncated()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        for suffix in (*TRIGGERS, "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_routing_{suffix} ON {table}")
    for name in (*FUNCTIONS, "truncated"):
        op.execute(f"DROP FUNCTION IF EXISTS privnum_routing_{name}()")
