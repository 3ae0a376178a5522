"""Money in integer minor units, formatted with each currency's real exponent."""

import re
from decimal import ROUND_DOWN, Decimal, InvalidOperation

# Stripe's zero-decimal and three-decimal currencies; every other one has two.
# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])


class AmountError(ValueError):
    """An amount typed by a person that cannot be a Stripe amount.

    ``code`` says why: ``empty``, ``not_a_number``, ``decimal_comma`` (10,50),
    ``negative``, ``zero`` or ``too_many_decimals``; ``exponent`` is the
    currency's number of decimals.
    """

    def __init__(self, code, exponent=None):
        super().__init__(code)
        self.code = code
        self.exponent = exponent


def currency_exponent(currency):
    """Number of decimals Stripe uses for ``currency`` (ISO code, any case)."""
    code = (currency or "").lower()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def from_minor_units(amount, currency):
    """Integer minor units → exact :class:`~decimal.Decimal` in major units."""
    exponent = currency_exponent(currency)
    return Decimal(int(amount)).scaleb(-exponent)


def format_amount(amount, currency, with_code=True):
    """Human text for an amount in minor units, e.g. ``1,234.56 USD``.

    :param int amount: amount in minor units (may be negative, e.g. a credit)
    :param str currency: ISO code
    :param bool with_code: append the upper-case currency code
    :return: the formatted amount, or an empty string when ``amount`` is None
    """
    if amount is None:
        return ""
    exponent = currency_exponent(currency)
    value = from_minor_units(amount, currency)
    text = f"{value:,.{exponent}f}"
    if with_code and currency:
        text = f"{text} {currency.upper()}"
    return text


# What a person may type: 1200, 1,200 or 1 200 (thousands), a dot for decimals.
AMOUNT_PATTERN = re.compile(
    r"-?(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:\.\d+)?|-?\.\d+"
)
# 10,50: a decimal comma, which must not be read as 1,050.
DECIMAL_COMMA_PATTERN = re.compile(r"-?\d+,\d{1,2}|-?\d+,\d{4,}")


def to_minor_units(text, currency, allow_zero=False):
    """Parse an amount typed in major units into integer minor units.

    :param text: ``"12.50"``, ``"1,200"`` or a number
    :param str currency: ISO code deciding how many decimals are allowed
    :param bool allow_zero: accept 0
    :return: the amount in minor units
    :rtype: int
    :raise AmountError: when the text is not a positive amount in that currency
    """
    exponent = currency_exponent(currency)
    if text is None or (isinstance(text, str) and not text.strip()):
        raise AmountError("empty", exponent)
    if isinstance(text, float):
        text = repr(text)
    cleaned = str(text).strip()
    if isinstance(text, str):
        if DECIMAL_COMMA_PATTERN.fullmatch(cleaned):
            raise AmountError("decimal_comma", exponent)
        if not AMOUNT_PATTERN.fullmatch(cleaned):
            raise AmountError("not_a_number", exponent)
        cleaned = cleaned.replace(",", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as err:
        raise AmountError("not_a_number", exponent) from err
    if not value.is_finite():
        raise AmountError("not_a_number", exponent)
    if value < 0:
        raise AmountError("negative", exponent)
    scaled = value.scaleb(exponent)
    if scaled != scaled.quantize(Decimal(1), rounding=ROUND_DOWN):
        raise AmountError("too_many_decimals", exponent)
    minor = int(scaled)
    if minor == 0 and not allow_zero:
        raise AmountError("zero", exponent)
    return minor
