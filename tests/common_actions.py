# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Fixtures of the billing actions: agents, seeded payments, the canned Stripe."""

from contextlib import contextmanager, suppress
from unittest.mock import patch

import stripe

from odoo.tests import new_test_user

from odoo.addons.helpdesk_stripe.tools.fake_stripe import FakeStripe
from odoo.addons.helpdesk_stripe.tools.seed_localstripe import FAILING_CARD

from .common import StripeTestMixin

BAD_KEY = "rk_test_revokedkey1234"


class StripeActionsMixin(StripeTestMixin):
    """A connected company, three kinds of agents and seeding helpers."""

    @classmethod
    def setup_billing(cls):
        cls.setup_stripe()
        cls.billing_agent = new_test_user(
            cls.env,
            login="hs_billing",
            groups="helpdesk_mgmt.group_helpdesk_user,"
            "helpdesk_stripe.group_stripe_billing",
            name="Billing Agent",
        )

    # === SEEDING (localstripe) === #

    @classmethod
    def seed_customer(cls, email="payer@example.com", name="Pat Payer"):
        customer = cls.seeder.customer(email, name)
        cls.seeder.card(customer["id"])
        return customer

    @classmethod
    def seed_charge(cls, customer, amount=5000, currency="usd"):
        return cls.seeder.charge(customer["id"], amount, currency, "Order 42")

    @classmethod
    def seed_failed_charge(cls, customer):
        """A charge that failed (localstripe answers 402 and keeps it)."""
        card = cls.seeder.card(customer["id"], FAILING_CARD)
        cls.seeder.post(f"/v1/customers/{customer['id']}", default_source=card["id"])
        with suppress(OSError):  # urllib's HTTPError: a 402, as from Stripe
            cls.seeder.charge(customer["id"], 3000, "usd")
        charges = cls.seeder.get("/v1/charges", customer=customer["id"])["data"]
        return next(c for c in charges if c["status"] == "failed")

    @classmethod
    def seed_subscription(cls, customer, amount=3000, currency="usd"):
        plan_id = f"plan-{currency}-{amount}"
        with suppress(OSError):  # the plan exists already
            cls.seeder.plan(plan_id, "Pro", amount, currency, nickname="Pro monthly")
        return cls.seeder.subscribe(customer["id"], plan_id)

    def delete_customer(self, customer):
        self.seeder.request("DELETE", f"/v1/customers/{customer['id']}")

    def stripe_charge(self, charge_id):
        return self.seeder.get(f"/v1/charges/{charge_id}")

    def stripe_refunds(self, charge_id):
        return self.seeder.get("/v1/refunds", charge=charge_id)["data"]

    def stripe_subscription(self, sub_id):
        return self.seeder.get(f"/v1/subscriptions/{sub_id}")

    # === ODOO SIDE === #

    @classmethod
    def linked_ticket(cls, customer_id, **values):
        return cls.make_ticket(
            stripe_customer_id=customer_id,
            stripe_link_state="linked",
            stripe_link_method="manual",
            **values,
        )

    def notes(self, ticket):
        note = self.env.ref("mail.mt_note")
        return ticket.message_ids.filtered(
            lambda m: m.subtype_id == note and m.message_type == "comment"
        )

    def open_refund(self, ticket, charge_id, user=None):
        action = ticket.with_user(user or self.billing_agent).action_stripe_refund(
            charge_id
        )
        self.assertEqual(action["res_model"], "helpdesk.stripe.refund.wizard")
        self.assertEqual(action["target"], "new")
        return (
            self.env[action["res_model"]]
            .browse(action["res_id"])
            .with_user(user or self.billing_agent)
        )

    def open_cancel(self, ticket, sub_id, user=None, undo=False):
        ticket = ticket.with_user(user or self.billing_agent)
        if undo:
            action = ticket.action_stripe_undo_cancel(sub_id)
        else:
            action = ticket.action_stripe_cancel_subscription(sub_id)
        self.assertEqual(action["res_model"], "helpdesk.stripe.cancel.wizard")
        return (
            self.env[action["res_model"]]
            .browse(action["res_id"])
            .with_user(user or self.billing_agent)
        )

    def revoke_key(self):
        # A well-formed key that localstripe refuses with a 401, like a revoked one.
        self.company.sudo().stripe_secret_key = BAD_KEY

    # === CANNED STRIPE (current API shapes) === #

    @contextmanager
    def fake_stripe(self):
        """Point the company at Stripe's address, answered by a :class:`FakeStripe`.

        The gateway's SDK HTTP client is the seam: nothing of the addon's own
        logic is replaced.
        """
        fake = FakeStripe()
        company = self.company.sudo()
        previous = company.stripe_api_base
        company.stripe_api_base = "https://api.stripe.com"
        try:
            with patch.object(stripe, "RequestsClient", lambda **kw: fake):
                yield fake
        finally:
            company.stripe_api_base = previous
