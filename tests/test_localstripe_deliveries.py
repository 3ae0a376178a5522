# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""localstripe's own signed webhook deliveries, end to end over HTTP."""

import time

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.helpdesk_stripe.tools.localstripe_webhooks import (
    register_company_webhook,
    unregister_company_webhook,
)

from .events_common import SECRET, StripeEventsMixin

FAILING_IBAN = "DE62370400440532013001"


@tagged("post_install", "-at_install")
class TestLocalstripeDeliveries(StripeEventsMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe_events()
        cls.seeder.plan("pro-monthly-usd", "Pro", 2900, "usd", nickname="Pro monthly")
        cls.seeder.plan("team-monthly-eur", "Team", 1900, "eur", nickname="Team")

    def setUp(self):
        super().setUp()
        self.customer = self.seeded_customer()
        self.cus = self.customer["id"]
        self.ticket = self.linked_ticket(self.cus)
        # localstripe sends each event a second after the change, to the hooks
        # registered then: the setup's own events go nowhere.
        time.sleep(1.2)
        register_company_webhook(
            self.localstripe.url, self.base_url(), self.company.id, SECRET
        )
        self.addCleanup(
            unregister_company_webhook, self.localstripe.url, self.company.id
        )

    def wait_for(self, types, timeout=20):
        """The company's stored events once all ``types`` arrived."""
        Event = self.env["helpdesk.stripe.event"]
        deadline = time.monotonic() + timeout
        while True:
            with self.registry.test_lock:  # no request runs meanwhile
                self.env.invalidate_all()
                events = Event.search([("company_id", "=", self.company.id)])
                seen = set(events.mapped("event_type"))
            if types <= seen:
                break
            if time.monotonic() > deadline:
                self.fail(f"localstripe delivered {seen or 'nothing'}, not {types}")
            time.sleep(0.25)
        # Stop the deliveries and let those under way finish: from here on the
        # test uses the cursor that the server thread would share.
        unregister_company_webhook(self.localstripe.url, self.company.id)
        time.sleep(0.5)
        self.registry.test_lock.acquire()
        self.addCleanup(self.registry.test_lock.release)
        self.env.invalidate_all()
        return Event.search([("company_id", "=", self.company.id)])

    def test_dashboard_cancellation_noted(self):
        sub = self.seeder.subscribe(self.cus, "pro-monthly-usd")
        self.seeder.cancel(sub["id"])  # straight against Stripe, not from Odoo
        events = self.wait_for(
            {"invoice.payment_succeeded", "customer.subscription.deleted"}
        )
        self.assertTrue(all(e.state == "pending" for e in events))
        self.process()
        deleted = events.filtered(
            lambda e: e.event_type == "customer.subscription.deleted"
        )
        self.assertEqual(deleted.state, "done", deleted.message)
        self.assertEqual(deleted.customer_id, self.cus)
        bodies = self.stripe_notes(self.ticket).mapped("body")
        self.assertEqual(len(bodies), 2, bodies)
        canceled = next(b for b in bodies if "subscription canceled" in b)
        self.assertIn("Pro monthly (29.00 USD / month)", canceled)
        self.assertTrue(any("Stripe: invoice paid (29.00 USD)" in b for b in bodies))

    def test_cancel_from_odoo_noted_once(self):
        # localstripe's events name neither the request's idempotency key nor
        # metadata: the dialog that cancelled is what tells them apart.
        sub = self.seeder.subscribe(self.cus, "pro-monthly-usd")
        manager = new_test_user(
            self.env,
            login="hs_events_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            name="Events Manager",
        )
        with self.registry.test_lock:  # no webhook request runs meanwhile
            ticket = self.ticket.with_user(manager)
            action = ticket.action_stripe_cancel_subscription(sub["id"])
            wizard = self.env[action["res_model"]].browse(action["res_id"])
            wizard = wizard.with_user(manager)
            wizard.write({"when": "now", "internal_reason": "Moving away"})
            wizard.action_confirm()
            self.env.flush_all()
        events = self.wait_for({"customer.subscription.deleted"})
        self.process()
        deleted = events.filtered(
            lambda e: e.event_type == "customer.subscription.deleted"
        )
        self.assertEqual(deleted.state, "ignored", deleted.message)
        self.assertIn("Made from Odoo", deleted.message)
        bodies = self.ticket.message_ids.filtered(
            lambda m: "ubscription" in (m.body or "")
        ).mapped("body")
        self.assertEqual(len(bodies), 1, bodies)
        self.assertIn("Cancelled Stripe subscription", bodies[0])

    def test_failed_direct_debit_noted(self):
        # localstripe fails a SEPA debit from this IBAN a moment later, then
        # cancels the subscription, as Stripe does after the last retry.
        mandate = self.seeder.post(
            "/v1/payment_methods",
            type="sepa_debit",
            **{
                "sepa_debit[iban]": FAILING_IBAN,
                "billing_details[name]": "Ada Lovelace",
                "billing_details[email]": "ada@example.com",
            },
        )
        self.seeder.post(
            f"/v1/payment_methods/{mandate['id']}/attach", customer=self.cus
        )
        self.seeder.post(
            f"/v1/customers/{self.cus}",
            **{"invoice_settings[default_payment_method]": mandate["id"]},
        )
        self.seeder.subscribe(self.cus, "team-monthly-eur")
        self.wait_for({"invoice.payment_failed", "customer.subscription.deleted"})
        self.process()
        bodies = self.stripe_notes(self.ticket).mapped("body")
        self.assertEqual(len(bodies), 2, bodies)
        failed = next(b for b in bodies if "invoice payment failed" in b)
        self.assertIn("19.00 EUR", failed)
        self.assertTrue(any("subscription canceled" in b for b in bodies))
