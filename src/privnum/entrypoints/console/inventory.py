"""The operators' inventory page (号码库存): stock per city code, city and type, and the CSV import with every
refused line listed (nothing is imported then)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.access import Actor, Permission
from privnum.domain.management_errors import Invalid
from privnum.domain.number_inventory import MAX_IMPORT_BYTES, InventoryRefused
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.rendering import redirect_with_notice, render
from privnum.entrypoints.console.session import requires
from privnum.entrypoints.mgmt.principal import management_of

router = APIRouter()
Keeper = Annotated[Actor, Depends(requires(Permission.MANAGE_INVENTORY))]


async def _page(request: Request, actor: Actor, status: int = 200, error: str | None = None,
                lines: list[tuple[int, str]] | None = None, more: int = 0) -> Response:
    stock = await management_of(request).inventory.stock(actor)
    return render(request, "inventory/page.html", {"stock": stock, "total": sum(s.in_stock for s in stock),
                                                   "error": error, "lines": lines or [], "more": more},
                  status=status)


@router.get("/admin/inventory")
async def inventory(request: Request, actor: Keeper) -> Response:
    return await _page(request, actor)


@router.post("/admin/inventory")
async def import_stock(request: Request, actor: Keeper) -> Response:
    form = await request.form(max_part_size=MAX_IMPORT_BYTES + 1024)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(request, actor, 422, N_("Choose a CSV file to import."))
    data = await upload.read(MAX_IMPORT_BYTES + 1)
    try:
        imported = await management_of(request).inventory.import_csv(actor, data, upload.filename)
    except InventoryRefused as refused:
        return await _page(request, actor, 422, N_("Nothing was imported: fix these lines and upload the file again."),
                           refused.errors, refused.total - len(refused.errors))
    except Invalid as refused:
        return await _page(request, actor, 422, refused.message)
    del imported
    return redirect_with_notice("/console/admin/inventory", N_("The numbers were imported into stock."))
