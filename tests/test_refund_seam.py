# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Refunds against canned current-API Stripe objects (what localstripe lacks:
the ``reason`` parameter, idempotency, 402/429/5xx answers and timeouts)."""

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .common_actions import StripeActionsMixin


@tagged("post_install", "-at_install")
class TestRefundSeam(StripeActionsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_billing()

    def setUp(self):
        super().setUp()
        self.fake = self.enterContext(self.fake_stripe())
        self.customer = self.fake.customer()
        self.charge = self.fake.charge(self.customer["id"], 8000, "eur")
        self.ticket = self.linked_ticket(self.customer["id"])

    def refund_posts(self):
        return self.fake.made("POST", "^/v1/refunds$")

    def test_reason_and_metadata_sent_to_stripe(self):
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.write(
            {
                "amount": "20",
                "stripe_reason": "duplicate",
                "internal_reason": "Paid <b>twice</b>",
            }
        )
        self.assertIn("Reason sent to Stripe: Duplicate.", wizard.summary)
        wizard.action_confirm()
        [call] = self.refund_posts()
        params = call["params"]
        self.assertEqual(params["charge"], self.charge["id"])
        self.assertEqual(params["amount"], "2000")
        self.assertEqual(params["reason"], "duplicate")
        self.assertEqual(params["metadata[helpdesk_ticket_id]"], str(self.ticket.id))
        self.assertEqual(params["metadata[helpdesk_ticket_number]"], self.ticket.number)
        self.assertEqual(params["metadata[odoo_user]"], "hs_billing")
        self.assertEqual(params["metadata[internal_reason]"], "Paid <b>twice</b>")
        expected_key = wizard._stripe_action_key(
            "refund", self.charge["id"], 2000, "duplicate", "Paid <b>twice</b>"
        )
        self.assertEqual(call["idempotency_key"], expected_key)
        self.assertEqual(params["metadata[helpdesk_action_key]"], expected_key)
        [note] = self.notes(self.ticket)
        self.assertIn("Reason for Stripe: Duplicate", note.body)
        # Values from people and Stripe are escaped in the note.
        self.assertIn("Paid &lt;b&gt;twice&lt;/b&gt;", note.body)
        self.assertNotIn("<b>twice</b>", note.body)

    def test_no_reason_is_not_sent(self):
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.internal_reason = "Goodwill"
        wizard.action_confirm()
        [call] = self.refund_posts()
        self.assertNotIn("reason", call["params"])
        self.assertEqual(call["params"]["amount"], "8000")

    def test_idempotency_key_follows_the_parameters(self):
        first = self.open_refund(self.ticket, self.charge["id"])
        second = self.open_refund(self.ticket, self.charge["id"])
        key = first._stripe_action_key("refund", "ch_1", 100, None, "r")
        self.assertEqual(
            key, first._stripe_action_key("refund", "ch_1", 100, None, "r")
        )
        variants = [
            first._stripe_action_key("refund", "ch_2", 100, None, "r"),
            first._stripe_action_key("refund", "ch_1", 101, None, "r"),
            first._stripe_action_key("refund", "ch_1", 100, "duplicate", "r"),
            first._stripe_action_key("refund", "ch_1", 100, None, "other"),
            second._stripe_action_key("refund", "ch_1", 100, None, "r"),
        ]
        self.assertEqual(len({key, *variants}), 6)

    def test_stripe_failures_leave_nothing_done(self):
        cases = [
            (402, "Stripe declined the operation: Refund declined"),
            (404, "Stripe has no such object"),
            (429, "too many requests"),
            (500, r"could not process the request \(Refund declined\)"),
            (None, "could not be reached or did not answer in time"),
        ]
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.write({"amount": "10", "internal_reason": "Test"})
        for status, message in cases:
            with self.subTest(status=status):
                self.fake.failures.clear()
                self.fake.fail(
                    "POST",
                    "^/v1/refunds$",
                    status=status,
                    message="Refund declined",
                    timeout=status is None,
                )
                with self.assertRaisesRegex(UserError, message):
                    wizard.action_confirm()
                self.assertFalse(self.fake._by_type("refund"))
                self.assertFalse(self.notes(self.ticket))
                self.assertEqual(wizard.state, "draft")
        self.fake.failures.clear()
        wizard.action_confirm()
        self.assertEqual(len(self.fake._by_type("refund")), 1)
        self.assertEqual(len(self.notes(self.ticket)), 1)

    def test_read_failure_at_confirm(self):
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.internal_reason = "Test"
        self.fake.fail("GET", "^/v1/charges/", status=429, message="Slow down")
        with self.assertRaisesRegex(UserError, "too many requests"):
            wizard.action_confirm()
        self.assertFalse(self.refund_posts())
        self.assertFalse(self.notes(self.ticket))

    def test_retry_after_lost_answer_reuses_the_refund(self):
        # Stripe made the refund but Odoo's transaction was rolled back (the
        # answer was lost): the retry finds the refund and only writes the note.
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.internal_reason = "Retry"
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            wizard.action_confirm()
            self.assertEqual(len(self.notes(self.ticket)), 1)
            raise RuntimeError("connection lost before the commit")
        self.env.invalidate_all()
        self.assertEqual(wizard.state, "draft")
        self.assertFalse(self.notes(self.ticket))
        wizard.action_confirm()
        self.assertEqual(len(self.fake._by_type("refund")), 1)
        self.assertEqual(len(self.refund_posts()), 1, "no second refund request")
        self.assertEqual(len(self.notes(self.ticket)), 1)
        self.assertEqual(self.fake.objects[self.charge["id"]]["amount_refunded"], 8000)
