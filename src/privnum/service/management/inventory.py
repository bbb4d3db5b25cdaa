"""The operator's number inventory: numbers in stock (no app yet), imported from a CSV all or nothing, and counted
per city code, city and type."""

from __future__ import annotations

from privnum.domain.access import Actor, Permission
from privnum.domain.audit import AuditEvent
from privnum.domain.management_errors import Invalid
from privnum.domain.number_inventory import StockCount, decode_upload, listed_numbers, parse_inventory
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit


class Inventory:
    def __init__(self, unit: ManagementUnit) -> None:
        self.unit = unit

    async def import_csv(self, actor: Actor, data: bytes, file_name: str = "") -> int:
        """Put every number of the CSV in stock, or none (422 naming the bad lines); the count imported."""
        actor.require(Permission.MANAGE_INVENTORY)
        text = decode_upload(data)

        async def work(tx: ManagementTx) -> int:
            known = await tx.known_numbers(listed_numbers(text))
            stock = parse_inventory(text, known=known)
            now = now_ms()
            if not await tx.insert_stock(stock, now):
                raise Invalid("already_known", "a number of the file was added a moment ago by someone else; upload "
                              "the file again to see which", field="file")
            await tx.audit(AuditEvent(actor, "inventory.import", "inventory", None,
                                      after={"count": len(stock), "file": file_name[:128]}), now)
            return len(stock)

        return await self.unit.run(work)

    async def stock(self, actor: Actor) -> list[StockCount]:
        actor.require(Permission.MANAGE_INVENTORY)
        return await self.unit.run(lambda tx: tx.stock_counts(), read_only=True)
