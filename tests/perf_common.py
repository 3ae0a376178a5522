# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Helpers of the cache, intake, backfill and fault tests."""

from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests.common import HOST, _super_send

from odoo.addons.helpdesk_stripe.stripe_gateway import StripeGateway, cache


class CallCounter:
    """Counts the requests every gateway sends (the SDK calls)."""

    def __init__(self):
        self.count = 0
        self.emails = []


@contextmanager
def count_stripe_calls():
    """Count the gateway's calls to Stripe, and the emails looked up."""
    counter = CallCounter()
    real_call = StripeGateway._call
    real_lookup = StripeGateway._find_customers_by_email

    def counting_call(gateway, *args, **kwargs):
        counter.count += 1
        return real_call(gateway, *args, **kwargs)

    def counting_lookup(gateway, email):
        counter.emails.append(email)
        return real_lookup(gateway, email)

    with (
        patch.object(StripeGateway, "_call", counting_call),
        patch.object(StripeGateway, "_find_customers_by_email", counting_lookup),
    ):
        yield counter


@contextmanager
def short_timeout(seconds=0.3):
    """Gateways made inside wait ``seconds`` for Stripe (tests of silence)."""
    real_init = StripeGateway.__init__

    def init(gateway, *args, **kwargs):
        kwargs["timeout"] = seconds
        real_init(gateway, *args, **kwargs)

    with patch.object(StripeGateway, "__init__", init):
        yield


def clear_caches():
    cache.PANEL_CACHE.clear()
    cache.LOOKUP_CACHE.clear()


class KeepShortTimeouts:
    """Mixin: Odoo's test framework raises HTTP timeouts under 10 s to 10 s;
    keep ours for the local fake Stripe, so a silent server fails fast."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if r.url.startswith(f"http://{HOST}:"):
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)
