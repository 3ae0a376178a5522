# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Double clicks, retries and two agents at once never refund twice."""

import threading
from contextlib import contextmanager
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from odoo.addons.helpdesk_stripe.stripe_gateway import StripeGateway
from odoo.addons.helpdesk_stripe.tools.localstripe_process import TEST_KEY
from odoo.addons.helpdesk_stripe.tools.seed_localstripe import Seeder

from .common import localstripe
from .common_actions import StripeActionsMixin

WIZARD = "helpdesk.stripe.refund.wizard"
COMPANY_FIELDS = [
    "stripe_secret_key",
    "stripe_api_base",
    "stripe_connected",
    "stripe_refunds_enabled",
    "stripe_refund_cap",
]


@contextmanager
def idempotent_stripe():
    """localstripe ignores idempotency keys; Stripe does not. At the gateway's
    write seam, answer a key already used with its first answer, as Stripe does.

    :return: the list of keys sent, in order
    """
    real_write = StripeGateway._write
    answers, sent, lock = {}, [], threading.Lock()

    def write(gateway, method, *args, idempotency_key=None, **kwargs):
        with lock:
            sent.append(idempotency_key)
            if idempotency_key in answers:
                return answers[idempotency_key]
        answer = real_write(
            gateway, method, *args, idempotency_key=idempotency_key, **kwargs
        )
        with lock:
            return answers.setdefault(idempotency_key, answer)

    with patch.object(StripeGateway, "_write", write):
        yield sent


