"""Money shown the Indian way: ₹1,50,000.00 (DESIGN §2), through babel's CLDR data."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency

from desktop.errors import UserError


def format_money(amount: Decimal, currency: str = "INR") -> str:
    """``Decimal("150000")`` → ``₹1,50,000.00`` (en_IN grouping; other currencies by code)."""
    return format_currency(amount, currency, locale="en_IN")


def parse_money(text: str, field: str = "amount") -> Decimal:
    """A decimal amount from user text (``15000``, ``1,50,000.50``, ``₹ 30,000``); never a float."""
    cleaned = str(text).replace("₹", "").replace(",", "").replace(" ", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UserError(f"{field}: '{text}' is not an amount") from None
    if not value.is_finite():
        raise UserError(f"{field}: '{text}' is not an amount")
    return value.quantize(Decimal("0.01"))
