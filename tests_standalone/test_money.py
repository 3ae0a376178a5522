from decimal import Decimal

import pytest

from stripe_gateway import (
    currency_exponent,
    format_amount,
    from_minor_units,
    to_minor_units,
)
from stripe_gateway.money import AmountError


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [("usd", 2), ("EUR", 2), ("jpy", 0), ("KRW", 0), ("bhd", 3), ("kwd", 3)],
)
def test_exponent(currency, exponent):
    assert currency_exponent(currency) == exponent


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (123456, "usd", "1,234.56 USD"),
        (5, "usd", "0.05 USD"),
        (-250, "eur", "-2.50 EUR"),
        (1200, "jpy", "1,200 JPY"),
        (1234, "bhd", "1.234 BHD"),
        (1000000, "bhd", "1,000.000 BHD"),
        (0, "usd", "0.00 USD"),
    ],
)
def test_format_amount(amount, currency, text):
    assert format_amount(amount, currency) == text


def test_format_amount_none_and_without_code():
    assert format_amount(None, "usd") == ""
    assert format_amount(999, "usd", with_code=False) == "9.99"


def test_from_minor_units_is_exact():
    assert from_minor_units(1, "bhd") == Decimal("0.001")
    assert from_minor_units(10, "usd") == Decimal("0.10")
    assert from_minor_units(7, "jpy") == Decimal(7)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", "usd", 1250),
        ("1,200", "jpy", 1200),
        ("1.234", "bhd", 1234),
        ("0.1", "usd", 10),
        (" 3 ", "eur", 300),
        ("1 200", "jpy", 1200),
        ("1,234,567.89", "usd", 123456789),
        (".5", "usd", 50),
        (19.99, "usd", 1999),
    ],
)
def test_to_minor_units(text, currency, minor):
    assert to_minor_units(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "code"),
    [
        ("", "usd", "empty"),
        (None, "usd", "empty"),
        ("abc", "usd", "not_a_number"),
        ("NaN", "usd", "not_a_number"),
        ("10,50", "eur", "decimal_comma"),
        ("10,5", "usd", "decimal_comma"),
        ("1,2,3", "usd", "not_a_number"),
        ("10 50", "usd", "not_a_number"),
        ("1e2", "usd", "not_a_number"),
        ("1_0", "usd", "not_a_number"),
        ("12,34.5", "usd", "not_a_number"),
        ("-1", "usd", "negative"),
        ("0", "usd", "zero"),
        ("1.001", "usd", "too_many_decimals"),
        ("10.5", "jpy", "too_many_decimals"),
        ("1.2345", "bhd", "too_many_decimals"),
    ],
)
def test_to_minor_units_rejects(text, currency, code):
    with pytest.raises(AmountError) as info:
        to_minor_units(text, currency)
    assert info.value.code == code
    assert info.value.exponent == currency_exponent(currency)


def test_zero_allowed_when_asked():
    assert to_minor_units("0", "usd", allow_zero=True) == 0
