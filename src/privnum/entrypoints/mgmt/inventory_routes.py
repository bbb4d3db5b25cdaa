"""The operators' number inventory: import a CSV of numbers into stock (all or nothing), stock per city and type."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from pydantic import BaseModel

from privnum.domain.management_errors import Invalid
from privnum.domain.number_inventory import MAX_IMPORT_BYTES
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep

router = APIRouter(prefix="/mgmt/v1/admin", tags=["management: inventory"])

_CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream")


class Imported(BaseModel):
    imported: int


class StockView(BaseModel):
    area_code: str
    city: str
    type: str
    in_stock: int


class StockSummary(BaseModel):
    items: list[StockView]
    total: int


@router.post("/inventory:import", response_model=Imported)
async def import_inventory(file: UploadFile, actor: ActorDep, plane: ManagementDep) -> Imported:
    """A CSV with the header number,area_code,city,type[,province][,sms]; every line or none is imported."""
    content_type = (file.content_type or "").split(";")[0].strip().lower()
    if content_type and content_type not in _CSV_TYPES:
        raise Invalid("not_csv", f"this is a {content_type} file; upload a CSV (text/csv)", field="file")
    data = await file.read(MAX_IMPORT_BYTES + 1)
    return Imported(imported=await plane.inventory.import_csv(actor, data, file.filename or ""))


@router.get("/inventory", response_model=StockSummary)
async def inventory(actor: ActorDep, plane: ManagementDep) -> StockSummary:
    counts = await plane.inventory.stock(actor)
    return StockSummary(items=[StockView(area_code=c.area_code, city=c.city, type=c.number_type.value,
                                         in_stock=c.in_stock) for c in counts],
                        total=sum(c.in_stock for c in counts))
