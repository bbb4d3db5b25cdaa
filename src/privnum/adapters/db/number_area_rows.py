"""The number area's rows of a management transaction: numbers (stock, list, release, lock) and orders."""

from __future__ import annotations

from privnum.adapters.db.number_rows import NumberRows
from privnum.adapters.db.order_rows import OrderRows


class NumberAreaRows(NumberRows, OrderRows):
    pass
