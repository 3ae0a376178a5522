# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import time
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.stripe_gateway import StripeGateway, StripeGatewayError

from .common import StripeTestMixin
from .perf_common import clear_caches, count_stripe_calls


@tagged("post_install", "-at_install")
class TestBackfill(StripeTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()
        cls.customers = {
            f"old{i}@example.com": cls.seeder.customer(f"old{i}@example.com", "Old")[
                "id"
            ]
            for i in range(8)
        }
        # Tickets from before Stripe was connected: auto-link never saw them.
        cls.company.stripe_autolink_enabled = False
        emails = [*cls.customers, "stranger@example.com"]
        cls.old = cls.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Old {i}",
                    "description": "<p>Help</p>",
                    "team_id": cls.team.id,
                    "partner_email": emails[i % len(emails)],
                }
                for i in range(45)
            ]
        )
        cls.no_email = cls.make_ticket(name="No email")
        cls.linked = cls.make_ticket(
            partner_email="old0@example.com", stripe_customer_id="cus_chosen"
        )
        cls.company.stripe_autolink_enabled = True

    def setUp(self):
        super().setUp()
        clear_caches()
        self.addCleanup(clear_caches)

    def test_backfill_looks_each_email_up_once(self):
        self.assertEqual(set(self.old.mapped("stripe_link_state")), {"none"})
        self.company.stripe_backfill_rate = 1000
        with count_stripe_calls() as counter:
            action = (
                self.env["helpdesk.ticket"]
                .with_user(self.helpdesk_manager)
                .action_stripe_backfill()
            )
        self.assertEqual(counter.count, 0, "nothing is asked of Stripe in the request")
        self.assertIn("45 tickets", action["params"]["message"])
        self.assertEqual(set(self.old.mapped("stripe_link_state")), {"pending"})
        self.assertEqual(self.no_email.stripe_link_state, "no_email")
        self.assertEqual(self.linked.stripe_customer_id, "cus_chosen")

        # New tickets go first.
        fresh = self.make_ticket(partner_email="old7@example.com")
        with count_stripe_calls() as counter:
            self.run_autolink()
        self.assertEqual(
            sorted(counter.emails), sorted([*self.customers, "stranger@example.com"])
        )
        self.assertEqual(fresh.stripe_customer_id, self.customers["old7@example.com"])
        for ticket in self.old:
            email = ticket.partner_email
            if email in self.customers:
                self.assertEqual(ticket.stripe_customer_id, self.customers[email])
            else:
                self.assertEqual(ticket.stripe_link_state, "not_found")
        self.assertEqual(self.linked.stripe_customer_id, "cus_chosen")

        # Again: the not-found ones are tried again, the linked ones are left.
        action = self.env["helpdesk.ticket"].action_stripe_backfill()
        self.assertIn("5 tickets", action["params"]["message"])

    def test_request_rate(self):
        self.company.stripe_backfill_rate = 20
        self.old._stripe_queue_backfill()
        started = time.monotonic()
        with count_stripe_calls() as counter:
            self.run_autolink()
        elapsed = time.monotonic() - started
        # 8 emails found at once, the stranger's takes 2 requests (exact, then
        # search): 10 requests spaced by 1/20 s.
        self.assertEqual(counter.count, 10)
        self.assertGreaterEqual(elapsed, 9 / 20)

    def test_rate_limited_backfill_waits_as_told(self):
        self.company.stripe_backfill_rate = 1000
        self.old._stripe_queue_backfill()
        real_lookup = StripeGateway._find_customers_by_email
        asked = []

        def stripe_says_slow_down(gateway, email):
            asked.append(email)
            if len(asked) == 4:
                raise StripeGatewayError("rate_limit", "Too many", 429, retry_after=7)
            return real_lookup(gateway, email)

        now = fields.Datetime.now()
        with patch.object(
            StripeGateway, "_find_customers_by_email", stripe_says_slow_down
        ):
            self.run_autolink()
        self.assertEqual(len(asked), 4, "no request after the 429")
        linked = self.old.filtered("stripe_customer_id")
        self.assertEqual(len(linked), 3 * 5, "three emails, five tickets each")
        waiting = self.old - linked
        self.assertEqual(set(waiting.mapped("stripe_link_state")), {"pending"})
        for ticket in waiting:
            wait = (ticket.stripe_link_next_try - now).total_seconds()
            self.assertAlmostEqual(wait, 7, delta=2, msg="Retry-After is obeyed")
        with count_stripe_calls() as counter:
            self.run_autolink()
        self.assertEqual(counter.count, 0, "not before Stripe said")
        with freeze_time(now + timedelta(seconds=8)), count_stripe_calls() as counter:
            self.run_autolink()
        self.assertEqual(len(counter.emails), 9 - 3, "the others, once each")
        self.assertFalse(self.old.filtered(lambda t: t.stripe_link_state == "pending"))

    def test_selected_tickets_from_the_list(self):
        action = self.env.ref("helpdesk_stripe.action_server_stripe_backfill")
        self.assertEqual(action.binding_model_id.model, "helpdesk.ticket")
        result = action.with_context(
            active_model="helpdesk.ticket", active_ids=self.old[:3].ids
        ).run()
        self.assertIn("3 tickets", result["params"]["message"])
        self.assertEqual(self.old[3].stripe_link_state, "none")

    def test_settings_button(self):
        settings = self.env["res.config.settings"].create({})
        result = settings.action_stripe_backfill()
        self.assertIn("45 tickets", result["params"]["message"])

    def test_only_managers(self):
        with self.assertRaises(AccessError):
            self.env["helpdesk.ticket"].with_user(
                self.helpdesk_user
            ).action_stripe_backfill()
