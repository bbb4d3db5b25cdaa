"""Numbers in stock (the operator's inventory): what one line of an inventory CSV says, and the checks of a whole
file, which is imported all or nothing.

Only mobile-format X numbers exist (Huawei: carrier numbers, or virtual-operator 170/171/165/167 ones); a file
names each number once, in E.164 (+86…) or as the 11 national digits of a Chinese mobile.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from privnum.domain.areas import normalize_area_code, province_of
from privnum.domain.management_errors import Invalid
from privnum.domain.phone_numbers import is_global_number

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_LINES = 100_000
ERRORS_SHOWN = 20
COLUMNS = ("number", "area_code", "city", "type")
OPTIONAL_COLUMNS = ("province", "sms")
_CHINESE_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_TRUE = frozenset({"1", "true", "yes", "y", "是", ""})  # empty: SMS-capable, as numbers added from the CLI
_FALSE = frozenset({"0", "false", "no", "n", "否"})


class NumberType(StrEnum):
    CARRIER = "carrier"  # 运营商号码
    VIRTUAL = "virtual"  # 虚拟运营商号码 (170/171/165/167)


@dataclass(frozen=True)
class StockNumber:
    number: str
    area_code: str
    city: str
    number_type: NumberType
    province: str | None
    sms_capable: bool


@dataclass(frozen=True)
class StockCount:
    area_code: str
    city: str
    number_type: NumberType
    in_stock: int


class InventoryRefused(Invalid):
    """A file with bad lines: nothing of it is imported; ``errors`` are (line number, what is wrong)."""

    def __init__(self, errors: list[tuple[int, str]], total: int) -> None:
        shown = "; ".join(f"line {line}: {what}" for line, what in errors[:ERRORS_SHOWN])
        more = f" (and {total - ERRORS_SHOWN} more)" if total > ERRORS_SHOWN else ""
        super().__init__("invalid_lines", f"{total} bad line{'s' if total != 1 else ''}, nothing was imported; fix "
                         f"and upload the file again: {shown}{more}", field="file")
        self.errors = errors[:ERRORS_SHOWN]
        self.total = total


def parse_number(text: str) -> str | None:
    """A mobile-format number in E.164: ``+8617…``, ``8617…`` or the 11 national digits; None otherwise."""
    value = text.strip().replace(" ", "").replace("-", "")
    if _CHINESE_MOBILE.fullmatch(value):
        return "+86" + value
    if value.startswith("86") and _CHINESE_MOBILE.fullmatch(value[2:]):
        return "+" + value
    if is_global_number(value) and (not value.startswith("+86") or _CHINESE_MOBILE.fullmatch(value[3:])):
        return value
    return None


def parse_number_type(text: str) -> NumberType | None:
    try:
        return NumberType(text.strip().lower())
    except ValueError:
        return None


def decode_upload(data: bytes) -> str:
    """The text of an uploaded CSV (UTF-8, with or without BOM); a binary, empty or oversized file is refused."""
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid("file_too_large", f"an inventory file has at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB; "
                      "split it", field="file")
    if not data.strip():
        raise Invalid("empty_file", f"the file is empty; upload a CSV whose first line is {','.join(COLUMNS)}",
                      field="file")
    if b"\x00" in data:
        raise Invalid("not_csv", "this is not a CSV text file; save the sheet as CSV (UTF-8) and upload that",
                      field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("not_csv", "the file is not UTF-8 text; save the sheet as CSV (UTF-8) and upload that",
                      field="file") from None


def _rows(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise Invalid("not_csv", f"the file is not a readable CSV ({error})", field="file") from None


def listed_numbers(text: str) -> list[str]:
    """The well-formed numbers of an inventory CSV's ``number`` column (to look up which are already known)."""
    rows = _rows(text)
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if "number" not in header:
        return []
    column = header.index("number")
    parsed = (parse_number(row[column]) for row in rows[1:] if len(row) > column)
    return [n for n in parsed if n is not None]


def parse_inventory(text: str, known: Iterable[str] = ()) -> list[StockNumber]:
    """Every line of an inventory CSV as a stock number; ``InventoryRefused`` naming the bad lines when one is
    wrong (numbers already ``known`` count as wrong: a number is in the inventory once)."""
    rows = _rows(text)
    header = [h.strip().lower() for h in rows[0]] if rows else []
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        raise Invalid("invalid_header", f"the first line is the header {','.join(COLUMNS)}[,province][,sms]"
                      + (f"; missing {', '.join(missing)}" if missing else "")
                      + (f"; unknown {', '.join(unknown[:5])}" if unknown else ""), field="file")
    if len(rows) - 1 > MAX_IMPORT_LINES:
        raise Invalid("too_many_lines", f"an inventory file has at most {MAX_IMPORT_LINES} lines; split it",
                      field="file")
    already = set(known)
    seen: dict[str, int] = {}
    found: list[StockNumber] = []
    errors: list[tuple[int, str]] = []
    total_errors = 0
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        problem, stock = _parse_row(dict(zip(header, row, strict=False)), len(row) == len(header))
        if stock is not None and stock.number in seen:
            problem = f"{stock.number} is already on line {seen[stock.number]}"
        elif stock is not None and stock.number in already:
            problem = f"{stock.number} is already in the inventory or an app's pool"
        if problem is not None:
            total_errors += 1
            if len(errors) < ERRORS_SHOWN:
                errors.append((line_no, problem))
            continue
        assert stock is not None
        seen[stock.number] = line_no
        found.append(stock)
    if total_errors:
        raise InventoryRefused(errors, total_errors)
    if not found:
        raise Invalid("empty_file", "the file has a header but no numbers", field="file")
    return found


def _parse_row(cells: dict[str, str], complete: bool) -> tuple[str | None, StockNumber | None]:
    if not complete:
        return "wrong number of columns", None
    number = parse_number(cells["number"])
    if number is None:
        return f"{cells['number'].strip()[:32]!r} is not a mobile-format number such as +8617012345678", None
    area_code = normalize_area_code(cells["area_code"])
    if area_code is None:
        return f"{cells['area_code'].strip()[:16]!r} is not a city code such as 0755", None
    city = cells["city"].strip()
    if not 1 <= len(city) <= 32:
        return "the city is 1 to 32 characters", None
    number_type = parse_number_type(cells["type"])
    if number_type is None:
        return f"type is carrier or virtual, not {cells['type'].strip()[:16]!r}", None
    province = (cells.get("province") or "").strip()[:32] or province_of(area_code)
    sms = (cells.get("sms") or "").strip().lower()
    if sms not in _TRUE | _FALSE:
        return f"sms is yes or no, not {sms[:16]!r}", None
    return None, StockNumber(number, area_code, city, number_type, province, sms in _TRUE)
