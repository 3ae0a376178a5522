# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import config

from odoo.addons.helpdesk_stripe.tools.localstripe_process import free_port

from .events_common import SECRET, StripeEventsMixin, make_event


@tagged("post_install", "-at_install")
class TestWebhookSettings(StripeEventsMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe_events()

    def settings(self, **values):
        return self.env["res.config.settings"].create(values)

    def test_setup_help(self):
        self.env["ir.config_parameter"].set_param(
            "web.base.url", "https://help.example.com/"
        )
        settings = self.settings()
        self.assertEqual(
            settings.stripe_webhook_url,
            f"https://help.example.com/helpdesk_stripe/webhook/{self.company.id}",
        )
        for event_type in (
            "charge.refunded",
            "refund.created",
            "customer.subscription.updated",
            "customer.subscription.deleted",
            "invoice.payment_failed",
            "invoice.paid",
            "charge.dispute.created",
        ):
            self.assertIn(event_type, settings.stripe_webhook_events)
        self.assertFalse(settings.stripe_last_event_type)
        self.receive(make_event("invoice.paid", {"id": "in_1", "object": "invoice"}))
        settings = self.settings()
        self.assertEqual(settings.stripe_last_event_type, "invoice.paid")
        self.assertTrue(settings.stripe_last_event_date)

    def test_secret_saved_and_never_read_back(self):
        settings = self.settings(stripe_webhook_secret_input="whsec_brand_new_secret")
        settings.execute()
        self.assertEqual(
            self.company.sudo().stripe_webhook_secret, "whsec_brand_new_secret"
        )
        again = self.settings()
        self.assertFalse(again.stripe_webhook_secret_input)
        self.assertTrue(again.stripe_webhook_secret_set)
        self.assertNotIn(
            "whsec_brand_new_secret", str(again.read()), "never sent to the browser"
        )

    def test_not_a_signing_secret(self):
        settings = self.settings(stripe_webhook_secret_input="sk_test_oops12345")
        with self.assertRaisesRegex(UserError, "not a Stripe signing secret"):
            settings.execute()
        self.assertEqual(self.company.sudo().stripe_webhook_secret, SECRET)

    def test_only_admins_set_the_secret(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.helpdesk_manager)._stripe_set_webhook_secret(
                "whsec_from_an_agent"
            )
        self.assertEqual(self.company.sudo().stripe_webhook_secret, SECRET)

    def test_send_test_event(self):
        action = self.settings().action_stripe_webhook_test()
        params = action["params"]
        self.assertEqual(params["type"], "success", params["message"])
        self.assertIn("verified", params["message"])
        self.assertFalse(self.env["helpdesk.stripe.event"].search([]))

    def test_send_test_event_reports_failure(self):
        with patch.dict(config.options, {"http_port": free_port()}):
            action = self.settings().action_stripe_webhook_test()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("Nothing answered", action["params"]["message"])

    def test_send_test_event_with_wrong_stored_secret_is_refused(self):
        # Stripe's endpoint secret differs from Odoo's: the check says so.
        settings = self.settings()
        with patch(
            "odoo.addons.helpdesk_stripe.stripe_gateway.webhooks.sign",
            side_effect=lambda body, secret, timestamp=None: "t=1,v1=00",
        ):
            action = settings.action_stripe_webhook_test()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("400", action["params"]["message"])

    def test_forget_secret(self):
        self.settings().action_stripe_webhook_forget()
        self.assertFalse(self.company.sudo().stripe_webhook_secret)
        with self.assertRaisesRegex(UserError, "signing secret first"):
            self.settings().action_stripe_webhook_test()
