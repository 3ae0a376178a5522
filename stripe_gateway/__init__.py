"""Pure-Python access to Stripe for helpdesk_stripe.

This package owns every call to the ``stripe`` SDK and imports nothing from Odoo, so
it is unit-tested on any machine. The Odoo models translate its
:class:`StripeGatewayError` kinds into user-facing messages.
"""

from .client import StripeGateway
from .errors import StripeGatewayError
from .money import (
    currency_exponent,
    format_amount,
    from_minor_units,
    to_minor_units,
)
from . import shapes

__all__ = [
    "StripeGateway",
    "StripeGatewayError",
    "currency_exponent",
    "format_amount",
    "from_minor_units",
    "shapes",
    "to_minor_units",
]
