"""The unified social credit code (统一社会信用代码, GB 32100-2015) on a Chinese business licence: 18 characters
of digits and capital letters without I, O, Z, S and V, the last a check character over the first 17."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: the value of each is its index
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    """The check character that completes the 17 characters ``first17``."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a unified social credit code, or None when it is one."""
    if len(code) != LENGTH:
        return f"a unified social credit code has {LENGTH} characters, this one {len(code)}"
    wrong = sorted({c for c in code if c not in ALPHABET})
    if wrong:
        return (f"a unified social credit code has digits and capital letters except I, O, Z, S and V, not "
                f"{''.join(wrong)}")
    if check_character(code[:17]) != code[17]:
        return "the last character of this unified social credit code does not match the others; check for a typo"
    return None