@tagged("post_install", "-at_install")
class TestDoubleSubmit(StripeActionsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_billing()
        cls.customer = cls.seed_customer("double@example.com", "Dub Click")

    def test_double_click_and_retry_refund_once(self):
        charge = self.seed_charge(self.customer, 5000, "usd")
        ticket = self.linked_ticket(self.customer["id"])
        wizard = self.open_refund(ticket, charge["id"])
        wizard.write({"amount": "20", "internal_reason": "Double click"})
        with idempotent_stripe() as sent:
            # The answer of the first submission is lost: rolled back in Odoo,
            # done in Stripe.
            with self.assertRaises(ConnectionError), self.env.cr.savepoint():
                wizard.action_confirm()
                raise ConnectionError("browser went away")
            self.env.invalidate_all()
            wizard.action_confirm()  # the retry
            wizard.action_confirm()  # and a double click on it
        self.assertEqual(len(sent), 1, "one refund request reached Stripe")
        [refund] = self.stripe_refunds(charge["id"])
        self.assertEqual(refund["amount"], 2000)
        self.assertEqual(len(self.notes(ticket)), 1)
        self.assertIn(refund["id"], self.notes(ticket).body)

    def test_the_seam_answers_a_replayed_key_with_the_first_refund(self):
        charge = self.seed_charge(self.customer, 5000, "usd")
        gateway = self.company._stripe_gateway()
        with idempotent_stripe() as sent:
            first = gateway.create_refund(charge["id"], 100, "hd-same")
            second = gateway.create_refund(charge["id"], 100, "hd-same")
        self.assertEqual(first["id"], second["id"])
        self.assertEqual(sent, ["hd-same", "hd-same"])
        self.assertEqual(len(self.stripe_refunds(charge["id"])), 1)


@tagged("post_install", "-at_install")
class TestTwoAgentsAtOnce(TransactionCase):
    """Two real transactions in two threads, on committed data.

    Nothing is written through the test's own cursor (it would hold row locks
    the committed setup waits for); everything is removed afterwards.
    """

    def setUp(self):
        super().setUp()
        server = localstripe()
        seeder = Seeder(server.url, TEST_KEY)
        self.customer = seeder.customer("race@example.com", "Rae Race")
        seeder.card(self.customer["id"])
        self.charge = seeder.charge(self.customer["id"], 4000, "usd")
        self.seeder = seeder
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company.sudo()
            self.saved = company.read(COMPANY_FIELDS)[0]
            company.write(
                {
                    "stripe_secret_key": TEST_KEY,
                    "stripe_api_base": server.url,
                    "stripe_connected": True,
                    "stripe_refunds_enabled": True,
                    "stripe_refund_cap": 0,
                }
            )
            groups = (
                "helpdesk_mgmt.group_helpdesk_user,helpdesk_stripe.group_stripe_billing"
            )
            users = [
                new_test_user(
                    env, login=f"hs_race_{n}", groups=groups, name=f"Racer {n}"
                )
                for n in (1, 2)
            ]
            ticket = env["helpdesk.ticket"].create(
                {
                    "name": "Refund me",
                    "description": "<p>Twice?</p>",
                    "stripe_customer_id": self.customer["id"],
                    "stripe_link_state": "linked",
                }
            )
            wizards = [
                env[WIZARD]
                .with_user(user)
                .create(
                    {
                        "ticket_id": ticket.id,
                        "charge_id": self.charge["id"],
                        "internal_reason": f"Agent {user.login}",
                    }
                )
                for user in users
            ]
            self.user_ids = [user.id for user in users]
            self.ticket_id = ticket.id
            self.wizard_ids = [w.id for w in wizards]
        self.addCleanup(self.remove_committed)

    def remove_committed(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env[WIZARD].browse(self.wizard_ids).exists().unlink()
            env["helpdesk.ticket"].browse(self.ticket_id).exists().unlink()
            users = env["res.users"].browse(self.user_ids).exists()
            partners = users.partner_id
            users.unlink()
            partners.unlink()
            saved = {k: v for k, v in self.saved.items() if k != "id"}
            env.company.sudo().write(saved)

    def confirm(self, wizard_id, uid, results, name):
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                env[WIZARD].browse(wizard_id).action_confirm()
            results[name] = "done"
        except Exception as err:  # noqa: BLE001 - reported to the test
            results[name] = err

    def test_two_agents_refund_at_once(self):
        inside, release, results = threading.Event(), threading.Event(), {}
        real_create = StripeGateway.create_refund

        def slow_create(gateway, *args, **kwargs):
            inside.set()  # the first agent holds the ticket's lock here
            release.wait(30)
            return real_create(gateway, *args, **kwargs)

        (first_wizard, second_wizard), (first_uid, second_uid) = (
            self.wizard_ids,
            self.user_ids,
        )
        threads = {
            "first": threading.Thread(
                target=self.confirm, args=(first_wizard, first_uid, results, "first")
            ),
            "double click": threading.Thread(
                target=self.confirm,
                args=(first_wizard, first_uid, results, "double click"),
            ),
            "second agent": threading.Thread(
                target=self.confirm,
                args=(second_wizard, second_uid, results, "second agent"),
            ),
        }
        with (
            idempotent_stripe() as sent,
            patch.object(StripeGateway, "create_refund", slow_create),
        ):
            threads["first"].start()
            self.assertTrue(inside.wait(30), "the first agent reached Stripe")
            for name in ("double click", "second agent"):
                threads[name].start()
                threads[name].join(30)
            release.set()
            threads["first"].join(30)
            # After the first one finished, the second agent tries again.
            self.confirm(second_wizard, second_uid, results, "second retry")

        self.assertEqual(results["first"], "done")
        for name in ("double click", "second agent"):
            self.assertIsInstance(results[name], UserError, name)
            self.assertIn("Another agent is acting on ticket", str(results[name]))
        self.assertIsInstance(results["second retry"], UserError)
        self.assertIn("already fully refunded", str(results["second retry"]))
        self.assertEqual(len(sent), 1, "one refund request reached Stripe")

        refunds = self.seeder.get("/v1/refunds", charge=self.charge["id"])["data"]
        self.assertEqual([r["amount"] for r in refunds], [4000])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            ticket = env["helpdesk.ticket"].browse(self.ticket_id)
            notes = ticket.message_ids.filtered(
                lambda m: m.subtype_id == env.ref("mail.mt_note")
            )
            self.assertEqual(len(notes), 1)
            self.assertIn(refunds[0]["id"], notes.body)
            self.assertEqual(env[WIZARD].browse(self.wizard_ids[1]).state, "draft")
