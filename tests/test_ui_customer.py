# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .common import StripeTestMixin


@tagged("post_install", "-at_install")
class TestCustomerTour(StripeTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe()
        cls.company.stripe_autolink_enabled = False
        cls.seeder.plan("pro-monthly", "Pro", 2900, "usd", nickname="Pro monthly")
        cls.customer = cls.seeder.customer("ada@example.com", "Ada Lovelace")
        cls.seeder.card(cls.customer["id"])
        cls.seeder.subscribe(cls.customer["id"], "pro-monthly")
        partner = cls.env["res.partner"].create(
            {"name": "Ada", "email": "ada@example.com"}
        )
        cls.ticket = cls.make_ticket(partner_id=partner.id)

    def test_search_link_and_update_through_the_ui(self):
        self.start_tour(
            f"/odoo/helpdesk.ticket/{self.ticket.id}",
            "helpdesk_stripe_customer_tour",
            login="hs_manager",
        )
        self.assertEqual(self.ticket.stripe_customer_id, self.customer["id"])
        self.assertEqual(self.ticket.stripe_link_method, "manual")
        stored = self.seeder.get(f"/v1/customers/{self.customer['id']}")
        self.assertEqual(stored["name"], "Ada King")

    def test_choose_among_customers_sharing_the_email(self):
        twins = [
            self.seeder.customer("dana@example.com", name)
            for name in ("Dana Scully", "Dana <b>Old</b>")
        ]
        self.company.stripe_autolink_enabled = True
        ticket = self.make_ticket(partner_email="dana@example.com")
        self.run_autolink()
        self.assertEqual(ticket.stripe_link_state, "ambiguous")
        self.start_tour(
            f"/odoo/helpdesk.ticket/{ticket.id}",
            "helpdesk_stripe_candidates_tour",
            login="hs_agent",
        )
        self.assertEqual(ticket.stripe_customer_id, twins[1]["id"])
