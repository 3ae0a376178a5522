# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who may refund and cancel: the group, the company toggles, the refund cap."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .common_actions import StripeActionsMixin


@tagged("post_install", "-at_install")
class TestActionAccess(StripeActionsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_billing()
        cls.customer = cls.seed_customer("access@example.com", "Acc Ess")
        cls.sub = cls.seed_subscription(cls.customer, 3000, "usd")

    def setUp(self):
        super().setUp()
        self.charge = self.seed_charge(self.customer, 5000, "usd")
        self.ticket = self.linked_ticket(self.customer["id"])

    def panel(self, user):
        return self.ticket.with_user(user).stripe_panel_data()

    def test_group_matrix(self):
        self.assertTrue(
            self.helpdesk_manager.has_group("helpdesk_stripe.group_stripe_billing"),
            "Helpdesk managers get the billing group by default",
        )
        self.assertFalse(
            self.helpdesk_user.has_group("helpdesk_stripe.group_stripe_billing")
        )
        for user, allowed in [
            (self.helpdesk_user, False),
            (self.billing_agent, True),
            (self.helpdesk_manager, True),
        ]:
            with self.subTest(user=user.login):
                data = self.panel(user)
                self.assertEqual(data["state"], "ok", "everyone sees the panel")
                self.assertEqual(data["can_refund"], allowed)
                self.assertEqual(data["can_cancel"], allowed)
                [pay] = [
                    p for p in data["payments"]["data"] if p["id"] == self.charge["id"]
                ]
                self.assertEqual(pay["refundable"], 5000)

    def test_dialogs_belong_to_their_agent(self):
        # Another billing agent can neither read nor change an open dialog
        # (the server would act on what its fields say).
        refund = self.open_refund(self.ticket, self.charge["id"])
        cancel = self.open_cancel(self.ticket, self.sub["id"])
        other = self.helpdesk_manager
        for wizard in (refund, cancel):
            with self.subTest(model=wizard._name):
                theirs = wizard.with_user(other)
                with self.assertRaises(AccessError):
                    theirs.read(["internal_reason"])
                with self.assertRaises(AccessError):
                    theirs.write({"internal_reason": "tampered"})
                self.assertFalse(
                    self.env[wizard._name]
                    .with_user(other)
                    .search([("id", "=", wizard.id)])
                )
        refund.write({"amount": "1", "internal_reason": "Goodwill"})
        refund.action_confirm()
        [made] = self.stripe_refunds(self.charge["id"])
        self.assertEqual(made["amount"], 100)

    def test_helpdesk_user_cannot_refund_or_cancel(self):
        user = self.helpdesk_user
        ticket = self.ticket.with_user(user)
        with self.assertRaisesRegex(AccessError, "Stripe: billing actions"):
            ticket.action_stripe_refund(self.charge["id"])
        with self.assertRaisesRegex(AccessError, "Stripe: billing actions"):
            ticket.action_stripe_cancel_subscription(self.sub["id"])
        with self.assertRaisesRegex(AccessError, "Stripe: billing actions"):
            ticket.action_stripe_undo_cancel(self.sub["id"])
        # Straight to the model: the access rights refuse it too.
        for model, vals in [
            ("helpdesk.stripe.refund.wizard", {"charge_id": self.charge["id"]}),
            ("helpdesk.stripe.cancel.wizard", {"subscription_id": self.sub["id"]}),
        ]:
            with self.assertRaises(AccessError):
                self.env[model].with_user(user).create(
                    dict(vals, ticket_id=self.ticket.id, internal_reason="x")
                )
        # A dialog opened by a billing agent cannot be confirmed by a user.
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.internal_reason = "x"
        with self.assertRaises(AccessError):
            wizard.with_user(user).action_confirm()
        self.assertEqual(self.stripe_refunds(self.charge["id"]), [])
        self.assertFalse(self.notes(self.ticket))

    def test_toggles_off_hide_and_refuse(self):
        refund = self.open_refund(self.ticket, self.charge["id"])
        refund.internal_reason = "x"
        cancel = self.open_cancel(self.ticket, self.sub["id"])
        cancel.internal_reason = "x"
        self.company.write(
            {"stripe_refunds_enabled": False, "stripe_cancel_enabled": False}
        )
        for user in (self.billing_agent, self.helpdesk_manager):
            data = self.panel(user)
            self.assertFalse(data["can_refund"])
            self.assertFalse(data["can_cancel"])
            ticket = self.ticket.with_user(user)
            with self.assertRaisesRegex(
                UserError, "Refunds from tickets are turned off"
            ):
                ticket.action_stripe_refund(self.charge["id"])
            with self.assertRaisesRegex(
                UserError, "subscriptions from tickets is turned off"
            ):
                ticket.action_stripe_cancel_subscription(self.sub["id"])
        # Dialogs opened before the switch are refused at confirmation too.
        with self.assertRaisesRegex(UserError, "Refunds from tickets are turned off"):
            refund.action_confirm()
        with self.assertRaisesRegex(UserError, "turned off"):
            cancel.action_confirm()
        self.assertEqual(self.stripe_refunds(self.charge["id"]), [])
        self.assertEqual(self.stripe_subscription(self.sub["id"])["status"], "active")
        self.assertFalse(self.notes(self.ticket))

    def test_refunds_off_still_allows_cancel_without_refund(self):
        self.company.stripe_refunds_enabled = False
        self.assertTrue(self.panel(self.billing_agent)["can_cancel"])
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        self.assertFalse(wizard.refunds_allowed)
        wizard.write({"refund_method": "last_payment", "internal_reason": "x"})
        with self.assertRaisesRegex(UserError, "Refunds from tickets are turned off"):
            wizard.action_confirm()
        wizard.refund_method = "none"
        wizard.when = "period_end"
        wizard.action_confirm()
        self.assertTrue(
            self.stripe_subscription(self.sub["id"])["cancel_at_period_end"]
        )

    def test_refund_cap_for_billing_agents(self):
        self.company.stripe_refund_cap = 20
        wizard = self.open_refund(self.ticket, self.charge["id"])
        wizard.write({"amount": "20.01", "internal_reason": "x"})
        with self.assertRaisesRegex(
            UserError,
            r"at most 20\.00 USD at once; 20\.01 USD needs a Helpdesk manager",
        ):
            wizard.action_confirm()
        self.assertEqual(self.stripe_refunds(self.charge["id"]), [])
        wizard.amount = "20"
        wizard.action_confirm()
        self.assertEqual(self.stripe_refunds(self.charge["id"])[0]["amount"], 2000)
        # Managers are not capped.
        manager = self.open_refund(
            self.ticket, self.charge["id"], self.helpdesk_manager
        )
        manager.internal_reason = "x"
        manager.action_confirm()
        self.assertEqual(self.stripe_charge(self.charge["id"])["amount_refunded"], 5000)

    def test_refund_cap_reads_the_payments_currency(self):
        self.company.stripe_refund_cap = 20
        jpy = self.seed_charge(self.customer, 1000, "jpy")
        wizard = self.open_refund(self.ticket, jpy["id"])
        wizard.write({"amount": "21", "internal_reason": "x"})
        with self.assertRaisesRegex(UserError, "at most 20 JPY at once"):
            wizard.action_confirm()

    def test_refund_cap_applies_to_cancel_refunds(self):
        self.company.stripe_refund_cap = 10
        wizard = self.open_cancel(self.ticket, self.sub["id"])
        wizard.write({"refund_method": "last_payment", "internal_reason": "x"})
        with self.assertRaisesRegex(UserError, r"at most 10\.00 USD at once"):
            wizard.action_confirm()
        self.assertEqual(self.stripe_subscription(self.sub["id"])["status"], "active")
        self.assertFalse(self.notes(self.ticket))

    def test_ticket_without_customer(self):
        ticket = self.make_ticket(partner_email="nobody@example.com")
        with self.assertRaisesRegex(UserError, "Link the ticket to a Stripe customer"):
            ticket.with_user(self.billing_agent).action_stripe_refund(self.charge["id"])
