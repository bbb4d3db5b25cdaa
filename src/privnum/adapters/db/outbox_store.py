"""Split into ``outbox_delivery.py`` (``SqlOutbox``) and ``outbox_admin.py`` (``SqlPushLog``); kept only
for ``entrypoints/cli_pushes.py`` (owned elsewhere) until the merge wires ``SqlPushLog``. Delete then."""

from privnum.adapters.db.outbox_admin import PushRow, SqlPushLog

OutboxStore = SqlPushLog

__all__ = ["OutboxStore", "PushRow"]
