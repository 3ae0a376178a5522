# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import time
from datetime import datetime, timezone

from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .events_common import StripeEventsMixin, make_event


@tagged("post_install", "-at_install")
class TestDisputeTickets(StripeEventsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_stripe_events()
        cls.dispute_team = cls.env["helpdesk.ticket.team"].create(
            {"name": "Disputes", "user_id": cls.helpdesk_manager.id}
        )
        cls.due_by = int(time.time()) + 7 * 86400

    def setUp(self):
        super().setUp()
        self.customer = self.seeded_customer("chargeback@example.com", "Carla Back")
        self.cus = self.customer["id"]
        self.charge = self.seeder.charge(self.cus, 4500, "eur", "Extra seats")

    def dispute_event(self):
        dispute = {
            "id": f"du_{self.charge['id']}",
            "object": "dispute",
            "amount": 4500,
            "currency": "eur",
            "charge": self.charge["id"],
            "payment_intent": None,
            "reason": "product_not_received",
            "status": "needs_response",
            "evidence_details": {"due_by": self.due_by, "has_evidence": False},
            "metadata": {},
        }
        return make_event("charge.dispute.created", dispute)

    def enable(self, team=None):
        self.company.write(
            {
                "stripe_dispute_tickets_enabled": True,
                "stripe_dispute_team_id": (team or self.dispute_team).id,
            }
        )

    def tickets_of_customer(self):
        return self.env["helpdesk.ticket"].search(
            [("stripe_customer_id", "=", self.cus)]
        )

    def test_dispute_opens_ticket_with_deadline(self):
        partner = self.env["res.partner"].create(
            {"name": "Carla Back", "email": "chargeback@example.com"}
        )
        partner.with_company(self.company).stripe_customer_id = self.cus
        self.enable()
        record = self.deliver(self.dispute_event())
        self.assertEqual(record.state, "done", record.message)
        ticket = self.tickets_of_customer()
        self.assertEqual(len(ticket), 1)
        self.assertEqual(record.ticket_ids, ticket)
        self.assertEqual(ticket.team_id, self.dispute_team)
        self.assertEqual(ticket.company_id, self.company)
        self.assertEqual(ticket.partner_id, partner)
        self.assertEqual(ticket.stripe_link_state, "linked")
        self.assertEqual(ticket.stripe_link_method, "stripe_event")
        self.assertEqual(ticket.name, "Dispute: 45.00 EUR (product not received)")
        self.assertIn("Extra seats", ticket.description)
        due = datetime.fromtimestamp(self.due_by, tz=timezone.utc).replace(tzinfo=None)
        self.assertEqual(ticket.stripe_dispute_due_date, due)
        [activity] = ticket.activity_ids
        self.assertEqual(activity.date_deadline, due.date())
        self.assertEqual(activity.user_id, self.helpdesk_manager)
        self.assertIn("dispute evidence", activity.summary)

    def test_dispute_ticket_without_contact_uses_stripe_customer(self):
        self.enable()
        self.deliver(self.dispute_event())
        ticket = self.tickets_of_customer()
        self.assertFalse(ticket.partner_id)
        self.assertEqual(ticket.partner_name, "Carla Back")
        self.assertEqual(ticket.partner_email, "chargeback@example.com")

    def test_dispute_noted_on_open_ticket_instead(self):
        self.enable()
        existing = self.linked_ticket(self.cus, user_id=self.helpdesk_user.id)
        record = self.deliver(self.dispute_event())
        self.assertEqual(record.ticket_ids, existing)
        self.assertEqual(self.tickets_of_customer(), existing, "no new ticket")
        [note] = self.stripe_notes(existing)
        self.assertIn("Stripe: payment disputed (45.00 EUR)", note.body)
        self.assertIn("product not received", note.body)
        self.assertTrue(existing.stripe_dispute_due_date)
        self.assertEqual(existing.activity_ids.user_id, self.helpdesk_user)

    def test_disputes_do_not_open_tickets_by_default(self):
        self.assertFalse(self.company.stripe_dispute_tickets_enabled)
        record = self.deliver(self.dispute_event())
        self.assertEqual(record.state, "ignored")
        self.assertFalse(self.tickets_of_customer())

    def test_dispute_ticket_even_with_notes_off(self):
        self.enable()
        self.company.stripe_event_notes_enabled = False
        self.deliver(self.dispute_event())
        self.assertEqual(len(self.tickets_of_customer()), 1)

    def test_replayed_dispute_opens_one_ticket(self):
        self.enable()
        event = self.dispute_event()
        self.deliver(event)
        self.assertEqual(self.receive(event), 200)
        self.process()
        self.assertEqual(len(self.tickets_of_customer()), 1)
        self.assertEqual(
            self.Event.sudo().search_count([("event_id", "=", event["id"])]), 1
        )
