# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .events_common import StripeEventsMixin


@tagged("post_install", "-at_install")
class TestWebhookSettingsTour(StripeEventsMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe_events()
        cls.Event.create(
            {
                "company_id": cls.company.id,
                "event_id": "evt_last",
                "event_type": "invoice.payment_succeeded",
                "state": "ignored",
            }
        )
        cls.company.sudo().stripe_webhook_secret = False

    def test_webhook_settings_tour(self):
        self.start_tour(
            "/odoo/settings#helpdesk_mgmt",
            "helpdesk_stripe_webhook_settings_tour",
            login="admin",
        )
        self.assertEqual(
            self.company.sudo().stripe_webhook_secret, "whsec_typed_in_the_browser"
        )
