# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .common_actions import StripeActionsMixin


@tagged("post_install", "-at_install")
class TestTourActions(StripeActionsMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_billing()
        customer = cls.seed_customer("tour@example.com", "Tori Tour")
        cls.charge = cls.seed_charge(customer, 5000, "usd")
        cls.sub = cls.seed_subscription(customer, 3000, "usd")
        cls.ticket = cls.linked_ticket(customer["id"])

    def test_refund_and_cancel_through_the_panel(self):
        self.start_tour(
            f"/odoo/helpdesk.ticket/{self.ticket.id}",
            "helpdesk_stripe_actions_tour",
            login="hs_billing",
        )
        [refund] = self.stripe_refunds(self.charge["id"])
        self.assertEqual(refund["amount"], 1250)
        self.assertEqual(self.stripe_subscription(self.sub["id"])["status"], "canceled")
        invoices = self.seeder.get("/v1/invoices", subscription=self.sub["id"])
        sub_charge = invoices["data"][0]["charge"]["id"]
        self.assertEqual(self.stripe_refunds(sub_charge)[0]["amount"], 3000)
        notes = self.notes(self.ticket)
        self.assertEqual(len(notes), 2)
        self.assertTrue(
            all(n.author_id == self.billing_agent.partner_id for n in notes)
        )
