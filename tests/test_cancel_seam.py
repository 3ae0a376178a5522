# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Cancelling against canned current-API Stripe objects: periods on items,
invoice payments, ``cancellation_details``, and a refund failing after the
cancellation (localstripe cannot do these)."""

import time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .common_actions import StripeActionsMixin

DAY = 86400


@tagged("post_install", "-at_install")
class TestCancelSeam(StripeActionsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_billing()

    def setUp(self):
        super().setUp()
        self.fake = self.enterContext(self.fake_stripe())
        self.customer = self.fake.customer()
        now = int(time.time())
        # 10 of 30 days used: two thirds of the 90.00 EUR paid are unused.
        self.sub = self.fake.subscription(
            self.customer["id"], 9000, "eur", now - 10 * DAY, now + 20 * DAY
        )
        self.charge = self.fake.charge(self.customer["id"], 9000, "eur")
        self.invoice = self.fake.paid_invoice(self.sub, self.charge)
        self.ticket = self.linked_ticket(self.customer["id"])

    def test_current_shape_prorated_cancel(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        self.assertEqual(wizard.refund_invoice_id, self.invoice["id"])
        self.assertEqual(wizard.refund_charge_id, self.charge["id"])
        self.assertEqual(wizard.last_payment_amount, 9000)
        self.assertAlmostEqual(wizard.prorated_amount, 6000, delta=1)
        self.assertEqual((wizard.unused_days, wizard.period_days), (20, 30))
        wizard.write(
            {
                "refund_method": "prorated",
                "invoice_now": True,
                "internal_reason": "Closing the <shop>",
            }
        )
        self.assertIn("20 of 30 days unused", wizard.summary)
        self.assertNotIn("credited to the balance", wizard.summary)
        wizard.action_confirm()

        [cancel] = self.fake.made("DELETE", "^/v1/subscriptions/")
        params = cancel["params"]
        self.assertEqual(params["invoice_now"], "true")
        self.assertEqual(params["prorate"], "false")
        self.assertEqual(
            params["cancellation_details[comment]"],
            f"Closing the <shop> (helpdesk ticket {self.ticket.number}, hs_billing)",
        )
        self.assertTrue(cancel["idempotency_key"].startswith("hd-"))
        [refund_call] = self.fake.made("POST", "^/v1/refunds$")
        self.assertEqual(refund_call["params"]["charge"], self.charge["id"])
        self.assertEqual(int(refund_call["params"]["amount"]), wizard.refund_amount)
        self.assertNotEqual(refund_call["idempotency_key"], cancel["idempotency_key"])
        self.assertEqual(
            refund_call["params"]["metadata[helpdesk_ticket_number]"],
            self.ticket.number,
        )
        self.assertEqual(self.sub["status"], "canceled")
        note = self.notes(self.ticket)
        self.assertIn("Cancelled Stripe subscription Pro", note.body)
        self.assertIn("Final invoice now: yes. Unused time credited: no", note.body)
        self.assertIn("Closing the &lt;shop&gt;", note.body)

    def test_schedule_sends_cancellation_details_and_metadata(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write({"when": "period_end", "internal_reason": "Budget"})
        wizard.action_confirm()
        [update] = self.fake.made("POST", "^/v1/subscriptions/")
        params = update["params"]
        self.assertEqual(params["cancel_at_period_end"], "true")
        self.assertIn(
            "Budget (helpdesk ticket", params["cancellation_details[comment]"]
        )
        self.assertEqual(params["metadata[odoo_user]"], "hs_billing")
        self.assertEqual(params["metadata[internal_reason]"], "Budget")
        self.assertTrue(self.sub["cancel_at_period_end"])
        self.assertFalse(self.fake.made("DELETE", "/v1/subscriptions/"))

    def test_refund_failing_after_the_cancel_is_told(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write({"refund_method": "last_payment", "internal_reason": "Angry"})
        self.fake.fail(
            "POST", "^/v1/refunds$", status=402, message="Charge is disputed"
        )
        action = wizard.action_confirm()
        # The cancellation stands; the agent is warned, the note tells both.
        self.assertEqual(self.sub["status"], "canceled")
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertTrue(action["params"]["sticky"])
        self.assertIn(
            "is cancelled, but Stripe refused the refund", action["params"]["message"]
        )
        self.assertIn("Charge is disputed", action["params"]["message"])
        self.assertEqual(
            action["params"]["next"]["type"], "ir.actions.act_window_close"
        )
        [note] = self.notes(self.ticket)
        self.assertIn("Cancelled Stripe subscription", note.body)
        self.assertIn(
            f"Refund FAILED: 90.00 EUR of payment {self.charge['id']} (The whole last "
            "payment) was not refunded. Stripe said: Stripe declined the operation: "
            "Charge is disputed",
            note.body,
        )
        self.assertFalse(self.fake._by_type("refund"))
        self.assertEqual(wizard.state, "done")
        self.assertIn("Charge is disputed", wizard.refund_error)
        self.assertFalse(wizard.refund_id)

    def test_refund_answer_lost_is_found_again(self):
        # Stripe made the refund, its answer never came: found by the key.
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write({"refund_method": "last_payment", "internal_reason": "Angry"})
        self.fake.fail("POST", "^/v1/refunds$", status=None, timeout=True, lost=True)
        action = wizard.action_confirm()
        [refund] = self.fake._by_type("refund")
        self.assertEqual(refund["amount"], 9000)
        self.assertEqual(action["type"], "ir.actions.act_window_close")
        self.assertEqual(wizard.refund_id, refund["id"])
        self.assertFalse(wizard.refund_error)
        [note] = self.notes(self.ticket)
        self.assertIn(f"refund {refund['id']}", note.body)

    def test_refund_timeout_is_not_called_a_refusal(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write({"refund_method": "last_payment", "internal_reason": "Angry"})
        self.fake.fail("POST", "^/v1/refunds$", status=None, timeout=True)
        action = wizard.action_confirm()
        self.assertEqual(self.sub["status"], "canceled")
        self.assertFalse(self.fake._by_type("refund"))
        self.assertTrue(wizard.refund_uncertain)
        self.assertIn("did not confirm the refund", action["params"]["message"])
        self.assertNotIn("Nothing was refunded", action["params"]["message"])
        [note] = self.notes(self.ticket)
        self.assertIn("Refund NOT CONFIRMED: 90.00 EUR of payment", note.body)
        self.assertIn(
            f"check payment {self.charge['id']} in Stripe before refunding", note.body
        )

    def test_credit_and_refund_are_not_both_given(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write(
            {"refund_method": "prorated", "prorate": True, "internal_reason": "x"}
        )
        self.assertIn("compensate the customer twice", wizard.summary)
        with self.assertRaisesRegex(UserError, "compensate the customer twice"):
            wizard.action_confirm()
        self.assertFalse(self.fake.made("DELETE", "/v1/subscriptions/"))
        self.assertEqual(self.sub["status"], "active")

    def test_cancel_refused_refunds_nothing(self):
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write({"refund_method": "last_payment", "internal_reason": "x"})
        for status, message in [
            (500, "could not process the request"),
            (429, "too many requests"),
            (None, "did not answer in time"),
        ]:
            with self.subTest(status=status):
                self.fake.failures.clear()
                self.fake.fail(
                    "DELETE",
                    "^/v1/subscriptions/",
                    status=status,
                    timeout=status is None,
                )
                with self.assertRaisesRegex(UserError, message):
                    wizard.action_confirm()
                self.assertEqual(self.sub["status"], "active")
                self.assertFalse(self.fake.made("POST", "^/v1/refunds$"))
                self.assertFalse(self.notes(self.ticket))

    def test_unpaid_current_period_has_no_prorated_refund(self):
        # A newer, unpaid invoice opened the current period: its unused time
        # was never paid, only the last payment can be refunded.
        self.sub["latest_invoice"] = "in_unpaid"
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        self.assertEqual(wizard.prorated_amount, 0)
        self.assertEqual(wizard.last_payment_amount, 9000)
        wizard.write({"refund_method": "prorated", "internal_reason": "x"})
        self.assertIn("no unused time to refund", wizard.summary)
        with self.assertRaisesRegex(UserError, "no unused time to refund"):
            wizard.action_confirm()
        self.assertFalse(self.fake.made("DELETE", "/v1/subscriptions/"))
