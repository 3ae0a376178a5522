# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .common import StripeTestMixin


@tagged("post_install", "-at_install")
class TestPanelTour(StripeTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()
        seeder = cls.seeder
        seeder.plan("pro-usd", "Pro", 2900, "usd", nickname="Pro monthly")
        customer = seeder.customer(
            "ada@example.com",
            "Ada <b>Lovelace</b>",
            **{"address[city]": "San Francisco", "address[country]": "US"},
        )
        seeder.card(customer["id"])
        seeder.subscribe(customer["id"], "pro-usd")
        charge = seeder.charge(customer["id"], 15000, "usd", "Onboarding")
        seeder.refund(charge["id"], 5000)
        cls.ticket = cls.make_ticket(partner_email="ada@example.com")
        cls.ticket._stripe_set_link(customer["id"], "email_exact", post_note=False)

    def test_panel_tour(self):
        self.start_tour(
            f"/odoo/helpdesk.ticket/{self.ticket.id}",
            "helpdesk_stripe_panel_tour",
            login="admin",
        )
