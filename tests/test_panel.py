# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.tools.localstripe_process import free_port

from .common import StripeTestMixin


@tagged("post_install", "-at_install")
class TestPanel(StripeTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()
        seeder = cls.seeder
        seeder.plan("pro-usd", "Pro", 2900, "usd", nickname="Pro monthly")
        cls.customer = seeder.customer(
            "ada@example.com",
            "Ada <b>Lovelace</b> & Co",
            phone="+14155550101",
            **{
                "address[line1]": "12 Analytical Row",
                "address[city]": "San Francisco",
                "address[postal_code]": "94107",
                "address[country]": "US",
            },
        )
        seeder.card(cls.customer["id"])
        cls.subscription = seeder.subscribe(cls.customer["id"], "pro-usd")
        charge = seeder.charge(cls.customer["id"], 15000, "usd", "Onboarding")
        seeder.refund(charge["id"], 5000)
        cls.ticket = cls.make_ticket(partner_email="ada@example.com")
        cls.ticket._stripe_set_link(cls.customer["id"], "manual", post_note=False)

    def test_linked_ticket_shows_everything(self):
        data = self.ticket.with_user(self.helpdesk_user).stripe_panel_data()
        self.assertEqual(data["state"], "ok")
        customer = data["customer"]
        # Raw text: the OWL template escapes it (t-esc), never markup here.
        self.assertEqual(customer["name"], "Ada <b>Lovelace</b> & Co")
        self.assertEqual(customer["phone"], "+14155550101")
        self.assertEqual(
            customer["address_lines"],
            ["12 Analytical Row", "94107 San Francisco", "US"],
        )
        self.assertEqual(
            customer["dashboard_url"],
            f"https://dashboard.stripe.com/test/customers/{self.customer['id']}",
        )
        [sub] = data["subscriptions"]
        self.assertEqual(sub["status"], "active")
        self.assertEqual(sub["label"], "Pro monthly")
        self.assertEqual(sub["amount_display"], "29.00 USD")
        self.assertEqual(sub["interval_display"], "month")
        self.assertTrue(sub["period_end_display"])
        self.assertFalse(sub["cancel_at_period_end"])
        payments = {p["amount_display"]: p for p in data["payments"]["data"]}
        self.assertEqual(set(payments), {"29.00 USD", "150.00 USD"})
        onboarding = payments["150.00 USD"]
        self.assertEqual(onboarding["refunded_display"], "50.00 USD")
        self.assertEqual(onboarding["refundable"], 10000)
        self.assertEqual(onboarding["description"], "Onboarding")
        [invoice] = data["invoices"]["data"]
        self.assertEqual(invoice["status"], "paid")
        self.assertEqual(invoice["total_display"], "29.00 USD")
        self.assertTrue(invoice["paid_display"])
        self.assertFalse(data["payments"]["has_more"])

    def test_zero_decimal_currency(self):
        self.seeder.plan("basic-jpy", "Basic", 1200, "jpy")
        customer = self.seeder.customer("chie@example.jp", "佐藤 千恵")
        self.seeder.card(customer["id"])
        self.seeder.subscribe(customer["id"], "basic-jpy")
        ticket = self.make_ticket(partner_email="other@example.com")
        ticket._stripe_set_link(customer["id"], "manual", post_note=False)
        data = ticket.stripe_panel_data()
        self.assertEqual(data["customer"]["name"], "佐藤 千恵")
        self.assertEqual(data["subscriptions"][0]["amount_display"], "1,200 JPY")
        self.assertEqual(data["payments"]["data"][0]["amount_display"], "1,200 JPY")

    def test_load_more_payments(self):
        customer = self.seeder.customer("many@example.com", "Many")
        self.seeder.card(customer["id"])
        for amount in range(100, 1300, 100):
            self.seeder.charge(customer["id"], amount, "usd")
        ticket = self.make_ticket(partner_email="x@example.com")
        ticket._stripe_set_link(customer["id"], "manual", post_note=False)
        data = ticket.stripe_panel_data()
        self.assertEqual(len(data["payments"]["data"]), 10)
        self.assertTrue(data["payments"]["has_more"])
        more = ticket.stripe_panel_more("payments", data["payments"]["next_cursor"])
        self.assertEqual(len(more["data"]), 2)
        self.assertFalse(more["has_more"])
        ids = {p["id"] for p in data["payments"]["data"] + more["data"]}
        self.assertEqual(len(ids), 12)

    def test_empty_states(self):
        unlinked = self.make_ticket(partner_email="nobody@example.com")
        data = unlinked.stripe_panel_data()
        # The agent is looking: the queued lookup runs now.
        self.assertEqual(data["state"], "not_found")
        no_email = self.make_ticket(partner_name="Someone")
        self.assertEqual(no_email.stripe_panel_data()["state"], "no_email")
        self.company.stripe_autolink_enabled = False
        bare = self.make_ticket(partner_email="x@example.com")
        self.assertEqual(bare.stripe_link_state, "none")
        self.assertEqual(bare.stripe_panel_data()["state"], "unlinked")
        self.company.stripe_autolink_enabled = True
        lonely = self.seeder.customer("lonely@example.com", "Lonely")
        ticket = self.make_ticket(partner_email="y@example.com")
        ticket._stripe_set_link(lonely["id"], "manual", post_note=False)
        data = ticket.stripe_panel_data()
        self.assertEqual(data["state"], "ok")
        self.assertEqual(data["subscriptions"], [])
        self.assertEqual(data["payments"]["data"], [])
        self.assertEqual(data["invoices"]["data"], [])

    def test_pending_ticket_links_when_opened(self):
        ticket = self.make_ticket(partner_email="ada@example.com")
        self.assertEqual(ticket.stripe_link_state, "pending")
        data = ticket.stripe_panel_data()
        self.assertEqual(data["state"], "ok")
        self.assertEqual(ticket.stripe_customer_id, self.customer["id"])

    def test_customer_deleted_in_stripe(self):
        gone = self.seeder.customer("gone@example.com", "Gone")
        ticket = self.make_ticket(partner_email="gone@example.com")
        ticket._stripe_set_link(gone["id"], "manual", post_note=False)
        self.seeder.request("DELETE", f"/v1/customers/{gone['id']}")
        data = ticket.stripe_panel_data()
        self.assertEqual(data["state"], "deleted")
        self.assertIn(gone["id"], data["message"])

    def test_stripe_down_is_an_error_state_not_a_traceback(self):
        self.company.sudo().stripe_api_base = f"http://127.0.0.1:{free_port()}"
        data = self.ticket.stripe_panel_data()
        self.assertEqual(data["state"], "error")
        self.assertIn("could not be reached", data["message"])

    def test_revoked_key_is_an_error_state(self):
        self.company.sudo().stripe_secret_key = "rk_test_revokedkey1234"
        data = self.ticket.stripe_panel_data()
        self.assertEqual(data["state"], "error")
        self.assertIn("refused the API key", data["message"])

    def test_not_connected(self):
        self.company.sudo()._stripe_disconnect()
        data = self.ticket.stripe_panel_data()
        self.assertEqual(data["state"], "not_connected")

    def test_no_key_in_the_panel_data(self):
        data = self.ticket.stripe_panel_data()
        self.assertNotIn(self.company.sudo().stripe_secret_key, repr(data))

    def test_access_is_checked(self):
        outsider = new_test_user(
            self.env, login="hs_outsider", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.ticket.with_user(outsider).stripe_panel_data()
        own_only = new_test_user(
            self.env, login="hs_own", groups="helpdesk_mgmt.group_helpdesk_user_own"
        )
        with self.assertRaises(AccessError):
            self.ticket.with_user(own_only).stripe_panel_data()

    def test_ticket_from_before_auto_link_is_looked_up_when_opened(self):
        self.company.stripe_autolink_enabled = False
        ticket = self.make_ticket(partner_email="ada@example.com")
        self.assertEqual(ticket.stripe_link_state, "none")
        self.company.stripe_autolink_enabled = True
        data = ticket.stripe_panel_data()
        self.assertEqual(data["state"], "ok")
        self.assertEqual(ticket.stripe_customer_id, self.customer["id"])
        self.assertEqual(ticket.stripe_link_method, "email_exact")

    def test_lookup_on_open_during_an_outage_leaves_the_queue_alone(self):
        ticket = self.make_ticket(partner_email="ada@example.com")
        other = self.make_ticket(partner_email="other@example.com")
        self.company.sudo().stripe_api_base = f"http://127.0.0.1:{free_port()}"
        data = ticket.stripe_panel_data()
        self.assertEqual(data["state"], "pending")
        self.assertIn("could not be reached", data["message"])
        # No backoff step for the agent's try, and no other ticket postponed.
        for queued in ticket | other:
            self.assertEqual(queued.stripe_link_state, "pending")
            self.assertEqual(queued.stripe_link_attempts, 0)
            self.assertFalse(queued.stripe_link_error)

    def test_backing_off_ticket_waits_unless_refreshed(self):
        ticket = self.make_ticket(partner_email="ada@example.com")
        ticket.write(
            {
                "stripe_link_attempts": 2,
                "stripe_link_next_try": "2099-01-01 00:00:00",
                "stripe_link_error": "Stripe could not be reached.",
            }
        )
        gateway_cls = type(self.company._stripe_gateway())
        lookups = []
        original = gateway_cls.find_customers_by_email

        def counting(gateway, email, **kwargs):
            lookups.append(email)
            return original(gateway, email, **kwargs)

        self.patch(gateway_cls, "find_customers_by_email", counting)
        data = ticket.stripe_panel_data()
        self.assertEqual(data["state"], "pending")
        self.assertEqual(data["message"], "Stripe could not be reached.")
        self.assertEqual(lookups, [])
        data = ticket.stripe_panel_data(refresh=True)
        self.assertEqual(lookups, ["ada@example.com"])
        self.assertEqual(data["state"], "ok")

    def test_panel_reads_wait_less_than_background_work(self):
        gateway_cls = type(self.company._stripe_gateway())
        built = []
        original = gateway_cls.__init__

        def recording(gateway, *args, **kwargs):
            original(gateway, *args, **kwargs)
            built.append((gateway.timeout, gateway.read_retries))

        self.patch(gateway_cls, "__init__", recording)
        self.ticket.stripe_panel_data(refresh=True)
        self.assertEqual(built, [(5.0, 1)])

    def test_more_live_subscriptions_than_stripe_embeds(self):
        seeder = self.seeder
        seeder.plan("seat-usd", "Seat", 100, "usd", nickname="Seat")
        customer = seeder.customer("seats@example.com", "Seats")
        seeder.card(customer["id"])
        ticket = self.make_ticket(partner_email="seats@example.com")
        ticket._stripe_set_link(customer["id"], "manual", post_note=False)
        self.assertEqual(ticket.stripe_panel_data()["subscriptions_more_url"], "")
        for _ in range(11):
            seeder.subscribe(customer["id"], "seat-usd")
        data = ticket.stripe_panel_data(refresh=True)
        self.assertEqual(len(data["subscriptions"]), 10)
        self.assertEqual(
            data["subscriptions_more_url"],
            "https://dashboard.stripe.com/test/subscriptions?customer="
            + customer["id"],
        )

    def test_canceled_subscriptions_on_demand(self):
        seeder = self.seeder
        seeder.plan("basic-usd", "Basic", 900, "usd", nickname="Basic")
        customer = seeder.customer("grace@example.com", "Grace")
        seeder.card(customer["id"])
        live = seeder.subscribe(customer["id"], "pro-usd")
        gone = seeder.subscribe(customer["id"], "basic-usd")
        seeder.cancel(gone["id"])
        ticket = self.make_ticket(partner_email="grace@example.com")
        ticket._stripe_set_link(customer["id"], "manual", post_note=False)
        data = ticket.stripe_panel_data()
        self.assertEqual([s["id"] for s in data["subscriptions"]], [live["id"]])
        canceled = ticket.with_user(
            self.helpdesk_user
        ).stripe_panel_canceled_subscriptions()
        [row] = canceled["data"]
        self.assertEqual(row["id"], gone["id"])
        self.assertEqual(row["status"], "canceled")
        self.assertEqual(row["amount_display"], "9.00 USD")
        self.assertTrue(row["canceled_at_display"])
        self.assertEqual(canceled["limit"], 20)
        outsider = new_test_user(
            self.env, login="hs_outsider2", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            ticket.with_user(outsider).stripe_panel_canceled_subscriptions()
