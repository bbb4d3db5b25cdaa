"""Enterprises: create (or find) one, list them, set how many apps one may have."""

from __future__ import annotations

import shlex

from privnum.domain.enterprises import DEFAULT_APP_QUOTA, Enterprise, check_app_quota
from privnum.domain.operator_errors import OperatorError
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit


class Enterprises:
    def __init__(self, unit: ManagementUnit) -> None:
        self.unit = unit

    async def create(self, name: str, app_quota: int = DEFAULT_APP_QUOTA) -> Enterprise:
        """A new enterprise; refused when one of that name exists."""
        check_app_quota(app_quota)

        async def work(tx: ManagementTx) -> Enterprise:
            if await tx.enterprise(name) is not None:
                raise OperatorError(f"enterprise {name!r} already exists; change its quota with "
                                    f"`privnum enterprise set-quota {shlex.quote(name)} N`")
            return await tx.ensure_enterprise(name, app_quota, now_ms())

        return await self.unit.run(work)

    async def list(self) -> list[Enterprise]:
        return await self.unit.run(lambda tx: tx.enterprises(), read_only=True)

    async def set_app_quota(self, name: str, app_quota: int) -> Enterprise:
        """Raise (or lower, never below its app count) how many apps the enterprise may have."""
        check_app_quota(app_quota)

        async def work(tx: ManagementTx) -> Enterprise:
            if not await tx.set_app_quota(name, app_quota):
                found = await tx.enterprise(name)
                if found is None:
                    raise OperatorError(f"no enterprise {name!r} (`privnum enterprise list` shows them; "
                                        f"`privnum enterprise create {shlex.quote(name)}` creates it)")
                raise OperatorError(f"enterprise {name!r} already has {found.app_count} apps, and apps are never "
                                    f"deleted: its quota cannot go below {found.app_count}")
            changed = await tx.enterprise(name)
            assert changed is not None
            return changed

        return await self.unit.run(work)
