"""Real numbers (A, B) as a person sees them unless their role may reveal them: ``+86138****5678``.

The rule: a number of 11 or more characters keeps all but its last 8 characters, then ``****``, then its
last 4 (``+8613812345678`` → ``+86138****5678``, ``+14155552671`` → ``+141****2671``); a shorter one keeps
only its last 2 (``075512345`` → ``*******45``); 4 characters or fewer are all masked; empty stays empty.
Push bodies are masked field by field (``NUMBER_FIELDS``): every real number Huawei's bodies carry.
"""

from __future__ import annotations

from typing import Any

MASK = "****"
NUMBER_FIELDS = frozenset({"caller", "called", "callerNum", "fwdDstNum", "fwdDisplayNum", "calleeNum",
                           "party_a", "party_b", "callee", "display"})


def mask_number(number: str | None) -> str | None:
    if not number:
        return number
    if len(number) >= 11:
        return number[:-8] + MASK + number[-4:]
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 2) + number[-2:]


def mask_fields(value: Any, keep: frozenset[str] = frozenset()) -> Any:
    """``value`` (a push body: dicts, lists, scalars) with every string under a ``NUMBER_FIELDS`` key masked,
    except the numbers in ``keep`` (a call's privacy number, which is no secret)."""
    if isinstance(value, dict):
        return {k: mask_number(v) if k in NUMBER_FIELDS and isinstance(v, str) and v not in keep
                else mask_fields(v, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_fields(v, keep) for v in value]
    return value
