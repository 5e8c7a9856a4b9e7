"""Exact rates and their Vietnamese display (pure)."""

from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def rate(part: int, whole: int) -> Decimal:
    """Return part / whole × 100, exact, rounded half-up to 2 decimals (0 when whole is 0)."""
    if whole == 0:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_CENT, rounding=ROUND_HALF_UP)


def mean(total: Decimal, count: int) -> Decimal:
    """Return total / count rounded half-up to 2 decimals (0 if count is 0)."""
    if count == 0:
        return Decimal("0.00")
    return (total / Decimal(count)).quantize(_CENT, rounding=ROUND_HALF_UP)


def vi_number(value: Decimal | int, places: int = 2) -> str:
    """Write a number the Vietnamese way: 1.234,56 (dot for thousands, comma for decimals)."""
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    text = f"{value:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vi_percent(value: Decimal) -> str:
    """Write a rate as '98,11 %'."""
    return f"{vi_number(value)} %"
