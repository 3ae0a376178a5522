# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.stripe_gateway import StripeGatewayError
from odoo.addons.helpdesk_stripe.stripe_gateway.client import idempotency_key
from odoo.addons.helpdesk_stripe.tools.fake_stripe_server import FakeStripe

from .common import StripeTestMixin
from .perf_common import KeepShortTimeouts, clear_caches, short_timeout

PANEL_MESSAGES = {
    "500": "Stripe could not process the request",
    "429": "Stripe is receiving too many requests",
    "garbage": "Stripe could not process the request",
    "hang": "Stripe could not be reached or did not answer in time",
}


@tagged("post_install", "-at_install")
class TestFaults(KeepShortTimeouts, StripeTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()
        cls.fake = FakeStripe().start()
        cls.addClassCleanup(cls.fake.stop)
        cls.customer_id = cls.seeder.customer("fault@example.com", "Fault")["id"]
        cls.ticket = cls.make_ticket(stripe_customer_id=cls.customer_id)

    def setUp(self):
        super().setUp()
        clear_caches()
        self.addCleanup(clear_caches)

    def stripe_fails(self, mode, retry_after=None):
        self.company.sudo().stripe_api_base = self.fake.url
        self.fake.mode, self.fake.retry_after = mode, retry_after
        self.fake.clear()

    def stripe_is_back(self):
        self.company.sudo().stripe_api_base = self.localstripe.url

    def test_panel_shows_a_clear_error_then_retries(self):
        ticket = self.ticket.with_user(self.helpdesk_user)
        for mode, message in PANEL_MESSAGES.items():
            with self.subTest(mode=mode), short_timeout():
                self.stripe_fails(mode, retry_after=5)
                data = ticket.stripe_panel_data()
                self.assertEqual(data["state"], "error")
                self.assertIn(message, data["message"])
                self.assertTrue(self.fake.requests)
                self.fake.clear()
                data = ticket.stripe_panel_data()
                self.assertTrue(self.fake.requests, "a failure is never cached")
        self.stripe_is_back()
        data = ticket.stripe_panel_data(refresh=True)  # the Retry button
        self.assertEqual(data["state"], "ok")
        self.assertEqual(data["customer"]["email"], "fault@example.com")

    def test_queue_waits_and_loses_nothing(self):
        cases = [
            ("500", None, 60),
            ("429", 30, 30),
            ("429", None, 10),
            ("garbage", None, 60),
            ("hang", None, 60),
        ]
        queued = self.env["helpdesk.ticket"]
        for index, (mode, retry_after, delay) in enumerate(cases):
            with self.subTest(mode=mode, retry_after=retry_after), short_timeout():
                self.stripe_fails(mode, retry_after)
                tickets = self.env["helpdesk.ticket"].create(
                    [
                        {
                            "name": f"Fault {index} {n}",
                            "description": "<p>Help</p>",
                            "team_id": self.team.id,
                            "partner_email": f"fault{index}-{n % 2}@example.com",
                        }
                        for n in range(4)
                    ]
                )
                now = fields.Datetime.now()
                self.run_autolink()
                paths = {r["path"] for r in self.fake.requests}
                self.assertEqual(paths, {"/v1/customers"}, "reads only")
                self.assertLessEqual(
                    len(self.fake.requests), 2, "the first failure stops the batch"
                )
                self.assertEqual(set(tickets.mapped("stripe_link_state")), {"pending"})
                self.assertEqual(set(tickets.mapped("stripe_link_attempts")), {1})
                for ticket in tickets:
                    wait = (ticket.stripe_link_next_try - now).total_seconds()
                    self.assertAlmostEqual(wait, delay, delta=2)
                    self.assertTrue(ticket.stripe_link_error)
                queued |= tickets
        for index in range(len(cases)):
            for n in range(2):
                email = f"fault{index}-{n}@example.com"
                self.seeder.customer(email, "Found later")
        self.stripe_is_back()
        later = max(queued.mapped("stripe_link_next_try")) + timedelta(seconds=1)
        with freeze_time(later):
            self.run_autolink()
        self.assertEqual(set(queued.mapped("stripe_link_state")), {"linked"})

    def test_a_write_is_only_resent_with_its_idempotency_key(self):
        stamps = self.env["helpdesk.stripe.cache.stamp"].sudo()
        for mode in ("500", "garbage", "hang", "429"):
            with self.subTest(mode=mode), short_timeout():
                self.stripe_fails(mode)
                gateway = self.company._stripe_gateway()
                key = idempotency_key("update", self.ticket.id, self.customer_id)
                for _attempt in range(2):  # (no assertRaises: it rolls back)
                    try:
                        gateway.update_customer(self.customer_id, {"name": "X"}, key)
                    except StripeGatewayError:
                        continue
                    self.fail("the write did not fail")
                posts = [r for r in self.fake.requests if r["method"] == "POST"]
                self.assertEqual(len(posts), 2, "never retried by itself")
                self.assertEqual({r["idempotency_key"] for r in posts}, {key})
        # Outcome unknown (500, garbage, silence): every worker forgets.
        found = stamps.search([("customer_id", "=", self.customer_id)])
        self.assertEqual(len(found), 6)

    def test_a_stamp_survives_a_rollback(self):
        """An action that fails after its Stripe write still invalidates."""
        account = self.company._stripe_cache_account()
        before = list(self.env.cr.postrollback._funcs)
        self.company._stripe_cache_on_write(account, "cus_rolled_back")
        [restamp] = [f for f in self.env.cr.postrollback._funcs if f not in before]
        self.env.cr.postrollback._funcs.remove(restamp)
        restamp()  # what the rollback does: in a transaction of its own
        query = "SELECT count(*) FROM helpdesk_stripe_cache_stamp WHERE customer_id=%s"
        with self.registry.cursor() as cr:
            cr.execute(query, ["cus_rolled_back"])
            self.assertEqual(cr.fetchone()[0], 1)
            cr.execute(
                "DELETE FROM helpdesk_stripe_cache_stamp WHERE customer_id=%s",
                ["cus_rolled_back"],
            )
