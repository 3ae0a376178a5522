# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import time
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.stripe_gateway import cache
from odoo.addons.helpdesk_stripe.stripe_gateway.client import idempotency_key
from odoo.addons.helpdesk_stripe.tools.localstripe_process import TEST_KEY

from .events_common import SECRET, StripeEventsMixin, make_event
from .perf_common import clear_caches, count_stripe_calls


@tagged("post_install", "-at_install")
class TestPanelCache(StripeEventsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe_events()
        customer = cls.seeder.customer("cache@example.com", "Cache Customer")
        cls.customer_id = customer["id"]
        cls.ticket = cls.make_ticket(stripe_customer_id=cls.customer_id)
        cls.stamps = cls.env["helpdesk.stripe.cache.stamp"].sudo()

    def setUp(self):
        super().setUp()
        clear_caches()
        self.addCleanup(clear_caches)

    def open_panel(self, ticket=None, **kwargs):
        ticket = ticket or self.ticket.with_user(self.helpdesk_user)
        with count_stripe_calls() as counter:
            data = ticket.stripe_panel_data(**kwargs)
        self.assertEqual(data["state"], "ok", data.get("message"))
        return data, counter.count

    def test_cold_then_warm_then_refresh(self):
        data, calls = self.open_panel()
        self.assertEqual(calls, 3, "customer with subscriptions, payments, invoices")
        self.assertEqual(data["customer"]["email"], "cache@example.com")
        warm, calls = self.open_panel()
        self.assertEqual(calls, 0)
        self.assertEqual(warm["customer"], data["customer"])
        _data, calls = self.open_panel(refresh=True)
        self.assertEqual(calls, 3, "Refresh asks Stripe")
        _data, calls = self.open_panel()
        self.assertEqual(calls, 0, "and caches the fresh answer")

    def test_entries_expire(self):
        self.company.stripe_cache_ttl = 5
        self.open_panel()
        later = time.monotonic() + 6
        with patch.object(cache.PANEL_CACHE, "clock", lambda: later):
            _data, calls = self.open_panel()
        self.assertEqual(calls, 3)

    def test_zero_lifetime_turns_the_cache_off(self):
        self.company.stripe_cache_ttl = 0
        self.open_panel()
        _data, calls = self.open_panel()
        self.assertEqual(calls, 3)
        self.assertEqual(len(cache.PANEL_CACHE), 0)

    def test_a_write_through_the_gateway_invalidates_every_worker(self):
        self.open_panel()
        gateway = self.company._stripe_gateway()
        gateway.update_customer(
            self.customer_id, {"name": "Renamed"}, idempotency_key("t", 1)
        )
        self.assertEqual(
            self.stamps.search([("customer_id", "=", self.customer_id)]).account,
            gateway.account,
            "a stamp tells the other workers",
        )
        data, calls = self.open_panel()
        self.assertEqual(calls, 3)
        self.assertEqual(data["customer"]["name"], "Renamed")

    def test_another_worker_invalidated(self):
        self.open_panel()
        account = self.company._stripe_cache_account()
        # Another worker's write leaves only a stamp: our entry is stale.
        self.stamps._stamp(account, self.customer_id)
        _data, calls = self.open_panel()
        self.assertEqual(calls, 3)
        self.stamps._stamp(account, "cus_someone_else")
        _data, calls = self.open_panel()
        self.assertEqual(calls, 0, "other customers' changes do not matter")
        self.stamps._stamp(account, None)
        _data, calls = self.open_panel()
        self.assertEqual(calls, 3, "an account-wide stamp invalidates everyone")

    def test_invalidate_for_events(self):
        self.open_panel()
        self.company._stripe_cache_invalidate(self.customer_id)
        _data, calls = self.open_panel()
        self.assertEqual(calls, 3)
        self.company._stripe_cache_invalidate()
        _data, calls = self.open_panel()
        self.assertEqual(calls, 3)

    def test_a_stripe_event_invalidates_its_customer(self):
        self.open_panel()
        charge = {"id": "ch_evt", "object": "charge", "customer": self.customer_id}
        self.assertEqual(self.receive(make_event("charge.refunded", charge)), 200)
        _data, calls = self.open_panel()
        self.assertEqual(calls, 3, "the event said the customer changed")
        other = {"id": "ch_other", "object": "charge", "customer": "cus_other"}
        self.assertEqual(self.receive(make_event("charge.refunded", other)), 200)
        _data, calls = self.open_panel()
        self.assertEqual(calls, 0)
        self.assertEqual(self.company.sudo().stripe_webhook_secret, SECRET)

    def test_never_shared_between_companies(self):
        self.open_panel()
        other = self.env["res.company"].create({"name": "Other company"})
        other.sudo().write(
            {
                "stripe_secret_key": TEST_KEY,
                "stripe_api_base": self.localstripe.url,
                "stripe_connected": True,
            }
        )
        self.env.user.company_ids |= other
        ticket = (
            self.env["helpdesk.ticket"]
            .with_context(allowed_company_ids=[other.id, self.company.id])
            .create(
                {
                    "name": "Other company's ticket",
                    "description": "<p>Help</p>",
                    "company_id": other.id,
                    "stripe_customer_id": self.customer_id,
                }
            )
        )
        _data, calls = self.open_panel(ticket)
        self.assertEqual(calls, 3, "same key, another company: its own entry")
        other.sudo().stripe_secret_key = "sk_test_otherkey12345"
        _data, calls = self.open_panel(ticket)
        self.assertEqual(calls, 3, "another key: its own entry")
        _data, calls = self.open_panel(ticket)
        self.assertEqual(calls, 0)

    def test_settings(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.stripe_cache_ttl, 60)
        settings.stripe_cache_ttl = 30
        settings.execute()
        self.assertEqual(self.company.stripe_cache_ttl, 30)
        with self.assertRaises(ValidationError):
            self.company.stripe_cache_ttl = -1
        with self.assertRaises(ValidationError):
            self.company.stripe_backfill_rate = 0
