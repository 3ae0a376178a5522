# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Cancelling subscriptions end to end against localstripe, and bad inputs."""

import time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.utils import format_ts_date

from .common_actions import StripeActionsMixin


@tagged("post_install", "-at_install")
class TestCancel(StripeActionsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_billing()
        cls.customer = cls.seed_customer("sub@example.com", "Sam Sub")

    def setUp(self):
        super().setUp()
        self.sub = self.seed_subscription(self.customer, 3000, "usd")
        self.ticket = self.linked_ticket(self.customer["id"])
        invoices = self.seeder.get("/v1/invoices", subscription=self.sub["id"])
        self.charge_id = invoices["data"][0]["charge"]["id"]

    def test_cancel_now_with_prorated_refund(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        self.assertEqual(wizard.subscription_label, "Pro monthly")
        self.assertEqual(wizard.subscription_status, "active")
        self.assertEqual(wizard.refund_charge_id, self.charge_id)
        self.assertEqual(wizard.last_payment_amount, 3000)
        start, end = self.sub["current_period_start"], self.sub["current_period_end"]
        self.assertEqual((wizard.period_start, wizard.period_end), (start, end))
        # The period just started: almost all of it is unused.
        self.assertGreaterEqual(wizard.prorated_amount, 2990)
        self.assertLessEqual(wizard.prorated_amount, 3000)
        wizard.write(
            {
                "refund_method": "prorated",
                "internal_reason": "Moving to a competitor",
                "invoice_now": True,
            }
        )
        self.assertEqual(wizard.refund_amount, wizard.prorated_amount)
        amount = wizard.refund_amount_display
        self.assertIn(
            f"Pro monthly ({self.sub['id']}) will be cancelled now.", wizard.summary
        )
        self.assertIn("Pending usage is invoiced at once.", wizard.summary)
        self.assertIn(
            f"{amount} of payment {self.charge_id} will be refunded", wizard.summary
        )
        action = wizard.action_confirm()
        self.assertEqual(action["type"], "ir.actions.act_window_close")

        self.assertEqual(self.stripe_subscription(self.sub["id"])["status"], "canceled")
        [refund] = self.stripe_refunds(self.charge_id)
        self.assertEqual(refund["amount"], wizard.prorated_amount)
        self.assertEqual(refund["metadata"]["helpdesk_ticket_id"], str(self.ticket.id))
        self.assertEqual(
            refund["metadata"]["internal_reason"], "Moving to a competitor"
        )
        [note] = self.notes(self.ticket)
        body = str(note.body)
        self.assertIn(
            f"Cancelled Stripe subscription Pro monthly ({self.sub['id']})", body
        )
        today = format_ts_date(self.env, int(time.time()))
        self.assertIn(f"Took effect immediately, on {today} (status: canceled)", body)
        self.assertIn("Final invoice now: yes. Unused time credited: no.", body)
        self.assertIn(
            f"Refund: {amount} of payment {self.charge_id} (Unused time of the "
            f"current period), refund {refund['id']} (succeeded)",
            body,
        )
        self.assertIn("Internal reason: Moving to a competitor", body)
        self.assertIn("By: Billing Agent (hs_billing)", body)
        self.assertEqual(wizard.refund_id, refund["id"])

    def test_prorated_amount_follows_the_unused_time(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        gateway = self.company._stripe_gateway()
        sub = gateway.get_subscription(self.sub["id"])
        start, end = sub["current_period_start"], sub["current_period_end"]
        quarter = start + (end - start) // 4
        plan = wizard._stripe_refund_plan(gateway, sub, now=quarter)
        self.assertEqual(
            plan["prorated_amount"], 3000 * (end - quarter) // (end - start)
        )
        self.assertEqual(plan["last_payment_amount"], 3000)
        self.assertEqual(
            wizard._stripe_refund_plan(gateway, sub, now=end)["prorated_amount"], 0
        )
        self.assertEqual(
            wizard._stripe_refund_plan(gateway, sub, now=start - 99)["prorated_amount"],
            3000,
        )

    def test_cancel_now_refunding_the_last_payment(self):
        wizard = self.open_cancel(
            self.ticket, self.sub["id"], user=self.helpdesk_manager
        )
        wizard.write(
            {"refund_method": "last_payment", "internal_reason": "Never used it"}
        )
        self.assertEqual(wizard.refund_amount, 3000)
        wizard.action_confirm()
        self.assertEqual(self.stripe_refunds(self.charge_id)[0]["amount"], 3000)
        self.assertTrue(self.stripe_charge(self.charge_id)["refunded"])
        self.assertIn("(The whole last payment)", self.notes(self.ticket).body)

    def test_cancel_at_period_end_then_undo(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write({"when": "period_end", "internal_reason": "Budget cuts"})
        end_date = format_ts_date(self.env, self.sub["current_period_end"])
        self.assertIn(f"on {end_date}; it runs until then.", wizard.summary)
        self.assertIn("No refund.", wizard.summary)
        wizard.action_confirm()
        remote = self.stripe_subscription(self.sub["id"])
        self.assertTrue(remote["cancel_at_period_end"])
        self.assertEqual(remote["status"], "active")
        self.assertEqual(self.stripe_refunds(self.charge_id), [])
        note = self.notes(self.ticket)
        self.assertIn("Scheduled the cancellation of Stripe subscription", note.body)
        self.assertIn(f"Takes effect on {end_date}", note.body)
        self.assertIn("Refund: none", note.body)

        data = self.ticket.with_user(self.billing_agent).stripe_panel_data()
        [panel_sub] = [s for s in data["subscriptions"] if s["id"] == self.sub["id"]]
        self.assertTrue(panel_sub["undoable"])
        with self.assertRaisesRegex(UserError, "already set to cancel"):
            again = self.open_cancel(self.ticket, self.sub["id"])
            again.write({"when": "period_end", "internal_reason": "Twice"})
            again.action_confirm()

        undo = self.open_cancel(self.ticket, self.sub["id"], undo=True)
        self.assertIn("will be undone", undo.summary)
        undo.internal_reason = "Customer changed their mind"
        undo.action_confirm()
        self.assertFalse(
            self.stripe_subscription(self.sub["id"])["cancel_at_period_end"]
        )
        last = self.notes(self.ticket)[0]
        self.assertIn("Undid the scheduled cancellation", last.body)
        self.assertIn(f"It renews on {end_date}.", last.body)
        with self.assertRaisesRegex(UserError, "no scheduled cancellation to undo"):
            self.open_cancel(self.ticket, self.sub["id"], undo=True)

    def test_prorated_refund_needs_an_immediate_cancel(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write(
            {"when": "period_end", "refund_method": "prorated", "internal_reason": "x"}
        )
        self.assertIn("leaves no unused time to refund", wizard.summary)
        with self.assertRaisesRegex(UserError, "leaves no unused time"):
            wizard.action_confirm()
        self.assertFalse(
            self.stripe_subscription(self.sub["id"])["cancel_at_period_end"]
        )
        self.assertFalse(self.notes(self.ticket))

    def test_already_cancelled_subscription(self):
        self.seeder.cancel(self.sub["id"])
        with self.assertRaisesRegex(UserError, "is already cancelled"):
            self.open_cancel(self.ticket, self.sub["id"])

    def test_cancelled_elsewhere_while_the_dialog_was_open(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write({"refund_method": "last_payment", "internal_reason": "x"})
        self.seeder.cancel(self.sub["id"])
        with self.assertRaisesRegex(UserError, "is already cancelled"):
            wizard.action_confirm()
        self.assertEqual(self.stripe_refunds(self.charge_id), [])
        self.assertFalse(self.notes(self.ticket))

    def test_last_payment_refunded_meanwhile(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write({"refund_method": "last_payment", "internal_reason": "x"})
        self.seeder.refund(self.charge_id, 1000)
        with self.assertRaisesRegex(UserError, r"Only 20\.00 USD of payment"):
            wizard.action_confirm()
        self.assertEqual(self.stripe_subscription(self.sub["id"])["status"], "active")
        self.assertFalse(self.notes(self.ticket))

    def test_customer_deleted_in_stripe(self):
        customer = self.seed_customer("gone-sub@example.com", "Gone")
        sub = self.seed_subscription(customer, 3000, "usd")
        ticket = self.linked_ticket(customer["id"])
        wizard = self.open_cancel(ticket, sub["id"])
        wizard.internal_reason = "x"
        self.delete_customer(customer)
        with self.assertRaisesRegex(UserError, "no longer exists in Stripe"):
            wizard.action_confirm()
        self.assertEqual(self.stripe_subscription(sub["id"])["status"], "active")
        self.assertFalse(self.notes(ticket))

    def test_key_revoked_mid_action(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write({"refund_method": "last_payment", "internal_reason": "x"})
        self.revoke_key()
        with self.assertRaisesRegex(UserError, "Stripe refused the API key"):
            wizard.action_confirm()
        self.assertEqual(self.stripe_subscription(self.sub["id"])["status"], "active")
        self.assertEqual(self.stripe_refunds(self.charge_id), [])
        self.assertFalse(self.notes(self.ticket))

    def test_subscription_of_another_customer(self):
        other = self.seed_customer("other-sub@example.com", "Other")
        sub = self.seed_subscription(other, 3000, "usd")
        with self.assertRaisesRegex(UserError, "does not belong to this ticket"):
            self.open_cancel(self.ticket, sub["id"])
        with self.assertRaisesRegex(UserError, "no such object"):
            self.open_cancel(self.ticket, "sub_doesnotexist")

    def test_no_paid_invoice_means_no_refund(self):
        trial = self.seeder.subscribe(
            self.customer["id"], "plan-usd-3000", trial_period_days=14
        )
        self.seeder.set(trial["id"], status="trialing")
        wizard = self.open_cancel(self.ticket, trial["id"])
        self.assertEqual(
            wizard.refund_unavailable,
            "No paid invoice for this subscription: there is nothing to refund.",
        )
        wizard.write({"refund_method": "last_payment", "internal_reason": "x"})
        with self.assertRaisesRegex(UserError, "No paid invoice"):
            wizard.action_confirm()
        wizard.refund_method = "none"
        wizard.action_confirm()
        self.assertEqual(self.stripe_subscription(trial["id"])["status"], "canceled")
