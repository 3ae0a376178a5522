# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Refunds end to end against localstripe, and every bad input."""

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .common_actions import StripeActionsMixin


@tagged("post_install", "-at_install")
class TestRefund(StripeActionsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_billing()
        cls.customer = cls.seed_customer()

    def setUp(self):
        super().setUp()
        self.charge = self.seed_charge(self.customer, 5000, "usd")
        self.ticket = self.linked_ticket(self.customer["id"])

    def assert_nothing_done(self, charge_id, notes_before=0):
        self.assertEqual(self.stripe_refunds(charge_id), [])
        self.assertEqual(len(self.notes(self.ticket)), notes_before)

    def test_partial_refund_end_to_end(self):
        wizard = self.open_refund(self.ticket, self.charge["id"])
        self.assertEqual(wizard.amount, "50.00", "prefilled with what remains")
        self.assertEqual(wizard.refundable_display, "50.00 USD")
        self.assertEqual(wizard.charge_description, "Order 42")
        wizard.write({"amount": "12.50", "internal_reason": "Charged twice"})
        self.assertEqual(
            wizard.summary,
            f"Stripe will refund 12.50 USD of payment {self.charge['id']} to the "
            "customer's original payment method. No reason is sent to Stripe. "
            "37.50 USD will remain refundable. An internal note will be posted on "
            f"ticket {self.ticket.number}.",
        )
        action = wizard.action_confirm()
        self.assertEqual(action["type"], "ir.actions.act_window_close")
        self.assertTrue(action["infos"]["helpdesk_stripe_done"])

        [refund] = self.stripe_refunds(self.charge["id"])
        self.assertEqual(refund["amount"], 1250)
        self.assertEqual(self.stripe_charge(self.charge["id"])["amount_refunded"], 1250)
        metadata = refund["metadata"]
        self.assertEqual(metadata["helpdesk_ticket_id"], str(self.ticket.id))
        self.assertEqual(metadata["helpdesk_ticket_number"], self.ticket.number)
        self.assertEqual(metadata["odoo_user"], "hs_billing")
        self.assertEqual(metadata["internal_reason"], "Charged twice")
        self.assertTrue(metadata["helpdesk_action_key"].startswith("hd-"))
        self.assertNotIn("stripe_reason", metadata)

        [note] = self.notes(self.ticket)
        body = str(note.body)
        self.assertIn(f"Refunded 12.50 USD of Stripe payment {self.charge['id']}", body)
        self.assertIn(f"Refund: {refund['id']} (succeeded), 12.50 USD", body)
        self.assertIn("Reason for Stripe: None", body)
        self.assertIn("Internal reason: Charged twice", body)
        self.assertIn("By: Billing Agent (hs_billing)", body)
        self.assertEqual(note.author_id, self.billing_agent.partner_id)
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.refund_id, refund["id"])

        data = self.ticket.with_user(self.billing_agent).stripe_panel_data()
        payment = next(
            p for p in data["payments"]["data"] if p["id"] == refund["charge"]
        )
        self.assertEqual(payment["refundable_display"], "37.50 USD")

    def test_agent_without_email_still_gets_the_note(self):
        # message_post refuses authors without an email: the refund is made
        # by then, so its note must not be lost.
        agent = self.billing_agent
        agent.partner_id.email = False
        wizard = self.open_refund(self.ticket, self.charge["id"], user=agent)
        wizard.write({"amount": "5", "internal_reason": "Goodwill"})
        wizard.action_confirm()
        [refund] = self.stripe_refunds(self.charge["id"])
        [note] = self.notes(self.ticket)
        self.assertIn(refund["id"], str(note.body))
        self.assertEqual(note.author_id, agent.partner_id)

    def test_full_refund_from_python_with_stripe_reason(self):
        # As a server action would: no amount means what remains refundable.
        wizard = (
            self.env["helpdesk.stripe.refund.wizard"]
            .with_user(self.helpdesk_manager)
            .create(
                {
                    "ticket_id": self.ticket.id,
                    "charge_id": self.charge["id"],
                    "stripe_reason": "requested_by_customer",
                    "internal_reason": "Goodwill",
                }
            )
        )
        wizard.action_confirm()
        [refund] = self.stripe_refunds(self.charge["id"])
        self.assertEqual(refund["amount"], 5000)
        self.assertTrue(self.stripe_charge(self.charge["id"])["refunded"])
        # localstripe refuses `reason`: the gateway keeps it in the metadata.
        self.assertEqual(refund["metadata"]["stripe_reason"], "requested_by_customer")
        self.assertEqual(refund["metadata"]["odoo_user"], "hs_manager")
        self.assertIn(
            "Reason for Stripe: Requested by customer", self.notes(self.ticket).body
        )

    def test_zero_decimal_and_three_decimal_currencies(self):
        jpy = self.seed_charge(self.customer, 1200, "jpy")
        wizard = self.open_refund(self.ticket, jpy["id"])
        self.assertEqual(wizard.amount, "1200")
        self.assertEqual(wizard.refundable_display, "1,200 JPY")
        wizard.write({"amount": "10.5", "internal_reason": "Test"})
        self.assertEqual(wizard.summary, "JPY amounts have no decimals.")
        with self.assertRaisesRegex(UserError, "JPY amounts have no decimals"):
            wizard.action_confirm()
        wizard.amount = "1,000"
        wizard.action_confirm()
        self.assertEqual(self.stripe_refunds(jpy["id"])[0]["amount"], 1000)

        bhd = self.seed_charge(self.customer, 12345, "bhd")
        wizard = self.open_refund(self.ticket, bhd["id"])
        self.assertEqual(wizard.amount, "12.345")
        wizard.write({"amount": "1.2345", "internal_reason": "Test"})
        with self.assertRaisesRegex(UserError, "BHD amounts have at most 3 decimals"):
            wizard.action_confirm()
        self.assertEqual(self.stripe_refunds(bhd["id"]), [])
        wizard.amount = "1.234"
        wizard.action_confirm()
        self.assertEqual(self.stripe_refunds(bhd["id"])[0]["amount"], 1234)
        self.assertIn("Refunded 1.234 BHD", self.notes(self.ticket)[0].body)

    def test_bad_amounts(self):
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.internal_reason = "Test"
        cases = {
            "0": "must be more than zero",
            "0.00": "must be more than zero",
            "-5": "cannot be negative",
            "abc": "“abc” is not an amount",
            "12,5x": "is not an amount",
            "": "Enter the amount to refund",
            "50.01": r"at most 50\.00 USD of this payment; 50\.01 USD is more",
            "1.005": "USD amounts have at most 2 decimals",
            "NaN": "is not an amount",
            "10,50": "use a dot for decimals, like 10.50",
            "1e1": "is not an amount",
        }
        for text, message in cases.items():
            with self.subTest(amount=text):
                wizard.amount = text
                with self.assertRaisesRegex(UserError, message):
                    wizard.action_confirm()
        self.assert_nothing_done(self.charge["id"])
        self.assertEqual(wizard.state, "draft")

    def test_internal_reason_required(self):
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.internal_reason = "   "
        with self.assertRaisesRegex(UserError, "Give the internal reason"):
            wizard.action_confirm()
        self.assert_nothing_done(self.charge["id"])

    def test_fully_refunded_payment(self):
        self.seeder.refund(self.charge["id"])
        with self.assertRaisesRegex(UserError, "already fully refunded"):
            self.open_refund(self.ticket, self.charge["id"])

    def test_refunded_elsewhere_while_the_dialog_was_open(self):
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.internal_reason = "Late"
        self.seeder.refund(self.charge["id"], 2000)
        with self.assertRaisesRegex(UserError, r"at most 30\.00 USD of this payment"):
            wizard.action_confirm()
        self.seeder.refund(self.charge["id"])
        with self.assertRaisesRegex(UserError, "already fully refunded"):
            wizard.action_confirm()
        self.assertEqual(len(self.stripe_refunds(self.charge["id"])), 2)
        self.assertFalse(self.notes(self.ticket))

    def test_failed_payment(self):
        customer = self.seed_customer("failing@example.com", "Fay Ling")
        failed = self.seed_failed_charge(customer)
        ticket = self.linked_ticket(customer["id"])
        with self.assertRaisesRegex(UserError, "failed: there is nothing to refund"):
            self.open_refund(ticket, failed["id"])

    def test_payment_of_another_customer(self):
        other = self.seed_customer("other@example.com", "Other")
        charge = self.seed_charge(other)
        with self.assertRaisesRegex(UserError, "does not belong to this ticket"):
            self.open_refund(self.ticket, charge["id"])
        with self.assertRaisesRegex(UserError, "no such object"):
            self.open_refund(self.ticket, "ch_doesnotexist")

    def test_customer_deleted_in_stripe(self):
        customer = self.seed_customer("gone@example.com", "Gone")
        charge = self.seed_charge(customer)
        ticket = self.linked_ticket(customer["id"])
        wizard = self.open_refund(ticket, charge["id"])
        wizard.internal_reason = "Test"
        self.delete_customer(customer)
        with self.assertRaisesRegex(UserError, "no longer exists in Stripe"):
            wizard.action_confirm()
        self.assertEqual(self.stripe_refunds(charge["id"]), [])
        self.assertFalse(self.notes(ticket))

    def test_key_revoked_mid_action(self):
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.internal_reason = "Test"
        self.revoke_key()
        with self.assertRaisesRegex(UserError, "Stripe refused the API key"):
            wizard.action_confirm()
        self.assert_nothing_done(self.charge["id"])
        self.assertEqual(wizard.state, "draft")
