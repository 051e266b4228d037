"""Human-readable numbers, shared by the table and Markdown renderers."""

from __future__ import annotations

import math
import re


def human(value: int) -> str:
    """568740352 -> '568.7M'; 4209088 -> '4.21M'; 864 -> '864'; 0 -> '0'."""
    units = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K"))
    for i, (size, suffix) in enumerate(units):
        if abs(value) >= size:
            scaled = value / size
            text = f"{scaled:.2f}"
            if abs(float(text)) >= 100:  # four significant digits: 568.7M, 99.99K, 100.0K
                text = f"{scaled:.1f}"
            if abs(float(text)) >= 1000 and i > 0:  # 999,950 -> 1.00M, not 1000.0K
                return f"{value / units[i - 1][0]:.2f}{units[i - 1][1]}"
            return f"{text}{suffix}"
    return str(value)


def number(value: int, exact: bool) -> str:
    return f"{value:,}" if exact else human(value)


def percent(share: float) -> str:
    return f"{100 * share:.2f}%"


def alpha_text(alpha: float) -> str:
    """1.0 -> '1.0', 0.75 -> '0.75', 0.5 -> '0.5' (as the papers print width multipliers)."""
    text = f"{alpha:g}"
    return text if "." in text or "e" in text else f"{text}.0"


def millions(value: int, digits: int) -> str:
    """568740352, 1 -> '568.7' (for tables whose header carries the unit)."""
    return f"{value / 1e6:,.{digits}f}"


def signed(value: int, exact: bool) -> str:
    """A change: '+1.2M', '-864', '0'."""
    if value == 0:
        return "0"
    return ("+" if value > 0 else "-") + number(abs(value), exact)


def small_millions(value: int, digits: int = 2) -> str:
    """Millions with `digits` decimals, and enough more that a small network does not read 0.00:
    3470760 -> '3.47', 1234 -> '0.00123', 0 -> '0.00'."""
    text = millions(value, digits)
    if value and float(text.replace(",", "")) == 0:
        return f"{value / 1e6:.{len(str(10**6 // value)) + 2}f}".rstrip("0")
    return text


def multiple(ratio: float) -> str:
    """A ratio to three decimals, or to three significant digits when smaller: 0.512 -> '0.512',
    0.0000431 -> '0.0000431', never '0.000' for something."""
    text = f"{ratio:.3f}"
    if ratio and float(text) == 0:
        return f"{ratio:.3g}" if "e" not in f"{ratio:.3g}" else f"{ratio:.{2 - math.floor(math.log10(ratio))}f}"
    return text


# Amounts written with a unit: K, M, G, T are powers of 1000; Ki, Mi, Gi (KiB, MiB, GiB) of 1024.
AMOUNT_UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "KI": 2**10, "MI": 2**20, "GI": 2**30}
MAX_AMOUNT = 10**18


def amount(text: object, binary: bool = True) -> int:
    """'256K' -> 256,000; '1.5MiB' -> 1,572,864; '1.92G' -> 1,920,000,000: a whole amount from 1
    to 10^18 (bytes, or a rate). Raises ValueError saying what is wrong."""
    m = re.fullmatch(r"\s*(\d{1,30}(?:\.\d{1,30})?)\s*([KMGT]i?)?B?\s*", str(text), flags=re.I)
    unit = (m[2] or "").upper() if m else ""
    if not m or unit not in AMOUNT_UNITS or (unit.endswith("I") and not binary):
        raise ValueError("not an amount")
    from decimal import Decimal  # only for a size or rate given as text

    value = Decimal(m[1]) * AMOUNT_UNITS[unit]
    if value != value.to_integral_value():
        raise ValueError("not a whole number")
    if not 1 <= value <= MAX_AMOUNT:
        raise ValueError("out of range")
    return int(value)
